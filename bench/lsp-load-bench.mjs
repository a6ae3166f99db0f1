#!/usr/bin/env node
// Language server under typing load on big files (issue 18 item 7): spawns `node dist/server.js
// --stdio`, opens a generated .cu file of each size, sends one-character edits at a fixed rate
// WITHOUT waiting for diagnostics (as an editor does while someone types), and prints the lag from
// the last edit to the publishDiagnostics of its version, the number of publishes, whether the
// server said it could not keep up, and the server's peak RSS (VmHWM from /proc).
// Usage: node bench/lsp-load-bench.mjs [--sizes 0.2,0.8,2.5] [--edits 150] [--rate 10] [--timeout 180]
//        [--server PATH] [--seed N] [--json]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import rpc from 'vscode-jsonrpc/node.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const serverJs = resolve(opt('--server', join(root, 'dist', 'server.js')));
const SIZES = opt('--sizes', '0.2,0.8,2.5').split(',').map(Number);
const EDITS = Number(opt('--edits', '150'));
const RATE = Number(opt('--rate', '10'));
const TIMEOUT_S = Number(opt('--timeout', '180'));
let seed = Number(opt('--seed', '7')) >>> 0;

/** mulberry32: deterministic, so runs compare. */
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A realistic CUDA file of about `mb` MB: kernels, host code with runtime calls, warp code, macros. */
function generate(mb) {
  const parts = ['#include <cuda_runtime.h>\n#include <cstdio>\n'];
  let size = parts[0].length;
  for (let i = 0; size < mb * 1048576; i++) {
    const s = `// kernel family ${i}
__global__ void scale${i}(float* p, float a, int n) {
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t < n) p[t] *= a;
  unsigned m = __ballot_sync(0xffffffff, p[t] > 0.0f);
  int lane = threadIdx.x % 32;
  if (lane == 0 && m) atomicAdd(p, 1.0f);
}
static int run${i}(int n) {
  float* d = nullptr;
  cudaError_t e = cudaMalloc(&d, n * sizeof(float));
  if (e != cudaSuccess) { printf("%s\\n", cudaGetErrorString(e)); return 1; }
  scale${i}<<<(n + 255) / 256, 256>>>(d, 2.0f, n);
  cudaDeviceSynchronize();
  cudaFree(d);
  return 0;
}
`;
    parts.push(s);
    size += s.length;
  }
  return parts.join('');
}

function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function runOne(mb) {
  const proc = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({ maxFileSizeMB: 5 })));
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification('window/logMessage', () => undefined);
  let publishes = 0;
  let lastVersion = -1;
  let behind = false;
  const waiters = [];
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    publishes++;
    lastVersion = p.version ?? lastVersion;
    if (p.diagnostics.some((d) => /cannot keep up|too large to analyse fully|reduced analysis/i.test(d.message))) behind = true;
    for (const w of waiters.splice(0)) if (!w(p)) waiters.push(w);
  });
  conn.listen();
  const until = (pred, ms) =>
    new Promise((res) => {
      const t = setTimeout(() => res(false), ms);
      waiters.push((p) => (pred(p) ? (clearTimeout(t), res(true), true) : false));
    });
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } }, workspaceFolders: null });
  await conn.sendNotification('initialized', {});
  let text = generate(mb);
  const uri = 'file:///bench/load.cu';
  const t0 = performance.now();
  const opened = until((p) => p.version === 1, TIMEOUT_S * 1000);
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
  const openOk = await opened;
  const openMs = performance.now() - t0;
  const lines = text.split('\n');
  let version = 1;
  const chars = 'ax_ ';
  const gap = 1000 / RATE;
  const start = performance.now();
  for (let k = 0; k < EDITS; k++) {
    const due = start + k * gap;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const line = Math.floor(rand() * lines.length);
    const ch = Math.floor(rand() * (lines[line].length + 1));
    const c = chars[Math.floor(rand() * chars.length)];
    lines[line] = lines[line].slice(0, ch) + c + lines[line].slice(ch);
    version++;
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: ch }, end: { line, character: ch } }, text: c }],
    });
  }
  const tLast = performance.now();
  const cpu0 = process.cpuUsage();
  const done = lastVersion === version || (await until((p) => p.version === version, TIMEOUT_S * 1000));
  const lag = done ? performance.now() - tLast : NaN;
  const cpu = process.cpuUsage(cpu0);
  const clientCpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const rss = peakRssMb(proc.pid);
  try {
    await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
    await conn.sendNotification('exit');
  } catch {
    /* killed below */
  }
  setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
  conn.dispose();
  return { mb, bytes: Buffer.byteLength(lines.join('\n')), openMs: openOk ? Math.round(openMs) : NaN, edits: EDITS, rate: RATE, lagMs: Math.round(lag), publishes, saidBehind: behind, peakRssMb: Math.round(rss), clientCpuMs };
}

async function main() {
  const results = [];
  for (const mb of SIZES) {
    const r = await runOne(mb);
    results.push(r);
    if (!args.includes('--json')) {
      console.log(
        `${mb} MB (${(r.bytes / 1048576).toFixed(2)} MiB): open ${r.openMs} ms; ${r.edits} edits at ${r.rate}/s -> lag after the last edit ${Number.isNaN(r.lagMs) ? `> ${TIMEOUT_S} s (gave up)` : `${r.lagMs} ms`}; ${r.publishes} publishes; "cannot keep up" diagnostic: ${r.saidBehind}; peak RSS ${r.peakRssMb} MB; client CPU after the last edit ${r.clientCpuMs} ms`,
      );
    }
  }
  if (args.includes('--json')) console.log(JSON.stringify(results, null, 2));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
