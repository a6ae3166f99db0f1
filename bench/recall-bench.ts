/**
 * Held-out recall of the scanner against hand-made HIP ports (issue 16): of the non-mechanical
 * edits people made by hand when porting real CUDA programs to HIP, what fraction has a warning or
 * error of ours nearby, and how does a per-line regex compare?
 *
 * The translation uses the launch syntax the hand port chose (`hipLaunchKernelGGL` when it has one).
 * For each pair of directories (CUDA original, hand-made HIP port) and each file present in both
 * (same relative path; `.cu` → `.hip`/`.cpp` and `cuda` → `hip` in the name are tried too):
 * 1. the CUDA file is translated with the deterministic engine (`translate`, every auto-fix
 *    applied; not the CLI's write path);
 * 2. the translation is diffed line by line against the hand port (the `diff` package,
 *    `diffArrays`) after each line is reduced to what a non-mechanical edit changes: whitespace,
 *    comments and `#include` lines removed, the words CUDA/HIP folded (`cudaX`/`hipX`,
 *    `cublasX`/`hipblasX`, `CUDA_CHECK`/`HIP_CHECK`), `dim3(x)` read as `x`, and a `*_sync`
 *    warp call read without its mask (`__shfl_down_sync(m, v, d)` = `__shfl_down(v, d)`: the
 *    form follows the port's ROCm target); so whitespace, comment, include and rename hunks never
 *    appear, and what is left is an edit the translator did not make;
 * 3. each remaining hunk is mapped back to CUDA lines (through a diff of the CUDA text against its
 *    translation) and counts as *found* when a warning or error of ours starts, or names a related
 *    place (another use, the definition it depends on), within ±window lines (default 3) of it; the regex baseline finds it when a CUDA line within
 *    ±window matches {@link BASELINE};
 * 4. precision: the share of our findings (and of the regex's matching lines) within ±window lines
 *    of some non-mechanical hunk.
 *
 * Run: node --import tsx bench/recall-bench.ts --roots CUDA_ROOT HIP_ROOT   (pairs NAME-cuda with NAME-hip)
 *      node --import tsx bench/recall-bench.ts --pair CUDA_DIR HIP_DIR [--pair ...]
 * Options: --target-rocm 6.2 (default), --offload-arch gfx90a,gfx1030 (default), --window 3,
 *          --json FILE (per-hunk details: found or not, by which code, the hunk's text),
 *          --show-missed N (print N missed hunks).
 * Prints one line per pair and the totals: hunks, found by us (warnings+errors; with information
 * too), found by the regex, precision of each, and our findings by code among the found ones.
 */
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, extname, basename, dirname } from 'node:path';
import { diffArrays, diffLines } from 'diff';
import { initParser } from '../src/core/parse';
import { translate } from '../src/core/translate';
import type { Finding } from '../src/core/findings';

/** The per-line regex baseline: lines mentioning what warp/wavefront and architecture edits touch. */
const BASELINE = /warp|lane|\b32\b|0xffffffff|__shfl|__ballot|\basm\b|__CUDA_ARCH__/i;
const SOURCE = new Set(['.cu', '.cuh', '.h', '.hpp', '.cpp', '.cc', '.c', '.cxx', '.inl']);

interface Args {
  pairs: Array<[string, string]>;
  targetRocm: string;
  offloadArch: string[];
  window: number;
  json?: string;
  showMissed: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { pairs: [], targetRocm: '6.2', offloadArch: ['gfx90a', 'gfx1030'], window: 3, showMissed: 0 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--pair') a.pairs.push([v(), v()]);
    else if (k === '--roots') {
      const [c, h] = [v(), v()];
      for (const d of readdirSync(c).sort()) {
        if (!d.endsWith('-cuda')) continue;
        const hip = join(h, d.replace(/-cuda$/, '-hip'));
        if (existsSync(hip)) a.pairs.push([join(c, d), hip]);
      }
    } else if (k === '--target-rocm') a.targetRocm = v();
    else if (k === '--offload-arch') a.offloadArch = v().split(/[,;]/);
    else if (k === '--window') a.window = Number(v());
    else if (k === '--json') a.json = v();
    else if (k === '--show-missed') a.showMissed = Number(v());
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.pairs.length) throw new Error('give --roots CUDA_ROOT HIP_ROOT or --pair CUDA_DIR HIP_DIR');
  return a;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const s = statSync(p);
    if (s.isDirectory()) out.push(...walk(p));
    else if (SOURCE.has(extname(e).toLowerCase()) && s.size < 2_000_000) out.push(p);
  }
  return out;
}

