import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, applyEdits, detach, detectEol, hasBom } from '../../src/core/text';

test('LineIndex maps offsets to 0-based line and UTF-16 column and back', () => {
  const text = 'a\r\nbé😀c\nlast';
  const li = new LineIndex(text);
  assert.equal(li.lineCount, 3);
  const off = text.indexOf('c');
  assert.deepEqual(li.positionAt(off), { line: 1, character: 4 });
  assert.equal(li.offsetAt({ line: 1, character: 4 }), off);
  assert.deepEqual(li.positionAt(text.length), { line: 2, character: 4 });
  assert.equal(li.offsetAt({ line: 9, character: 0 }), text.length);
});

test('applyEdits applies sorted edits and drops overlaps', () => {
  const t = 'cudaMalloc(cudaFree)';
  const out = applyEdits(t, [
    { start: 11, end: 19, newText: 'hipFree' },
    { start: 0, end: 10, newText: 'hipMalloc' },
    { start: 5, end: 12, newText: 'X' },
  ]);
  assert.equal(out, 'hipMalloc(hipFree)');
});

test('applyEdits: an outer replacement wins over nested edits; insertions go before replacements at the same offset', () => {
  const t = 'f(g(x), y)';
  assert.equal(applyEdits(t, [{ start: 2, end: 4, newText: 'G(' }, { start: 2, end: 8, newText: '' }]), 'f(y)');
  assert.equal(applyEdits(t, [{ start: 0, end: 1, newText: 'F' }, { start: 0, end: 0, newText: '#inc\n' }]), '#inc\nF(g(x), y)');
});

test('detectEol and hasBom', () => {
  assert.equal(detectEol('a\r\nb\r\nc\n'), '\r\n');
  assert.equal(detectEol('a\nb\r\n'), '\n');
  assert.equal(hasBom('\ufeffx'), true);
  assert.equal(hasBom('x'), false);
});

test('detach returns the same characters for slices, template literals and short names', () => {
  const doc = `// ${'x'.repeat(1000)}\ncudaStreamSynchronize(stream); /* ∑ ünïcödé 🚀 */\n`;
  const at = doc.indexOf('cuda');
  for (const s of [doc.slice(at, at + 21), doc.slice(at, at + 4), `${doc.slice(at, at + 21)} → hip${doc.slice(at + 4, at + 21)}`, doc.slice(doc.indexOf('∑'), doc.indexOf('*/')), '', doc]) {
    const d = detach(s);
    assert.equal(d, s);
    assert.equal(d.length, s.length);
  }
});
