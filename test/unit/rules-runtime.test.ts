/** Run-time differences on AMD: __smid pools (HP307), numerics (HP306), CUB TempStorage reuse (HP608). */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { findings, fixed, flagged, none, one } from './rules-fixtures/helpers';

before(async () => {
  await initParser();
});

const CUB = (body: string): string =>
  `#include <cub/cub.cuh>\n__global__ void k(float* o, const float* in) {\n  typedef cub::BlockReduce<float, 256> BR;\n  __shared__ typename BR::TempStorage ts;\n${body}}\n`;

test('HP608 fires on a TempStorage reused by two collectives with no barrier between them, and offers one', () => {
  const src = CUB('  float a = BR(ts).Sum(in[threadIdx.x]);\n  float b = BR(ts).Reduce(in[threadIdx.x], cub::Max());\n  o[0] = a + b;\n');
  for (const parse of [true, false]) {
    const f = one(src, 'HP608', parse);
    assert.equal(f.severity, 'warning');
    assert.equal(flagged(src, f), 'ts');
    assert.equal(src.slice(f.start - 3, f.end + 1), 'BR(ts)');
    assert.ok(f.start > src.indexOf('float b'), 'at the second collective');
    assert.deepEqual((f.related ?? []).map((r) => r.start < src.indexOf('float b')), [true]);
    assert.ok(fixed(src, f).includes('  __syncthreads();\n  float b = BR(ts).Reduce'), fixed(src, f));
  }
  // a barrier between them, one collective only, two TempStorages: quiet
  none(CUB('  float a = BR(ts).Sum(in[threadIdx.x]);\n  __syncthreads();\n  float b = BR(ts).Sum(a);\n  o[0] = b;\n'), 'HP608');
  none(CUB('  o[0] = BR(ts).Sum(in[threadIdx.x]);\n'), 'HP608');
  none(CUB('  __shared__ typename BR::TempStorage t2;\n  float a = BR(ts).Sum(in[0]);\n  float b = BR(t2).Sum(in[1]);\n  o[0] = a + b;\n'), 'HP608');
});

test('HP307 fires on __smid() and the asm idiom explains %smid', () => {
  const src = '__global__ void k(int* pool) { pool[__smid()] += 1; }';
  const f = one(src, 'HP307');
  assert.equal(flagged(src, f), '__smid');
  assert.match(f.message, /can exceed multiProcessorCount - 1/);
  none('__global__ void k(int* pool, int __smid_count) { pool[0] = __smid_count; }', 'HP307');
  const asm = '__device__ unsigned sm() { unsigned r; asm("mov.u32 %0, %%smid;" : "=r"(r)); return r; }';
  assert.match(one(asm, 'HP401').message, /use __smid\(\)/);
});

test('HP306: correctly rounded or fast intrinsics whose AMD result differs are information', () => {
  const src = '__global__ void k(float* a) { a[0] = __fsqrt_rn(a[1]); a[2] = __fdividef(a[3], a[4]); }';
  const fs = findings(src, 'HP306');
  assert.deepEqual(fs.map((f) => [flagged(src, f), f.severity]), [['__fsqrt_rn', 'information'], ['__fdividef', 'information']]);
  assert.match(fs[0]!.message, /-ffp-contract=on/);
  none('__global__ void k(float* a) { a[0] = sqrtf(a[1]); }', 'HP306');
});

test('HP510 fires on stream host callbacks that call the runtime, directly or through delete; quiet otherwise', () => {
  const src =
    '#include <cuda_runtime.h>\nvoid CUDART_CB release(void* data) {\n  cudaEventDestroy(*(cudaEvent_t*)data);\n}\nvoid CUDART_CB done(void* data) { *(int*)data = 1; }\n' +
    'void CUDART_CB old(cudaStream_t s, cudaError_t e, void* data) { cudaFree(data); }\n' +
    'void run(cudaStream_t s, void* d, int* b) {\n  cudaLaunchHostFunc(s, release, d);\n  cudaLaunchHostFunc(s, done, d);\n  cudaStreamAddCallback(s, old, d, 0);\n  cudaLaunchHostFunc(s, [](void* p) { delete static_cast<int*>(p); }, b);\n}\n';
  const fs = findings(src, 'HP510');
  assert.deepEqual(
    fs.map((f) => flagged(src, f)),
    ['release', 'old', '[](void* p) { delete static_cast<int*>(p); }'],
  );
  assert.match(fs[0]!.message, /host callback 'release' passed to cudaLaunchHostFunc calls cudaEventDestroy: on ROCm/);
  assert.deepEqual((fs[0]!.related ?? []).map((r) => src.slice(r.start, r.end)), ['cudaEventDestroy']);
  assert.match(fs[2]!.message, /deletes an object/);
  for (const f of fs) assert.equal(f.severity, 'warning');
  none('void CUDART_CB cb(void* d) { *(int*)d = 1; }\nvoid run(cudaStream_t s, void* d) { cudaLaunchHostFunc(s, cb, d); }\n', 'HP510');
});

