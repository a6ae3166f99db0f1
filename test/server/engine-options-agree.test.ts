/**
 * One engine, one answer: for every engine setting (library target, kernel launch, target ROCm,
 * experimental), the real server process's editor quick-fixes (`quickfix` on one finding and
 * `source.fixAll.hipPorter`) and Port File's translation (`hipPorter/portDocument` with the options
 * the extension's config class derives from the same settings) agree, and each option visibly
 * changes the result. `hipPorter/openFindings` lists what the engine leaves open in the port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import type { EngineOptions } from '../../src/core/engine-options';
import { openFindings } from '../../src/core/open-findings';
import { initParser } from '../../src/core/parse';
import { OpenFindingsRequest, PortDocumentRequest, type OpenFindingsResult, type PortDocumentResult } from '../../src/shared/lsp-protocol';
import { rawSetting, readSetting, SETTING_KEYS, SETTINGS } from '../../src/shared/settings';
import { applyLspEdits, editsFor, LspClient, textAt } from './lsp-client';

/** A file that each engine option changes: a cuBLAS handle, a `<<<>>>` launch, a HIP name added in ROCm 6.2.0, a HIP name HIPIFY marks experimental (added in 6.3.0). */
const SOURCE = `#include <cuda_runtime.h>
#include <cublas_v2.h>

__global__ void reduce(float* out, float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffff, v, o);
  out[threadIdx.x] = v;
}

int main() {
  cublasHandle_t h;
  cublasCreate(&h);
  cudaGraphExec_t g;
  unsigned long long flags;
  cudaGraphExecGetFlags(g, &flags);
  cudaGraphAddNode(0, 0, 0, 0, 0);
  float* d;
  cudaMalloc(&d, 256);
  reduce<<<1, 64>>>(d, 1.0f);
  cublasDestroy(h);
  return 0;
}
`;

/** The engine options the extension sends for a `hipPorter` settings section (what src/extension/config.ts derives from the same table). */
function engineOptionsOf(section: Record<string, unknown>): EngineOptions {
  const o: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const engine = SETTINGS[key].engine;
    if (engine) o[engine] = readSetting(key, rawSetting(section, key)).value;
  }
  return o as EngineOptions;
}

/** Settings sections (nested, as VS Code sends them) and what the port must then contain / not contain. */
const CASES: Array<{ name: string; section: Record<string, unknown>; has: string[]; lacks: string[] }> = [
  { name: 'defaults', section: {}, has: ['hipblasCreate(&h)', 'reduce<<<1, 64>>>', 'hipGraphAddNode(', 'cudaGraphExecGetFlags('], lacks: ['rocblas_', 'hipLaunchKernelGGL'] },
  { name: 'libraryTarget roc', section: { port: { libraryTarget: 'roc' } }, has: ['rocblas_create_handle(&h)', 'rocblas_handle h'], lacks: ['hipblasCreate'] },
  { name: 'kernelLaunch hip', section: { port: { kernelLaunch: 'hip' } }, has: ['hipLaunchKernelGGL(reduce'], lacks: ['<<<'] },
  { name: 'targetRocm 6.1', section: { targetRocm: '6.1' }, has: ['cudaGraphAddNode('], lacks: ['hipGraphAddNode'] },
  { name: 'targetRocm 6.3 without experimental', section: { targetRocm: '6.3' }, has: ['cudaGraphExecGetFlags('], lacks: ['hipGraphExecGetFlags'] },
  { name: 'targetRocm 6.3 with experimental', section: { targetRocm: '6.3', port: { experimental: true } }, has: ['hipGraphExecGetFlags(g, &flags)'], lacks: ['cudaGraphExecGetFlags'] },
];

describe('editor quick-fixes and Port File agree for every engine option (real server process)', () => {
  let c: LspClient;
  before(async () => {
    await initParser();
    c = LspClient.spawn();
    await c.initialize();
  });
  after(async () => {
    assert.equal(await c.stop(), 0);
  });

  for (const [i, k] of CASES.entries()) {
    it(k.name, async () => {
      await c.setConfig(k.section);
      const uri = `file:///ws/agree${i}.cu`;
      const published = await c.open(uri, SOURCE);
      const options = engineOptionsOf(k.section);

      // The editor: fix everything auto-fixable.
      const fixAll = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll.hipPorter'] },
      });
      assert.equal(fixAll.length, 1);
      const editorText = applyLspEdits(SOURCE, editsFor(fixAll[0]!.edit, uri));

      // Port File: the options the extension derives from the same settings, and the server's own settings.
      const port = await c.conn.sendRequest<PortDocumentResult>(PortDocumentRequest.method, { uri, text: SOURCE, options });
      const portBySettings = await c.conn.sendRequest<PortDocumentResult>(PortDocumentRequest.method, { uri });
      assert.equal(port.text, editorText, 'Port File writes what fix-all does in the editor');
      assert.equal(portBySettings.text, editorText);
      // A file that is not open: translated afresh (an open one may reuse the editor's analysis).
      const fresh = await c.conn.sendRequest<PortDocumentResult>(PortDocumentRequest.method, { uri: `file:///ws/closed${i}.cu`, text: SOURCE, options });
      assert.equal(fresh.text, editorText, 'a fresh translation with the same options agrees too');
      assert.equal(fresh.version, null);
      assert.equal(port.version, 1, 'the open document\'s version when the text is its text');
      for (const s of k.has) assert.ok(port.text.includes(s), `${k.name}: port has ${s}`);
      for (const s of k.lacks) assert.ok(!port.text.includes(s), `${k.name}: port lacks ${s}`);

      // One quick-fix: the cuBLAS handle creation gets the same name as in the port.
      const diag = published.diagnostics.find((d: Diagnostic) => textAt(SOURCE, d) === 'cublasCreate');
      assert.ok(diag, 'a finding on cublasCreate');
      const actions = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diag.range, context: { diagnostics: [diag] } });
      const fixThis = actions.find((a) => a.kind === 'quickfix' && a.isPreferred);
      assert.ok(fixThis, `actions: ${actions.map((a) => a.title).join(' | ')}`);
      const fixed = applyLspEdits(SOURCE, editsFor(fixThis.edit, uri));
      const line = fixed.split('\n').find((l) => l.includes('(&h);') && !l.includes('Destroy'))!.trim();
      assert.ok(port.text.includes(line), `quick-fix line ${line} is in the port`);

      // What is left for the agent: the engine's open findings of the port, with the same options.
      const open = await c.conn.sendRequest<OpenFindingsResult>(OpenFindingsRequest.method, { uri, text: port.text, options });
      const oracle = openFindings(port.text, options);
      assert.deepEqual(
        open.findings.map((f) => `${f.code} ${JSON.stringify(textAt(port.text, f))}`).sort(),
        oracle.map((f) => `${f.code} ${JSON.stringify(port.text.slice(f.start, f.end))}`).sort(),
      );
    });
  }

  it('rejects malformed engine options with a message naming them', async () => {
    await assert.rejects(
      c.conn.sendRequest(PortDocumentRequest.method, { uri: 'file:///ws/agree0.cu', options: { libraryTarget: 'rocm', targetRocm: 'six' } }),
      /options\.targetRocm: expected a version.*options\.libraryTarget: expected "hip" or "roc"/,
    );
    await assert.rejects(c.conn.sendRequest(OpenFindingsRequest.method, { uri: 'file:///ws/x.cu' }), /params\.uri and params\.text must be strings/);
  });
});
