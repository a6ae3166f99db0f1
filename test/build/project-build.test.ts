/**
 * `hip-porter build <dir>`: a ported project built with make here (the HIP switch turned on, errors
 * mapped to the project's files) and on a "remote" ROCm box through a test-owned OpenSSH server
 * (the tree synced with rsync, remote paths mapped back to local ones).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { startSshd, type SshdHarness } from './sshd-harness';
import { fatbinArchs, port, scratch } from './project-helpers';

let h: SshdHarness;
let proj: string;

before(async () => {
  h = await startSshd();
  proj = join(scratch('build'), 'tiny');
  mkdirSync(join(proj, 'src'), { recursive: true });
  writeFileSync(join(proj, 'src', 'k.cu'), '#include <cuda_runtime.h>\n__global__ void k(int* p) { p[threadIdx.x] = 1; }\nint main() { int* p; cudaMalloc(&p, 256); k<<<1, 64>>>(p); return cudaDeviceSynchronize() == cudaSuccess ? 0 : 1; }\n');
  writeFileSync(join(proj, 'Makefile'), 'NVCC = nvcc\ntiny: src/k.cu\n\t$(NVCC) -arch=sm_80 -o $@ $<\n');
});

after(async () => {
  await h?.stop();
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

test('local: the HIP switch is turned on, a compile error is reported at its file and line', async () => {
  const out = join(scratch('build'), 'ss');
  assert.equal((await port(proj, '--single-source', '--out', out)).code, 0);
  writeFileSync(join(out, 'src', 'k.cu'), '#include <cuda_runtime.h>\n__global__ void k(int* p) {\n  p[0] = not_declared;\n}\n');
  const r = await cli('build', out, '--offload-arch', 'gfx90a');
  assert.notEqual(r.code, 0);
  assert.match(r.err, /\[hip-porter\] make -j 2 HIP=1 HIP_OFFLOAD_ARCH=gfx90a/);
  assert.match(r.err, /src\/k\.cu:3:10: error: use of undeclared identifier 'not_declared'/);
  assert.match(r.err, /make build failed \(exit 2\): 1 error\(s\)/);
});

test('remote: the tree is synced over ssh, built there, and the binary holds the requested arch', async () => {
  const out = join(scratch('build'), 'ss-remote');
  assert.equal((await port(proj, '--single-source', '--out', out)).code, 0);
  const remoteDir = join(h.dir, 'remote-projects');
  const r = await cli('build', out, '--remote', 'rocm-test', '--ssh-config', h.sshConfigFile, '--remote-dir', remoteDir, '--offload-arch', 'gfx1030');
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.err, /make build succeeded/);
  const bin = join(remoteDir, 'ss-remote', 'tiny');
  assert.ok(existsSync(bin));
  assert.ok(!existsSync(join(out, 'tiny')), 'nothing was built locally');
  assert.deepEqual(fatbinArchs(bin), ['gfx1030']);
});
