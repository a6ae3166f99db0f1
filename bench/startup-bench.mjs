#!/usr/bin/env node
// Start-up cost of the CLI, as build scripts pay it (one process per file): the median wall time
// of `node dist/cli.js --version`, `port --stdout` and `scan` of a generated 300-line CUDA file,
// each as a ratio to a bare `node -e 0` measured in the same interleaved rounds (so machine load
// moves both alike). Targets (issue 13, item 6): --version ≤ 2×, port --stdout ≤ 4×.
// Usage: node bench/startup-bench.mjs [--runs 21] [--cli dist/cli.js] [--file some.cu]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
};
const runs = Number(arg('runs', '21'));
const cli = resolve(root, arg('cli', 'dist/cli.js'));
if (!existsSync(cli)) {
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}

/** A 300-line CUDA file: kernels with warp code, runtime API calls, a launch, error checks. */
function cudaFile(lines) {
  const out = ['#include <cuda_runtime.h>', '#include <cstdio>', '', '#define CHECK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("%s\\n", cudaGetErrorString(e)); return 1; } } while (0)', ''];
  let k = 0;
  while (out.length < lines - 40) {
    out.push(
      `__global__ void scale${k}(float* data, float factor, int n) {`,
      '  int i = blockIdx.x * blockDim.x + threadIdx.x;',
      '  if (i < n) data[i] *= factor;',
      '  float v = data[i % n];',
      '  for (int off = 16; off > 0; off /= 2) v += __shfl_down_sync(0xffffffff, v, off);',
      '  if ((threadIdx.x & 31) == 0) data[i / 32] = v;',
      '}',
      '',
    );
    k++;
  }
  out.push('int main() {', '  const int n = 1 << 20;', '  float* d = nullptr;', '  cudaStream_t s;', '  CHECK(cudaStreamCreate(&s));', '  CHECK(cudaMalloc(&d, n * sizeof(float)));');
  for (let i = 0; i < k && out.length < lines - 6; i++) out.push(`  scale${i}<<<(n + 255) / 256, 256, 0, s>>>(d, 2.0f, n);`);
  out.push('  CHECK(cudaStreamSynchronize(s));', '  CHECK(cudaFree(d));', '  CHECK(cudaStreamDestroy(s));', '  return 0;', '}');
  while (out.length < lines) out.push('');
  return out.join('\n') + '\n';
}

let file = arg('file', undefined);
if (!file) {
  const dir = mkdtempSync(join(tmpdir(), 'hp-startup-'));
  file = join(dir, 'kernels300.cu');
  writeFileSync(file, cudaFile(300));
}

const cases = [
  ['node -e 0', ['-e', '0']],
  ['--version', [cli, '--version']],
  ['port --stdout (300 lines)', [cli, 'port', file, '--stdout']],
  ['scan (300 lines)', [cli, 'scan', file]],
];
const times = cases.map(() => []);
// One warm-up round (file cache), then interleaved rounds.
for (let round = -1; round < runs; round++) {
  cases.forEach(([name, args], i) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 && !(name.startsWith('scan') && r.status === 1)) {
      console.error(`${name} exited with ${r.status}: ${String(r.stderr).slice(0, 400)}`);
      process.exit(1);
    }
    if (round >= 0) times[i].push(ms);
  });
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(times[0]);
const targets = { '--version': 2, 'port --stdout (300 lines)': 4 };
console.log(`CLI start-up, median of ${runs} interleaved runs (${cli})`);
for (const [i, [name]] of cases.entries()) {
  const m = median(times[i]);
  const ratio = m / base;
  const t = targets[name];
  const mark = t === undefined ? '' : ratio <= t ? `  (target ≤ ${t}×: met)` : `  (target ≤ ${t}×: NOT met)`;
  console.log(`  ${name.padEnd(28)} ${m.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}× node${mark}`);
}
