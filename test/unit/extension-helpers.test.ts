/**
 * The extension's pure helpers, reached under plain Node because their files import no `vscode`
 * at run time: the crash policy, the status bar text, the panel HTML, the ROCm box picker entries,
 * the agent event → panel mapping, server findings → agent findings, and build outcomes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BuildError } from '../../src/core/build/index';
import { formatCost, type AgentEvent } from '../../src/agent/index';
import { agentEventNotification, agentFindingsFromWire, describeToolInput, panelFindings } from '../../src/extension/agent-events';
import { loadAgentModule } from '../../src/extension/agent-loader';
import { buildErrorExitCode, buildOutputForAgent, BUILDABLE_FILE_RE } from '../../src/extension/build-outcome';
import { continueAfterConnectionError, CRASH_WINDOW_MS, CrashCounter, MAX_RESTARTS } from '../../src/extension/crash-policy';
import { panelHtml } from '../../src/extension/panel-html';
import { LOCAL_BOX_LABEL, rocmBoxItems } from '../../src/extension/rocm-box-items';
import { countFindings, statusText } from '../../src/extension/status-text';
import type { DetailedWireFinding } from '../../src/shared/lsp-protocol';

describe('crash policy', () => {
  it('restarts up to MAX_RESTARTS crashes in the window, then gives up; old crashes leave the window', () => {
    let now = 0;
    const c = new CrashCounter(() => now);
    for (let i = 1; i <= MAX_RESTARTS; i++) {
      const d = c.crashed();
      assert.equal(d.restart, true);
      assert.match(d.message, new RegExp(`restarting \\(${i} of ${MAX_RESTARTS} in 3 minutes\\)`));
      now += 1000;
    }
    const stop = c.crashed();
    assert.equal(stop.restart, false);
    assert.match(stop.message, /crashed 5 times in 3 minutes and was not restarted/);
    now += CRASH_WINDOW_MS;
    assert.equal(c.crashed().restart, true, 'crashes older than the window no longer count');
  });

  it('tolerates 3 connection errors in a row', () => {
    assert.deepEqual([1, 2, 3, 4, undefined].map(continueAfterConnectionError), [true, true, true, false, false]);
  });
});

describe('status bar text', () => {
  it('counts only HIP Porter diagnostics by VS Code severity (Error 0, Warning 1)', () => {
    const c = countFindings([
      { source: 'HIP Porter', severity: 0 },
      { source: 'HIP Porter', severity: 1 },
      { source: 'HIP Porter', severity: 3 },
      { source: 'hipcc', severity: 0 },
      { severity: 0 },
    ]);
    assert.deepEqual(c, { total: 3, errors: 1, warnings: 1, other: 1 });
    assert.equal(statusText('6.2', c, false), '$(chip) HIP Porter: ROCm 6.2 · 3 findings');
    assert.equal(statusText('5.7', { total: 1, errors: 0, warnings: 1, other: 0 }, true), '$(sync~spin) HIP Porter: ROCm 5.7 · 1 finding');
    assert.equal(statusText('6.2', { total: 0, errors: 0, warnings: 0, other: 0 }, false), '$(chip) HIP Porter: ROCm 6.2');
  });
});

describe('panel HTML', () => {
  it('allows only the nonce script and extension styles, with a fresh nonce each time', () => {
    const assets = { script: 'https://ext/dist/webview.js', css: 'https://ext/media/panel.css', cspSource: 'https://ext' };
    const html = panelHtml(assets, 'NONCE1');
    assert.match(html, /content="default-src 'none'; style-src https:\/\/ext; script-src 'nonce-NONCE1'; img-src https:\/\/ext data:; font-src https:\/\/ext"/);
    assert.match(html, /<script nonce="NONCE1" src="https:\/\/ext\/dist\/webview.js"><\/script>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    const a = /nonce-([^']+)'/.exec(panelHtml(assets))![1];
    const b = /nonce-([^']+)'/.exec(panelHtml(assets))![1];
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a!, 'base64').length, 16);
  });
});

describe('ROCm box picker entries', () => {
  it('lists local first, marks the current host, and keeps a current host missing from the ssh config', () => {
    assert.deepEqual(
      rocmBoxItems(['mi250', 'mi300'], 'mi300').map((i) => [i.label, i.host, i.description]),
      [
        [LOCAL_BOX_LABEL, '', ''],
        ['mi250', 'mi250', 'ssh host'],
        ['mi300', 'mi300', 'current'],
      ],
    );
    assert.deepEqual(rocmBoxItems([], 'gone').map((i) => i.description), ['', 'current (not in your ssh config)']);
    assert.equal(rocmBoxItems(['a'], '')[0]!.description, 'current');
  });
});

describe('agent events and findings', () => {
  it('numbers server findings F1.. with 1-based lines and keeps names', () => {
    const wire: DetailedWireFinding[] = [
      { code: 'HP201', severity: 'warning', message: 'warp size', range: { start: { line: 4, character: 2 }, end: { line: 4, character: 9 } }, family: 'warp', status: 'hazard', fix: 'none' },
      { code: 'HP102', severity: 'error', message: 'no HIP twin', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } }, cuda: 'cuFoo', family: 'api', status: 'unsupported', fix: 'none' },
    ];
    const a = agentFindingsFromWire(wire);
    assert.deepEqual(a, [
      { id: 'F1', code: 'HP201', severity: 'warning', message: 'warp size', line: 5, status: 'hazard' },
      { id: 'F2', code: 'HP102', severity: 'error', message: 'no HIP twin', line: 1, status: 'unsupported', cuda: 'cuFoo' },
    ]);
    assert.deepEqual(panelFindings(a)[1], { id: 'F2', code: 'HP102', severity: 'error', line: 1, message: 'no HIP twin' });
  });

  it('maps events to panel notifications and leaves out the ones the panel does not show', () => {
    const call = agentEventNotification({ type: 'tool-call', id: 't1', name: 'edit_proposal', input: { search: 'a\n  b', replace: 'c', reason: 'why', finding_ids: ['F1'] } } as AgentEvent, formatCost);
    assert.deepEqual(call, { kind: 'notification', method: 'agent/tool/called', params: { id: 't1', name: 'edit_proposal', input: 'why [F1]\n− a b\n+ c' } });
    const retry = agentEventNotification({ type: 'retry', attempt: 1, maxRetries: 3, waitMs: 500, message: 'overloaded' } as AgentEvent, formatCost);
    assert.equal(retry?.method, 'agent/retry/scheduled');
    assert.equal((retry?.params as { status: unknown }).status, null);
    assert.equal(agentEventNotification({ type: 'thinking', delta: 'x' } as unknown as AgentEvent, formatCost), undefined);
    const usage = agentEventNotification({ type: 'usage', usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, requests: 1 }, costUsd: 0.5 } as AgentEvent, (usd) => `$${usd}`);
    assert.equal((usage?.params as { usage: { cost: string } }).usage.cost, '$0.5');
    assert.equal(describeToolInput('read_file', { path: 'src/a.cu' }), 'src/a.cu');
    assert.equal(describeToolInput('finish', { summary: 'x'.repeat(400) }).length, 300);
  });
});

describe('build outcomes', () => {
  it('exit codes of builds that could not run, and what the agent is shown', () => {
    assert.equal(buildErrorExitCode(new BuildError('cancelled', 'stopped')), 130);
    assert.equal(buildErrorExitCode(new BuildError('timeout', 'slow')), 124);
    assert.equal(buildErrorExitCode(new BuildError('hipcc-not-found', 'no hipcc')), 127);
    assert.equal(buildErrorExitCode(new Error('other')), 1);
    assert.equal(buildOutputForAgent({ files: [], plan: {} as never, exitCode: 127, error: new Error('hipcc not found'), durationMs: 1 }), 'hipcc not found');
    assert.ok(BUILDABLE_FILE_RE.test('a.hip') && BUILDABLE_FILE_RE.test('b.CU') && !BUILDABLE_FILE_RE.test('c.cuh'));
  });
});

describe('agent library loader', () => {
  it('loads dist/agent.js (the agent bundle) once, and says which file is missing or wrong', () => {
    const root = join(__dirname, '..', '..');
    const dist = join(root, 'dist');
    if (!existsSync(join(dist, 'agent.js'))) {
      const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    const m = loadAgentModule(dist);
    assert.equal(typeof m.runAgent, 'function');
    assert.equal(m.formatCost(0.5), formatCost(0.5));
    assert.equal(loadAgentModule(dist), m, 'cached');
    const empty = mkdtempSync(join(tmpdir(), 'hp-agent-'));
    assert.throws(() => loadAgentModule(empty), /cannot load the agent \(.*agent\.js\)/);
    const wrong = mkdtempSync(join(tmpdir(), 'hp-agent-'));
    writeFileSync(join(wrong, 'agent.js'), 'module.exports = { hello: 1 };');
    assert.throws(() => loadAgentModule(wrong), /is not the HIP Porter agent bundle/);
  });
});
