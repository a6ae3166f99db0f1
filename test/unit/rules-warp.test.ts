import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { analyze } from '../../src/core/analyze';
import type { Finding } from '../../src/core/findings';
import { findings, fixed, flagged, none, one } from './rules-fixtures/helpers';
import { applyEdits } from '../../src/core/text';

before(async () => {
  await initParser();
});

/** Findings of the warp family in `src` for the given targets (default: gfx90a + gfx1030, both wavefront widths). */
function warp(src: string, code: string, offloadArch?: string[], parse = true): Finding[] {
  return analyze(src, { targetRocm: '5.2', parse, ...(offloadArch ? { offloadArch } : {}) }).findings.filter((f) => f.code === code);
}

/** The one warning of `code` (information findings, e.g. a constant's definition, left out). */
function oneWarning(src: string, code: string, parse = true): Finding {
  const fs = warp(src, code, undefined, parse).filter((f) => f.severity === 'warning');
  assert.equal(fs.length, 1, `${src}: ${JSON.stringify(fs.map((f) => f.message))}`);
  return fs[0]!;
}

const related = (src: string, f: Finding): string[] => (f.related ?? []).map((r) => src.slice(r.start, r.end));

test('HP201 (wave64): lanes grouped by 32 in a function with a whole-wavefront operation', () => {
  const cases: Array<[string, string, string[], string]> = [
    // ballot per 32-lane warp: on wave64 both halves get the whole wavefront's ballot
    ['__global__ void k(int* o, int p) { int lane = threadIdx.x % 32; unsigned long long b = __ballot(p); if (lane == 0) o[threadIdx.x / 32] = __popcll(b); }', '32', ['32', '__ballot'], 'int lane = threadIdx.x % warpSize; unsigned long long b = __ballot(p); if (lane == 0) o[threadIdx.x / warpSize]'],
    // broadcast from lane 0 with the default width: lanes 32..63 read lane 0, not lane 32
    // (shuffles only: the fix keeps the 32-lane logical warp with a width of 32, as hand ports do)
    ['__device__ float bc(float v) { int lane = threadIdx.x & 31; float x = __shfl(v, 0); return lane ? x : v; }', '31', ['__shfl'], 'float x = __shfl(v, 0, 32);'],
    // warp id by >> 5 with a vote
    ['__global__ void k(int* flags, int p) { int w = threadIdx.x >> 5; if (__any(p)) flags[w] = 1; }', '>> 5', ['__any'], 'int w = threadIdx.x / warpSize;'],
    // last-lane test after a scan step
    ['__global__ void k(float* s, float v, int lane) { float t = __shfl_up(v, 1); if (lane == 31) s[0] = t; }', '31', ['__shfl_up'], 'float t = __shfl_up(v, 1, 32); if (lane == 31)'],
    // __activemask kept per 32-lane warp
    ['__global__ void k(int* o) { int warp_id = threadIdx.x / 32; o[warp_id] = __popcll(__activemask()); }', '32', ['__activemask'], 'int warp_id = threadIdx.x / warpSize;'],
  ];
  for (const [src, hit, rel, after] of cases) {
    for (const parse of [true, false]) {
      const f = oneWarning(src, 'HP201', parse);
      assert.equal(flagged(src, f), hit, src);
      assert.match(f.message, /wave64 \(gfx90a\)/);
      assert.deepEqual(related(src, f), rel, src);
      assert.equal(f.fix?.auto, false);
      assert.ok(fixed(src, f).includes(after), `${src} → ${fixed(src, f)}`);
    }
  }
});

