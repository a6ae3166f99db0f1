/**
 * Server modules in-process: an LSP round trip over in-memory streams (startServer on a
 * vscode-languageserver connection, client on vscode-jsonrpc), the document manager's
 * coalescing with a fake host, incremental re-parse equal to a full parse under random edits,
 * edit resolution equal to the engine's applyEdits, and settings normalisation / exclude globs.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { createConnection, type Diagnostic, type PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../../src/core/analyze';
import { initParser, parse } from '../../src/core/parse';
import { applyEdits } from '../../src/core/text';
import { BudgetedParser } from '../../src/server/budgeted-parser';
import { resolveEdits, toLspEdits } from '../../src/server/code-actions';
import { DocumentManager, RECONCILE_DELAY_MS, type DocumentHost } from '../../src/server/document-manager';
import { visibleFindings } from '../../src/server/diagnostics';
import type { Finding } from '../../src/core/findings';
import { DocumentState } from '../../src/server/document-state';
import { startServer } from '../../src/server/server';
import { isExcluded, normalizeSettings, SettingsCache } from '../../src/server/settings';
import { applyLspEdits } from './lsp-client';

const SRC = '#include <cuda_runtime.h>\n__global__ void k(float* p) {\n  p[threadIdx.x] = __shfl_down_sync(0xffffffff, 1.0f, 1);\n}\nint main() { float* d; cudaMalloc(&d, 4); cudaFree(d); }\n';

before(async () => {
  await initParser();
});

describe('in-memory LSP round trip', () => {
  it('initialize, didOpen → publishDiagnostics, hover, shutdown over PassThrough streams', async () => {
    const up = new PassThrough();
    const down = new PassThrough();
    const server = createConnection(new StreamMessageReader(up), new StreamMessageWriter(down));
    startServer(server);
    server.listen();
    const client = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
    const published: PublishDiagnosticsParams[] = [];
    const got = new Promise<PublishDiagnosticsParams>((resolve) =>
      client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        published.push(p);
        resolve(p);
      }),
    );
    client.onNotification('window/logMessage', () => undefined);
    client.onNotification('hipPorter/serverStatus', () => undefined);
    client.listen();
    // no workspace/configuration capability: the server must use the defaults
    await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification('initialized', {});
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri: 'mem:///k.cu', languageId: 'cuda-cpp', version: 7, text: SRC } });
    const p = await got;
    assert.equal(p.version, 7);
    const codes = p.diagnostics.map((d: Diagnostic) => d.code);
    assert.ok(codes.includes('HP101') && codes.includes('HP110'), codes.join(','));
    const hover = await client.sendRequest<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri: 'mem:///k.cu' },
      position: { line: 4, character: 26 },
    });
    assert.match(hover.contents.value, /hipMalloc/);
    await client.sendRequest('shutdown');
    client.dispose();
    server.dispose();
  });
});

/** A fake host recording what the manager publishes. */
function fakeHost(): DocumentHost & { published: Array<{ uri: string; version: number; diagnostics: Diagnostic[] }>; logs: string[] } {
  const published: Array<{ uri: string; version: number; diagnostics: Diagnostic[] }> = [];
  const logs: string[] = [];
  return {
    published,
    logs,
    publishDiagnostics: (uri, version, diagnostics) => {
      published.push({ uri, version, diagnostics });
    },
    log: (m) => logs.push(m),
    status: () => undefined,
    workspaceFolders: () => ['file:///ws'],
  };
}

/** Resolves once `cond()` holds, checking after each event-loop turn (bounded). */
/**
 * A manager with `uri` open (SRC plus a function with a syntax error, which makes every
 * incremental result provisional) and one statement typed into another kernel as version 2,
 * published.
 */
async function provisionalEdit(uri: string): Promise<{ host: ReturnType<typeof fakeHost>; m: DocumentManager }> {
  const host = fakeHost();
  const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve());
  const text = SRC + 'static void broken() { int x = ; }\n__global__ void k2(float* q) { q[0] = 1.0f; }\n';
  m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
  await until(() => host.published.length === 1);
  const at = TextDocument.create(uri, 'cuda-cpp', 1, text).positionAt(text.indexOf('q[0]'));
  m.change({ textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: at, end: at }, text: 'q[1] = 2.0f; ' }] });
  await until(() => host.published.some((p) => p.version === 2));
  return { host, m };
}

