/**
 * Project port of a CMake project using cuRAND through CUDA::curand (test/fixtures/projects/
 * cmake-curand): hipRAND's package and target in both modes, built for gfx90a;gfx1030; with
 * USE_HIP off the nvcc build is the original one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmakeBuild, cmakeConfigureOutcome, copyOfFixture, fatbinArchs, filesWith, nvccPtx, port, scratch } from './project-helpers';

const NAME = 'cmake-curand';

describe('project port: cmake-curand', { concurrency: true }, () => {
  test('copy mode: CUDA::curand → hip::hiprand, find_package(hiprand), builds both archs', async () => {
    const out = join(scratch(NAME), 'copy');
    const r = await port(copyOfFixture(NAME), '--out', out);
    assert.equal(r.code, 0, r.err);
    const cm = readFileSync(join(out, 'CMakeLists.txt'), 'utf8');
    assert.match(cm, /find_package\(hip REQUIRED\)\nfind_package\(hiprand REQUIRED\)/);
    assert.match(cm, /target_link_libraries\(rand_stats PRIVATE hip::hiprand hip::host\)/);
    assert.match(cm, /add_executable\(rand_stats src\/main\.hip src\/stats\.hip\)/);
    assert.match(readFileSync(join(out, 'src', 'main.hip'), 'utf8'), /hiprandCreateGenerator/);
    const b = cmakeBuild(out, []);
    assert.deepEqual(fatbinArchs(join(b, 'rand_stats')), ['gfx1030', 'gfx90a']);
  });

  test('single-source: hipRAND names aliased in the compat header, -DUSE_HIP=ON builds both archs', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'ss');
    assert.equal((await port(src, '--single-source', '--out', out)).code, 0);
    const compat = readFileSync(join(out, 'hip_compat.h'), 'utf8');
    assert.match(compat, /^#include <hiprand\/hiprand.h>$/m);
    assert.match(compat, /^#define curandCreateGenerator hiprandCreateGenerator$/m);
    assert.match(readFileSync(join(out, 'hip_compat_include', 'curand.h'), 'utf8'), /#include "\.\.\/hip_compat\.h"/);
    const b = cmakeBuild(out, ['-DUSE_HIP=ON']);
    assert.deepEqual(fatbinArchs(join(b, 'rand_stats')), ['gfx1030', 'gfx90a']);
  });

  test('single-source, USE_HIP off: the CUDA configure behaves like the original; PTX identical', async () => {
    // nvcc 13 here is compile-only and ships no cuRAND: both trees must stop at the same CUDA::curand error
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'ss-off');
    assert.equal((await port(src, '--single-source', '--out', out)).code, 0);
    const defs = ['-DCMAKE_CUDA_COMPILER=/usr/local/bin/nvcc'];
    const po = cmakeConfigureOutcome(out, defs);
    assert.deepEqual(po, cmakeConfigureOutcome(src, defs));
    assert.match(po.errors, /CUDA::curand/);
    assert.equal(nvccPtx(out, 'src/stats.cu'), nvccPtx(src, 'src/stats.cu'));
    for (const f of filesWith(src, ['.cu', '.cuh'])) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(src, f), 'utf8'), f);
  });
});
