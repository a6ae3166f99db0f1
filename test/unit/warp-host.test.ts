import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { analyze } from '../../src/core/analyze';
import type { Finding } from '../../src/core/findings';
import { applyEdits } from '../../src/core/text';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli-run';

before(async () => {
  await initParser();
});

/** HP209 findings of `src` (ROCm 6.2 target, default targets gfx90a + gfx1030 unless `offloadArch`). */
function hp209(src: string, parse = true, offloadArch?: string[]): Finding[] {
  return analyze(src, { targetRocm: '6.2', parse, ...(offloadArch ? { offloadArch } : {}) }).findings.filter((f) => f.code === 'HP209');
}
const related = (src: string, f: Finding): string[] => (f.related ?? []).map((r) => src.slice(r.start, r.end));

// a ballot per 32-lane warp, counted into one slot per warp: the host sizes the slots by WARP_SIZE
const BALLOT = `#define WARP_SIZE 32
__global__ void count(const int* in, int* counts) {
  int lane = threadIdx.x % WARP_SIZE;
  int warp = threadIdx.x / WARP_SIZE;
  unsigned long long b = __ballot(in[blockIdx.x * blockDim.x + threadIdx.x] > 0);
  if (lane == 0) counts[blockIdx.x * (blockDim.x / WARP_SIZE) + warp] = __popcll(b);
}
void run(const int* in, int* out, int n) {
  int threads = WARP_SIZE * 8;
  int blocks = n / threads;
  int* counts;
  cudaMalloc(&counts, blocks * (threads / WARP_SIZE) * sizeof(int));
  count<<<blocks, threads>>>(in, counts);
}
`;

test('HP209 (wave64): a warp constant sizing host buffers and launches for a kernel that means the wavefront by it', () => {
  for (const parse of [true, false]) {
    const fs = hp209(BALLOT, parse);
    assert.equal(fs.length, 1, JSON.stringify(fs.map((f) => f.message)));
    const f = fs[0]!;
    assert.equal(f.severity, 'warning');
    assert.equal(BALLOT.slice(f.start, f.end), 'WARP_SIZE');
    assert.equal(BALLOT.slice(0, f.start).split('\n').length, 9, 'the first host use: int threads = WARP_SIZE * 8');
    assert.match(f.message, /WARP_SIZE \(32\).*wave64 \(gfx90a\).*hipDeviceAttributeWarpSize/);
    assert.doesNotMatch(f.message, /wave32 \(gfx1030\)/);
    // the #define, the kernel's wavefront-wide use, the other host use, and the launch it reaches through `threads`
    assert.deepEqual(related(BALLOT, f), ['32', 'WARP_SIZE', 'WARP_SIZE', 'threads']);
    assert.match(f.related![1]!.message, /count groups lanes by WARP_SIZE with __ballot here/);
    // the reviewed fix reads the device's width once and uses it for both host uses; never -DWARP_SIZE
    assert.equal(f.fix?.auto, false);
    const out = applyEdits(BALLOT, f.fix!.edits);
    assert.ok(out.includes('void run(const int* in, int* out, int n) {\n  int hp_warp_size = 32;'), out);
    assert.ok(out.includes('cudaDeviceGetAttribute(&hp_warp_size, cudaDevAttrWarpSize, hp_device);'), out);
    assert.ok(out.includes('int threads = hp_warp_size * 8;') && out.includes('(threads / hp_warp_size)'), out);
    assert.ok(out.includes('int lane = threadIdx.x % WARP_SIZE;'), 'device code is left to HP201');
    assert.ok(!out.includes('-DWARP_SIZE'));
  }
  // an RDNA-only port is not hurt by a 32 constant: information
  assert.deepEqual(hp209(BALLOT, true, ['gfx1100']).map((f) => f.severity), ['information']);
});