/** Lets `turns` rounds of queued callbacks (promises, setImmediate) run. */
async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

async function until(cond: () => boolean, turns = 1000): Promise<void> {
  for (let i = 0; i < turns && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), 'condition not reached');
}

describe('DocumentManager', () => {
  it('coalesces a burst of changes into one analysis of the last version', async () => {
    const host = fakeHost();
    const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve());
    const uri = 'file:///ws/a.cu';
    m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: SRC } });
    for (let v = 2; v <= 5; v++) {
      m.change({ textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }] });
    }
    await until(() => host.published.length > 0);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(host.published.map((p) => p.version), [5]);
    const view = await m.view(uri);
    assert.equal(view?.state.text, '    ' + SRC);
    m.close({ textDocument: { uri } });
    assert.deepEqual(host.published.at(-1), { uri, version: 5, diagnostics: [] });
  });

  it('publishes a provisional incremental analysis at once and the exact one after a pause', async () => {
    const uri = 'file:///ws/p.cu';
    const { host, m } = await provisionalEdit(uri);
    const first = await m.view(uri);
    assert.equal(first?.snapshot?.mode, 'incremental', first?.snapshot?.fallback);
    assert.equal(first?.snapshot?.provisional, true);
    // the check runs after RECONCILE_DELAY_MS without changes
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline && (await m.view(uri))?.snapshot?.provisional) await new Promise((r) => setTimeout(r, 20));
    const exact = await m.view(uri);
    assert.equal(exact?.snapshot?.provisional, false);
    assert.equal(exact?.snapshot?.mode, 'full');
    assert.equal(exact?.version, 2);
    const full = analyze(exact!.state.text, { targetRocm: exact!.settings.targetRocm });
    const shown = host.published.filter((p) => p.version === 2).at(-1)!.diagnostics.map((d) => d.code);
    assert.deepEqual(shown, full.findings.map((f) => f.code));
    // the exact analysis had the same diagnostics (nothing republished), and the next keystroke,
    // which grows from it, still reuses the published diagnostics before the edit
    assert.equal(host.published.filter((p) => p.version === 2).length, 1);
    const before = host.published.at(-1)!;
    const next = exact!.state.text;
    const at3 = TextDocument.create(uri, 'cuda-cpp', 2, next).positionAt(next.indexOf('q[0]'));
    m.change({ textDocument: { uri, version: 3 }, contentChanges: [{ range: { start: at3, end: at3 }, text: ' ' }] });
    await until(() => host.published.some((p) => p.version === 3));
    const after = host.published.at(-1)!;
    assert.equal((await m.view(uri))?.snapshot?.mode, 'incremental');
    assert.ok(before.diagnostics.length > 2 && after.diagnostics[0] === before.diagnostics[0] && after.diagnostics[1] === before.diagnostics[1]);
  });

  it('publishes, after every keystroke of a typed statement, exactly the diagnostics of a fresh analysis', async () => {
    const host = fakeHost();
    const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve());
    const uri = 'file:///ws/t.cu';
    // the last line holds several items: findings after the edited item's window on the same line
    let text = [SRC, '__global__ void k3(float* p) {\n  p[0] = cudaGetLastError();\n  p[1] = 2.0f;\n}\n', SRC.replace('k(', 'k4(').replace('main', 'main2'), 'void g() { } int x1; int x2; cudaError_t e2 = cudaGetLastError();\n'].join('\n');
    m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
    await until(() => host.published.length === 1);
    // type a statement (and a line break) inside k3, one character per version
    // at the start of a line that holds a finding after the typed text (HP101 on cudaGetLastError)
    const at = text.indexOf('  p[0] = cudaGetLastError');
    const typed = 'int lane = threadIdx.x % 32;\n  ';
    let version = 1;
    let incremental = 0;
    // then join two lines with a same-length edit (a line break becomes a space: every later
    // finding keeps its offsets but moves up a line)
    const edits: Array<[number, number, string]> = [...typed].map((ch, k) => [at + k, at + k, ch]);
    const nl = text.indexOf('\n', text.indexOf('p[1] = 2.0f;')) + typed.length;
    edits.push([nl, nl + 1, ' ']);
    // and a keystroke inside g's braces, which moves the findings later on its line
    const g = text.indexOf('void g() { }') + typed.length + 'void g() { '.length;
    edits.push([g, g, 'x']);
    for (const [from, to, ch] of edits) {
      const doc0 = TextDocument.create(uri, 'cuda-cpp', version, text);
      const range = { start: doc0.positionAt(from), end: doc0.positionAt(to) };
      text = text.slice(0, from) + ch + text.slice(to);
      version++;
      m.change({ textDocument: { uri, version }, contentChanges: [{ range, text: ch }] });
      await until(() => host.published.some((p) => p.version === version));
      const view = await m.view(uri);
      if (view?.snapshot?.mode === 'incremental') incremental++;
      const doc = TextDocument.create(uri, 'cuda-cpp', version, text);
      const expected = analyze(text, { targetRocm: view!.settings.targetRocm }).findings.map((f) => [f.code, f.message, doc.positionAt(f.start), doc.positionAt(f.end)]);
      const got = host.published.filter((p) => p.version === version).at(-1)!.diagnostics.map((d) => [d.code, d.message, d.range.start, d.range.end]);
      assert.deepEqual(got, expected, `version ${version}`);
    }
    assert.ok(incremental > typed.length / 2, `only ${incremental} of ${typed.length} keystrokes were incremental`);
  });

  it('after shutdown, runs no check of a provisional analysis and publishes nothing more', async (t) => {
    // Mocked setTimeout: the check's delay passes by ticking the clock, not by waiting.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const uri = 'file:///ws/s.cu';
    const { host, m } = await provisionalEdit(uri);
    assert.equal((await m.view(uri))?.snapshot?.provisional, true);
    // the check is due RECONCILE_DELAY_MS after that publish; shut down before it
    const state = m.get(uri)!;
    let checks = 0;
    const reconcile = state.reconcile.bind(state);
    state.reconcile = (...args: Parameters<typeof state.reconcile>) => {
      checks++;
      return reconcile(...args);
    };
    const published = host.published.length;
    m.shutdown();
    t.mock.timers.tick(RECONCILE_DELAY_MS * 10);
    await settle();
    assert.equal(checks, 0);
    assert.equal(host.published.length, published);
    assert.deepEqual(m.uris(), []);
    assert.equal(await m.view(uri), undefined);
  });

  it('merges many re-parsed items into one tree after a pause, with the same findings', async () => {
    const host = fakeHost();
    const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve());
    const uri = 'file:///ws/many.cu';
    let text = '#include <cuda_runtime.h>\n';
    for (let k = 0; k < 40; k++) text += `__global__ void k${k}(float* p) {\n  p[0] = 1.0f;\n}\n`;
    m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
    await until(() => host.published.length === 1);
    // one keystroke in each kernel: 40 items re-parsed on their own
    let version = 1;
    for (let k = 0; k < 40; k++) {
      const at = text.indexOf(`void k${k}(`) + `void k${k}(float* p) {\n  p[0] = 1`.length;
      const pos = TextDocument.create(uri, 'cuda-cpp', version, text).positionAt(at);
      text = text.slice(0, at) + '2' + text.slice(at);
      version++;
      m.change({ textDocument: { uri, version }, contentChanges: [{ range: { start: pos, end: pos }, text: '2' }] });
      await until(() => host.published.some((p) => p.version === version));
    }
    const busy = await m.view(uri);
    assert.equal(busy?.snapshot?.mode, 'incremental');
    assert.ok((busy?.snapshot?.patched ?? 0) > 32, `patched ${busy?.snapshot?.patched}`);
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline && ((await m.view(uri))?.snapshot?.patched ?? 0) > 0) await new Promise((r) => setTimeout(r, 20));
    const merged = await m.view(uri);
    assert.equal(merged?.snapshot?.patched, 0);
    // the merge re-parses but keeps the (exact) analysis, which now reads structure from one tree
    assert.equal(merged?.snapshot?.mode, 'incremental');
    assert.equal(merged?.version, version);
    const tree = merged!.snapshot!.analysis.tree!;
    assert.equal(tree.rootNode.hasError, false);
    const last = text.indexOf('void k39(') + 'void k39(float* p) {\n  p[0] = '.length;
    assert.equal(merged!.snapshot!.analysis.nodeAt(last, last + 2)?.type, 'number_literal');
    assert.equal(merged!.snapshot!.analysis.nodeAt(last, last + 2)?.tree, tree);
    assert.equal(JSON.stringify(merged!.snapshot!.analysis.findings), JSON.stringify(analyze(text, { targetRocm: merged!.settings.targetRocm }).findings));
  });

  it('skips excluded, non-CUDA and binary documents the documented way', async () => {
    const host = fakeHost();
    const cache = new SettingsCache({ getConfiguration: async () => ({ exclude: ['third_party/**'] }) }, host.log);
    const m = new DocumentManager(host, cache, Promise.resolve());
    m.open({ textDocument: { uri: 'file:///ws/third_party/x.cu', languageId: 'cuda-cpp', version: 1, text: SRC } });
    m.open({ textDocument: { uri: 'file:///ws/plain.c', languageId: 'c', version: 1, text: 'int main(void) { return 0; }\n' } });
    m.open({ textDocument: { uri: 'file:///ws/bin.cu', languageId: 'cuda-cpp', version: 1, text: 'a\u0000b' } });
    await until(() => host.published.length === 3);
    const by = new Map(host.published.map((p) => [p.uri, p.diagnostics]));
    assert.deepEqual(by.get('file:///ws/third_party/x.cu'), []);
    assert.deepEqual(by.get('file:///ws/plain.c'), []);
    assert.equal(by.get('file:///ws/bin.cu')?.length, 1);
    assert.equal((await m.view('file:///ws/third_party/x.cu'))?.skipped?.reason, 'excluded');
  });
});