test('HP201: a warp-size macro used in lane arithmetic points at its #define and fixes it per architecture', () => {
  const src = '#define C10_WARP_SIZE 32\n__global__ void k(unsigned long long* o, int p) {\n  int lane = threadIdx.x % C10_WARP_SIZE;\n  unsigned long long m = __ballot(p);\n  o[lane] = m;\n}\n';
  const f = oneWarning(src, 'HP201');
  assert.equal(flagged(src, f), 'C10_WARP_SIZE');
  assert.match(f.message, /__ballot in this function spans the whole wavefront/);
  assert.deepEqual(
    (f.related ?? []).map((r) => [src.slice(r.start, r.end), r.message]),
    [
      ['__ballot', '__ballot spans the whole wavefront here'],
      ['32', 'C10_WARP_SIZE is defined as 32 here'],
    ],
  );
  assert.ok(fixed(src, f).startsWith('#if defined(__GFX9__)\n#define C10_WARP_SIZE 64\n#else\n#define C10_WARP_SIZE 32\n#endif\n'), fixed(src, f));
  // the definition itself is advice (information), with the same portable fix
  const def = warp(src, 'HP201').find((x) => x.severity === 'information')!;
  assert.equal(flagged(src, def), '32');
  assert.ok(fixed(src, def).includes('#if defined(__GFX9__)'));
  // never one build-wide value
  for (const x of warp(src, 'HP201')) assert.ok(!fixed(src, x).includes('-DWARP_SIZE'), x.message);
});

test('HP201/HP208 stay quiet on logical warps: explicit width, 32-lane reductions, tiled_partition<32>, WarpReduce<T, 32>', () => {
  const quiet = [
    '__device__ float r(float v) { for (int o = 16; o > 0; o /= 2) v += __shfl_xor(v, o, 32); return v; }',
    '__device__ float r(float v) { for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffff, v, o, 32); return v; }',
    // a 32-lane reduction read at lane 0 of each 32-lane group is right on wave64 too
    '__global__ void k(float* out, float v) { int lane = threadIdx.x % 32; int warp = threadIdx.x / 32; for (int o = 16; o > 0; o /= 2) v += __shfl_down_sync(0xffffffff, v, o); if (lane == 0) out[warp] = v; }',
    '__global__ void k(float* out, float v) { auto g = cg::tiled_partition<32>(cg::this_thread_block()); typedef cub::WarpReduce<float, 32> WR; __shared__ typename WR::TempStorage ts; out[0] = WR(ts).Sum(v); }',
    '__global__ void k(float v, float* o) { int lane = threadIdx.x % 32; o[lane] = __shfl(v, lane ^ 1, 32); }',
    // 64-lane grouping without any cross-lane operation is only indexing
    '__global__ void k(float* a) { int lane = threadIdx.x % 64; a[lane] = 0; }',
  ];
  for (const src of quiet) {
    for (const code of ['HP201', 'HP208']) none(src, code);
  }
});

test('HP201 (wave64): a reduction from offset 16 where lanes are grouped by warpSize', () => {
  const src = '__global__ void k(float* out, float v) { int lane = threadIdx.x % warpSize; for (int o = 16; o > 0; o /= 2) v += __shfl_down(v, o); if (lane == 0) out[threadIdx.x / warpSize] = v; }';
  const f = oneWarning(src, 'HP201');
  assert.equal(flagged(src, f), '16');
  assert.match(f.message, /only half of each wavefront/);
  assert.deepEqual(related(src, f), ['warpSize']);
  assert.ok(fixed(src, f).includes('int o = warpSize / 2;'));
});

