/**
 * Issue 16, noise budget: an unsupported name is one finding per file (HP104/HP105 at the first
 * use, HP114 for all of a file's cuDNN names), the other uses as related spans; HP304 by
 * consequence; a finding's own severity (HP107 deprecated: information) reaches the analysis.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { analyze } from '../../src/core/analyze';
import { translate } from '../../src/core/translate';

before(async () => {
  await initParser();
});

const T62 = { targetRocm: '6.2' };
const slice = (src: string, r: { start: number; end: number }): string => src.slice(r.start, r.end);

test('HP104: one error per file and name, at the first use; later uses are related spans; members are not uses', () => {
  const src = [
    'void f(S* s) {',
    '  s->cudaDeviceFlushGPUDirectRDMAWrites = 1;',
    '  cudaDeviceFlushGPUDirectRDMAWrites(cudaFlushGPUDirectRDMAWritesTargetCurrentDevice, cudaFlushGPUDirectRDMAWritesToOwner);',
    '  cudaDeviceFlushGPUDirectRDMAWrites(cudaFlushGPUDirectRDMAWritesTargetCurrentDevice, cudaFlushGPUDirectRDMAWritesToOwner);',
    '}',
    'void g() { cudaDeviceFlushGPUDirectRDMAWrites(cudaFlushGPUDirectRDMAWritesTargetCurrentDevice, cudaFlushGPUDirectRDMAWritesToAllDevices); }',
    '',
  ].join('\n');
  const a = analyze(src, T62);
  const flush = a.findings.filter((f) => f.code === 'HP104' && f.cuda === 'cudaDeviceFlushGPUDirectRDMAWrites');
  assert.equal(flush.length, 1, JSON.stringify(flush.map((f) => f.message)));
  const f = flush[0]!;
  assert.equal(f.severity, 'error');
  assert.equal(f.start, src.indexOf('  cudaDeviceFlushGPUDirectRDMAWrites(') + 2, 'the first non-member use');
  assert.deepEqual((f.related ?? []).map((r) => slice(src, r)), ['cudaDeviceFlushGPUDirectRDMAWrites', 'cudaDeviceFlushGPUDirectRDMAWrites']);
  assert.equal(f.related![1]!.start, src.indexOf('cudaDeviceFlushGPUDirectRDMAWrites(', src.indexOf('void g')));
  assert.match(f.message, /2 more uses in this file, listed as related/);
  // each name once: the enumerator used three times is one finding too
  const target = a.findings.filter((x) => x.cuda === 'cudaFlushGPUDirectRDMAWritesTargetCurrentDevice');
  assert.equal(target.length, 1);
  assert.equal(target[0]!.related?.length, 2);
  // the scan's per-name counts still count every use
  const t = translate(src, T62);
  assert.equal(t.stats.unsupported['cudaDeviceFlushGPUDirectRDMAWrites'], 3);
  assert.equal(t.stats.unsupported['cudaFlushGPUDirectRDMAWritesTargetCurrentDevice'], 3);
});

test('HP114: a file\'s cuDNN names are one error, the other uses related (naming the closest MIOpen name where known)', () => {
  const src = [
    '#include <cudnn.h>',
    'void f(cudnnHandle_t h, cudnnTensorDescriptor_t d) {',
    '  cudnnCreate(&h);',
    '  cudnnCreateTensorDescriptor(&d);',
    '  cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, 2, 3, 4);',
    '  cudnnDestroy(h);',
    '  cudnnCreate(&h);',
    '}',
    '',
  ].join('\n');
  const a = analyze(src, T62);
  assert.equal(a.findings.filter((f) => f.code === 'HP104').length, 0, 'no per-name cuDNN errors');
  const dnn = a.findings.filter((f) => f.code === 'HP114');
  assert.equal(dnn.length, 1);
  const f = dnn[0]!;
  assert.equal(f.severity, 'error');
  assert.equal(slice(src, f), 'cudnnHandle_t', 'at the first use');
  assert.equal(f.related?.length, 8);
  assert.match(f.message, /^8 cuDNN names \(cudnnHandle_t, cudnnTensorDescriptor_t, cudnnCreate, …\) at 9 places/);
  assert.ok(f.related!.some((r) => /^cudnnCreate \(closest MIOpen: miopenCreate\)$/.test(r.message)), JSON.stringify(f.related));
  // with --library-target roc the names MIOpen has are renamed, and only the rest stay in HP114
  const roc = analyze(src, { ...T62, libraryTarget: 'roc' }).findings;
  assert.ok(roc.some((x) => x.code === 'HP101' && x.hip === 'miopenCreate'));
  const rest = roc.filter((x) => x.code === 'HP114');
  assert.ok(rest.length <= 1);
  for (const x of rest) assert.ok(![slice(src, x), ...(x.related ?? []).map((r) => slice(src, r))].includes('cudnnCreate'));
});

test('HP304 by consequence: warning where it picks a branch, information in a #define, one warning per file for code uses', () => {
  const src = [
    '#if CUDART_VERSION >= 11000',
    'int fast = 1;',
    '#endif',
    '#ifdef __NVCC__',
    'int nv = 1;',
    '#endif',
    '#define RT_VERSION CUDART_VERSION',
    'int major() { return CUDART_VERSION / 1000; }',
    'int minor() { return (CUDART_VERSION % 1000) / 10; }',
    '',
  ].join('\n');
  const fs = analyze(src, T62).findings.filter((f) => f.code === 'HP304');
  const at = (f: { start: number }): number => src.slice(0, f.start).split('\n').length;
  assert.deepEqual(
    fs.map((f) => [at(f), f.severity]).sort((a, b) => (a[0] as number) - (b[0] as number)),
    [
      [1, 'warning'],
      [4, 'warning'],
      [7, 'information'],
      [8, 'warning'],
    ],
  );
  const code = fs.find((f) => at(f) === 8)!;
  assert.match(code.message, /undeclared identifier/);
  assert.deepEqual((code.related ?? []).map((r) => src.slice(0, r.start).split('\n').length), [9]);
});

test('HP107: a HIP API only deprecated (not removed in the target) is information, as the rule decides', () => {
  const src = 'void f(CUcontext c) { cuCtxDestroy(c); cuCtxSynchronize(); }\n';
  const fs = analyze(src, T62).findings.filter((f) => f.code === 'HP107');
  assert.equal(fs.length, 2);
  for (const f of fs) {
    assert.match(f.message, /deprecated since HIP/);
    assert.equal(f.severity, 'information');
  }
});
