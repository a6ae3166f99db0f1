/**
 * One target ROCm version for scan and port (issue 13, item 7): --target-rocm, else the installed
 * hipcc's HIP version (read from hip/hip_version.h beside it), else the default; printed in every
 * report; the readiness percentage counts what was renamed to names that exist in that target,
 * with unsupported names, missing headers and inline PTX against it; port ends with the open
 * findings per file. Uses the real hipcc installation (Debian hipcc, HIP 5.2) and fake ones.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { resolveTargetRocm } from '../../src/cli/target';
import { installedHipVersion, parseHipVersion } from '../../src/core/build/hipcc';
import { DEFAULT_TARGET_ROCM } from '../../src/core/findings';
import { initParser } from '../../src/core/parse';
import { execFileSync } from 'node:child_process';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

/** A fake HIP installation `prefix/bin/hipcc` + `prefix/include/hip/hip_version.h` of version `v`. */
function fakeHip(v: [number, number]): string {
  const prefix = mkdtempSync(join(tmpdir(), 'hp-fakehip-'));
  mkdirSync(join(prefix, 'bin'));
  mkdirSync(join(prefix, 'include', 'hip'), { recursive: true });
  writeFileSync(join(prefix, 'bin', 'hipcc'), '#!/bin/sh\nexit 1\n');
  chmodSync(join(prefix, 'bin', 'hipcc'), 0o755);
  writeFileSync(join(prefix, 'include', 'hip', 'hip_version.h'), `#define HIP_VERSION_MAJOR ${v[0]}\n#define HIP_VERSION_MINOR ${v[1]}\n#define HIP_VERSION_PATCH 4242\n`);
  return prefix;
}

// One file of each kind of readiness item: a rename, a header HIP has (cuda_runtime.h), a header
// only ROCm 6.0+ has (cuda_bf16.h), inline PTX, and an API with no HIP equivalent.
const MIXED = [
  '#include <cuda_runtime.h>',
  '#include <cuda_bf16.h>',
  '__global__ void k(float* p) {',
  '  int lane; asm("mov.u32 %0, %laneid;" : "=r"(lane));',
  '  p[threadIdx.x] = lane;',
  '}',
  'int main() { float* d; cudaMalloc(&d, 4); cudaDeviceFlushGPUDirectRDMAWrites(x, y); }',
  '',
].join('\n');

let installed = '';
before(async () => {
  await initParser();
  // The real installed hipcc's own answer, to compare with what the header lookup finds.
  installed = parseHipVersion(execFileSync('hipcc', ['--version'], { env: { ...process.env, HIP_PLATFORM: 'amd' }, encoding: 'utf8' }))!.split('.').slice(0, 2).join('.');
});

test('resolveTargetRocm: the option, else the installed hipcc (no process run), else the default', () => {
  assert.deepEqual(resolveTargetRocm('5.7', {}), { rocm: '5.7', source: 'option', detail: '--target-rocm' });
  const real = resolveTargetRocm(undefined);
  assert.equal(real.source, 'hipcc');
  assert.equal(real.rocm, installed, 'the header beside the installed hipcc says what `hipcc --version` says');
  const fake = fakeHip([6, 1]);
  assert.deepEqual(resolveTargetRocm(undefined, { PATH: join(fake, 'bin') }), { rocm: '6.1', source: 'hipcc', detail: `the installed hipcc, ${join(fake, 'bin', 'hipcc')}` });
  assert.equal(resolveTargetRocm(undefined, { PATH: '/nonexistent', HIP_PATH: fake }).rocm, '6.1', 'HIP_PATH');
  assert.equal(resolveTargetRocm(undefined, { PATH: '/nonexistent', ROCM_PATH: fake }).rocm, '6.1', 'ROCM_PATH');
  const none = resolveTargetRocm(undefined, { PATH: mkdtempSync(join(tmpdir(), 'hp-empty-')) });
  assert.equal(none.source, 'default');
  assert.equal(none.rocm, DEFAULT_TARGET_ROCM);
  // A hipcc without a version header is no evidence: the default.
  const bare = mkdtempSync(join(tmpdir(), 'hp-bare-'));
  writeFileSync(join(bare, 'hipcc'), '#!/bin/sh\n');
  assert.equal(installedHipVersion({ PATH: bare }), undefined);
});

