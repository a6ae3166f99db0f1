/**
 * Toolchain discovery for CMake's HIP language (src/core/project/toolchain.ts) on stand-in
 * directory trees: /opt/rocm, Debian's split layout, and a Debian layout with packages missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMissing, discoverHipToolchain, toolchainFileText } from '../../src/core/project/toolchain';

function tree(paths: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'hp-tc-'));
  for (const p of paths) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    if (p.endsWith('/')) mkdirSync(join(root, p), { recursive: true });
    else writeFileSync(join(root, p), '');
  }
  return root;
}

test('/opt/rocm wins when it has hip-lang', () => {
  const r = tree(['opt/rocm/lib/cmake/hip-lang/hip-lang-config.cmake', 'opt/rocm/lib/cmake/hip/', 'opt/rocm/lib/cmake/amd_comgr/', 'opt/rocm/lib/cmake/hsa-runtime64/', 'opt/rocm/lib/cmake/AMDDeviceLibs/', 'opt/rocm/llvm/bin/clang++']);
  const t = discoverHipToolchain(r);
  assert.equal(t.layout, 'opt-rocm');
  assert.equal(t.compiler, join(r, 'opt/rocm/llvm/bin/clang++'));
  assert.deepEqual(t.missing, []);
  assert.equal(describeMissing(t), '');
});

test('Debian layout: packages split between /usr/lib/<multiarch>/cmake and /usr/lib/cmake, newest llvm-N clang++', () => {
  const r = tree(['usr/lib/x86_64-linux-gnu/cmake/hip-lang/', 'usr/lib/x86_64-linux-gnu/cmake/hip/', 'usr/lib/x86_64-linux-gnu/cmake/amd_comgr/', 'usr/lib/x86_64-linux-gnu/cmake/hsa-runtime64/', 'usr/lib/cmake/AMDDeviceLibs/', 'usr/lib/llvm-14/bin/clang++', 'usr/lib/llvm-15/bin/clang++']);
  const t = discoverHipToolchain(r);
  assert.equal(t.layout, 'debian');
  assert.equal(t.compiler, join(r, 'usr/lib/llvm-15/bin/clang++'));
  assert.deepEqual(t.cmakeDirs, [join(r, 'usr/lib/x86_64-linux-gnu/cmake'), join(r, 'usr/lib/cmake')]);
  assert.deepEqual(t.missing, []);
});

test('missing comgr and hsa-runtime are named with the Debian packages to install', () => {
  const r = tree(['usr/lib/x86_64-linux-gnu/cmake/hip-lang/', 'usr/lib/x86_64-linux-gnu/cmake/hip/', 'usr/lib/cmake/AMDDeviceLibs/', 'usr/lib/llvm-15/bin/clang++']);
  const m = describeMissing(discoverHipToolchain(r));
  assert.match(m, /amd_comgr, hsa-runtime64/);
  assert.match(m, /apt-get install libamd-comgr-dev libhsa-runtime-dev/);
  assert.match(describeMissing(discoverHipToolchain(tree(['x/']))), /no HIP-capable clang\+\+/);
});

test('the toolchain file repeats the discovery at configure time and feeds try_compile through the environment', () => {
  const t = toolchainFileText();
  assert.match(t, /CMAKE_HIP_COMPILER_ROCM_ROOT/);
  assert.match(t, /set\(ENV\{CMAKE_PREFIX_PATH\}/);
  assert.match(t, /--rocm-path=\/usr --hip-device-lib-path=/);
  assert.match(t, /file\(CREATE_LINK/);
});
