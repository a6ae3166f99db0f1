/**
 * The language server as a separate process over stdio (`node dist/server.js --stdio`):
 * capabilities, diagnostics (codes and the exact text under each range), incremental edits,
 * code actions applied to the text, hover, live settings, robustness against binary, huge and
 * malformed input, and the hipPorter/* requests. The in-process engine (analyze/translate) is
 * the oracle for what the server must report.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { analyze } from '../../src/core/analyze';
import { initParser } from '../../src/core/parse';
import { translate } from '../../src/core/translate';
import { applyEdits } from '../../src/core/text';
import { FindingsRequest, PortDocumentRequest, type FindingsResult, type PortDocumentResult } from '../../src/shared/lsp-protocol';
import { applyLspEdits, editsFor, LspClient, offsetAt, textAt } from './lsp-client';

const KERNEL = `#include <cuda_runtime.h>
#include <cstdio>

__global__ void reduce(const float* in, float* out, int n) {
  float v = in[threadIdx.x];
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffff, v, o);
  if ((threadIdx.x & 31) == 0) atomicAdd(out, v);
}

int main() {
  float* d;
  cudaMalloc(&d, 1024);
  cudaMemcpy(d, d, 4, cudaMemcpyDeviceToDevice);
  cudaFree(d);
  return 0;
}
`;

/** (code, text under range) pairs of diagnostics, sorted. */
function pairs(text: string, ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.code} ${JSON.stringify(textAt(text, d))}`).sort();
}

/** What the engine itself reports for `text` (the oracle), as (code, text) pairs. */
function expected(text: string, opts: { targetRocm?: string } = {}): string[] {
  return analyze(text, { targetRocm: opts.targetRocm ?? '6.2' })
    .findings.map((f) => `${f.code} ${JSON.stringify(text.slice(f.start, f.end))}`)
    .sort();
}

function find(ds: readonly Diagnostic[], code: string, text: string, under: string): Diagnostic {
  const d = ds.find((x) => x.code === code && textAt(text, x) === under);
  assert.ok(d, `no ${code} on ${JSON.stringify(under)}; got ${pairs(text, ds).join(', ')}`);
  return d;
}

function markdown(h: Hover | null): string {
  assert.ok(h, 'no hover');
  return (h.contents as MarkupContent).value;
}

describe('language server over stdio', () => {
  let c: LspClient;
  before(async () => {
    await initParser();
    c = LspClient.spawn();
    c.config = { targetRocm: '6.2' };
  });
  after(async () => {
    const code = await c.stop();
    assert.equal(code, 0, 'server exits cleanly after shutdown/exit');
  });

  it('initializes with incremental sync, code action kinds and hover', async () => {
    const r = await c.initialize();
    const caps = r.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.equal(caps.hoverProvider, true);
    const kinds = (caps.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds;
    assert.deepEqual(kinds, ['quickfix', 'source.fixAll.hipPorter', 'source.addHipInclude.hipPorter']);
    assert.equal(r.serverInfo?.name, 'HIP Porter Language Server');
  });

  it('publishes diagnostics with codes, exact ranges, severities and links on didOpen', async () => {
    const uri = 'file:///ws/reduce.cu';
    const p = await c.open(uri, KERNEL);
    assert.equal(p.version, 1);
    assert.deepEqual(pairs(KERNEL, p.diagnostics), expected(KERNEL));
    const malloc = find(p.diagnostics, 'HP101', KERNEL, 'cudaMalloc');
    assert.deepEqual(malloc.range, { start: { line: 11, character: 2 }, end: { line: 11, character: 12 } });
    assert.equal(malloc.severity, 4, 'renames are hints (VS Code does not list them in Problems)');
    assert.equal(malloc.source, 'HIP Porter');
    assert.match(malloc.message, /hipMalloc/);
    find(p.diagnostics, 'HP110', KERNEL, '<cuda_runtime.h>');
    const shfl = p.diagnostics.find((d) => textAt(KERNEL, d) === '__shfl_down_sync');
    assert.ok(shfl && /^HP2\d\d$/.test(String(shfl.code)), 'a warp-family hazard on __shfl_down_sync');
    assert.equal(shfl.severity, 4, 'the translator rewrites the full 32-bit mask: a hint (a 16-start reduction over 32-lane groups is right on wave64)');
    assert.match(shfl.codeDescription?.href ?? '', /^https:\/\/rocm\.docs\.amd\.com\//);
  });

  it('updates diagnostics on incremental didChange (hazard introduced, then removed)', async () => {
    const uri = 'file:///ws/edit.cu';
    let text = KERNEL;
    await c.open(uri, text);
    // insert a 32-lane grouping next to a lane-0 broadcast (wrong on wave64) at the start of line 6
    const line = '  int lane = threadIdx.x % 32; v = lane ? __shfl(v, 0) : v;\n';
    const at = { line: 6, character: 0 };
    let p = await c.change(uri, 2, [{ range: { start: at, end: at }, text: line }]);
    const off = offsetAt(text, at);
    text = text.slice(0, off) + line + text.slice(off);
    assert.deepEqual(pairs(text, p.diagnostics), expected(text));
    const lit = p.diagnostics.find((d) => textAt(text, d) === '32' && d.range.start.line === 6);
    assert.ok(lit && String(lit.code).startsWith('HP2'), `warp hazard on the new '% 32': ${pairs(text, p.diagnostics).join(', ')}`);
    // the rename below moved one line down
    assert.equal(find(p.diagnostics, 'HP101', text, 'cudaMalloc').range.start.line, 12);

    // two changes in one notification: delete the inserted line, then rename cudaFree by hand
    p = await c.change(uri, 3, [
      { range: { start: at, end: { line: 7, character: 0 } }, text: '' },
      { range: { start: { line: 13, character: 2 }, end: { line: 13, character: 10 } }, text: 'hipFree' },
    ]);
    text = KERNEL.replace('cudaFree(d)', 'hipFree(d)');
    assert.deepEqual(pairs(text, p.diagnostics), expected(text));
    assert.ok(!p.diagnostics.some((d) => d.range.start.line === 6 && textAt(text, d) === '32'));
    assert.ok(!p.diagnostics.some((d) => textAt(text, d) === 'cudaFree' || textAt(text, d) === 'hipFree'));
  });

  it('survives changes with out-of-range and reversed ranges and keeps answering', async () => {
    const uri = 'file:///ws/bad-ranges.cu';
    await c.open(uri, KERNEL);
    // past the end: clamped to an append; reversed: ordered
    let p = await c.change(uri, 2, [{ range: { start: { line: 999, character: 5 }, end: { line: 999, character: 9 } }, text: '\ncudaDeviceReset();' }]);
    let text = KERNEL + '\ncudaDeviceReset();';
    find(p.diagnostics, 'HP101', text, 'cudaDeviceReset');
    p = await c.change(uri, 3, [{ range: { start: { line: 11, character: 12 }, end: { line: 11, character: 2 } }, text: 'hipMalloc' }]);
    text = text.replace('cudaMalloc', 'hipMalloc');
    assert.deepEqual(pairs(text, p.diagnostics), expected(text));
  });

  it('quick-fix "fix this" and "fix all of this kind" produce the engine\'s edits', async () => {
    const uri = 'file:///ws/fix.cu';
    const p = await c.open(uri, KERNEL);
    const diag = find(p.diagnostics, 'HP101', KERNEL, 'cudaMalloc');
    const actions = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diag.range,
      context: { diagnostics: [diag] },
    });
    const fixThis = actions.find((a) => a.title === 'Replace with hipMalloc');
    assert.ok(fixThis, `actions: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(fixThis.kind, 'quickfix');
    assert.equal(fixThis.isPreferred, true);
    const dc = fixThis.edit?.documentChanges?.[0] as { textDocument: { version: number } };
    assert.equal(dc.textDocument.version, 1, 'versioned edit');
    assert.equal(applyLspEdits(KERNEL, editsFor(fixThis.edit, uri)), KERNEL.replace('cudaMalloc', 'hipMalloc'));

    const all = actions.find((a) => a.title.startsWith('Fix all 4 HP101'));
    assert.ok(all, `actions: ${actions.map((a) => a.title).join(' | ')}`);
    const renames = analyze(KERNEL).findings.filter((f) => f.code === 'HP101').flatMap((f) => f.fix!.edits);
    assert.equal(applyLspEdits(KERNEL, editsFor(all.edit, uri)), applyEdits(KERNEL, renames));
    assert.ok(actions.some((a) => /^Fix all \d+ auto-fixable/.test(a.title)));
  });

  it('source.fixAll.hipPorter gives the deterministic translation; add-include action on a file without it', async () => {
    const uri = 'file:///ws/fixall.cu';
    await c.open(uri, KERNEL);
    const actions = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.hipPorter'] },
    });
    assert.equal(actions.length, 1);
    assert.equal(actions[0]!.kind, 'source.fixAll.hipPorter');
    assert.equal(applyLspEdits(KERNEL, editsFor(actions[0]!.edit, uri)), translate(KERNEL).text);

    const bare = '// no includes\n__global__ void k(float* p) { p[threadIdx.x] = 0; }\n';
    const uri2 = 'file:///ws/bare.cu';
    await c.open(uri2, bare);
    const src = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uri2 },
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
      context: { diagnostics: [], only: ['source'] },
    });
    const inc = src.find((a) => a.kind === 'source.addHipInclude.hipPorter');
    assert.ok(inc, `actions: ${src.map((a) => a.kind).join(' | ')}`);
    assert.equal(applyLspEdits(bare, editsFor(inc.edit, uri2)), '// no includes\n#include <hip/hip_runtime.h>\n__global__ void k(float* p) { p[threadIdx.x] = 0; }\n');
  });

  it('hovers a CUDA name with its HIP name, versions, status and link; a HIP name; a hazard', async () => {
    const uri = 'file:///ws/hover.cu';
    const text = KERNEL.replace('cudaMemcpy(d', 'hipMemcpy(d');
    const p = await c.open(uri, text);
    const h = markdown(await c.conn.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 11, character: 6 } }));
    assert.match(h, /`cudaMalloc`\*\* → \*\*`hipMalloc`/);
    assert.match(h, /\| HIP \| `hipMalloc` \| 1\.5\.0 \|/);
    assert.match(h, /Status: \*\*supported\*\* · available in target ROCm 6\.2: yes/);
    assert.match(h, /Memory Management/);
    assert.match(h, /\(https:\/\/rocm\.docs\.amd\.com\/projects\/HIPIFY\/en\/latest\/tables\/CUDA_Runtime_API_functions_supported_by_HIP\.html\)/);

    const hh = markdown(await c.conn.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 12, character: 4 } }));
    assert.match(hh, /HIP name of a CUDA name/);
    assert.match(hh, /`cudaMemcpy`\*\* → \*\*`hipMemcpy`/);

    const shfl = p.diagnostics.find((d) => textAt(text, d) === '__shfl_down_sync')!;
    const hz = markdown(await c.conn.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: shfl.range.start }));
    assert.ok(hz.includes(`**${String(shfl.code)}**`), hz);
    assert.match(hz, /\[Documentation\]\(https:\/\/rocm\.docs\.amd\.com\//);

    const none = await c.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 9, character: 1 } });
    assert.equal(none, null, 'no hover on `int`');
  });

  it('applies settings changes without reopening: severity off / override, targetRocm, exclude', async () => {
    const uri = 'file:///ws/settings.cu';
    const text = KERNEL.replace('cudaFree(d);', 'cudaFree(d);\n  cudaGraphAddNode(0, 0, 0, 0, 0);');
    let p = await c.open(uri, text);
    assert.ok(p.diagnostics.some((d) => String(d.code).startsWith('HP2')));
    find(p.diagnostics, 'HP101', text, 'cudaGraphAddNode');

    const next = (pred: (ds: Diagnostic[]) => boolean) => c.waitDiagnostics(uri, (x) => pred(x.diagnostics), 15000, false);
    let wait = next((ds) => !ds.some((d) => String(d.code).startsWith('HP2')));
    await c.setConfig({ targetRocm: '6.2', severity: { warp: 'off', rename: 'error' } });
    p = await wait;
    assert.ok(!p.diagnostics.some((d) => String(d.code).startsWith('HP2')), 'warp family off');
    assert.equal(find(p.diagnostics, 'HP101', text, 'cudaMalloc').severity, 1, 'rename family raised to error');
    assert.equal(find(p.diagnostics, 'HP110', text, '<cuda_runtime.h>').severity, 1, 'header renames are in the rename family too');

    wait = next((ds) => ds.some((d) => d.code === 'HP105'));
    await c.setConfig({ targetRocm: '6.1' });
    p = await wait;
    const hp105 = find(p.diagnostics, 'HP105', text, 'cudaGraphAddNode');
    assert.match(hp105.message, /ROCm 6\.2\.0/);
    assert.deepEqual(pairs(text, p.diagnostics), expected(text, { targetRocm: '6.1' }));

    wait = next((ds) => ds.some((d) => d.code === 'HP101' && textAt(text, d) === 'cudaGraphAddNode'));
    await c.setConfig({ targetRocm: '6.2' });
    await wait;

    wait = next((ds) => ds.length === 0);
    await c.setConfig({ exclude: ['**/ws/settings.cu'] });
    await wait;
    wait = next((ds) => ds.length > 0);
    await c.setConfig({});
    await wait;
  });

  it('analyses C++ only when it includes CUDA headers', async () => {
    const plain = await c.open('file:///ws/plain.cpp', '#include <vector>\nint cudaLike = 0;\nint main() { return cudaLike; }\n', 'cpp');
    assert.equal(plain.diagnostics.length, 0);
    const cudaCpp = '#include <cuda_runtime.h>\nint main() { cudaDeviceSynchronize(); }\n';
    const p = await c.open('file:///ws/host.cpp', cudaCpp, 'cpp');
    find(p.diagnostics, 'HP101', cudaCpp, 'cudaDeviceSynchronize');
    const other = await c.open('file:///ws/notes.txt', cudaCpp, 'plaintext');
    assert.equal(other.diagnostics.length, 0);
  });

  it('does not crash on binary, 25 MB and half-typed documents, and still answers', async () => {
    const bin = await c.open('file:///ws/blob.cu', 'cudaMalloc\u0000\u0001\u0002\u0000garbage');
    assert.equal(bin.diagnostics.length, 1);
    assert.match(bin.diagnostics[0]!.message, /binary content/);
    assert.deepEqual(bin.diagnostics[0]!.range.start, { line: 0, character: 0 });

    const line = '  cudaMalloc(&p, 16); // padding padding padding padding padding\n';
    const huge = line.repeat(Math.ceil((25 * 1024 * 1024) / line.length));
    const big = await c.open('file:///ws/huge.cu', huge);
    assert.equal(big.diagnostics.length, 1);
    assert.match(big.diagnostics[0]!.message, /over hipPorter\.maxFileSizeMB \(5 MB\); not analysed/);
    assert.ok(c.logs.some((l) => l.includes('huge.cu') && l.includes('not analysed')), 'a log line for the skipped file');
    // an edit to the huge file is handled too
    const big2 = await c.change('file:///ws/huge.cu', 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }]);
    assert.equal(big2.diagnostics.length, 1);

    const half = '#include <cuda_runtime.h>\n__global__ void k(float* p {\n  int i = threadIdx.x +\n  cudaMal';
    const hp = await c.open('file:///ws/half.cu', half);
    assert.ok(hp.diagnostics.some((d) => d.code === 'HP901'), 'parse-error region reported');
    const bad = await c.change('file:///ws/half.cu', 2, [{ range: { start: { line: 3, character: 9 }, end: { line: 3, character: 9 } }, text: 'loc(&p, 4);\n}' }]);
    find(bad.diagnostics, 'HP101', half + 'loc(&p, 4);\n}', 'cudaMalloc');

    // malformed notifications and requests are survived
    await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///ws/never-opened.cu', version: 2 }, contentChanges: [{ text: 'x' }] });
    await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///ws/half.cu', version: 3 }, contentChanges: [{ range: { start: { line: 0, character: 0 } } }] });
    const h = await c.conn.sendRequest<Hover>('textDocument/hover', { textDocument: { uri: 'file:///ws/reduce.cu' }, position: { line: 11, character: 6 } });
    assert.match(markdown(h), /hipMalloc/);
    assert.equal(c.proc.exitCode, null, 'server still running');
  });

  it('hipPorter/portDocument returns the deterministic translation with open findings', async () => {
    const uri = 'file:///ws/port.cu';
    await c.open(uri, KERNEL);
    const r = await c.conn.sendRequest<PortDocumentResult>(PortDocumentRequest.method, { uri });
    const t = translate(KERNEL, { targetRocm: '6.2' });
    assert.equal(r.text, t.text);
    assert.equal(r.changed, true);
    assert.equal(r.version, 1);
    assert.equal(r.stats.edits, t.stats.edits);
    assert.deepEqual(
      r.open.map((f) => `${f.code} ${JSON.stringify(textAt(KERNEL, f))}`).sort(),
      t.open.map((f) => `${f.code} ${JSON.stringify(KERNEL.slice(f.start, f.end))}`).sort(),
    );
    await assert.rejects(c.conn.sendRequest(PortDocumentRequest.method, { uri: 'untitled:nothing' }), /not open/);
  });

  it('hipPorter/findings returns the current findings with fix kinds', async () => {
    const r = await c.conn.sendRequest<FindingsResult>(FindingsRequest.method, { uri: 'file:///ws/reduce.cu' });
    assert.equal(r.version, 1);
    const malloc = r.findings.find((f) => f.cuda === 'cudaMalloc');
    assert.ok(malloc);
    assert.equal(malloc.hip, 'hipMalloc');
    assert.equal(malloc.fix, 'auto');
    assert.equal(malloc.family, 'rename');
    assert.equal(textAt(KERNEL, malloc), 'cudaMalloc');
    const closed = await c.conn.sendRequest<FindingsResult>(FindingsRequest.method, { uri: 'file:///ws/unknown.cu' });
    assert.deepEqual(closed, { version: null, findings: [], skipped: 'not open' });
  });

  it('clears diagnostics on didClose', async () => {
    const uri = 'file:///ws/reduce.cu';
    const p = c.waitDiagnostics(uri, (d) => d.diagnostics.length === 0, 15000, false);
    await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await p;
  });
});