test('scan prints the target in text, JSON and SARIF, and the percentage is for that target', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-target-'));
  writeFileSync(join(dir, 'mixed.cu'), MIXED);
  const text = await cli('scan', dir);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, new RegExp(`target: ROCm ${installed.replace('.', '\\.')} \\(from the installed hipcc, \\S*hipcc; --target-rocm V to change\\)`));
  // counted: cudaMalloc (renamed), cuda_runtime.h (renamed), cuda_bf16.h (6.0+ only), the PTX
  // block, cudaDeviceFlushGPUDirectRDMAWrites (no HIP equivalent): 2 of 5 ready for ROCm 5.2.
  assert.match(text.out, /ready for ROCm 5\.2: 40\.0% \(2 of 5 CUDA names, headers and PTX blocks renamed to what ROCm 5\.2 has; against it: 1 unsupported name, 1 missing header, 1 inline PTX block\)/);

  const j52 = JSON.parse((await cli('scan', dir, '--format', 'json')).out) as { target: { rocm: string; source: string }; convertibleAutomatically: string; readiness: Record<string, number> };
  assert.deepEqual([j52.target.rocm, j52.target.source, j52.convertibleAutomatically], ['5.2', 'hipcc', '40.0%']);
  assert.deepEqual(j52.readiness, { counted: 5, ready: 2, unsupportedNames: 1, missingHeaders: 1, inlinePtx: 1, leftForReview: 0 });
  // For ROCm 6.2 the bf16 header exists: 3 of 5.
  const j62 = JSON.parse((await cli('scan', dir, '--format', 'json', '--target-rocm', '6.2')).out) as typeof j52;
  assert.deepEqual([j62.target.rocm, j62.target.source, j62.convertibleAutomatically, j62.readiness.missingHeaders], ['6.2', 'option', '60.0%', 0]);
  const sarif = JSON.parse((await cli('scan', dir, '--format', 'sarif')).out) as { runs: Array<{ properties: { targetRocm: string; targetSource: string; convertibleAutomatically: string } }> };
  assert.deepEqual(sarif.runs[0]!.properties, { ...sarif.runs[0]!.properties, targetRocm: '5.2', targetSource: 'hipcc', convertibleAutomatically: '40.0%' });
});

test('port uses the same target as scan, prints it in --stats, and ends with the open findings per file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-target-'));
  writeFileSync(join(dir, 'mixed.cu'), MIXED);
  writeFileSync(join(dir, 'clean.cu'), '#include <cuda_runtime.h>\nint main() { void* p; cudaMalloc(&p, 8); cudaFree(p); }\n');
  const out = mkdtempSync(join(tmpdir(), 'hp-target-out-'));
  const r = await cli('port', dir, '--out', out, '--stats');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /\[HIP Porter\] TOTAL \(2 files\)\n  target: ROCm 5\.2 \(from the installed hipcc/);
  assert.match(r.err, /ready for ROCm 5\.2: 62\.5% \(5 of 8 /, 'clean.cu: 3 of 3, mixed.cu: 2 of 5');
  const tail = r.err.slice(r.err.lastIndexOf('hip-porter: '));
  const lines = tail.trimEnd().split('\n');
  assert.match(lines[0]!, /^hip-porter: 3 open findings in 1 of 2 files, for ROCm 5\.2 \(from the installed hipcc, \S+; --target-rocm V to change\):$/);
  assert.equal(lines.length, 4, tail);
  assert.match(lines[3]!, /^  \S*mixed\.cu:7:43  HP104  cudaDeviceFlushGPUDirectRDMAWrites has no HIP equivalent \(added in CUDA 11\.3\): rewrite this code by hand$/);
  assert.match(tail, /mixed\.cu:2:10  HP111  cuda_bf16\.h: its HIP equivalent <hip\/hip_bf16\.h> first ships in ROCm 5\.7/);
  assert.match(tail, /mixed\.cu:4:13  HP401  inline PTX/);
  assert.ok(tail.split('\n').every((l) => l.length <= 260), 'one line per finding, cut');

  // --json carries the same target; a clean file says there is nothing open.
  const j = JSON.parse((await cli('port', join(dir, 'clean.cu'), '--check', '--json')).out) as { target: { rocm: string } };
  assert.equal(j.target.rocm, '5.2');
  const clean = await cli('port', join(dir, 'clean.cu'), '--stdout');
  assert.match(clean.err, /^hip-porter: no open findings for ROCm 5\.2 \(from the installed hipcc/m);
  assert.match(readFileSync(join(out, 'clean.hip'), 'utf8'), /hipMalloc/);
});