describe('incremental re-parse', () => {
  it('gives the same tree as a full parse after random edits (UTF-16, CRLF, multi-change)', () => {
    const pieces = ['a', ' ', '\n', '\r\n', ';', '{', '}', '(', ')', 'cudaMalloc', '__global__ ', '/*', '*/', '"', 'é', '😀', '<<<1,1>>>', '#include <cuda.h>\n', ''];
    const change = fc.record({
      from: fc.nat(),
      len: fc.nat({ max: 12 }),
      text: fc.array(fc.constantFrom(...pieces), { maxLength: 4 }).map((a) => a.join('')),
    });
    fc.assert(
      fc.property(fc.array(fc.array(change, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }), (batches) => {
        const base = SRC.replace('main()', 'main() /* é 😀 */').replace(/\n/g, '\r\n');
        const st = new DocumentState('file:///p.cu', 'cuda-cpp', 1, base);
        st.analyze({});
        let version = 1;
        for (const batch of batches) {
          const changes = batch.map((c) => {
            // a position inside the current text (the state clamps anyway)
            const doc = TextDocument.create('x', 'x', 0, st.text);
            const from = c.from % (st.text.length + 1);
            const to = Math.min(st.text.length, from + c.len);
            return { range: { start: doc.positionAt(from), end: doc.positionAt(to) }, text: c.text };
          });
          // apply sequentially: later changes' positions refer to the text after earlier ones
          for (const ch of changes) st.applyChanges([ch], ++version);
          let snap = st.analyze({});
          if (snap.provisional) snap = st.reconcile({})!;
          const full = parse(st.text);
          // a full re-parse from the edited tree equals a parse from scratch; an incremental
          // analysis (one item re-parsed on its own) has the same findings as a full one
          // (tree-sitter's error recovery depends on the edit history, so with a syntax error the
          // re-parsed tree may legitimately differ from a parse from scratch: compared when clean)
          if (!full.rootNode.hasError) {
            if (snap.mode === 'full') assert.equal(snap.analysis.tree!.rootNode.toString(), full.rootNode.toString());
            assert.equal(JSON.stringify(snap.analysis.findings), JSON.stringify(analyze(st.text, { tree: full }).findings));
          } else {
            assert.equal(snap.analysis.text, st.text);
            assert.equal(snap.version, version);
          }
          full.delete();
        }
        st.dispose();
      }),
      { numRuns: 60 },
    );
  });

  it('applies a multi-change notification in order, like an editor', () => {
    const st = new DocumentState('file:///m.cu', 'cuda-cpp', 1, 'abc\ndef\n');
    st.analyze({});
    st.applyChanges(
      [
        { range: { start: { line: 0, character: 1 }, end: { line: 0, character: 2 } }, text: 'XY\nZ' },
        { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 3 } }, text: 'q' },
      ],
      2,
    );
    assert.equal(st.text, 'aXY\nZc\nq\n');
    const snap = st.analyze({});
    assert.equal(snap.mode, 'full');
    assert.equal(snap.analysis.tree!.rootNode.toString(), parse(st.text).rootNode.toString());
  });
});

