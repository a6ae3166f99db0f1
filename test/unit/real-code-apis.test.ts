/**
 * Runtime APIs and headers as real public CUDA code uses them (stream callbacks, allocation
 * APIs HIP declares with void** only, system-scope atomics, __has_include, pointer attributes,
 * libcu++ and cooperative-groups headers; patterns seen in vendor samples, benchmark suites and
 * applications). Every snippet is written for the test; it only reproduces the
 * shape of the real code.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { translate } from '../../src/core/translate';
import { analyze } from '../../src/core/analyze';
import { looksLikeCuda } from '../../src/core/files';

const T52 = { targetRocm: '5.2' };

before(async () => {
  await initParser();
});

/** Translates for ROCm 5.2 and checks that translating the output again changes nothing. */
function port(src: string): string {
  const out = translate(src, T52).text;
  assert.equal(translate(out, T52).text, out, 'translation is idempotent');
  return out;
}

describe('which files are CUDA', () => {
  test('an error-check header that only compares with cudaSuccess is CUDA', () => {
    assert.equal(looksLikeCuda('#pragma once\n#define OK(x) assert((x) == cudaSuccess)\n'), true);
    assert.equal(looksLikeCuda('#pragma once\nint cudaSuccessor;\n'), false);
  });
});

describe('stream callbacks', () => {
  test('CUDART_CB is removed from declarations and definitions; a macro definition keeps it', () => {
    const src = [
      '#include <cuda_runtime.h>',
      'void CUDART_CB onDone(cudaStream_t s, cudaError_t st, void *p);',
      'void  CUDART_CB\tonDone(cudaStream_t s, cudaError_t st, void *p) {}',
      '#define MY_CB CUDART_CB',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#include <hip/hip_runtime.h>',
        'void onDone(hipStream_t s, hipError_t st, void *p);',
        'void  onDone(hipStream_t s, hipError_t st, void *p) {}',
        '#define MY_CB CUDART_CB',
        '',
      ].join('\n'),
    );
  });
});

