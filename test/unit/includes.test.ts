/**
 * Where the inserted HIP runtime include goes, and how CUDA includes are rewritten (issue 13,
 * items 12 and 13): first in the TU, before any user code; never into a header that needs only the
 * execution-space keywords; quote style kept; one HIP header included once.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser } from '../../src/core/parse';
import { translate } from '../../src/core/translate';

const T52 = { targetRocm: '5.2' };

before(async () => {
  await initParser();
});

describe('item 12: the inserted runtime include', () => {
  test('goes first in a TU, above a user macro that precedes the first include', () => {
    const src = '// a comment\n#define T int\n#include <stdio.h>\n__global__ void k(T* p) { p[threadIdx.x] = 0; }\n';
    assert.equal(
      translate(src, { ...T52, sourcePath: '/p/a.cu' }).text,
      '// a comment\n#include <hip/hip_runtime.h>\n#define T int\n#include <stdio.h>\n__global__ void k(T* p) { p[threadIdx.x] = 0; }\n',
    );
  });

  test('is not added to a header whose only CUDA-isms are execution-space keywords', () => {
    const src = '#ifndef SQ_H\n#define SQ_H\n__host__ __device__ inline float sq(float x) { return x * x; }\n__constant__ float table[4];\n#endif\n';
    for (const path of ['/p/sq.h', '/p/sq.cuh', '/p/sq.hpp']) {
      const r = translate(src, { ...T52, sourcePath: path });
      assert.equal(r.text, src, path);
      assert.ok(!r.analysis.findings.some((f) => f.code === 'HP112'), path);
    }
    // the same text as a TU (or with no path) still gets it
    assert.match(translate(src, { ...T52, sourcePath: '/p/sq.cu' }).text, /#include <hip\/hip_runtime\.h>/);
  });

  test('a header that needs more (threadIdx, a runtime call) gets it right after its include guard', () => {
    const guarded = '// (c) someone\n#ifndef TID_H\n#define TID_H\n#define T int\n__device__ inline T tid() { return threadIdx.x; }\n#endif\n';
    assert.equal(
      translate(guarded, { ...T52, sourcePath: '/p/tid.cuh' }).text,
      '// (c) someone\n#ifndef TID_H\n#define TID_H\n#include <hip/hip_runtime.h>\n#define T int\n__device__ inline T tid() { return threadIdx.x; }\n#endif\n',
    );
    const once = '#pragma once\nvoid sync() { cudaDeviceSynchronize(); }\n';
    assert.equal(
      translate(once, { ...T52, sourcePath: '/p/s.h' }).text,
      '#pragma once\n#include <hip/hip_runtime.h>\nvoid sync() { hipDeviceSynchronize(); }\n',
    );
  });

  test('with hipcc: a host TU defining T before including a keyword-only header compiles once ported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-inc-'));
    try {
      const header = '#pragma once\n__host__ __device__ inline float twice(float x) { return 2 * x; }\n';
      const tu = '#define T int\n#include "twice.h"\n#include <vector>\nint main() { std::vector<T> v(2); return (int)twice((float)v.size()); }\n';
      writeFileSync(join(dir, 'twice.h'), translate(header, { ...T52, sourcePath: join(dir, 'twice.h') }).text);
      writeFileSync(join(dir, 'main.hip'), translate(tu, { ...T52, sourcePath: join(dir, 'main.cu') }).text);
      execFileSync('hipcc', ['--offload-arch=gfx90a', '-std=c++17', '-fsyntax-only', join(dir, 'main.hip')], {
        env: { ...process.env, HIP_PLATFORM: 'amd' },
        stdio: 'pipe',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('item 12: a runtime include that comes late in a TU', () => {
  test('gets hip/hip_runtime.h first (as nvcc pre-includes cuda_runtime.h) and the later line goes', () => {
    const src = '// tool\n#include "seed.cuh"\n#include <cuda_runtime.h>\nint main() { cudaDeviceSynchronize(); }\n';
    const out = translate(src, { ...T52, sourcePath: '/p/main.cu' }).text;
    assert.equal(out, '// tool\n#include <hip/hip_runtime.h>\n#include "seed.cuh"\nint main() { hipDeviceSynchronize(); }\n');
    assert.equal(translate(out, { ...T52, sourcePath: '/p/main.cu' }).text, out, 'idempotent');
    // already first (after comments): nothing added
    const first = '/* c */\n#include <cuda_runtime.h>\n#include "seed.cuh"\nint main() { cudaDeviceSynchronize(); }\n';
    assert.equal(translate(first, { ...T52, sourcePath: '/p/main.cu' }).text, '/* c */\n#include <hip/hip_runtime.h>\n#include "seed.cuh"\nint main() { hipDeviceSynchronize(); }\n');
  });

  test('with hipcc: a keyword-only header using assert in __host__ __device__ code compiles when the TU includes it before the runtime', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-inc-'));
    try {
      const header = '#pragma once\n#include <cassert>\nstruct Seed { int lo, hi; __host__ __device__ Seed(int a, int b) : lo(a), hi(b) { assert(hi >= lo); } };\n';
      const tu = '#include "seed.cuh"\n#include <cuda_runtime.h>\n__global__ void k(int* p) { Seed s(p[0], p[1]); p[2] = s.hi - s.lo; }\nint main() { return 0; }\n';
      const h = translate(header, { ...T52, sourcePath: join(dir, 'seed.cuh') }).text;
      assert.equal(h, header, 'the header needs only execution-space keywords: unchanged');
      writeFileSync(join(dir, 'seed.cuh'), h);
      writeFileSync(join(dir, 'main.hip'), translate(tu, { ...T52, sourcePath: join(dir, 'main.cu') }).text);
      execFileSync('hipcc', ['--offload-arch=gfx90a', '-std=c++17', '-fsyntax-only', join(dir, 'main.hip')], { env: { ...process.env, HIP_PLATFORM: 'amd' }, stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('item 13: include rewrites', () => {
  test('quoted includes stay quoted, angle ones stay angled', () => {
    const out = translate('#include "cuda_runtime.h"\n#include <curand.h>\n#include "cublas_v2.h"\nint main() { cudaDeviceSynchronize(); }\n', T52).text;
    assert.equal(out, '#include "hip/hip_runtime.h"\n#include <hiprand/hiprand.h>\n#include "hipblas/hipblas.h"\nint main() { hipDeviceSynchronize(); }\n');
  });

  test('cuda.h + cuda_runtime.h become one hip/hip_runtime.h: the second include line is removed', () => {
    const src = '#include <cuda.h>\n#include <stdio.h>\n#include <cuda_runtime.h>  // runtime\n#include "device_launch_parameters.h"\nint main() { cudaDeviceSynchronize(); }\n';
    const r = translate(src, T52);
    assert.equal(r.text, '#include <hip/hip_runtime.h>\n#include <stdio.h>\nint main() { hipDeviceSynchronize(); }\n');
    const removed = r.applied.filter((f) => /already included on line 1/.test(f.message));
    assert.equal(removed.length, 2);
    // idempotent
    assert.equal(translate(r.text, T52).text, r.text);
    // an existing hip/hip_runtime.h counts as the first one
    assert.equal(translate('#include <hip/hip_runtime.h>\n#include <cuda_runtime.h>\n', T52).text, '#include <hip/hip_runtime.h>\n');
  });

  test('includes in different branches of #if are not duplicates; one inside a branch after an unconditional one is', () => {
    const branches = '#ifdef USE_DRIVER\n#include <cuda.h>\n#else\n#include <cuda_runtime.h>\n#endif\n';
    assert.equal(translate(branches, T52).text, '#ifdef USE_DRIVER\n#include <hip/hip_runtime.h>\n#else\n#include <hip/hip_runtime.h>\n#endif\n');
    const nested = '#include <cuda.h>\n#ifdef X\n#include <cuda_runtime.h>\n#endif\n';
    assert.equal(translate(nested, T52).text, '#include <hip/hip_runtime.h>\n#ifdef X\n#endif\n');
  });
});