/** The hand port's file for CUDA file `rel` (relative path), or undefined. */
function counterpart(hipDir: string, rel: string): string | undefined {
  const ext = extname(rel);
  const stem = rel.slice(0, rel.length - ext.length);
  const names = [rel, `${stem}.hip`, `${stem}.cpp`, rel.replace(/cuda/g, 'hip'), `${stem.replace(/cuda/g, 'hip')}.cpp`, `${stem.replace(/cuda/g, 'hip')}.hip`, join(dirname(rel), basename(rel).replace(/\.cuh$/, '.h'))];
  for (const n of names) if (existsSync(join(hipDir, n))) return join(hipDir, n);
  return undefined;
}

/**
 * The lines of `text` that hold code, each reduced to what a non-mechanical edit changes: no
 * whitespace, comments or `#include` lines, and the words CUDA/HIP (any case, also inside names:
 * `cudaMalloc`/`hipMalloc`, `CUDA_CHECK`/`HIP_CHECK`, `cublas`/`hipblas`) folded to one. `line`
 * is 1-based in `text`.
 */
function normalLines(text: string): Array<{ line: number; norm: string; raw: string }> {
  const noComments = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/\/\/.*$/gm, '');
  const raw = text.split('\n');
  const out: Array<{ line: number; norm: string; raw: string }> = [];
  noComments.split('\n').forEach((l, k) => {
    if (/^\s*#\s*include\b/.test(l)) return;
    const norm = l
      .replace(/\bdim3\s*\(([^()]*)\)/g, '$1')
      // `__shfl_down_sync(mask, v, d)` ↔ `__shfl_down(v, d)`: which form a port uses follows its ROCm target
      .replace(/\b(__shfl(?:_up|_down|_xor)?|__ballot|__any|__all)_sync\s*\(\s*(?:[^,()]|\([^()]*\))+,/g, '$1(')
      .replace(/cuda|hip/gi, 'X')
      .replace(/\b(?:cu|X)(blas|rand|fft|sparse|solver|dnn)/gi, 'X$1')
      .replace(/\s+/g, '');
    if (norm) out.push({ line: k + 1, norm, raw: raw[k]! });
  });
  return out;
}

/** 1-based line of every offset start: line starts of `text`. */
function lineStarts(text: string): number[] {
  const s = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) s.push(i + 1);
  return s;
}
function lineOf(starts: number[], off: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= off) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** For every 1-based line of `after` (a translation of `before`), the 1-based line of `before` it came from. */
function lineMap(before: string, after: string): number[] {
  const map: number[] = [0];
  let b = 1;
  let pendingRemoved = 0;
  let removedAt = 1;
  for (const part of diffLines(before, after)) {
    const n = part.count ?? part.value.split('\n').length - 1;
    if (part.removed) {
      pendingRemoved = n;
      removedAt = b;
      b += n;
    } else if (part.added) {
      for (let k = 0; k < n; k++) map.push(pendingRemoved ? removedAt + Math.min(k, pendingRemoved - 1) : Math.max(1, b));
      pendingRemoved = 0;
    } else {
      pendingRemoved = 0;
      for (let k = 0; k < n; k++) map.push(b + k);
      b += n;
    }
  }
  return map;
}

