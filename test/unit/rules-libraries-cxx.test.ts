import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { analyze } from '../../src/core/analyze';
import { findings, fixed, flagged, none, one } from './rules-fixtures/helpers';

before(async () => {
  await initParser();
});

test('libraries: one finding per library per file, at the first use, naming the ROCm package', () => {
  const src = [
    '#include <thrust/device_vector.h>',
    '#include <cub/cub.cuh>',
    'void f(cudnnHandle_t h, ncclComm_t c) {',
    '  thrust::device_vector<int> v(4); thrust::sort(v.begin(), v.end());',
    '  cub::DeviceReduce::Sum(0, n, a, b, 4); cub::DeviceScan::ExclusiveSum(0, n, a, b, 4);',
    '  cudnnCreate(&h); cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, 1, 2, 3, 4);',
    '  cudnnSetConvolutionMathType(cd, CUDNN_TENSOR_OP_MATH);',
    '  ncclAllReduce(a, b, 4, ncclFloat, ncclSum, c, s);',
    '  cutlass::gemm::GemmCoord g;',
    '}',
  ].join('\n');
  for (const parse of [true, false]) {
    const at = (code: string): string => flagged(src, one(src, code, parse));
    assert.equal(at('HP604'), '<thrust/device_vector.h>');
    assert.equal(at('HP605'), '<cub/cub.cuh>');
    assert.equal(at('HP601'), 'cudnnHandle_t');
    assert.equal(at('HP606'), 'ncclComm_t');
    assert.equal(at('HP607'), 'cutlass');
    assert.equal(at('HP602'), 'CUDNN_TENSOR_NHWC');
    assert.deepEqual(findings(src, 'HP603', parse).map((f) => flagged(src, f)), ['cudnnSetConvolutionMathType', 'CUDNN_TENSOR_OP_MATH']);
  }
  assert.match(one(src, 'HP604').message, /rocthrust package/);
  assert.match(one(src, 'HP605').message, /hipcub::/);
  assert.match(one(src, 'HP606').message, /rccl/);
  assert.match(one(src, 'HP601').message, /MIOpen/);
  assert.equal(one(src, 'HP607').severity, 'error');
  // the CUB quick-fix renames every cub:: qualifier, offered only
  const cub = one(src, 'HP605');
  assert.equal(cub.fix?.auto, false);
  const out = fixed(src, cub);
  assert.ok(out.includes('hipcub::DeviceReduce::Sum') && out.includes('hipcub::DeviceScan') && !/[^p]cub::/.test(out));
});

test('libraries near-misses: member names, unrelated identifiers', () => {
  const src = 'struct S { int thrust; int cub; }; void f(S s) { s.thrust = 1; int nccl = 0; int cudnn_like = 0; }';
  for (const c of ['HP601', 'HP604', 'HP605', 'HP606', 'HP607']) none(src, c);
  none('void f() { int a = CUDNN_TENSOR_NHWC; }', 'HP602'); // no cuDNN use (only a stray constant): no layout finding without HP601
});

test('HP702 fires on make_* redefinitions (error) and vector operators HIP already defines', () => {
  const make = '__host__ __device__ inline float2 make_float2(float x, float y) { float2 r; r.x = x; r.y = y; return r; }\nint z;';
  const f = one(make, 'HP702');
  assert.equal(flagged(make, f), 'make_float2');
  assert.equal(f.severity, 'error');
  assert.equal(f.fix?.auto, false);
  assert.equal(fixed(make, f).trim(), 'int z;');

  const ops = [
    '__host__ __device__ void operator+=(float3& a, const float3& b) { a.x += b.x; }',
    '__host__ __device__ float4 operator+(const float4& a, const float4& b) { return a; }',
    'inline __device__ float3 operator*(const float3& a, float s) { return a; }',
  ].join('\n');
  const fs = findings(ops, 'HP702');
  assert.deepEqual(fs.map((x) => [flagged(ops, x), x.severity]), [
    ['operator+=', 'error'],
    ['operator+', 'information'],
    ['operator*', 'information'],
  ]);
});

test('HP702 near-misses: calls of make_*, members of user classes, operators of user types', () => {
  none('__global__ void k(float4* o) { o[0] = make_float4(1, 2, 3, 4); float2 v = make_float2(0, 0); }', 'HP702');
  none('struct V { V operator+(const float4& o) const; V& operator+=(const float4& o); };', 'HP702');
  none('struct M { float a; }; M operator+(const M& a, const M& b) { return a; }', 'HP702');
});

