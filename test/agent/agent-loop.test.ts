/**
 * The agent loop with the real @anthropic-ai/sdk against a loopback Messages API server
 * (fake-messages-server.ts): scripted streams, tool calls, errors, retries, cuts and aborts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAgent } from '../../src/agent/loop';
import { portWithAgent } from '../../src/cli/agent-command';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_AGENT_SETTINGS, DEFAULT_MODEL, type AgentEvent, type AgentFinding, type AgentInput, type AgentSettings } from '../../src/agent/types';
import { apiError, FakeMessagesServer, turn } from './fake-messages-server';

const KEY = 'sk-ant-test-0123456789-SECRET';
let server: FakeMessagesServer;
let workspace: string;
/** Every event and result of every run, checked for the key at the end. */
const transcript: unknown[] = [];

const PROPOSAL = [
  '#include <hip/hip_runtime.h>',
  '',
  '__global__ void vote(const float* in, unsigned int* out) {',
  '  int lane = threadIdx.x % 32;',
  '  unsigned int mask = __ballot(in[threadIdx.x] > 0.f);',
  '  if (lane == 0) out[blockIdx.x] = mask;',
  '}',
  '',
].join('\n');

const FINDINGS: AgentFinding[] = [
  { id: 'F1', code: 'HP301', severity: 'warning', message: 'warp size 32 assumed; AMD wavefronts have 64 lanes', line: 4, cuda: '% 32', status: 'hazard' },
  { id: 'F2', code: 'HP302', severity: 'warning', message: '__ballot returns a 64-bit mask on AMD', line: 5, cuda: '__ballot', status: 'hazard' },
];

function input(extra: Partial<AgentInput> = {}): AgentInput {
  return { path: 'src/vote.hip', original: PROPOSAL.replace('hip/hip_runtime.h', 'cuda_runtime.h'), proposal: PROPOSAL, findings: FINDINGS, mode: 'port', workspaceRoot: workspace, ...extra };
}

function settings(extra: Partial<AgentSettings> = {}): AgentSettings {
  return {
    apiKey: KEY,
    baseURL: server.url,
    model: 'claude-sonnet-5-5',
    maxSteps: 6,
    maxOutputTokens: 1024,
    maxRetries: 3,
    requestTimeoutMs: 5000,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
    maxRetryAfterMs: 5000,
    ...extra,
  };
}

async function run(inp: AgentInput, s: AgentSettings, signal?: AbortSignal, onEvent?: (e: AgentEvent) => void) {
  const events: AgentEvent[] = [];
  const result = await runAgent(
    inp,
    s,
    {
      onEvent: (e) => {
        events.push(e);
        transcript.push(e);
        onEvent?.(e);
      },
    },
    signal,
  );
  transcript.push(result);
  return { result, events };
}

/** The tool_result blocks of the last user message of recorded request `i` (0-based). */
function toolResults(i: number): any[] {
  const msgs = server.requests[i]!.body.messages;
  return msgs[msgs.length - 1].content.filter((b: any) => b.type === 'tool_result');
}

const edit = (id: string, search: string, replace: string, reason: string, finding_ids: string[]) => ({
  id,
  name: 'edit_proposal',
  input: { search, replace, reason, finding_ids },
});
const finish = (id: string, summary: string) => ({ id, name: 'finish', input: { summary } });

before(async () => {
  server = await FakeMessagesServer.start(KEY);
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-agent-ws-'));
  await fs.mkdir(path.join(workspace, 'src'));
  await fs.writeFile(path.join(workspace, 'src', 'common.cuh'), '#define WARP 32\n');
  await fs.writeFile(path.join(os.tmpdir(), 'hp-agent-outside.txt'), 'outside secret\n');
});

after(async () => {
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
});

function resetServer(): void {
  server.requests.length = 0;
  assert.equal(server.pending, 0, 'previous test left scripted answers');
}

