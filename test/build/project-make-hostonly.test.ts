/**
 * Project port of a Make project with host-only C++ beside one CUDA TU
 * (test/fixtures/projects/make-hostonly): the host-only files stay byte-identical in both modes,
 * -gencode/-use_fast_math are mapped, and both modes build for gfx90a and gfx1030.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyOfFixture, fatbinArchs, makeDryRun, nvccPtx, port, run, scratch } from './project-helpers';

const NAME = 'make-hostonly';
const HOST_ONLY = ['main.cpp', 'host/table.cpp', 'host/table.h', 'gpu/square.h'];

describe('project port: make-hostonly', { concurrency: true }, () => {
  for (const mode of ['copy', 'single-source'] as const) {
    test(`${mode}: host-only C++ untouched, builds one gfx90a+gfx1030 binary`, async () => {
      const src = copyOfFixture(NAME);
      const out = join(scratch(NAME), mode);
      const r = await port(src, ...(mode === 'single-source' ? ['--single-source'] : []), '--out', out, '--json');
      assert.equal(r.code, 0, r.err);
      const plan = JSON.parse(r.out) as { files: Array<{ path: string }> };
      for (const f of HOST_ONLY) {
        assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(src, f), 'utf8'), f);
        assert.ok(!plan.files.some((p) => p.path === f), `${f} must not be in the plan`);
      }
      const mk = readFileSync(join(out, 'Makefile'), 'utf8');
      assert.match(mk, /^CXX = g\+\+$/m);
      assert.match(mk, /-O2 -std=c\+\+17 -ffast-math/);
      run('make', mode === 'copy' ? [] : ['HIP=1'], out);
      assert.deepEqual(fatbinArchs(join(out, 'prog')), ['gfx1030', 'gfx90a']);
    });
  }

  test('single-source, switch off: make -n and PTX equal the original', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'off');
    assert.equal((await port(src, '--single-source', '--out', out)).code, 0);
    assert.equal(makeDryRun(out), makeDryRun(src));
    assert.equal(nvccPtx(out, 'gpu/square.cu'), nvccPtx(src, 'gpu/square.cu'));
  });
});