test('HP209: geometry of hipLaunchKernelGGL and a kernel that divides by warpSize; a 64 constant hurts wave32', () => {
  const src = `#include <hip/hip_runtime.h>
constexpr int kWave = 64;
__global__ void k(float* slots) { int w = threadIdx.x / warpSize; slots[blockIdx.x * 4 + w] = 1.0f; }
void go(float* slots, int n) {
  hipLaunchKernelGGL(k, dim3(n), dim3(kWave * 4), 0, 0, slots);
}
`;
  for (const parse of [true, false]) {
    const fs = hp209(src, parse);
    assert.equal(fs.length, 1);
    assert.match(fs[0]!.message, /a launch by kWave \(64\).*wave32 \(gfx1030\).*twice as many wavefronts/);
    assert.match(fs[0]!.related![1]!.message, /k works per wavefront with HIP's warpSize/);
    assert.ok(applyEdits(src, fs[0]!.fix!.edits).includes('hipDeviceGetAttribute(&hp_warp_size, hipDeviceAttributeWarpSize, hp_device);'));
  }
  assert.deepEqual(hp209(src, true, ['gfx942']).map((f) => f.severity), ['information']);
});

test('HP209 stays quiet: a warp-named tile size, a logical 32-lane reduction, a shuffle with an explicit width, no host launch use', () => {
  const quiet = [
    // transpose tile: no cross-lane operation, no warpSize
    '#define WARP_SIZE 32\n__global__ void tr(float* o, const float* i) { __shared__ float t[WARP_SIZE][WARP_SIZE + 1]; t[threadIdx.y][threadIdx.x] = i[threadIdx.x]; o[threadIdx.y] = t[threadIdx.x][threadIdx.y]; }\nvoid h(float* o, const float* i) { dim3 block(WARP_SIZE, 8); tr<<<1, block>>>(o, i); }\n',
    // a 32-lane logical warp reduction (relative shuffles): correct on wave64, the host agrees with it
    '#define WARP_SIZE 32\n__global__ void r(float* p, const float* in) { int lane = threadIdx.x % WARP_SIZE; float v = in[threadIdx.x]; for (int o = 16; o > 0; o /= 2) v += __shfl_down_sync(0xffffffff, v, o); if (lane == 0) p[threadIdx.x / WARP_SIZE] = v; }\nvoid h(float* p, const float* in) { int threads = WARP_SIZE * 8; float* d; cudaMalloc(&d, (threads / WARP_SIZE) * sizeof(float)); r<<<1, threads>>>(d, in); }\n',
    // a broadcast with an explicit width of 32
    '#define WARP_SIZE 32\n__global__ void b(float* p, float v) { int lane = threadIdx.x % WARP_SIZE; p[lane] = __shfl_sync(0xffffffff, v, 0, 32); }\nvoid h(float* p) { b<<<1, WARP_SIZE * 4>>>(p, 1.0f); }\n',
    // another kernel of the file divides by warpSize, but the launched one does not (llm.c's matmul_backward_bias7)
    '__global__ void a(float* s) { int w = threadIdx.x / warpSize; s[w] = 0; }\n__global__ void b(float* s) { s[threadIdx.x] = 0; }\nvoid h(float* s) { const int warp_size = 32; const int per = warp_size * 8; b<<<1, dim3(32, 16), per * sizeof(float)>>>(s); }\n',
    // the wavefront-meaning kernel, but the host uses the constant only in a printout
    '#define WARP_SIZE 32\n__global__ void c(int* o, int p) { int lane = threadIdx.x % WARP_SIZE; o[lane] = __ballot(p) != 0; }\nvoid h() { printf("%d\\n", WARP_SIZE); }\n',
  ];
  for (const src of quiet) for (const parse of [true, false]) assert.deepEqual(hp209(src, parse).map((f) => f.message), [], src);
});

test('scan text report at ROCm 7.0: the per-call HP203 mask rewrites are one line per file, the per-function mask warning stays listed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-warp-'));
  writeFileSync(join(dir, 'k.cu'), '#define MASK 0xffffffff\n__device__ float r(float v) {\n  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffff, v, o);\n  v += __shfl_xor_sync(MASK, v, 1);\n  return v + __shfl_xor_sync(MASK, v, 2);\n}\n');
  const r = await cli('scan', '--target-rocm', '7.0', dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\n {2}3 other rewrites the translator performs \(HP203 ×3; --verbose lists them\)\n/);
  assert.match(r.out, /4:\d+ +warning +HP203 +mask MASK \(MASK = 0xffffffff/);
  assert.doesNotMatch(r.out, /hint +HP203/);
  assert.match((await cli('scan', '--verbose', '--target-rocm', '7.0', dir)).out, /3:\d+ +hint +HP203/);
});

test('HP209: WARP_SIZE from a header (used, never defined here) counts as 32; a warp-size variable or parameter does not', () => {
  const src = BALLOT.replace('#define WARP_SIZE 32\n', '#include "warp.cuh"\n');
  const fs = hp209(src);
  assert.equal(fs.length, 1);
  assert.match(fs[0]!.message, /WARP_SIZE \(defined outside this file; 32, the CUDA warp, assumed\)/);
  assert.deepEqual(related(src, fs[0]!), ['WARP_SIZE', 'WARP_SIZE', 'threads']);
  // a parameter: the caller may pass the device's width
  const param = src.replace('void run(const int* in, int* out, int n) {', 'void run(const int* in, int* out, int n, int WARP_SIZE) {');
  assert.deepEqual(hp209(param).map((f) => f.message), []);
});
