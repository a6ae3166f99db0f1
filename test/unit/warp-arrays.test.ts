/**
 * Issue 16, class 1: shared arrays sized by a fixed warp width and indexed by the real one.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { analyze } from '../../src/core/analyze';
import type { Finding } from '../../src/core/findings';

before(async () => {
  await initParser();
});

function warpFindings(src: string, offloadArch?: string[]): Finding[] {
  return analyze(src, { targetRocm: '6.2', ...(offloadArch ? { offloadArch } : {}) }).findings.filter((f) => f.family === 'warp' && /__shared__/.test(f.message));
}

const PER_WAVE64 = `#define BLOCK 256
__global__ void sum(const float* x, float* out) {
  __shared__ float partial[BLOCK / 64];
  int warp = threadIdx.x / warpSize;
  float v = x[blockIdx.x * BLOCK + threadIdx.x];
  if (threadIdx.x % warpSize == 0) partial[warp] = v;
  __syncthreads();
  if (threadIdx.x == 0) out[blockIdx.x] = partial[0];
}
`;

const PER_LANE32 = `__global__ void bcast(const float* x, float* out) {
  __shared__ float slot[32];
  int lane = threadIdx.x % warpSize;
  slot[lane] = x[threadIdx.x];
  __syncthreads();
  out[threadIdx.x] = slot[31 - lane];
}
`;

test('a shared array with one slot per 64-lane wavefront, indexed by a warpSize warp index: HP208 (wave32)', () => {
  const fs = warpFindings(PER_WAVE64);
  assert.equal(fs.length, 1, JSON.stringify(fs.map((f) => f.message)));
  const f = fs[0]!;
  assert.equal(f.code, 'HP208');
  assert.equal(f.severity, 'warning');
  assert.match(f.message, /wave32 \(gfx1030\)/);
  assert.equal(PER_WAVE64.slice(f.start, f.end), 'partial[warp]');
  assert.deepEqual(f.related?.map((r) => PER_WAVE64.slice(r.start, r.end)), ['partial[BLOCK / 64]']);
  // judged on CDNA only: information
  assert.equal(warpFindings(PER_WAVE64, ['gfx90a'])[0]!.severity, 'information');
});

test('a shared array of 32 slots indexed by a warpSize lane: HP201 (wave64), also through a constant and __lane_id()', () => {
  const fs = warpFindings(PER_LANE32);
  assert.equal(fs.length, 1, JSON.stringify(fs.map((f) => f.message)));
  assert.equal(fs[0]!.code, 'HP201');
  assert.match(fs[0]!.message, /wave64 \(gfx90a\)/);
  assert.equal(PER_LANE32.slice(fs[0]!.start, fs[0]!.end), 'slot[lane]');
  const viaConst = `#define WARP_SIZE 32\n__global__ void k(float* o) { __shared__ float s[WARP_SIZE]; s[__lane_id()] = 1.f; o[0] = s[0]; }\n`;
  assert.deepEqual(warpFindings(viaConst).map((f) => f.code), ['HP201']);
  assert.equal(warpFindings(PER_LANE32, ['gfx1030'])[0]!.severity, 'information');
});

test('look-alikes stay quiet: logical 32-lane warps, warpSize-sized buffers, other indices', () => {
  const quiet = [
    // sized by 32-lane warps and indexed by 32-lane warps: a logical warp, right on any width
    `__global__ void k(float* o) { __shared__ float s[256 / 32]; int w = threadIdx.x / 32; s[w] = 1.f; o[0] = s[0]; }`,
    // one slot per warp for up to 1024 threads, indexed by a warpSize warp index: at most 32 warps on any GPU
    `__global__ void k(float* o) { __shared__ float s[32]; int w = threadIdx.x / warpSize; s[w] = 1.f; o[0] = s[0]; }`,
    // per-64 array indexed by a 64-lane warp index
    `__global__ void k(float* o) { __shared__ float s[256 / 64]; s[threadIdx.x / 64] = 1.f; o[0] = s[0]; }`,
    // a tile of 32 indexed by threadIdx.x % 32
    `__global__ void k(float* o) { __shared__ float tile[32]; tile[threadIdx.x % 32] = 1.f; o[0] = tile[0]; }`,
    // 64 slots indexed by a warpSize lane: fits both widths
    `__global__ void k(float* o) { __shared__ float s[64]; int lane = threadIdx.x % warpSize; s[lane] = 1.f; o[0] = s[0]; }`,
  ];
  for (const src of quiet) assert.deepEqual(warpFindings(src), [], src);
});
