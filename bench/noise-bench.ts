/**
 * Noise bench (issue 16, "signal above noise"): runs the real scan engine (`runScan`, the code
 * behind `hip-porter scan --format json`) on each directory given, for each target ROCm version,
 * and prints per directory: files, lines, errors, warnings, errors + warnings per 1,000 lines (the
 * budget is at most 3) and the codes behind them, most frequent first.
 *
 * Usage: node bench/run-all.mjs noise-bench -- [--target-rocm 5.2,6.2,7.0] [--offload-arch gfx90a,gfx1030]
 *          [--top 8] [--files 3] [--json] DIR...
 * No real code lives in the repo: the directories are arguments (bench/README.md names public
 * repositories and commits to reproduce the published numbers).
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runScan, type ScanReport } from '../src/cli/scan';
import { parseOffloadArchList } from '../src/core/arch';
import { initParser } from '../src/core/parse';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'target-rocm': { type: 'string', default: '5.2,6.2,7.0' },
    'offload-arch': { type: 'string', default: 'gfx90a,gfx1030' },
    top: { type: 'string', default: '8' },
    files: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});

if (!positionals.length) {
  console.error('usage: noise-bench [--target-rocm 5.2,6.2,7.0] [--offload-arch gfx90a,gfx1030] [--top N] [--files N] [--json] DIR...');
  process.exit(2);
}
const targets = values['target-rocm']!.split(',').map((s) => s.trim()).filter(Boolean);
const parsedArch = parseOffloadArchList(values['offload-arch']!);
if (parsedArch.problems.length) {
  console.error(parsedArch.problems.join('\n'));
  process.exit(2);
}
const offloadArch = parsedArch.archs;
const top = Number(values.top);
const topFiles = Number(values.files);

/** One row of the bench: a directory scanned for one target. */
interface Row {
  dir: string;
  target: string;
  files: number;
  lines: number;
  errors: number;
  warnings: number;
  perKLoc: number;
  /** error + warning counts by code, most frequent first. */
  codes: Array<[string, number]>;
  /** files with the most errors + warnings. */
  worstFiles: Array<[string, number]>;
  ms: number;
}

const rows: Row[] = [];

/** A report's file path (relative to the working directory) relative to the scanned folder. */
function inDir(dir: string, file: string): string {
  return relative(resolve(dir), resolve(file)) || file;
}

async function main(): Promise<void> {
  await initParser();
  for (const dir of positionals) {
    for (const target of targets) {
      let out = '';
      let err = '';
      const t0 = performance.now();
      await runScan({ inputs: [dir], format: 'json', targetRocm: target, offloadArch }, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
      if (!out) {
        console.error(`${dir} (${target}): no report. ${err.trim()}`);
        continue;
      }
      const r = JSON.parse(out) as ScanReport;
      const codes = new Map<string, number>();
      const files = new Map<string, number>();
      for (const f of r.findings) {
        if (f.severity !== 'error' && f.severity !== 'warning') continue;
        codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
        const file = inDir(dir, f.file);
        files.set(file, (files.get(file) ?? 0) + 1);
      }
      const desc = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      rows.push({
        dir,
        target,
        files: r.files,
        lines: r.lines,
        errors: r.severities.error,
        warnings: r.severities.warning,
        perKLoc: r.warningsPerKLoc,
        codes: desc(codes),
        worstFiles: desc(files).slice(0, topFiles),
        ms: Math.round(performance.now() - t0),
      });
    }
  }
  report();
}

function report(): void {
  if (values.json) {
    console.log(JSON.stringify({ offloadArch, rows }, null, 2));
    return;
  }
  console.log(`offload arch: ${offloadArch.join(',')}; budget: at most 3 errors + warnings per 1,000 lines`);
  console.log(['directory', 'target', 'files', 'lines', 'errors', 'warnings', 'per 1k', 'top codes (error+warning)'].join('\t'));
  for (const r of rows) {
    const codes = r.codes
      .slice(0, top)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    console.log([r.dir, r.target, r.files, r.lines, r.errors, r.warnings, r.perKLoc.toFixed(2) + (r.perKLoc > 3 ? ' !' : ''), codes].join('\t'));
    for (const [f, n] of r.worstFiles) console.log(`\t\t${n}\t${f}`);
  }
}

void main();