test('HP208 (wave32): reductions from 32, width-64 shuffles, 64-lane groups, full 64-bit masks', () => {
  const red = '__device__ float r(float v) { for (int o = 32; o > 0; o >>= 1) v += __shfl_down(v, o); return v; }';
  const f = oneWarning(red, 'HP208');
  assert.equal(flagged(red, f), '32');
  assert.match(f.message, /wave32 \(gfx1030\)/);
  assert.ok(fixed(red, f).includes('int o = warpSize / 2;'));

  const width = '__device__ float r(float v) { return v + __shfl_xor(v, 1, 64); }';
  const w = oneWarning(width, 'HP208');
  assert.equal(flagged(width, w), '64');
  assert.equal(fixed(width, w), '__device__ float r(float v) { return v + __shfl_xor(v, 1, warpSize); }');

  const wave = '#define WAVE 64\n__global__ void k(float v, float* o) {\n  int lane = threadIdx.x % WAVE;\n  if (lane == 63) o[0] = __shfl(v, lane ^ 1);\n}\n';
  const g = oneWarning(wave, 'HP208');
  assert.equal(flagged(wave, g), 'WAVE');
  assert.deepEqual(related(wave, g), ['63', '__shfl', '64']);
  assert.ok(fixed(wave, g).includes('#if defined(__GFX9__)\n#define WAVE 64\n#else\n#define WAVE 32\n#endif'));
  const def = warp(wave, 'HP208').find((x) => x.severity === 'information')!;
  assert.match(def.message, /WAVE = 64 is one wavefront width for every GPU/);

  const mask = '__global__ void k(int p, int* o) { if (__ballot(p) == 0xffffffffffffffffull) o[0] = 1; }';
  assert.match(oneWarning(mask, 'HP208').message, /never true/);
});

test('severity follows the configured targets: wave64-only findings are advice for an RDNA-only port, and the other way round', () => {
  const w64 = '__global__ void k(int* o, int p) { int lane = threadIdx.x % 32; unsigned b = __ballot(p); o[lane] = __popc(b); }';
  const w32 = '__device__ float r(float v) { for (int o = 32; o > 0; o >>= 1) v += __shfl_down(v, o); return v; }';
  const sev = (src: string, code: string, archs: string[]): string[] => warp(src, code, archs).map((f) => f.severity);
  for (const code of ['HP201', 'HP202', 'HP204']) {
    assert.deepEqual(sev(w64, code, ['gfx90a']), ['warning'], code);
    assert.deepEqual(sev(w64, code, ['gfx1030', 'gfx1100']), ['information'], code);
  }
  assert.deepEqual(sev(w32, 'HP208', ['gfx1100']), ['warning']);
  assert.deepEqual(sev(w32, 'HP208', ['gfx942']), ['information']);
  assert.match(warp(w32, 'HP208', ['gfx1100', 'gfx1201'])[0]!.message, /wave32 \(gfx1100, gfx1201\)/);
});

test('host code sizing by warp constants is advice that points at hipDeviceProp_t::warpSize', () => {
  const src = '__global__ void k() {}\nint blocks(int threads) { int warps = threads / 32; return warps; }\nint waves(int threads) { int nwave = threads / 64; return nwave; }\n';
  const a = warp(src, 'HP201');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.severity, 'information');
  assert.match(a[0]!.message, /hipDeviceProp_t::warpSize/);
  const b = warp(src, 'HP208');
  assert.equal(b.length, 1);
  assert.equal(b[0]!.severity, 'information');
});

