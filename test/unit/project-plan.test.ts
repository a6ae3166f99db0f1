/**
 * planProjectPort (src/core/project/plan.ts): the single-source compat header aliases exactly the
 * names the project uses that the target ROCm has; the TU graph attributes header findings to
 * every TU that includes them; copy mode renames .cu and follows renamed includes. No toolchain.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser } from '../../src/core/parse';
import { guardWarpWidth, hostWarpUses, includeResolver, planProjectPort } from '../../src/core/project/plan';
import { main } from '../../src/cli/main';
import { formatProjectSummary } from '../../src/cli/project-port';

let root: string;

before(async () => {
  await initParser();
  root = mkdtempSync(join(tmpdir(), 'hp-plan-'));
  mkdirSync(join(root, 'k'));
  writeFileSync(join(root, 'lanes.cuh'), '#pragma once\n#include <cuda_runtime.h>\n__device__ inline unsigned lanes(unsigned m) { unsigned votes = __ballot_sync(0xffffffffu, (threadIdx.x % 32) < m); return votes; }\n');
  writeFileSync(join(root, 'k', 'a.cu'), '#include "../lanes.cuh"\n__global__ void a(int* p) { p[0] = lanes(1) + __shfl_down_sync(0xffffffffu, p[1], 1); }\n__constant__ int c_k;\nvoid go(int* p) { int one = 1; cudaMemcpyToSymbol(c_k, &one, sizeof(int)); cudaStream_t s; cudaStreamCreate(&s); a<<<1, 32, 0, s>>>(p); cudaGetFuncBySymbol(nullptr, nullptr); }\n');
  writeFileSync(join(root, 'main.cu'), '#include "k/inc.cu"\nint main() { int* p; cudaMalloc(&p, 4); return 0; }\n');
  writeFileSync(join(root, 'k', 'inc.cu'), '#include <cuda_runtime.h>\n');
  writeFileSync(join(root, 'host.cpp'), 'int host() { return 1; }\n');
  writeFileSync(join(root, 'Makefile'), 'app: main.cu k/a.cu\n\tnvcc -arch=sm_80 -o $@ $^\n$(warning built with nvcc -arch=sm_80)\n');
});

describe('planProjectPort', () => {
  test('single-source: aliases exactly the used names the target has; sources are not in the plan', () => {
    const plan = planProjectPort(root, { mode: 'single-source', targetRocm: '5.2' });
    const compat = plan.files.find((f) => f.path === 'hip_compat.h')!;
    assert.equal(compat.kind, 'compat');
    assert.match(compat.after, /^#define cudaMalloc hipMalloc$/m);
    assert.match(compat.after, /^#define cudaStreamCreate hipStreamCreate$/m);
    assert.match(compat.after, /^#define cudaStream_t hipStream_t$/m);
    assert.match(compat.after, /^#define cudaMemcpyToSymbol hipMemcpyToSymbol$/m); // the rename, not the HIP_SYMBOL() wrap
    assert.doesNotMatch(compat.after, /HIP_SYMBOL/);
    assert.match(compat.after, /^#define __shfl_down_sync\(mask, \.\.\.\) __shfl_down\(__VA_ARGS__\)$/m); // ROCm 5.2 has no *_sync
    assert.doesNotMatch(compat.after, /cudaGetFuncBySymbol/); // hipGetFuncBySymbol (6.2) is newer than ROCm 5.2: stays a finding
    assert.doesNotMatch(compat.after, /cudaFree|cudaMemcpy\b/); // not used by the project
    assert.match(compat.after, /for ROCm 5\.2/);
    assert.ok(plan.files.some((f) => f.path === 'hip_compat_include/cuda_runtime.h'));
    assert.ok(!plan.files.some((f) => f.kind === 'source' || f.kind === 'header'));
    assert.ok(plan.unchanged.includes('host.cpp'));
  });

  test('the TU graph puts a header finding in every TU that includes it', () => {
    const plan = planProjectPort(root, { mode: 'single-source', targetRocm: '5.2' });
    const a = plan.report.tus.find((t) => t.file === 'k/a.cu')!;
    assert.deepEqual(a.headers, ['lanes.cuh']);
    assert.ok(a.hazards.some((h) => h.file === 'lanes.cuh'), JSON.stringify(a.hazards));
    assert.ok(a.blocking.some((b) => b.file === 'k/a.cu' && /cudaGetFuncBySymbol/.test(b.message)), JSON.stringify(a.blocking));
    assert.deepEqual(plan.report.tus.map((t) => t.file).sort(), ['k/a.cu', 'k/inc.cu', 'main.cu']);
  });

  test('copy mode: .cu → .hip with includes following the rename; host-only C++ untouched', () => {
    const plan = planProjectPort(root, { mode: 'copy', targetRocm: '6.2' });
    const main = plan.files.find((f) => f.from === 'main.cu')!;
    assert.equal(main.path, 'main.hip');
    assert.match(main.after, /#include "k\/inc\.hip"/);
    assert.match(main.after, /hipMalloc/);
    assert.equal(plan.files.find((f) => f.from === 'lanes.cuh')?.path, 'lanes.cuh');
    assert.ok(!plan.files.some((f) => f.from === 'host.cpp'));
  });

  test('a region tree-sitter cannot parse is reported apart, not as "will not compile"', async () => {
    const d = mkdtempSync(join(tmpdir(), 'hp-plan-unparsed-'));
    // valid C++ (hipcc and nvcc compile it) that tree-sitter's grammar rejects: an explicit
    // instantiation whose template argument indexes a constexpr table with a scoped-enum cast
    writeFileSync(
      join(d, 'run.cu'),
      '#include <cuda_runtime.h>\n#include <cstddef>\nenum class Set { kSmall, kLarge };\nstruct Info { int n; };\nconstexpr Info kSets[] = {{4}, {8}};\ntemplate <typename T, int N> struct Runner { T run() { return T(N); } };\ntemplate struct Runner<float, kSets[static_cast<std::size_t>(Set::kLarge)].n>;\n__global__ void k(float* p) { p[threadIdx.x] = 1.0f; }\nint main() { float* p; cudaMalloc(&p, 64); k<<<1, 16>>>(p); return 0; }\n',
    );
    writeFileSync(join(d, 'Makefile'), 'run: run.cu\n\tnvcc -arch=sm_80 -o $@ $<\n');
    const tu = planProjectPort(d, { mode: 'single-source', targetRocm: '6.2' }).report.tus.find((t) => t.file === 'run.cu')!;
    assert.deepEqual(tu.blocking, []);
    assert.deepEqual(tu.unparsed.map((u) => [u.code, u.line]), [['HP901', 7]]);
    let text = '';
    await main(['scan', d, '--target-rocm', '6.2'], { stdout: (x) => void (text += x), stderr: () => undefined });
    assert.match(text, /run\.cu: compiles after the port; 0 hazard\(s\)\n    1 region\(s\) the parser could not read \(structural checks skipped there; the code may still compile\), first at run\.cu:7/);
  });

  test('scan <dir> adds the project report: per TU blocking findings and hazards, build lines not understood', async () => {
    let out = '';
    const code = await main(['scan', root, '--format', 'json', '--target-rocm', '5.2'], { stdout: (x) => void (out += x), stderr: () => undefined });
    assert.equal(code, 0);
    const r = JSON.parse(out) as { project: { buildSystem: string[]; tus: Array<{ file: string; blocking: unknown[]; hazards: unknown[] }>; buildUnresolved: Array<{ code: string; line: number }> } };
    assert.deepEqual(r.project.buildSystem, ['make']);
    assert.equal(r.project.tus.find((t) => t.file === 'k/a.cu')?.blocking.length, 1);
    assert.deepEqual(r.project.buildUnresolved.map((u) => [u.code, u.line]), [['HP819', 3]]);
    let text = '';
    await main(['scan', root, '--target-rocm', '5.2'], { stdout: (x) => void (text += x), stderr: () => undefined });
    assert.match(text, /Project report \(make; targets gfx90a, gfx1030\):\n  k\/a\.cu: will not compile \(1\); 2 hazard\(s\); includes lanes\.cuh/);
  });

  test('CLI: --single-source --in-place writes the compat header and build switch into the tree, sources untouched; bad --offload-arch is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-inplace-'));
    const cu = '#include <cuda_runtime.h>\n__global__ void k(int* p) { p[0] = 1; }\nint main() { int* p; cudaMalloc(&p, 4); k<<<1, 1>>>(p); return 0; }\n';
    writeFileSync(join(dir, 'k.cu'), cu);
    writeFileSync(join(dir, 'Makefile'), 'k: k.cu\n\tnvcc -arch=sm_80 -o k k.cu\n');
    let err = '';
    const io = { stdout: () => undefined, stderr: (x: string) => void (err += x) };
    assert.equal(await main(['port', dir, '--single-source', '--in-place', '--offload-arch', 'gfx942'], io), 0, err);
    assert.equal(readFileSync(join(dir, 'k.cu'), 'utf8'), cu);
    assert.match(readFileSync(join(dir, 'hip_compat.h'), 'utf8'), /#define cudaMalloc hipMalloc/);
    const mk = readFileSync(join(dir, 'Makefile'), 'utf8');
    assert.match(mk, /HIP_OFFLOAD_ARCH \?= gfx942/);
    assert.match(mk, /ifeq \(\$\(HIP\),1\)\n\thipcc \$\(HIP_ARCH_FLAGS\) \$\(HIP_COMPAT_FLAGS\) -o k k\.cu\nelse\n\tnvcc -arch=sm_80 -o k k\.cu\nendif/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
    err = '';
    assert.equal(await main(['port', dir, '--single-source', '--out', join(dir, '..', 'x'), '--offload-arch', 'sm_80'], io), 2);
    assert.match(err, /--offload-arch: 'sm_80' is not an AMD GPU target/);
    err = '';
    assert.equal(await main(['port', dir, '--in-place'], io), 2);
    assert.match(err, /copy-mode project port renames foo\.cu to foo\.hip: use --out DIR, or --single-source --in-place/);
  });

  test('guardWarpWidth: 32-lane warp constants guarded per device compilation; other defines untouched', () => {
    const g = guardWarpWidth('#define WARP_SIZE 32\n  #define kWarpSize (32) // lanes\n#define WARP_SIZE_64 64\n#define BLOCK 32\n');
    assert.equal(g.count, 2);
    assert.equal(
      g.text,
      '#if defined(__HIP_PLATFORM_AMD__) && defined(__HIP_DEVICE_COMPILE__) && defined(__GFX9__) // HIP Porter: wave64 on CDNA/GCN\n#define WARP_SIZE 64\n#else\n#define WARP_SIZE 32\n#endif\n' +
        '  #if defined(__HIP_PLATFORM_AMD__) && defined(__HIP_DEVICE_COMPILE__) && defined(__GFX9__) // HIP Porter: wave64 on CDNA/GCN\n  #define kWarpSize 64\n  #else\n  #define kWarpSize (32) // lanes\n  #endif\n' +
        '#define WARP_SIZE_64 64\n#define BLOCK 32\n',
    );
    assert.match(guardWarpWidth('#define WARPSIZE 32\r\nint x;\r\n').text, /^#if [^\r\n]*\r\n#define WARPSIZE 64\r\n#else\r\n#define WARPSIZE 32\r\n#endif\r\nint x;\r\n$/);
  });

  test('hostWarpUses: only launch configurations and allocation/copy sizes, never constants, device code or comments', () => {
    const names = new Set(['WARP_SIZE']);
    const src = [
      '__global__ void k(float* p) { __shared__ float s[WARP_SIZE]; p[threadIdx.x % WARP_SIZE] = s[0]; }',
      'void go(float* p, int n) {',
      '  k<<<n / WARP_SIZE, 2 * WARP_SIZE, WARP_SIZE * sizeof(float)>>>(p);',
      '  cudaMemcpy(p, p + n, (n / WARP_SIZE) * sizeof(float), cudaMemcpyDeviceToDevice);',
      '  constexpr int lanes = WARP_SIZE;',
      '  // k<<<1, WARP_SIZE>>>(p);',
      '  float* h = (float*)malloc(MY_WARP_SIZE * 4 + WARP_SIZE);',
      '}',
    ].join('\n');
    const h = hostWarpUses(src, names);
    assert.equal(h.count, 5);
    assert.match(h.text, /k<<<n \/ HIP_PORTER_HOST_WARP\(WARP_SIZE\), 2 \* HIP_PORTER_HOST_WARP\(WARP_SIZE\), HIP_PORTER_HOST_WARP\(WARP_SIZE\) \* sizeof\(float\)>>>/);
    assert.match(h.text, /\(n \/ HIP_PORTER_HOST_WARP\(WARP_SIZE\)\) \* sizeof/);
    assert.match(h.text, /malloc\(MY_WARP_SIZE \* 4 \+ HIP_PORTER_HOST_WARP\(WARP_SIZE\)\)/);
    assert.match(h.text, /__shared__ float s\[WARP_SIZE\]; p\[threadIdx\.x % WARP_SIZE\]/);
    assert.match(h.text, /constexpr int lanes = WARP_SIZE;/);
    assert.match(h.text, /\/\/ k<<<1, WARP_SIZE>>>/);
    assert.equal(hostWarpUses(src, new Set()).text, src);
  });

  test('a top-level CMakeLists.txt without CUDA gets the toolchain prologue before its project() when a subdirectory is migrated', () => {
    const top = mkdtempSync(join(tmpdir(), 'hp-plan-top-'));
    mkdirSync(join(top, 'lib'));
    writeFileSync(join(top, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.10)\nproject(app)\nadd_subdirectory(lib)\n');
    writeFileSync(join(top, 'lib', 'CMakeLists.txt'), 'project(k)\nfind_package(CUDA REQUIRED)\ncuda_add_library(k SHARED k.cu)\n');
    writeFileSync(join(top, 'lib', 'k.cu'), '__global__ void k() {}\n');
    for (const mode of ['copy', 'single-source'] as const) {
      const plan = planProjectPort(top, { mode, targetRocm: '5.2' });
      const root = plan.files.find((f) => f.path === 'CMakeLists.txt')!;
      assert.ok(root, mode);
      assert.match(root.after, /set\(CMAKE_TOOLCHAIN_FILE "\$\{CMAKE_CURRENT_SOURCE_DIR\}\/hip-porter-toolchain\.cmake"\)[\s\S]*\nproject\(app\)\nadd_subdirectory\(lib\)\n$/);
      assert.ok(!plan.unchanged.includes('CMakeLists.txt'));
      assert.ok(plan.files.some((f) => f.path === 'hip-porter-toolchain.cmake'));
    }
  });

  test('quoted includes resolve through -I folders: header findings reach every TU, and C++ files that reach CUDA only through headers are compiled as HIP', () => {
    const r2 = mkdtempSync(join(tmpdir(), 'hp-plan-inc-'));
    for (const d of ['build', 'src/util', 'src/core', 'src/k']) mkdirSync(join(r2, d), { recursive: true });
    writeFileSync(join(r2, 'common.mk'), 'SRC = src\nCC := g++\n');
    writeFileSync(join(r2, 'build', 'Makefile'), 'include ../common.mk\nLIBS = -lcudart\napp: obj/user.o obj/plain.o obj/k.o\n\t$(CC) $^ $(LIBS) -o $@\nobj/%.o: ../$(SRC)/*/%.cpp\n\t$(CC) $< -c -I../$(SRC) -o $@\nobj/k.o: ../$(SRC)/k/k.cu\n\tnvcc -c $< -I../$(SRC) -o $@\n');
    writeFileSync(join(r2, 'src/util/dev.h'), '#pragma once\n#include <cuda_runtime.h>\ninline void probe() { cudaGetFuncBySymbol(nullptr, nullptr); }\n');
    writeFileSync(join(r2, 'src/core/mid.h'), '#pragma once\n#include "util/dev.h"\nint mid();\n');
    writeFileSync(join(r2, 'src/core/user.cpp'), '#include "core/mid.h"\nint mid() { probe(); return 1; }\n');
    writeFileSync(join(r2, 'src/core/plain.h'), '#pragma once\nint plain();\n');
    writeFileSync(join(r2, 'src/core/plain.cpp'), '#include "core/plain.h"\nint plain() { return 2; }\n');
    writeFileSync(join(r2, 'src/k/k.cu'), '#include "util/dev.h"\n__global__ void k(int* p) { p[0] = 1; }\n');
    const plan = planProjectPort(r2, { mode: 'single-source', targetRocm: '5.2' });
    const tu = (f: string) => plan.report.tus.find((t) => t.file === f);
    assert.deepEqual(tu('src/k/k.cu')?.headers, ['src/util/dev.h']);
    assert.ok(tu('src/k/k.cu')!.blocking.some((b) => b.file === 'src/util/dev.h' && /cudaGetFuncBySymbol/.test(b.message)), JSON.stringify(tu('src/k/k.cu')));
    assert.deepEqual(tu('src/core/user.cpp')?.headers, ['src/core/mid.h', 'src/util/dev.h']);
    assert.ok(tu('src/core/user.cpp')!.blocking.some((b) => b.file === 'src/util/dev.h'));
    assert.equal(tu('src/core/plain.cpp'), undefined);
    const mk = plan.files.find((f) => f.path === 'build/Makefile')!.after;
    assert.match(mk, /^HIP_PORTER_CUDA_CXX := \.\.\/src\/core\/user\.cpp$/m);
    assert.match(mk, /^\t\$\(HIP_PORTER_CC\) \$< -c -I\.\.\/\$\(SRC\) -o \$@$/m);
    assert.match(mk, /^\t\$\(CC\) \$\^ \$\(LIBS\) -o \$@$/m); // the link keeps $(CC)
    // the summary prints dev.h's finding once, under the first TU, and counts it in the other
    const summary = formatProjectSummary(plan);
    assert.equal(summary.match(/src\/util\/dev\.h:3:\d+: HP\d+ cudaGetFuncBySymbol/g)?.length, 1, summary);
    assert.match(summary, /^ {4}1 in shared headers, printed above \(src\/util\/dev\.h\)$/m);
  });

  test('includeResolver: beside the including file first, else the unique project file ending with the path, else the closest; ties and escapes are unresolved', () => {
    const r = includeResolver(['src/a/cfg.h', 'src/b/cfg.h', 'src/a/x.cpp', 'src/c/y.cpp', 'src/util/dev.h', 'src/c/dev.h', 'lib/deep/util/only.h', 'top.h']);
    assert.equal(r('src/a/x.cpp', 'cfg.h'), 'src/a/cfg.h'); // beside
    assert.equal(r('src/c/y.cpp', 'util/dev.h'), 'src/util/dev.h'); // suffix with a folder, not src/c/dev.h
    assert.equal(r('src/c/y.cpp', 'only.h'), 'lib/deep/util/only.h');
    assert.equal(r('src/c/y.cpp', 'cfg.h'), undefined); // src/a/cfg.h and src/b/cfg.h tie
    assert.equal(r('src/a/deeper/z.cpp', 'cfg.h'), 'src/a/cfg.h'); // shares src/a
    assert.equal(r('src/c/y.cpp', '../../top.h'), 'top.h');
    assert.equal(r('src/c/y.cpp', '../../../top.h'), undefined);
    assert.equal(r('src/c/y.cpp', 'missing.h'), undefined);
  });
});
