/**
 * Port Project in the editor, on a generated N-TU Make project (default 100 translation units
 * sharing 10 headers): time of the `hipPorter/portProject` request over stdio (the real server
 * process), then of the extension-side review model (projectEntries, computeHunks per file,
 * projectTree, plannedWrites with every change accepted), and the payload size. With `--build`,
 * also the make build of the accepted copy-mode port (hipcc, gfx90a;gfx1030) through the shared
 * runner. Prints numbers; asserts nothing.
 * Run: node scripts/build.mjs && node --import tsx bench/project-review-bench.ts [--tus 100] [--build]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { computeHunks } from '../src/extension/hunks';
import { plannedWrites, projectEntries, projectTree } from '../src/extension/project-model';
import { runProjectBuild } from '../src/core/project/run-build';
import { PortProjectRequest, type PortProjectResult } from '../src/shared/lsp-protocol';
import { LspClient } from '../test/server/lsp-client';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const TUS = Number(arg('--tus') ?? 100);
const BUILD = process.argv.includes('--build');

/** Writes the generated project: src/kN.cu using include/hN.cuh, a main.cu, a Makefile with nvcc flags. */
function generate(dir: string): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'include'), { recursive: true });
  for (let h = 0; h < 10; h++) {
    writeFileSync(join(dir, 'include', `h${h}.cuh`), `#pragma once\n#include <cuda_runtime.h>\n#define CHECK${h}(x) do { cudaError_t e = (x); if (e != cudaSuccess) return -1; } while (0)\n__device__ inline float scale${h}(float v) { return v * ${h + 1}.0f; }\n`);
  }
  const decls: string[] = [];
  for (let i = 0; i < TUS; i++) {
    const h = i % 10;
    writeFileSync(
      join(dir, 'src', `k${i}.cu`),
      `#include "../include/h${h}.cuh"\n__global__ void k${i}(float* x, int n) {\n  int t = blockIdx.x * blockDim.x + threadIdx.x;\n  if (t < n) x[t] = scale${h}(x[t]);\n}\nint run${i}(float* x, int n) {\n  k${i}<<<(n + 255) / 256, 256>>>(x, n);\n  CHECK${h}(cudaGetLastError());\n  CHECK${h}(cudaDeviceSynchronize());\n  return 0;\n}\n`,
    );
    decls.push(`int run${i}(float*, int);`);
  }
  writeFileSync(
    join(dir, 'src', 'main.cu'),
    `#include <cuda_runtime.h>\n${decls.join('\n')}\nint main() {\n  float* x;\n  cudaMalloc(&x, 1024 * sizeof(float));\n${Array.from({ length: TUS }, (_, i) => `  run${i}(x, 1024);`).join('\n')}\n  cudaFree(x);\n  return 0;\n}\n`,
  );
  writeFileSync(
    join(dir, 'Makefile'),
    `NVCC ?= nvcc\nNVCCFLAGS = -O2 -std=c++17 -arch=sm_80 -Xcompiler -Wall\nSRCS = $(wildcard src/*.cu)\nOBJS = $(SRCS:.cu=.o)\napp: $(OBJS)\n\t$(NVCC) $(NVCCFLAGS) -o $@ $^ -lcudart\n%.o: %.cu\n\t$(NVCC) $(NVCCFLAGS) -c $< -o $@\nclean:\n\trm -f app $(OBJS)\n`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-project-review-bench-'));
  try {
    generate(dir);
    const c = LspClient.spawn();
    c.config = { targetRocm: '5.2' };
    await c.initialize();
    for (const mode of ['copy', 'single-source'] as const) {
      const t0 = performance.now();
      const plan = await c.conn.sendRequest<PortProjectResult>(PortProjectRequest.method, { folder: pathToFileURL(dir).href, mode, offloadArch: ['gfx90a', 'gfx1030'] });
      const requestMs = performance.now() - t0;
      const bytes = Buffer.byteLength(JSON.stringify(plan));
      const t1 = performance.now();
      const existing = new Map<string, string>();
      for (const f of plan.files) {
        const p = join(dir, f.path);
        if (existsSync(p)) existing.set(p, readFileSync(p, 'utf8'));
      }
      const entries = projectEntries(plan, existing);
      const files = entries.map((e, i) => {
        const hunks = computeHunks(e.original, e.proposal);
        return { reviewId: `r${i}`, entry: e, hunks, decisions: new Map(hunks.map((h) => [h.id, 'accepted' as const])) };
      });
      const tree = projectTree(files, plan.report);
      const writes = plannedWrites(files, false);
      const modelMs = performance.now() - t1;
      const hunks = files.reduce((n, f) => n + f.hunks.length, 0);
      console.log(
        `${mode.padEnd(13)} ${TUS + 1} TUs: portProject request ${requestMs.toFixed(0)} ms (server planning ${plan.ms} ms, ${(bytes / 1024).toFixed(0)} KiB JSON), review model ${modelMs.toFixed(0)} ms: ${entries.length} files, ${hunks} hunks, ${tree.length} groups, ${writes.filter((w) => w.op !== 'skip').length} writes`,
      );
      if (BUILD && mode === 'copy') {
        const out = mkdtempSync(join(tmpdir(), 'hp-project-review-bench-out-'));
        try {
          // the accepted port written beside the originals, as the editor writes it
          rmSync(out, { recursive: true, force: true });
          mkdirSync(out, { recursive: true });
          for (const w of writes) if (w.text !== undefined) {
            const p = join(out, w.path);
            mkdirSync(dirname(p), { recursive: true });
            writeFileSync(p, w.text);
          }
          for (let h = 0; h < 10; h++) if (!existsSync(join(out, 'include', `h${h}.cuh`))) writeFileSync(join(out, 'include', `h${h}.cuh`), readFileSync(join(dir, 'include', `h${h}.cuh`)));
          const t2 = performance.now();
          const b = await runProjectBuild(out, { offloadArch: ['gfx90a', 'gfx1030'], jobs: 2 });
          console.log(`  build (${b.plan.system}, -j 2, gfx90a;gfx1030): exit ${b.exitCode} in ${((performance.now() - t2) / 1000).toFixed(1)} s${b.failure ? `: ${b.failure}` : ''}`);
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
      }
    }
    await c.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
