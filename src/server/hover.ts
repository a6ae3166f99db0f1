/**
 * Hover: on a CUDA name from the mapping tables (or a HIP/ROC name a CUDA name maps to), markdown
 * with the CUDA → HIP (and ROC) names, library and section, status in the target ROCm, the
 * CUDA/HIP/ROC added/deprecated/removed versions, and the HIPIFY table link; on a hazard finding,
 * its rule title, message and documentation link.
 * Source of the facts: mappings/*.json (AMD HIPIFY docs/tables, see src/core/mappings.ts).
 */
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { FindingStatus } from '../core/findings';
import { compareVersions, hipAvailableIn, rocAvailableIn, type MappingEntry, type Mappings, type VersionFacts } from '../core/mappings';
import { CODE_INFO } from '../core/rules/index';
import { LIBRARY_LABELS, hipifyTableUrl } from '../core/rules/types';
import { rangeOf } from './diagnostics';
import type { DocumentView } from './document-manager';


const reverseCache = new WeakMap<Mappings, Map<string, MappingEntry[]>>();

/** Entries whose HIP or ROC name is `name` (built once per Mappings). */
export function entriesForHipName(m: Mappings, name: string): readonly MappingEntry[] {
  let idx = reverseCache.get(m);
  if (!idx) {
    idx = new Map();
    for (const e of m.all()) {
      for (const n of [e.hip, e.roc]) {
        // skip plain C types a typedef maps to (cusolver_int_t → int): hovering `int` is not about CUDA
        if (n === null || n === e.cuda || /^[a-z]+$/.test(n)) continue;
        const list = idx.get(n);
        if (list) {
          if (!list.includes(e)) list.push(e);
        } else idx.set(n, [e]);
      }
    }
    reverseCache.set(m, idx);
  }
  return idx.get(name) ?? [];
}

/** The identifier around a UTF-16 offset (also when the offset is just past its end), or undefined. */
export function wordAt(text: string, offset: number): { start: number; end: number; word: string } | undefined {
  const isWord = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  let o = Math.max(0, Math.min(offset, text.length));
  if (!isWord(text.charCodeAt(o)) && o > 0 && isWord(text.charCodeAt(o - 1))) o--;
  if (!isWord(text.charCodeAt(o))) return undefined;
  let s = o;
  let e = o;
  while (s > 0 && isWord(text.charCodeAt(s - 1))) s--;
  while (e < text.length && isWord(text.charCodeAt(e))) e++;
  const word = text.slice(s, e);
  if (/^\d/.test(word)) return undefined;
  return { start: s, end: e, word };
}

/**
 * Status of a mapping entry when porting to ROCm `target`: `unsupported` (no usable HIP name, or
 * not in that release), `experimental`, `removed`/`deprecated` (on the CUDA side, or the HIP name
 * deprecated/removed), else `supported`.
 */
export function entryStatus(e: MappingEntry, target: string): FindingStatus {
  // cuDNN: the tables list hipDNN names without a ROCm version; hipDNN ships in no release.
  const hipReal = e.hip !== null && (e.library !== 'dnn' || !!e.hipVersions.added);
  if (!hipReal) return 'unsupported';
  if (e.hipVersions.experimental) return 'experimental';
  if (!hipAvailableIn(e, target)) return 'unsupported';
  if (e.cudaVersions.removed) return 'removed';
  if (e.cudaVersions.deprecated || e.hipVersions.deprecated) return 'deprecated';
  return 'supported';
}

function cell(v: string | undefined): string {
  return v ?? '—';
}

function versionRow(label: string, name: string | null, v: VersionFacts): string {
  return `| ${label} | ${name === null ? '—' : '`' + name + '`'} | ${cell(v.added)} | ${cell(v.deprecated)} | ${cell(v.removed)} |`;
}

/** Markdown describing one mapping entry for ROCm release `target`. */
export function entryMarkdown(e: MappingEntry, target: string): string {
  const status = entryStatus(e, target);
  const lines: string[] = [];
  const arrow = e.hip !== null ? `**\`${e.cuda}\`** → **\`${e.hip}\`**` : `**\`${e.cuda}\`** → no HIP equivalent`;
  lines.push(arrow + (e.roc ? ` · ROC: \`${e.roc}\`` : ''), '');
  lines.push(`${LIBRARY_LABELS[e.library] ?? e.library} · ${e.section}`, '');
  const availHip = e.hip !== null && status !== 'unsupported' && hipAvailableIn(e, target);
  const availRoc = e.roc !== null && rocAvailableIn(e, target);
  let avail = availHip ? `yes (\`${e.hip}\`)` : 'no';
  if (!availHip && availRoc) avail = `only as \`${e.roc}\``;
  if (!availHip && e.hip !== null && e.hipVersions.added && compareVersions(e.hipVersions.added, target) > 0) avail += ` (needs ROCm ${e.hipVersions.added})`;
  lines.push(`Status: **${status}** · available in target ROCm ${target}: ${avail}`, '');
  lines.push('| | name | added | deprecated | removed |', '|---|---|---|---|---|');
  lines.push(versionRow('CUDA', e.cuda, e.cudaVersions));
  lines.push(versionRow('HIP', e.hip, e.hipVersions));
  if (e.roc !== null) lines.push(versionRow('ROC', e.roc, e.rocVersions));
  if (e.hipVersions.experimental) lines.push('', 'The HIP equivalent is marked experimental by HIPIFY.');
  if (e.override?.note) lines.push('', e.override.note);
  if (e.override) lines.push('', `Corrected by hand (mappings/overrides.json); source: ${e.override.source}`);
  lines.push('', `[HIPIFY: ${LIBRARY_LABELS[e.library] ?? e.library} supported by HIP](${hipifyTableUrl(e.library)})`);
  return lines.join('\n');
}

/**
 * The hover at `position` of a view, or null. `mappings` supplies the tables.
 * Shows the mapping entry of the CUDA name under the cursor (or the entries mapping to the HIP
 * name under it) and every non-rename finding covering the position.
 */
export function hoverAt(view: DocumentView, position: Position, mappings: Mappings): Hover | null {
  const text = view.state.text;
  const offset = view.state.document.offsetAt(position);
  const w = wordAt(text, offset);
  const parts: string[] = [];
  let start = w?.start ?? offset;
  let end = w?.end ?? offset;
  if (w) {
    const target = view.settings.targetRocm;
    const e = mappings.get(w.word);
    if (e && (e.hip !== w.word || e.override)) parts.push(entryMarkdown(e, target));
    else {
      const from = entriesForHipName(mappings, w.word).slice(0, 3);
      for (const x of from) parts.push(`HIP name of a CUDA name:\n\n${entryMarkdown(x, target)}`);
    }
  }
  for (const v of view.findings) {
    const f = v.finding;
    if (f.start > offset || f.end < offset || (f.start === f.end && f.start !== offset)) continue;
    if (f.code === 'HP101' || f.code === 'HP110') continue;
    const info = CODE_INFO.get(f.code);
    const docs = f.docs || info?.docs;
    parts.push(`**${f.code}**${info ? ` ${info.title}` : ''} (${v.severity})\n\n${f.message}${docs ? `\n\n[Documentation](${docs})` : ''}`);
    if (!w) {
      start = f.start;
      end = f.end;
    }
  }
  if (parts.length === 0) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range: rangeOf(start, end, view.positionAt) };
}
