/**
 * `hip-porter port --agent` end to end: the bundled CLI (dist/cli.js) as a child process, the real
 * Anthropic SDK inside it, pointed with ANTHROPIC_BASE_URL at a loopback Messages API server.
 * The deterministic translation goes to the model with its open findings; the model's edit is
 * written; an incomplete run writes the deterministic text only; no key is a clear error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeMessagesServer, turn } from './fake-messages-server';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const KEY = 'sk-ant-test-cli-0123456789';
let server: FakeMessagesServer;

const SRC = [
  '#include <cuda_runtime.h>',
  '__global__ void lanes(int* out) {',
  '  int lane = threadIdx.x % 32;',
  '  out[threadIdx.x] = lane ? __shfl(lane, 0) : 0;',
  '}',
  '',
].join('\n');

function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), ...env }, ...(cwd ? { cwd } : {}) });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

before(async () => {
  if (!existsSync(CLI)) assert.equal(spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')]).status, 0);
  server = await FakeMessagesServer.start(KEY);
});
after(async () => {
  await server.close();
});

test('port --agent: the model gets the deterministic text and its findings; its edit is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-agent-cli-'));
  writeFileSync(join(dir, 'lanes.cu'), SRC);
  const out = mkdtempSync(join(tmpdir(), 'hp-agent-out-'));
  server.enqueue({
    kind: 'stream',
    events: turn({
      text: 'The lane index assumes 32-wide warps.',
      tools: [
        { id: 't1', name: 'edit_proposal', input: { search: 'threadIdx.x % 32', replace: 'threadIdx.x % warpSize', reason: 'AMD wavefronts have 64 lanes.', finding_ids: ['F1'] } },
        { id: 't2', name: 'finish', input: { summary: 'Lane index uses warpSize.' } },
      ],
      usage: { input: 900, output: 80 },
    }),
  });
  const r = await runCli(['port', join(dir, 'lanes.cu'), '--out', out, '--agent', '--target-rocm', '5.2'], {
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_BASE_URL: server.url,
  });
  assert.equal(r.code, 0, r.err);
  const written = readFileSync(join(out, 'lanes.hip'), 'utf8');
  assert.match(written, /#include <hip\/hip_runtime\.h>/);
  assert.match(written, /int lane = threadIdx\.x % warpSize;/);
  const first = JSON.stringify(server.requests[0]!.body);
  assert.match(first, /HP201/, 'the warp-size finding reached the model');
  assert.match(first, /hip\/hip_runtime\.h/, 'the model edits the deterministic translation');
  assert.match(r.err, /complete, 1 edit\(s\)/);
  assert.ok(!r.err.includes(KEY) && !r.out.includes(KEY), 'the key is never printed');
});

test('port --agent: a stream cut mid-run writes the deterministic translation and says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-agent-cli-'));
  writeFileSync(join(dir, 'lanes.cu'), SRC);
  const out = mkdtempSync(join(tmpdir(), 'hp-agent-out-'));
  server.enqueue({ kind: 'stream', events: turn({ text: 'Looking at the lane math now and', usage: { input: 10, output: 5 } }), cutAfter: 3 });
  const r = await runCli(['port', join(dir, 'lanes.cu'), '--out', out, '--agent', '--target-rocm', '5.2'], {
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_BASE_URL: server.url,
  });
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /writing the deterministic translation only/);
  assert.match(readFileSync(join(out, 'lanes.hip'), 'utf8'), /threadIdx\.x % 32/);
});

test('port --agent without ANTHROPIC_API_KEY: one clear line, exit 2, nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-agent-cli-'));
  writeFileSync(join(dir, 'lanes.cu'), SRC);
  const out = mkdtempSync(join(tmpdir(), 'hp-agent-out-'));
  const r = await runCli(['port', join(dir, 'lanes.cu'), '--out', out, '--agent'], {});
  assert.equal(r.code, 2);
  assert.match(r.err, /--agent needs an Anthropic API key: set ANTHROPIC_API_KEY/);
  assert.ok(!existsSync(join(out, 'lanes.hip')));
});

test('port --agent run from $HOME: the model may read the project (folder of the build file), never the home folder', async () => {
  const home = mkdtempSync(join(tmpdir(), 'hp-agent-home-'));
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), 'token: kube-secret-123\n');
  mkdirSync(join(home, 'proj', 'src'), { recursive: true });
  writeFileSync(join(home, 'proj', 'Makefile'), 'all:\n');
  writeFileSync(join(home, 'proj', 'common.cuh'), '#define N 4\n');
  writeFileSync(join(home, 'proj', 'src', 'lanes.cu'), SRC);
  server.enqueue({
    kind: 'stream',
    events: turn({
      tools: [
        { id: 'r1', name: 'read_file', input: { path: '.kube/config' } },
        { id: 'r2', name: 'read_file', input: { path: '../.kube/config' } },
        { id: 'r3', name: 'read_file', input: { path: 'common.cuh' } },
      ],
      usage: { input: 100, output: 20 },
    }),
  });
  server.enqueue({ kind: 'stream', events: turn({ tools: [{ id: 'f', name: 'finish', input: { summary: 'done' } }], usage: { input: 100, output: 5 } }) });
  const before = server.requests.length;
  // Run in the home folder, on a relative path, with --out on one file (issue 13 item 1).
  const r = await runCli(['port', 'proj/src/lanes.cu', '--out', 'ported', '--agent'], { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url, HOME: home }, home);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(home, 'ported', 'lanes.hip')));
  const second = JSON.stringify(server.requests[before + 1]!.body);
  assert.ok(!second.includes('kube-secret-123'), 'no file of the home folder reached the model');
  assert.match(second, /#define N 4/, 'the project root (folder of the Makefile) is readable');
});
