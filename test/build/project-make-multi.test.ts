/**
 * Project port of a multi-directory Make project with a shared .cuh (test/fixtures/projects/make-multi):
 * copy mode and single-source mode, each built with make + hipcc for gfx90a and gfx1030 (one fat
 * binary holding both code objects); single-source with the switch off is the original nvcc build.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyOfFixture, fatbinArchs, filesWith, makeDryRun, nvccPtx, port, run, scratch } from './project-helpers';

const NAME = 'make-multi';

describe('project port: make-multi', { concurrency: true }, () => {
  test('copy mode: .cu → .hip, the Makefile follows, make builds one gfx90a+gfx1030 binary', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'copy');
    const r = await port(src, '--out', out);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(filesWith(out, ['.cu']), []);
    assert.deepEqual(filesWith(out, ['.hip']), ['src/kernels/saxpy.hip', 'src/kernels/sum.hip', 'src/main.hip']);
    const mk = readFileSync(join(out, 'Makefile'), 'utf8');
    assert.match(mk, /^NVCC \?= hipcc \$\(HIP_ARCH_FLAGS\)$/m);
    assert.match(mk, /^HIP_OFFLOAD_ARCH \?= gfx90a gfx1030$/m);
    assert.match(mk, /^%\.o: %\.hip include\/common\.cuh$/m);
    assert.doesNotMatch(mk, /-arch=sm_|--expt-relaxed-constexpr|-lineinfo|-Xcompiler|-lcudart/);
    assert.match(mk, /# Several translation units/); // comments kept
    run('make', ['-j2'], out);
    assert.deepEqual(fatbinArchs(join(out, 'app')), ['gfx1030', 'gfx90a']);
  });

  test('single-source: sources untouched, compat header, make HIP=1 builds both archs', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'ss');
    const r = await port(src, '--single-source', '--out', out);
    assert.equal(r.code, 0, r.err);
    for (const f of filesWith(src, ['.cu'])) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(src, f), 'utf8'), f);
    // the one platform fix: the warp width, per device compilation (never one build-wide constant)
    const common = readFileSync(join(out, 'include', 'common.cuh'), 'utf8');
    assert.equal(common.replace(/#if defined\(__HIP_PLATFORM_AMD__\)[^\n]*\n#define WARP_SIZE 64\n#else\n(#define WARP_SIZE 32)\n#endif/, '$1'), readFileSync(join(src, 'include', 'common.cuh'), 'utf8'));
    const warp = (extra: string[]): string =>
      run('hipcc', ['-x', 'hip', ...extra, '-include', 'hip_compat.h', '-Ihip_compat_include', '-E', '-dM', 'src/kernels/saxpy.cu'], out, { HIP_PLATFORM: 'amd' }).match(/#define WARP_SIZE (\d+)/)![1]!;
    assert.equal(warp(['--cuda-device-only', '--offload-arch=gfx90a']), '64');
    assert.equal(warp(['--cuda-device-only', '--offload-arch=gfx1030']), '32');
    const compat = readFileSync(join(out, 'hip_compat.h'), 'utf8');
    assert.match(compat, /^#define cudaMalloc hipMalloc$/m);
    assert.match(compat, /^#define cudaMemcpyHostToDevice hipMemcpyHostToDevice$/m);
    assert.doesNotMatch(compat, /cudaMallocManaged|cudaStreamCreate/); // only names the project uses
    assert.match(compat, /#else\n#include <cuda_runtime.h>\n#endif/);
    assert.ok(existsSync(join(out, 'hip_compat_include', 'cuda_runtime.h')));
    run('make', ['-j2', 'HIP=1'], out);
    assert.deepEqual(fatbinArchs(join(out, 'app')), ['gfx1030', 'gfx90a']);
    // the arch list is a setting
    run('make', ['clean'], out);
    run('make', ['-j2', 'HIP=1', 'HIP_OFFLOAD_ARCH=gfx1030'], out);
    assert.deepEqual(fatbinArchs(join(out, 'app')), ['gfx1030']);
  });

  test('single-source, switch off: the nvcc build is the original build (same commands, same PTX)', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'ss-off');
    assert.equal((await port(src, '--single-source', '--out', out)).code, 0);
    assert.equal(makeDryRun(out), makeDryRun(src));
    run('make', ['-j2'], out); // nvcc 13 compiles and links
    assert.ok(existsSync(join(out, 'app')));
    for (const f of filesWith(src, ['.cu'])) assert.equal(nvccPtx(out, f), nvccPtx(src, f), f);
  });
});
