/**
 * Incremental analysis in the language server (src/server/document-state.ts over
 * src/core/incremental.ts) against a full analysis of the same text: after random edits to
 * multi-item CUDA files, every non-provisional snapshot has exactly the findings of a fresh full
 * analysis, and a provisional one (an item with a syntax error re-parsed on its own) is replaced by
 * exactly those findings once reconciled.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type AnalyzeOptions } from '../../src/core/analyze';
import { initParser } from '../../src/core/parse';
import type { Rule } from '../../src/core/rules/types';
import { DocumentState, MAX_PATCHES, type AnalysisSnapshot } from '../../src/server/document-state';
import { CROSS_ITEM_SNIPPETS } from '../unit/incremental-corpus';
// @ts-expect-error plain ESM benchmark script without types
import { generate } from '../../bench/lsp-bench.mjs';

before(async () => {
  await initParser();
});

const OPTIONS = { targetRocm: '5.2' };

/** Pieces typed by the random edits: identifier characters, names the rules read file-wide, punctuation that breaks items. */
const PIECES = ['a', 'x', '_', ' ', '1', '\n', ';', '{', '}', '(', ')', '32', 'ballot', '__device__ ', 'WARP_SIZE', 'cudaMalloc', 'texRef', 'cub::', '#define WARP 32\n', '/*', '"', '\\\n', '__shfl_sync(0xffffffff, v, 0)', '#include <cub/cub.cuh>\n', 'thrust::', 'cudnnCreate(&h);', 'hostOnly(1);', 'static int hostFn(int a) { return a; }\n', 'extern "C" ', '<<<1, 1>>>', 'cudaDeviceProp p; ', ' = __ballot_sync(1, x)', 'prop.major > 7', 'cudaDeviceFlushGPUDirectRDMAWrites(0);', 'CUDART_VERSION', '#if CUDART_VERSION > 1\n', 'CUDNN_TENSOR_NCHW', '->', '__shared__ float s[32]; ', 'int lane = threadIdx.x % warpSize; ', 's[lane] = 1;', 'td.filterMode = cudaFilterModeLinear;', 'cudaMalloc3DArray', 'const int N = 512;', 'dim3 b(1024);', '*', 'cuCtxAttach(&c, 0);', '__nv_bfloat16 h; ', '#if defined OCML_BASIC_ROUNDED_OPERATIONS\n', '#endif\n', '__fadd_rd(a, b)', '(prop.major << 4) + prop.minor < 0x35', '#if __CUDA_ARCH__ >= 800\n', '#else\n', ''];

function findingsJson(a: { findings: unknown[] }): string {
  return JSON.stringify(a.findings);
}

/**
 * Replaces UTF-16 offsets `[from, to)` of the document (`to` defaults to `from`: an insertion)
 * with `text` as `version`, analyses it with `options`, asserts that the analysis equals a fresh
 * one of the new text, and returns the snapshot.
 */
function editExact(st: DocumentState, from: number, text: string, version: number, options: AnalyzeOptions = OPTIONS, to = from): AnalysisSnapshot {
  st.applyChanges([{ range: { start: st.document.positionAt(from), end: st.document.positionAt(to) }, text }], version);
  const snap = st.analyze(options);
  const fresh = analyze(st.text, options);
  assert.equal(findingsJson(snap.analysis), findingsJson(fresh), `version ${version} (${snap.mode}${snap.fallback ? `: ${snap.fallback}` : ''}) after ${JSON.stringify(text)} at ${from}`);
  fresh.tree?.delete();
  return snap;
}

/**
 * Property: after each of up to 12 random edits (a piece of `pieces` typed at a random offset over
 * up to 3 deleted characters) to one of `texts`, the document's analysis (reconciled when
 * provisional) equals a fresh analysis of its text. Returns how often each mode ran.
 */
function checkRandomEdits(texts: readonly string[], pieces: readonly string[], numRuns: number): { incremental: number; full: number; provisional: number } {
  const modes = { incremental: 0, full: 0, provisional: 0 };
  const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 3 }), text: fc.constantFrom(...pieces) });
  fc.assert(
    fc.property(fc.nat({ max: texts.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 12 }), (which, edits) => {
      const st = new DocumentState('file:///inc.cu', 'cuda-cpp', 1, texts[which]!);
      st.analyze(OPTIONS);
      let version = 1;
      try {
        for (const e of edits) {
          const doc = TextDocument.create('x', 'x', 0, st.text);
          const from = e.at % (st.text.length + 1);
          const to = Math.min(st.text.length, from + e.del);
          st.applyChanges([{ range: { start: doc.positionAt(from), end: doc.positionAt(to) }, text: e.text }], ++version);
          let snap = st.analyze(OPTIONS);
          modes[snap.mode]++;
          if (snap.provisional) {
            modes.provisional++;
            snap = st.reconcile(OPTIONS)!;
            assert.ok(snap && !snap.provisional && snap.mode === 'full');
          }
          // (a full re-parse from an edited tree with syntax errors is provisional too: tree-sitter's
          // error recovery depends on the edit history, so only the parse from scratch is exact)
          const full = analyze(st.text, OPTIONS);
          assert.equal(findingsJson(snap.analysis), findingsJson(full), `version ${version} (${snap.mode}) after ${JSON.stringify(e)} on ${JSON.stringify(st.text)}`);
          full.tree?.delete();
        }
      } finally {
        st.dispose();
      }
    }),
    { numRuns },
  );
  return modes;
}

