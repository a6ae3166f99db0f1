#!/usr/bin/env node
// LSP latency benchmark: spawns `node dist/server.js --stdio`, opens a generated, realistic
// 10k-line .cu file, applies 200 single-character incremental edits at random places (one at a
// time, waiting for the publishDiagnostics of each edit's version), and prints p50/p95/max of
// didChange-sent → publishDiagnostics-received, the initial open time, CPU time per edit of the
// server and of this client (which parses every publish), the load average, and the server's RSS.
// Target: p95 <= 30 ms.
// `--diagnostics pull` measures pull diagnostics instead (LSP 3.17 `textDocument/diagnostic`, the
// server's `initializationOptions.pullDiagnostics`): after each didChange the client sends one
// diagnostic request with the previous resultId, as vscode-languageclient 9 does on every change
// it sends (DiagnosticFeature, `diagnosticPullOptions.onChange`), and the latency is didChange
// sent → the response received (`full` or `unchanged`).
// Usage: node bench/lsp-bench.mjs [--diagnostics push|pull] [--scenario scatter|typing] [--lines N] [--edits N] [--seed N] [--chars STR] [--cpu-prof DIR] [--pause MS] [--slowest N] [--runs N] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import rpc from 'vscode-jsonrpc/node.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
/** `--server PATH`: the server bundle to run (default dist/server.js), e.g. a build of another commit for an A/B run. */
const serverJs = resolve(opt('--server', join(root, 'dist', 'server.js')));
const LINES = Number(opt('--lines', '10000'));
const EDITS = Number(opt('--edits', '200'));
const SEED = Number(opt('--seed', '12345')) >>> 0;
let seed = SEED;
/** `--runs N`: repeat the whole benchmark N times (a fresh server and the same edits each time) and summarise. */
const RUNS = Math.max(1, Number(opt('--runs', '1')));
const cpuProf = opt('--cpu-prof', undefined);
const asJson = args.includes('--json');
/**
 * `--pause MS`: after each keystroke that ends a word (the typed character is a space, `;`, `)`
 * or a line break), wait MS before the next one, as a person does; the server's background work
 * after a pause (the check of provisional results by a parse from scratch) then meets keystrokes.
 * Default 0: edits follow each publish at once.
 */
const PAUSE_MS = Number(opt('--pause', '0'));
/** `--slowest N`: also list the N slowest edits (index, position, character, ms) to study the tail. */
const slowest = Number(opt('--slowest', '0'));
/**
 * Characters typed. Default: identifier characters and spaces, where most keystrokes fall.
 * `--chars 'ax_ (;1'` adds punctuation; an unbalanced '(' or a digit glued to a keyword inside a
 * template can send tree-sitter's error recovery into a 0.5-1.5 s parse on a 10k-line file.
 */
const CHARS = opt('--chars', 'ax_ ');
/**
 * `scatter` (default): each edit types one of CHARS at a random offset of the file, and nothing is
 * ever fixed, so syntax errors pile up (a stray letter after `#endif` leaves the rest of the file
 * inside an unterminated `#if`): a worst case. `typing`: like a person writing code, the edits type
 * a statement character by character at the start of a random statement line inside a function
 * body, then move to another spot (transient syntax errors in the edited function only).
 */
const SCENARIO = opt('--scenario', 'scatter');
/** `--diagnostics push|pull`: how the client gets diagnostics (default push: publishDiagnostics). */
const MODE = opt('--diagnostics', 'push');
if (MODE !== 'push' && MODE !== 'pull') throw new Error(`--diagnostics must be push or pull, got ${MODE}`);
/** The statement the `typing` scenario types at each spot. */
const TYPED = '  float tmp = acc * 2.0f + (float)threadIdx.x;\n';

