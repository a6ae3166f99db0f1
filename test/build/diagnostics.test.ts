/**
 * The clang/linker diagnostic parser, fed with output captured from real hipcc runs in this test,
 * and the remote-to-local path mapping.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDiagnostics, mapRemotePath, countBySeverity, type BuildDiagnostic } from '../../src/core/build/diagnostics';
import { requireHipcc, tempDir } from './helpers';

before(() => requireHipcc());

/** Runs hipcc in `cwd` and returns stdout+stderr (what a user would see). */
function hipcc(cwd: string, args: string[]): string {
  const r = spawnSync('hipcc', ['--offload-arch=gfx90a', ...args], { cwd, env: { ...process.env, HIP_PLATFORM: 'amd' }, encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'these fixtures must fail to build');
  return `${r.stdout}${r.stderr}`;
}

test('compiler errors, warnings with flags, fatal errors and include chains', () => {
  const dir = tempDir('diag');
  writeFileSync(join(dir, 'inner.h'), '#pragma once\ninline __device__ int g(int x) { return y; }\n');
  writeFileSync(join(dir, 'outer.h'), '#pragma once\n#include "inner.h"\n');
  const main = [
    '#include <hip/hip_runtime.h>', // 1
    '#include "outer.h"', // 2
    '__global__ void k(int *p) {', // 3
    '  unsigned u = 0; if (u < 0) p[0] = 1;', // 4
    '  #warning custom warning', // 5
    '  #include "missing.h"', // 6
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'main.hip'), main + '\n');
  const out = hipcc(dir, ['-Wall', '-Wextra', '-c', 'main.hip', '-o', 'main.o']);
  const diags = parseDiagnostics(out, { cwd: dir });

  const y = diags.find((d) => /undeclared identifier 'y'/.test(d.message));
  assert.ok(y, out);
  assert.equal(y.file, join(dir, 'inner.h'));
  assert.deepEqual([y.line, y.column, y.severity], [2, 'inline __device__ int g(int x) { return '.length + 1, 'error']);
  assert.deepEqual(y.includedFrom, [
    { file: join(dir, 'outer.h'), line: 2 },
    { file: join(dir, 'main.hip'), line: 2 },
  ]);

  const unused = diags.find((d) => d.flag === '-Wunused-parameter');
  assert.equal(unused?.severity, 'warning');
  assert.equal(unused?.file, join(dir, 'inner.h'));
  assert.doesNotMatch(unused?.message ?? '', /\[-W/);

  const custom = diags.find((d) => d.message === 'custom warning');
  assert.deepEqual([custom?.line, custom?.column, custom?.flag], [5, 4, '-W#warnings']);

  const fatal = diags.find((d) => d.fatal);
  assert.ok(fatal, out);
  assert.equal(fatal.severity, 'error');
  assert.equal(fatal.file, join(dir, 'main.hip'));
  assert.equal(fatal.line, 6);
  assert.equal(fatal.column, '  #include "'.length);
  assert.match(fatal.message, /'missing.h' file not found/);

  // hipcc compiles for host and device; each diagnostic is reported once.
  const keys = diags.map((d) => `${d.file}:${d.line}:${d.column}:${d.message}`);
  assert.equal(new Set(keys).size, keys.length);
  const c = countBySeverity(diags);
  assert.ok(c.errors >= 2 && c.warnings >= 2, JSON.stringify(c));
});

test('notes attach to their diagnostic', () => {
  const dir = tempDir('notes');
  writeFileSync(join(dir, 'n.hip'), '#include <hip/hip_runtime.h>\n__device__ int h(int a);\n__device__ int h(float a);\n__global__ void k(int *p) { p[0] = h(1.0); }\n');
  const out = hipcc(dir, ['-c', 'n.hip', '-o', 'n.o']);
  const diags = parseDiagnostics(out, { cwd: dir });
  const amb = diags.find((d) => /ambiguous/.test(d.message));
  assert.ok(amb, out);
  assert.ok(amb.notes.length >= 2, JSON.stringify(amb));
  assert.ok(amb.notes.every((n) => n.severity === 'note' && n.file === join(dir, 'n.hip')));
  assert.deepEqual(amb.notes.map((n) => n.line).sort(), [2, 3]);
});

test('host linker (GNU ld), device linker (lld) and driver errors without line info', () => {
  const dir = tempDir('link');
  writeFileSync(join(dir, 'l.hip'), '#include <hip/hip_runtime.h>\nvoid nope();\nint main() { nope(); return 0; }\n');
  const ld = parseDiagnostics(hipcc(dir, ['l.hip', '-o', 'l']), { cwd: dir });
  const undef = ld.find((d) => /undefined reference to `nope\(\)'/.test(d.message));
  assert.ok(undef, JSON.stringify(ld));
  assert.equal(undef.source, 'linker');
  assert.equal(undef.file, join(dir, 'l.hip'));
  assert.equal(undef.line, 0);
  assert.ok(ld.some((d) => d.source === 'driver' && /linker command failed/.test(d.message)));

  writeFileSync(join(dir, 'r.hip'), '#include <hip/hip_runtime.h>\nextern __device__ int ext_fn(int);\n__global__ void k(int *p) { p[0] = ext_fn(1); }\nint main() { return 0; }\n');
  const lld = parseDiagnostics(hipcc(dir, ['-fgpu-rdc', 'r.hip', '-o', 'r']), { cwd: dir });
  const sym = lld.find((d) => /undefined .*symbol: ext_fn/.test(d.message));
  assert.ok(sym, JSON.stringify(lld));
  assert.equal(sym.source, 'linker');
  assert.equal(sym.file, undefined);
  assert.ok(sym.notes.some((n) => /referenced by/.test(n.message)));
});

test('mapRemotePath maps paths under the remote dir and relative paths, keeps remote system paths', () => {
  const d: BuildDiagnostic = {
    file: '/home/u/.cache/hp/src/a.hip',
    line: 3,
    column: 5,
    severity: 'error',
    message: 'm',
    notes: [{ file: './inc/b.h', line: 1, column: 1, severity: 'note', message: 'n', notes: [], includedFrom: [], source: 'compiler' }],
    includedFrom: [{ file: '/home/u/.cache/hp/main.hip', line: 2 }],
    source: 'compiler',
  };
  const m = mapRemotePath(d, '/home/u/.cache/hp/', '/work/proj');
  assert.equal(m.file, '/work/proj/src/a.hip');
  assert.equal(m.notes[0]!.file, '/work/proj/inc/b.h');
  assert.deepEqual(m.includedFrom, [{ file: '/work/proj/main.hip', line: 2 }]);
  assert.equal(mapRemotePath({ ...d, file: '/opt/rocm/include/hip/x.h' }, '/home/u/.cache/hp', '/work/proj').file, '/opt/rocm/include/hip/x.h');
  assert.equal(mapRemotePath({ ...d, file: '/home/u/.cache/hpX/a.hip' }, '/home/u/.cache/hp', '/work/proj').file, '/home/u/.cache/hpX/a.hip');
  assert.equal(d.file, '/home/u/.cache/hp/src/a.hip', 'input not mutated');
});

test('CMake configure errors and warnings, from a real cmake run, with their file, line and message', () => {
  const dir = tempDir('hp-diag-cmake-');
  writeFileSync(join(dir, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.20)\nproject(p NONE)\nmessage(WARNING "check this")\nadd_hecbench_style_benchmark(NAME x)\n');
  const r = spawnSync('cmake', ['-S', dir, '-B', join(dir, 'build')], { cwd: dir, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  const ds = parseDiagnostics(`${r.stdout}${r.stderr}`, { cwd: dir });
  const err = ds.find((d) => d.severity === 'error' && d.source === 'cmake');
  assert.ok(err, JSON.stringify(ds));
  assert.equal(err.file, join(dir, 'CMakeLists.txt'));
  assert.equal(err.line, 4);
  assert.match(err.message, /^add_hecbench_style_benchmark: Unknown CMake command "add_hecbench_style_benchmark"\.$/);
  const warn = ds.find((d) => d.severity === 'warning' && d.source === 'cmake');
  assert.equal(warn?.line, 3);
  assert.match(warn?.message ?? '', /check this/);
  assert.deepEqual(countBySeverity(ds), { errors: 1, warnings: 1 });
});
