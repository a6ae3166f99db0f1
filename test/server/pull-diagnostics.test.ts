/**
 * Pull diagnostics (`textDocument/diagnostic`, the server's `initializationOptions.pullDiagnostics`):
 * the result store on its own (waiting for a version, `unchanged` answers, refresh requests,
 * cancellation), and the real server process pulled by a client like vscode-languageclient,
 * against the same server pushing diagnostics.
 * Run: node --import tsx --test test/server/pull-diagnostics.test.ts
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, DocumentDiagnosticReport, InitializeResult } from 'vscode-languageserver-protocol';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { PullCancelled, PulledDiagnostics, sameDiagnostics } from '../../src/server/pull-diagnostics';
import { CAPABILITIES, LspClient } from './lsp-client';

const diag = (line: number, code: string): Diagnostic => ({ range: { start: { line, character: 0 }, end: { line, character: 4 } }, severity: 2, code, source: 'HIP Porter', message: `finding ${code}` });

describe('PulledDiagnostics', () => {
  it('answers with the stored result of the version asked for, waiting for it when needed', async () => {
    const refreshes: number[] = [];
    const pull = new PulledDiagnostics(() => refreshes.push(1));
    const uri = 'file:///a.cu';
    const pending = pull.report(uri, 2, undefined);
    pull.store(uri, 1, [diag(0, 'HP101')]);
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'version 1 does not answer a request for version 2');
    pull.store(uri, 2, [diag(0, 'HP101'), diag(3, 'HP301')]);
    const r = await pending;
    assert.equal(r.kind, 'full');
    assert.deepEqual(r.kind === 'full' ? r.items.map((d) => d.code) : [], ['HP101', 'HP301']);
    // nothing changed since: unchanged, with the same id
    const again = await pull.report(uri, 2, r.resultId);
    assert.deepEqual(again, { kind: 'unchanged', resultId: r.resultId });
    // an equal list (new objects) for the next version keeps the id: unchanged
    pull.store(uri, 3, [diag(0, 'HP101'), diag(3, 'HP301')]);
    assert.deepEqual(await pull.report(uri, 3, r.resultId), { kind: 'unchanged', resultId: r.resultId });
    // a different list: full, new id
    pull.store(uri, 4, [diag(0, 'HP101')]);
    const changed = await pull.report(uri, 4, r.resultId);
    assert.equal(changed.kind, 'full');
    assert.notEqual(changed.resultId, r.resultId);
    assert.deepEqual(refreshes, [], 'no refresh while the client pulls each version itself');
    // the same version gets new diagnostics after the client pulled it (a full parse after a token-only one): refresh
    pull.store(uri, 4, [diag(0, 'HP101'), diag(9, 'HP104')]);
    assert.deepEqual(refreshes, [1]);
    // a request for a closed document gets no items
    pull.forget(uri);
    assert.deepEqual(await pull.report(uri, undefined, changed.resultId), { kind: 'full', items: [] });
  });

  it('a cancelled request stops waiting; a closed document releases its waiting requests', async () => {
    const pull = new PulledDiagnostics(() => undefined);
    const cts = new CancellationTokenSource();
    const p = pull.report('file:///b.cu', 5, undefined, cts.token);
    cts.cancel();
    await assert.rejects(p, PullCancelled);
    const q = pull.report('file:///b.cu', 5, undefined);
    pull.forget('file:///b.cu');
    assert.deepEqual(await q, { kind: 'full', items: [] });
  });

  it('sameDiagnostics compares by identity first, then by value', () => {
    const a = [diag(1, 'HP101'), diag(2, 'HP102')];
    assert.equal(sameDiagnostics(a, [a[0]!, diag(2, 'HP102')]), true);
    assert.equal(sameDiagnostics(a, [a[0]!, diag(2, 'HP103')]), false);
    assert.equal(sameDiagnostics(a, [a[0]!]), false);
  });
});

const KERNEL = [
  '#include <cuda_runtime.h>',
  '// notes',
  '__global__ void k(float* p) {',
  '  float v = p[threadIdx.x];',
  '  p[0] = v;',
  '}',
  'int main() { float* d; cudaMalloc(&d, 64); return 0; }',
  '',
].join('\n');

describe('the server in pull mode', () => {
  let pullClient: LspClient;
  let pushClient: LspClient;
  let init: InitializeResult;
  const uri = 'file:///ws/pull.cu';
  const diagnostic = (previousResultId?: string) =>
    pullClient.conn.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });

  before(async () => {
    pullClient = LspClient.spawn();
    init = await pullClient.conn.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { ...CAPABILITIES, textDocument: { ...CAPABILITIES.textDocument, diagnostic: { dynamicRegistration: false } }, workspace: { ...CAPABILITIES.workspace, diagnostics: { refreshSupport: true } } },
      initializationOptions: { pullDiagnostics: true },
    });
    await pullClient.conn.sendNotification('initialized', {});
    pushClient = LspClient.spawn();
  });
  after(async () => {
    assert.equal(await pullClient.stop(), 0);
    assert.equal(await pushClient.stop(), 0);
  });

  it('announces diagnosticProvider only when asked; answers what push mode publishes; unchanged when nothing moved', async () => {
    assert.deepEqual(init.capabilities.diagnosticProvider, { identifier: 'hip-porter', interFileDependencies: false, workspaceDiagnostics: false });
    const pushInit = await pushClient.initialize();
    assert.equal(pushInit.capabilities.diagnosticProvider, undefined, 'push mode by default');
    const pushed = await pushClient.open(uri, KERNEL);

    await pullClient.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: KERNEL } });
    const first = await diagnostic();
    assert.equal(first.kind, 'full');
    if (first.kind !== 'full') return;
    assert.ok(first.items.length >= 2);
    assert.deepEqual(first.items, pushed.diagnostics);
    assert.equal(pullClient.latest.size, 0, 'nothing is pushed in pull mode');

    // typing inside the comment line moves no diagnostic: unchanged
    await pullClient.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 1, character: 8 }, end: { line: 1, character: 8 } }, text: ' more' }] });
    const same = await diagnostic(first.resultId);
    assert.deepEqual(same, { kind: 'unchanged', resultId: first.resultId });

    // a new hazard: full, with a new result id
    const line = '  int lane = threadIdx.x % 32; v = lane ? __shfl(v, 0) : v;\n';
    await pullClient.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: line }] });
    const pushed3 = await pushClient.change(uri, 2, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: line }]);
    const next = await diagnostic(first.resultId);
    assert.equal(next.kind, 'full');
    assert.notEqual(next.resultId, first.resultId);
    assert.deepEqual(next.kind === 'full' ? next.items : [], pushed3.diagnostics);

    await pullClient.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual(await diagnostic(next.resultId), { kind: 'full', items: [] });
  });
});
