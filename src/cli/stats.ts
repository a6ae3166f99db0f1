/** Formatting of translation statistics, in the spirit of HIPIFY's `--print-stats`, and the open-findings listing. */
import { emptyReadiness, type LibraryStats, type Readiness, type TranslateStats } from '../core/translate';
import { describeTarget, type TargetChoice } from './target';

/** Sums per-file statistics (ms is summed too; callers usually overwrite it with wall time). */
export function mergeStats(all: readonly TranslateStats[]): TranslateStats {
  const total: TranslateStats = { lines: 0, linesChanged: 0, byLibrary: {}, unsupported: {}, edits: 0, open: 0, ms: 0, readiness: emptyReadiness() };
  for (const s of all) {
    total.lines += s.lines;
    total.linesChanged += s.linesChanged;
    total.edits += s.edits;
    total.open += s.open;
    total.ms += s.ms;
    for (const [lib, v] of Object.entries(s.byLibrary)) {
      const t: LibraryStats = (total.byLibrary[lib] ??= { found: 0, converted: 0, unsupported: 0 });
      t.found += v.found;
      t.converted += v.converted;
      t.unsupported += v.unsupported;
    }
    for (const [name, n] of Object.entries(s.unsupported)) total.unsupported[name] = (total.unsupported[name] ?? 0) + n;
    for (const k of Object.keys(total.readiness) as (keyof Readiness)[]) total.readiness[k] += s.readiness[k];
  }
  return total;
}

/** Percentage with one decimal, or '-' when the denominator is 0. */
export function pct(n: number, d: number): string {
  return d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * One line on readiness for `target`: `ready for ROCm 5.2: 87.5% (14 of 16 CUDA names, headers
 * and PTX blocks renamed to what ROCm 5.2 has; against it: 1 unsupported name, 1 inline PTX block)`.
 */
export function formatReadiness(r: Readiness, target: TargetChoice): string {
  const against = [
    r.unsupportedNames ? plural(r.unsupportedNames, 'unsupported name') : '',
    r.missingHeaders ? plural(r.missingHeaders, 'missing header') : '',
    r.inlinePtx ? plural(r.inlinePtx, 'inline PTX block') : '',
    r.leftForReview ? `${r.leftForReview} left for review` : '',
  ].filter(Boolean);
  return `ready for ROCm ${target.rocm}: ${pct(r.ready, r.counted)} (${r.ready} of ${r.counted} CUDA names, headers and PTX blocks renamed to what ROCm ${target.rocm} has${against.length ? `; against it: ${against.join(', ')}` : ''})`;
}

/** Multi-line human summary of one file's (or the total's) statistics; with `target`, the target and the readiness for it. */
export function formatStats(label: string, s: TranslateStats, target?: TargetChoice): string {
  const libs = Object.entries(s.byLibrary).sort((a, b) => b[1].found - a[1].found);
  const found = libs.reduce((a, [, v]) => a + v.found, 0);
  const conv = libs.reduce((a, [, v]) => a + v.converted, 0);
  const lines = [
    `[HIP Porter] ${label}`,
    ...(target ? [`  target: ${describeTarget(target)}`, `  ${formatReadiness(s.readiness, target)}`] : []),
    `  CUDA references: ${found}, converted: ${conv} (${pct(conv, found)}), unsupported: ${found - conv}`,
    ...libs.map(([lib, v]) => `    ${lib.padEnd(8)} found ${String(v.found).padStart(6)}  converted ${String(v.converted).padStart(6)}  unsupported ${v.unsupported}`),
    `  lines changed: ${s.linesChanged} of ${s.lines} (${pct(s.linesChanged, s.lines)}), edits: ${s.edits}, open findings: ${s.open}, time: ${s.ms.toFixed(1)} ms`,
  ];
  const unsup = Object.entries(s.unsupported).sort((a, b) => b[1] - a[1]);
  if (unsup.length) lines.push(`  unsupported APIs: ${unsup.slice(0, 15).map(([n, c]) => `${n} (${c})`).join(', ')}${unsup.length > 15 ? ', …' : ''}`);
  return lines.join('\n');
}

/** A file's open findings as the port reports them: 1-based line and column. */
export interface OpenFindingsOfFile {
  /** Path as printed (relative to the current directory when inside it). */
  file: string;
  open: ReadonlyArray<{ code: string; line: number; column: number; message: string }>;
}

/** First line of `message`, cut at a word boundary to at most `max` characters (with `…`). */
function oneLine(message: string, max = 160): string {
  const first = message.split('\n', 1)[0]!.trim();
  if (first.length <= max) return first;
  const cut = first.lastIndexOf(' ', max - 1);
  return `${first.slice(0, cut > max / 2 ? cut : max - 1).trimEnd()}…`;
}

/**
 * The listing `port` ends with (on stderr): the target, then every open finding as
 * `file:line:column  CODE  one-line message`, grouped by file in input order, at most `limit`
 * lines (the rest counted; `--json` has them all). With none: one line saying so.
 */
export function formatOpenFindings(files: readonly OpenFindingsOfFile[], target: TargetChoice, limit = 200): string {
  const total = files.reduce((a, f) => a + f.open.length, 0);
  const withOpen = files.filter((f) => f.open.length > 0);
  if (total === 0) return `hip-porter: no open findings for ${describeTarget(target)}\n`;
  const out = [`hip-porter: ${plural(total, 'open finding')} in ${withOpen.length} of ${plural(files.length, 'file')}, for ${describeTarget(target)}:`];
  let shown = 0;
  for (const f of withOpen) {
    for (const o of f.open) {
      if (shown === limit) break;
      out.push(`  ${f.file}:${o.line}:${o.column}  ${o.code}  ${oneLine(o.message)}`);
      shown++;
    }
  }
  if (shown < total) out.push(`  … and ${total - shown} more (--json lists them all)`);
  return out.join('\n') + '\n';
}
