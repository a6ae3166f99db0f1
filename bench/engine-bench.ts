/**
 * Engine throughput: scan and port of a generated corpus of at least 1 million lines, and
 * per-file latency on a 10k-line file, each beside the time web-tree-sitter alone takes to parse
 * the same text. Target: scan and port within 1.3x of the bare parse.
 *
 * Run: node --import tsx bench/engine-bench.ts [--lines N] [--rounds R]
 * The corpus is built from the repository's own CUDA fixtures and sample (varied copies), so its
 * mix of kernels, runtime calls and host code is realistic.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { initParser, parse } from '../src/core/parse';
import { analyze } from '../src/core/analyze';
import { translate } from '../src/core/translate';
import { Mappings } from '../src/core/mappings';

const root = process.cwd(); // run from the repository root (bench/run-all.mjs does)
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const TARGET_LINES = arg('--lines', 1_000_000);
const ROUNDS = arg('--rounds', 3);

function seeds(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(cu|cuh)$/.test(e) && !e.includes('syntax_error')) out.push(readFileSync(p, 'utf8'));
    }
  };
  for (const d of ['test/fixtures/cuda', 'samples']) {
    try {
      walk(join(root, d));
    } catch {
      /* missing seed folder */
    }
  }
  if (out.length === 0) throw new Error('no CUDA seeds found under test/fixtures/cuda or samples/');
  return out;
}

/** Builds files of ~`linesPerFile` lines by concatenating seeds with renamed kernels (variation defeats caching). */
function corpus(total: number, linesPerFile: number): string[] {
  const s = seeds();
  const files: string[] = [];
  let lines = 0;
  let k = 0;
  while (lines < total) {
    const parts: string[] = [];
    let n = 0;
    while (n < linesPerFile) {
      const seed = s[k % s.length]!.replace(/\b(k|kernel|reduce|scale)([A-Z]\w*)?\b/g, (m) => `${m}_${k}`);
      parts.push(seed);
      n += seed.split('\n').length;
      k++;
    }
    const text = parts.join('\n');
    files.push(text);
    lines += n;
  }
  return files;
}

function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1048576;
  } catch {
    return process.memoryUsage().rss / 1048576;
  }
}

/**
 * CPU time (user + system) of this process in ms: steadier than wall time on a shared 2-core
 * machine, and the engine is single-threaded, so it equals wall time on an idle machine.
 */
function time(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

function best(fn: () => void, rounds: number): number {
  let b = Infinity;
  for (let i = 0; i < rounds; i++) b = Math.min(b, time(fn));
  return b;
}

async function main(): Promise<void> {
  await initParser();
  Mappings.loadDefault();
  const files = corpus(TARGET_LINES, 800);
  const lines = files.reduce((a, f) => a + f.split('\n').length, 0);
  const mb = files.reduce((a, f) => a + Buffer.byteLength(f), 0) / 1048576;
  const o = { targetRocm: '5.2' };
  // warm up JIT and caches on a slice
  for (const f of files.slice(0, 20)) {
    parse(f).delete();
    translate(f, o).analysis.tree?.delete();
  }
  const parseMs = best(() => {
    for (const f of files) parse(f).delete();
  }, ROUNDS);
  const scanMs = best(() => {
    for (const f of files) analyze(f, o).tree?.delete();
  }, ROUNDS);
  const portMs = best(() => {
    for (const f of files) translate(f, o).analysis.tree?.delete();
  }, ROUNDS);
  const row = (name: string, ms: number): string =>
    `${name.padEnd(22)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${Math.round(lines / (ms / 1000)).toLocaleString('en-US').padStart(10)} lines/s  ${(mb / (ms / 1000)).toFixed(2).padStart(6)} MB/s  ${(ms / parseMs).toFixed(2)}x parse`;
  console.log(`corpus: ${files.length} files, ${lines.toLocaleString('en-US')} lines, ${mb.toFixed(1)} MB (CPU time, best of ${ROUNDS})`);
  console.log(row('bare tree-sitter parse', parseMs));
  console.log(row('scan (analyze)', scanMs));
  console.log(row('port (translate)', portMs));

  // 10k-line file latency
  const big = corpus(10_000, 10_000)[0]!;
  const bigLines = big.split('\n').length;
  const p1 = best(() => parse(big).delete(), 10);
  const s1 = best(() => analyze(big, o).tree?.delete(), 10);
  const t1 = best(() => translate(big, o).analysis.tree?.delete(), 10);
  console.log(`\n${bigLines}-line file (best of 10):`);
  console.log(`  bare parse ${p1.toFixed(1)} ms, scan ${s1.toFixed(1)} ms (${(s1 / p1).toFixed(2)}x), port ${t1.toFixed(1)} ms (${(t1 / p1).toFixed(2)}x)`);
  console.log(`\npeak RSS: ${peakRssMb().toFixed(0)} MB`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
