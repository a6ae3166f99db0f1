/**
 * The host ↔ panel protocol (src/webview/protocol.ts): guards accept every valid message and reject
 * malformed ones; the shared reducer builds the panel state from notifications.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  command,
  initialState,
  isHostNotification,
  isPanelCommand,
  isPanelState,
  notification,
  reduce,
  type HostNotification,
  type PanelState,
} from '../../src/webview/protocol';

const hunk = { id: 'L3+1-0a1b2c3d', label: 'line 3: a → b', decision: 'pending' as const, removed: 1, added: 1 };
const finding = { id: 'F1', code: 'HP201', severity: 'warning' as const, line: 4, message: 'warp size 32 assumed' };
const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 100, cacheWriteTokens: 0, requests: 1, cost: '$0.0012' };

test('commands: valid ones pass, malformed ones fail', () => {
  for (const c of [
    command('panel/view/ready', {}),
    command('agent/run/stop', {}),
    command('review/hunk/accept', { id: hunk.id }),
    command('review/hunk/reject', { id: 'x' }),
    command('review/all/accept', {}),
    command('review/all/reject', {}),
    command('review/diff/open', {}),
    command('review/proposal/write', {}),
    command('settings/key/set', {}),
    { kind: 'command', method: 'agent/run/stop' }, // params may be omitted when empty
  ]) {
    assert.ok(isPanelCommand(c), JSON.stringify(c));
  }
  for (const bad of [
    null,
    'agent/run/stop',
    [],
    { kind: 'command', method: 'agent/run/explode', params: {} },
    { kind: 'command', method: 'review/hunk/accept', params: {} },
    { kind: 'command', method: 'review/hunk/accept', params: { id: 3 } },
    { kind: 'command', method: 'review/hunk/accept', params: { id: 'a', extra: 1 } },
    { kind: 'command', method: 'agent/run/stop', params: { now: true } },
    { kind: 'request', method: 'agent/run/stop', params: {} },
    { kind: 'command', method: 'toString', params: {} },
    { kind: 'command', method: 'agent/run/stop', params: {}, id: 1 },
    { kind: 'command', method: 'settings/key/set', params: { key: 'sk-ant-…' } },
  ]) {
    assert.equal(isPanelCommand(bad), false, JSON.stringify(bad));
  }
});

test('there is no request kind: a request-shaped message is neither a command nor a notification', () => {
  const req = { kind: 'request', id: 0, method: 'panel/state/get', params: {} };
  assert.equal(isPanelCommand(req), false);
  assert.equal(isHostNotification(req), false);
  assert.equal(isHostNotification({ kind: 'response', id: 3, ok: true, result: initialState() }), false);
});

test('notifications: valid ones pass, malformed ones fail', () => {
  const good: HostNotification[] = [
    notification('panel/state/replace', { state: initialState() }),
    notification('agent/run/started', { file: 'src/a.cu', model: 'claude-sonnet-5-5', maxSteps: 12 }),
    notification('agent/status/changed', { phase: 'streaming', step: 1, maxSteps: 12 }),
    notification('agent/text/appended', { delta: 'Looking at F1' }),
    notification('agent/tool/called', { id: 'tu_1', name: 'edit_proposal', input: '{"search":"% 32"}' }),
    notification('agent/tool/returned', { id: 'tu_1', name: 'edit_proposal', ok: true, summary: 'applied at line 4' }),
    notification('agent/retry/scheduled', { status: 529, attempt: 1, maxRetries: 4, waitMs: 1000, message: 'overloaded' }),
    notification('agent/retry/scheduled', { status: null, attempt: 2, maxRetries: 4, waitMs: 2000, message: 'connection reset' }),
    notification('agent/notice/posted', { level: 'warning', message: 'stream cut' }),
    notification('agent/usage/updated', { usage }),
    notification('agent/run/finished', { status: 'complete', summary: 'done' }),
    notification('agent/run/finished', { status: 'failed', error: 'invalid x-api-key' }),
    notification('review/findings/changed', { findings: [finding] }),
    notification('review/hunks/changed', { file: 'a.cu', target: 'a.hip', hunks: [hunk, { ...hunk, id: 'h2', decision: 'accepted', reason: 'F1: use warpSize' }], reviewing: true }),
    notification('settings/key/changed', { hasKey: true }),
    notification('panel/error/shown', { message: 'boom' }),
  ];
  for (const n of good) assert.ok(isHostNotification(n), JSON.stringify(n));
  const bad = [
    { kind: 'notification', method: 'agent/text/appended', params: { delta: 3 } },
    { kind: 'notification', method: 'agent/text/appended', params: {} },
    { kind: 'notification', method: 'agent/run/finished', params: { status: 'exploded' } },
    { kind: 'notification', method: 'review/hunks/changed', params: { hunks: [{ ...hunk, decision: 'maybe' }], reviewing: true } },
    { kind: 'notification', method: 'review/hunks/changed', params: { hunks: [hunk] } },
    { kind: 'notification', method: 'review/findings/changed', params: { findings: [{ ...finding, line: '4' }] } },
    { kind: 'notification', method: 'agent/usage/updated', params: { usage: { ...usage, cost: 0.1 } } },
    { kind: 'notification', method: 'panel/state/replace', params: { state: { ...initialState(), transcript: [{ kind: 'video' }] } } },
    { kind: 'notification', method: 'panel/state/replace', params: { state: { ...initialState(), apiKey: 'sk' } } },
    { kind: 'command', method: 'agent/text/appended', params: { delta: 'x' } },
    { kind: 'notification', method: 'hasOwnProperty', params: {} },
  ];
  for (const b of bad) assert.equal(isHostNotification(b), false, JSON.stringify(b));
});

test('the reducer builds the state the panel shows; every state it builds passes isPanelState', () => {
  let s: PanelState = { ...initialState(), hasKey: true, hunks: [hunk], reviewing: true };
  const steps: HostNotification[] = [
    notification('agent/run/started', { file: 'src/a.cu', model: 'm', maxSteps: 6 }),
    notification('agent/text/appended', { delta: 'Fixing ' }),
    notification('agent/text/appended', { delta: 'F1.' }),
    notification('agent/tool/called', { id: 't1', name: 'edit_proposal', input: 'search/replace' }),
    notification('agent/retry/scheduled', { status: 429, attempt: 1, maxRetries: 3, waitMs: 5, message: 'rate limited' }),
    notification('agent/tool/returned', { id: 't1', name: 'edit_proposal', ok: true, summary: 'applied' }),
    notification('agent/text/appended', { delta: 'Done.' }),
    notification('agent/usage/updated', { usage }),
    notification('agent/run/finished', { status: 'complete', summary: 'F1 fixed' }),
    notification('review/hunks/changed', { hunks: [hunk], reviewing: true, target: 'src/a.hip' }),
  ];
  for (const n of steps) {
    const before = JSON.stringify(s);
    const next = reduce(s, n);
    assert.equal(JSON.stringify(s), before, 'the input state is not modified');
    s = next;
    assert.ok(isPanelState(JSON.parse(JSON.stringify(s))), `after ${n.method}`);
  }
  assert.equal(s.status, 'complete');
  assert.equal(s.file, 'src/a.cu');
  assert.equal(s.target, 'src/a.hip');
  assert.deepEqual(s.transcript.map((t) => t.kind), ['text', 'tool', 'retry', 'text']);
  assert.deepEqual(s.transcript[0], { kind: 'text', text: 'Fixing F1.' });
  assert.deepEqual(s.transcript[1], { kind: 'tool', id: 't1', name: 'edit_proposal', input: 'search/replace', ok: true, result: 'applied' });
  assert.equal(s.usage?.cost, '$0.0012');
  assert.equal(s.hasKey, true, 'a new run keeps the key flag');
  // A state replaced whole is taken as is.
  assert.deepEqual(reduce(s, notification('panel/state/replace', { state: initialState() })), initialState());
});
