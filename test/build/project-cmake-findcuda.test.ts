/**
 * Project port of an old-style FindCUDA project (test/fixtures/projects/cmake-findcuda:
 * find_package(CUDA), CUDA_NVCC_FLAGS with a -D the kernels need, cuda_add_library +
 * cuda_add_executable): migrated to the HIP language in both modes and built for gfx90a;gfx1030
 * with the real CMake 3.25 + hip-clang; with USE_HIP off the configure behaves like the original.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmakeBuild, cmakeConfigureOutcome, copyOfFixture, fatbinArchs, port, scratch } from './project-helpers';

const NAME = 'cmake-findcuda';

describe('project port: cmake-findcuda', { concurrency: true }, () => {
  test('copy mode: cuda_add_* → add_* of .hip sources; CUDA_NVCC_FLAGS reach hip-clang; both archs', async () => {
    const out = join(scratch(NAME), 'copy');
    const r = await port(copyOfFixture(NAME), '--out', out);
    assert.equal(r.code, 0, r.err);
    const cm = readFileSync(join(out, 'CMakeLists.txt'), 'utf8');
    assert.match(cm, /add_executable\(scale_app src\/main\.hip\)/);
    assert.doesNotMatch(cm, /^\s*(cuda_add_|find_package\(CUDA)/m);
    // scale.hip has `#error` unless SCALE_FACTOR (from CUDA_NVCC_FLAGS) arrives: building proves it does
    const b = cmakeBuild(out, []);
    assert.deepEqual(fatbinArchs(join(b, 'scale_app')), ['gfx1030', 'gfx90a']);
    assert.match(readFileSync(join(b, 'scale_app')).toString('latin1'), /scale_kernel/); // the library's kernel is in the fat binary
  });

  test('single-source: -DUSE_HIP=ON builds AMD code objects of the .cu sources; USE_HIP off configures like the original', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'ss');
    const r = await port(src, '--single-source', '--out', out);
    assert.equal(r.code, 0, r.err);
    assert.ok(existsSync(join(out, 'hip_compat_include', 'cuda_runtime.h')), 'a forwarding header for <cuda_runtime.h>');
    const b = cmakeBuild(out, ['-DUSE_HIP=ON']);
    assert.deepEqual(fatbinArchs(join(b, 'scale_app')), ['gfx1030', 'gfx90a']);
    assert.deepEqual(cmakeConfigureOutcome(out, []), cmakeConfigureOutcome(src, []));
  });
});
