/**
 * Corpus of the incremental-analysis tests: the CUDA fixtures, the bundled sample, a slice of the
 * LSP benchmark's generated file, and snippets written to probe dependencies between top-level
 * items (a macro defined in one item and used in another, device functions called across items,
 * namespace aliases, include guards).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error plain ESM benchmark script without types
import { generate } from '../../bench/lsp-bench.mjs';
import { analyze, runRules } from '../../src/core/analyze';
import { topLevelItems } from '../../src/core/incremental';
import { parse } from '../../src/core/parse';
import { tokenAt } from '../../src/core/rules/util';

const root = join(__dirname, '..', '..');

function cudaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...cudaFiles(p));
    else if (/\.(cu|cuh|h|hip)$/.test(e)) out.push(p);
  }
  return out;
}

/** Snippets with dependencies across top-level items. */
export const CROSS_ITEM_SNIPPETS: ReadonlyArray<[string, string]> = [
  [
    'wavefront-width constants, broadcasts and branches AMD never compiles, across items',
    `#include <cuda_runtime.h>
#define C10_WARP_SIZE 32
#define WAVE 64
__global__ void ballotPerWarp(unsigned long long* o, int p) {
  int lane = threadIdx.x % C10_WARP_SIZE;
  unsigned long long m = __ballot(p);
  if (lane == 31) o[threadIdx.x / 32] = m;
}
__global__ void waveGroups(float v, float* o) {
  int lane = threadIdx.x % WAVE;
  o[lane] = __shfl(v, lane ^ 1);
  for (int d = 32; d > 0; d >>= 1) v += __shfl_down(v, d);
}
__global__ void softmaxRow(float* o, const float* in) {
  float m = in[threadIdx.x];
  m = __shfl_sync(0xFFFFFFFF, m, 0);
  o[threadIdx.x] = m;
}
#if __CUDA_ARCH__ >= 530
#define HAS_FP16 1
#endif
__global__ void onlyNew(float* a) {
#if __CUDA_ARCH__ >= 530
  a[0] = 1;
#endif
}
__device__ int lane_id(int x) {
#if defined(__PTX__)
  asm("mov.u32 %0, %%laneid;" : "=r"(x));
#else
  x = __lane_id();
#endif
  return x;
}
void pick(int dev) {
  cudaDeviceProp prop;
  cudaGetDeviceProperties(&prop, dev);
  if (prop.major >= 9) dev++;
}
void pick2(cudaDeviceProp& p, int dev) {
  if (p.major >= 8 && p.minor >= 6) dev++;
}
void CUDART_CB release(void* data) {
  cudaEventDestroy(*(cudaEvent_t*)data);
}
void enqueue(cudaStream_t s, void* d) {
  cudaLaunchHostFunc(s, release, d);
}
__global__ void reduceTwice(float* o, const float* in) {
  typedef cub::BlockReduce<float, 256> BR;
  __shared__ typename BR::TempStorage ts;
  float a = BR(ts).Sum(in[threadIdx.x]);
  float b = BR(ts).Sum(a);
  o[__smid()] = __fsqrt_rn(b);
}
__global__ void hist(const int* in, int* bins, int n) {
  if (threadIdx.x < n) atomicAdd(&bins[in[threadIdx.x]], 1);
}
void histogram(const int* in, int n) {
  int* bins;
  cudaMalloc(&bins, 256 * sizeof(int));
  hist<<<1, 256>>>(in, bins, n);
}
`,
  ],
  [
    'warp-size macro used in another function',
    `#include <cuda_runtime.h>
#define WARP_SIZE 32
#define FULL_MASK 0xffffffff
const int kWarp = 32;
__device__ float warpSum(float v) {
  for (int o = WARP_SIZE / 2; o > 0; o >>= 1) v += __shfl_down_sync(FULL_MASK, v, o);
  return v;
}
__global__ void k(float* out) {
  int lane = threadIdx.x % WARP_SIZE;
  int warp = threadIdx.x / kWarp;
  float s = warpSum(out[threadIdx.x]);
  if (lane == 0) out[warp] = s;
}
`,
  ],
  [
    'host function called from device code defined elsewhere',
    `#include <cstdio>
static int hostOnly(int x) { return x + 1; }
__host__ __device__ int both(int x) { return x * 2; }
inline int alsoHost(int y) { return y; }
__global__ void k(int* p) {
  p[0] = hostOnly(p[0]);
  p[1] = both(p[1]);
  p[2] = alsoHost(p[2]);
}
int main() { k<<<1, 1>>>(nullptr); cudaDeviceSynchronize(); return hostOnly(1); }
`,
  ],
  [
    'namespace aliases and library namespaces',
    `#include <cub/cub.cuh>
#include <thrust/device_vector.h>
#include <cooperative_groups.h>
namespace cg = cooperative_groups;
using namespace cub;
__global__ void k(int* d) {
  cg::thread_block b = cg::this_thread_block();
  typedef cub::WarpReduce<int> WR;
  __shared__ typename WR::TempStorage tmp;
  d[0] = WR(tmp).Sum(d[threadIdx.x]);
  b.sync();
}
void h(thrust::device_vector<int>& v) { thrust::sort(thrust::cuda::par, v.begin(), v.end()); }
`,
  ],
  [
    'include guard and CUDA header guard tests',
    `#ifndef MY_HELPERS_H
#define MY_HELPERS_H
#include <cuda_runtime.h>
#ifdef __DRIVER_TYPES_H__
static const char* errName(cudaError_t e) { return cudaGetErrorName(e); }
#endif
namespace util {
__device__ inline unsigned lane() { unsigned r; asm("mov.u32 %0, %%laneid;" : "=r"(r)); return r; }
template <typename T> __global__ void fill(T* p, T v) { p[blockIdx.x * blockDim.x + threadIdx.x] = v; }
}
extern "C" {
void launchFill(float* p, int n) { util::fill<<<n / 256, 256>>>(p, 1.0f); }
}
#endif
`,
  ],
  [
    'ballot stored and counted across items',
    `#include <cuda_runtime.h>
typedef unsigned int mask_t;
__device__ mask_t vote(bool p) { return __ballot_sync(0xffffffff, p); }
__device__ int count(bool p) { mask_t m = vote(p); return __popc(m); }
__global__ void __launch_bounds__(1024, 2) big(int* o) { o[threadIdx.x] = count(o[threadIdx.x] > 0); }
void run(int* o) { big<<<1, 1024>>>(o); cudaDeviceProp prop; cudaGetDeviceProperties(&prop, 0); if (prop.major >= 7) big<<<2, 512>>>(o); }
`,
  ],
  [
    'texture references, symbols and register',
    `#include <cuda_runtime.h>
texture<float, 1, cudaReadModeElementType> texRef;
__constant__ float coef[4];
__device__ float fetch(int i) { register float r = tex1Dfetch(texRef, i); return r * coef[0]; }
void upload(const float* h) { cudaMemcpyToSymbol(coef, h, sizeof(coef)); cudaBindTexture(0, texRef, h, 16); }
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 700
__device__ void fence() { __threadfence_system(); }
#endif
`,
  ],
  [
    'device-specifier macro, launch constants and kernels defined far from their use',
    `#include <cuda_runtime.h>
#define DEV __device__
#define BLOCK 512
dim3 gBlock(32, 32);
static int spacer1() { return 1; }
static int spacer2() { return 2; }
__global__ void child(int* p) { p[0] = 1; }
static int spacer3() { return 3; }
static int spacer4() { return 4; }
DEV void parent(int* p) { child<<<1, 1>>>(p); unsigned r; asm volatile("" : "=r"(r)); p[1] = r; }
static int spacer5() { return 5; }
void launch(int* p) { child<<<1, BLOCK>>>(p); child<<<2, gBlock>>>(p); }
`,
  ],
  [
    'namespaces, globals and ballot variables declared in another item',
    `#include <cuda_runtime.h>
#include <cooperative_groups.h>
#include <cuda_fp16.h>
#include <mma.h>
namespace cg = cooperative_groups;
using namespace nvcuda;
namespace cub { int helper(); }
cudaDeviceProp gProp;
cudaPointerAttributes gAttr;
const unsigned kLaneBit = 1u << kLaneIndex;
static int spacer1() { return 1; }
static int spacer2() { return 2; }
__device__ unsigned v1(bool p) { unsigned long long m = __ballot_sync(0xffffffff, p); return (unsigned)m; }
__device__ float f1(half2 h) { return 0.0f; }
static int spacer3() { return 3; }
static int spacer4() { return 4; }
__device__ int v2(unsigned m) { return __popc(m); }
__device__ float f2(float2 h) { return h.x; }
__device__ int r(int v) { auto b = cg::this_thread_block(); auto t = cg::tiled_partition<32>(b); return cg::reduce(t, v, cg::plus<int>()) + t.meta_group_rank(); }
static int spacer5() { return 5; }
void h() { cub::helper(); wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> a; }
int cc() { return gProp.major * 10 + gProp.minor; }
static int spacer6() { return 6; }
static int spacer7() { return 7; }
bool newer(const void* p) { cudaPointerGetAttributes(&gAttr, p); return gProp.major >= 8 && gAttr.type == cudaMemoryTypeDevice; }
`,
  ],
  [
    'runtime include missing, libraries used far apart',
    `#include <cstdio>
#include <thrust/device_vector.h>
static int spacer1() { return 1; }
static int spacer2() { return 2; }
static int spacer3() { return 3; }
void f(thrust::device_vector<int>& v) { thrust::fill(v.begin(), v.end(), 0); }
static int spacer4() { return 4; }
static int spacer5() { return 5; }
__global__ void k(int* p) { p[threadIdx.x] = 0; }
`,
  ],
];

