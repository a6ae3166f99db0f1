/**
 * Project port benchmark: generates a CUDA project of N translation units (default 100) in
 * several directories sharing headers, with a Makefile, under /tmp; plans the port in copy and
 * single-source modes (the whole engine: TU graph, translation, build-file migration, compat
 * header) and prints the times; with `--build` also builds the single-source tree with
 * `make HIP=1` (hipcc, one TU per job, `--jobs J`) and prints the per-TU compile time.
 *
 * Usage: node bench/run-all.mjs project-bench -- [--tus 100] [--build] [--jobs 2] [--arch gfx90a,gfx1030]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser } from '../src/core/parse';
import { planProjectPort } from '../src/core/project/plan';
import { writeProjectFiles } from '../src/cli/project-port';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] && !process.argv[i + 1]!.startsWith('--') ? process.argv[i + 1]! : dflt;
}

/** Writes the generated project; returns its root. */
function generate(tus: number): string {
  const root = mkdtempSync(join(tmpdir(), 'hp-bench-project-'));
  mkdirSync(join(root, 'include'));
  writeFileSync(join(root, 'include', 'common.cuh'), '#pragma once\n#include <cuda_runtime.h>\n#define WARP_SIZE 32\n__device__ inline float sq(float x) { return x * x; }\n');
  const srcs: string[] = [];
  for (let i = 0; i < tus; i++) {
    const dir = `mod${i % 10}`;
    mkdirSync(join(root, dir), { recursive: true });
    const f = `${dir}/k${i}.cu`;
    srcs.push(f);
    writeFileSync(
      join(root, f),
      `#include "../include/common.cuh"\n__global__ void k${i}(float* a, int n) {\n  int t = blockIdx.x * blockDim.x + threadIdx.x;\n  if (t < n) a[t] = sq(a[t]) + ${i};\n}\n` +
        `int run${i}(float* h, int n) {\n  float* d;\n  cudaMalloc(&d, n * sizeof(float));\n  cudaMemcpy(d, h, n * sizeof(float), cudaMemcpyHostToDevice);\n  k${i}<<<(n + 255) / 256, 256>>>(d, n);\n  cudaMemcpy(h, d, n * sizeof(float), cudaMemcpyDeviceToHost);\n  cudaFree(d);\n  return cudaGetLastError() == cudaSuccess ? 0 : 1;\n}\n`,
    );
  }
  writeFileSync(
    join(root, 'Makefile'),
    `NVCC ?= nvcc\nNVCCFLAGS = -O2 -arch=sm_80 -std=c++17 --expt-relaxed-constexpr\nSRCS = ${srcs.join(' \\\n  ')}\nOBJS = $(SRCS:.cu=.o)\n\nall: $(OBJS)\n\n%.o: %.cu include/common.cuh\n\t$(NVCC) $(NVCCFLAGS) -c $< -o $@\n`,
  );
  return root;
}

async function mainBench(): Promise<void> {
  const tus = Number(arg('tus', '100'));
  const jobs = arg('jobs', '2');
  const arch = arg('arch', 'gfx90a,gfx1030').split(',');
  await initParser();
  const root = generate(tus);
  console.log(`generated ${tus} TUs under ${root}`);
  for (const mode of ['copy', 'single-source'] as const) {
    const t0 = performance.now();
    const plan = planProjectPort(root, { mode, offloadArch: arch, targetRocm: '5.2' });
    const t1 = performance.now();
    const out = join(root + '-out', mode);
    writeProjectFiles(plan, root, out, true);
    const t2 = performance.now();
    console.log(`${mode.padEnd(13)} plan ${(t1 - t0).toFixed(0)} ms (${((t1 - t0) / tus).toFixed(1)} ms/TU), write ${(t2 - t1).toFixed(0)} ms, ${plan.files.length} planned file(s)`);
  }
  if (process.argv.includes('--build')) {
    const out = join(root + '-out', 'single-source');
    const t0 = performance.now();
    const r = spawnSync('make', ['-j', jobs, 'HIP=1', `HIP_OFFLOAD_ARCH=${arch.join(' ')}`], { cwd: out, encoding: 'utf8', env: { ...process.env, HIP_PLATFORM: 'amd' } });
    const ms = performance.now() - t0;
    console.log(`make HIP=1 -j${jobs} (${arch.join('+')}): exit ${r.status}, ${(ms / 1000).toFixed(1)} s, ${(ms / tus / 1000).toFixed(2)} s per TU (wall), ${((ms * Number(jobs)) / tus / 1000).toFixed(2)} s per TU per job`);
    if (r.status !== 0) console.log((r.stderr ?? '').slice(-2000));
  }
  if (!process.argv.includes('--keep')) {
    rmSync(root, { recursive: true, force: true });
    rmSync(root + '-out', { recursive: true, force: true });
  }
}

void mainBench();
