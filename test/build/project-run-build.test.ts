/**
 * The shared project build runner (src/core/project/run-build.ts) behind `hip-porter build <dir>`
 * and the extension's `hipProject` task: compiler errors of a make build come back as diagnostics
 * on the absolute local file (real Debian hipcc), cancelling stops a running step at once, and a
 * folder without a build file is a clear failure, not a throw.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runProjectBuild } from '../../src/core/project/run-build';

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'hp-run-build-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

describe('runProjectBuild', () => {
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('maps a hipcc error of a make build to the local file and line', async () => {
    const dir = project({
      'Makefile': 'all:\n\thipcc --offload-arch=gfx90a -c broken.hip -o broken.o\n',
      'broken.hip': '#include <hip/hip_runtime.h>\n__global__ void k(int* p) {\n  p[0] = undeclared_name;\n}\n',
    });
    const out: string[] = [];
    const steps: string[] = [];
    const r = await runProjectBuild(dir, { onOutput: (c) => out.push(c), onStep: (s) => steps.push(s) });
    assert.equal(r.plan.system, 'make');
    assert.notEqual(r.exitCode, 0);
    assert.equal(r.cancelled, false);
    assert.equal(r.failure, undefined);
    assert.deepEqual(steps, ['make -j 2']);
    assert.match(out.join(''), /undeclared_name/, 'output streamed');
    const e = r.diagnostics.find((d) => d.severity === 'error' && /undeclared_name/.test(d.message));
    assert.ok(e, JSON.stringify(r.diagnostics));
    assert.equal(e.file, join(dir, 'broken.hip'));
    assert.equal(e.line, 3);
  });

  it('stops a running step when aborted', async () => {
    const dir = project({ 'Makefile': 'all:\n\tsleep 30\n' });
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 300);
    const r = await runProjectBuild(dir, { signal: ac.signal });
    assert.equal(r.cancelled, true);
    assert.notEqual(r.exitCode, 0);
    assert.ok(Date.now() - t0 < 10_000, `stopped after ${Date.now() - t0} ms`);
  });

  it('reports a folder without a build file as a failure', async () => {
    const dir = project({ 'a.hip': '' });
    const r = await runProjectBuild(dir);
    assert.equal(r.exitCode, 2);
    assert.match(r.failure ?? '', /no CMakeLists\.txt or Makefile/);
  });
});
