import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { findings, fixed, flagged, none, one } from './rules-fixtures/helpers';

before(async () => {
  await initParser();
});

test('HP303 fires on compute-capability checks of device-property variables', () => {
  const src = 'void f() { cudaDeviceProp prop; cudaGetDeviceProperties(&prop, 0); if (prop.major >= 7) {} int cc = prop.major * 10 + prop.minor; }';
  for (const parse of [true, false]) {
    // one finding per file, the other checks as related information
    const fs = findings(src, 'HP303', parse);
    assert.deepEqual(fs.map((f) => flagged(src, f)), ['prop.major']);
    assert.equal(fs[0]!.severity, 'warning');
    assert.match(fs[0]!.message, /gcnArchName.*\(1 more such check in this file, see related\)/);
    assert.deepEqual((fs[0]!.related ?? []).map((r) => src.slice(r.start, r.end)), ['prop.major']);
  }
  const ptr = 'void f(const hipDeviceProp_t* p) { bool ok = 7 <= p->major; }';
  assert.equal(flagged(ptr, one(ptr, 'HP303')), 'p->major');
  const attr = 'void f(int* v) { cudaDeviceGetAttribute(v, cudaDevAttrComputeCapabilityMajor, 0); }';
  assert.equal(flagged(attr, one(attr, 'HP303')), 'cudaDevAttrComputeCapabilityMajor');
});

test('HP303 near-misses: printing the capability, major of unrelated structs', () => {
  none('void f() { cudaDeviceProp prop; printf("%d.%d", prop.major, prop.minor); }', 'HP303');
  none('struct V { int major; }; void f(V v) { if (v.major >= 7) {} }', 'HP303');
});

test('HP401 fires on inline PTX as an error and explains known idioms', () => {
  const cases: Array<[string, RegExp]> = [
    ['__device__ unsigned lane() { unsigned r; asm volatile("mov.u32 %0, %%laneid;" : "=r"(r)); return r; }', /__lane_id\(\)/],
    ['__device__ float ld(const float* p) { float v; asm("ld.global.nc.f32 %0, [%1];" : "=f"(v) : "l"(p)); return v; }', /__ldg/],
    ['__device__ long long c() { long long t; asm volatile("mov.u64 %0, %%clock64;" : "=l"(t)); return t; }', /clock64\(\)/],
    ['__device__ unsigned b(unsigned x) { unsigned r; __asm__("bfe.u32 %0, %1, 4, 8;" : "=r"(r) : "r"(x)); return r; }', /__bitextract_u32/],
    ['__device__ void f() { asm volatile("membar.gl;"); }', /__threadfence/],
    ['__device__ int s(int v) { int r; asm volatile("shfl.sync.down.b32 %0, %1, 1, 31, -1;" : "=r"(r) : "r"(v)); return r; }', /__shfl/],
    ['__device__ unsigned p(unsigned a, unsigned b) { unsigned r; asm("prmt.b32 %0, %1, %2, 0x3210;" : "=r"(r) : "r"(a), "r"(b)); return r; }', /__byte_perm/],
  ];
  for (const [src, idiom] of cases) {
    for (const parse of [true, false]) {
      const f = one(src, 'HP401', parse);
      assert.equal(f.severity, 'error');
      assert.match(flagged(src, f), /^(asm|__asm__)[\s\S]*\)$/);
      assert.match(f.message, idiom);
    }
  }
  // unknown PTX inside device code still reported, with the generic advice
  const generic = '__global__ void k() { asm volatile("nop_custom;"); }';
  assert.match(one(generic, 'HP401').message, /rewrite it with HIP intrinsics/);
});

test('HP401 near-misses: host x86 assembly, identifiers named asm-like', () => {
  none('static inline unsigned long long rd() { unsigned lo, hi; asm volatile("rdtsc" : "=a"(lo), "=d"(hi)); return lo; }', 'HP401');
  none('void f() { int asm_count = 0; my_asm(1); }', 'HP401');
});