test('warp-size constants defined as 32 are advice with a portable fix; warpSize redefined is a warning', () => {
  for (const [src, after] of [
    ['#define WARP_SIZE 32\n', '#if defined(__GFX9__)\n#define WARP_SIZE 64\n#else\n#define WARP_SIZE 32\n#endif\n'],
    ['constexpr int kWarpSize = 32;', 'constexpr int kWarpSize = warpSize;'],
    ['enum { WARPSIZE = 32 };', 'enum { WARPSIZE = warpSize };'],
    ['static const int warp_size = 32u;', 'static const int warp_size = warpSize;'],
  ] as const) {
    const f = one(src, 'HP201');
    assert.match(flagged(src, f), /^32u?$/);
    assert.equal(f.severity, 'information');
    assert.match(f.message, /half a wavefront/);
    assert.equal(fixed(src, f), after);
  }
  const shadow = 'const int warpSize = 32;';
  const f = one(shadow, 'HP201');
  assert.equal(flagged(shadow, f), 'warpSize = 32');
  assert.equal(f.severity, 'warning');
  assert.match(f.message, /HIP already declares warpSize/);
  none('#define TILE_WARP_SIZE_X 32 + 1\n', 'HP201');
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

test('HP201 (wave64): a broadcast with a 32-bit mask and the default width (a softmax row per 32-lane warp); width 32 is the fix', () => {
  const src = '__global__ void softmax(float* o, const float* in) {\n  int i = blockDim.x * blockIdx.x + threadIdx.x;\n  float m = warpMax(in[i]);\n  m = __shfl_sync(0xFFFFFFFF, m, 0);\n  o[i] = in[i] - m;\n}\n';
  const f = oneWarning(src, 'HP201');
  assert.equal(flagged(src, f), '__shfl_sync');
  assert.match(f.message, /lanes 32\.\.63/);
  assert.ok(fixed(src, f).includes('__shfl_sync(0xFFFFFFFF, m, 0, 32);'));
  // the HIP port of the same code kept the bug with a wider-typed 32-bit mask (0xFFFFFFFFUL)
  assert.equal(oneWarning(src.replace('0xFFFFFFFF', '0xFFFFFFFFUL'), 'HP201').severity, 'warning');
  // with an explicit width, a 64-bit mask, or not in device code: quiet
  none(src.replace('m, 0)', 'm, 0, 32)'), 'HP201');
  none(src.replace('0xFFFFFFFF', '0xFFFFFFFFFFFFFFFFull'), 'HP201');
  // a function written for the real width (a warpSize-wide reduction before the broadcast): quiet
  none(src.replace('float m = warpMax(in[i]);', 'float m = in[i];\n  for (int d = warpSize / 2; d > 0; d >>= 1) m = fmaxf(m, __shfl_down_sync(0xFFFFFFFF, m, d));'), 'HP201');
});

test('a warp-size constant already defined per architecture is quiet', () => {
  const src = '#if defined(__GFX9__)\n#define WARP_SIZE 64\n#else\n#define WARP_SIZE 32\n#endif\n__global__ void k(int* o, int p) { int lane = threadIdx.x % WARP_SIZE; o[lane] = __ballot(p) != 0; }\n';
  none(src, 'HP201');
  none(src, 'HP208');
});

/** Warp-family findings of `code` in `src` at `targetRocm` (default targets gfx90a + gfx1030). */
function at(src: string, code: string, targetRocm: string, parse = true, offloadArch?: string[]): Finding[] {
  return analyze(src, { targetRocm, parse, ...(offloadArch ? { offloadArch } : {}) }).findings.filter((f) => f.code === code);
}

test('HP203 at ROCm 7.0: a full 32-bit mask widened to all 64 lanes is a hint (the translator rewrites it), never a warning', () => {
  const src = '__device__ float r(float v, int p) {\n  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffff, v, o);\n  if (__all_sync(FULL_MASK, p)) v = 0;\n  return v;\n}\n';
  for (const parse of [true, false]) {
    const fs = at(src, 'HP203', '7.0', parse);
    assert.deepEqual(fs.map((f) => f.severity), ['hint', 'hint']);
    assert.ok(fs.every((f) => f.fix?.auto === true));
    const out = applyAll(src, fs);
    assert.ok(out.includes('__shfl_xor_sync(0xffffffffffffffffull, v, o)') && out.includes('__all_sync(0xffffffffffffffffull, p)'), out);
  }
  // at 6.2 the full mask is dropped (the mask-less form): a hint too
  assert.deepEqual(at(src, 'HP203', '6.2').map((f) => f.severity), ['hint', 'hint']);
});

test('HP203 at ROCm 7.0: a 32-bit mask name (#define MASK 0xffffffff) cast to 64 bits is one warning per function, with its uses and definition related', () => {
  const src =
    '#define MASK 0xffffffff\n' +
    '__device__ int a(int v, int p) {\n  v += __shfl_xor_sync(MASK, v, 1);\n  v += __shfl_xor_sync(MASK, v, 2);\n  return v + __any_sync(MASK, p);\n}\n' +
    '__device__ int b(int v) { return __shfl_up_sync(MASK, v, 1); }\n';
  for (const parse of [true, false]) {
    const fs = at(src, 'HP203', '7.0', parse);
    const warn = fs.filter((f) => f.severity === 'warning');
    assert.equal(warn.length, 2, JSON.stringify(warn.map((f) => f.message)));
    assert.equal(fs.filter((f) => f.severity === 'hint').length, 4);
    const w = warn[0]!;
    assert.equal(flagged(src, w), 'MASK');
    assert.match(w.message, /MASK = 0xffffffff.*3 \*_sync calls of this function.*names only lanes 0–31.*wave64 \(gfx90a\)/);
    assert.deepEqual(related(src, w), ['__shfl_xor_sync', '__any_sync', '0xffffffff']);
    // the (reviewed) fix widens the mask of every call of the function to all 64 lanes
    const out = fixed(src, w);
    assert.equal((out.match(/0xffffffffffffffffull/g) ?? []).length, 3, out);
    assert.equal(w.fix?.auto, false);
    // the translator's per-call rewrite keeps the lanes (a cast): what the warning is about
    assert.ok(applyAll(src, fs.filter((f) => f.severity === 'hint')).includes('__shfl_up_sync(static_cast<unsigned long long>(MASK), v, 1)'));
  }
  // an RDNA-only port is not hurt (HIP masks the upper half off on wave32): information
  assert.deepEqual(at(src, 'HP203', '7.0', true, ['gfx1100']).filter((f) => f.severity !== 'hint').map((f) => f.severity), ['information', 'information']);
  // a mask parameter: same one warning per function, no fix (the lanes meant are unknown)
  const param = '__device__ int g(int v, unsigned m) { return __shfl_down_sync(m, v, 1) + __shfl_down_sync(m, v, 2); }';
  const pw = at(param, 'HP203', '7.0').filter((f) => f.severity === 'warning');
  assert.equal(pw.length, 1);
  assert.equal(pw[0]!.fix, undefined);
  // quiet look-alikes: a 64-bit mask name or literal, __activemask()
  for (const q of [
    '#define MASK 0xffffffffffffffffull\n__device__ int a(int v) { return __shfl_xor_sync(MASK, v, 1); }',
    '__device__ int a(int v, unsigned long long m) { return __shfl_xor_sync(0xffffffffffffffffull, v, 1) + __shfl_xor_sync(__activemask(), v, 2); }',
  ]) assert.deepEqual(at(q, 'HP203', '7.0').filter((f) => f.severity === 'warning').map((f) => f.message), []);
});

test('HP203 before ROCm 7.0: a mask name defined as the full mask is dropped quietly; a partial mask is one warning per function', () => {
  const full = '#define MASK 0xffffffff\n__device__ int a(int v, int p) { v += __shfl_xor_sync(MASK, v, 1); return v + __any_sync(MASK, p); }\n';
  for (const target of ['5.2', '6.2']) {
    const fs = at(full, 'HP203', target);
    assert.deepEqual(fs.map((f) => f.severity), ['hint', 'hint'], target);
    assert.ok(applyAll(full, fs).includes('v += __shfl_xor(v, 1); return v + __any(p);'));
  }
  const part = '#define HALF 0x0000ffff\n__device__ int a(int v, int p) { v += __shfl_xor_sync(HALF, v, 1); return v + __any_sync(HALF, p); }\n';
  const fs = at(part, 'HP203', '6.2');
  const warn = fs.filter((f) => f.severity === 'warning');
  assert.equal(warn.length, 1);
  assert.match(warn[0]!.message, /partial mask HALF \(HALF = 0x0000ffff\) of 2 \*_sync calls/);
  assert.deepEqual(related(part, warn[0]!), ['__any_sync', '0x0000ffff']);
});

/** `src` with the fix edits of every finding in `fs` applied together. */
function applyAll(src: string, fs: Finding[]): string {
  return applyEdits(src, fs.flatMap((f) => f.fix?.edits ?? []));
}

test('HP201 (wave64): several 32-bit-mask broadcasts in one function are one warning, the others related, one fix for all', () => {
  const src = '__global__ void k(float* o, float a, float b) {\n  a = __shfl_sync(0xffffffff, a, 0);\n  b = __shfl_sync(0xffffffff, b, 0);\n  o[threadIdx.x] = a + b;\n}\n__global__ void k2(float* o, float a) { o[0] = __shfl_sync(0xffffffff, a, 0); }\n';
  for (const parse of [true, false]) {
    const fs = warp(src, 'HP201', undefined, parse).filter((f) => f.severity === 'warning');
    assert.equal(fs.length, 2, JSON.stringify(fs.map((f) => f.message)));
    const f = fs[0]!;
    assert.match(f.message, /and 1 more such call in this function/);
    assert.deepEqual(related(src, f), ['__shfl_sync']);
    const out = fixed(src, f);
    assert.ok(out.includes('a = __shfl_sync(0xffffffff, a, 0, 32);\n  b = __shfl_sync(0xffffffff, b, 0, 32);'), out);
    assert.ok(out.includes('o[0] = __shfl_sync(0xffffffff, a, 0); }'), 'the other function is its own finding');
  }
});

test('HP201 (wave64): 32-lane groups with absolute-lane shuffles only: every shuffle is related and the fix passes a width of 32 to each', () => {
  const src = '__global__ void seg(int* out, int k, int n) {\n  int lane = threadIdx.x & 31;\n  int a = __shfl_sync(0xffffffff, k, 0);\n  int b = __shfl_sync(0xffffffff, n, 4);\n  int c = __shfl_sync(0xffffffff, k, 8);\n  int d = __shfl_sync(0xffffffff, n, 12);\n  out[lane] = a + b + c + d;\n}\n';
  for (const parse of [true, false]) {
    const f = oneWarning(src, 'HP201', parse);
    assert.match(f.message, /4 such shuffles, listed as related/);
    assert.deepEqual(related(src, f), ['__shfl_sync', '__shfl_sync', '__shfl_sync', '__shfl_sync']);
    const out = fixed(src, f);
    assert.equal((out.match(/, 32\)/g) ?? []).length, 4, out);
    assert.ok(out.includes('int lane = threadIdx.x & 31;'), 'the lane grouping stays 32');
  }
  // with a ballot in the function the width cannot help: lanes are grouped by warpSize instead
  const withBallot = src.replace('out[lane] = a + b + c + d;', 'out[lane] = a + b + c + d + (int)__ballot(a > 0);');
  const g = oneWarning(withBallot, 'HP201');
  assert.ok(fixed(withBallot, g).includes('int lane = threadIdx.x & (warpSize - 1);'));
});

test('HP201 (wave64): the thread index grouped by a constant of any name defined as 32 (gc: `static const int WS = 32`) with a vote in the function', () => {
  const src = 'static const int WS = 32;  // warp size and bits per int\n__global__ void color(int* out, int nodes) {\n  const int lane = threadIdx.x % WS;\n  for (int v = threadIdx.x; __any(v < nodes); v += WS) if (lane == 0) out[v] = 1;\n}\n';
  for (const parse of [true, false]) {
    const f = oneWarning(src, 'HP201', parse);
    assert.equal(flagged(src, f), 'WS');
    // the lane stride `v += WS` is related: it must change with the lanes
    assert.deepEqual(related(src, f), ['__any', 'WS', '32']);
    // the fix is at the uses in this function: WS may mean more than the warp width elsewhere
    const out = fixed(src, f);
    assert.ok(out.includes('const int lane = threadIdx.x % warpSize;') && out.includes('v += warpSize') && out.startsWith('static const int WS = 32;'), out);
  }
  // other uses may mean something else ("bits per int"): related, but left to the reader
  const bits = src.replace('if (lane == 0) out[v] = 1;', 'if (lane == 0) out[v] = 1 << (WS / 2);');
  const b = oneWarning(bits, 'HP201');
  assert.ok(fixed(bits, b).includes('out[v] = 1 << (WS / 2);'), fixed(bits, b));
  assert.match(b.related!.find((r) => bits.slice(0, r.start).split('\n').length === 4 && /where it means the warp width/.test(r.message))!.message, /WS used here too/);
  // quiet: no whole-wavefront operation, another value, or a tile index not taken from threadIdx
  none(src.replace('__any(v < nodes)', 'v < nodes'), 'HP201');
  none(src.replace('WS = 32', 'WS = 16'), 'HP201');
  none('#define TILE 32\n__global__ void k(int* o, int p, int i) { int c = i % TILE; o[c] = __any(p); }\n', 'HP201');
});

test('HP201 stays quiet on a __shfl_up scan guarded by lane >= d (marchingCubes): every read stays in the caller\'s 32-lane group', () => {
  const scan = '__global__ void k(unsigned* sums, unsigned test) {\n  unsigned laneid = threadIdx.x % 32;\n  unsigned warpid = threadIdx.x >> 5;\n  unsigned s = test;\n  for (int c0 = 1; c0 < 32; c0 *= 2) {\n    unsigned tp = __shfl_up_sync(0xffffffffu, s, c0);\n    if (laneid >= c0) s += tp;\n  }\n  if (laneid == 31) sums[warpid] = s;\n}\n';
  none(scan, 'HP201');
  none(scan.replace('__shfl_up_sync(0xffffffffu, s, c0)', '__shfl_up(s, 1)').replace('laneid >= c0', 'laneid >= 1'), 'HP201');
  // without the guard (or with a broadcast in the function) it still fires
  assert.equal(oneWarning(scan.replace('if (laneid >= c0) s += tp;', 's += tp;'), 'HP201').severity, 'warning');
  assert.equal(oneWarning(scan.replace('if (laneid == 31)', 'if (__shfl(s, 0) && laneid == 31)'), 'HP201').severity, 'warning');
});

test('HP201: the other uses of the warp constant in the function (lane strides) are related information (cc: `i += warpsize`)', () => {
  const src = '#define warpsize 32\n__global__ void k(const int* nidx, int* o, int v) {\n  int lane = threadIdx.x % warpsize;\n  int idx = __shfl_sync(0xffffffff, v, 0);\n  for (int i = nidx[idx] + lane; i < nidx[idx + 1]; i += warpsize) o[i] = 1;\n}\n';
  const f = oneWarning(src, 'HP201');
  assert.deepEqual(
    (f.related ?? []).map((r) => [src.slice(0, r.start).split('\n').length, src.slice(r.start, r.end)]),
    [[4, '__shfl_sync'], [5, 'warpsize'], [1, '32']],
  );
  assert.match(f.related![1]!.message, /warpsize used here too \(the per-architecture definition changes it too\)/);
});

test('HP204: several __popc of the same ballot mask in one function are one finding, one fix for all; HP206 (a rewrite the translator makes) is a hint', () => {
  const src = '__global__ void k(int p, int lane, int* o) {\n  unsigned long long b = __ballot(p);\n  int below = __popc(b & ((1ull << lane) - 1));\n  o[0] = below + __popc(b);\n}\n';
  for (const parse of [true, false]) {
    const fs = warp(src, 'HP204', undefined, parse);
    assert.equal(fs.length, 1);
    assert.match(fs[0]!.message, /2 such calls in this function/);
    assert.deepEqual(related(src, fs[0]!), ['__popc']);
    assert.equal((fixed(src, fs[0]!).match(/__popcll/g) ?? []).length, 2);
  }
  assert.deepEqual(warp('__global__ void k() { __syncwarp(); }', 'HP206').map((f) => [f.severity, f.fix?.auto]), [['hint', true]]);
});
