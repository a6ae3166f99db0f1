/**
 * What every feature module receives: the VS Code extension context, the output channel log and
 * the dist folder. Features that need each other get each other as typed parameters from
 * main.ts, never through this object.
 */
import type * as vscode from 'vscode';

/** The running extension's basics. Created once in `activate`. */
export interface HipPorterContext {
  readonly extension: vscode.ExtensionContext;
  /** Disposed when the extension deactivates. */
  readonly subscriptions: vscode.Disposable[];
  /** The "HIP Porter" output channel (a LogOutputChannel: info/warn/error with timestamps). */
  readonly log: vscode.LogOutputChannel;
  /** Absolute path of the extension's `dist/` (bundles, wasm, mappings). */
  readonly distDir: string;
}
