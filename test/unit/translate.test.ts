import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { initParser } from '../../src/core/parse';
import { translate } from '../../src/core/translate';
import { analyze } from '../../src/core/analyze';
import { Mappings, hipAvailableIn } from '../../src/core/mappings';
import { SPECIAL_NAMES } from '../../src/core/rules/api';

const T52 = { targetRocm: '5.2' };

before(async () => {
  await initParser();
});

describe('renames', () => {
  test('runtime names in code are renamed, comments and strings are not', () => {
    const src = [
      '// cudaMalloc returns cudaError_t',
      '#include <cstdio>',
      'int main() {',
      '  float* d; cudaError_t e = cudaMalloc(&d, 16); /* cudaFree later */',
      '  if (e != cudaSuccess) printf("cudaMalloc: %s\\n", cudaGetErrorString(e));',
      "  char c = 'c'; const char* r = R\"x(cudaFree(d))x\";",
      '  cudaFree(d);',
      '}',
      '',
    ].join('\n');
    const out = translate(src, T52).text;
    assert.equal(
      out,
      [
        '// cudaMalloc returns cudaError_t',
        '#include <hip/hip_runtime.h>',
        '#include <cstdio>',
        'int main() {',
        '  float* d; hipError_t e = hipMalloc(&d, 16); /* cudaFree later */',
        '  if (e != hipSuccess) printf("cudaMalloc: %s\\n", hipGetErrorString(e));',
        "  char c = 'c'; const char* r = R\"x(cudaFree(d))x\";",
        '  hipFree(d);',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('includeComments renames inside comments too', () => {
    const out = translate('// call cudaMalloc first\nvoid f() { cudaFree(0); }\n', { ...T52, includeComments: true }).text;
    assert.match(out, /\/\/ call hipMalloc first/);
  });

  test('names in #define bodies, #if conditions, template arguments and enumerators are renamed; member fields are not', () => {
    const src = [
      '#include <cuda_runtime.h>',
      '#define ALLOC(p, n) cudaMalloc(&p, n)',
      '#if CUDART_VERSION >= 11000',
      '#ifdef __CUDACC__',
      '#define HD __host__ __device__',
      '#endif',
      'std::vector<cudaStream_t> streams;',
      '#endif',
      'enum { kind = cudaMemcpyHostToDevice };',
      'struct S { int cudaMalloc; }; void g(S s) { s.cudaMalloc = 1; }',
    ].join('\n');
    const out = translate(src, T52).text;
    assert.match(out, /#define ALLOC\(p, n\) hipMalloc\(&p, n\)/);
    assert.match(out, /std::vector<hipStream_t> streams;/);
    assert.match(out, /#ifdef __HIPCC__/);
    assert.match(out, /kind = hipMemcpyHostToDevice/);
    assert.match(out, /s\.cudaMalloc = 1/);
    assert.match(out, /#if CUDART_VERSION >= 11000/);
    const r = translate(src, T52);
    assert.equal(r.open.find((f) => f.cuda === 'CUDART_VERSION')?.code, 'HP304');
  });

  test('a name newer than the target ROCm is reported, not renamed; the newer target renames it', () => {
    const src = '#include <cuda_runtime.h>\nvoid f() { cudaDeviceSetLimit(cudaLimitStackSize, 1024); }\n';
    const old = translate(src, T52);
    assert.match(old.text, /cudaDeviceSetLimit\(/);
    const f = old.analysis.findings.find((x) => x.code === 'HP105');
    assert.ok(f, 'HP105 finding');
    assert.equal(src.slice(f.start, f.end), 'cudaDeviceSetLimit');
    assert.match(f.message, /5\.3/);
    assert.match(translate(src, { targetRocm: '6.2' }).text, /hipDeviceSetLimit\(/);
  });

  test('deprecated CUDA APIs are mapped and reported as deprecated', () => {
    const r = translate('void f() { cudaThreadSynchronize(); }\n', T52);
    assert.match(r.text, /hipDeviceSynchronize\(\)/);
    const f = r.analysis.findings.find((x) => x.cuda === 'cudaThreadSynchronize');
    assert.equal(f?.code, 'HP102');
    assert.equal(f?.status, 'deprecated');
    assert.match(f!.message, /10\.0/);
    assert.equal(f?.severity, 'information', 'severity by consequence: a mapped deprecated API still compiles');
  });

  test('APIs without a HIP equivalent stay and are reported as unsupported', () => {
    const r = translate('void f() { cudaDeviceFlushGPUDirectRDMAWrites(a, b); }\n', T52);
    assert.match(r.text, /cudaDeviceFlushGPUDirectRDMAWrites/);
    assert.equal(r.open.find((x) => x.cuda === 'cudaDeviceFlushGPUDirectRDMAWrites')?.code, 'HP104');
    assert.equal(r.open.find((x) => x.cuda === 'cudaDeviceFlushGPUDirectRDMAWrites')?.severity, 'error', 'will not compile for the target');
    assert.equal(r.stats.unsupported['cudaDeviceFlushGPUDirectRDMAWrites'], 1);
  });

  test('--library-target roc uses rocBLAS names where the tables give them', () => {
    const src = '#include <cublas_v2.h>\nvoid f(cublasHandle_t h) { cublasCreate(&h); }\n';
    assert.match(translate(src, T52).text, /hipblasCreate\(&h\)/);
    assert.match(translate(src, { ...T52, libraryTarget: 'roc' }).text, /rocblas_create_handle\(&h\)/);
  });

  test('cuDNN calls are not renamed to hipDNN (no ROCm release ships it)', () => {
    const r = translate('#include <cudnn.h>\nvoid f(cudnnHandle_t h) { cudnnCreate(&h); }\n', T52);
    assert.match(r.text, /cudnnCreate\(&h\)/);
    const dnn = r.open.filter((x) => x.code === 'HP114' || x.code === 'HP104');
    assert.deepEqual(dnn.map((x) => x.code), ['HP114'], 'one cuDNN finding per file (HP114), not one per name');
    assert.match(dnn[0]!.message, /MIOpen/);
    assert.equal(r.stats.readiness.unsupportedNames, 2, 'readiness still counts each use');
  });
});

describe('includes', () => {
  test('CUDA headers map to HIP headers, keeping their quote style; local includes stay', () => {
    const src = '#include <cuda_runtime.h>\n#include "curand_kernel.h"\n#include <cusparse.h>  // sparse\n#include "common.cuh"\n';
    const out = translate(src, T52).text;
    assert.equal(out, '#include <hip/hip_runtime.h>\n#include "hiprand/hiprand_kernel.h"\n#include <hipsparse/hipsparse.h>  // sparse\n#include "common.cuh"\n');
  });

  test('the HIP runtime include is added first, before any other code, after the leading comments and an include guard', () => {
    const withInclude = '#ifdef USE_X\n#include <x.h>\n#endif\n#include <cstdio>\n__global__ void k() {}\n';
    assert.equal(
      translate(withInclude, T52).text,
      '#include <hip/hip_runtime.h>\n#ifdef USE_X\n#include <x.h>\n#endif\n#include <cstdio>\n__global__ void k() {}\n',
    );
    const noInclude = '/* header\n * comment */\n\n#pragma once\n__device__ inline float sq(float x) { return x * x; }\n';
    assert.equal(
      translate(noInclude, T52).text,
      '/* header\n * comment */\n\n#pragma once\n#include <hip/hip_runtime.h>\n__device__ inline float sq(float x) { return x * x; }\n',
    );
  });

  test('no include is added to files that do not use the runtime', () => {
    const src = '#include <cstdio>\nint main() { return 0; }\n';
    assert.equal(translate(src, T52).text, src);
  });
});

describe('warp intrinsics, symbols, arch, register', () => {
  test('*_sync intrinsics lose their 32-bit mask for HIP 5.2', () => {
    const src = [
      '__device__ float r(float v, unsigned m) {',
      '  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffff, v, o);',
      '  unsigned long long b = __ballot_sync(__activemask(), v > 0);',
      '  if (__any_sync(m, v > 1) && __all_sync(0xFFFFFFFFu, v < 9)) __syncwarp();',
      '  return __shfl_sync(0xffffffff, v, 0, 16) + __shfl_xor_sync(FULL_MASK, v, 1);',
      '}',
    ].join('\n');
    const r = translate(src, T52);
    assert.equal(
      r.text,
      [
        '#include <hip/hip_runtime.h>',
        '__device__ float r(float v, unsigned m) {',
        '  for (int o = 16; o > 0; o >>= 1) v += __shfl_down(v, o);',
        '  unsigned long long b = __ballot(v > 0);',
        '  if (__any(v > 1) && __all(v < 9)) __builtin_amdgcn_wave_barrier();',
        '  return __shfl(v, 0, 16) + __shfl_xor(v, 1);',
        '}',
      ].join('\n'),
    );
    const partial = r.analysis.findings.find((f) => f.cuda === '__any_sync');
    assert.match(partial!.message, /__any_sync\(m, …\) → __any\(…\), the mask-less form \(the mask is dropped\)/);
    // the dropped partial mask is one warning for the function (issue 16: one cause, one finding)
    assert.match(r.analysis.findings.find((f) => f.code === 'HP203' && f.severity === 'warning')!.message, /partial mask m of __any_sync is dropped/);
  });

  test('cudaMemcpyToSymbol and friends get HIP_SYMBOL around the symbol, once', () => {
    const src = '__constant__ float c[4];\nvoid f(float* h, float* p) { cudaMemcpyToSymbol(c, h, 16); cudaMemcpyFromSymbol(h, c, 16); cudaGetSymbolAddress((void**)&p, c); }\n';
    const out = translate(src, T52).text;
    assert.match(out, /hipMemcpyToSymbol\(HIP_SYMBOL\(c\), h, 16\)/);
    assert.match(out, /hipMemcpyFromSymbol\(h, HIP_SYMBOL\(c\), 16\)/);
    assert.match(out, /hipGetSymbolAddress\(\(void\*\*\)&p, HIP_SYMBOL\(c\)\)/);
    assert.equal(translate(out, T52).text, out);
  });

  test('__CUDA_ARCH__ existence checks become __HIP_DEVICE_COMPILE__; comparisons are reported only', () => {
    const src = '#ifdef __CUDA_ARCH__\nint a;\n#endif\n#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 700\nint b;\n#endif\n#if !defined __CUDA_ARCH__\nint c;\n#endif\n';
    const r = translate(src, T52);
    assert.equal(
      r.text,
      '#ifdef __HIP_DEVICE_COMPILE__\nint a;\n#endif\n#if defined(__HIP_DEVICE_COMPILE__) && __CUDA_ARCH__ >= 700\nint b;\n#endif\n#if !defined __HIP_DEVICE_COMPILE__\nint c;\n#endif\n',
    );
    assert.deepEqual(
      r.open.filter((f) => f.code === 'HP302').map((f) => src.slice(f.start, f.end)),
      ['__CUDA_ARCH__'],
    );
  });

  test("'register' is removed", () => {
    assert.equal(translate('void f() { register int x = 1; register float* p; }\n', T52).text, 'void f() { int x = 1; float* p; }\n');
  });

  test('kernel launches stay by default and become hipLaunchKernelGGL on request, keeping inner renames', () => {
    const src = '__global__ void k(int);\ntemplate <typename T, int N> __global__ void t(T);\nvoid f(cudaStream_t s) {\n  k<<<dim3(2), 64, 0, s>>>(1);\n  t<float, 4><<<1, 32>>>(2.f);\n  ns::k<<<g, b, shm>>>();\n}\n';
    assert.match(translate(src, T52).text, /k<<<dim3\(2\), 64, 0, s>>>\(1\)/);
    const out = translate(src, { ...T52, kernelLaunch: 'hip' }).text;
    // hipify-clang's form: dim3(grid), dim3(block); an explicit dim3(...) is not wrapped again
    assert.match(out, /hipLaunchKernelGGL\(k, dim3\(2\), dim3\(64\), 0, s, 1\);/);
    assert.match(out, /hipLaunchKernelGGL\(HIP_KERNEL_NAME\(t<float, 4>\), dim3\(1\), dim3\(32\), 0, 0, 2\.f\);/);
    assert.match(out, /hipLaunchKernelGGL\(ns::k, dim3\(g\), dim3\(b\), shm, 0\);/);
    assert.match(out, /void f\(hipStream_t s\)/);
  });
});

describe('robustness and formatting', () => {
  test('CRLF line endings and a BOM are kept; the inserted include uses CRLF', () => {
    const src = '\ufeff// k\r\n__global__ void k(float* a) { a[threadIdx.x] = 0; }\r\nvoid f() { cudaDeviceSynchronize(); }\r\n';
    const out = translate(src, T52).text;
    assert.equal(out, '\ufeff// k\r\n#include <hip/hip_runtime.h>\r\n__global__ void k(float* a) { a[threadIdx.x] = 0; }\r\nvoid f() { hipDeviceSynchronize(); }\r\n');
  });

  test('files with syntax errors still get renamed by token and the failed regions are reported', () => {
    const src = '#include <cuda_runtime.h>\nvoid f( {\n  cudaMalloc(&p, 4;\n  cudaMemcpy(d, h, 4, cudaMemcpyHostToDevice)\n}}\nint g() { return cudaSuccess; }\n';
    const r = translate(src, T52);
    assert.match(r.text, /hipMalloc\(&p, 4;/);
    assert.match(r.text, /hipMemcpy\(d, h, 4, hipMemcpyHostToDevice\)/);
    assert.match(r.text, /return hipSuccess;/);
    assert.ok(r.analysis.parseErrors.length > 0);
    assert.ok(r.analysis.findings.some((f) => f.code === 'HP901'));
  });

  test('binary-looking and empty text does not throw', () => {
    assert.equal(translate('', T52).text, '');
    const junk = '\u0000\u0001cudaMalloc\uFFFD"unterminated\n/* open comment cudaFree';
    assert.doesNotThrow(() => translate(junk, T52));
  });

  test('property: translation is idempotent and never touches comments or strings', () => {
    const names = ['cudaMalloc', 'cudaFree', 'cudaStream_t', 'cudaSuccess', 'curand_init', '__shfl_down_sync', 'cudaMemcpyToSymbol', 'threadIdx', 'x', 'foo'];
    const piece = fc.oneof(
      fc.constantFrom(...names).map((n) => ({ code: `${n}(a, b, c);\n`, protected: false })),
      fc.constantFrom(...names).map((n) => ({ code: `// ${n} in a comment\n`, protected: true })),
      fc.constantFrom(...names).map((n) => ({ code: `const char* s = "${n}";\n`, protected: true })),
      fc.constantFrom(...names).map((n) => ({ code: `/* ${n}\n ${n} */\n`, protected: true })),
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), (pieces) => {
        const src = pieces.map((p) => p.code).join('');
        const once = translate(src, T52).text;
        const twice = translate(once, T52).text;
        assert.equal(twice, once);
        for (const p of pieces) if (p.protected) assert.ok(once.includes(p.code), `protected text changed: ${p.code}`);
      }),
      { numRuns: 150 },
    );
  });
});

describe('mapping coverage', () => {
  test('every mapping row with a HIP name available in ROCm 6.2 renames a use of it', () => {
    const m = Mappings.loadDefault();
    const rows = m
      .all()
      .filter(
        (e) =>
          e.hip &&
          e.hip !== e.cuda &&
          /^[A-Za-z_]\w*$/.test(e.cuda) &&
          !SPECIAL_NAMES.has(e.cuda) &&
          e.library !== 'dnn' &&
          !e.hipVersions.experimental &&
          hipAvailableIn(e, '6.2') &&
          m.get(e.cuda) === e,
      );
    assert.ok(rows.length > 4000, `expected thousands of renamable rows, got ${rows.length}`);
    const src = rows.map((e) => `  use(${e.cuda});`).join('\n');
    const out = translate(src, { targetRocm: '6.2', parse: false }).text.split('\n');
    const lines = out.slice(out.length - rows.length);
    const wrong = rows.filter((e, i) => lines[i] !== `  use(${e.hip});`).map((e, i) => `${e.cuda} -> ${lines[i]}`);
    assert.deepEqual(wrong.slice(0, 10), []);
  });

  test('analysis without a tree (token-only) gives the same renames', () => {
    const src = '#include <cuda_runtime.h>\nvoid f() { cudaStream_t s; cudaStreamCreate(&s); }\n';
    const a = analyze(src, { ...T52, parse: false }).findings.filter((f) => f.code === 'HP101').map((f) => f.hip);
    const b = analyze(src, T52).findings.filter((f) => f.code === 'HP101').map((f) => f.hip);
    assert.deepEqual(a, b);
    assert.deepEqual(a, ['hipStream_t', 'hipStreamCreate']);
  });
});

describe('version-aware headers', () => {
  test('a HIP header newer than the target is reported, not included; the newer target includes it', () => {
    const src = '#include <cuda_bf16.h>\n__global__ void k() {}\n';
    const old = translate(src, T52);
    assert.match(old.text, /#include <cuda_bf16\.h>/);
    const f = old.open.find((x) => x.code === 'HP111');
    assert.match(f!.message, /ROCm 5\.7\.0/);
    assert.match(translate(src, { targetRocm: '6.2' }).text, /#include <hip\/hip_bf16\.h>/);
  });
});
