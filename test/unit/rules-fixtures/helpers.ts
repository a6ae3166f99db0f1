/** Shared helpers of the rules-*.test.ts files: analyse a snippet and pick findings by code. */
import assert from 'node:assert/strict';
import { analyze } from '../../../src/core/analyze';
import type { Finding } from '../../../src/core/findings';
import { applyEdits } from '../../../src/core/text';

/** Findings of `code` in `text` (ROCm 5.2 target, tree-sitter parse unless `parse` is false). */
export function findings(text: string, code: string, parse = true): Finding[] {
  return analyze(text, { targetRocm: '5.2', parse }).findings.filter((f) => f.code === code);
}

/** The one finding of `code` in `text`; fails when there is not exactly one. */
export function one(text: string, code: string, parse = true): Finding {
  const fs = findings(text, code, parse);
  assert.equal(fs.length, 1, `expected one ${code}, got ${fs.length}: ${JSON.stringify(fs.map((f) => text.slice(f.start, f.end)))}`);
  return fs[0]!;
}

/** The flagged text of a finding. */
export function flagged(text: string, f: Finding): string {
  return text.slice(f.start, f.end);
}

/** The text after applying the finding's fix (fails when it has none). */
export function fixed(text: string, f: Finding): string {
  assert.ok(f.fix, `${f.code} has no fix`);
  return applyEdits(text, f.fix.edits);
}

/** Asserts `code` is not reported in `text`, with and without the tree. */
export function none(text: string, code: string): void {
  for (const parse of [true, false]) {
    const fs = findings(text, code, parse);
    assert.equal(fs.length, 0, `${code} must not fire (parse=${parse}) but flagged ${JSON.stringify(fs.map((f) => text.slice(f.start, f.end)))}`);
  }
}
