/**
 * Project port of a CMake project with a static library, an executable and separable compilation
 * (test/fixtures/projects/cmake-rdc): copy mode and single-source mode built with CMake's HIP
 * language for gfx90a;gfx1030 through the generated toolchain file; with USE_HIP off the ported
 * tree configures and builds with nvcc exactly like the original (same compile commands, same PTX).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmakeBuild, compileCommands, copyOfFixture, fatbinArchs, filesWith, nvccPtx, port, scratch } from './project-helpers';

const NAME = 'cmake-rdc';

describe('project port: cmake-rdc', { concurrency: true }, () => {
  test('copy mode: HIP language, -fgpu-rdc, cmake builds one gfx90a+gfx1030 binary', async () => {
    const out = join(scratch(NAME), 'copy');
    const r = await port(copyOfFixture(NAME), '--out', out);
    assert.equal(r.code, 0, r.err);
    const top = readFileSync(join(out, 'CMakeLists.txt'), 'utf8');
    assert.match(top, /project\(rdc_demo LANGUAGES CXX HIP\)/);
    assert.match(top, /find_package\(hip REQUIRED\)/);
    assert.match(top, /add_executable\(rdc_app app\/main\.hip\)/);
    assert.match(top, /if\(NOT DEFINED CMAKE_HIP_ARCHITECTURES\)/);
    assert.doesNotMatch(top, /CUDA|-lineinfo|expt-relaxed/);
    const lib = readFileSync(join(out, 'lib', 'CMakeLists.txt'), 'utf8');
    assert.match(lib, /hip_std_17/);
    assert.match(lib, /set_target_properties\(physics PROPERTIES\n  POSITION_INDEPENDENT_CODE ON\)/);
    assert.match(lib, /-fgpu-rdc/);
    const b = cmakeBuild(out, []);
    assert.deepEqual(fatbinArchs(join(b, 'rdc_app')), ['gfx1030', 'gfx90a']);
  });

  test('single-source: -DUSE_HIP=ON builds both archs; the cache decides the archs', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'ss');
    assert.equal((await port(src, '--single-source', '--out', out)).code, 0);
    for (const f of filesWith(src, ['.cu', '.cuh'])) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(src, f), 'utf8'), f);
    const b = cmakeBuild(out, ['-DUSE_HIP=ON']);
    assert.deepEqual(fatbinArchs(join(b, 'rdc_app')), ['gfx1030', 'gfx90a']);
    const b2 = cmakeBuild(out, ['-DUSE_HIP=ON', '-DCMAKE_HIP_ARCHITECTURES=gfx1030']);
    assert.deepEqual(fatbinArchs(join(b2, 'rdc_app')), ['gfx1030']);
  });

  test('single-source, USE_HIP off: nvcc build identical to the original (compile commands, PTX)', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'ss-off');
    assert.equal((await port(src, '--single-source', '--out', out)).code, 0);
    const defs = ['-DCMAKE_CUDA_COMPILER=/usr/local/bin/nvcc', '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON'];
    const bo = cmakeBuild(src, defs);
    const bp = cmakeBuild(out, defs);
    assert.deepEqual(compileCommands(bp, out), compileCommands(bo, src));
    for (const f of filesWith(src, ['.cu'])) assert.equal(nvccPtx(out, f, ['lib']), nvccPtx(src, f, ['lib']), f);
  });
});