/** Deterministic PRNG (mulberry32), so runs are comparable. */
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Varied CUDA snippets (parameterised by a unique index so names differ). */
const SNIPPETS = [
  (i) => `// block reduction ${i} with warp shuffles
__global__ void reduceSum${i}(const float* __restrict__ in, float* out, int n) {
  __shared__ float partial[32];
  int tid = blockIdx.x * blockDim.x + threadIdx.x;
  float v = tid < n ? in[tid] : 0.0f;
  for (int offset = 16; offset > 0; offset >>= 1)
    v += __shfl_down_sync(0xffffffff, v, offset);
  int lane = threadIdx.x % 32;
  int warp = threadIdx.x / 32;
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < blockDim.x / 32 ? partial[lane] : 0.0f;
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffff, v, offset);
    if (lane == 0) atomicAdd(out, v);
  }
}
`,
  (i) => `#define CHECK_CUDA${i}(call)                                                  \\
  do {                                                                       \\
    cudaError_t err_ = (call);                                               \\
    if (err_ != cudaSuccess) {                                               \\
      fprintf(stderr, "CUDA error %s at %s:%d\\n", cudaGetErrorString(err_),  \\
              __FILE__, __LINE__);                                           \\
      exit(EXIT_FAILURE);                                                    \\
    }                                                                        \\
  } while (0)
`,
  (i) => `static void runSaxpy${i}(int n, float a) {
  float *x, *y, *dx, *dy;
  CHECK_CUDA1(cudaMallocHost(&x, n * sizeof(float)));
  CHECK_CUDA1(cudaMallocHost(&y, n * sizeof(float)));
  CHECK_CUDA1(cudaMalloc(&dx, n * sizeof(float)));
  CHECK_CUDA1(cudaMalloc(&dy, n * sizeof(float)));
  cudaStream_t stream;
  CHECK_CUDA1(cudaStreamCreate(&stream));
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  cudaEventRecord(start, stream);
  CHECK_CUDA1(cudaMemcpyAsync(dx, x, n * sizeof(float), cudaMemcpyHostToDevice, stream));
  CHECK_CUDA1(cudaMemcpyAsync(dy, y, n * sizeof(float), cudaMemcpyHostToDevice, stream));
  saxpy${i}<<<(n + 255) / 256, 256, 0, stream>>>(n, a, dx, dy);
  CHECK_CUDA1(cudaGetLastError());
  CHECK_CUDA1(cudaMemcpyAsync(y, dy, n * sizeof(float), cudaMemcpyDeviceToHost, stream));
  cudaEventRecord(stop, stream);
  cudaStreamSynchronize(stream);
  float ms = 0.0f;
  cudaEventElapsedTime(&ms, start, stop);
  printf("saxpy ${i}: %.3f ms\\n", ms);
  cudaFree(dx);
  cudaFree(dy);
  cudaFreeHost(x);
  cudaFreeHost(y);
  cudaStreamDestroy(stream);
}
`,
  (i) => `__global__ void saxpy${i}(int n, float a, const float* x, float* y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
`,
  (i) => `__device__ __forceinline__ unsigned laneMaskLt${i}() {
  unsigned mask;
  asm("mov.u32 %0, %%lanemask_lt;" : "=r"(mask));
  return mask;
}

__global__ void compact${i}(const int* in, int* out, int* count, int n) {
  int tid = blockIdx.x * blockDim.x + threadIdx.x;
  bool keep = tid < n && in[tid] > 0;
  unsigned ballot = __ballot_sync(0xffffffff, keep);
  int rank = __popc(ballot & laneMaskLt${i}());
  int base = 0;
  if ((threadIdx.x & 31) == 0) base = atomicAdd(count, __popc(ballot));
  base = __shfl_sync(0xffffffff, base, 0);
  if (keep) out[base + rank] = in[tid];
}
`,
  (i) => `template <typename T, int TILE>
__global__ void transpose${i}(T* odata, const T* idata, int width, int height) {
  __shared__ T tile[TILE][TILE + 1];
  int x = blockIdx.x * TILE + threadIdx.x;
  int y = blockIdx.y * TILE + threadIdx.y;
  for (int j = 0; j < TILE; j += blockDim.y)
    if (x < width && (y + j) < height) tile[threadIdx.y + j][threadIdx.x] = idata[(y + j) * width + x];
  __syncthreads();
  x = blockIdx.y * TILE + threadIdx.x;
  y = blockIdx.x * TILE + threadIdx.y;
  for (int j = 0; j < TILE; j += blockDim.y)
    if (x < height && (y + j) < width) odata[(y + j) * height + x] = tile[threadIdx.x][threadIdx.y + j];
}
`,
  (i) => `static int queryDevice${i}() {
  int count = 0;
  cudaGetDeviceCount(&count);
  cudaDeviceProp prop;
  cudaGetDeviceProperties(&prop, 0);
  if (prop.major < 7) {
    printf("device %s is too old (sm_%d%d)\\n", prop.name, prop.major, prop.minor);
    return -1;
  }
  size_t freeMem = 0, totalMem = 0;
  cudaMemGetInfo(&freeMem, &totalMem);
  cudaSetDevice(0);
  cudaDeviceSynchronize();
  return count;
}
`,
  (i) => `__constant__ float coeffs${i}[16];

__global__ void __launch_bounds__(256, 2) stencil${i}(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
#if __CUDA_ARCH__ >= 700
  float acc = __ldg(&in[i]);
#else
  float acc = in[i];
#endif
  for (int k = 1; k < 16 && i + k < n; ++k) acc += coeffs${i}[k] * in[i + k];
  out[i] = acc;
  __threadfence();
}

static void uploadCoeffs${i}(const float* host) {
  cudaMemcpyToSymbol(coeffs${i}, host, 16 * sizeof(float));
}
`,
];