interface HunkRecord {
  pair: string;
  file: string;
  /** CUDA lines, 1-based, inclusive. */
  lo: number;
  hi: number;
  ours: string[];
  oursInfo: string[];
  regex: boolean;
  removed: string[];
  added: string[];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await initParser();
  const W = args.window;
  const hunks: HunkRecord[] = [];
  let ourWE = 0;
  let ourWENear = 0;
  let ourInfo = 0;
  let ourInfoNear = 0;
  let rxLines = 0;
  let rxNear = 0;
  let lines = 0;
  let files = 0;
  let unpaired = 0;
  const byCode = new Map<string, { all: number; near: number }>();
  const perPair: Array<{ ours: number; regex: number }> = [];
  console.log(`recall-bench: target ROCm ${args.targetRocm}, --offload-arch ${args.offloadArch.join(',')}, window ±${W} lines, ${args.pairs.length} pairs`);
  for (const [cudaDir, hipDir] of args.pairs) {
    const name = basename(cudaDir);
    let pairHunks = 0;
    let pairFound = 0;
    let pairRx = 0;
    for (const path of walk(cudaDir)) {
      const rel = relative(cudaDir, path);
      const hipPath = counterpart(hipDir, rel);
      if (!hipPath) {
        unpaired++;
        continue;
      }
      const cuda = readFileSync(path, 'latin1');
      const hand = readFileSync(hipPath, 'latin1');
      if (cuda.includes('\0') || hand.includes('\0')) continue;
      files++;
      const cudaLines = cuda.split('\n');
      lines += cudaLines.length;
      // the launch syntax the hand port chose is a mechanical choice: translate to the same one
      const kernelLaunch = /\bhipLaunchKernelGGL\b/.test(hand) ? 'hip' : 'keep';
      const r = translate(cuda, { targetRocm: args.targetRocm, offloadArch: args.offloadArch, sourcePath: path, parseBudgetMs: 10_000, kernelLaunch });
      const map = lineMap(cuda, r.text);
      const starts = lineStarts(cuda);
      // a finding names its own line and its related places (the other uses, the definition)
      const found = r.analysis.findings.map((f: Finding) => ({ line: lineOf(starts, f.start), lines: [lineOf(starts, f.start), ...(f.related ?? []).map((x) => lineOf(starts, x.start))], code: f.code, sev: f.severity }));
      // line diff of normalised lines: whitespace, comments, includes and CUDA/HIP prefixes never
      // make a hunk, also when the hand port re-indented a block
      const tr = normalLines(r.text);
      const hp = normalLines(hand);
      const fileHunks: Array<{ lo: number; hi: number }> = [];
      let i = 0;
      let j = 0;
      let run: { a: number[]; b: number[] } | undefined;
      const flush = (): void => {
        if (!run) return;
        const { a, b } = run;
        run = undefined;
        const removed = a.map((k) => tr[k]!.raw);
        const added = b.map((k) => hp[k]!.raw);
        // the translation's line before an insertion anchors it
        const first = a.length ? tr[a[0]!]!.line : i > 0 ? tr[i - 1]!.line : 1;
        const last = a.length ? tr[a[a.length - 1]!]!.line : first;
        const lo = map[Math.min(first, map.length - 1)] ?? 1;
        const hi = Math.max(lo, map[Math.min(last, map.length - 1)] ?? lo);
        fileHunks.push({ lo, hi });
        const near = (l: number): boolean => l >= lo - W && l <= hi + W;
        const ours = found.filter((f) => (f.sev === 'warning' || f.sev === 'error') && f.lines.some(near)).map((f) => f.code);
        const oursInfo = found.filter((f) => f.sev !== 'hint' && f.lines.some(near)).map((f) => f.code);
        let regex = false;
        for (let l = Math.max(1, lo - W); l <= Math.min(cudaLines.length, hi + W) && !regex; l++) regex = BASELINE.test(cudaLines[l - 1]!);
        hunks.push({ pair: name, file: rel, lo, hi, ours, oursInfo, regex, removed, added });
        pairHunks++;
        if (ours.length) pairFound++;
        if (regex) pairRx++;
      };
      for (const part of diffArrays(tr.map((x) => x.norm), hp.map((x) => x.norm))) {
        const n = part.count ?? part.value.length;
        if (part.removed) {
          run ??= { a: [], b: [] };
          for (let k = 0; k < n; k++) run.a.push(i + k);
          i += n;
        } else if (part.added) {
          run ??= { a: [], b: [] };
          for (let k = 0; k < n; k++) run.b.push(j + k);
          j += n;
        } else {
          flush();
          i += n;
          j += n;
        }
      }
      flush();
      const nearAny = (l: number): boolean => fileHunks.some((h) => l >= h.lo - W && l <= h.hi + W);
      for (const f of found) {
        if (f.sev === 'hint') continue;
        const near = f.lines.some(nearAny);
        if (f.sev === 'warning' || f.sev === 'error') {
          ourWE++;
          if (near) ourWENear++;
          const c = byCode.get(f.code) ?? { all: 0, near: 0 };
          c.all++;
          if (near) c.near++;
          byCode.set(f.code, c);
        } else {
          ourInfo++;
          if (near) ourInfoNear++;
        }
      }
      cudaLines.forEach((l, k) => {
        if (!BASELINE.test(l)) return;
        rxLines++;
        if (nearAny(k + 1)) rxNear++;
      });
    }
    if (pairHunks) perPair.push({ ours: pairFound / pairHunks, regex: pairRx / pairHunks });
    console.log(`  ${name.padEnd(28)} hunks ${String(pairHunks).padStart(4)}  ours ${String(pairFound).padStart(4)}  regex ${String(pairRx).padStart(4)}`);
  }
  const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
  const n = hunks.length;
  const foundWE = hunks.filter((h) => h.ours.length).length;
  const foundI = hunks.filter((h) => h.oursInfo.length).length;
  const foundRx = hunks.filter((h) => h.regex).length;
  const either = hunks.filter((h) => h.ours.length || h.regex).length;
  console.log(`\n${files} paired files (${unpaired} CUDA files without a counterpart), ${lines} CUDA lines, ${n} non-mechanical hunks`);
  console.log(`recall, ours (warnings+errors):        ${foundWE}/${n} = ${pct(foundWE, n)}`);
  console.log(`recall, ours (+ information):          ${foundI}/${n} = ${pct(foundI, n)}`);
  console.log(`recall, regex baseline:                ${foundRx}/${n} = ${pct(foundRx, n)}`);
  console.log(`recall, ours (W+E) or regex:           ${either}/${n} = ${pct(either, n)}`);
  // one pair can hold most hunks (HeCBench's segsort: every shuffle rewritten): the totals without it
  const sizes = new Map<string, number>();
  for (const h of hunks) sizes.set(h.pair, (sizes.get(h.pair) ?? 0) + 1);
  const largest = [...sizes].sort((x, y) => y[1] - x[1])[0];
  if (largest && largest[1] > n / 3) {
    const rest = hunks.filter((h) => h.pair !== largest[0]);
    const m = rest.length;
    console.log(`without ${largest[0]} (${largest[1]} hunks): ours (W+E) ${rest.filter((h) => h.ours.length).length}/${m} = ${pct(rest.filter((h) => h.ours.length).length, m)}, regex ${rest.filter((h) => h.regex).length}/${m} = ${pct(rest.filter((h) => h.regex).length, m)}`);
  }
  // the hunks whose own text (either side) is a warp or architecture edit, by the baseline's regex
  const warpish = hunks.filter((h) => [...h.removed, ...h.added].some((l) => BASELINE.test(l)));
  console.log(`warp/arch hunks (own text matches the regex): ${warpish.length}; ours (W+E) near ${warpish.filter((h) => h.ours.length).length} = ${pct(warpish.filter((h) => h.ours.length).length, warpish.length)}`);
  const mean = (xs: number[]): string => (xs.length ? `${((100 * xs.reduce((x, y) => x + y, 0)) / xs.length).toFixed(1)}%` : 'n/a');
  console.log(`recall per pair (mean over ${perPair.length} pairs with hunks): ours ${mean(perPair.map((p) => p.ours))}, regex ${mean(perPair.map((p) => p.regex))}`);
  console.log(`precision, ours (warnings+errors):     ${ourWENear}/${ourWE} = ${pct(ourWENear, ourWE)} near a hand edit (${((1000 * ourWE) / Math.max(1, lines)).toFixed(2)} per 1,000 lines)`);
  console.log(`precision, ours (information):         ${ourInfoNear}/${ourInfo} = ${pct(ourInfoNear, ourInfo)}`);
  console.log(`precision, regex baseline (lines):     ${rxNear}/${rxLines} = ${pct(rxNear, rxLines)}`);
  console.log('our warnings+errors by code (near a hand edit / all):');
  for (const [code, c] of [...byCode].sort((x, y) => y[1].all - x[1].all)) console.log(`  ${code}  ${c.near}/${c.all}`);
  if (args.showMissed) {
    console.log(`\nmissed hunks (first ${args.showMissed}):`);
    for (const h of hunks.filter((x) => !x.ours.length).slice(0, args.showMissed)) {
      console.log(`--- ${h.pair}/${h.file}:${h.lo}-${h.hi}${h.regex ? ' (regex finds it)' : ''}`);
      for (const l of h.removed.slice(0, 6)) console.log(`  - ${l}`);
      for (const l of h.added.slice(0, 6)) console.log(`  + ${l}`);
    }
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ args, hunks }, null, 1));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
