/**
 * How the agent loop reads a streamed turn through the SDK's own accumulation
 * (`client.messages.stream(...)`): tool inputs split into many `input_json_delta` events, SSE
 * `error` events before and after `message_start`, and a tool input that is not JSON at all.
 * Real @anthropic-ai/sdk against the loopback Messages API server (fake-messages-server.ts).
 * Run: node --import tsx --test test/agent/agent-stream.test.ts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runAgent } from '../../src/agent/loop';
import type { AgentEvent, AgentFinding, AgentInput, AgentSettings } from '../../src/agent/types';
import { FakeMessagesServer, turn, type SseEvent } from './fake-messages-server';

const KEY = 'sk-ant-test-stream-0123456789';
let server: FakeMessagesServer;

const PROPOSAL = '__global__ void k(int* p) {\n  int lane = threadIdx.x % 32;\n  p[lane] = lane;\n}\n';
const FINDINGS: AgentFinding[] = [{ id: 'F1', code: 'HP301', severity: 'warning', message: 'warp size 32 assumed', line: 2, cuda: '% 32', status: 'hazard' }];

function input(): AgentInput {
  return { path: 'k.hip', original: PROPOSAL, proposal: PROPOSAL, findings: FINDINGS, mode: 'port' };
}

function settings(): AgentSettings {
  return { apiKey: KEY, baseURL: server.url, model: 'claude-sonnet-5-5', maxSteps: 6, maxOutputTokens: 1024, maxRetries: 3, requestTimeoutMs: 5000, retryBaseDelayMs: 5, retryMaxDelayMs: 20, maxRetryAfterMs: 5000 };
}

async function run() {
  const events: AgentEvent[] = [];
  const result = await runAgent(input(), settings(), { onEvent: (e) => void events.push(e) });
  return { result, events };
}

/** `events` with every `input_json_delta` re-sent one character per event. */
function oneCharDeltas(events: SseEvent[]): SseEvent[] {
  const out: SseEvent[] = [];
  for (const e of events) {
    const d = e.data as { type: string; index: number; delta?: { type: string; partial_json?: string } };
    if (d.type === 'content_block_delta' && d.delta?.type === 'input_json_delta') {
      for (const ch of d.delta.partial_json ?? '') out.push({ event: e.event, data: { ...d, delta: { type: 'input_json_delta', partial_json: ch } } });
    } else out.push(e);
  }
  return out;
}

/** An SSE `error` event as the API sends it mid-stream. */
const sseError = (type: string, message: string): SseEvent => ({ event: 'error', data: { type: 'error', error: { type, message } } });

const EDIT_INPUT = { search: 'threadIdx.x % 32', replace: 'threadIdx.x % warpSize', reason: 'wavefront "width" \\ 64 → warpSize', finding_ids: ['F1'] };

before(async () => {
  server = await FakeMessagesServer.start(KEY);
});

after(async () => {
  await server.close();
});

test('a tool input sent one character per input_json_delta arrives whole: the edit applies and goes back unchanged', async () => {
  server.requests.length = 0;
  const first = oneCharDeltas(turn({ text: 'Fixing F1.', tools: [{ id: 'tu_1', name: 'edit_proposal', input: EDIT_INPUT }], usage: { input: 40, output: 12 } }));
  assert.ok(first.filter((e) => (e.data as { delta?: { type: string } }).delta?.type === 'input_json_delta').length > 50, 'many deltas');
  server.enqueue({ kind: 'stream', events: first }, { kind: 'stream', events: turn({ tools: [{ id: 'tu_2', name: 'finish', input: { summary: 'F1 fixed.' } }], usage: { input: 60, output: 5 } }) });
  const { result, events } = await run();
  assert.deepEqual(server.problems, []);
  assert.equal(result.status, 'complete');
  assert.equal(result.proposal, PROPOSAL.replace('threadIdx.x % 32', 'threadIdx.x % warpSize'));
  const call = events.find((e) => e.type === 'tool-call' && e.id === 'tu_1');
  assert.deepEqual(call && call.type === 'tool-call' ? call.input : undefined, EDIT_INPUT);
  // the assistant turn sent back: the text block and the tool_use with its whole input
  const assistant = server.requests[1]!.body.messages[1];
  assert.equal(assistant.role, 'assistant');
  assert.deepEqual(assistant.content, [
    { type: 'text', text: 'Fixing F1.' },
    { type: 'tool_use', id: 'tu_1', name: 'edit_proposal', input: EDIT_INPUT },
  ]);
  assert.equal(events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.delta : '')).join(''), 'Fixing F1.');
  assert.equal(result.usage.inputTokens, 100);
  assert.equal(result.usage.outputTokens, 17);
});

test('an SSE error event before message_start is retried and reported; after message_start it cuts the turn', async () => {
  server.requests.length = 0;
  server.enqueue(
    { kind: 'stream', events: [sseError('overloaded_error', 'Overloaded')] },
    { kind: 'stream', events: turn({ text: 'Done.', usage: { input: 10, output: 3 } }) },
  );
  const a = await run();
  assert.equal(a.result.status, 'complete');
  const retries = a.events.filter((e) => e.type === 'retry');
  assert.equal(retries.length, 1);
  assert.match(retries[0]!.type === 'retry' ? retries[0]!.message : '', /overloaded \(529\); retrying in/);
  assert.equal(server.requests.length, 2);

  server.requests.length = 0;
  const events = turn({ tools: [{ id: 'tu_1', name: 'edit_proposal', input: EDIT_INPUT }], usage: { input: 30, output: 9 } });
  const at = events.findIndex((e) => (e.data as { delta?: { type: string } }).delta?.type === 'input_json_delta') + 1;
  server.enqueue({ kind: 'stream', events: [...events.slice(0, at), sseError('overloaded_error', 'Overloaded')] });
  const b = await run();
  assert.equal(b.result.status, 'incomplete');
  assert.equal(b.result.error?.kind, 'overloaded');
  assert.match(b.result.error!.message, /cut off mid-message \(stream overloaded_error: Overloaded\)/);
  assert.deepEqual(b.result.changes, [], 'the half-streamed edit is not applied');
  assert.equal(b.result.usage.inputTokens, 30, 'the cut turn was billed and is counted');
  assert.equal(server.requests.length, 1, 'a cut turn is not retried');
});

test('a tool input that is not JSON even in part loses the turn: the request is retried, with a retry event, and the run goes on', async () => {
  server.requests.length = 0;
  server.enqueue(
    { kind: 'stream', events: turn({ tools: [{ id: 'tu_bad', name: 'finish', rawJson: '{"summary" "no colon"}' }], usage: { input: 20, output: 4 } }) },
    { kind: 'stream', events: turn({ tools: [{ id: 'tu_ok', name: 'finish', input: { summary: 'Nothing to do.' } }], usage: { input: 20, output: 4 } }) },
  );
  const { result, events } = await run();
  assert.equal(result.status, 'complete');
  assert.equal(result.summary, 'Nothing to do.');
  const retry = events.find((e) => e.type === 'retry');
  assert.ok(retry && retry.type === 'retry' && /not valid JSON/.test(retry.message), JSON.stringify(retry));
  assert.equal(server.requests.length, 2);
  assert.equal(result.usage.requests, 2, 'both requests are counted');
  assert.equal(result.usage.inputTokens, 40);
});
