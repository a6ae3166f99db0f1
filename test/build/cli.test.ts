/**
 * `hip-porter build`: the pure argument parser, the task-definition mapping, and real local runs
 * through buildCommand (real hipcc).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCommand, parseBuildArgs, exitCodeForError } from '../../src/cli/build-command';
import { taskDefinitionToBuildPlan, substituteVariables } from '../../src/core/build/plan';
import { BuildError } from '../../src/core/build/errors';
import { requireHipcc, tempDir } from './helpers';

before(() => requireHipcc());

function io() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, out: () => out, err: () => err };
}

test('parseBuildArgs: files, remote, archs, include dirs, defines, passthrough flags', () => {
  const p = parseBuildArgs(['a.hip', 'b.hip', '--remote', 'box', '--remote-dir', '/scratch/me', '--offload-arch', 'gfx90a, gfx942', '-I', 'inc', '-Iinc2', '-D', 'X=1', '-o', 'out/app', '--link', '--ssh-config', 'cfg', '--json', '--', '-O3', '-std=c++17'], '/w');
  assert.equal(p.kind, 'run');
  if (p.kind !== 'run') return;
  assert.equal(p.json, true);
  assert.deepEqual(p.plan.request.sources, ['/w/a.hip', '/w/b.hip']);
  assert.deepEqual(p.plan.request.offloadArchs, ['gfx90a', 'gfx942']);
  assert.deepEqual(p.plan.request.includeDirs, ['/w/inc', '/w/inc2']);
  assert.deepEqual(p.plan.request.defines, ['X=1']);
  assert.deepEqual(p.plan.request.extraFlags, ['-O3', '-std=c++17']);
  assert.equal(p.plan.request.output, '/w/out/app');
  assert.equal(p.plan.request.link, true);
  assert.deepEqual(p.plan.remote, { host: 'box', remoteDir: '/scratch/me', sync: 'closure', connectTimeoutSec: 10, sshConfigFile: '/w/cfg', localRoot: '/w', transfer: 'auto' });
  assert.equal(p.plan.label, 'hipcc a.hip b.hip (gfx90a,gfx942) on box');
});

test('parseBuildArgs: usage errors and help, never throwing', () => {
  const cases: [string[], RegExp][] = [
    [[], /missing required argument 'files'/],
    [['a.hip', '--bogus'], /unknown option '--bogus'/],
    [['a.hip', '--sync', 'everything'], /Allowed choices are closure, folder, off/],
    [['a.hip', '--remote-dir', '/x'], /need --remote HOST/],
    [['a.hip', '--timeout', 'soon'], /--timeout must be a positive number/],
  ];
  for (const [argv, re] of cases) {
    const p = parseBuildArgs(argv, '/w');
    assert.equal(p.kind, 'usage-error', argv.join(' '));
    if (p.kind === 'usage-error') assert.match(p.message, re);
  }
  const h = parseBuildArgs(['--help']);
  assert.equal(h.kind, 'help');
  if (h.kind === 'help') assert.match(h.text, /--offload-arch <list>/);
});

test('taskDefinitionToBuildPlan: settings, task overrides and variables', () => {
  const ctx = { currentFile: '/ws/src/k.hip', workspaceFolder: '/ws' };
  const local = taskDefinitionToBuildPlan({ type: 'hipcc' }, { includeDirs: ['${workspaceFolder}/include', 'third'], outputPath: '${fileDirname}/${fileBasenameNoExtension}.o' }, ctx);
  assert.deepEqual(local.request.sources, ['/ws/src/k.hip']);
  assert.deepEqual(local.request.includeDirs, ['/ws/include', '/ws/third']);
  assert.equal(local.request.output, '/ws/src/k.o');
  assert.equal(local.request.env?.HIP_PLATFORM, 'amd');
  assert.equal(local.remote, undefined);
  const remote = taskDefinitionToBuildPlan({ type: 'hipcc', offloadArch: ['gfx1100'], sync: 'folder' }, { remoteHost: 'mi250', remoteDir: 'work' }, ctx);
  assert.deepEqual(remote.remote, { host: 'mi250', remoteDir: 'work', sync: 'folder', connectTimeoutSec: 10, localRoot: '/ws' });
  assert.deepEqual(remote.request.offloadArchs, ['gfx1100']);
  assert.equal(taskDefinitionToBuildPlan({ type: 'hipcc', remote: 'local' }, { remoteHost: 'mi250' }, ctx).remote, undefined);
  assert.throws(() => substituteVariables('${file}', {}), (e: unknown) => e instanceof BuildError && e.code === 'usage');
  assert.equal(exitCodeForError(new BuildError('killed', 'x', { signal: 'SIGTERM' })), 143);
});

test('buildCommand: good file exits 0 with streamed output and summary; broken file exits with hipcc code and JSON diagnostics', async () => {
  const dir = tempDir('cli');
  writeFileSync(join(dir, 'ok.hip'), '#include <hip/hip_runtime.h>\n__global__ void k(int *p, int unused) { p[0] = 1; }\n');
  writeFileSync(join(dir, 'bad.hip'), '#include <hip/hip_runtime.h>\n__global__ void k(int *p) {\n  p[0] = nope;\n}\n');
  const a = io();
  const code = await buildCommand([join(dir, 'ok.hip'), '--', '-Wextra'], a.io);
  assert.equal(code, 0, a.err());
  assert.ok(existsSync(join(dir, 'ok.o')));
  assert.match(a.err(), /unused parameter 'unused'/);
  assert.match(a.err(), /hip-porter: build succeeded in \d+\.\d s \(0 errors, 1 warning\) -> .*ok\.o/);

  const b = io();
  const bad = await buildCommand([join(dir, 'bad.hip'), '--json'], b.io);
  assert.equal(bad, 1);
  const j = JSON.parse(b.out()) as { exitCode: number; diagnostics: { file: string; line: number; column: number; severity: string }[] };
  assert.equal(j.exitCode, 1);
  assert.deepEqual(
    j.diagnostics.map((d) => [d.file, d.line, d.column, d.severity]),
    [[join(dir, 'bad.hip'), 3, 10, 'error']],
  );
});

test('buildCommand: usage error exits 2 and missing hipcc exits 127, both without a stack trace', async () => {
  const a = io();
  assert.equal(await buildCommand(['--offload-arch'], a.io), 2);
  assert.match(a.err(), /^hip-porter build: .*argument missing/);
  assert.doesNotMatch(a.err(), /\n\s+at /);
  const b = io();
  assert.equal(await buildCommand(['x.hip', '--hipcc', '/nope/hipcc'], b.io), 127);
  assert.match(b.err(), /^hip-porter: error: hipcc not found: .*apt-get install hipcc libamdhip64-dev/);
  assert.doesNotMatch(b.err(), /\n\s+at /);
});
