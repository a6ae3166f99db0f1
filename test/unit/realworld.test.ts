/**
 * Regression tests for patterns found in real public CUDA code (benchmark suites, vendor samples
 * and their helper headers, large applications). Every snippet here is written for the test; it
 * only reproduces the shape of the real code.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser } from '../../src/core/parse';
import { translate } from '../../src/core/translate';
import { analyze } from '../../src/core/analyze';
import { looksLikeCuda } from '../../src/core/files';

const T52 = { targetRocm: '5.2' };

before(async () => {
  await initParser();
});

/** Translates and checks that translating the output again changes nothing. */
function port(src: string, extra: Record<string, unknown> = {}): string {
  const out = translate(src, { ...T52, ...extra }).text;
  assert.equal(translate(out, { ...T52, ...extra }).text, out, 'translation is idempotent');
  return out;
}

describe('CUDA header include guards tested with #ifdef (helper headers)', () => {
  test('runtime and library guards become the HIP headers\' guards in #ifdef and defined()', () => {
    const src = [
      '#include <cuda_runtime.h>',
      '#ifdef __DRIVER_TYPES_H__',
      '#define CHECK(x) check((x), #x)',
      '#endif',
      '#if defined(__CUDA_RUNTIME_H__) && defined CURAND_H_',
      'int haveRuntime;',
      '#endif',
      '#ifndef CUSPARSEAPI',
      'int noSparse;',
      '#endif',
      '#define CUBLAS_API_H_ 1',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#include <hip/hip_runtime.h>',
        '#ifdef HIP_INCLUDE_HIP_DRIVER_TYPES_H',
        '#define CHECK(x) check((x), #x)',
        '#endif',
        '#if defined(HIP_INCLUDE_HIP_HIP_RUNTIME_H) && defined HIPRAND_H_',
        'int haveRuntime;',
        '#endif',
        '#ifndef _HIPSPARSE_H_',
        'int noSparse;',
        '#endif',
        '#define CUBLAS_API_H_ 1',
        '',
      ].join('\n'),
    );
  });

  test('a guard without a verified HIP counterpart is reported, not rewritten', () => {
    const src = '#ifdef _CUFFT_H_\nint fftErrors;\n#endif\n';
    const a = analyze(src, T52);
    const f = a.findings.find((x) => x.code === 'HP113');
    assert.ok(f, 'HP113 reported');
    assert.equal(f.fix, undefined);
    assert.equal(src.slice(f.start, f.end), '_CUFFT_H_');
    assert.equal(port(src), src);
  });
});

