/**
 * Issue 3 in the real VS Code workbench (code-server 1.100 + headless Chromium): the real extension
 * starts the real language server; diagnostics, quick-fixes, fix-all, hover, the `hip` language and
 * grammar, C++ files with CUDA, settings applied without reload, restart and crash recovery, the
 * status bar. Workspace: test/e2e/workspace-hp (never left modified: edits are reverted, the
 * workspace settings file is restored byte for byte).
 * Run: node scripts/build.mjs && node scripts/build-e2e.mjs &&
 *      node test/e2e/run.mjs --suite dist-test/e2e/index.js --workspace test/e2e/workspace-hp
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { codeOf, extensionContext, hpDiagnostics, outputLog, rangeOfText, revert, waitFor, waitForDiagnostics } from './host';

/** Numbers measured here, written to editor-metrics.json next to the harness's result file. */
const metrics: Record<string, number> = {};

const folder = (): vscode.Uri => {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder open');
  return f.uri;
};
const fileUri = (name: string): vscode.Uri => vscode.Uri.joinPath(folder(), name);

async function open(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(fileUri(name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function sameRange(a: vscode.Range, b: vscode.Range): boolean {
  return a.start.isEqual(b.start) && a.end.isEqual(b.end);
}

/** The HIP Porter diagnostic with `code` exactly at `range`, or undefined. */
function diagAt(diags: readonly vscode.Diagnostic[], code: string, range: vscode.Range): vscode.Diagnostic | undefined {
  return diags.find((d) => codeOf(d) === code && sameRange(d.range, range));
}

const hasWarp = (d: readonly vscode.Diagnostic[]): boolean => d.some((x) => /^HP2\d\d$/.test(codeOf(x)));

/** A request to the running language server by method name (through the extension's own client). */
async function request<R>(method: string, params: unknown): Promise<R> {
  const ctx = await extensionContext();
  return ctx.features.server.client.sendRequest(method, params);
}

/** pids of "language server ready (pid N)" lines in the output channel log, in order. */
async function serverPids(): Promise<number[]> {
  return [...(await outputLog()).matchAll(/language server ready \(pid (\d+)\)/g)].map((m) => Number(m[1]));
}

/** saxpy.cu after every auto-fix: what `hip-porter port --stdout` prints for it (checked by hand). */
const SAXPY_HIP = `// saxpy.cu - e2e fixture: plain runtime API renames only, for fix-all.
#include <hip/hip_runtime.h>

__global__ void saxpy(int n, float a, const float* x, float* y)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}

int main()
{
    float* x = nullptr;
    float* y = nullptr;
    hipMalloc(&x, 256 * sizeof(float));
    hipMalloc(&y, 256 * sizeof(float));
    saxpy<<<1, 256>>>(256, 2.0f, x, y);
    hipDeviceSynchronize();
    hipFree(x);
    hipFree(y);
    return 0;
}
`;

/** Minimal shapes of vscode-textmate / vscode-oniguruma (the workbench's copies, loaded at run time). */
interface TmToken {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface TmGrammar {
  tokenizeLine(line: string, state: unknown): { tokens: TmToken[]; ruleStack: unknown };
}
interface TextMate {
  INITIAL: unknown;
  Registry: new (o: { onigLib: Promise<unknown>; loadGrammar(scope: string): Promise<unknown> }) => { loadGrammar(scope: string): Promise<TmGrammar | null> };
  parseRawGrammar(content: string, path: string): unknown;
}
interface Oniguruma {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (patterns: string[]) => unknown;
  OnigString: new (s: string) => unknown;
}

/**
 * A tokenizer for `source.hip` built from the workbench's own TextMate engine
 * (`<appRoot>/node_modules/vscode-textmate`) and its built-in C++ grammars. Returns, per token,
 * its trimmed text and scopes (outermost first); whitespace-only tokens are dropped.
 */
async function hipTokenizer(hipGrammarPath: string): Promise<(text: string) => Array<{ text: string; scopes: string[] }>> {
  const app = vscode.env.appRoot;
  const tm = require(join(app, 'node_modules', 'vscode-textmate')) as TextMate;
  const onig = require(join(app, 'node_modules', 'vscode-oniguruma')) as Oniguruma;
  const wasm = readFileSync(join(app, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const files: Record<string, string> = {
    'source.hip': hipGrammarPath,
    'source.cpp': join(app, 'extensions', 'cpp', 'syntaxes', 'cpp.tmLanguage.json'),
    'source.cpp.embedded.macro': join(app, 'extensions', 'cpp', 'syntaxes', 'cpp.embedded.macro.tmLanguage.json'),
  };
  const registry = new tm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new onig.OnigScanner(p), createOnigString: (s: string) => new onig.OnigString(s) }),
    loadGrammar: async (scope) => (files[scope] ? tm.parseRawGrammar(readFileSync(files[scope]!, 'utf8'), files[scope]!) : null),
  });
  const grammar = await registry.loadGrammar('source.hip');
  if (!grammar) throw new Error('source.hip did not load');
  return (text) => {
    const out: Array<{ text: string; scopes: string[] }> = [];
    let state = tm.INITIAL;
    for (const line of text.split(/\r?\n/)) {
      const r = grammar.tokenizeLine(line, state);
      state = r.ruleStack;
      for (const t of r.tokens) {
        const s = line.slice(t.startIndex, t.endIndex).trim();
        if (s) out.push({ text: s, scopes: t.scopes });
      }
    }
    return out;
  };
}

describe('editor (real extension, real server)', function () {
  const settingsFile = (): string => join(folder().fsPath, '.vscode', 'settings.json');
  let savedSettings: Buffer | undefined;
  let reduce: vscode.TextDocument;
  let opened = 0;

  before(async function () {
    savedSettings = existsSync(settingsFile()) ? readFileSync(settingsFile()) : undefined;
    // Opening the first .cu file activates the extension (onLanguage:cuda-cpp).
    opened = Date.now();
    reduce = await open('reduce.cu');
  });

  after(async function () {
    for (const doc of vscode.workspace.textDocuments) await revert(doc);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // getConfiguration().update rewrites the file; put the fixture's own bytes back.
    if (savedSettings) writeFileSync(settingsFile(), savedSettings);
    const out = process.env['HIP_PORTER_E2E_RESULT'] ? dirname(process.env['HIP_PORTER_E2E_RESULT']) : join(process.cwd(), 'test-results', 'e2e');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'editor-metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
  });

  it('activates on a .cu file, starts the server and logs its activation time', async function () {
    assert.equal(reduce.languageId, 'cuda-cpp');
    await waitForDiagnostics(reduce.uri, (d) => d.length > 0, 'first HIP Porter diagnostics on reduce.cu');
    metrics['firstDiagnosticsMs'] = Date.now() - opened;
    const log = await waitFor(async () => {
      const text = await outputLog();
      return /activated in \d+ ms/.test(text) && /language server started in \d+ ms/.test(text) && /language server ready/.test(text) ? text : undefined;
    }, { what: '"activated in N ms", "language server started in N ms" and the server\'s own ready line in the HIP Porter output log' });
    metrics['activationMs'] = Number(/activated in (\d+) ms/.exec(log)![1]);
    metrics['serverStartMs'] = Number(/language server started in (\d+) ms/.exec(log)![1]);
    this.test!.title += ` [activation ${metrics['activationMs']} ms, server initialised ${metrics['serverStartMs']} ms, first diagnostics ${metrics['firstDiagnosticsMs']} ms after open]`;
  });

  it('publishes hazard and rename diagnostics with exact codes, ranges and severities', async function () {
    const want: Array<[string, vscode.Range, vscode.DiagnosticSeverity]> = [
      // renames are hints (not listed in Problems); the translator drops the full mask (a hint too);
      // lanes grouped by 32 next to __activemask (the whole wavefront) are wrong on wave64 (warning)
      ['HP101', rangeOfText(reduce, 'cudaMalloc', 0), vscode.DiagnosticSeverity.Hint],
      ['HP101', rangeOfText(reduce, 'cudaMalloc', 1), vscode.DiagnosticSeverity.Hint],
      ['HP203', rangeOfText(reduce, '__shfl_down_sync'), vscode.DiagnosticSeverity.Hint],
      ['HP201', rangeOfText(reduce, '32'), vscode.DiagnosticSeverity.Warning],
    ];
    const diags = await waitForDiagnostics(reduce.uri, (d) => want.every(([c, r]) => diagAt(d, c, r)), 'HP101/HP203/HP201 on reduce.cu');
    for (const [code, range, severity] of want) assert.equal(diagAt(diags, code, range)!.severity, severity, `${code} severity`);
    const shfl = diagAt(diags, 'HP203', want[2]![1])!;
    assert.match(shfl.message, /__shfl_down/);
    // Each rename is reported once; every diagnostic lies inside the document.
    assert.equal(diags.filter((d) => codeOf(d) === 'HP101' && reduce.getText(d.range) === 'cudaMalloc').length, 2);
    for (const d of diags) assert.ok(reduce.validateRange(d.range).isEqual(d.range), `${codeOf(d)} range inside the document`);
  });

  it('offers a quick-fix for HP203 that rewrites exactly the shuffle call', async function () {
    const original = reduce.getText();
    const range = rangeOfText(reduce, '__shfl_down_sync');
    await waitForDiagnostics(reduce.uri, (d) => !!diagAt(d, 'HP203', range), 'HP203 on reduce.cu');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', reduce.uri, range);
    // vscode.executeCodeActionProvider does not return `diagnostics`; the range covers only the HP203 diagnostic,
    // so its fix is the one preferred quick-fix.
    const preferred = actions.filter((a) => a.kind?.value === 'quickfix' && a.isPreferred);
    assert.equal(preferred.length, 1, `one preferred quick-fix among ${JSON.stringify(actions.map((a) => a.title))}`);
    const fix = preferred[0];
    assert.ok(fix?.edit, `a preferred HP203 quick-fix among: ${JSON.stringify(actions.map((a) => ({ t: a.title, k: a.kind?.value, p: a.isPreferred, d: a.diagnostics?.map(codeOf) })))}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(reduce.getText(), original.replace('__shfl_down_sync(0xffffffff, v, offset)', '__shfl_down(v, offset)'));
    // The server re-analyses the edited text: HP203 goes away, the warp-size hazard stays.
    await waitForDiagnostics(reduce.uri, (d) => !d.some((x) => codeOf(x) === 'HP203') && d.some((x) => codeOf(x) === 'HP201'), 'HP203 gone after the fix');
    await revert(reduce);
    assert.equal(reduce.getText(), original);
    await waitForDiagnostics(reduce.uri, (d) => d.some((x) => codeOf(x) === 'HP203'), 'HP203 back after revert');
  });

  it('fix-all (source.fixAll.hipPorter) produces the full deterministic translation, same as hipPorter/portDocument', async function () {
    const saxpy = await open('saxpy.cu');
    await waitForDiagnostics(saxpy.uri, (d) => d.some((x) => codeOf(x) === 'HP101'), 'diagnostics on saxpy.cu');
    const ported = await request<{ text: string; changed: boolean }>('hipPorter/portDocument', { uri: saxpy.uri.toString() });
    assert.equal(ported.changed, true);
    assert.equal(ported.text, SAXPY_HIP);
    const whole = new vscode.Range(saxpy.positionAt(0), saxpy.positionAt(saxpy.getText().length));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', saxpy.uri, whole, 'source.fixAll.hipPorter');
    const fixAll = actions.find((a) => a.kind?.value === 'source.fixAll.hipPorter');
    assert.ok(fixAll?.edit, `a source.fixAll.hipPorter action among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
    assert.equal(saxpy.getText(), SAXPY_HIP);
    await waitForDiagnostics(saxpy.uri, (d) => !d.some((x) => codeOf(x) === 'HP101'), 'no renames left after fix-all');
    await revert(saxpy);
  });

  it('hover on cudaMalloc shows hipMalloc and its versions', async function () {
    await vscode.window.showTextDocument(reduce);
    const at = rangeOfText(reduce, 'cudaMalloc').start.translate(0, 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', reduce.uri, at);
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.match(text, /hipMalloc/);
    assert.match(text, /\b\d+\.\d+(\.\d+)?\b/, 'a version number');
    assert.match(text, /ROCm 6\.2/, 'the target ROCm release');
  });

  it('gives .hip files the `hip` language, whose grammar scopes HIP names in real VS Code tokenization', async function () {
    const hip = await open('kernel.hip');
    assert.equal(hip.languageId, 'hip');
    // The server analyses it and finds nothing to port (it is HIP already).
    const res = await request<{ findings: Array<{ code: string }> }>('hipPorter/findings', { uri: hip.uri.toString() });
    assert.deepEqual(res.findings.filter((f) => /^HP1/.test(f.code)), []);
    // Tokenize with the workbench's own TextMate engine and its built-in C++ grammar.
    const ext = vscode.extensions.getExtension('hip-porter.hip-porter')!;
    const tokenize = await hipTokenizer(join(ext.extensionPath, 'syntaxes', 'hip.tmLanguage.json'));
    const tokens = tokenize(hip.getText());
    const scopeOf = (text: string): string => (tokens.find((t) => t.text === text)?.scopes ?? []).join(' ');
    assert.match(scopeOf('__global__'), /storage\.modifier\.hip/);
    assert.match(scopeOf('threadIdx'), /variable\.language\.hip/);
    assert.match(scopeOf('hipMalloc'), /support\.function\.hip/);
    assert.match(scopeOf('hipLaunchKernelGGL'), /support\.function\.kernel-launch\.hip/);
    assert.match(scopeOf('dim3'), /support\.type\.hip/);
    // Not inside comments and strings.
    const quiet = tokenize('// hipMalloc threadIdx __global__\nconst char* s = "hipFree blockIdx";\n');
    for (const t of quiet) {
      if (/hip|Idx|__global__/.test(t.text)) assert.deepEqual(t.scopes.filter((x) => x.endsWith('.hip') && x !== 'source.hip'), [], `'${t.text}' in a comment/string`);
    }
    // Launch brackets inside a function body.
    const launch = tokenize('int main() {\n  k<<<dim3(1), 64>>>(p);\n}\n');
    assert.match(launch.find((t) => t.text === '<<<')?.scopes.join(' ') ?? '', /punctuation\.section\.kernel-launch\.begin\.hip/);
    assert.match(launch.find((t) => t.text === '>>>')?.scopes.join(' ') ?? '', /punctuation\.section\.kernel-launch\.end\.hip/);
  });

  it('analyses a .cpp file that includes cuda_runtime.h, and leaves plain C++ alone', async function () {
    const host = await open('host.cpp');
    assert.equal(host.languageId, 'cpp');
    const d = await waitForDiagnostics(host.uri, (x) => !!diagAt(x, 'HP101', rangeOfText(host, 'cudaGetDeviceCount')), 'HP101 on cudaGetDeviceCount in host.cpp');
    assert.ok(diagAt(d, 'HP110', rangeOfText(host, '<cuda_runtime.h>')), 'HP110 on the include');
    const plain = await open('plain.cpp');
    const res = await request<{ findings: unknown[]; skipped?: string }>('hipPorter/findings', { uri: plain.uri.toString() });
    assert.deepEqual(res.findings, []);
    assert.deepEqual(hpDiagnostics(plain.uri), []);
  });

  it('shows the status bar item with the target ROCm and the active file\'s finding count', async function () {
    await vscode.window.showTextDocument(reduce);
    const ctx = await extensionContext();
    const item = ctx.features.statusBar;
    const n = hpDiagnostics(reduce.uri).length;
    assert.ok(n > 0);
    await waitFor(() => item.text === `$(chip) HIP Porter: ROCm 6.2 · ${n} findings`, { what: `status bar text with ${n} findings (is: ${item.text})` });
  });

  it('hides warp diagnostics when hipPorter.severity.warp is off, without reload, and restores them', async function () {
    const cfg = vscode.workspace.getConfiguration('hipPorter');
    const t0 = Date.now();
    await cfg.update('severity', { warp: 'off' }, vscode.ConfigurationTarget.Workspace);
    await waitForDiagnostics(reduce.uri, (d) => !hasWarp(d) && d.some((x) => codeOf(x) === 'HP101'), 'warp diagnostics gone, renames kept');
    metrics['settingAppliedMs'] = Date.now() - t0;
    await cfg.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    await waitForDiagnostics(reduce.uri, hasWarp, 'warp diagnostics back');
    this.test!.title += ` [applied in ${metrics['settingAppliedMs']} ms]`;
  });

  it('hipPorter.restartServer starts a new server process and the diagnostics come back', async function () {
    const before = hpDiagnostics(reduce.uri).map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}`).sort();
    const pids = await serverPids();
    let cleared = false;
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === reduce.uri.toString()) && hpDiagnostics(reduce.uri).length === 0) cleared = true;
    });
    const t0 = Date.now();
    try {
      await vscode.commands.executeCommand('hipPorter.restartServer');
      const after = await waitForDiagnostics(reduce.uri, (d) => cleared && d.length === before.length, 'diagnostics cleared and republished');
      metrics['restartMs'] = Date.now() - t0;
      assert.deepEqual(after.map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}`).sort(), before);
    } finally {
      sub.dispose();
    }
    const now = await waitFor(async () => ((await serverPids()).length > pids.length ? serverPids() : undefined), { what: 'a new "ready (pid N)" line' });
    assert.notEqual(now[now.length - 1], pids[pids.length - 1], 'a different server process');
    this.test!.title += ` [${metrics['restartMs']} ms]`;
  });

  it('restarts a server that crashed (SIGKILL) and republishes diagnostics', async function () {
    const pids = await waitFor(async () => ((await serverPids()).length > 0 ? serverPids() : undefined), { what: 'a server ready line' });
    const victim = pids[pids.length - 1]!;
    assert.ok(victim > 0);
    // After a crash the client keeps the old diagnostics until the new server publishes: count publications after the kill.
    let published = 0;
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === reduce.uri.toString())) published++;
    });
    const t0 = Date.now();
    try {
      process.kill(victim, 'SIGKILL');
      const now = await waitFor(async () => {
        const p = await serverPids();
        return p.length > pids.length ? p : undefined;
      }, { timeoutMs: 20_000, what: 'a new server after the crash' });
      assert.notEqual(now[now.length - 1], victim);
      await waitForDiagnostics(reduce.uri, (d) => published > 0 && hasWarp(d) && d.some((x) => codeOf(x) === 'HP101'), 'diagnostics republished after the crash restart');
      metrics['crashRecoveryMs'] = Date.now() - t0;
    } finally {
      sub.dispose();
    }
    assert.match(await outputLog(), /stopped unexpectedly; restarting \(1 of 4/);
    this.test!.title += ` [${metrics['crashRecoveryMs']} ms]`;
  });

  it('gives up after 4 restarts within 3 minutes, says so, and hipPorter.restartServer brings the server back', async function () {
    const ctx = await extensionContext();
    const client = ctx.features.server.client;
    // Crash the newest server until the policy gives up (5 crashes within the window; earlier tests may have used some).
    const gaveUp = async (): Promise<boolean> => /times in 3 minutes and was not restarted/.test(await outputLog());
    for (let i = 0; i < 6 && !(await gaveUp()); i++) {
      const pids = await waitFor(async () => ((await serverPids()).length > 0 ? serverPids() : undefined), { what: 'a server ready line' });
      process.kill(pids[pids.length - 1]!, 'SIGKILL');
      await waitFor(async () => ((await serverPids()).length > pids.length || (await gaveUp()) ? true : undefined), { timeoutMs: 20_000, what: `a new server or the give-up after crash ${i + 1}` });
    }
    await waitFor(async () => /crashed 5 times in 3 minutes and was not restarted/.test(await outputLog()), { what: 'the give-up message in the log' });
    await waitFor(() => client.state === 1 /* State.Stopped */, { what: 'client stopped' });
    const t0 = Date.now();
    await vscode.commands.executeCommand('hipPorter.restartServer');
    assert.equal(client.state, 2 /* State.Running */);
    await waitForDiagnostics(reduce.uri, (d) => hasWarp(d) && d.some((x) => codeOf(x) === 'HP101'), 'diagnostics after the manual restart');
    this.test!.title += ` [back in ${Date.now() - t0} ms]`;
  });
});
