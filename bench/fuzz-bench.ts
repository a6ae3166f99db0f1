/**
 * A longer seeded mutation fuzz run of the porting path (the mutations of test/unit/mutations.ts)
 * that prints counts: cases, refused with a message (NUL bytes, invalid UTF-8), ported, ported at
 * token level (parse over budget), not idempotent, crashes, the slowest case, per mutation kind.
 * Usage: node bench/run-all.mjs fuzz-bench -- [--cases 600] [--seed N] [--budget MS]
 *        [--dirs test/fixtures/cuda,samples,/path/to/real/cuda]
 */
import { resolve } from 'node:path';
import { initParser } from '../src/core/parse';
import { corpus, fuzzCase, type FuzzOutcome } from '../test/unit/mutations';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : def;
};
const root = resolve(__dirname, '..', '..', '..');
const CASES = Number(opt('--cases', '600'));
const SEED = Number(opt('--seed', '1'));
const BUDGET = Number(opt('--budget', '3000'));
const DIRS = opt('--dirs', 'test/fixtures/cuda,samples').split(',').map((d) => resolve(root, d));

async function main(): Promise<void> {
  await initParser();
  const files = corpus(DIRS);
  const counts = { cases: 0, refused: 0, ported: 0, tokenLevel: 0, notIdempotent: 0, crashes: 0 };
  const byMutation = new Map<string, { n: number; ms: number; max: number }>();
  let slowest: FuzzOutcome | undefined;
  const problems: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < CASES; i++) {
    counts.cases++;
    let o: FuzzOutcome;
    try {
      o = fuzzCase(files, SEED + i, BUDGET);
    } catch (e) {
      counts.crashes++;
      problems.push(`seed ${SEED + i}: crash: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
      continue;
    }
    counts[o.result]++;
    if (o.tokenLevel) counts.tokenLevel++;
    if (o.notIdempotent) {
      counts.notIdempotent++;
      problems.push(`seed ${o.seed}: not idempotent (${o.file}, ${o.mutations.join('+')})`);
    }
    if (!slowest || o.ms > slowest.ms) slowest = o;
    for (const m of new Set(o.mutations)) {
      const s = byMutation.get(m) ?? { n: 0, ms: 0, max: 0 };
      s.n++;
      s.ms += o.ms;
      s.max = Math.max(s.max, o.ms);
      byMutation.set(m, s);
    }
  }
  const total = (performance.now() - t0) / 1000;
  console.log(`fuzz: ${files.length} seed files from ${DIRS.map((d) => d.replace(root + '/', '')).join(', ')}; ${CASES} cases from seed ${SEED}; parse budget ${BUDGET} ms; ${total.toFixed(1)} s`);
  console.log(`  refused with a message ${counts.refused}, ported ${counts.ported} (token level after the parse budget: ${counts.tokenLevel}), not idempotent ${counts.notIdempotent}, crashes ${counts.crashes}`);
  if (slowest) console.log(`  slowest: ${slowest.ms.toFixed(0)} ms (seed ${slowest.seed}, ${slowest.mutations.join('+')}, ${slowest.file.replace(root + '/', '')})`);
  for (const [m, s] of [...byMutation].sort()) console.log(`  ${m.padEnd(16)} ${String(s.n).padStart(5)} cases, mean ${(s.ms / s.n).toFixed(0)} ms, max ${s.max.toFixed(0)} ms`);
  for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
  process.exitCode = counts.crashes || counts.notIdempotent ? 1 : 0;
}

void main();