/** A ~`lines`-line CUDA translation unit. */
export function generate(lines) {
  const parts = [
    '#include <cuda_runtime.h>\n#include <cstdio>\n#include <cstdlib>\n\n',
    SNIPPETS[1](1),
  ];
  let n = parts.join('').split('\n').length;
  for (let i = 0; n < lines; i++) {
    const s = SNIPPETS[[0, 2, 3, 4, 5, 6, 7, 3][i % 8]](i + 2) + '\n';
    // saxpy<i> is called by runSaxpy<i>: emit the kernel before its caller
    const piece = i % 8 === 1 ? SNIPPETS[3](i + 2) + '\n' + s : s;
    parts.push(piece);
    n += piece.split('\n').length - 1;
  }
  return parts.join('');
}

function positionAt(text, offset) {
  let line = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, character: offset - last - 1 };
}

/** User + system CPU time of process `pid` so far, ms (Linux /proc; 0 elsewhere). */
function procCpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** One benchmark run: a fresh server, the open, then the edits. Returns the result object. */
async function runOnce() {
  seed = SEED;
  if (!existsSync(serverJs)) {
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
  }
  const nodeArgs = cpuProf ? ['--cpu-prof', '--cpu-prof-interval', opt('--cpu-prof-interval', '1000'), '--cpu-prof-dir', cpuProf] : [];
  const proc = spawn(process.execPath, [...nodeArgs, serverJs, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  // time of the first bytes from the server after each didChange (registered before the reader's
  // listener, which decodes a complete message inside its own 'data' callback)
  let firstByteAt = 0;
  proc.stdout.on('data', () => {
    if (!firstByteAt) firstByteAt = performance.now();
  });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const waiters = new Map();
  let lastDiagCount = 0;
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const w = waiters.get(p.version);
    if (w) {
      waiters.delete(p.version);
      lastDiagCount = p.diagnostics.length;
      w(performance.now());
    }
  });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  // busy = a parse ran over its budget and the diagnostics just published are token-only
  let busyCount = 0;
  let lastReadyAt = 0;
  conn.onNotification('hipPorter/serverStatus', (p) => {
    if (p.state === 'busy') busyCount++;
    else lastReadyAt = performance.now();
  });
  conn.onRequest('client/registerCapability', () => null);
  // pull mode: the server asks for a new pull when a version's diagnostics change after they were pulled
  let refreshes = 0;
  conn.onRequest('workspace/diagnostic/refresh', () => {
    refreshes++;
    return null;
  });
  const uri = 'file:///bench/generated.cu';
  let resultId;
  let unchanged = 0;
  /** Pull mode: one textDocument/diagnostic request; resolves with the time its response arrived. */
  const pullNow = async () => {
    const r = await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri }, ...(resultId !== undefined ? { previousResultId: resultId } : {}) });
    const at = performance.now();
    if (r.kind === 'unchanged') unchanged++;
    else lastDiagCount = r.items.length;
    resultId = r.resultId;
    return at;
  };
  conn.onNotification('window/logMessage', () => {});
  conn.listen();
  const waitVersion = (v) =>
    new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`timeout waiting for version ${v}`)), 60000);
      waiters.set(v, (at) => (clearTimeout(t), res(at)));
    });

  const pullCaps = MODE === 'pull' ? { textDocument: { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } } : {};
  const init = await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { workspace: { configuration: true, ...(MODE === 'pull' ? { diagnostics: { refreshSupport: true } } : {}) }, ...pullCaps },
    ...(MODE === 'pull' ? { initializationOptions: { pullDiagnostics: true } } : {}),
  });
  if (MODE === 'pull' && !init.capabilities.diagnosticProvider) throw new Error('the server does not announce diagnosticProvider: it has no pull mode');
  await conn.sendNotification('initialized', {});
  let text = generate(LINES);
  const lineCount = text.split('\n').length;
  let version = 1;
  let t0 = performance.now();
  let p = MODE === 'push' ? waitVersion(version) : undefined;
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version, text } });
  const openMs = (await (p ?? pullNow())) - t0;
  const openDiagnostics = lastDiagCount;
  // when the first publish was token-only, wait for the full one (status back to ready)
  if (busyCount > 0) {
    const deadline = performance.now() + 60000;
    while (lastReadyAt < t0 + openMs && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }
  const openFullMs = Math.max(openMs, lastReadyAt - t0);
  const openBusy = busyCount;
  busyCount = 0;

  const chars = CHARS;
  const lat = [];
  /** Per edit: ms from didChange sent to the first byte of the answer (server side), and from there to the decoded publish (transfer + client). */
  const serverPart = [];
  const clientPart = [];
  /** Per edit: index, 0-based line, UTF-16 column, character typed, latency in ms. */
  const trace = [];
  const cpu0 = procCpuMs(proc.pid);
  const selfCpu0 = process.cpuUsage();
  let typing = '';
  let typeAt = 0;
  for (let k = 0; k < EDITS; k++) {
    let off;
    let ch;
    if (SCENARIO === 'typing') {
      if (!typing) {
        // the start of a statement line inside a function body (two-space indent, then a letter)
        const re = /\n  [a-z_]/g;
        re.lastIndex = Math.floor(rand() * text.length);
        const m = re.exec(text) ?? (re.lastIndex = 0, re.exec(text));
        typeAt = m.index + 1;
        typing = TYPED;
      }
      off = typeAt++;
      ch = typing[0];
      typing = typing.slice(1);
    } else {
      off = Math.floor(rand() * text.length);
      ch = chars[Math.floor(rand() * chars.length)];
    }
    const pos = positionAt(text, off);
    text = text.slice(0, off) + ch + text.slice(off);
    version++;
    p = MODE === 'push' ? waitVersion(version) : undefined;
    t0 = performance.now();
    firstByteAt = 0;
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: pos, end: pos }, text: ch }],
    });
    const at = await (p ?? pullNow());
    lat.push(at - t0);
    serverPart.push((firstByteAt || at) - t0);
    clientPart.push(at - (firstByteAt || at));
    if (PAUSE_MS > 0 && ' ;)\n'.includes(ch)) await new Promise((r) => setTimeout(r, PAUSE_MS));
    trace.push({ edit: k, line: pos.line, character: pos.character, ch, ms: +lat[k].toFixed(1), serverMs: +serverPart[k].toFixed(1) });
  }
  const serverCpuMs = procCpuMs(proc.pid) - cpu0;
  const selfCpu = process.cpuUsage(selfCpu0);
  const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  await new Promise((r) => proc.once('exit', r));
  conn.dispose();

  const sorted = [...lat].sort((a, b) => a - b);
  const result = {
    diagnosticsMode: MODE,
    ...(MODE === 'pull' ? { unchangedResponses: unchanged, refreshRequests: refreshes } : {}),
    lines: lineCount,
    chars: text.length,
    edits: EDITS,
    openMs: Math.round(openMs),
    openFullMs: Math.round(openFullMs),
    openTokenOnly: openBusy > 0,
    tokenOnlyEdits: busyCount,
    diagnostics: openDiagnostics,
    p50: +percentile(sorted, 0.5).toFixed(1),
    p95: +percentile(sorted, 0.95).toFixed(1),
    max: +sorted[sorted.length - 1].toFixed(1),
    mean: +(lat.reduce((a, b) => a + b, 0) / lat.length).toFixed(1),
    serverPart: summary(serverPart),
    clientPart: summary(clientPart),
    // the first edits after opening run code the JIT has not optimised yet, in both processes
    warmup: { edits: WARMUP, mean: mean(lat.slice(0, WARMUP)), serverMean: mean(serverPart.slice(0, WARMUP)), clientMean: mean(clientPart.slice(0, WARMUP)) },
    afterWarmup: { ...summary(lat.slice(WARMUP)), mean: mean(lat.slice(WARMUP)) },
    serverCpuPerEdit: +(serverCpuMs / EDITS).toFixed(1),
    clientCpuPerEdit: +((selfCpu.user + selfCpu.system) / 1000 / EDITS).toFixed(1),
    loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    rssMB: +(rssKb / 1024).toFixed(1),
    peakRssMB: +(hwmKb / 1024).toFixed(1),
    scenario: SCENARIO,
    pauseMs: PAUSE_MS,
    typed: SCENARIO === 'typing' ? TYPED : CHARS,
    target: 'p95 <= 30 ms',
  };
  if (slowest > 0) result.slowest = [...trace].sort((a, b) => b.ms - a.ms).slice(0, slowest);
  return result;
}

