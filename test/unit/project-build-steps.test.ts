/**
 * Which build system `hip-porter build <dir>` / Build Project drives (projectBuildSteps): a real
 * project folder on disk each time, with the build files a ported project has.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectBuildSteps } from '../../src/core/project/build';

function folder(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'hp-steps-'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(d, n), t);
  return d;
}

const MAKE_SWITCHED = 'ifeq ($(HIP),1)\nCC = hipcc\nelse\nCC = nvcc\nendif\nmain: main.cu\n\t$(CC) -o $@ $<\n';
const CMAKE_TOP = 'cmake_minimum_required(VERSION 3.21)\nproject(demo LANGUAGES CXX CUDA)\nadd_executable(demo main.cu)\n';

test('a top-level CMake project is configured and built, with the HIP archs', () => {
  const p = projectBuildSteps(folder({ 'CMakeLists.txt': CMAKE_TOP }), { offloadArch: ['gfx90a', 'gfx1030'] });
  assert.equal(p.system, 'cmake');
  assert.deepEqual(p.steps[0]!.args, ['-S', '.', '-B', 'build-hip', '-DCMAKE_HIP_ARCHITECTURES=gfx90a;gfx1030']);
});

test('a CMakeLists.txt fragment (no project()) beside a switched Makefile: make HIP=1 builds it', () => {
  const frag = 'add_hecbench_style_benchmark(NAME demo SOURCES main.cu)\n';
  const p = projectBuildSteps(folder({ 'CMakeLists.txt': frag, Makefile: MAKE_SWITCHED }), { offloadArch: ['gfx90a'] });
  assert.equal(p.system, 'make');
  assert.deepEqual(p.steps[0]!.args, ['-j', '2', 'HIP=1', 'HIP_OFFLOAD_ARCH=gfx90a']);
});

test('both top-level: the one HIP Porter switched wins; when neither is switched, CMake', () => {
  assert.equal(projectBuildSteps(folder({ 'CMakeLists.txt': CMAKE_TOP, Makefile: MAKE_SWITCHED })).system, 'make');
  const cmSwitched = CMAKE_TOP + 'option(USE_HIP "Build for AMD GPUs with HIP" OFF)\n';
  const both = projectBuildSteps(folder({ 'CMakeLists.txt': cmSwitched, Makefile: MAKE_SWITCHED }));
  assert.equal(both.system, 'cmake');
  assert.ok(both.steps[0]!.args.includes('-DUSE_HIP=ON'));
  assert.equal(projectBuildSteps(folder({ 'CMakeLists.txt': CMAKE_TOP, Makefile: 'all:\n\tnvcc main.cu\n' })).system, 'cmake');
});

test('only a CMake fragment, or nothing: a clear error instead of a failing configure', () => {
  assert.throws(() => projectBuildSteps(folder({ 'CMakeLists.txt': 'add_subdirectory(x)\n' })), /no project\(\) call.*top-level folder/);
  assert.throws(() => projectBuildSteps(folder({ 'main.cu': '' })), /no CMakeLists\.txt or Makefile/);
});