describe('visible findings', () => {
  it('reuse the entries of the previous list for the leading and trailing runs of the same finding objects, and equal a fresh list', () => {
    const finding = fc.record({ family: fc.constantFrom<Finding['family']>('api', 'warp', 'cxx'), severity: fc.constantFrom<Finding['severity']>('warning', 'information') });
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 20 }), fc.array(finding, { maxLength: 5 }), fc.nat(), fc.nat(), fc.boolean(), (base, fresh, cut, drop, warpOff) => {
        const mk = (x: { family: Finding['family']; severity: Finding['severity'] }, i: number): Finding => ({ code: 'HP101', family: x.family, severity: x.severity, message: `m${i}`, start: i, end: i + 1, status: 'supported' });
        const a = base.map(mk);
        // the next version: a's head, new findings, a's tail (some of a's middle dropped)
        const k = a.length ? cut % (a.length + 1) : 0;
        const d = Math.min(a.length - k, drop % 3);
        const b = [...a.slice(0, k), ...fresh.map((x, i) => mk(x, 100 + i)), ...a.slice(k + d)];
        const settings = { severity: warpOff ? { warp: 'off' as const } : { cxx: 'error' as const } };
        const prev = visibleFindings(a, settings);
        const got = visibleFindings(b, settings, prev);
        assert.deepEqual(got, visibleFindings(b, settings));
        const old = new Set(prev);
        const byFinding = new Map(prev.map((v) => [v.finding, v]));
        for (const v of got) if (old.has(v)) assert.equal(byFinding.get(v.finding), v);
        // nothing of a's head before the first new finding is re-allocated
        for (const v of got) {
          if (!a.includes(v.finding)) break;
          assert.ok(old.has(v), 'a leading entry is reused');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('renames are hints in their own family: hiding them keeps the "no HIP equivalent" errors', () => {
    const text = '#include <cuda_runtime.h>\nvoid f() { cudaMalloc(0, 0); cudaProfilerInitialize(0, 0, 0); }\n';
    const findings = analyze(text).findings;
    const renames = findings.filter((f) => f.code === 'HP101' || f.code === 'HP110');
    assert.equal(renames.length, 2);
    for (const f of renames) assert.deepEqual([f.family, f.severity], ['rename', 'hint'], f.code);
    const shown = visibleFindings(findings, { severity: { rename: 'off' } }).map((v) => v.finding.code);
    assert.deepEqual(shown, ['HP104'], 'only the unsupported API is left');
    assert.equal(visibleFindings(findings, { severity: {} }).find((v) => v.finding.code === 'HP104')!.severity, 'error');
  });
});

describe('edit resolution', () => {
  it('LSP edits from resolveEdits give exactly what applyEdits gives (overlaps, same-start insertions)', () => {
    const text = 'cudaMalloc(&p, n);\ncudaFree(p);\n';
    const edit = fc.record({ start: fc.nat({ max: text.length }), len: fc.nat({ max: 8 }), newText: fc.constantFrom('', 'X', 'hip', '\n') });
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 8 }), (raw) => {
        const edits = raw.map((e) => ({ start: e.start, end: Math.min(text.length, e.start + e.len), newText: e.newText }));
        const doc = TextDocument.create('x', 'x', 0, text);
        // exact duplicates are dropped by resolveEdits (the engine never means an edit twice)
        const dedup = edits.filter((e, i) => edits.findIndex((o) => o.start === e.start && o.end === e.end && o.newText === e.newText) === i);
        assert.equal(applyLspEdits(text, toLspEdits(edits, (o) => doc.positionAt(o))), applyEdits(text, dedup));
        const r = resolveEdits(edits);
        for (let i = 1; i < r.length; i++) assert.ok(r[i]!.start >= r[i - 1]!.end, 'no overlaps');
      }),
      { numRuns: 300 },
    );
  });
});

