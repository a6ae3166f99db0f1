/**
 * Code actions over a document's findings: "fix this" (the finding's fix; preferred when it is
 * an auto-fix), "fix all <code> in this file", "fix everything auto-fixable in this file" (also
 * as `source.fixAll.hipPorter` for `editor.codeActionsOnSave`), and "Add #include
 * <hip/hip_runtime.h>" (`source.addHipInclude.hipPorter`) when the file lacks it (HP112).
 * Edits are computed from the current analysis; overlapping edits are resolved like
 * `applyEdits` in src/core/text.ts (by start, insertions first, an outer replacement wins).
 */
import { lowerBound } from '../core/search';
import { resolveEdits } from '../core/text';
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type Position,
  type Range,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Finding, TextEdit } from '../core/findings';
import { CODE_INFO } from '../core/rules/index';
import { CodeActionKinds, DIAGNOSTIC_SOURCE } from '../shared/lsp-protocol';
import { isDiagnosticData, rangeOf, toDiagnostic, type VisibleFinding } from './diagnostics';
import type { DocumentView } from './document-manager';


export { resolveEdits };

/** LSP text edits for engine edits (UTF-16 offsets) after {@link resolveEdits}. */
export function toLspEdits(edits: readonly TextEdit[], positionAt: (offset: number) => Position): LspTextEdit[] {
  return resolveEdits(edits).map((e) => ({ range: rangeOf(e.start, e.end, positionAt), newText: e.newText }));
}

/** A WorkspaceEdit for one document: versioned `documentChanges` when the client supports them, else `changes`. */
export function workspaceEdit(view: Pick<DocumentView, 'uri' | 'version' | 'positionAt'>, edits: readonly TextEdit[], documentChanges: boolean): WorkspaceEdit {
  const lsp = toLspEdits(edits, view.positionAt);
  if (documentChanges) return { documentChanges: [{ textDocument: { uri: view.uri, version: view.version }, edits: lsp }] };
  return { changes: { [view.uri]: lsp } };
}

function rangeEquals(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * Index of the visible finding with the diagnostic's code and range in `view` (findings are sorted
 * by start offset: a binary search, then the findings starting there), or -1.
 */
function findingAt(view: DocumentView, d: Diagnostic): number {
  const doc = view.state.document;
  const start = doc.offsetAt(d.range.start);
  const fs = view.findings;
  for (let i = lowerBound(fs.length, (k) => fs[k]!.finding.start < start); i < fs.length && fs[i]!.finding.start === start; i++) {
    const f = fs[i]!.finding;
    if (f.code === d.code && rangeEquals(rangeOf(f.start, f.end, view.positionAt), d.range)) return i;
  }
  return -1;
}

/**
 * The findings a code-action request is about, each with the diagnostic to attach: the request's
 * HIP Porter diagnostics (by `data` id when one is for this version, else by code and range), or,
 * when the client sent none, every visible finding overlapping the request range.
 */
export function targetsOf(view: DocumentView, params: CodeActionParams): Array<{ v: VisibleFinding; diagnostic: Diagnostic }> {
  const out: Array<{ v: VisibleFinding; diagnostic: Diagnostic }> = [];
  const seen = new Set<number>();
  const diags = (params.context?.diagnostics ?? []).filter((d) => d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string');
  for (const d of diags) {
    let idx = -1;
    if (isDiagnosticData(d.data) && d.data.v === view.version && view.findings[d.data.i]?.finding.code === d.code) idx = d.data.i;
    else idx = findingAt(view, d);
    if (idx >= 0 && !seen.has(idx)) {
      seen.add(idx);
      out.push({ v: view.findings[idx]!, diagnostic: d });
    }
  }
  if (diags.length === 0 && params.range) {
    const doc = view.state.document;
    const rs = doc.offsetAt(params.range.start);
    const re = doc.offsetAt(params.range.end);
    view.findings.forEach((v, i) => {
      if (v.finding.start <= re && v.finding.end >= rs) out.push({ v, diagnostic: toDiagnostic(v, { v: view.version, i }, view.positionAt, view.uri) });
    });
  }
  return out;
}

/** True when an action of `kind` is wanted for a request whose `only` filter is `only`. */
function wanted(kind: string, only: readonly string[] | undefined): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
}

/** True when the request explicitly asks for `kind` (or a parent kind of it). */
function askedFor(kind: string, only: readonly string[] | undefined): boolean {
  return !!only && wanted(kind, only);
}

/** Every auto-fix edit of the visible findings of a view. */
export function autoFixEdits(findings: readonly VisibleFinding[]): { edits: TextEdit[]; count: number } {
  const edits: TextEdit[] = [];
  let count = 0;
  for (const { finding } of findings) {
    if (finding.fix?.auto) {
      edits.push(...finding.fix.edits);
      count++;
    }
  }
  return { edits, count };
}

/**
 * The code actions for a request. `documentChanges`: whether the client accepts versioned
 * `documentChanges` in a WorkspaceEdit. Returns [] for skipped documents.
 */
export function codeActions(view: DocumentView, params: CodeActionParams, documentChanges: boolean): CodeAction[] {
  if (view.skipped) return [];
  const only = params.context?.only;
  const actions: CodeAction[] = [];
  const targets = targetsOf(view, params);
  const edit = (edits: readonly TextEdit[]): WorkspaceEdit => workspaceEdit(view, edits, documentChanges);

  if (wanted(CodeActionKind.QuickFix, only)) {
    for (const { v, diagnostic } of targets) {
      const fix = v.finding.fix;
      if (!fix || fix.edits.length === 0) continue;
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.auto,
        edit: edit(fix.edits),
      });
    }
    const codes = [...new Set(targets.filter((t) => t.v.finding.fix).map((t) => t.v.finding.code))];
    for (const code of codes) {
      const same = view.findings.filter((v) => v.finding.code === code && v.finding.fix);
      if (same.length < 2) continue;
      const title = CODE_INFO.get(code)?.title;
      actions.push({
        title: `Fix all ${same.length} ${code}${title ? ` (${title})` : ''} in this file`,
        kind: CodeActionKind.QuickFix,
        diagnostics: targets.filter((t) => t.v.finding.code === code).map((t) => t.diagnostic),
        edit: edit(same.flatMap((v) => v.finding.fix!.edits)),
      });
    }
    if (targets.length > 0) {
      const all = autoFixEdits(view.findings);
      if (all.count > 1) {
        actions.push({ title: `Fix all ${all.count} auto-fixable HIP Porter findings in this file`, kind: CodeActionKind.QuickFix, edit: edit(all.edits) });
      }
    }
  }
  if (askedFor(CodeActionKinds.fixAll, only)) {
    const all = autoFixEdits(view.findings);
    if (all.count > 0) {
      actions.push({ title: `HIP Porter: fix all ${all.count} auto-fixable findings`, kind: CodeActionKinds.fixAll, edit: edit(all.edits) });
    }
  }
  if (askedFor(CodeActionKinds.addHipInclude, only)) {
    const inc = missingIncludeFinding(view);
    if (inc?.fix) actions.push({ title: inc.fix.title, kind: CodeActionKinds.addHipInclude, edit: edit(inc.fix.edits) });
  }
  return actions;
}

/** The HP112 finding (HIP runtime include missing) of a view, even when the `headers` family is off. */
function missingIncludeFinding(view: DocumentView): Finding | undefined {
  return view.snapshot?.analysis.findings.find((f) => f.code === 'HP112');
}
