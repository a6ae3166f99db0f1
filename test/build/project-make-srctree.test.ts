/**
 * Project port of a Make project laid out like many research codes (test/fixtures/projects/
 * make-srctree): the GPU Makefile lives in build/linux-gpu/, outside the source tree, includes
 * ../../common.mk (SRC_DIR, `CC := g++`) and compiles `../../$(SRC_DIR)/*\/%.cpp` with `$(CC)`;
 * headers are included through `-I../../src` ("util/device_info.h"). core/config.cpp and
 * app/main.cpp name nothing CUDA themselves but include a project header that uses the CUDA
 * runtime, so under `make HIP=1` they go through hipcc -x hip; core/text.cpp stays with g++; the
 * CPU-only Makefile beside it is left alone; without the switch `make -n` is the original build.
 * Copy mode sends the same files to hipcc -x hip in the HIP-only build.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyOfFixture, fatbinArchs, fixtureProject, makeDryRun, port, run, scratch } from './project-helpers';

const NAME = 'make-srctree';
const GPU = 'build/linux-gpu';

describe('project port: make-srctree', { concurrency: true }, () => {
  test('single-source: make HIP=1 sends the .cpp files that reach CUDA through -I headers to hipcc -x hip, plain C++ to $(CC)=g++; links both archs', async () => {
    const out = join(scratch(NAME), 'ss');
    const r = await port(copyOfFixture(NAME), '--single-source', '--out', out);
    assert.equal(r.code, 0, r.err);
    const mk = readFileSync(join(out, GPU, 'Makefile'), 'utf8');
    assert.match(mk, /^HIP_PORTER_CUDA_CXX := \.\.\/\.\.\/src\/app\/main\.cpp \.\.\/\.\.\/src\/core\/config\.cpp$/m);
    // the CPU-only Makefile compiles the same tree but has nothing CUDA: untouched
    assert.equal(readFileSync(join(out, 'build/linux-cpu/Makefile'), 'utf8'), readFileSync(join(fixtureProject(NAME), 'build/linux-cpu/Makefile'), 'utf8'));
    const log = run('make', ['HIP=1'], join(out, GPU));
    const hip = /^hipcc --offload-arch=gfx90a --offload-arch=gfx1030 -include \S+hip_compat\.h \S+ -x hip /.source;
    assert.match(log, new RegExp(`${hip}\\.\\./\\.\\./src/core/config\\.cpp -c`, 'm'));
    assert.match(log, new RegExp(`${hip}\\.\\./\\.\\./src/app/main\\.cpp -c`, 'm'));
    assert.match(log, /^g\+\+ \.\.\/\.\.\/src\/core\/text\.cpp -c/m);
    assert.match(log, /^g\+\+ obj\/config\.o .*-lamdhip64/m);
    assert.deepEqual(fatbinArchs(join(out, GPU, 'app')), ['gfx1030', 'gfx90a']);
    const undefinedSyms = execFileSync('nm', ['-u', join(out, GPU, 'obj/config.o')], { encoding: 'utf8' });
    assert.match(undefinedSyms, /\bhipGetDeviceCount\b/);
    assert.doesNotMatch(undefinedSyms, /\bcuda[A-Z]/);
  });

  test('single-source, switch off: make -n equals the original (GPU and CPU Makefiles)', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'off');
    assert.equal((await port(src, '--single-source', '--out', out)).code, 0);
    assert.equal(makeDryRun(join(out, GPU)), makeDryRun(join(src, GPU)));
    assert.equal(makeDryRun(join(out, 'build/linux-cpu')), makeDryRun(join(src, 'build/linux-cpu')));
  });

  test('copy mode: the same C++ files go through hipcc -x hip in the HIP-only build; builds both archs', async () => {
    const out = join(scratch(NAME), 'copy');
    const r = await port(copyOfFixture(NAME), '--out', out);
    assert.equal(r.code, 0, r.err);
    const log = run('make', [], join(out, GPU));
    assert.match(log, /^hipcc --offload-arch=gfx90a --offload-arch=gfx1030 -x hip \.\.\/\.\.\/src\/core\/config\.cpp -c/m);
    assert.match(log, /^g\+\+ \.\.\/\.\.\/src\/core\/text\.cpp -c/m);
    assert.match(log, /^hipcc --offload-arch=gfx90a --offload-arch=gfx1030 -c \.\.\/\.\.\/src\/gpu\/reduce\.hip/m);
    assert.deepEqual(fatbinArchs(join(out, GPU, 'app')), ['gfx1030', 'gfx90a']);
  });
});
