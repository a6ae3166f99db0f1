/**
 * Local builds with the real Debian hipcc (HIP_PLATFORM=amd, --offload-arch=gfx90a).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLocalBuild } from '../../src/core/build/local-runner';
import { detectHipVersion, hipccArgs, parseHipVersion, defaultOutputPath, buildEnvDelta } from '../../src/core/build/hipcc';
import { BuildError } from '../../src/core/build/errors';
import { groupAlive } from '../../src/core/build/process';
import { heavySource, processesInGroup, requireHipcc, tempDir, waitFor } from './helpers';

before(() => requireHipcc());

test('hipccArgs: argument array with archs, -c, -I, -D, flags, -o, sources', () => {
  assert.deepEqual(hipccArgs({ sources: ['a.hip'] }), ['--offload-arch=gfx90a', '--offload-arch=gfx1030', '-c', '-std=c++17', '-o', 'a.o', 'a.hip']);
  assert.deepEqual(
    hipccArgs({ sources: ['src/a b.hip'], offloadArchs: ['gfx90a', 'gfx1100'], includeDirs: ['inc dir'], defines: ['X=1'], extraFlags: ['-O3'], link: true }),
    ['--offload-arch=gfx90a', '--offload-arch=gfx1100', '-std=c++17', '-Iinc dir', '-DX=1', '-O3', '-o', join('src', 'a b'), 'src/a b.hip'],
  );
  // The user's own -std wins; '' asks for hipcc's default; an explicit standard replaces c++17.
  assert.ok(!hipccArgs({ sources: ['a.hip'], extraFlags: ['-std=c++20'] }).includes('-std=c++17'));
  assert.ok(!hipccArgs({ sources: ['a.hip'], extraFlags: ['--std', 'c++14'] }).some((a) => a.startsWith('-std=')));
  assert.ok(!hipccArgs({ sources: ['a.hip'], cxxStandard: '' }).some((a) => a.startsWith('-std=')));
  assert.ok(hipccArgs({ sources: ['a.hip'], cxxStandard: 'gnu++20' }).includes('-std=gnu++20'));
  assert.equal(defaultOutputPath({ sources: ['a.hip', 'b.hip'] }), undefined);
  assert.throws(() => hipccArgs({ sources: ['a.hip', 'b.hip'], output: 'x.o' }), (e: unknown) => e instanceof BuildError && e.code === 'usage');
  assert.throws(() => hipccArgs({ sources: [] }), BuildError);
  assert.deepEqual(buildEnvDelta({ sources: ['a'] }), { HIP_PLATFORM: 'amd' });
  assert.deepEqual(buildEnvDelta({ sources: ['a'], env: { HIP_PLATFORM: 'nvidia', X: '1' } }), { HIP_PLATFORM: 'nvidia', X: '1' });
});

test('detectHipVersion runs hipcc --version and parses "HIP version: X.Y.Z-n"', async () => {
  assert.equal(parseHipVersion('HIP version: 5.2.21153-0\nclang version 15'), '5.2.21153');
  const v = await detectHipVersion();
  assert.match(v, /^\d+\.\d+\.\d+$/);
  console.log(`hipcc reports HIP ${v}`);
});

test('good file: object produced, warning streamed and parsed', async () => {
  const dir = tempDir('good');
  const src = join(dir, 'good.hip');
  writeFileSync(src, '#include <hip/hip_runtime.h>\n__global__ void k(int *p, int unused) { p[0] = 1; }\n');
  const chunks: string[] = [];
  const r = await runLocalBuild({ sources: ['good.hip'], cwd: dir, extraFlags: ['-Wall', '-Wextra'] }, { onOutput: (c) => chunks.push(c) });
  assert.equal(r.exitCode, 0, r.output);
  assert.equal(r.outputPath, join(dir, 'good.o'));
  assert.ok(existsSync(join(dir, 'good.o')) && statSync(join(dir, 'good.o')).size > 0, 'object file written');
  assert.match(chunks.join(''), /unused parameter 'unused'/);
  const w = r.diagnostics.find((d) => d.flag === '-Wunused-parameter');
  assert.ok(w, JSON.stringify(r.diagnostics));
  assert.equal(w.severity, 'warning');
  assert.equal(w.file, src);
  assert.equal(w.line, 2);
  assert.equal(w.column, '__global__ void k(int *p, int '.length + 1);
  assert.deepEqual(r.command.slice(0, 4), ['hipcc', '--offload-arch=gfx90a', '--offload-arch=gfx1030', '-c']);
});

test('broken file: diagnostics with the right file, line, column, severity', async () => {
  const dir = tempDir('bad');
  writeFileSync(join(dir, 'helper.h'), '#pragma once\ninline __device__ int twice(int x) { return 2 * y; }\n');
  const body = '#include <hip/hip_runtime.h>\n#include "helper.h"\n__global__ void k(int *p) {\n  p[0] = twice(undefined_var);\n}\n';
  writeFileSync(join(dir, 'bad.hip'), body);
  const r = await runLocalBuild({ sources: ['bad.hip'], cwd: dir });
  assert.notEqual(r.exitCode, 0);
  assert.equal(existsSync(join(dir, 'bad.o')), false);
  const inHelper = r.diagnostics.find((d) => d.file === join(dir, 'helper.h'));
  assert.ok(inHelper, r.output);
  assert.equal(inHelper.severity, 'error');
  assert.equal(inHelper.line, 2);
  assert.equal(inHelper.column, 'inline __device__ int twice(int x) { return 2 * '.length + 1);
  assert.match(inHelper.message, /undeclared identifier 'y'/);
  assert.deepEqual(inHelper.includedFrom, [{ file: join(dir, 'bad.hip'), line: 2 }]);
  const inMain = r.diagnostics.find((d) => d.file === join(dir, 'bad.hip'));
  assert.ok(inMain, r.output);
  assert.equal(inMain.line, 4);
  assert.equal(inMain.column, '  p[0] = twice('.length + 1);
  assert.equal(inMain.severity, 'error');
});

test('cancel mid-compile kills the whole process tree', async () => {
  const dir = tempDir('cancel');
  writeFileSync(join(dir, 'heavy.hip'), heavySource(300));
  const ac = new AbortController();
  let pgid = 0;
  const t0 = Date.now();
  const run = runLocalBuild({ sources: ['heavy.hip'], cwd: dir, extraFlags: ['-O3'] }, { signal: ac.signal, onSpawn: (pid) => (pgid = pid) });
  // Wait until hipcc (Perl) has started the clang driver and the driver its `clang -cc1` child: a 3-level tree.
  await waitFor(() => pgid !== 0 && processesInGroup(pgid).length >= 3, 'hipcc -> clang driver -> clang -cc1', 30_000);
  const before = processesInGroup(pgid);
  ac.abort();
  await assert.rejects(run, (e: unknown) => e instanceof BuildError && e.code === 'cancelled' && /cancelled/i.test(e.message));
  await waitFor(() => !groupAlive(pgid), `process group ${pgid} to be gone: ${JSON.stringify(processesInGroup(pgid))}`, 5000);
  assert.deepEqual(processesInGroup(pgid), []);
  console.log(`cancelled after ${Date.now() - t0} ms; killed ${before.map((p) => p.comm).join(', ')}`);
});

test('timeout kills the tree and says so', async () => {
  const dir = tempDir('timeout');
  writeFileSync(join(dir, 'heavy.hip'), heavySource(300));
  let pgid = 0;
  await assert.rejects(
    runLocalBuild({ sources: ['heavy.hip'], cwd: dir, extraFlags: ['-O3'] }, { timeoutMs: 1500, onSpawn: (p) => (pgid = p) }),
    (e: unknown) => e instanceof BuildError && e.code === 'timeout' && /timed out after 1\.5 s/.test(e.message),
  );
  await waitFor(() => !groupAlive(pgid), 'the timed-out process group to be gone', 5000);
});

test('missing hipcc path gives the clear install message', async () => {
  const dir = tempDir('missing');
  writeFileSync(join(dir, 'a.hip'), 'int x;\n');
  await assert.rejects(runLocalBuild({ sources: ['a.hip'], cwd: dir, hipccPath: '/nonexistent/bin/hipcc' }), (e: unknown) => {
    assert.ok(e instanceof BuildError);
    assert.equal(e.code, 'hipcc-not-found');
    assert.match(e.message, /hipcc not found/);
    assert.match(e.message, /apt-get install hipcc libamdhip64-dev/);
    assert.match(e.message, /hipcc path setting/);
    return true;
  });
  await assert.rejects(detectHipVersion('/nonexistent/bin/hipcc'), (e: unknown) => e instanceof BuildError && e.code === 'hipcc-not-found');
});
