/**
 * The language server's bounds under load (issue 18 item 7), with the document manager in-process
 * and a fake host: a big document gets the reduced (token-level) analysis with one diagnostic
 * saying so and keeps no syntax tree; edits to it while typing are coalesced into few analyses of
 * the latest version; a document whose full analysis stays slow switches to the reduced one with
 * one diagnostic; diagnostics per document are capped.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver/node';
import { initParser } from '../../src/core/parse';
import { BEHIND_LIMIT, BEHIND_MS, DocumentManager, MAX_DIAGNOSTICS, REDUCED_ANALYSIS_CHARS, REDUCED_DEBOUNCE_MS, type DocumentHost } from '../../src/server/document-manager';
import { SettingsCache } from '../../src/server/settings';

function fakeHost(): DocumentHost & { published: Array<{ uri: string; version: number; diagnostics: Diagnostic[] }>; logs: string[] } {
  const published: Array<{ uri: string; version: number; diagnostics: Diagnostic[] }> = [];
  const logs: string[] = [];
  return {
    published,
    logs,
    publishDiagnostics: (uri, version, diagnostics) => void published.push({ uri, version, diagnostics }),
    log: (m) => logs.push(m),
    status: () => undefined,
    workspaceFolders: () => ['file:///ws'],
  };
}

async function until(cond: () => boolean, ms = 60000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

const CHUNK = (i: number): string =>
  `__global__ void k${i}(float* p, int n) {\n  int t = blockIdx.x * blockDim.x + threadIdx.x;\n  if (t < n) p[t] = __shfl_down_sync(0xffffffff, p[t], 1);\n}\nstatic void h${i}() { float* d; cudaMalloc(&d, 4); cudaFree(d); }\n`;
function textOf(chars: number): string {
  const parts = ['#include <cuda_runtime.h>\n'];
  let n = parts[0]!.length;
  for (let i = 0; n < chars; i++) {
    const c = CHUNK(i);
    parts.push(c);
    n += c.length;
  }
  return parts.join('');
}

before(async () => {
  await initParser();
});

describe('server load limits', () => {
  it('a document over the size limit gets one reduced-analysis diagnostic, renames still reported, no tree kept', async () => {
    const host = fakeHost();
    const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve());
    const uri = 'file:///ws/big.cu';
    const text = textOf(REDUCED_ANALYSIS_CHARS + 1000);
    m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
    await until(() => host.published.length === 1);
    const d = host.published[0]!.diagnostics;
    const notes = d.filter((x) => /reduced analysis while editing/.test(x.message));
    assert.equal(notes.length, 1);
    assert.ok(d.some((x) => x.code === 'HP101' && /cudaMalloc/.test(x.message)), 'token-level renames are still reported');
    const view = await m.view(uri);
    assert.ok(view?.reduced);
    assert.equal(view?.snapshot?.analysis.tree, undefined, 'no syntax tree is kept for it');
    m.close({ textDocument: { uri } });
  });

  it('a backlog of edits dispatched one per event-loop turn (as vscode-jsonrpc does) costs one analysis, not one per edit', async () => {
    const host = fakeHost();
    const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve());
    const uri = 'file:///ws/backlog.cu';
    m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: textOf(20000) } });
    await until(() => host.published.length === 1);
    for (let v = 2; v <= 21; v++) {
      m.change({ textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line: 2, character: 2 }, end: { line: 2, character: 2 } }, text: 'y' }] });
      await new Promise((r) => setImmediate(r));
    }
    await until(() => host.published.at(-1)!.version === 21);
    assert.deepEqual(host.published.slice(1).map((p) => p.version), [21]);
    m.close({ textDocument: { uri } });
  });

  it('edits to a big document while typing are coalesced: few analyses, the last version published', async () => {
    const host = fakeHost();
    const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve());
    const uri = 'file:///ws/typing.cu';
    m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: textOf(REDUCED_ANALYSIS_CHARS + 1000) } });
    await until(() => host.published.length === 1);
    const N = 30;
    for (let v = 2; v <= N + 1; v++) {
      m.change({ textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line: 3, character: 2 }, end: { line: 3, character: 2 } }, text: 'x' }] });
      await new Promise((r) => setTimeout(r, 20)); // 50 edits/s
    }
    await until(() => host.published.at(-1)!.version === N + 1);
    const analysed = host.published.length - 1;
    assert.ok(analysed <= Math.ceil((N * 20) / REDUCED_DEBOUNCE_MS) + 2, `${analysed} publishes for ${N} edits`);
    m.close({ textDocument: { uri } });
  });

  it(`a document whose full analysis takes over ${BEHIND_MS} ms ${BEHIND_LIMIT} times in a row says so once and switches to the reduced analysis`, async () => {
    const host = fakeHost();
    const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve());
    const uri = 'file:///ws/slow.cu';
    m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: textOf(20000) } });
    await until(() => host.published.length === 1);
    // Make every analysis report itself slow: what a slow machine does, without waiting for it.
    const state = m.get(uri)!;
    const analyze = state.analyze.bind(state);
    state.analyze = (o, b) => {
      const s = analyze(o, b);
      s.ms = BEHIND_MS + 1;
      return s;
    };
    for (let v = 2; v <= BEHIND_LIMIT + 2; v++) {
      m.change({ textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line: 2, character: 2 }, end: { line: 2, character: 2 } }, text: ' ' }] });
      await until(() => host.published.some((p) => p.version === v && (v <= BEHIND_LIMIT + 1 ? true : p.diagnostics.some((d) => /cannot keep up/.test(d.message)))));
    }
    const last = host.published.at(-1)!;
    assert.equal(last.diagnostics.filter((d) => /cannot keep up with typing/.test(d.message)).length, 1);
    assert.ok(host.logs.some((l) => /cannot keep up/.test(l)));
    assert.ok((await m.view(uri))?.reduced);
    m.close({ textDocument: { uri } });
  });

  it(`at most ${MAX_DIAGNOSTICS} diagnostics are published per document, with a note`, async () => {
    const host = fakeHost();
    const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve());
    const uri = 'file:///ws/many.cu';
    const text = '#include <cuda_runtime.h>\n' + 'void f() { cudaFree(0); cudaFree(0); cudaFree(0); cudaFree(0); }\n'.repeat(Math.ceil(MAX_DIAGNOSTICS / 4) + 100);
    m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
    await until(() => host.published.length === 1);
    const d = host.published[0]!.diagnostics;
    assert.equal(d.length, MAX_DIAGNOSTICS + 1);
    assert.match(d[0]!.message, /findings; the first \d+ \(errors and warnings first\) are shown/);
    m.close({ textDocument: { uri } });
  });
});