test('HP509 fires when fresh cudaMalloc memory is accumulated into by a kernel of this file or copied out first', () => {
  const kernels =
    '#include <cuda_runtime.h>\n__global__ void hist(const int* in, int* bins, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) atomicAdd(&bins[in[i]], 1);\n}\n' +
    '__global__ void fill(int* bins) { bins[threadIdx.x] = 0; }\n__global__ void acc(float* s, const float* x) { s[threadIdx.x] += x[threadIdx.x]; }\n';
  const src = kernels + 'void run(const int* in, int n, const float* x) {\n  int* bins;\n  cudaMalloc(&bins, 256 * sizeof(int));\n  hist<<<n / 256, 256>>>(in, bins, n);\n  float* s;\n  cudaMalloc((void**)&s, 1024);\n  acc<<<1, 256>>>(s, x);\n  int host[4]; int* b4;\n  cudaMalloc(&b4, 16);\n  cudaMemcpy(host, b4, 16, cudaMemcpyDeviceToHost);\n}\n';
  for (const parse of [true, false]) {
    const fs = findings(src, 'HP509', parse);
    assert.deepEqual(fs.map((f) => flagged(src, f)), ['bins', 's', 'b4']);
    assert.match(fs[0]!.message, /is accumulated into by kernel 'hist' \(atomicAdd\)/);
    assert.match(fs[1]!.message, /a compound assignment to s/);
    assert.match(fs[2]!.message, /is copied to the host by cudaMemcpy/);
    assert.deepEqual((fs[0]!.related ?? []).map((r) => src.slice(r.start, r.end)), ['cudaMalloc', 'atomicAdd']);
    assert.ok(fixed(src, fs[0]!).includes('cudaMalloc(&bins, 256 * sizeof(int)); cudaMemset(bins, 0, 256 * sizeof(int));'));
  }
  // initialised first (memset, a kernel that stores), a kernel from elsewhere, another call: quiet
  for (const body of [
    '  int* b;\n  cudaMalloc(&b, 1024);\n  cudaMemset(b, 0, 1024);\n  hist<<<1, 256>>>(in, b, n);\n',
    '  int* b;\n  cudaMalloc(&b, 1024);\n  fill<<<1, 256>>>(b);\n  hist<<<1, 256>>>(in, b, n);\n',
    '  int* b;\n  cudaMalloc(&b, 1024);\n  external_kernel<<<1, 256>>>(b);\n',
    '  int* b;\n  cudaMalloc(&b, 1024);\n  init(b, 1024);\n  hist<<<1, 256>>>(in, b, n);\n',
    '  int* b; int* c;\n  cudaMalloc(&b, 1024);\n  cudaMalloc(&c, 1024);\n  cudaMemcpy(c, b, 1024, cudaMemcpyDefault);\n',
  ]) {
    none(kernels + `void run(const int* in, int n) {\n${body}}\n`, 'HP509');
  }
});

test('HP512 fires on stencil reads past the bound the kernel checks; quiet when guarded or clamped', () => {
  const src = '__global__ void stencil(const float* in, float* out, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) out[i] = in[i - 1] + in[i] + in[i + 1];\n}\n';
  for (const parse of [true, false]) {
    const fs = findings(src, 'HP512', parse);
    assert.deepEqual(fs.map((f) => flagged(src, f)), ['i - 1', 'i + 1']);
    assert.match(fs[1]!.message, /on AMD it can fault/);
    assert.deepEqual((fs[1]!.related ?? []).map((r) => src.slice(r.start, r.end)), ['if (']);
  }
  const ret = '__global__ void d(const float* in, float* out, int n) {\n  int i = threadIdx.x;\n  if (i >= n) return;\n  out[i] = in[i + 1] - in[i];\n}\n';
  assert.equal(flagged(ret, one(ret, 'HP512')), 'i + 1');
  for (const quiet of [
    '__global__ void k(const float* in, float* out, int n) {\n  int i = threadIdx.x;\n  if (i > 0 && i < n - 1) out[i] = in[i - 1] + in[i + 1];\n}\n',
    '__global__ void k(const float* in, float* out, int n) {\n  int i = threadIdx.x;\n  if (i >= n) return;\n  out[i] = in[min(i + 1, n - 1)] + (i > 0 ? in[i - 1] : 0.f);\n}\n',
    // no bound check visible: nothing to compare with
    '__global__ void k(const float* in, float* out) { int i = threadIdx.x; out[i] = in[i + 1]; }\n',
    // a store, and host code
    '__global__ void k(float* out, int n) { int i = threadIdx.x; if (i < n) out[i + 1] = 0; }\n',
    'void h(const float* in, float* out, int n) { for (int i = 0; i < n; i++) out[i] = in[i + 1]; }\n__global__ void g() {}\n',
  ]) {
    none(quiet, 'HP512');
  }
});