test('a full run edits twice, finishes, and counts tokens and cost', async () => {
  resetServer();
  server.enqueue(
    {
      kind: 'stream',
      events: turn({
        text: 'Fixing the lane arithmetic first.',
        tools: [edit('tu_1', 'threadIdx.x % 32;', 'threadIdx.x % warpSize;', 'AMD wavefronts have 64 lanes; use warpSize.', ['F1'])],
        usage: { input: 1000, output: 100, cacheWrite: 2000 },
      }),
    },
    {
      kind: 'stream',
      events: turn({
        tools: [
          edit(
            'tu_2',
            '  unsigned int mask = __ballot(in[threadIdx.x] > 0.f);\n  if (lane == 0) out[blockIdx.x] = mask;',
            '  unsigned long long mask = __ballot(in[threadIdx.x] > 0.f);\n  if (lane == 0) out[blockIdx.x] = (unsigned int)(mask != 0);',
            '__ballot returns a 64-bit mask on AMD.',
            ['F2'],
          ),
        ],
        usage: { input: 200, output: 80, cacheRead: 2000 },
      }),
    },
    { kind: 'stream', events: turn({ tools: [finish('tu_3', 'F1 and F2 fixed.')], usage: { input: 100, output: 40, cacheRead: 2200 } }) },
  );
  const { result, events } = await run(input(), settings());
  assert.deepEqual(server.problems, []);
  assert.equal(result.status, 'complete');
  assert.equal(result.error, undefined);
  assert.equal(
    result.proposal,
    [
      '#include <hip/hip_runtime.h>',
      '',
      '__global__ void vote(const float* in, unsigned int* out) {',
      '  int lane = threadIdx.x % warpSize;',
      '  unsigned long long mask = __ballot(in[threadIdx.x] > 0.f);',
      '  if (lane == 0) out[blockIdx.x] = (unsigned int)(mask != 0);',
      '}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    result.changes.map((c) => [c.reason, c.findingIds, c.line]),
    [
      ['AMD wavefronts have 64 lanes; use warpSize.', ['F1'], 4],
      ['__ballot returns a 64-bit mask on AMD.', ['F2'], 5],
    ],
  );
  assert.equal(result.summary, 'F1 and F2 fixed.');
  assert.equal(result.steps, 3);
  assert.deepEqual(result.usage, { inputTokens: 1300, outputTokens: 220, cacheReadTokens: 4200, cacheWriteTokens: 2000, requests: 3 });
  // claude-sonnet-5-5: $2 input, $10 output, $2.50 5-minute cache write, $0.10 cache read per MTok.
  const expected = (1300 * 2 + 220 * 10 + 2000 * 2.5 + 4200 * 0.1) / 1e6;
  assert.ok(result.costUsd !== null && Math.abs(result.costUsd - expected) < 1e-12, `cost ${result.costUsd} vs ${expected}`);
  const lastUsage = events.filter((e) => e.type === 'usage').pop();
  assert.ok(lastUsage && lastUsage.type === 'usage' && lastUsage.usage.outputTokens === 220 && Math.abs((lastUsage.costUsd ?? 0) - expected) < 1e-12);

  // Streamed text and tool calls reached the host, tool inputs parsed from split JSON.
  assert.equal(events.filter((e) => e.type === 'text').map((e) => (e as { delta: string }).delta).join(''), 'Fixing the lane arithmetic first.');
  const calls = events.filter((e) => e.type === 'tool-call');
  assert.deepEqual(calls.map((c) => (c as { name: string }).name), ['edit_proposal', 'edit_proposal', 'finish']);
  assert.deepEqual((calls[0] as { input: unknown }).input, {
    search: 'threadIdx.x % 32;',
    replace: 'threadIdx.x % warpSize;',
    reason: 'AMD wavefronts have 64 lanes; use warpSize.',
    finding_ids: ['F1'],
  });
  assert.equal(events.filter((e) => e.type === 'edit-applied').length, 2);

  // What the server received: cached system prompt, the numbered proposal, tool results paired.
  const first = server.requests[0]!.body;
  assert.equal(first.model, 'claude-sonnet-5-5');
  assert.equal(first.max_tokens, 1024);
  assert.deepEqual(first.system.at(-1).cache_control, { type: 'ephemeral' });
  assert.match(first.system[0].text, /wave64|64 lanes/);
  assert.deepEqual(first.tools.map((t: any) => t.name), ['read_file', 'list_findings', 'edit_proposal', 'compile_proposal', 'finish']);
  const userText = first.messages[0].content[0].text as string;
  assert.match(userText, /File: src\/vote\.hip/);
  assert.match(userText, / {3}4\t {2}int lane = threadIdx\.x % 32;/);
  assert.match(userText, /\[F2\] HP302 warning \(hazard\) line 5: __ballot returns a 64-bit mask/);
  const r1 = toolResults(1);
  assert.equal(r1.length, 1);
  assert.equal(r1[0].tool_use_id, 'tu_1');
  assert.equal(r1[0].is_error, undefined);
  assert.match(r1[0].content, /Applied edit #1 at line 4/);
  // The assistant turn was sent back with the parsed tool input and the text.
  const asst = server.requests[1]!.body.messages[1];
  assert.equal(asst.role, 'assistant');
  assert.deepEqual(asst.content[0], { type: 'text', text: 'Fixing the lane arithmetic first.' });
  assert.equal(asst.content[1].input.search, 'threadIdx.x % 32;');
});

test('401: failed with the auth message naming the command, no retry, key not echoed', async () => {
  resetServer();
  // A misbehaving server that echoes the key must not leak it into what the user sees.
  server.enqueue(apiError(401, 'authentication_error', `invalid x-api-key ${KEY}`));
  const { result, events } = await run(input(), settings());
  assert.equal(result.status, 'failed');
  assert.equal(result.error?.kind, 'auth');
  assert.match(result.error!.message, /^Anthropic API key rejected \(401\): run "HIP Porter: Set Anthropic API Key"/);
  assert.equal(server.requests.length, 1);
  assert.equal(events.filter((e) => e.type === 'retry').length, 0);
  assert.equal(result.proposal, PROPOSAL);
});

test('403 whose body echoes the key: failed/auth, the API message shown with the key redacted', async () => {
  resetServer();
  server.enqueue(apiError(403, 'permission_error', `key ${KEY} may not use model claude-sonnet-5-5`));
  const { result, events } = await run(input(), settings());
  assert.equal(result.status, 'failed');
  assert.equal(result.error?.kind, 'auth');
  assert.match(result.error!.message, /^Anthropic API key rejected \(403\): run "HIP Porter: Set Anthropic API Key"\. \(403 permission_error: key \[redacted\] may not use model/);
  const notice = events.find((e) => e.type === 'notice');
  assert.ok(notice && notice.type === 'notice' && notice.message.includes('[redacted]'));
});

test('404 not_found_error for the model: failed/model-not-found, the message names the setting (or HIP_PORTER_MODEL in the CLI), no retry', async () => {
  resetServer();
  server.knownModels = [DEFAULT_MODEL];
  try {
    const { result, events } = await run(input(), settings({ model: 'claude-sonnet-9-9' }));
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.kind, 'model-not-found');
    assert.match(result.error!.message, /^The Anthropic API does not know the model "claude-sonnet-9-9" \(404 not_found_error: model: claude-sonnet-9-9\): change the setting "hipPorter\.agent\.model" to a current model id, e\.g\. claude-sonnet-5-5/);
    assert.equal(server.requests.length, 1, 'no retry');
    assert.equal(events.filter((e) => e.type === 'retry').length, 0);
    assert.equal(result.proposal, PROPOSAL);

    let err = '';
    const env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url, HIP_PORTER_MODEL: 'claude-typo' };
    const r = await portWithAgent({ path: 'vote.cu', original: PROPOSAL, proposal: PROPOSAL, findings: FINDINGS }, { stderr: (s) => void (err += s) }, undefined, env);
    assert.equal(r.error?.kind, 'model-not-found');
    assert.match(err, /does not know the model "claude-typo" .*: set HIP_PORTER_MODEL to a current model id/);

    // The default model is one the (strict) server serves: a run with the defaults goes through.
    server.enqueue({ kind: 'stream', events: turn({ text: 'Nothing to change.', usage: { input: 10, output: 5 } }) });
    const ok = await run(input(), settings({ model: DEFAULT_AGENT_SETTINGS.model }));
    assert.equal(ok.result.status, 'complete');
  } finally {
    server.knownModels = undefined;
  }
});

test('the default model id is the same in the agent, the extension manifest and the README', () => {
  const root = join(__dirname, '..', '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown }> } | { properties: Record<string, { default?: unknown }> }[] } };
  const confs = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
  const prop = confs.map((c) => c.properties['hipPorter.agent.model']).find((p) => p !== undefined);
  assert.equal(prop?.default, DEFAULT_MODEL);
  assert.equal(DEFAULT_AGENT_SETTINGS.model, DEFAULT_MODEL);
  assert.match(readFileSync(join(root, 'README.md'), 'utf8'), new RegExp(`\\| \`hipPorter\\.agent\\.model\` \\| "${DEFAULT_MODEL}" \\|`));
});

test('429 with retry-after: waits as asked, says so, then succeeds', async () => {
  resetServer();
  server.enqueue(apiError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': '1' }), {
    kind: 'stream',
    events: turn({ text: 'Nothing to change.', usage: { input: 10, output: 5 } }),
  });
  const { result, events } = await run(input(), settings());
  assert.equal(result.status, 'complete');
  assert.equal(result.summary, 'Nothing to change.');
  const retries = events.filter((e) => e.type === 'retry');
  assert.equal(retries.length, 1);
  assert.deepEqual(
    { status: (retries[0] as any).status, attempt: (retries[0] as any).attempt, waitMs: (retries[0] as any).waitMs },
    { status: 429, attempt: 1, waitMs: 1000 },
  );
  assert.match((retries[0] as any).message, /Rate limited.*retrying in 1\.0 s/);
  assert.equal(server.requests.length, 2);
  const gap = server.requests[1]!.at - server.requests[0]!.at;
  assert.ok(gap >= 1000, `second request came ${gap} ms after the first`);
});

test('529 overloaded, then success', async () => {
  resetServer();
  server.enqueue(apiError(529, 'overloaded_error', 'Overloaded'), { kind: 'stream', events: turn({ text: 'Done.', usage: { input: 10, output: 5 } }) });
  const { result, events } = await run(input(), settings());
  assert.equal(result.status, 'complete');
  const retries = events.filter((e) => e.type === 'retry') as Array<Extract<AgentEvent, { type: 'retry' }>>;
  assert.deepEqual(retries.map((r) => [r.status, r.waitMs]), [[529, 5]]);
  assert.match(retries[0]!.message, /overloaded \(529\)/);
});

test('500 twice, then success, with exponential backoff', async () => {
  resetServer();
  server.enqueue(apiError(500, 'api_error', 'Internal server error'), apiError(500, 'api_error', 'Internal server error'), {
    kind: 'stream',
    events: turn({ text: 'Done.', usage: { input: 10, output: 5 } }),
  });
  const { result, events } = await run(input(), settings());
  assert.equal(result.status, 'complete');
  const retries = events.filter((e) => e.type === 'retry') as Array<Extract<AgentEvent, { type: 'retry' }>>;
  assert.deepEqual(retries.map((r) => [r.status, r.attempt, r.waitMs]), [
    [500, 1, 5],
    [500, 2, 10],
  ]);
  assert.equal(server.requests.length, 3);
  assert.equal(result.usage.requests, 1);
});

test('500 until retries run out: failed with the server message', async () => {
  resetServer();
  server.enqueue(...[0, 1, 2].map(() => apiError(500, 'api_error', 'Internal server error')));
  const { result, events } = await run(input(), settings({ maxRetries: 2 }));
  assert.equal(result.status, 'failed');
  assert.equal(result.error?.kind, 'server');
  assert.match(result.error!.message, /server error \(500\) after 3 attempts/);
  assert.equal(events.filter((e) => e.type === 'retry').length, 2);
  assert.equal(server.requests.length, 3);
});

test('a stream cut mid-message: incomplete, earlier edits kept, the user is told', async () => {
  resetServer();
  const second = turn({
    text: 'Now the mask.',
    tools: [edit('tu_2', 'unsigned int mask', 'unsigned long long mask', '64-bit mask.', ['F2'])],
    usage: { input: 50, output: 30 },
  });
  // Cut after the tool_use block started and one JSON chunk arrived.
  const cutAt = second.findIndex((e) => (e.data as any).delta?.type === 'input_json_delta') + 1;
  server.enqueue(
    { kind: 'stream', events: turn({ tools: [edit('tu_1', '% 32;', '% warpSize;', 'warpSize.', ['F1'])], usage: { input: 100, output: 20 } }) },
    { kind: 'stream', events: second, cutAfter: cutAt },
  );
  const { result, events } = await run(input(), settings());
  assert.equal(result.status, 'incomplete');
  assert.equal(result.error?.kind, 'network');
  assert.match(result.error!.message, /cut off mid-message.*1 edit\(s\) made so far are kept for review/);
  assert.equal(result.changes.length, 1);
  assert.equal(result.proposal, PROPOSAL.replace('% 32;', '% warpSize;'));
  const notice = events.find((e) => e.type === 'notice');
  assert.ok(notice && notice.type === 'notice' && notice.level === 'warning' && /cut off/.test(notice.message));
  assert.equal(server.requests.length, 2, 'a cut stream is not retried');
  // Tokens of the cut message still count (its input was billed).
  assert.equal(result.usage.inputTokens, 150);
});

test('a tool call with bad input goes back as is_error and the run continues', async () => {
  resetServer();
  server.enqueue(
    { kind: 'stream', events: turn({ tools: [{ id: 'tu_bad', name: 'edit_proposal', input: { replace: 'x', reason: 'r', finding_ids: ['F1'] } }], usage: { input: 10, output: 5 } }) },
    { kind: 'stream', events: turn({ tools: [{ id: 'tu_json', name: 'finish', rawJson: '{"summary": "unterminated' }], stop: 'tool_use', usage: { input: 10, output: 5 } }) },
    { kind: 'stream', events: turn({ tools: [{ id: 'tu_nope', name: 'rm_rf', input: {} }], usage: { input: 10, output: 5 } }) },
    { kind: 'stream', events: turn({ tools: [finish('tu_fin', 'Nothing changed.')], usage: { input: 10, output: 5 } }) },
  );
  const { result, events } = await run(input(), settings());
  assert.deepEqual(server.problems, []);
  assert.equal(result.status, 'complete');
  assert.equal(result.proposal, PROPOSAL);
  assert.deepEqual(result.changes, []);
  const [r1] = toolResults(1);
  assert.equal(r1.tool_use_id, 'tu_bad');
  assert.equal(r1.is_error, true);
  assert.match(r1.content, /missing required field "search"/);
  const [r2] = toolResults(2);
  assert.equal(r2.is_error, true);
  assert.match(r2.content, /not valid JSON/);
  // The assistant turn with unparseable input was sent back with an object input.
  assert.deepEqual(server.requests[2]!.body.messages[3].content[0].input, {});
  const [r3] = toolResults(3);
  assert.equal(r3.is_error, true);
  assert.match(r3.content, /Unknown tool "rm_rf"/);
  assert.equal(events.filter((e) => e.type === 'tool-result' && !e.ok).length, 3);
});

test('an edit whose search text matches twice is rejected and the proposal is unchanged', async () => {
  resetServer();
  server.enqueue(
    { kind: 'stream', events: turn({ tools: [edit('tu_1', 'threadIdx.x', 'threadIdx.y', 'wrong', ['F1'])], usage: { input: 10, output: 5 } }) },
    { kind: 'stream', events: turn({ tools: [edit('tu_2', 'int lane = threadIdx.x % 32', 'int lane = threadIdx.x % warpSize', 'warpSize.', ['F1'])], usage: { input: 10, output: 5 } }) },
    { kind: 'stream', events: turn({ tools: [finish('tu_3', 'F1 fixed.')], usage: { input: 10, output: 5 } }) },
  );
  const { result, events } = await run(input(), settings());
  assert.equal(result.status, 'complete');
  const [r1] = toolResults(1);
  assert.equal(r1.is_error, true);
  assert.match(r1.content, /Edit rejected: "search" occurs 2 times/);
  const rejected = events.filter((e) => e.type === 'edit-rejected');
  assert.equal(rejected.length, 1);
  assert.equal(result.changes.length, 1);
  assert.equal(result.proposal, PROPOSAL.replace('% 32;', '% warpSize;'));
  assert.ok(!result.proposal.includes('threadIdx.y'));
});

test('read_file: inside the workspace works; outside, via .. or a symlink, is refused', async () => {
  resetServer();
  await fs.symlink(path.join(os.tmpdir(), 'hp-agent-outside.txt'), path.join(workspace, 'src', 'link.txt')).catch(() => undefined);
  server.enqueue(
    {
      kind: 'stream',
      events: turn({
        tools: [
          { id: 'r_in', name: 'read_file', input: { path: 'src/common.cuh' } },
          { id: 'r_dots', name: 'read_file', input: { path: '../hp-agent-outside.txt' } },
          { id: 'r_link', name: 'read_file', input: { path: 'src/link.txt' } },
          { id: 'r_abs', name: 'read_file', input: { path: path.join(os.tmpdir(), 'hp-agent-outside.txt') } },
        ],
        usage: { input: 10, output: 5 },
      }),
    },
    { kind: 'stream', events: turn({ tools: [finish('tu_f', 'Read.')], usage: { input: 10, output: 5 } }) },
  );
  const { result } = await run(input(), settings());
  assert.equal(result.status, 'complete');
  const rs = toolResults(1);
  assert.deepEqual(rs.map((r: any) => r.tool_use_id), ['r_in', 'r_dots', 'r_link', 'r_abs']);
  assert.equal(rs[0].is_error, undefined);
  assert.match(rs[0].content, /#define WARP 32/);
  for (const r of rs.slice(1)) {
    assert.equal(r.is_error, true);
    assert.match(r.content, /Refused/);
    assert.ok(!r.content.includes('outside secret'));
  }
  assert.match(rs[2].content, /symbolic link/);
});

test('step limit: incomplete with step-limit after maxSteps turns', async () => {
  resetServer();
  server.enqueue(...[1, 2].map((i) => ({ kind: 'stream' as const, events: turn({ tools: [{ id: `l${i}`, name: 'list_findings', input: {} }], usage: { input: 10, output: 5 } }) })));
  const { result } = await run(input(), settings({ maxSteps: 2 }));
  assert.equal(result.status, 'incomplete');
  assert.equal(result.error?.kind, 'step-limit');
  assert.match(result.error!.message, /all 2 steps/);
  assert.equal(server.requests.length, 2);
  assert.match(toolResults(1)[0].content, /\[F1\] HP301/);
});

test('AbortSignal mid-stream: cancelled at once and the HTTP request is aborted', async () => {
  resetServer();
  const events = turn({ text: 'Thinking about the lanes and the masks here.', usage: { input: 10, output: 5 } });
  server.enqueue({ kind: 'stream', events, hangAfter: 3 }); // message_start, block start, first text delta
  const ac = new AbortController();
  let abortedAt = 0;
  const { result } = await run(input(), settings({ requestTimeoutMs: 60_000 }), ac.signal, (e) => {
    if (e.type === 'text' && !ac.signal.aborted) {
      abortedAt = performance.now();
      ac.abort();
    }
  });
  const took = performance.now() - abortedAt;
  assert.equal(result.status, 'cancelled');
  assert.equal(result.error?.kind, 'cancelled');
  assert.ok(took < 1000, `cancel took ${took} ms`);
  await server.waitFor(() => server.requests[0]?.closedAt !== undefined);
  assert.ok(server.requests[0]!.closedAt! >= abortedAt);
});

test('AbortSignal during a retry wait cancels without waiting it out', async () => {
  resetServer();
  server.enqueue(apiError(429, 'rate_limit_error', 'slow down', { 'retry-after': '4' }));
  const ac = new AbortController();
  const t0 = performance.now();
  const { result } = await run(input(), settings(), ac.signal, (e) => {
    if (e.type === 'retry') ac.abort();
  });
  assert.equal(result.status, 'cancelled');
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(server.requests.length, 1);
});

test('a stream that stalls mid-message ends the run as incomplete after requestTimeoutMs', async () => {
  resetServer();
  server.enqueue({ kind: 'stream', events: turn({ text: 'Looking at the lanes now.', usage: { input: 10, output: 5 } }), hangAfter: 3 });
  const t0 = performance.now();
  const { result } = await run(input(), settings({ requestTimeoutMs: 300 }));
  assert.equal(result.status, 'incomplete');
  assert.deepEqual(result.changes, []);
  assert.equal(result.error?.kind, 'network');
  assert.match(result.error!.message, /cut off mid-message \(no data for 300 ms\)/);
  assert.ok(performance.now() - t0 < 5000);
});

test('thinking blocks are streamed to the host and sent back unchanged with their signature', async () => {
  resetServer();
  const t1 = turn({ tools: [finish('f0', 'x')], usage: { input: 10, output: 5 } });
  // Put a thinking block (index 0) before the tool_use, shifting the tool block to index 1.
  const thinking = [
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'The mask must be ' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: '64-bit.' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig-abc' } } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
  ];
  const firstTurn = turn({ tools: [{ id: 'l1', name: 'list_findings', input: {} }], usage: { input: 10, output: 5 } }).map((e) => {
    const d = e.data as any;
    return typeof d.index === 'number' ? { ...e, data: { ...d, index: d.index + 1 } } : e;
  });
  firstTurn.splice(1, 0, ...thinking);
  server.enqueue({ kind: 'stream', events: firstTurn }, { kind: 'stream', events: t1 });
  const { result, events } = await run(input(), settings());
  assert.deepEqual(server.problems, []);
  assert.equal(result.status, 'complete');
  assert.equal(events.filter((e) => e.type === 'thinking').map((e) => (e as { delta: string }).delta).join(''), 'The mask must be 64-bit.');
  const asst = server.requests[1]!.body.messages[1];
  assert.deepEqual(asst.content[0], { type: 'thinking', thinking: 'The mask must be 64-bit.', signature: 'sig-abc' });
  assert.equal(asst.content[1].type, 'tool_use');
});

test('CRLF proposals: the model works on LF, the result keeps CRLF', async () => {
  resetServer();
  server.enqueue(
    { kind: 'stream', events: turn({ tools: [edit('e', '  int lane = threadIdx.x % 32;\n  unsigned int', '  int lane = threadIdx.x % warpSize;\n  unsigned long long', 'warpSize and 64-bit mask.', ['F1', 'F2'])], usage: { input: 10, output: 5 } }) },
    { kind: 'stream', events: turn({ tools: [finish('f', 'ok')], usage: { input: 10, output: 5 } }) },
  );
  const crlf = PROPOSAL.replace(/\n/g, '\r\n');
  const { result } = await run(input({ proposal: crlf }), settings({ model: 'some-unpriced-model' }));
  assert.equal(result.status, 'complete');
  assert.equal(result.proposal, crlf.replace('% 32;\r\n  unsigned int', '% warpSize;\r\n  unsigned long long'));
  assert.equal(result.costUsd, null);
  assert.ok(!server.requests[0]!.body.messages[0].content[0].text.includes('\r'));
});

test('CLI portWithAgent prints progress and totals to stderr, never the key', async () => {
  resetServer();
  // retry-after-ms: 0 keeps the CLI's default backoff (1 s) out of the test's runtime.
  server.enqueue(apiError(529, 'overloaded_error', 'Overloaded', { 'retry-after-ms': '0' }), {
    kind: 'stream',
    events: turn({ tools: [edit('e', '% 32;', '% warpSize;', 'Use warpSize.', ['F1']), finish('f', 'Fixed F1.')], usage: { input: 100, output: 50 } }),
  });
  let err = '';
  const env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url, HIP_PORTER_MODEL: 'claude-sonnet-5-5' };
  const r = await portWithAgent({ path: 'vote.cu', original: PROPOSAL, proposal: PROPOSAL, findings: FINDINGS }, { stderr: (s) => void (err += s) }, undefined, env);
  transcript.push(r, err);
  assert.equal(r.status, 'complete');
  assert.match(err, /agent vote\.cu: The Anthropic API is overloaded \(529\); retrying in 0\.0 s/);
  assert.match(err, /edit #1 at line 4 \[F1\]: Use warpSize\./);
  assert.match(err, /complete, 1 edit\(s\), 1 step\(s\); tokens 100 in, 50 out, 0 cache read, 0 cache write; \$0\.0007/);
  assert.match(err, /summary: Fixed F1\./);
  const noKey = await portWithAgent({ path: 'vote.cu', original: PROPOSAL, proposal: PROPOSAL, findings: FINDINGS }, { stderr: () => undefined }, undefined, {});
  assert.equal(noKey.status, 'failed');
  assert.match(noKey.error!.message, /ANTHROPIC_API_KEY/);
});

test('the API key never appears in any event, result or CLI output', () => {
  assert.ok(transcript.length > 50);
  const all = JSON.stringify(transcript);
  assert.ok(!all.includes(KEY), 'the key leaked');
  assert.ok(!all.includes('SECRET'));
});