test('HP401: PTX in a branch AMD never compiles is information naming the branch AMD compiles', () => {
  const cases: Array<[string, RegExp]> = [
    ['__device__ int f(int x) {\n#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800\n  asm("bfe.u32 %0, %1, 0, 4;" : "=r"(x) : "r"(x));\n#else\n  x &= 15;\n#endif\n  return x;\n}\n', /hip-clang compiles the #else branch instead/],
    ['__device__ int f(int x) {\n#if defined(__PTX__)\n  asm("prmt.b32 %0, %0, 0, 0x3210;" : "+r"(x));\n#elif defined(__HIP_PLATFORM_AMD__)\n  x = __byte_perm(x, 0, 0x3210);\n#endif\n  return x;\n}\n', /hip-clang compiles the #elif defined\(__HIP_PLATFORM_AMD__\) branch instead/],
    ['#ifndef __HIP_PLATFORM_AMD__\n__device__ void g() { asm volatile("membar.gl;"); }\n#endif\n', /compiles no replacement for it/],
    ['__device__ int f(int x) {\n#if __CUDA_ARCH__ >= 700\n  asm("mov.u32 %0, %%laneid;" : "=r"(x));\n#else\n  x = 0;\n#endif\n  return x;\n}\n', /\(#if __CUDA_ARCH__ >= 700\): hip-clang compiles the #else branch instead/],
  ];
  for (const [src, msg] of cases) {
    const f = one(src, 'HP401');
    assert.equal(f.severity, 'information', src);
    assert.match(f.message, msg);
    assert.ok((f.related ?? []).some((r) => src.slice(r.start, r.end).startsWith('#if')), 'the condition is related information');
  }
  // compiled on AMD: still an error (outside any branch; `#ifdef __CUDA_ARCH__` becomes __HIP_DEVICE_COMPILE__;
  // a branch on a project macro is unknown; the PTX in the #else of a CUDA-arch test)
  for (const src of [
    '__device__ void g() { asm volatile("bar.sync 0;"); }\n',
    '__device__ int f(int x) {\n#ifdef __CUDA_ARCH__\n  asm("mov.u32 %0, %%laneid;" : "=r"(x));\n#endif\n  return x;\n}\n',
    '__device__ int f(int x) {\n#if USE_PTX\n  asm("mov.u32 %0, %%laneid;" : "=r"(x));\n#endif\n  return x;\n}\n',
    '__device__ int f(int x) {\n#if __CUDA_ARCH__ >= 700\n  x = 0;\n#else\n  asm("mov.u32 %0, %%laneid;" : "=r"(x));\n#endif\n  return x;\n}\n',
  ]) {
    assert.equal(one(src, 'HP401').severity, 'error', src);
  }
});

test('HP305: a kernel whose whole body sits under #if __CUDA_ARCH__ >= 530 with no (or an empty) #else is an error', () => {
  const src = 'template <int C>\n__global__ void SE_Layer(float* a) {\n#if __CUDA_ARCH__ >= 530\n  a[0] = 1;\n#endif\n}\n';
  for (const parse of [true, false]) {
    const f = one(src, 'HP305', parse);
    assert.equal(f.severity, 'error');
    assert.equal(flagged(src, f), '#if __CUDA_ARCH__ >= 530');
    assert.match(f.message, /kernel 'SE_Layer' .* compiles to an empty body/);
    assert.deepEqual((f.related ?? []).map((r) => src.slice(r.start, r.end)), ['SE_Layer']);
    assert.ok(fixed(src, f).includes('#if defined(__HIP_PLATFORM_AMD__) || (__CUDA_ARCH__ >= 530)\n'));
  }
  const emptyElse = '__device__ void f(float* a) {\n#if __CUDA_ARCH__ >= 530\n  a[0] = 1;\n#else\n  // old GPUs: nothing\n#endif\n}\n';
  assert.match(one(emptyElse, 'HP305').message, /device function 'f'/);
  // quiet: a portable #else, code outside the branch, a branch AMD takes, a host function
  none('__global__ void k(float* a) {\n#if __CUDA_ARCH__ >= 530\n  a[0] = 1;\n#else\n  a[0] = 2;\n#endif\n}\n', 'HP305');
  none('__global__ void k(float* a) {\n  a[1] = 0;\n#if __CUDA_ARCH__ >= 530\n  a[0] = 1;\n#endif\n}\n', 'HP305');
  none('__global__ void k(float* a) {\n#if __CUDA_ARCH__ < 530\n  a[0] = 1;\n#endif\n}\n', 'HP305');
  none('__global__ void k(float* a) {\n#ifdef __CUDA_ARCH__\n  a[0] = 1;\n#endif\n}\n', 'HP305');
  none('void h(float* a) {\n#if __CUDA_ARCH__ >= 530\n  a[0] = 1;\n#endif\n}\n__global__ void k() {}\n', 'HP305');
  // a kernel wrapped whole in a file-level #if does not exist on AMD (a missing kernel, not an empty one)
  none('#if __CUDA_ARCH__ >= 530\n__global__ void k(float* a) {\n  a[0] = 1;\n}\n#endif\n', 'HP305');
});

test('HP303 says that gfx90a reports the same major as Hopper', () => {
  const src = 'void f() { cudaDeviceProp prop; cudaGetDeviceProperties(&prop, 0); if (prop.major >= 9) {} }';
  assert.match(one(src, 'HP303').message, /gfx90a and gfx94x report 9, the same as Hopper sm_90/);
});
