/**
 * `hip-porter build`: the pure argument parser, the task-definition mapping, and real local runs
 * through buildCommand (real hipcc).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCommand, parseBuildArgs, exitCodeForError } from '../../src/cli/build-command';
import { taskDefinitionToBuildPlan, substituteVariables } from '../../src/core/build/plan';
import { BuildError } from '../../src/core/build/errors';
import { cmakeCxxStandard, makefileCxxStandard, projectCxxStandard } from '../../src/core/build/cxx-standard';
import { main } from '../../src/cli/main';
import { requireHipcc, tempDir } from './helpers';

before(() => requireHipcc());

function io() {
  let out = '';
  let err = '';
  return { io: { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s) }, out: () => out, err: () => err };
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

// C++14/17 code that hipcc 5.2 rejects at its own default standard (C++11): an `auto` return type
// and an `auto` non-type template parameter with `if constexpr`.
const CXX17_KERNEL =
  '#include <hip/hip_runtime.h>\n' +
  '__device__ auto twice(int x) { return 2 * x; }\n' +
  'template <auto N> __device__ int scaled(int x) { if constexpr (N > 1) return x * N; else return x; }\n' +
  '__global__ void k(int *p) { p[0] = twice(p[1]) + scaled<3>(p[2]); }\n';

function cliIo() {
  let out = '';
  let err = '';
  return { io: { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s) }, out: () => out, err: () => err };
}

test('hip-porter build FILE -- FLAGS: the top-level CLI passes everything after -- to hipcc; C++17 by default', async () => {
  const dir = tempDir('std');
  const f = join(dir, 'modern.hip');
  writeFileSync(f, CXX17_KERNEL);
  // Default: -std=c++17 (like nvcc 12), so the C++17 kernel compiles.
  const a = cliIo();
  assert.equal(await main(['build', f, '--json', '--', '-O2', '-Wall'], a.io), 0, a.out() + a.err());
  const ja = JSON.parse(a.out()) as { command: string[] };
  assert.ok(ja.command.includes('-std=c++17') && ja.command.includes('-O2') && ja.command.includes('-Wall'), ja.command.join(' '));
  assert.doesNotMatch(a.err(), /unknown option/);
  // The user's own -std after -- replaces the default: C++11 makes real hipcc reject the same file.
  const b = cliIo();
  assert.equal(await main(['build', f, '--json', '--', '-std=c++11'], b.io), 1, b.err());
  const jb = JSON.parse(b.out()) as { command: string[]; diagnostics: { line: number; message: string }[] };
  assert.ok(!jb.command.includes('-std=c++17'));
  assert.ok(jb.diagnostics.some((d) => d.line === 2 && /deduced return types/.test(d.message)), JSON.stringify(jb.diagnostics));
  // `--` after options of build itself, and help, still reach build's own parser.
  const c = cliIo();
  assert.equal(await main(['build', '--help'], c.io), 0);
  assert.match(c.out(), /^Usage: hip-porter build \[options\] <files\.\.\.>/);
  assert.match(c.out(), /-std=c\+\+17/);
});

test('build uses the C++ standard the project asks for (CMake CUDA_STANDARD, Makefile -std=), else C++17', async () => {
  assert.equal(cmakeCxxStandard('set(CMAKE_CXX_STANDARD 14)\nset(CMAKE_CUDA_STANDARD 20)\n'), 'c++20', 'the CUDA standard wins');
  assert.equal(cmakeCxxStandard('target_compile_features(app PUBLIC cxx_std_17)\n# set(CMAKE_CXX_STANDARD 23)\n'), 'c++17', 'comments are ignored');
  assert.equal(cmakeCxxStandard('set_target_properties(app PROPERTIES CUDA_STANDARD 14)'), 'c++14');
  assert.equal(cmakeCxxStandard('project(x LANGUAGES CXX CUDA)'), undefined);
  assert.equal(makefileCxxStandard('NVCCFLAGS=-O3 -std=c++14 -arch=sm_80\n'), 'c++14');
  assert.equal(makefileCxxStandard('CXXFLAGS += --std=gnu++17 # -std=c++20\n'), 'gnu++17');
  assert.equal(makefileCxxStandard('all:\n\tnvcc -o x x.cu\n'), undefined);

  const root = tempDir('stdproj');
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'src', 'kernels'), { recursive: true });
  writeFileSync(join(root, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.18)\nproject(p LANGUAGES CXX CUDA)\nset(CMAKE_CUDA_STANDARD 20)\n');
  const f = join(root, 'src', 'kernels', 'k.hip');
  // C++20 designated initialisers: an extension warning under C++17, clean under C++20.
  writeFileSync(f, '#include <hip/hip_runtime.h>\nstruct P { int a; int b; };\n__global__ void k(int *p) { P q{.a = 1, .b = 2}; p[0] = q.a + q.b; }\n');
  assert.deepEqual(projectCxxStandard(f), { standard: 'c++20', source: join(root, 'CMakeLists.txt') });
  const a = io();
  assert.equal(await buildCommand([f, '--', '-Werror=c++20-designator'], a.io), 0, a.err());
  assert.match(a.err(), /\[hip-porter\] -std=c\+\+20 \(from .*CMakeLists\.txt\)/);
  // Outside any project (a .git folder stops the search): the C++17 default, and the warning-as-error fails.
  const lone = tempDir('stdlone');
  mkdirSync(join(lone, '.git'));
  writeFileSync(join(lone, 'k.hip'), readFileSync(f, 'utf8'));
  assert.equal(projectCxxStandard(join(lone, 'k.hip')), undefined);
  const b = io();
  assert.equal(await buildCommand([join(lone, 'k.hip'), '--', '-Werror=c++20-designator'], b.io), 1, b.err());
  assert.match(b.err(), /designated initializers are a C\+\+20 extension/);
});
