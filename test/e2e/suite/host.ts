/**
 * Typed helpers for the in-host e2e tests: the harness's `runMochaSuite`/`waitFor`
 * (test/e2e/host-runner.js), access to the running HIP Porter extension's context, and small
 * waits on diagnostics. Runs inside the VS Code extension host only.
 */
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningExtension } from '../../../src/extension/main';

interface HostRunner {
  runMochaSuite(options: { files: string[]; timeoutMs?: number; grep?: string }): Promise<unknown>;
  waitFor<T>(predicate: () => T | Promise<T>, options?: { timeoutMs?: number; intervalMs?: number; what?: string }): Promise<NonNullable<T>>;
}
// A plain CommonJS harness file, bundled by esbuild.
const runner = require('../host-runner.js') as HostRunner;

/** Runs mocha files in this extension host (see test/e2e/host-runner.js). */
export const runMochaSuite = runner.runMochaSuite;

/**
 * Polls `predicate` every `intervalMs` (default 50 ms) until it returns a truthy value, which it
 * resolves with; throws naming `what` after `timeoutMs` (default 10000 ms).
 */
export const waitFor = runner.waitFor;

/** The extension's id (`publisher.name` from package.json). */
export const EXTENSION_ID = 'hip-porter.hip-porter';

/** Value of `Diagnostic.source` on HIP Porter's diagnostics (src/shared/lsp-protocol.ts). */
export const SOURCE = 'HIP Porter';

/** The extension, activated (activates it if needed). Throws when it is not installed. */
export async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  if (!ext.isActive) await ext.activate();
  return ext;
}

/**
 * The running extension's context, from the very module instance the extension host loaded
 * (`dist/extension.js` exports `currentContext()`; require returns the cached module).
 */
export async function extensionContext(): Promise<RunningExtension> {
  const ext = await activeExtension();
  // The extension's own bundle, resolved at run time.
  const main = require(join(ext.extensionPath, 'dist', 'extension.js')) as { currentContext(): RunningExtension | undefined };
  const ctx = main.currentContext();
  if (!ctx) throw new Error('HIP Porter is active but has no context');
  return ctx;
}

/** The text of the "HIP Porter" output channel's log file (`<logUri>/HIP Porter.log`), '' before it exists. */
export async function outputLog(): Promise<string> {
  const ctx = await extensionContext();
  try {
    return readFileSync(join(ctx.extension.logUri.fsPath, 'HIP Porter.log'), 'utf8');
  } catch {
    return '';
  }
}

/** HIP Porter's diagnostics of a document. */
export function hpDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** The diagnostic's code as a string (codes may come as `{ value, target }`). */
export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c);
}

/**
 * Waits until the document's HIP Porter diagnostics satisfy `ok`, and returns them. Bounded by
 * `timeoutMs` (default 20000): the first analysis waits for the server's parser to load.
 */
export function waitForDiagnostics(uri: vscode.Uri, ok: (d: vscode.Diagnostic[]) => boolean, what: string, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  return waitFor(
    () => {
      const d = hpDiagnostics(uri);
      return ok(d) ? d : undefined;
    },
    { timeoutMs, what },
  );
}

/** The range of the `nth` (0-based) occurrence of `needle` in the document; throws when absent. */
export function rangeOfText(doc: vscode.TextDocument, needle: string, nth = 0): vscode.Range {
  const text = doc.getText();
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (#${nth}) not found in ${doc.uri.fsPath}`);
  }
  return new vscode.Range(doc.positionAt(at), doc.positionAt(at + needle.length));
}

/** Makes `doc` the active editor and reverts it to its saved text (no-op when not dirty). */
export async function revert(doc: vscode.TextDocument): Promise<void> {
  if (!doc.isDirty) return;
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor(() => !doc.isDirty, { what: `${doc.uri.fsPath} reverted` });
}
