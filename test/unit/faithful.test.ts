/**
 * Output in hipify-clang's documented forms (issue 13, item 18), on code of our own:
 * `--kernel-launch hip` writes `hipLaunchKernelGGL(kernel, dim3(grid), dim3(block), shmem, stream,
 * args…)` with `HIP_KERNEL_NAME(...)` around template kernels; `--library-target roc` renames types
 * and headers as well as functions; calls whose HIP form takes an extra argument get it.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser } from '../../src/core/parse';
import { translate } from '../../src/core/translate';

before(async () => {
  await initParser();
});

function hipccOk(text: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'hp-faithful-'));
  try {
    const file = join(dir, 'k.hip');
    writeFileSync(file, text);
    const r = spawnSync('hipcc', ['--offload-arch=gfx90a', '-std=c++17', '-fsyntax-only', file], { env: { ...process.env, HIP_PLATFORM: 'amd' }, encoding: 'utf8' });
    assert.equal(r.status, 0, `${text}\n${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('kernel launches', () => {
  const src = [
    '#include <cuda_runtime.h>',
    '__global__ void scale(float* p, float s) { p[threadIdx.x] *= s; }',
    'template <typename T, int N> __global__ void fill(T* p) { p[blockIdx.x * N + threadIdx.x] = T(1); }',
    'void run(float* d, cudaStream_t st, int n) {',
    '  dim3 grid(n / 64), block(64);',
    '  scale<<<grid, block>>>(d, 2.f);',
    '  scale<<<n / 64, 64, 0, st>>>(d, 3.f);',
    '  fill<float, 64><<<dim3(n / 64), dim3(64), 128>>>(d);',
    '}',
    '',
  ].join('\n');

  test('hipLaunchKernelGGL(kernel, dim3(grid), dim3(block), shmem, stream, args…), HIP_KERNEL_NAME around templates', () => {
    const out = translate(src, { targetRocm: '5.2', kernelLaunch: 'hip' }).text;
    assert.match(out, /  hipLaunchKernelGGL\(scale, dim3\(grid\), dim3\(block\), 0, 0, d, 2\.f\);/);
    assert.match(out, /  hipLaunchKernelGGL\(scale, dim3\(n \/ 64\), dim3\(64\), 0, st, d, 3\.f\);/);
    assert.match(out, /  hipLaunchKernelGGL\(HIP_KERNEL_NAME\(fill<float, 64>\), dim3\(n \/ 64\), dim3\(64\), 128, 0, d\);/);
    assert.equal(translate(out, { targetRocm: '5.2', kernelLaunch: 'hip' }).text, out, 'idempotent');
    hipccOk(out);
  });
});

describe('--library-target roc', () => {
  test('cuBLAS types, complex types and the header become rocBLAS ones, like the functions', () => {
    const src = '#include <cublas_v2.h>\nvoid f(cublasHandle_t h, cuComplex* x, cuDoubleComplex* z, int n) {\n  cublasCreate(&h);\n  cublasCaxpy(h, n, x, x, 1, x, 1);\n  cublasZscal(h, n, z, z, 1);\n}\n';
    const out = translate(src, { targetRocm: '5.2', libraryTarget: 'roc' }).text;
    assert.equal(
      out,
      '#include <hip/hip_runtime.h>\n#include <rocblas/rocblas.h>\nvoid f(rocblas_handle h, rocblas_float_complex* x, rocblas_double_complex* z, int n) {\n  rocblas_create_handle(&h);\n  rocblas_caxpy(h, n, x, x, 1, x, 1);\n  rocblas_zscal(h, n, z, z, 1);\n}\n',
    );
    // without cuBLAS calls the complex types stay HIP's (hipCaddf takes hipFloatComplex)
    assert.match(translate('#include <cuComplex.h>\ncuComplex f(cuComplex a) { return cuCaddf(a, a); }\n', { targetRocm: '5.2', libraryTarget: 'roc' }).text, /hipComplex f\(hipComplex a\) \{ return hipCaddf\(a, a\); \}/);
    // the default target keeps hipBLAS
    assert.match(translate(src, { targetRocm: '5.2' }).text, /#include <hipblas\/hipblas\.h>\nvoid f\(hipblasHandle_t h, hipComplex\* x, hipDoubleComplex\* z/);
  });
});

describe('extra arguments', () => {
  test('cudaHostAlloc → hipHostMalloc(ptr, size, flags); cudaMallocHost(ptr, size) → hipHostMalloc(ptr, size, hipHostMallocDefault)', () => {
    const src = '#include <cuda_runtime.h>\nint main() {\n  float *a, *b;\n  cudaHostAlloc((void**)&a, 64, cudaHostAllocMapped);\n  cudaMallocHost((void**)&b, 64);\n  cudaFreeHost(a);\n  cudaFreeHost(b);\n  return 0;\n}\n';
    const out = translate(src, { targetRocm: '5.2' }).text;
    assert.match(out, /  hipHostMalloc\(\(void\*\*\)&a, 64, hipHostMallocMapped\);\n  hipHostMalloc\(\(void\*\*\)&b, 64, hipHostMallocDefault\);/);
    // hipcc 5.2 deprecates hipHostAlloc; the port compiles without that warning
    hipccOk(out);
    const dir = mkdtempSync(join(tmpdir(), 'hp-faithful-'));
    try {
      const file = join(dir, 'm.hip');
      writeFileSync(file, out);
      const r = spawnSync('hipcc', ['--offload-arch=gfx90a', '-fsyntax-only', file], { env: { ...process.env, HIP_PLATFORM: 'amd' }, encoding: 'utf8' });
      assert.doesNotMatch(r.stderr, /deprecated/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