/** Edits counted as the warm-up in the report (the p50/p95 target figures cover every edit). */
const WARMUP = 20;

/** Mean (ms, one decimal) of a list of latencies; 0 for none. */
function mean(xs) {
  return xs.length ? +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1) : 0;
}

/** p50 and p95 (ms, one decimal) of a list of latencies. */
function summary(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: +percentile(sorted, 0.5).toFixed(1), p95: +percentile(sorted, 0.95).toFixed(1) };
}

/** Prints one run's result for people. */
function report(result) {
  console.log(`LSP bench: ${result.lines} lines (${(result.chars / 1024).toFixed(0)} KiB), ${result.diagnostics} diagnostics, ${EDITS} single-character edits, scenario ${SCENARIO} typing ${JSON.stringify(result.typed)}${result.pauseMs ? `, ${result.pauseMs} ms pause after each word` : ''}`);
  console.log(`  open (didOpen -> first publishDiagnostics): ${result.openMs} ms${result.openTokenOnly ? ` (token-only; full analysis after ${result.openFullMs} ms)` : ''}`);
  console.log(`  edits whose parse ran over budget (token-only diagnostics first, full ones later): ${result.tokenOnlyEdits}`);
  if (result.diagnosticsMode === 'pull') console.log(`  pull diagnostics: ${result.unchangedResponses} of ${EDITS + 1} responses 'unchanged'; ${result.refreshRequests} refresh request(s) from the server`);
  console.log(`  didChange -> ${result.diagnosticsMode === 'pull' ? 'diagnostic response' : 'publishDiagnostics'}: p50 ${result.p50} ms, p95 ${result.p95} ms, max ${result.max} ms, mean ${result.mean} ms (target p95 <= 30 ms: ${result.p95 <= 30 ? 'met' : 'MISSED'})`);
  console.log(`  split: server (didChange sent -> first byte of the answer) p50 ${result.serverPart.p50} ms, p95 ${result.serverPart.p95} ms; transfer + client decode p50 ${result.clientPart.p50} ms, p95 ${result.clientPart.p95} ms`);
  console.log(`  first ${result.warmup.edits} edits (warm-up): mean ${result.warmup.mean} ms (server ${result.warmup.serverMean} ms, client ${result.warmup.clientMean} ms); later edits: p50 ${result.afterWarmup.p50} ms, p95 ${result.afterWarmup.p95} ms, mean ${result.afterWarmup.mean} ms`);
  console.log(`  CPU per edit: server ${result.serverCpuPerEdit} ms, this client ${result.clientCpuPerEdit} ms (load average ${result.loadavg})`);
  console.log(`  server RSS: ${result.rssMB} MB (peak ${result.peakRssMB} MB)`);
  for (const e of result.slowest ?? []) console.log(`  slow: edit ${e.edit} at ${e.line + 1}:${e.character + 1} typed ${JSON.stringify(e.ch)}: ${e.ms} ms (server ${e.serverMs} ms, client ${(e.ms - e.serverMs).toFixed(1)} ms)`);
}

async function main() {
  const results = [];
  for (let r = 0; r < RUNS; r++) {
    const result = await runOnce();
    results.push(result);
    if (!asJson) report(result);
  }
  if (asJson) {
    console.log(JSON.stringify(RUNS === 1 ? results[0] : results));
    return;
  }
  if (RUNS > 1) {
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    const met = results.filter((r) => r.p95 <= 30).length;
    console.log(`${RUNS} runs: median p50 ${median(results.map((r) => r.p50))} ms, median p95 ${median(results.map((r) => r.p95))} ms (p95 range ${Math.min(...results.map((r) => r.p95))}-${Math.max(...results.map((r) => r.p95))} ms), target p95 <= 30 ms met in ${met} of ${RUNS} runs; after the ${WARMUP}-edit warm-up: median p95 ${median(results.map((r) => r.afterWarmup.p95))} ms`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