describe('project headers named like CUDA headers', () => {
  test('a quoted "cuda.h" inside extern "C" is the project\'s own header and stays', () => {
    const src = [
      '#include "cuda_runtime.h"',
      'extern "C" {',
      '#include "layer.h"',
      '#include "cuda.h"',
      '}',
      '__global__ void k(float* x) { x[threadIdx.x] = 0; }',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#include "hip/hip_runtime.h"',
        'extern "C" {',
        '#include "layer.h"',
        '#include "cuda.h"',
        '}',
        '__global__ void k(float* x) { x[threadIdx.x] = 0; }',
        '',
      ].join('\n'),
    );
  });

  test('a balanced block before extern "C" does not count; a quoted CUDA header outside it is rewritten', () => {
    const src = 'struct S { int a; };\nextern "C" { void f(); }\n#include "cuda.h"\n';
    assert.equal(port(src), 'struct S { int a; };\nextern "C" { void f(); }\n#include "hip/hip_runtime.h"\n');
  });

  test('with sourcePath, a quoted include that resolves next to the file is left alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-rw-'));
    try {
      writeFileSync(join(dir, 'cuda.h'), '#pragma once\nint gpu_index;\n');
      const src = '#include "cuda.h"\n#include <cuda_runtime.h>\nint main() { return gpu_index; }\n';
      const out = translate(src, { ...T52, sourcePath: join(dir, 'main.cu') }).text;
      assert.equal(out, '#include "cuda.h"\n#include <hip/hip_runtime.h>\nint main() { return gpu_index; }\n');
      // without the path (or when no such file exists) the include is the CUDA driver header, and
      // the runtime header after it is the same HIP header: its line goes
      assert.equal(translate(src, { ...T52, sourcePath: join(dir, 'sub', 'main.cu') }).text, '#include "hip/hip_runtime.h"\nint main() { return gpu_index; }\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kernels passed to APIs that HIP declares with const void*', () => {
  test('function-attribute APIs get reinterpret_cast<const void*>; casts already present are kept', () => {
    const src = [
      '__global__ void k(int* p) {}',
      'template <int N> __global__ void kt(int* p) {}',
      'void f(void (*fp)(int*)) {',
      '  cudaFuncAttributes attr;',
      '  cudaFuncSetCacheConfig(*fp, cudaFuncCachePreferShared);',
      '  cudaFuncGetAttributes(&attr, k);',
      '  cudaFuncSetAttribute(kt<4>, cudaFuncAttributeMaxDynamicSharedMemorySize, 1024);',
      '  cudaFuncSetAttribute((const void*)k, cudaFuncAttributeMaxDynamicSharedMemorySize, 1024);',
      '}',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#include <hip/hip_runtime.h>',
        '__global__ void k(int* p) {}',
        'template <int N> __global__ void kt(int* p) {}',
        'void f(void (*fp)(int*)) {',
        '  hipFuncAttributes attr;',
        '  hipFuncSetCacheConfig(reinterpret_cast<const void*>(*fp), hipFuncCachePreferShared);',
        '  hipFuncGetAttributes(&attr, reinterpret_cast<const void*>(k));',
        '  hipFuncSetAttribute(reinterpret_cast<const void*>(kt<4>), hipFuncAttributeMaxDynamicSharedMemorySize, 1024);',
        '  hipFuncSetAttribute((const void*)k, hipFuncAttributeMaxDynamicSharedMemorySize, 1024);',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('CUDA default arguments HIP lacks', () => {
  test('occupancy and cooperative launch get their trailing defaults', () => {
    const src = [
      '__global__ void k(float* p) {}',
      'void f(void** args, cudaStream_t s) {',
      '  int g, b;',
      '  cudaOccupancyMaxPotentialBlockSize(&g, &b, k);',
      '  cudaOccupancyMaxPotentialBlockSize(&g, &b, k, 256);',
      '  cudaOccupancyMaxPotentialBlockSize(&g, &b, k, 256, 512);',
      '  cudaLaunchCooperativeKernel((void*)k, dim3(g), dim3(b), args);',
      '  cudaLaunchCooperativeKernel((void*)k, dim3(g), dim3(b), args, 0, s);',
      '}',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#include <hip/hip_runtime.h>',
        '__global__ void k(float* p) {}',
        'void f(void** args, hipStream_t s) {',
        '  int g, b;',
        '  hipOccupancyMaxPotentialBlockSize(&g, &b, k, 0, 0);',
        '  hipOccupancyMaxPotentialBlockSize(&g, &b, k, 256, 0);',
        '  hipOccupancyMaxPotentialBlockSize(&g, &b, k, 256, 512);',
        '  hipLaunchCooperativeKernel((void*)k, dim3(g), dim3(b), args, 0, 0);',
        '  hipLaunchCooperativeKernel((void*)k, dim3(g), dim3(b), args, 0, s);',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('hazards that need a human, reported where they are', () => {
  test('a symbol named by a string is an error finding with a suggested HIP_SYMBOL fix (not applied)', () => {
    const src = '__constant__ float c_tab[16];\nvoid f(float* h) { cudaMemcpyToSymbol("c_tab", h, 64, 0, cudaMemcpyHostToDevice); }\n';
    const r = translate(src, T52);
    const f = r.open.find((x) => x.code === 'HP506');
    assert.ok(f);
    assert.equal(f.severity, 'error');
    assert.equal(src.slice(f.start, f.end), '"c_tab"');
    assert.deepEqual(f.fix?.edits.map((e) => e.newText), ['HIP_SYMBOL(c_tab)']);
    assert.equal(f.fix?.auto, false);
    assert.ok(r.text.includes('hipMemcpyToSymbol("c_tab", h, 64, 0, hipMemcpyHostToDevice)'));
  });

  test('cudaDeviceProp fields missing from ROCm 5.x hipDeviceProp_t are reported (member access only)', () => {
    const src = 'void f(cudaDeviceProp p, cudaDeviceProp* q) { int a = p.deviceOverlap + q->asyncEngineCount; int deviceOverlap = 0; }\n';
    // one finding per file for the cause (issue 16), the other field at a related span
    const fs = analyze(src, T52).findings.filter((x) => x.code === 'HP108');
    assert.equal(fs.length, 1);
    const codes = [fs[0]!, ...(fs[0]!.related ?? [])].map((x) => src.slice(x.start, x.end));
    assert.deepEqual(codes, ['deviceOverlap', 'asyncEngineCount']);
    assert.equal(analyze(src, { targetRocm: '6.2' }).findings.filter((x) => x.code === 'HP108').length, 0);
  });
});

describe('library headers and namespaces', () => {
  test('thrust/ includes keep their path (system/cuda → system/hip) and thrust::cuda:: becomes thrust::hip::', () => {
    const src = [
      '#include <thrust/device_vector.h>',
      '#include <thrust/system/cuda/execution_policy.h>',
      'void f(cudaStream_t s, thrust::device_vector<int>& v) { thrust::sort(thrust::cuda::par.on(s), v.begin(), v.end()); }',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#include <hip/hip_runtime.h>',
        '#include <thrust/device_vector.h>',
        '#include <thrust/system/hip/execution_policy.h>',
        'void f(hipStream_t s, thrust::device_vector<int>& v) { thrust::sort(thrust::hip::par.on(s), v.begin(), v.end()); }',
        '',
      ].join('\n'),
    );
  });

  test('cub:: qualifiers and using namespace cub follow the include to hipcub', () => {
    const src = [
      '#include <cub/block/block_reduce.cuh>',
      'using namespace cub;',
      'template <int B> __global__ void k(int* o) {',
      '  using R = cub::BlockReduce<int, B>;',
      '  __shared__ typename R::TempStorage tmp;',
      '  int s = R(tmp).Sum(1); o[0] = my::cub::x + s;',
      '}',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#include <hip/hip_runtime.h>',
        '#include <hipcub/hipcub.hpp>',
        'using namespace hipcub;',
        'template <int B> __global__ void k(int* o) {',
        '  using R = hipcub::BlockReduce<int, B>;',
        '  __shared__ typename R::TempStorage tmp;',
        '  int s = R(tmp).Sum(1); o[0] = my::cub::x + s;',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('a file defining namespace cub keeps it', () => {
    const src = 'namespace cub { int v; }\nint w = cub::v;\n';
    assert.equal(port(src), src);
  });

  test('builtin_types.h maps to hip_runtime_api.h', () => {
    assert.equal(port('#include <cuda.h>\n#include <builtin_types.h>\n'), '#include <hip/hip_runtime.h>\n#include <hip/hip_runtime_api.h>\n');
  });
});

describe('which files are CUDA', () => {
  test('a driver-API helper header with no CUDA include is recognised', () => {
    assert.equal(looksLikeCuda('#include <stdio.h>\n#ifdef __cuda_cuda_h__\ninline void chk(CUresult e) {}\n#endif\n'), true);
    assert.equal(looksLikeCuda('#include <stdio.h>\nint cuisine(int); CUstomer c;\n'), false);
    assert.equal(looksLikeCuda('void f() { cublasStatus_t s = cublasCreate(&h); }\n'), true);
  });
});

describe('cooperative groups the target lacks', () => {
  test('meta_group_rank and cg::reduce are reported for ROCm 5.2, not for user names or other targets', () => {
    const src = [
      '#include <cooperative_groups.h>',
      'namespace cg = cooperative_groups;',
      '__device__ int f(const cg::thread_block& b, int v) {',
      '  auto t = cg::tiled_partition<32>(b);',
      '  int w = t.meta_group_rank();',
      '  int meta_group_rank = 0; my::reduce(v);',
      '  return cg::reduce(t, v, cg::plus<int>()) + w + meta_group_rank;',
      '}',
      '',
    ].join('\n');
    // one finding per file for the cause (issue 16), the other member at a related span
    const fs = analyze(src, T52).findings.filter((x) => x.code === 'HP109');
    assert.equal(fs.length, 1);
    const names = [fs[0]!, ...(fs[0]!.related ?? [])].map((x) => src.slice(x.start, x.end));
    assert.deepEqual(names, ['meta_group_rank', 'reduce']);
    assert.equal(analyze(src, { targetRocm: '6.2' }).findings.filter((x) => x.code === 'HP109').length, 0);
  });
});

describe('vector helper overloads (helper_math.h style)', () => {
  test('make_<type> overloads with another signature are not reported as redefinitions; the HIP signature is', () => {
    const src = [
      'inline __host__ __device__ float3 make_float3(float s) { return make_float3(s, s, s); }',
      'inline __host__ __device__ float3 make_float3(float4 a) { return make_float3(a.x, a.y, a.z); }',
      'inline __host__ __device__ float2 make_float2(float a, float b) { float2 r; r.x = a; r.y = b; return r; }',
      '',
    ].join('\n');
    const hits = analyze(src, T52).findings.filter((x) => x.code === 'HP702').map((x) => src.slice(x.start, x.end));
    assert.deepEqual(hits, ['make_float2']);
  });
});

describe('host fallbacks for non-CUDA compilers', () => {
  test('a host function defined under #ifndef __CUDACC__ is not reported when device code calls the name', () => {
    const src = [
      '#ifndef __CUDACC__',
      'inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }',
      '#endif',
      '#if !defined(__CUDACC__)',
      'inline int imin(int a, int b) { return a < b ? a : b; }',
      '#else',
      'inline int imax(int a, int b) { return a > b ? a : b; }',
      '#endif',
      '__device__ float f(float v) { return rsqrtf(v) + imin(1, 2) + imax(1, 2); }',
      '',
    ].join('\n');
    const hits = analyze(src, T52).findings.filter((x) => x.code === 'HP703').map((x) => src.slice(x.start, x.end));
    assert.deepEqual(hits, ['imax']);
  });
});
