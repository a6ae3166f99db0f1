/**
 * Windowed rule runs (src/core/incremental.ts) must agree with a full analysis: for every
 * top-level item of every corpus file, re-running the `local` rules on the item and its two
 * neighbours yields exactly the full analysis's local findings that start in that window, and the
 * `file` rules yield exactly the full analysis's file findings.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, runRules } from '../../src/core/analyze';
import { topLevelItems } from '../../src/core/incremental';
import { initParser, parse } from '../../src/core/parse';
import { tokenAt } from '../../src/core/rules/util';
import { windowCorpus } from './incremental-corpus';

before(async () => {
  await initParser();
});

/** Failures (one line each) of the window check over `text`; empty when windowed == full. */
export function windowMismatches(name: string, text: string, options = { targetRocm: '5.2' }): string[] {
  const tree = parse(text);
  try {
    const full = analyze(text, { ...options, tree });
    const items = topLevelItems(tree.rootNode);
    const out: string[] = [];
    for (let k = 0; k < items.length; k++) {
      const lo = items[Math.max(0, k - 1)]!.start;
      const hi = items[Math.min(items.length - 1, k + 1)]!.end;
      const w = runRules({
        text,
        tokens: full.tokens,
        tree,
        nodeAt: full.nodeAt,
        parseErrors: full.parseErrors,
        options,
        window: { start: lo, end: hi, firstToken: tokenAt(full.tokens, lo), endToken: tokenAt(full.tokens, hi) },
      });
      const expected = full.localFindings.filter((f) => f.start >= lo && f.start < hi);
      const got = JSON.stringify(w.localFindings);
      if (got !== JSON.stringify(expected)) {
        const e = new Set(expected.map((f) => JSON.stringify(f)));
        const g = new Set(w.localFindings.map((f) => JSON.stringify(f)));
        const missing = [...e].filter((x) => !g.has(x)).map((x) => JSON.parse(x) as { code: string; start: number; end: number });
        const extra = [...g].filter((x) => !e.has(x)).map((x) => JSON.parse(x) as { code: string; start: number; end: number });
        const show = (f: { code: string; start: number; end: number }) => `${f.code}@${f.start} '${text.slice(f.start, f.end).slice(0, 40)}'`;
        out.push(`${name} window [${lo}, ${hi}) '${text.slice(items[k]!.start, items[k]!.end).slice(0, 50).replace(/\s+/g, ' ')}': missing ${missing.map(show).join(', ') || '-'}; extra ${extra.map(show).join(', ') || '-'}${missing.length + extra.length === 0 ? ' (order differs)' : ''}`);
      }
      if (JSON.stringify(w.fileFindings) !== JSON.stringify(full.fileFindings)) out.push(`${name} window [${lo}, ${hi}): file findings differ`);
    }
    return out;
  } finally {
    tree.delete();
  }
}

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