describe('incremental analysis', () => {
  it('matches a full analysis after random edits (and after reconciling provisional snapshots)', () => {
    const texts = CROSS_ITEM_SNIPPETS.map(([, t]) => t);
    texts.push(texts.join('\n'));
    const modes = checkRandomEdits(texts, PIECES, 60);
    // the property must exercise the incremental path, not only fall back
    assert.ok(modes.incremental > modes.full / 4, JSON.stringify(modes));
    assert.ok(modes.provisional > 0, JSON.stringify(modes));
  });

  it('keeps HP703 exact while calls of host functions are typed, renamed and marked in device and host code', () => {
    const text = [
      '#include <cuda_runtime.h>',
      'static int hostOnly(int x) { return x + 1; }',
      'static int helper(int x) { return x - 1; }',
      '__device__ int dev(int x) { return x; }',
      '__global__ void k(int* p) {',
      '  p[0] = hostOnly(p[0]);',
      '  p[1] = dev(p[1]);',
      '}',
      'void host(int* p) { p[0] = helper(p[0]) + hostOnly(2); }',
      '__global__ void k2(int* p) { p[2] = helpe(3); }',
      '',
    ].join('\n');
    const pieces = ['h', 'r', 'x', '(', ')', ';', ' ', 'hostOnly', 'helper(1);', 'DEV ', '__device__ ', '#define DEV __device__\n', '.', '::', 'int ', ''];
    const modes = checkRandomEdits([text], pieces, 150);
    assert.ok(modes.incremental > modes.full, JSON.stringify(modes));
    // keystrokes that make, unmake and mark calls of host functions, each checked exactly
    const st = new DocumentState('file:///hp703.cu', 'cuda-cpp', 1, `#define DEV __device__\n${text}`);
    st.analyze(OPTIONS);
    // [where, what is typed, whether k2's call of helper is reported after it]
    const steps: Array<[string, string, boolean]> = [
      ['helpe(3)', 'r', true], // k2 now calls the host function helper
      ['helper(p[0])', 'x', true], // typing in a host function's call changes nothing
      ['p[1] = dev', '__device__ int helper(int); ', false], // a device declaration of helper, in a body
      ['hostOnly(p[0])', 'y', false], // hostOnlyy is no function of the file: that report goes too
    ];
    let version = 1;
    for (const [anchor, typed, reported] of steps) {
      const snap = editExact(st, st.text.indexOf(anchor) + (typed.length > 1 ? 0 : anchor.indexOf('(')), typed, ++version);
      assert.equal(snap.provisional, false, `${anchor}: ${st.text}`);
      assert.equal(snap.analysis.findings.some((f) => f.code === 'HP703' && f.cuda === 'helper'), reported, `helper reported after ${anchor}`);
    }
    assert.ok(!st.lastAnalysis!.analysis.findings.some((f) => f.code === 'HP703' && f.cuda === 'hostOnly'));
    st.dispose();
  });

  it('counts a ballot mask of the same function without a whole-file fact, and one initialised elsewhere with one', () => {
    const text = [
      '__global__ void k1(int* out, int keep) {',
      '  unsigned ballot = __ballot_sync(0xffffffff, keep);',
      '  out[0] = __popc(ballot);',
      '}',
      '__global__ void k2(int* out, int keep) {',
      '  unsigned long long m = __ballot_sync(0xffffffff, keep);',
      '  out[1] = __popc(m);',
      '}',
      '__global__ void k3(int* out, unsigned long long m) { out[2] = __popc(m); }',
      '',
    ].join('\n');
    const st = new DocumentState('file:///ballot.cu', 'cuda-cpp', 1, text);
    const popc = (a: { findings: Array<{ code: string; start: number }> }): number => a.findings.filter((f) => f.code === 'HP204').length;
    assert.equal(popc(st.analyze(OPTIONS).analysis), 3, 'k3 counts m, a ballot mask by name in k2');
    // renaming k1's mask: only k1 read it, in its own item: no file-wide re-run, and k1's report goes
    let snap = editExact(st, st.text.indexOf('ballot =') + 4, 'x', 2);
    assert.equal(snap.mode, 'incremental');
    assert.equal(snap.fallback, '');
    assert.equal(popc(snap.analysis), 2);
    // renaming k2's mask to m2: k3's m is read file-wide, so the rule re-runs over the file, and the
    // reports of k2 and k3 (whose m is no ballot mask any more) go
    snap = editExact(st, st.text.indexOf('m = __ballot') + 1, '2', 3);
    assert.match(snap.fallback, /'m'.*read file-wide by warp/);
    assert.equal(popc(snap.analysis), 0);
    st.dispose();
  });

  it('re-runs over the whole file only the rules that read a changed whole-file fact', () => {
    // HP303 in check() depends on gprop being declared with cudaDeviceProp in another item
    const text = [
      '#include <cuda_runtime.h>',
      'cudaDeviceProp gprop;',
      'static void fill() { cudaGetDeviceProperties(&gprop, 0); }',
      'static int pad(int x) { return x + 1; }',
      'static int check() { return gprop.major > 6 ? 1 : 0; }',
      '__global__ void k(float* p) { p[threadIdx.x % 32] = 0.0f; }',
      '',
    ].join('\n');
    const st = new DocumentState('file:///facts.cu', 'cuda-cpp', 1, text);
    const first = st.analyze(OPTIONS);
    assert.ok(first.analysis.findings.some((f) => f.code === 'HP303'), 'HP303 at gprop.major');
    // rename the global: gprop.major is no longer a device-properties check
    const snap = editExact(st, text.indexOf('gprop;') + 'gprop'.length, '2', 2);
    assert.equal(snap.mode, 'incremental', snap.fallback);
    assert.match(snap.fallback, /'cudaDeviceProp'.*read file-wide by arch/);
    assert.ok(!snap.analysis.findings.some((f) => f.code === 'HP303'));
    // a keystroke elsewhere stays on its item
    const again = editExact(st, st.text.indexOf('x + 1') + 1, ' ', 3);
    assert.equal(again.mode, 'incremental');
    assert.equal(again.fallback, '');
    st.dispose();
  });

  it("re-runs HP703 when a host function's declaration changes where its fix inserts __host__ __device__", () => {
    // found by the random-edit property: `static` cut to `sta;` moves the definition's start
    const text = ['#include <cstdio>', 'static int hostOnly(int x) { return x + 1; }', '__global__ void k(int* p) { p[0] = hostOnly(p[0]); }', ''].join('\n');
    const st = new DocumentState('file:///decl.cu', 'cuda-cpp', 1, text);
    const before = st.analyze(OPTIONS).analysis.findings.find((f) => f.code === 'HP703');
    assert.equal(before?.fix?.edits[0]?.start, text.indexOf('static'));
    const at = text.indexOf('static') + 3;
    const snap = editExact(st, at, ';', 2, OPTIONS, at + 3);
    assert.equal(snap.mode, 'incremental', snap.fallback);
    assert.equal(snap.analysis.findings.find((f) => f.code === 'HP703')?.fix?.edits[0]?.start, st.text.indexOf('int hostOnly'));
    st.dispose();
  });

  it('keeps findings the edit did not change as the same objects (moved in place after it), also from re-run file rules and parse errors', () => {
    const text = [
      '#include <cuda_runtime.h>',
      'static int bad1() { int x = ; return )x; }',
      'static int hostOnly(int a) { return a; }',
      '__global__ void k(float* p) { p[0] = hostOnly(1); }',
      'static void run() { float* d; cudaMalloc(&d, 4); k<<<1, 1>>>(d); cudaFree(d); }',
      'static int pad(int x) { return x + 1; }',
      'static int bad2() { int y = ; return )y; }',
      'static void tail() { cudaDeviceSynchronize(); }',
      '',
    ].join('\n');
    const st = new DocumentState('file:///ids.cu', 'cuda-cpp', 1, text);
    const prev = st.analyze(OPTIONS).analysis;
    const codes = (a: { findings: Array<{ code: string }> }): string[] => a.findings.map((f) => f.code);
    assert.ok(codes(prev).filter((c) => c === 'HP901').length >= 2, codes(prev).join());
    assert.ok(codes(prev).includes('HP703'), codes(prev).join());
    // a keystroke inside a call name changes HP703's signature of the item: that file rule re-runs
    const at = text.indexOf('cudaMalloc(') + 'cudaMalloc'.length;
    const snap = editExact(st, at, 'x', 2);
    assert.equal(snap.mode, 'incremental', snap.fallback);
    const old = new Set(prev.findings);
    const itemStart = text.lastIndexOf('\n', at) + 1;
    const itemEnd = text.indexOf('\n', at) + 1;
    let after = 0;
    for (const f of snap.analysis.findings) {
      if (f.end < itemStart) assert.ok(old.has(f), `${f.code} at ${f.start} before the edited item is the previous object`);
      else if (f.start > itemEnd + 1) {
        assert.ok(old.has(f), `${f.code} at ${f.start} after the edited item is the previous object, moved`);
        after++;
      }
    }
    assert.ok(after >= 3, `findings after the edited item: ${after}`);
    st.dispose();
  });

  it('gives every finding fix edits of its own, so moving one finding in place never moves another', () => {
    // a rule that hands one fix object to two findings (as a rule may): the engine copies it
    const shared: Rule = {
      id: 'shared-fix',
      family: 'api',
      codes: [{ code: 'HP101', family: 'api', defaultSeverity: 'information', title: 'test', docs: '' }],
      run(ctx) {
        const end = ctx.text.length;
        const fix = ctx.fix('append', [{ start: end, end, newText: '// x' }], true);
        for (const i of ctx.identsNamed('cudaFree')) ctx.report({ code: 'HP101', message: 'm', start: ctx.tokens.start[i]!, end: ctx.tokens.end[i]!, status: 'supported', fix });
      },
    };
    const text = 'void a() { cudaFree(0); }\nvoid b() { cudaFree(0); }\nvoid c() { cudaFree(0); }\nvoid d() { cudaFree(0); }\n';
    const options = { ...OPTIONS, rules: [shared] };
    const st = new DocumentState('file:///fix.cu', 'cuda-cpp', 1, text);
    const first = st.analyze(options).analysis.findings;
    assert.equal(first.length, 4);
    assert.notEqual(first[0]!.fix, first[1]!.fix);
    assert.notEqual(first[0]!.fix!.edits[0], first[1]!.fix!.edits[0]);
    // an edit in the first function moves the fixes of c and d (after the re-analysed window) once
    // each: one shared edit object would move twice
    const snap = editExact(st, text.indexOf('cudaFree'), '  ', 2, options);
    assert.equal(snap.mode, 'incremental', snap.fallback);
    st.dispose();
  });

  it('merges re-parsed items into the base tree when there are too many, and stays incremental and exact', () => {
    let text = '#include <cuda_runtime.h>\n';
    const n = MAX_PATCHES + 2;
    for (let k = 0; k < n; k++) text += `__global__ void k${k}(float* p) {\n  p[threadIdx.x % 32] = 1.0f;\n}\n`;
    const st = new DocumentState('file:///many.cu', 'cuda-cpp', 1, text);
    st.analyze(OPTIONS);
    const patched: number[] = [];
    for (let k = 0; k < n; k++) {
      const at = st.text.indexOf(`void k${k}(`) + `void k${k}(float* p) {\n  p[threadIdx.x % 32] = 1`.length;
      const pos = st.document.positionAt(at);
      st.applyChanges([{ range: { start: pos, end: pos }, text: '2' }], k + 2);
      const snap = st.analyze(OPTIONS);
      assert.equal(snap.mode, 'incremental', `keystroke ${k}: ${snap.fallback}`);
      assert.equal(snap.provisional, false);
      patched.push(snap.patched);
    }
    // the keystroke after the limit merged the earlier items: only its own item is re-parsed alone
    assert.equal(Math.max(...patched), MAX_PATCHES);
    assert.deepEqual(patched.slice(MAX_PATCHES), [1, 2]);
    assert.equal(findingsJson(st.analyze(OPTIONS).analysis), findingsJson(analyze(st.text, OPTIONS)));
    st.dispose();
  });

  it('re-analyses only the edited item: one keystroke in a kernel body of the 1,500-line benchmark file is incremental and exact', () => {
    const text: string = generate(1500);
    const st = new DocumentState('file:///big.cu', 'cuda-cpp', 1, text);
    const first = st.analyze(OPTIONS);
    assert.equal(first.mode, 'full');
    const at = text.indexOf('int lane = threadIdx.x % 32;', text.length >> 1);
    const snap = editExact(st, at + 'int lane'.length, 'x', 2);
    assert.equal(snap.mode, 'incremental', snap.fallback);
    assert.equal(snap.provisional, false);
    // an edit across two items falls back, and says why
    const whole = editExact(st, text.indexOf('static void runSaxpy'), '', 3, OPTIONS, text.indexOf('__global__ void compact'));
    assert.equal(whole.mode, 'full');
    assert.equal(whole.fallback, 'edit not inside one top-level item');
    st.dispose();
  });
});