/** `[name, text]` of every corpus file. */
export function windowCorpus(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const dir of ['test/fixtures/cuda', 'test/fixtures/expected', 'samples/nbody-lab']) {
    for (const p of cudaFiles(join(root, dir))) out.push([p.slice(root.length + 1), readFileSync(p, 'utf8')]);
  }
  out.push(['bench/lsp-bench generate(1500)', (generate as (lines: number) => string)(1500)]);
  for (const [name, text] of CROSS_ITEM_SNIPPETS) out.push([name, text]);
  return out;
}

/** Failures (one line each) of the window check over `text`; empty when windowed == full. */
export function windowMismatches(name: string, text: string, options = { targetRocm: '5.2' }): string[] {
  const tree = parse(text);
  try {
    const full = analyze(text, { ...options, tree });
    const items = topLevelItems(tree.rootNode);
    const out: string[] = [];
    for (let k = 0; k < items.length; k++) {
      const lo = items[Math.max(0, k - 1)]!.start;
      const hi = items[Math.min(items.length - 1, k + 1)]!.end;
      const w = runRules({
        text,
        tokens: full.tokens,
        tree,
        nodeAt: full.nodeAt,
        parseErrors: full.parseErrors,
        options,
        window: { start: lo, end: hi, firstToken: tokenAt(full.tokens, lo), endToken: tokenAt(full.tokens, hi) },
      });
      const expected = full.localFindings.filter((f) => f.start >= lo && f.start < hi);
      const got = JSON.stringify(w.localFindings);
      if (got !== JSON.stringify(expected)) {
        const e = new Set(expected.map((f) => JSON.stringify(f)));
        const g = new Set(w.localFindings.map((f) => JSON.stringify(f)));
        const missing = [...e].filter((x) => !g.has(x)).map((x) => JSON.parse(x) as { code: string; start: number; end: number });
        const extra = [...g].filter((x) => !e.has(x)).map((x) => JSON.parse(x) as { code: string; start: number; end: number });
        const show = (f: { code: string; start: number; end: number }) => `${f.code}@${f.start} '${text.slice(f.start, f.end).slice(0, 40)}'`;
        out.push(`${name} window [${lo}, ${hi}) '${text.slice(items[k]!.start, items[k]!.end).slice(0, 50).replace(/\s+/g, ' ')}': missing ${missing.map(show).join(', ') || '-'}; extra ${extra.map(show).join(', ') || '-'}${missing.length + extra.length === 0 ? ' (order differs)' : ''}`);
      }
      if (JSON.stringify(w.fileFindings) !== JSON.stringify(full.fileFindings)) out.push(`${name} window [${lo}, ${hi}): file findings differ`);
    }
    return out;
  } finally {
    tree.delete();
  }
}
