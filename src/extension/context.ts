/**
 * The one object feature modules receive: the VS Code extension context, the output channel log,
 * and shared services (language client access, proposals). Created once in `activate`.
 */
import * as vscode from 'vscode';

/** Shared state of the running extension. */
export interface HipPorterContext {
  readonly extension: vscode.ExtensionContext;
  /** Disposed when the extension deactivates. */
  readonly subscriptions: vscode.Disposable[];
  /** The "HIP Porter" output channel (a LogOutputChannel: info/warn/error with timestamps). */
  readonly log: vscode.LogOutputChannel;
  /** Absolute path of the extension's `dist/` (bundles, wasm, mappings). */
  readonly distDir: string;
  /** Services that feature modules publish for each other (e.g. `client`, `review`). */
  readonly services: Map<string, unknown>;
}
