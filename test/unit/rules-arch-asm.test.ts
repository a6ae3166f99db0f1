import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { findings, flagged, none, one } from './rules-fixtures/helpers';

before(async () => {
  await initParser();
});

test('HP303 fires on compute-capability checks of device-property variables', () => {
  const src = 'void f() { cudaDeviceProp prop; cudaGetDeviceProperties(&prop, 0); if (prop.major >= 7) {} int cc = prop.major * 10 + prop.minor; }';
  for (const parse of [true, false]) {
    const fs = findings(src, 'HP303', parse);
    assert.deepEqual(fs.map((f) => flagged(src, f)), ['prop.major', 'prop.major']);
    assert.equal(fs[0]!.severity, 'warning');
    assert.match(fs[0]!.message, /gcnArchName/);
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