test('HP703 fires on host functions called from device code and offers __host__ __device__', () => {
  const src = 'inline float sq(float x) { return x * x; }\n__global__ void k(float* a) { a[0] = sq(a[0]); }';
  const f = one(src, 'HP703');
  assert.equal(flagged(src, f), 'sq');
  assert.equal(f.severity, 'warning');
  assert.equal(f.fix?.auto, false);
  assert.ok(fixed(src, f).startsWith('__host__ __device__ inline float sq(float x)'));
  // token-only analysis finds it too
  assert.equal(flagged(src, one(src, 'HP703', false)), 'sq');
  const ns = 'namespace util { float sq(float x) { return x; } }\nextern "C" { __global__ void k(float* a) { a[0] = util::sq(a[0]) + sq2(1); } }\nfloat sq2(float v) { return v; }';
  assert.deepEqual(findings(ns, 'HP703').map((x) => flagged(ns, x)), ['sq2']);
  const tpl = 'template <typename T> T twice(T x) { return 2 * x; }\n__device__ int d(int x) { return twice(x); }';
  assert.ok(fixed(tpl, one(tpl, 'HP703')).startsWith('template <typename T> __host__ __device__ T twice'));
});

test('HP703 near-misses: device/constexpr/macro-qualified callees, host callers, member calls, no tree', () => {
  none('__host__ __device__ float sq(float x) { return x * x; }\n__global__ void k(float* a) { a[0] = sq(a[0]); }', 'HP703');
  none('constexpr int c(int x) { return x; }\n__global__ void k(int* a) { a[0] = c(1); }', 'HP703');
  none('#define HD __host__ __device__\nHD float sq(float x) { return x; }\n__global__ void k(float* a) { a[0] = sq(a[0]); }', 'HP703');
  none('CUDA_CALLABLE float sq(float x) { return x; }\n__global__ void k(float* a) { a[0] = sq(a[0]); }', 'HP703');
  none('float sq(float x) { return x; }\nvoid h(float* a) { a[0] = sq(a[0]); }\n__global__ void k(float* a) {}', 'HP703');
  none('float size() { return 1; }\nstruct S { __device__ float size() const; };\n__global__ void k(S* s, float* a) { a[0] = s->size(); }', 'HP703');
  none('__device__ float sq(float x);\nfloat sq(float x) { return x; }\n__global__ void k(float* a) { a[0] = sq(a[0]); }', 'HP703');
});

test('rules tolerate ERROR regions, half-typed code and token-only analysis', () => {
  const broken = [
    '__global__ void k(float* x) { int lane = threadIdx.x % 32; unsigned m = __ballot_sync(0xffffffff, x[0] > 0)',
    '  asm volatile("mov.u32 %0, %%laneid;" : "=r"(lane)',
    '  child<<<1, 1024>>>(x); }} }',
    'texture<float, 1> t; __launch_bounds__(256, 2',
    'float4 operator+(const float4& a, const float4& b) { return a; ',
    'cudaDeviceProp p; if (p.major >= 7 { thrust:: cub:: half2 h; h.x',
    'int x = (((((; #define WARP_SIZE 32',
  ].join('\n');
  for (const parse of [true, false]) {
    const a = analyze(broken, { targetRocm: '5.2', parse });
    assert.equal(a.findings.filter((f) => f.code === 'HP999').length, 0, JSON.stringify(a.findings.filter((f) => f.code === 'HP999')));
    if (parse) assert.ok(a.tree && a.parseErrors.length > 0);
    else assert.equal(a.tree, undefined);
    const codes = new Set(a.findings.map((f) => f.code));
    for (const c of ['HP201', 'HP202', 'HP401', 'HP504', 'HP702']) assert.ok(codes.has(c), `${c} missing (parse=${parse})`);
  }
  // arbitrary bytes and the empty text
  for (const text of ['', '\u0000\u0001<<<>>>asm(', '#define\n#', 'operator', 'make_float2(', '__popc(', '__launch_bounds__(']) {
    for (const parse of [true, false]) {
      const a = analyze(text, { targetRocm: '5.2', parse });
      assert.equal(a.findings.filter((f) => f.code === 'HP999').length, 0, text);
    }
  }
});
