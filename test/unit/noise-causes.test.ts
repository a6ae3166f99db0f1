/**
 * Issue 16, signal above noise (second round): one finding per file and *cause* (HP104 driver-API
 * names, HP105 bf16 names and names of one ROCm release, HP109 cooperative groups, HP304 version
 * tests), uses in branches hip-clang skips are information, severity by consequence (HP121/HP122
 * auto-fixes, HP303 thresholds, HP702 execution spaces), and no false error on HIP code that
 * compiles with hipcc (the names HIP 5.2 declares; checked with the real hipcc here).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser } from '../../src/core/parse';
import { analyze } from '../../src/core/analyze';
import { translate } from '../../src/core/translate';
import { ccPredicate, reportedComputeCapability } from '../../src/core/rules/arch';
import type { Finding } from '../../src/core/findings';
import { windowMismatches } from './incremental-corpus';

before(async () => {
  await initParser();
});

const T52 = { targetRocm: '5.2' };
const T62 = { targetRocm: '6.2' };
const slice = (src: string, r: { start: number; end: number }): string => src.slice(r.start, r.end);
const lineOf = (src: string, off: number): number => src.slice(0, off).split('\n').length;
const of = (fs: readonly Finding[], code: string): Finding[] => fs.filter((f) => f.code === code);

/** Compiles `src` with the real hipcc for gfx90a (HIP_PLATFORM=amd); returns the exit status and stderr. */
function hipcc(src: string, extra: string[] = []): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-noise-'));
  try {
    const file = join(dir, 'probe.hip');
    writeFileSync(file, src);
    const r = spawnSync('hipcc', ['--offload-arch=gfx90a', '-std=c++17', ...extra, '-c', file, '-o', join(dir, 'probe.o')], {
      env: { ...process.env, HIP_PLATFORM: 'amd' },
      encoding: 'utf8',
    });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('HP104: a file\'s driver-API names with no HIP equivalent are one error, each other use related with its name; other names stay apart', () => {
  const src = [
    '#include <cuda.h>',
    'void f(CUcontext c, CUfunction k, CUdevice d) {',
    '  cuCtxAttach(&c, 0);',
    '  cuParamSetSize(k, 8);',
    '  cuParamSeti(k, 0, 1);',
    '  cuCtxDetach(c);',
    '  cuCtxAttach(&c, 0);',
    '}',
    'void g() { cudaStreamAttrValue v; }',
    '',
  ].join('\n');
  const fs = analyze(src, T62).findings;
  const drv = of(fs, 'HP104').filter((f) => f.library === 'driver');
  assert.equal(drv.length, 1, JSON.stringify(drv.map((f) => f.message)));
  const f = drv[0]!;
  assert.equal(f.severity, 'error');
  assert.equal(slice(src, f), 'cuCtxAttach', 'at the first use');
  assert.match(f.message, /^4 CUDA driver-API names with no HIP equivalent \(cuCtxAttach, cuParamSetSize, cuParamSeti, …\) at 5 places/);
  assert.deepEqual(
    f.related!.map((r) => [slice(src, r), r.cuda]),
    [
      ['cuParamSetSize', 'cuParamSetSize'],
      ['cuParamSeti', 'cuParamSeti'],
      ['cuCtxDetach', 'cuCtxDetach'],
      ['cuCtxAttach', 'cuCtxAttach'],
    ],
  );
  // the first use of each further name carries its own advice; a repeat says so
  assert.match(f.related![0]!.message, /^cuParamSetSize has no HIP equivalent/);
  assert.equal(f.related![3]!.message, 'cuCtxAttach used again here');
  // a runtime name without HIP equivalent is its own cause (look-alike: not merged into the driver group)
  const rt = of(fs, 'HP104').filter((x) => x.library === 'runtime');
  assert.equal(rt.length, 1);
  assert.equal(slice(src, rt[0]!), 'cudaStreamAttrValue');
  // the scan still counts every use of every name
  const st = translate(src, T62).stats.unsupported;
  assert.equal(st['cuCtxAttach'], 2);
  assert.equal(st['cuParamSeti'], 1);
  assert.equal(st['cuCtxDetach'], 1);
});

test('HP105: names the target lacks (here bf16) are one error per file; none for a target that has them', () => {
  const src = [
    '#include <cuda_bf16.h>',
    '__global__ void k(const __nv_bfloat16* x, float* y) {',
    '  int i = threadIdx.x;',
    '  y[i] = __bfloat162float(x[i]);',
    '  __nv_bfloat162 p = __floats2bfloat162_rn(1.f, 2.f);',
    '  y[i] += __low2float(p) + __bfloat162float(x[i + 1]);',
    '}',
    '',
  ].join('\n');
  // the names reach the file through a project header: the names are the error
  const viaProject = src.replace('#include <cuda_bf16.h>', '#include "bf16_types.h"');
  const fs = analyze(viaProject, T52).findings;
  const bf = of(fs, 'HP105');
  assert.equal(bf.length, 1, JSON.stringify(bf.map((f) => f.message)));
  assert.equal(bf[0]!.severity, 'error', 'not declared by the target: does not compile');
  assert.equal(slice(viaProject, bf[0]!), '__nv_bfloat16');
  assert.match(bf[0]!.message, /^3 names ROCm 5\.2 lacks \(__nv_bfloat16, __bfloat162float, __nv_bfloat162\) at 4 places .*ROCm 5\.7\.0 has them all/);
  assert.ok(bf[0]!.related!.some((r) => r.cuda === '__bfloat162float'));
  // HIP has no __floats2bfloat162_rn at all: a separate cause (HP104), not hidden in the bf16 group
  assert.ok(of(fs, 'HP104').some((f) => f.cuda === '__floats2bfloat162_rn'));
  assert.equal(of(analyze(src, { targetRocm: '6.2' }).findings, 'HP105').length, 0);
});

test('HP105 beside the too-new header they come from: the include is the one error, the names its consequence', () => {
  const src = '#include <cuda_bf16.h>\n__global__ void k(const __nv_bfloat16* x, float* y) { y[threadIdx.x] = __bfloat162float(x[threadIdx.x]); }\n';
  const fs = analyze(src, T52).findings;
  const inc = of(fs, 'HP111');
  assert.equal(inc.length, 1);
  assert.equal(inc[0]!.severity, 'error', 'ROCm 5.2 has no hip/hip_bf16.h: the include fails');
  const names = of(fs, 'HP105');
  assert.equal(names.length, 1);
  assert.equal(names[0]!.severity, 'information');
  assert.match(names[0]!.message, /^follows from #include <cuda_bf16\.h> \(HP111: the target ROCm 5\.2 has no such header; ROCm 5\.7\.0 ships it and these names\)/);
  assert.ok(names[0]!.related!.some((r) => slice(src, r) === '<cuda_bf16.h>'));
  // look-alike: names a later release than the header's (hipBLAS compute types need 6.0) stay an error
  const mixed = '#include <cuda_bf16.h>\n#include <cublasLt.h>\nvoid f(cublasLtHandle_t* h) { cublasLtCreate(h); __nv_bfloat16 b; (void)b; }\n';
  const m105 = of(analyze(mixed, T52).findings, 'HP105');
  assert.ok(m105.length >= 1);
  assert.ok(m105.every((f) => f.severity === 'error'), JSON.stringify(m105.map((f) => [f.severity, f.message.slice(0, 80)])));
});

test('uses in a branch hip-clang skips are information naming the branch AMD compiles; the same call outside is an error', () => {
  const src = [
    '__device__ float lo(float a, float b) {',
    '#if defined OCML_BASIC_ROUNDED_OPERATIONS',
    '  return __fadd_rd(a, b) + __fmul_rd(a, b);',
    '#else',
    '  return a + b;',
    '#endif',
    '}',
    '#ifndef __HIP_PLATFORM_AMD__',
    'void drv(CUcontext c) { cuCtxAttach(&c, 0); }',
    '#endif',
    '',
  ].join('\n');
  const fs = analyze(src, T52).findings.filter((f) => f.code === 'HP104');
  assert.ok(fs.length >= 2);
  for (const f of fs) assert.equal(f.severity, 'information', f.message);
  const ocml = fs.find((f) => f.cuda === '__fadd_rd')!;
  assert.match(ocml.message, /branch hip-clang does not compile for AMD \(#if defined OCML_BASIC_ROUNDED_OPERATIONS; AMD compiles the #else branch instead\)/);
  // one entry for the branch: both names, and the condition as a related place
  assert.deepEqual(ocml.related!.map((r) => slice(src, r)), ['__fmul_rd', '#if']);
  // look-alike that must stay an error: the same names in code AMD compiles
  const live = '__device__ float lo(float a, float b) { return __fadd_rd(a, b); }\n';
  const e = of(analyze(live, T52).findings, 'HP104');
  assert.equal(e.length, 1);
  assert.equal(e[0]!.severity, 'error');
});

test('the OCML_BASIC_ROUNDED_OPERATIONS fact: HIP 5.2 declares __fadd_rd only under it, and then the device library cannot link it', () => {
  const src = '#include <hip/hip_runtime.h>\n__global__ void k(float* a) { a[0] = __fadd_rd(a[1], a[2]); }\n';
  const plain = hipcc(src);
  assert.notEqual(plain.status, 0);
  assert.match(plain.stderr, /undeclared identifier '__fadd_rd'/);
  const opted = hipcc(src, ['-DOCML_BASIC_ROUNDED_OPERATIONS']);
  assert.notEqual(opted.status, 0);
  assert.match(opted.stderr, /undefined hidden symbol: __ocml_add_rtn_f32/);
});

test('names HIP 5.2 declares (__isinf, __isnanf, __finite, __signbitf) are not errors, and they compile with hipcc', () => {
  const src = '#include <hip/hip_runtime.h>\n__global__ void k(float* a, double* d, int* r) { r[0] = __isinff(a[0]) + __isnanf(a[1]) + __finitef(a[2]) + __signbitf(a[3]) + __isinf(d[0]) + __isnan(d[1]) + __finite(d[2]) + __signbit(d[3]); }\n';
  const fs = analyze(src.replace('#include <hip/hip_runtime.h>\n', ''), T52).findings.filter((f) => f.severity === 'error' || f.severity === 'warning');
  assert.deepEqual(fs.map((f) => `${f.code} ${f.message}`), []);
  const r = hipcc(src);
  assert.equal(r.status, 0, r.stderr);
  // look-alike still reported: a device function HIP 5.2 does not declare
  assert.ok(of(analyze('__device__ unsigned f(unsigned a, unsigned b) { return umin(a, b); }\n', T52).findings, 'HP104').some((f) => f.cuda === 'umin'));
});

test('HP702: a __host__ __device__ compound operator on a HIP vector type is an error; a __device__-only one compiles (information), both as hipcc says', () => {
  const both = 'inline __host__ __device__ void operator+=(float4& a, const float4& b) { a.x += b.x; }\n__global__ void k(float4* p) { float4 x = p[0]; x += p[1]; p[2] = x; }\n';
  const dev = 'inline __device__ void operator+=(float4 &a, float4 b) { a.x += b.x; }\n__global__ void k(float4* p) { float4 x = p[0]; x += p[1]; p[2] = x; }\n';
  const sev = (src: string): string[] => of(analyze(src, T52).findings, 'HP702').map((f) => f.severity);
  assert.deepEqual(sev(both), ['error']);
  assert.deepEqual(sev(dev), ['information']);
  assert.deepEqual(sev('#define HD __host__ __device__\nHD void operator-=(float2& a, float2 b) { a.x -= b.x; }\n'), ['error'], 'a macro that may expand to both spaces');
  const hb = hipcc('#include <hip/hip_runtime.h>\n' + both);
  assert.notEqual(hb.status, 0);
  assert.match(hb.stderr, /ambiguous/);
  const hd = hipcc('#include <hip/hip_runtime.h>\n' + dev);
  assert.equal(hd.status, 0, hd.stderr);
});

test('HP303 by threshold: legacy tests are information, generation splits and the Hopper collision are warnings', () => {
  const sevOf = (cond: string, offloadArch?: string[]): string => {
    const src = `int f(int k) {\n  cudaDeviceProp prop;\n  cudaGetDeviceProperties(&prop, 0);\n  if (${cond}) return 1;\n  return 0;\n}\n`;
    const fs = of(analyze(src, { ...T62, ...(offloadArch ? { offloadArch } : {}) }).findings, 'HP303');
    assert.equal(fs.length, 1, cond);
    return fs[0]!.severity;
  };
  assert.equal(sevOf('prop.major < 2'), 'information');
  assert.equal(sevOf('prop.major < 3 || (prop.major == 3 && prop.minor < 5)'), 'information');
  assert.equal(sevOf('(prop.major << 4) + prop.minor < 0x35'), 'information');
  assert.equal(sevOf('prop.major >= 9'), 'warning', 'gfx90a reports 9, like Hopper');
  assert.equal(sevOf('prop.major >= 7'), 'information', 'every GPU CUDA 13 supports (sm_75+) passes it, like gfx90a and gfx1030');
  assert.equal(sevOf('prop.major >= 8'), 'warning', 'sm_75 fails it: a generation split (TF32 paths)');
  assert.equal(sevOf('prop.major * 10 + prop.minor >= 80'), 'warning');
  assert.equal(sevOf('prop.major > k'), 'warning', 'unreadable threshold');
  // the configured archs decide: with gfx1030 alone, major >= 5 is passed like on every current NVIDIA GPU
  assert.equal(sevOf('prop.major >= 5', ['gfx1030']), 'information');
  assert.equal(sevOf('prop.major != 9', ['gfx1030']), 'warning', 'Hopper (9.0) fails it');
  // one finding per file, at the first test that matters; the legacy one is related
  const src = 'void f() {\n  cudaDeviceProp p; cudaGetDeviceProperties(&p, 0);\n  if (p.major < 2) return;\n  bool hopper = p.major >= 9;\n}\n';
  const fs = of(analyze(src, T62).findings, 'HP303');
  assert.equal(fs.length, 1);
  assert.equal(fs[0]!.severity, 'warning');
  assert.equal(lineOf(src, fs[0]!.start), 4);
  assert.match(fs[0]!.message, /true on gfx90a \(9\.0\), true on gfx1030 \(10\.3\)/);
  assert.deepEqual(fs[0]!.related!.map((r) => lineOf(src, r.start)), [3]);
});

test('ccPredicate and reportedComputeCapability', () => {
  assert.deepEqual(reportedComputeCapability('gfx90a'), [9, 0]);
  assert.deepEqual(reportedComputeCapability('gfx942'), [9, 4]);
  assert.deepEqual(reportedComputeCapability('gfx1030'), [10, 3]);
  assert.deepEqual(reportedComputeCapability('gfx90a:xnack+'), [9, 0]);
  assert.equal(reportedComputeCapability('gfx9-generic'), undefined);
  const p = ccPredicate('(M << 4) + m >= 0x35')!;
  assert.equal(p(3, 5), true);
  assert.equal(p(3, 0), false);
  assert.equal(ccPredicate('M * 10 + m < 70')!(7, 0), false);
  assert.equal(ccPredicate('!(M >= 7)')!(6, 1), true);
  assert.equal(ccPredicate('M'), undefined, 'no comparison');
  assert.equal(ccPredicate('M > k'), undefined, 'another name');
});

test('HP304: a file\'s CUDA version tests are one warning, the others related; __NVCC__ tests are another cause', () => {
  const src = ['#if CUDART_VERSION >= 11000', 'int a;', '#endif', '#if CUDA_VERSION < 9000', 'int b;', '#endif', '#ifdef __NVCC__', 'int c;', '#endif', ''].join('\n');
  const fs = of(analyze(src, T62).findings, 'HP304');
  assert.deepEqual(
    fs.map((f) => [lineOf(src, f.start), f.severity, (f.related ?? []).map((r) => lineOf(src, r.start))]),
    [
      [1, 'warning', [4]],
      [7, 'warning', []],
    ],
  );
  assert.match(fs[0]!.message, /1 more such check in this file/);
});

test('HP121/HP122: auto-fixes the translator applies, correct after it, are information', () => {
  const src = 'void f(int* p, float** h) {\n  cudaHostAlloc(&p, 4, cudaHostAllocDefault);\n  cudaMallocHost((void**)h, 64);\n  cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, 1024);\n}\n';
  const fs = analyze(src, T62).findings.filter((f) => f.code === 'HP121' || f.code === 'HP122');
  assert.deepEqual(fs.map((f) => f.code).sort(), ['HP121', 'HP121', 'HP122']);
  for (const f of fs) {
    assert.equal(f.severity, 'information');
    assert.equal(f.fix?.auto, true);
  }
  const out = translate(src, T62).text;
  assert.match(out, /hipHostMalloc\(reinterpret_cast<void\*\*>\(&p\), 4, hipHostMallocDefault\)/);
  assert.match(out, /hipHostMalloc\(\(void\*\*\)h, 64, hipHostMallocDefault\)/);
});


test('windowed runs agree with the full analysis on the grouped causes', () => {
  const src = [
    '#include <cuda.h>',
    '#if CUDART_VERSION >= 11000',
    'void f(CUcontext c) { cuCtxAttach(&c, 0); }',
    '#endif',
    'void g(CUfunction k) { cuParamSeti(k, 0, 1); }',
    '__global__ void h(const __nv_bfloat16* x, float* y) { y[0] = __bfloat162float(x[0]); }',
    'int cc() { cudaDeviceProp p; cudaGetDeviceProperties(&p, 0); if (p.major < 2) return 0; return p.major >= 9; }',
    '#if CUDA_VERSION > 9000',
    'int z;',
    '#endif',
    '',
  ].join('\n');
  assert.deepEqual(windowMismatches('noise', src, T52), []);
  assert.deepEqual(windowMismatches('noise', src, T62), []);
});

test('HP302 by consequence: a portable #else AMD compiles is information; the legacy branch taken, or code dropped, is a warning', () => {
  const src = [
    '#if __CUDA_ARCH__ == 800 || __CUDA_ARCH__ >= 900',
    '#define BLOCKS 2',
    '#else',
    '#define BLOCKS 1',
    '#endif',
    '#if __CUDA_ARCH__ < 530',
    '#define SKIP_FP16 1',
    '#endif',
    '__global__ void k(float* x) {',
    '  x[1] = 0.f;',
    '#if __CUDA_ARCH__ >= 700',
    '  x[0] = 1.f;',
    '#endif',
    '}',
    '',
  ].join('\n');
  const fs = of(analyze(src, T62).findings, 'HP302');
  assert.deepEqual(
    fs.map((f) => [lineOf(src, f.start), f.severity]),
    [
      [1, 'information'],
      [6, 'warning'],
      [11, 'warning'],
    ],
  );
  assert.match(fs[0]!.message, /compiles the #else branch instead/);
  assert.deepEqual(fs[0]!.related!.map((r) => lineOf(src, r.start)), [3]);
  assert.match(fs[1]!.message, /compiles this branch, meant for GPUs below the threshold/);
  assert.match(fs[2]!.message, /dropped on AMD and nothing replaces it/);
  // an empty #else is no fallback (look-alike of the first case)
  const empty = '#if __CUDA_ARCH__ >= 800\n#define FAST 1\n#else\n// nothing\n#endif\n';
  assert.deepEqual(of(analyze(empty, T62).findings, 'HP302').map((f) => f.severity), ['warning']);
});

test('HP501, HP601-HP603: occupancy hints and cuDNN port advice are information; the cuDNN cause stays one error (HP114)', () => {
  const src = [
    '#include <cudnn.h>',
    '__global__ void __launch_bounds__(256, 2) k(float* x) {}',
    'void f(cudnnHandle_t h, cudnnTensorDescriptor_t d, cudnnConvolutionDescriptor_t c) {',
    '  cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, 1, 2, 3, 4);',
    '  cudnnSetConvolutionMathType(c, CUDNN_TENSOR_OP_MATH);',
    '}',
    '',
  ].join('\n');
  const fs = analyze(src, T62).findings;
  for (const code of ['HP501', 'HP601', 'HP602', 'HP603']) {
    const xs = of(fs, code);
    assert.ok(xs.length >= 1, code);
    for (const x of xs) assert.equal(x.severity, 'information', code);
  }
  const errors = fs.filter((f) => f.severity === 'error' || f.severity === 'warning');
  assert.deepEqual(errors.map((f) => f.code), ['HP114']);
});

test('HP105 and HP108: one error per file for the names and device-property fields the target lacks, naming the release that has them all', () => {
  const src = [
    'void f(cublasHandle_t h, cudaGraphExec_t g, cudaStream_t s) {',
    '  cublasSetMathMode(h, CUBLAS_TF32_TENSOR_OP_MATH);',
    '  cudaGraphUpload(g, s);',
    '  cudaDeviceProp p; cudaGetDeviceProperties(&p, 0);',
    '  int a = p.asyncEngineCount + p.unifiedAddressing + p.asyncEngineCount;',
    '  int b = p.multiProcessorCount;',
    '}',
    '',
  ].join('\n');
  const fs = analyze(src, T52).findings;
  const t = of(fs, 'HP105');
  assert.equal(t.length, 1, JSON.stringify(t.map((f) => f.message)));
  assert.match(t[0]!.message, /^3 names ROCm 5\.2 lacks .* ROCm 6\.1\.0 has them all/);
  const p = of(fs, 'HP108');
  assert.equal(p.length, 1);
  assert.equal(p[0]!.severity, 'error');
  assert.match(p[0]!.message, /^2 cudaDeviceProp fields hipDeviceProp_t of ROCm 5\.2 lacks \(cudaDeviceProp::asyncEngineCount, cudaDeviceProp::unifiedAddressing\) at 3 places/);
  assert.equal(translate(src, T52).stats.unsupported['cudaDeviceProp::asyncEngineCount'] ?? 0, 0, 'HP108 is counted as missing in the target, not by name');
  // look-alike: ROCm 6.2 has all of them
  assert.deepEqual(analyze(src, T62).findings.filter((f) => f.code === 'HP105' || f.code === 'HP108'), []);
});

test('HP301 and HP506: rewrites the translator applies (correct after it) are information; a string symbol stays an error', () => {
  const src = [
    '__constant__ float c_tab[16];',
    '#ifdef __CUDA_ARCH__',
    '#define ON_DEVICE 1',
    '#endif',
    'void f(const float* h) {',
    '  cudaMemcpyToSymbol(c_tab, h, 64);',
    '  cudaMemcpyToSymbol("c_tab", h, 64);',
    '}',
    '',
  ].join('\n');
  const fs = analyze(src, T62).findings;
  const h301 = of(fs, 'HP301');
  assert.equal(h301.length, 1);
  assert.equal(h301[0]!.severity, 'information');
  assert.equal(h301[0]!.fix?.auto, true);
  const h506 = of(fs, 'HP506').map((f) => [slice(src, f), f.severity, f.fix?.auto]);
  assert.deepEqual(h506, [
    ['c_tab', 'information', true],
    ['"c_tab"', 'error', false],
  ]);
  const out = translate(src, T62).text;
  assert.match(out, /#ifdef __HIP_DEVICE_COMPILE__/);
  assert.match(out, /hipMemcpyToSymbol\(HIP_SYMBOL\(c_tab\), h, 64\)/);
});

test('names under a CUDA version test are not errors (hipcc skips that branch); the version test itself is the warning', () => {
  const src = [
    'void f(cudaStream_t s, cudaEvent_t e) {',
    '#if CUDART_VERSION >= 11010',
    '  cudaEventRecordWithFlags(e, s, cudaEventRecordExternal);',
    '#endif',
    '}',
    '',
  ].join('\n');
  const fs = analyze(src, T62).findings;
  const names = of(fs, 'HP104');
  assert.ok(names.length >= 1);
  for (const f of names) {
    assert.equal(f.severity, 'information');
    assert.match(f.message, /#if CUDART_VERSION >= 11010/);
  }
  assert.deepEqual(of(fs, 'HP304').map((f) => f.severity), ['warning']);
  // look-alike: the same call without the version test is an error
  assert.equal(of(analyze('void f(cudaStream_t s, cudaEvent_t e) { cudaEventRecordWithFlags(e, s, 0); }\n', T62).findings, 'HP104')[0]!.severity, 'error');
});

test('HP303 on attribute queries: values only displayed or tested like every current NVIDIA GPU are information; a generation split is a warning', () => {
  const q = (use: string): Finding[] =>
    of(
      analyze(`int f(int dev) {\n  int major = 0, minor = 0;\n  cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev);\n  cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev);\n  ${use}\n  return 0;\n}\n`, T62).findings,
      'HP303',
    );
  assert.deepEqual(q('printf("SM %d.%d\\n", major, minor);').map((f) => f.severity), ['information']);
  assert.deepEqual(q('if (major < 7) return 1;').map((f) => f.severity), ['information']);
  assert.deepEqual(q('if (major >= 9) return 1;').map((f) => f.severity), ['warning']);
  assert.deepEqual(q('int sm = major * 10 + minor; g(sm);').map((f) => f.severity), ['warning'], 'stored for later: cannot be followed');
});

test('HP702 in a branch hip-clang does not compile (#ifdef __NVCC__) is information; the same definition outside stays an error', () => {
  const def = 'inline __host__ __device__ void operator+=(float2 &a, const float2 &b) { a.x += b.x; a.y += b.y; }\n';
  const guarded = `#ifdef __NVCC__\n${def}#endif\n`;
  const g = of(analyze(guarded, T62).findings, 'HP702');
  assert.deepEqual(g.map((f) => f.severity), ['information']);
  assert.match(g[0]!.message, /branch hip-clang does not compile for AMD \(#ifdef __NVCC__\)/);
  assert.deepEqual(of(analyze(def, T62).findings, 'HP702').map((f) => f.severity), ['error']);
});

test('HP302 on a whole kernel body AMD drops is information beside the HP305 error (one finding for the cause)', () => {
  const src = ['__global__ void k(float* x) {', '#if __CUDA_ARCH__ >= 530', '  x[0] = 1.f;', '#endif', '}', '__global__ void j(float* x) {', '  x[1] = 2.f;', '#if __CUDA_ARCH__ >= 530', '  x[0] = 1.f;', '#endif', '}', ''].join('\n');
  const fs = analyze(src, T62).findings;
  assert.deepEqual(of(fs, 'HP305').map((f) => [lineOf(src, f.start), f.severity]), [[2, 'error']]);
  assert.deepEqual(of(fs, 'HP302').map((f) => [lineOf(src, f.start), f.severity]), [
    [2, 'information'],
    [8, 'warning'],
  ]);
  assert.match(of(fs, 'HP302')[0]!.message, /whole body of 'k' is dropped on AMD \(reported as HP305/);
});

test('cooperative-groups members beside a too-new cooperative_groups/ header, and cache-hint intrinsics: one cause each', () => {
  const src = [
    '#include <cooperative_groups.h>',
    '#include <cooperative_groups/reduce.h>',
    'namespace cg = cooperative_groups;',
    '__global__ void k(const float* x, float* y) {',
    '  cg::thread_block_tile<32> w = cg::tiled_partition<32>(cg::this_thread_block());',
    '  float s = cg::reduce(w, x[threadIdx.x], cg::plus<float>());',
    '  if (w.thread_rank() == 0) __stcs(y + w.meta_group_rank(), s);',
    '  __stcg(y + 64, s);',
    '}',
    '',
  ].join('\n');
  const fs = analyze(src, T52).findings;
  assert.equal(of(fs, 'HP111')[0]?.severity, 'error');
  const cgs = of(fs, 'HP109');
  assert.equal(cgs.length, 1);
  assert.equal(cgs[0]!.severity, 'information');
  assert.match(cgs[0]!.message, /^follows from #include <cooperative_groups\/reduce\.h>/);
  const hints = of(fs, 'HP104').filter((f) => /__st/.test(f.cuda ?? ''));
  assert.equal(hints.length, 1, JSON.stringify(hints.map((f) => f.message)));
  assert.match(hints[0]!.message, /^2 cache-hinted load\/store intrinsics HIP does not declare \(__stcs, __stcg\)/);
  // look-alike: without the too-new header, the members the target lacks are the error
  const bare = of(analyze(src.replace('#include <cooperative_groups/reduce.h>\n', ''), T52).findings, 'HP109');
  assert.equal(bare.length, 1);
  assert.equal(bare[0]!.severity, 'error');
});
