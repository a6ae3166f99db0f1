/**
 * CLI start-up (issue 13, item 6): what the bundled CLI loads for each command, and the choice of
 * baseline-only wasm code for short runs. Timing targets live in bench/startup-bench.mjs.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINE_WASM_MAX_BYTES, inputBytes } from '../../src/cli/startup';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

before(() => {
  if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist', 'cli-agent.js'))) {
    assert.equal(spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')]).status, 0);
  }
});

/** Runs the bundled CLI with a preload that logs every module file it loads and whether V8 was told --liftoff-only. */
function runTraced(args: string[], cwd: string): { status: number | null; loaded: string[]; liftoff: boolean; out: string } {
  const hook = join(cwd, 'trace-hook.js');
  writeFileSync(
    hook,
    [
      "const Module = require('module'); const v8 = require('v8'); const fs = require('fs');",
      'const seen = []; let liftoff = false;',
      'const load = Module._load; Module._load = function (req, parent, ...rest) { seen.push(req); return load.call(this, req, parent, ...rest); };',
      "const set = v8.setFlagsFromString; v8.setFlagsFromString = (f) => { if (/liftoff-only/.test(f)) liftoff = true; return set(f); };",
      "process.on('exit', () => fs.writeFileSync(process.env.TRACE_OUT, JSON.stringify({ seen, liftoff })));",
    ].join('\n'),
  );
  const traceOut = join(cwd, `trace-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, ['--require', hook, CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TRACE_OUT: traceOut } });
  const t = JSON.parse(readFileSync(traceOut, 'utf8')) as { seen: string[]; liftoff: boolean };
  return { status: r.status, loaded: t.seen, liftoff: t.liftoff, out: r.stdout + r.stderr };
}

test('dist/cli.js does not carry the agent: the Anthropic SDK lives in dist/cli-agent.js, loaded only for --agent', () => {
  const cli = readFileSync(CLI, 'utf8');
  assert.ok(!cli.includes('anthropic-version'), 'the SDK is not bundled into cli.js');
  assert.ok(readFileSync(join(ROOT, 'dist', 'cli-agent.js'), 'utf8').includes('anthropic-version'), 'the SDK is in cli-agent.js');
  assert.ok(cli.length < 800_000, `cli.js is ${cli.length} bytes`);

  const dir = mkdtempSync(join(tmpdir(), 'hp-startup-'));
  writeFileSync(join(dir, 'k.cu'), '#include <cuda_runtime.h>\n__global__ void k(float* p) { p[threadIdx.x] = 1.0f; }\nint main() { float* d; cudaMalloc(&d, 4); k<<<1, 1>>>(d); cudaFree(d); }\n');
  const version = runTraced(['--version'], dir);
  assert.equal(version.status, 0);
  assert.ok(!version.loaded.some((m) => m.includes('cli-agent')), version.loaded.join(' '));
  const port = runTraced(['port', 'k.cu', '--stdout'], dir);
  assert.equal(port.status, 0, port.out);
  assert.match(port.out, /hipMalloc/);
  assert.ok(!port.loaded.some((m) => m.includes('cli-agent')));
  // --agent loads it (and stops at the missing key with its own message).
  const agent = runTraced(['port', 'k.cu', '--out', join(dir, 'out'), '--agent'], dir);
  assert.equal(agent.status, 2);
  assert.match(agent.out, /--agent needs an Anthropic API key/);
  assert.ok(agent.loaded.some((m) => m.includes('cli-agent')), agent.loaded.join(' '));
});

test('short runs keep the wasm grammar at its baseline tier (--liftoff-only); inputs over 1 MiB do not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-startup-'));
  const small = join(dir, 'small.cu');
  writeFileSync(small, '__global__ void k() {}\n'.repeat(100));
  const bigDir = join(dir, 'big');
  mkdirSync(join(bigDir, 'sub'), { recursive: true });
  const chunk = '__global__ void k() { /* padding */ }\n'.repeat(10_000); // ~380 kB
  for (const name of ['a.cu', 'b.cu', join('sub', 'c.cu')]) writeFileSync(join(bigDir, name), chunk);

  assert.equal(inputBytes([small]), 2300);
  assert.equal(inputBytes([small, join(dir, 'missing.cu')]), 2300, 'a missing input counts 0');
  assert.ok(inputBytes([bigDir]) > BASELINE_WASM_MAX_BYTES, 'a directory counts its files, subfolders included');
  assert.ok(inputBytes([bigDir], 1000) < 2 * chunk.length, 'counting stops past the limit');

  const s = runTraced(['scan', 'small.cu'], dir);
  assert.equal(s.liftoff, true, s.out);
  const b = runTraced(['scan', 'big'], dir);
  assert.equal(b.liftoff, false, b.out);
  assert.equal(runTraced(['--version'], dir).liftoff, false, 'no wasm at all for --version');
});
