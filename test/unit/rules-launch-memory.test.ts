import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { findings, fixed, flagged, none, one } from './rules-fixtures/helpers';

before(async () => {
  await initParser();
});

test('HP501 fires on the second __launch_bounds__ argument', () => {
  const src = '__global__ void __launch_bounds__(256, 4) k(float* x) {}';
  for (const parse of [true, false]) {
    const f = one(src, 'HP501', parse);
    assert.equal(flagged(src, f), '4');
    // issue 16: an occupancy hint read another way changes speed, not results
    assert.equal(f.severity, 'information');
    assert.match(f.message, /min warps per execution unit/);
    assert.equal(f.fix?.auto, false);
    assert.equal(fixed(src, f), '__global__ void __launch_bounds__(256) k(float* x) {}');
  }
  none('__global__ void __launch_bounds__(256) k(float* x) {}', 'HP501');
  // a third (cluster) argument does not compile for HIP
  assert.equal(one('__global__ void __launch_bounds__(256, 2, 4) k(float* x) {}', 'HP501', true).severity, 'error');
});

test('HP502 fires on block sizes over 256 for kernels of the file without __launch_bounds__', () => {
  const kernel = '__global__ void k(float* x) {}\n';
  const cases: Array<[string, string, number]> = [
    ['void h(float* x) { k<<<10, 512>>>(x); }', '512', 512],
    ['void h(float* x) { k<<<10, dim3(32, 16)>>>(x); }', 'dim3(32, 16)', 512],
    ['void h(float* x) { dim3 block(16, 16, 2); k<<<10, block>>>(x); }', 'block', 512],
    ['#define THREADS 1024\nvoid h(float* x) { k<<<10, THREADS>>>(x); }', 'THREADS', 1024],
  ];
  for (const [host, hit, size] of cases) {
    const src = kernel + host;
    const f = one(src, 'HP502');
    assert.equal(flagged(src, f), hit);
    assert.equal(f.severity, 'information');
    assert.equal(f.fix?.auto, false);
    assert.ok(fixed(src, f).startsWith(`__global__ void __launch_bounds__(${size}) k(float* x) {}`), fixed(src, f));
  }
});

test('HP502 near-misses: 256 or less, launch bounds present, kernel from another file, unknown sizes', () => {
  none('__global__ void k(float* x) {}\nvoid h(float* x) { k<<<10, 256>>>(x); k<<<10, dim3(16, 16)>>>(x); }', 'HP502');
  none('__global__ void __launch_bounds__(1024) k(float* x) {}\nvoid h(float* x) { k<<<10, 1024>>>(x); }', 'HP502');
  none('void h(float* x) { other<<<10, 1024>>>(x); }', 'HP502');
  none('__global__ void k(float* x) {}\nvoid h(float* x, int n) { k<<<10, n>>>(x); }', 'HP502');
});

test('HP503 fires on kernel launches inside device code (tree needed)', () => {
  const src = '__global__ void child(int* x) {}\n__global__ void parent(int* x) { child<<<1, 32>>>(x); }';
  const f = one(src, 'HP503');
  assert.equal(flagged(src, f), 'child<<<1, 32>>>');
  assert.equal(f.severity, 'error');
  const tpl = 'template <typename T> __device__ void d(T* x) { kern<T><<<1, 1>>>(x); }';
  assert.equal(flagged(tpl, one(tpl, 'HP503')), 'kern<T><<<1, 1>>>');
  none('__global__ void child(int* x) {}\nvoid host(int* x) { child<<<1, 32>>>(x); }', 'HP503');
});

test('HP504 fires on texture/surface references and fetches through them', () => {
  const src = 'texture<float, 1, cudaReadModeElementType> texRef;\nsurface<void, 2> surfRef;\n__global__ void k(float* o) { o[0] = tex1Dfetch(texRef, 3); }';
  for (const parse of [true, false]) {
    const fs = findings(src, 'HP504', parse);
    assert.deepEqual(fs.map((f) => flagged(src, f)), ['texture<float, 1, cudaReadModeElementType> texRef', 'surface<void, 2> surfRef', 'tex1Dfetch(texRef']);
    assert.equal(fs[0]!.severity, 'warning');
  }
  none('__global__ void k(cudaTextureObject_t t, float* o) { o[0] = tex1Dfetch<float>(t, 3); }', 'HP504');
  none('struct S { int texture; }; void f(S s) { s.texture = 1; }', 'HP504');
});

test('HP505 fires on __threadfence_system and not on other fences', () => {
  const src = '__global__ void k() { __threadfence_system(); }';
  const f = one(src, 'HP505');
  assert.equal(flagged(src, f), '__threadfence_system');
  assert.equal(f.severity, 'information');
  assert.match(f.message, /coherent/);
  none('__global__ void k() { __threadfence(); __threadfence_block(); }', 'HP505');
});

test('HP507 fires on half2 .x/.y and offers __low2half/__high2half for reads', () => {
  const src = '__global__ void k(half2* p, float* o) { half2 h = p[0]; o[0] = __half2float(h.x) + __half2float(h.y); h.x = 0; }';
  const fs = findings(src, 'HP507');
  assert.deepEqual(fs.map((f) => flagged(src, f)), ['h.x', 'h.y', 'h.x']);
  assert.ok(fixed(src, fs[0]!).includes('__half2float(__low2half(h))'));
  assert.ok(fixed(src, fs[1]!).includes('__half2float(__high2half(h))'));
  assert.equal(fs[2]!.fix, undefined);
  assert.match(fs[2]!.message, /__halves2half2/);
  none('__global__ void k(float2 f, float* o) { o[0] = f.x + f.y; }', 'HP507');
});

test('HP508 fires once per file on WMMA', () => {
  const src = '#include <mma.h>\nusing namespace nvcuda;\n__global__ void k() { wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> a; wmma::fill_fragment(a, 0); }';
  const f = one(src, 'HP508');
  assert.equal(flagged(src, f), 'nvcuda');
  assert.equal(f.severity, 'error');
  assert.match(f.message, /rocWMMA/);
  none('__global__ void k() { int wmma = 0; }', 'HP508');
});
