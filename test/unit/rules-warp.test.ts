import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { findings, fixed, flagged, none, one } from './rules-fixtures/helpers';

before(async () => {
  await initParser();
});

test('HP201 fires on lane arithmetic with 32, 31, 0x1F and >> 5, with and without a tree', () => {
  const cases: Array<[string, string, string]> = [
    ['__global__ void k() { int lane = threadIdx.x % 32; }', '32', 'int lane = threadIdx.x % warpSize;'],
    ['__global__ void k() { int lane = threadIdx.x & 31; }', '31', 'int lane = threadIdx.x & (warpSize - 1);'],
    ['__global__ void k() { int lane = threadIdx.x & 0x1F; }', '0x1F', 'int lane = threadIdx.x & (warpSize - 1);'],
    ['__global__ void k() { int w = threadIdx.x >> 5; }', '>> 5', 'int w = threadIdx.x / warpSize;'],
    ['__global__ void k(int tid) { int warp = tid / 32; }', '32', 'int warp = tid / warpSize;'],
    ['__global__ void k(int x) { int base = warpId * 32; }', '32', 'int base = warpId * warpSize;'],
    ['__global__ void k(int x) { int lane = x % 32; }', '32', 'int lane = x % warpSize;'],
  ];
  for (const [src, hit, after] of cases) {
    for (const parse of [true, false]) {
      const f = one(src, 'HP201', parse);
      assert.equal(flagged(src, f), hit, src);
      assert.equal(f.severity, 'warning');
      assert.equal(f.fix?.auto, false);
      assert.ok(fixed(src, f).includes(after), `${src} → ${fixed(src, f)}`);
    }
  }
});

test('HP201 fires on warp-size constants defined as 32', () => {
  for (const src of ['#define WARP_SIZE 32\n', 'constexpr int kWarpSize = 32;', 'enum { WARPSIZE = 32 };', 'static const int warp_size = 32u;']) {
    const f = one(src, 'HP201');
    assert.match(flagged(src, f), /^32u?$/);
    assert.match(f.message, /64 lanes/);
    assert.ok(fixed(src, f).includes('warpSize'));
  }
  const shadow = 'const int warpSize = 32;';
  const f = one(shadow, 'HP201');
  assert.equal(flagged(shadow, f), 'warpSize = 32');
  assert.match(f.message, /HIP already declares warpSize/);
});

test('HP201 fires on a shuffle reduction starting at offset 16', () => {
  const src = '__device__ float r(float v) { for (int o = 16; o > 0; o /= 2) v += __shfl_down_sync(0xffffffff, v, o); return v; }';
  const f = one(src, 'HP201');
  assert.equal(flagged(src, f), '16');
  assert.ok(fixed(src, f).includes('int o = warpSize / 2;'));
});

test('HP201 near-misses: array sizes, loop bounds, unrelated * 32, block sizes, comparisons', () => {
  none('__global__ void k() { __shared__ float s[32]; float t[32][33]; }', 'HP201');
  none('void f(float* a) { for (int i = 0; i < 32; i++) a[i] = 0; }', 'HP201');
  none('__global__ void k(float* a, int x) { a[x * 32 + 1] = 0; int r = row * 32; }', 'HP201');
  none('void h() { dim3 block(32, 8); block.x = 32; k<<<1, 32>>>(); }', 'HP201');
  none('__global__ void k(int n) { int chunks = n / 32; int m = n % 32; }', 'HP201');
  none('#define TILE 32\nconst int BLOCK = 32;', 'HP201');
  none('__device__ int f() { return warpSize == 32 ? 1 : 0; }', 'HP201');
  none('__device__ void f(int lane) { int y = lane % warpSize; }', 'HP201');
});

test('HP202 fires on ballot results in 32-bit types and offers unsigned long long', () => {
  for (const ty of ['unsigned', 'unsigned int', 'uint32_t', 'int']) {
    const src = `__global__ void k(int p) { const ${ty} m = __ballot_sync(0xffffffff, p); }`;
    const f = one(src, 'HP202');
    assert.equal(flagged(src, f), ty);
    assert.equal(f.fix?.auto, false);
    assert.ok(fixed(src, f).includes('const unsigned long long m = __ballot_sync'));
  }
  none('__global__ void k(int p) { unsigned long long m = __ballot(p); auto n = __ballot(p); uint64_t q = __ballot(p); }', 'HP202');
});

test('HP204: __popc on a ballot → __popcll; auto only for the direct call or a same-function variable', () => {
  const direct = '__global__ void k(int p) { int c = __popc(__ballot(p)); }';
  const f = one(direct, 'HP204');
  assert.equal(flagged(direct, f), '__popc');
  assert.equal(f.fix?.auto, true);
  assert.equal(fixed(direct, f), '__global__ void k(int p) { int c = __popcll(__ballot(p)); }');

  const viaVar = '__global__ void k(int p) { unsigned long long m = __ballot_sync(0xffffffff, p); int c = __popc(m); }';
  assert.equal(one(viaVar, 'HP204').fix?.auto, true);
  // functions are found by tokens, so token-only analysis decides the same
  assert.equal(one(viaVar, 'HP204', false).fix?.auto, true);
  // a ballot variable at namespace scope (no enclosing function): offered only
  const global = 'unsigned long long m = __ballot(1);\n__device__ int h() { return __popc(m); }';
  assert.equal(one(global, 'HP204').fix?.auto, false);

  const otherFn = '__device__ unsigned long long g(int p) { unsigned long long m = __ballot(p); return m; }\n__device__ int h(unsigned m) { return __popc(m); }';
  assert.equal(one(otherFn, 'HP204').fix?.auto, false);

  // a 32-bit variable already lost lanes 32..63: offered only (its type is HP202)
  for (const ty of ['int', 'unsigned', 'uint32_t']) {
    const narrow = `__global__ void k(int p) { ${ty} m = __ballot(p); int c = __popc(m); }`;
    assert.equal(one(narrow, 'HP204').fix?.auto, false, ty);
  }

  none('__global__ void k(unsigned x) { int c = __popc(x); }', 'HP204');
});

test('HP207 fires on hand-built 32-bit lane masks in ballot code only', () => {
  const src = '__global__ void k(int p, int lane) { unsigned long long b = __ballot(p); unsigned below = b & ((1u << lane) - 1); unsigned m = 0xffffffff >> (32 - lane); }';
  const fs = findings(src, 'HP207');
  assert.deepEqual(fs.map((f) => flagged(src, f)), ['1u', '0xffffffff']);
  assert.ok(fixed(src, fs[0]!).includes('(1ull << lane)'));
  assert.equal(fs[1]!.fix, undefined);
  none('__global__ void k(int lane, unsigned* o) { o[0] = 1u << lane; }', 'HP207');
  none('__global__ void k(int p, int i) { unsigned long long b = __ballot(p); unsigned x = 1u << i; }', 'HP207');
});
