/**
 * The review hunk model (src/extension/hunks.ts) on real fixture pairs: CUDA original vs the golden
 * HIP port. Accepting all gives the port, none gives the original, a subset exactly those changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applySelection, carryDecisions, clipAtToken, computeHunks, countDecisions, hunkLabel, hunkPlace, splitLines } from '../../src/extension/hunks';

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
  assert.equal(hunkLabel(ins[0]!), 'after line 1: + b');
  const del = computeHunks('a\nb\nc\n', 'a\nc\n');
  assert.equal(applySelection('a\nb\nc\n', del, new Set([del[0]!.id])), 'a\nc\n');
  assert.equal(hunkLabel(del[0]!), 'line 2: − b');
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

test('hunk labels: 1-based places, "at the start of the file", cuts at token boundaries with an ellipsis', () => {
  // An include inserted before the first line: never "after line 0".
  const top = computeHunks('__global__ void k() {}\n', '#include <hip/hip_runtime.h>\n__global__ void k() {}\n');
  assert.equal(hunkPlace(top[0]!), 'at the start of the file');
  assert.equal(hunkLabel(top[0]!), 'at the start of the file: + #include <hip/hip_runtime.h>');
  // Several lines: the range and the counts.
  const multi = computeHunks('a\ncudaFree(p);\ncudaFree(q);\nz\n', 'a\nhipFree(p);\nz\n');
  assert.equal(hunkLabel(multi[0]!), 'lines 2–3: cudaFree(p); → hipFree(p); (2 → 1 line)');
  const added = computeHunks('a\n', 'a\nb\nc\n');
  assert.equal(hunkLabel(added[0]!), 'after line 1: + b (+2 lines)');

  // A long call: cut where a token ends, never inside an identifier or number, and marked with …
  const longOld = '  cudaMemcpyAsync(device_buffer_for_results, host_buffer_for_results, bytes_per_chunk * 4, cudaMemcpyHostToDevice, stream);\n';
  const longNew = longOld.replace('cudaMemcpyAsync', 'hipMemcpyAsync').replace('cudaMemcpyHostToDevice', 'hipMemcpyHostToDevice');
  const h = computeHunks(`x\n${longOld}`, `x\n${longNew}`)[0]!;
  const label = hunkLabel(h);
  assert.equal(label, 'line 2: cudaMemcpyAsync(device_buffer_for_results,… → hipMemcpyAsync(device_buffer_for_results,…');
  for (const side of label.slice('line 2: '.length).split(' → ')) {
    assert.ok(side.length <= 60, `${side} is at most 60 characters`);
    const kept = side.slice(0, -1);
    assert.ok(longOld.includes(kept) || longNew.includes(kept), side);
    // What follows the cut in the full line starts a new token (the cut is not inside a word).
    const full = longOld.includes(kept) ? longOld.trim() : longNew.trim();
    const next = full[kept.length];
    assert.ok(!/[A-Za-z0-9_]/.test(kept.at(-1)!) || !/[A-Za-z0-9_]/.test(next ?? ' '), `cut inside a token: ${side}`);
  }

  // A long shared prefix is elided so the difference shows.
  const deep = '        const float value_from_the_previous_iteration = ';
  const d = computeHunks(`${deep}__shfl_down_sync(0xffffffff, v, 16);\n`, `${deep}__shfl_down(v, 16);\n`)[0]!;
  assert.equal(hunkLabel(d, 40), 'line 1: …__shfl_down_sync(0xffffffff, v, 16); → …__shfl_down(v, 16);');

  assert.equal(clipAtToken('short', 10), 'short');
  assert.equal(clipAtToken('aVeryLongIdentifierWithoutAnyBreak', 10), 'aVeryLong…', 'one long token: a hard cut');
  assert.equal(clipAtToken('foo(alpha, beta, gamma)', 14), 'foo(alpha,…');
});

test('hunk labels of every fixture pair: no "line 0", 1-based places inside the file, no identifier cut in two', () => {
  for (const n of names) {
    const { original, proposal } = pair(n);
    const lineCount = splitLines(original).length;
    for (const h of computeHunks(original, proposal)) {
      const label = hunkLabel(h);
      assert.doesNotMatch(label, /line 0\b/, `${n}: ${label}`);
      const m = /^(?:lines? |after line )(\d+)/.exec(label);
      if (m) assert.ok(Number(m[1]) >= 1 && Number(m[1]) <= lineCount, `${n}: ${label}`);
      else assert.match(label, /^at the start of the file: /);
      for (const side of label.split(': ').slice(1).join(': ').split(' → ')) {
        const cut = side.replace(/ \([^)]*\)$/, '');
        if (!cut.endsWith('…')) continue;
        const kept = cut.replace(/^[+−] /, '').replace(/^…/, '').slice(0, -1);
        const src = [...h.removed, ...h.added].map((l) => l.trim()).find((l) => l.includes(kept));
        assert.ok(src, `${n}: ${side}`);
        const next = src[src.indexOf(kept) + kept.length];
        assert.ok(!(/\w/.test(kept.at(-1)!) && /\w/.test(next ?? ' ')), `${n}: cut inside a token: ${side}`);
      }
    }
  }
});
