/**
 * The review hunk model (src/extension/hunks.ts) on real fixture pairs: CUDA original vs the golden
 * HIP port. Accepting all gives the port, none gives the original, a subset exactly those changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applySelection, carryDecisions, computeHunks, countDecisions, hunkLabel, splitLines } from '../../src/extension/hunks';

const root = join(__dirname, '..', 'fixtures');
const names = readdirSync(join(root, 'cuda')).filter((n) => n.endsWith('.cu')).map((n) => n.slice(0, -3));
const pair = (n: string) => ({
  original: readFileSync(join(root, 'cuda', n + '.cu'), 'utf8'),
  proposal: readFileSync(join(root, 'expected', n + '.hip'), 'utf8'),
});

test('every fixture pair: all hunks give the port, none the original, and hunks are disjoint and ordered', () => {
  assert.ok(names.length >= 20, `found ${names.length} fixtures`);
  for (const n of names) {
    const { original, proposal } = pair(n);
    const hunks = computeHunks(original, proposal);
    assert.ok(hunks.length > 0, `${n}: the port differs from the original`);
    assert.equal(applySelection(original, hunks, new Set(hunks.map((h) => h.id))), proposal, `${n}: accept all`);
    assert.equal(applySelection(original, hunks, new Set()), original, `${n}: accept none`);
    assert.equal(new Set(hunks.map((h) => h.id)).size, hunks.length, `${n}: ids are unique`);
    for (let i = 1; i < hunks.length; i++) {
      const p = hunks[i - 1]!;
      // Hunks are maximal: at least one unchanged line separates two hunks.
      assert.ok(hunks[i]!.originalStart > p.originalStart + p.originalCount, `${n}: separated by context`);
    }
  }
});

test('a subset gives exactly those changes (every other hunk of runtime_memory)', () => {
  const { original, proposal } = pair('runtime_memory');
  const hunks = computeHunks(original, proposal);
  assert.ok(hunks.length >= 4, `runtime_memory has ${hunks.length} hunks`);
  const chosen = new Set(hunks.filter((_, i) => i % 2 === 0).map((h) => h.id));
  const out = applySelection(original, hunks, chosen);
  // Diffing the result against the original yields exactly the accepted hunks, and against the
  // proposal exactly the rejected ones (reversed).
  assert.deepEqual(
    computeHunks(original, out).map((h) => [h.originalStart, h.removed, h.added]),
    hunks.filter((h) => chosen.has(h.id)).map((h) => [h.originalStart, h.removed, h.added]),
  );
  const rest = computeHunks(out, proposal);
  assert.equal(rest.length, hunks.length - chosen.size);
  for (const r of rest) assert.ok(hunks.some((h) => !chosen.has(h.id) && h.added.join('') === r.added.join('') && h.removed.join('') === r.removed.join('')));
  // Rejecting includes the original lines verbatim, e.g. the CUDA include stays when its hunk is rejected.
  const inc = hunks.find((h) => h.removed.some((l) => l.includes('cuda_runtime.h')));
  assert.ok(inc, 'an include hunk exists');
  const without = applySelection(original, hunks, new Set(hunks.filter((h) => h !== inc).map((h) => h.id)));
  assert.ok(without.includes('cuda_runtime.h'));
  assert.ok(!without.includes('hip/hip_runtime.h') || !inc.added.some((l) => l.includes('hip/hip_runtime.h')));
});

test('CRLF line endings and a BOM are kept byte for byte in any selection', () => {
  const { original, proposal } = pair('crlf_jacobi');
  assert.ok(original.includes('\r\n') && proposal.includes('\r\n'));
  const hunks = computeHunks(original, proposal);
  for (const h of hunks) for (const l of [...h.added, ...h.removed]) assert.ok(!/[^\r]\n/.test(l) && !/^\n/.test(l), 'lines keep CRLF');
  const first = applySelection(original, hunks, new Set([hunks[0]!.id]));
  assert.equal(first.split('\r\n').length, original.split('\r\n').length - hunks[0]!.originalCount + hunks[0]!.proposalCount);
  assert.ok(!/[^\r]\n/.test(first), 'no bare LF introduced');

  const bom = pair('bom_vector_add');
  assert.equal(bom.original.charCodeAt(0), 0xfeff);
  const bh = computeHunks(bom.original, bom.proposal);
  assert.equal(applySelection(bom.original, bh, new Set()).charCodeAt(0), 0xfeff);
  assert.equal(applySelection(bom.original, bh, new Set(bh.map((h) => h.id))), bom.proposal);
});

test('a changed line ending alone is a hunk; missing final newline is handled', () => {
  const h = computeHunks('a\nb\nc', 'a\r\nb\nc\n');
  assert.deepEqual(h.map((x) => [x.originalStart, x.originalCount, x.proposalCount]), [[0, 1, 1], [2, 1, 1]]);
  assert.equal(applySelection('a\nb\nc', h, new Set([h[1]!.id])), 'a\nb\nc\n');
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('x\r\ny'), ['x\r\n', 'y']);
  // Pure insertion and deletion.
  const ins = computeHunks('a\nc\n', 'a\nb\nc\n');
  assert.deepEqual([ins[0]!.originalStart, ins[0]!.originalCount, ins[0]!.added], [1, 0, ['b\n']]);
  assert.match(hunkLabel(ins[0]!), /after line 1: \+ b/);
  const del = computeHunks('a\nb\nc\n', 'a\nc\n');
  assert.equal(applySelection('a\nb\nc\n', del, new Set([del[0]!.id])), 'a\nc\n');
  assert.match(hunkLabel(del[0]!), /line 2: − b/);
});

test('ids survive an edit elsewhere in the proposal; decisions carry over', () => {
  const { original, proposal } = pair('streams_events');
  const hunks = computeHunks(original, proposal);
  const decisions = new Map(hunks.map((h, i) => [h.id, i === 0 ? ('accepted' as const) : ('rejected' as const)]));
  // The user edits the proposal inside the last hunk only.
  const last = hunks[hunks.length - 1]!;
  const lines = splitLines(proposal);
  lines[last.proposalStart] = '// edited by the user\n';
  const again = computeHunks(original, lines.join(''));
  const carried = carryDecisions(again, decisions);
  assert.equal(carried.get(hunks[0]!.id), 'accepted');
  assert.equal(countDecisions(carried).pending, 1, 'only the edited hunk is new');
  assert.equal(countDecisions(carried).rejected, hunks.length - 2);
});