describe('allocation APIs HIP declares with void** only', () => {
  test('cudaHostAlloc / cudaHostGetDevicePointer / cudaMallocPitch get a void** cast; casts already present are kept', () => {
    const src = [
      '#include <cuda_runtime.h>',
      'void f(int **pp, float *h) {',
      '  int *a; float *d; size_t pitch;',
      '  cudaHostAlloc(&a, 64, cudaHostAllocMapped);',
      '  cudaHostAlloc((void **)&a, 64, 0);',
      '  cudaHostGetDevicePointer(&d, h, 0);',
      '  cudaMallocPitch(pp, &pitch, 16, 16);',
      '  cudaMalloc(&a, 64);',
      '}',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#include <hip/hip_runtime.h>',
        'void f(int **pp, float *h) {',
        '  int *a; float *d; size_t pitch;',
        '  hipHostMalloc(reinterpret_cast<void**>(&a), 64, hipHostMallocMapped);',
        '  hipHostMalloc((void **)&a, 64, 0);',
        '  hipHostGetDevicePointer(reinterpret_cast<void**>(&d), h, 0);',
        '  hipMallocPitch(reinterpret_cast<void**>(pp), &pitch, 16, 16);',
        '  hipMalloc(&a, 64);',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('system-scope atomics ROCm 5.2 lacks', () => {
  test('atomicInc_system / atomicDec_system are errors for 5.2, not for a later target or a member', () => {
    const src = [
      '__global__ void k(unsigned *c, S *s) {',
      '  atomicInc_system(c, 17);',
      '  atomicDec_system(c + 1, 9);',
      '  atomicAdd_system(c + 2, 1u);',
      '  s->atomicInc_system(c, 1);',
      '  int d = __dp4a(1, 2, 3);',
      '}',
      '',
    ].join('\n');
    const hits = analyze(src, T52).findings.filter((f) => f.code === 'HP104');
    assert.deepEqual(hits.map((f) => [f.cuda, src.slice(f.start, f.end)]), [
      ['atomicInc_system', 'atomicInc_system'],
      ['atomicDec_system', 'atomicDec_system'],
      ['__dp4a', '__dp4a'],
    ]);
    assert.equal(analyze(src, { targetRocm: '6.0' }).findings.filter((f) => f.code === 'HP104').length, 0);
  });
});

describe('__has_include tests of CUDA headers', () => {
  test('the operand is rewritten like an #include; a test alone does not count as including the runtime', () => {
    const src = [
      '#if __has_include("cuda_runtime.h")',
      '#  include "cuda_runtime.h"',
      '#endif',
      '#if defined(__has_include) && __has_include( <cuda_fp16.h> )',
      'int half_ok;',
      '#endif',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#if __has_include("hip/hip_runtime.h")',
        '#  include "hip/hip_runtime.h"',
        '#endif',
        '#if defined(__has_include) && __has_include( <hip/hip_fp16.h> )',
        'int half_ok;',
        '#endif',
        '',
      ].join('\n'),
    );
    const only = '#if __has_include(<cuda_runtime.h>)\n#define HAVE_RT 1\n#endif\n__global__ void k() {}\n';
    assert.equal(
      port(only),
      '#include <hip/hip_runtime.h>\n#if __has_include(<hip/hip_runtime.h>)\n#define HAVE_RT 1\n#endif\n__global__ void k() {}\n',
    );
  });
});

describe('pointer attributes', () => {
  test('.type of a cudaPointerAttributes variable becomes .memoryType for ROCm 5.x; other structs keep .type', () => {
    const src = [
      '#include <cuda_runtime.h>',
      'struct Tag { int type; };',
      'bool onDevice(const void *p, Tag g, cudaPointerAttributes *q) {',
      '  cudaPointerAttributes attr{};',
      '  cudaPointerGetAttributes(&attr, p);',
      '  return attr.type == cudaMemoryTypeDevice && q->type != cudaMemoryTypeHost && g.type;',
      '}',
      '',
    ].join('\n');
    assert.equal(
      port(src),
      [
        '#include <hip/hip_runtime.h>',
        'struct Tag { int type; };',
        'bool onDevice(const void *p, Tag g, hipPointerAttribute_t *q) {',
        '  hipPointerAttribute_t attr{};',
        '  hipPointerGetAttributes(&attr, p);',
        '  return attr.memoryType == hipMemoryTypeDevice && q->memoryType != hipMemoryTypeHost && g.type;',
        '}',
        '',
      ].join('\n'),
    );
    assert.equal(translate(src, { targetRocm: '6.2' }).text.includes('attr.type =='), true);
  });
});

describe('more CUDA headers', () => {
  test('vector_functions.h, surface_functions.h and host_defines.h map to hip/hip_runtime.h; cg scan.h is reported for 5.2', () => {
    const src = '#include <vector_functions.h>\n#include "surface_functions.h"\n#include <crt/host_defines.h>\n#include <host_defines.h>\n#include <cooperative_groups/scan.h>\n';
    assert.equal(
      port(src),
      // one HIP header, included once: the three later lines go
      '#include <hip/hip_runtime.h>\n#include <cooperative_groups/scan.h>\n',
    );
    const scan = analyze(src, T52).findings.filter((f) => f.code === 'HP111');
    assert.deepEqual(scan.map((f) => f.cuda), ['cooperative_groups/scan.h']);
  });
});

describe('libcu++ headers', () => {
  test('cuda/barrier, cuda/atomic, cuda/pipeline and cuda/std/* are reported as having no HIP equivalent and kept', () => {
    const src = '#include <cuda/barrier>\n#include <cuda/std/atomic>\n#include <cuda/atomic>\n#include <cuda/pipeline>\n#include <cuda_runtime.h>\n';
    assert.equal(
      port(src),
      '#include <cuda/barrier>\n#include <cuda/std/atomic>\n#include <cuda/atomic>\n#include <cuda/pipeline>\n#include <hip/hip_runtime.h>\n',
    );
    const hits = analyze(src, T52).findings.filter((f) => f.code === 'HP111');
    assert.deepEqual(hits.map((f) => f.cuda), ['cuda/barrier', 'cuda/std/atomic', 'cuda/atomic', 'cuda/pipeline']);
  });
});

describe('cooperative groups before the runtime header', () => {
  test('hip/hip_runtime.h is inserted first when cooperative_groups.h precedes cuda_runtime.h', () => {
    const src = '#include <cooperative_groups.h>\n#include <cuda_runtime.h>\n__global__ void k() {}\n';
    assert.equal(
      port(src),
      '#include <hip/hip_runtime.h>\n#include <hip/hip_cooperative_groups.h>\n#include <hip/hip_runtime.h>\n__global__ void k() {}\n',
    );
    const after = '#include <cuda_runtime.h>\n#include <cooperative_groups.h>\n__global__ void k() {}\n';
    assert.equal(port(after), '#include <hip/hip_runtime.h>\n#include <hip/hip_cooperative_groups.h>\n__global__ void k() {}\n');
  });
});
