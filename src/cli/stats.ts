/** Formatting of translation statistics, in the spirit of HIPIFY's `--print-stats`. */
import type { LibraryStats, TranslateStats } from '../core/translate';

/** Sums per-file statistics (ms is summed too; callers usually overwrite it with wall time). */
export function mergeStats(all: readonly TranslateStats[]): TranslateStats {
  const total: TranslateStats = { lines: 0, linesChanged: 0, byLibrary: {}, unsupported: {}, edits: 0, open: 0, ms: 0 };
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
  }
  return total;
}

/** Percentage with one decimal, or '-' when the denominator is 0. */
export function pct(n: number, d: number): string {
  return d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`;
}

/** Multi-line human summary of one file's (or the total's) statistics. */
export function formatStats(label: string, s: TranslateStats): string {
  const libs = Object.entries(s.byLibrary).sort((a, b) => b[1].found - a[1].found);
  const found = libs.reduce((a, [, v]) => a + v.found, 0);
  const conv = libs.reduce((a, [, v]) => a + v.converted, 0);
  const lines = [
    `[HIP Porter] ${label}`,
    `  CUDA references: ${found}, converted: ${conv} (${pct(conv, found)}), unsupported: ${found - conv}`,
    ...libs.map(([lib, v]) => `    ${lib.padEnd(8)} found ${String(v.found).padStart(6)}  converted ${String(v.converted).padStart(6)}  unsupported ${v.unsupported}`),
    `  lines changed: ${s.linesChanged} of ${s.lines} (${pct(s.linesChanged, s.lines)}), edits: ${s.edits}, open findings: ${s.open}, time: ${s.ms.toFixed(1)} ms`,
  ];
  const unsup = Object.entries(s.unsupported).sort((a, b) => b[1] - a[1]);
  if (unsup.length) lines.push(`  unsupported APIs: ${unsup.slice(0, 15).map(([n, c]) => `${n} (${c})`).join(', ')}${unsup.length > 15 ? ', …' : ''}`);
  return lines.join('\n');
}
