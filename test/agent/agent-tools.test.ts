/**
 * The agent's pure parts and tool handlers: exact edit blocks, workspace confinement, the size cap,
 * the price table, retry-after parsing, the user message, and compile_proposal through real hipcc.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatCost, priceFor, requestCostUsd } from '../../src/agent/cost';
import { parseRetryAfter } from '../../src/agent/loop';
import { buildUserMessage, numberLines } from '../../src/agent/prompts';
import { MAX_READ_BYTES, resolveWorkspacePath, runTool, type ToolContext } from '../../src/agent/tools';
import { toAgentFindings } from '../../src/agent/findings';
import { applyEditBlock, type AgentFinding, type AgentHost, type AgentInput } from '../../src/agent/types';

let ws: string;
let outside: string;

before(async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-tools-'));
  ws = path.join(base, 'ws');
  outside = path.join(base, 'outside');
  await fs.mkdir(path.join(ws, 'inc'), { recursive: true });
  await fs.mkdir(outside);
  await fs.writeFile(path.join(ws, 'inc', 'a.cuh'), '#pragma once\n');
  await fs.writeFile(path.join(ws, 'big.h'), 'x'.repeat(MAX_READ_BYTES + 1));
  await fs.writeFile(path.join(outside, 'secret.h'), 'secret\n');
  await fs.symlink(outside, path.join(ws, 'escape'));
  await fs.symlink(path.join(ws, 'inc'), path.join(ws, 'inc-link'));
});

after(async () => {
  await fs.rm(path.dirname(ws), { recursive: true, force: true });
});

const FINDINGS: AgentFinding[] = [{ id: 'F1', code: 'HP301', severity: 'warning', message: 'warp size 32', line: 2, status: 'hazard' }];

function ctx(proposal: string, host: Partial<AgentHost> = {}, extra: Partial<AgentInput> = {}): ToolContext {
  return {
    input: { path: 'k.hip', original: proposal, proposal, findings: FINDINGS, mode: 'port', workspaceRoot: ws, ...extra },
    host: { onEvent: () => undefined, ...host },
    signal: new AbortController().signal,
    state: { proposal, changes: [] },
  };
}

test('applyEditBlock: exact single match only', () => {
  assert.deepEqual(applyEditBlock('a b c', 'b', 'B'), { ok: true, text: 'a B c', offset: 2 });
  assert.deepEqual(applyEditBlock('a b c', 'x', 'X'), { ok: false, reason: 'not-found', matches: 0 });
  assert.deepEqual(applyEditBlock('b a b', 'b', 'B'), { ok: false, reason: 'ambiguous', matches: 2 });
  assert.deepEqual(applyEditBlock('aaa', 'aa', 'b'), { ok: false, reason: 'ambiguous', matches: 2 }, 'overlapping matches count');
  assert.equal(applyEditBlock('abc', '', 'x').ok, false);
  assert.deepEqual(applyEditBlock('int  x;', 'int x;', 'long x;'), { ok: false, reason: 'not-found', matches: 0 }, 'no whitespace folding');
  assert.deepEqual(applyEditBlock('v = 1;', '1', '$&$1'), { ok: true, text: 'v = $&$1;', offset: 4 }, '$ patterns are literal');
});

test('resolveWorkspacePath confines reads to the workspace, symlinks resolved', async () => {
  const ok = await resolveWorkspacePath(ws, 'inc/a.cuh');
  assert.ok(ok.ok && ok.relative === 'inc/a.cuh');
  const viaLink = await resolveWorkspacePath(ws, 'inc-link/a.cuh');
  assert.ok(viaLink.ok && viaLink.relative === 'inc/a.cuh', 'a symlink that stays inside is fine');
  for (const p of ['../outside/secret.h', 'inc/../../outside/secret.h', path.join(outside, 'secret.h'), 'escape/secret.h', '']) {
    const r = await resolveWorkspacePath(ws, p);
    assert.equal(r.ok, false, p);
  }
  const missing = await resolveWorkspacePath(ws, 'nope.h');
  assert.ok(!missing.ok && /No such file/.test(missing.error));
});

test('read_file: size cap, type errors and no workspace go back as errors', async () => {
  const big = await runTool('read_file', { path: 'big.h' }, ctx('x'));
  assert.equal(big.ok, false);
  assert.match(big.content, new RegExp(`${MAX_READ_BYTES + 1} bytes; the limit is ${MAX_READ_BYTES}`));
  const wrongType = await runTool('read_file', { path: 42 }, ctx('x'));
  assert.match(wrongType.content, /"path" must be a string, got number/);
  const extra = await runTool('read_file', { path: 'inc/a.cuh', mode: 'w' }, ctx('x'));
  assert.match(extra.content, /unknown field "mode"/);
  await fs.writeFile(path.join(ws, '.env'), 'ANTHROPIC_API_KEY=sk-ant-x\n');
  const env = await runTool('read_file', { path: '.env' }, ctx('x'));
  assert.equal(env.ok, false);
  assert.match(env.content, /may hold credentials/);
  assert.ok(!env.content.includes('sk-ant-x'));
  const noWs = await runTool('read_file', { path: 'inc/a.cuh' }, ctx('x', {}, { workspaceRoot: undefined }));
  assert.match(noWs.content, /not available/);
  const viaHost = await runTool('read_file', { path: 'inc/a.cuh' }, ctx('x', { readWorkspaceFile: async (p) => `from host: ${p}` }));
  assert.equal(viaHost.ok, true);
  assert.match(viaHost.content, /from host: inc\/a\.cuh/);
});

test('edit_proposal: unknown finding ids, no-op edits and not-found hints are rejected', async () => {
  const text = 'int main() {\n    int lane = tid % 32;\n}\n';
  const c = ctx(text);
  const unknown = await runTool('edit_proposal', { search: '% 32', replace: '% warpSize', reason: 'r', finding_ids: ['F9'] }, c);
  assert.match(unknown.content, /unknown finding id\(s\) F9; valid ids: F1/);
  const noop = await runTool('edit_proposal', { search: '% 32', replace: '% 32', reason: 'r', finding_ids: [] }, c);
  assert.match(noop.content, /equals/);
  const indent = await runTool('edit_proposal', { search: '  int lane = tid % 32;', replace: 'int lane = tid % warpSize;', reason: 'r', finding_ids: ['F1'] }, c);
  assert.equal(indent.ok, true, 'a substring with fewer leading spaces is still an exact single match');
  const c2 = ctx(text);
  const wrongWs = await runTool('edit_proposal', { search: 'int lane = tid %  32;', replace: 'x', reason: 'r', finding_ids: ['F1'] }, c2);
  assert.equal(wrongWs.ok, false);
  assert.equal(c2.state.proposal, text);
  const c3 = ctx(text);
  const hint = await runTool('edit_proposal', { search: 'int lane = tid % 32;\n  }', replace: 'x', reason: 'r', finding_ids: ['F1'] }, c3);
  assert.match(hint.content, /first line occurs \(ignoring indentation\) at line 2/);
  const listed = await runTool('list_findings', {}, c);
  assert.match(listed.content, /\[F1\] HP301 warning \(hazard\) line 2: warp size 32 \[cited by your edit #1\]/);
});

test('compile_proposal: not configured, and through real hipcc', async () => {
  const none = await runTool('compile_proposal', {}, ctx('int x;'));
  assert.equal(none.ok, false);
  assert.match(none.content, /not configured/);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-hipcc-'));
  const compile = (text: string, signal: AbortSignal) =>
    new Promise<{ ok: boolean; output: string }>((resolve) => {
      const file = path.join(dir, 'k.hip');
      void fs.writeFile(file, text).then(() =>
        execFile(
          'hipcc',
          ['--offload-arch=gfx90a', '-fsyntax-only', '-Wno-unused-command-line-argument', file],
          { env: { ...process.env, HIP_PLATFORM: 'amd' }, signal },
          (err, stdout, stderr) => resolve({ ok: !err, output: stdout + stderr }),
        ),
      );
    });
  const broken = '#include <hip/hip_runtime.h>\n__global__ void k(int* p) { p[threadIdx.x] = undeclared_lane; }\n';
  const r = await runTool('compile_proposal', {}, ctx(broken, { compile }));
  await fs.rm(dir, { recursive: true, force: true });
  assert.equal(r.ok, false);
  assert.match(r.content, /^Compile failed:\n[\s\S]*error: use of undeclared identifier 'undeclared_lane'/);
});

test('price table: dated ids, cache rates, Haiku 5.5 prompt tier, unknown models', () => {
  assert.equal(priceFor('claude-sonnet-4-5-20250929'), priceFor('claude-sonnet-4-5'));
  assert.equal(priceFor('gpt-4o'), undefined);
  assert.equal(requestCostUsd('no-such-model', { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 }), null);
  // Opus 5.5: $4 in, $20 out, $5 5m write, $8 1h write, $0.20 read per MTok.
  const opus = requestCostUsd('claude-opus-5-5', { inputTokens: 1e6, outputTokens: 1e6, cacheReadTokens: 1e6, cacheWriteTokens: 2e6, cacheWrite1hTokens: 1e6 });
  assert.ok(opus !== null && Math.abs(opus - (4 + 20 + 0.2 + 5 + 8)) < 1e-9);
  const small = requestCostUsd('claude-haiku-5-5', { inputTokens: 100_000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 });
  const large = requestCostUsd('claude-haiku-5-5', { inputTokens: 100_001, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 });
  assert.ok(small !== null && Math.abs(small - 0.01) < 1e-12);
  assert.ok(large !== null && Math.abs(large - 100_001 * 0.5e-6) < 1e-12);
  assert.equal(formatCost(null), 'cost unknown');
  assert.equal(formatCost(0.01234), '$0.0123');
});

test('parseRetryAfter: seconds, milliseconds, HTTP dates', () => {
  assert.equal(parseRetryAfter(new Headers({ 'retry-after': '2' })), 2000);
  assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' })), 150);
  assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 21 Oct 2026 07:28:05 GMT' }), Date.parse('2026-10-21T07:28:00Z')), 5000);
  assert.equal(parseRetryAfter(new Headers({})), undefined);
  assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'soon' })), undefined);
});

test('user message: numbered proposal, findings, build errors in fix-build mode', () => {
  assert.equal(numberLines('a\nb\n'), '   1\ta\n   2\tb');
  const inp: AgentInput = { path: 'k.hip', original: '', proposal: 'x\n', findings: FINDINGS, mode: 'fix-build', buildErrors: "k.hip:1:1: error: unknown type name 'x'", targetRocm: '5.2' };
  const m = buildUserMessage(inp, 'x\n');
  assert.match(m, /Target ROCm\/HIP version: 5\.2/);
  assert.match(m, /Fix the build errors/);
  assert.match(m, /<proposal path="k.hip">\n {3}1\tx\n<\/proposal>/);
  assert.match(m, /<build_errors>\nk\.hip:1:1: error: unknown type name 'x'\n<\/build_errors>/);
  assert.doesNotMatch(buildUserMessage({ ...inp, mode: 'port' }, 'x\n'), /build_errors/);
});

test('toAgentFindings: ids in order, 1-based lines from UTF-16 offsets', () => {
  const text = 'a\r\n😀b\nint lane = t % 32;\n';
  const start = text.indexOf('32');
  const fs_ = toAgentFindings(
    [
      { code: 'HP301', family: 'warp', severity: 'warning', message: 'warp size', start, end: start + 2, status: 'hazard', cuda: '32' },
      { code: 'HP100', family: 'api', severity: 'error', message: 'x', start: text.indexOf('b'), end: text.indexOf('b') + 1, status: 'unsupported' },
    ],
    text,
  );
  assert.deepEqual(fs_, [
    { id: 'F1', code: 'HP301', severity: 'warning', message: 'warp size', line: 3, status: 'hazard', cuda: '32' },
    { id: 'F2', code: 'HP100', severity: 'error', message: 'x', line: 2, status: 'unsupported' },
  ]);
});