describe('settings', () => {
  it('normalises values and reports problems without throwing', () => {
    const { settings, problems } = normalizeSettings({
      targetRocm: '5.7',
      includeComments: true,
      severity: { warp: 'off', api: 'hint', bogus: 'error', asm: 'loud' },
      exclude: ['**/gen/**', 3],
      maxFileSizeMB: -1,
      build: { offloadArch: ['gfx1100', 'sm_80', 'gfx942'] },
    });
    assert.deepEqual(settings, {
      targetRocm: '5.7',
      includeComments: true,
      kernelLaunch: 'keep',
      libraryTarget: 'hip',
      experimental: false,
      offloadArch: ['gfx1100', 'gfx942'],
      severity: { warp: 'off', api: 'hint' },
      exclude: ['**/gen/**'],
      maxFileSizeMB: 5,
    });
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.ok(problems.some((p) => p.includes("'sm_80' is not an AMD GPU target")), problems.join('\n'));
    assert.deepEqual(normalizeSettings({}).settings.offloadArch, ['gfx90a', 'gfx1030'], 'default: one CDNA and one RDNA target');
    assert.deepEqual(normalizeSettings({ severity: { rename: 'off' } }).settings.severity, { rename: 'off' }, 'the rename family is a known family');
    assert.deepEqual(normalizeSettings('nope').settings.targetRocm, '6.2');
    assert.deepEqual(normalizeSettings(undefined).problems, []);
  });

  it('matches exclude globs against absolute paths, workspace-relative paths and base names', () => {
    const folders = ['file:///home/u/proj'];
    assert.equal(isExcluded('file:///home/u/proj/third_party/cub/x.cuh', ['third_party/**'], folders), true);
    assert.equal(isExcluded('file:///home/u/proj/src/x.cu', ['third_party/**'], folders), false);
    assert.equal(isExcluded('file:///home/u/proj/src/x.cuh', ['*.cuh'], folders), true);
    assert.equal(isExcluded('file:///elsewhere/gen/y.cu', ['**/gen/**'], folders), true);
    assert.equal(isExcluded('file:///home/u/proj/src/x.cu', [], folders), false);
  });

  it('caches per URI until cleared and falls back to defaults when the client fails', async () => {
    let calls = 0;
    const logs: string[] = [];
    const cache = new SettingsCache(
      {
        getConfiguration: async (uri) => {
          calls++;
          if (uri.includes('fail')) throw new Error('no');
          return { targetRocm: '6.0' };
        },
      },
      (m) => logs.push(m),
    );
    assert.equal((await cache.get('file:///a.cu')).targetRocm, '6.0');
    await cache.get('file:///a.cu');
    assert.equal(calls, 1);
    cache.clear();
    await cache.get('file:///a.cu');
    assert.equal(calls, 2);
    assert.equal((await cache.get('file:///fail.cu')).targetRocm, '6.2');
    assert.match(logs[0]!, /cannot read settings/);
  });
});

