/**
 * Windowed rule runs (src/core/incremental.ts) must agree with a full analysis: for every
 * top-level item of every corpus file, re-running the `local` rules on the item and its two
 * neighbours yields exactly the full analysis's local findings that start in that window, and the
 * `file` rules yield exactly the full analysis's file findings.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { windowCorpus, windowMismatches } from './incremental-corpus';

before(async () => {
  await initParser();
});


test('local rules re-run on one top-level item and its neighbours find exactly what a full analysis finds there', () => {
  const failures: string[] = [];
  let files = 0;
  for (const [name, text] of windowCorpus()) {
    files++;
    failures.push(...windowMismatches(name, text));
  }
  assert.ok(files >= 40, `corpus too small: ${files}`);
  assert.deepEqual(failures.slice(0, 30), [], `${failures.length} mismatching windows`);
});

test('the same holds for the ROCm 6.2 target and with comments included', () => {
  const failures: string[] = [];
  for (const [name, text] of windowCorpus()) failures.push(...windowMismatches(name, text, { targetRocm: '6.2', includeComments: true } as { targetRocm: string }));
  assert.deepEqual(failures.slice(0, 30), []);
});
