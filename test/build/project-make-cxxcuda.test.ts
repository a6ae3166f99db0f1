/**
 * Project port of a Make project whose C++ file calls the CUDA runtime but is compiled by `$(CXX)`
 * (test/fixtures/projects/make-cxxcuda: buffers.cpp uses cudaMalloc/cudaMemcpy, g++ links): under
 * `make HIP=1` that file goes through hipcc `-x hip` (main.cpp, plain C++, stays with g++), so the
 * binary links against libamdhip64 with no CUDA symbol left; without the switch `make -n` is the
 * original build.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyOfFixture, fatbinArchs, makeDryRun, port, run, scratch } from './project-helpers';

const NAME = 'make-cxxcuda';

describe('project port: make-cxxcuda', { concurrency: true }, () => {
  test('single-source: make HIP=1 compiles the CUDA-using .cpp with hipcc -x hip, plain C++ with g++; links', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'ss');
    const r = await port(src, '--single-source', '--out', out);
    assert.equal(r.code, 0, r.err);
    assert.match(readFileSync(join(out, 'Makefile'), 'utf8'), /^HIP_PORTER_CUDA_CXX := buffers\.cpp$/m);
    const log = run('make', ['HIP=1'], out);
    assert.match(log, /^hipcc --offload-arch=gfx90a --offload-arch=gfx1030 -include \S+hip_compat\.h \S+ -x hip .*-c buffers\.cpp/m);
    assert.match(log, /^g\+\+ .*-c main\.cpp/m);
    assert.deepEqual(fatbinArchs(join(out, 'app')), ['gfx1030', 'gfx90a']);
    const undefinedSyms = execFileSync('nm', ['-u', join(out, 'buffers.o')], { encoding: 'utf8' });
    assert.match(undefinedSyms, /\bhipMalloc\b/);
    assert.doesNotMatch(undefinedSyms, /\bcudaMalloc\b/);
  });

  test('single-source, switch off: make -n equals the original', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'off');
    assert.equal((await port(src, '--single-source', '--out', out)).code, 0);
    assert.equal(makeDryRun(out), makeDryRun(src));
  });

  test('copy mode: the hipified .cpp is compiled with hipcc -x hip too; builds both archs', async () => {
    const out = join(scratch(NAME), 'copy');
    const r = await port(copyOfFixture(NAME), '--out', out);
    assert.equal(r.code, 0, r.err);
    const log = run('make', [], out);
    assert.match(log, /^hipcc --offload-arch=gfx90a --offload-arch=gfx1030 -x hip .*-c buffers\.cpp/m);
    assert.deepEqual(fatbinArchs(join(out, 'app')), ['gfx1030', 'gfx90a']);
  });
});