describe('budgeted parsing', () => {
  it('the check of a provisional analysis runs in slices, and an edit meanwhile drops it without changing the state', async () => {
    const bp = await BudgetedParser.create();
    const options = { targetRocm: '6.2' };
    const text = SRC.repeat(60) + 'static void broken() { int x = ; }\n' + SRC;
    const st = new DocumentState('file:///ws/check.cu', 'cuda-cpp', 1, text);
    st.analyze(options);
    const type = (s: string, version: number): void => {
      const at = st.document.positionAt(st.text.lastIndexOf('p[threadIdx.x]'));
      st.applyChanges([{ range: { start: at, end: at }, text: s }], version);
    };
    type('q', 2);
    const provisional = st.analyze(options);
    assert.equal(provisional.provisional, true);
    // a few slices of the check (parse from scratch, then the analysis rule by rule)
    let slices = 0;
    while (st.reconcile(options, { parser: bp, budgetMs: 0.5 }) === null && slices < 3) slices++;
    assert.equal(slices, 3, 'the check is still running');
    assert.equal(st.lastAnalysis, provisional, 'a check in progress leaves the snapshot as it was');
    // a keystroke drops it; the incremental analysis goes on from the provisional one
    type(' ', 3);
    const next = st.analyze(options);
    assert.equal(next.mode, 'incremental', next.fallback);
    // run the check to the end, slice by slice: exact, and equal to a fresh analysis
    let done = st.reconcile(options, { parser: bp, budgetMs: 0.5 });
    for (slices = 1; done === null && slices < 100000; slices++) done = st.reconcile(options, { parser: bp, budgetMs: 0.5 });
    assert.ok(done && slices > 3, `done after ${slices} slices`);
    assert.equal(done.provisional, false);
    assert.equal(done.mode, 'full');
    assert.equal(JSON.stringify(done.analysis.findings), JSON.stringify(analyze(st.text, options).findings));
    st.dispose();
  });

  it('a parse suspended by its budget resumes to the same tree as a full parse', async () => {
    const bp = await BudgetedParser.create();
    const text = SRC.repeat(400);
    const owner = {};
    let tree = bp.parse(owner, text, undefined, 0);
    assert.equal(tree, null, 'a zero budget suspends the parse');
    let slices = 1;
    while (!tree && slices < 10000) {
      tree = bp.parse(owner, text, undefined, 1);
      slices++;
    }
    assert.ok(tree && slices > 2, `resumed over ${slices} slices`);
    const full = parse(text);
    assert.equal(tree.rootNode.toString(), full.rootNode.toString());
    // another owner's parse discards the suspended one instead of resuming it with the wrong input
    assert.equal(bp.parse(owner, text, undefined, 0), null);
    const other = bp.parse({}, SRC, undefined, 1000);
    assert.equal(other?.rootNode.toString(), parse(SRC).rootNode.toString());
    tree.delete();
    full.delete();
    other?.delete();
  });

  it('the manager publishes token-only diagnostics first, then the full analysis of the same version', async () => {
    const bp = await BudgetedParser.create();
    // a parser whose edit budget always runs out on the first slice
    const slow = Object.assign(Object.create(bp) as typeof bp, {
      first: true,
      parse(this: typeof bp & { first: boolean }, owner: object, text: string, old: unknown, budget: number) {
        const b = this.first ? 0 : budget;
        this.first = false;
        return BudgetedParser.prototype.parse.call(bp, owner, text, old as undefined, b);
      },
    });
    const host = fakeHost();
    const statuses: string[] = [];
    host.status = (p) => statuses.push(p.state);
    const m = new DocumentManager(host, new SettingsCache(null, host.log), Promise.resolve(slow));
    const uri = 'file:///ws/slow.cu';
    m.open({ textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: SRC } });
    await until(() => host.published.length === 2);
    assert.deepEqual(host.published.map((p) => p.version), [1, 1]);
    assert.deepEqual(statuses, ['busy', 'ready']);
    const view = await m.view(uri);
    assert.equal(view?.partial, false);
    assert.ok(view?.snapshot?.analysis.tree, 'the final analysis has a tree');
  });
});
