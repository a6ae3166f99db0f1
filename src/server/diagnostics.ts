/**
 * Findings → LSP diagnostics. Severity comes from the `hipPorter.severity` setting of the
 * finding's family (`off` drops the family) or, without one, from the rule's own default.
 * Pure functions: the caller supplies `positionAt` (UTF-16 offset → 0-based line / UTF-16
 * character, with LSP line-break rules).
 */
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic, type Position, type Range } from 'vscode-languageserver';
import type { Finding, Severity } from '../core/findings';
import { DIAGNOSTIC_SOURCE } from '../shared/lsp-protocol';
import type { ServerSettings } from './settings';

/** A finding the user sees, with its effective severity. Its index in the document's list is its id. */
export interface VisibleFinding {
  finding: Finding;
  severity: Severity;
}

/** What a published diagnostic carries in `data`: the document version and the finding's id. */
export interface DiagnosticData {
  /** Document version the diagnostic was computed for. */
  v: number;
  /** Index of the finding in that version's visible findings. */
  i: number;
}

/** True when `d` looks like {@link DiagnosticData}. */
export function isDiagnosticData(d: unknown): d is DiagnosticData {
  return typeof d === 'object' && d !== null && typeof (d as DiagnosticData).v === 'number' && typeof (d as DiagnosticData).i === 'number';
}

/**
 * The findings to show, in order, with the severity the settings give them (families set to `off`
 * removed). `prev`: the visible findings of an earlier version under the same settings; the
 * leading and trailing runs of the very same finding objects (an incremental analysis keeps the
 * findings an edit did not change) reuse its entries instead of allocating ~4k per keystroke.
 */
export function visibleFindings(findings: readonly Finding[], settings: Pick<ServerSettings, 'severity'>, prev?: readonly VisibleFinding[]): VisibleFinding[] {
  const n = findings.length;
  const m = prev?.length ?? 0;
  // sized once (no regrowth of a 4k array), trimmed at the end
  const out = new Array<VisibleFinding>(n);
  let w = 0;
  // leading run: findings[i] is prev[h].finding
  let i = 0;
  let h = 0;
  for (; i < n && h < m; i++) {
    const f = findings[i]!;
    if (settings.severity[f.family] === 'off') continue;
    if (prev![h]!.finding !== f) break;
    out[w++] = prev![h++]!;
  }
  // trailing run, from the end, not reaching into the leading one
  let j = n - 1;
  let t = m - 1;
  for (; j >= i && t >= h; j--) {
    const f = findings[j]!;
    if (settings.severity[f.family] === 'off') continue;
    if (prev![t]!.finding !== f) break;
    t--;
  }
  for (let k = i; k <= j; k++) {
    const f = findings[k]!;
    const level = settings.severity[f.family];
    if (level === 'off') continue;
    out[w++] = { finding: f, severity: level ?? f.severity };
  }
  for (let k = t + 1; k < m; k++) out[w++] = prev![k]!;
  out.length = w;
  return out;
}

const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Informational rename codes published without `codeDescription` (see {@link toDiagnostic}). */
export const LIGHT_CODES: ReadonlySet<string> = new Set(['HP101', 'HP110']);

/** LSP range of `[start, end)` UTF-16 offsets. */
export function rangeOf(start: number, end: number, positionAt: (offset: number) => Position): Range {
  return { start: positionAt(start), end: positionAt(Math.max(start, end)) };
}

/**
 * One diagnostic: range from the finding's offsets, `code` = HP code, `codeDescription.href` =
 * the rule's documentation URL (when it has one; not for the {@link LIGHT_CODES} renames), `source` = "HIP Porter",
 * and `data` = {@link DiagnosticData} when given (published diagnostics carry none: a 10k-line
 * file has ~4k of them on every keystroke, and code actions find their finding by code and range).
 * Deprecated/removed CUDA APIs get the Deprecated tag (editors strike them through). With `uri`
 * (the document's), the finding's related spans become `relatedInformation` in that document.
 */
export function toDiagnostic(v: VisibleFinding, data: DiagnosticData | undefined, positionAt: (offset: number) => Position, uri?: string): Diagnostic {
  const f = v.finding;
  const d: Diagnostic = {
    range: rangeOf(f.start, f.end, positionAt),
    severity: LSP_SEVERITY[v.severity],
    code: f.code,
    source: DIAGNOSTIC_SOURCE,
    message: f.message,
  };
  if (data) d.data = data;
  // Rename notes (HP101/HP110) are most of a file's diagnostics; their link (the HIPIFY table) is
  // in the hover, so they skip codeDescription to keep each publish small.
  if (f.docs && !LIGHT_CODES.has(f.code)) d.codeDescription = { href: f.docs };
  if (f.status === 'deprecated' || f.status === 'removed') d.tags = [DiagnosticTag.Deprecated];
  if (uri !== undefined && f.related?.length) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri, range: rangeOf(r.start, r.end, positionAt) }, message: r.message }));
  }
  return d;
}

/** Diagnostics of an earlier publish that {@link toDiagnostics} may reuse. */
export interface DiagnosticReuse {
  /** The findings of the earlier publish, in order. */
  findings: readonly Finding[];
  /** Its diagnostics, one per finding. */
  diagnostics: readonly Diagnostic[];
  /** UTF-16 offset before which the text has not changed since that publish. */
  unchangedBefore: number;
  /** UTF-16 offset from which line/column positions have not changed (Infinity: none). */
  unchangedAfter: number;
}

/**
 * Diagnostics for every visible finding of one document version (without `data`, see
 * {@link toDiagnostic}). With `reuse`, the leading findings that are the earlier publish's own
 * objects and end before the first change keep their diagnostic objects (same range, since nothing
 * before them moved), and so do the trailing ones that are those objects (an incremental analysis
 * moves unchanged findings in place) starting where no line or column moved. A finding with related
 * spans (which may sit anywhere in the document) is reused only when they too lie before the first
 * change (leading run) or where no line moved (trailing run). `uri`: see {@link toDiagnostic}.
 */
export function toDiagnostics(visible: readonly VisibleFinding[], positionAt: (offset: number) => Position, reuse?: DiagnosticReuse, uri?: string): Diagnostic[] {
  const n = visible.length;
  const out = new Array<Diagnostic>(n);
  let head = 0;
  let tail = 0;
  if (reuse) {
    const prev = reuse.findings;
    const m = prev.length;
    while (head < n && head < m) {
      const v = visible[head]!;
      const d = reuse.diagnostics[head]!;
      if (v.finding !== prev[head] || v.finding.end > reuse.unchangedBefore || (v.finding.related && v.finding.related.some((r) => r.end > reuse.unchangedBefore)) || d.severity !== LSP_SEVERITY[v.severity]) break;
      out[head++] = d;
    }
    while (tail < n - head && tail < m - head) {
      const v = visible[n - 1 - tail]!;
      const f = v.finding;
      const p = prev[m - 1 - tail];
      const d = reuse.diagnostics[m - 1 - tail]!;
      if (f.start < reuse.unchangedAfter || f !== p || (f.related && f.related.some((r) => r.start < reuse.unchangedAfter)) || d.severity !== LSP_SEVERITY[v.severity]) break;
      out[n - 1 - tail] = d;
      tail++;
    }
  }
  for (let i = head; i < n - tail; i++) out[i] = toDiagnostic(visible[i]!, undefined, positionAt, uri);
  return out;
}

/** The single information diagnostic at line 0 for a document the server does not analyse (binary, too large). */
export function skippedDiagnostic(message: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    message,
  };
}
