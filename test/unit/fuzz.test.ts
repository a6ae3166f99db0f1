/**
 * Seeded mutation fuzz of the porting path over our fixtures and the bundled sample (issue 18):
 * deleted and duplicated lines, truncation, NUL and invalid bytes, unbalanced braces and `#if`,
 * very long lines, deep nesting. Each case must not crash, must stay within its time budget (the
 * parse budget plus slack for lexing and rules), and translating its output again must change
 * nothing. `FUZZ_CASES` / `FUZZ_SEED` widen a run; bench/fuzz-bench.ts runs many more.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { initParser } from '../../src/core/parse';
import { corpus, fuzzCase, MUTATORS } from './mutations';

const ROOT = join(__dirname, '..', '..');
const CASES = Number(process.env['FUZZ_CASES'] ?? 60);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261207);
const PARSE_BUDGET_MS = 2000;
/** Per case: the parse budget (twice: the output is translated again) plus lexing and rules of a 200 kB line on a loaded 2-core machine. */
const CASE_BUDGET_MS = 2 * PARSE_BUDGET_MS + 8000;

before(async () => {
  await initParser();
});

test(`fuzz: ${CASES} mutated fixtures port without a crash, within budget, idempotently`, () => {
  const files = corpus([join(ROOT, 'test/fixtures/cuda'), join(ROOT, 'samples')]);
  assert.ok(files.length >= 20, `corpus of ${files.length} files`);
  const seen = new Set<string>();
  const counts = { refused: 0, ported: 0, tokenLevel: 0 };
  for (let i = 0; i < CASES; i++) {
    const seed = SEED + i;
    const o = fuzzCase(files, seed, PARSE_BUDGET_MS);
    o.mutations.forEach((m) => seen.add(m));
    counts[o.result]++;
    if (o.tokenLevel) counts.tokenLevel++;
    assert.ok(!o.notIdempotent, `seed ${seed} (${o.file}, ${o.mutations.join('+')}): translating the output again changed it`);
    assert.ok(o.ms < CASE_BUDGET_MS, `seed ${seed} (${o.file}, ${o.mutations.join('+')}): ${o.ms.toFixed(0)} ms`);
  }
  // the run covers every kind of mutation and both outcomes
  assert.deepEqual([...seen].sort(), MUTATORS.map((m) => m.name).sort());
  assert.ok(counts.refused > 0 && counts.ported > 0, JSON.stringify(counts));
});
