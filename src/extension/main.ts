/**
 * Extension entry point: builds the shared context, registers the lifecycle commands, and hands
 * everything else to the feature modules. Activation: `.cu`/`.cuh` (`cuda-cpp`), `.hip`, or any
 * HIP Porter command.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { setAssetDir } from '../core/assets';
import { COMMANDS, registerCommand } from './commands';
import type { HipPorterContext } from './context';
import * as client from './client';
import * as statusBar from './status-bar';
import * as portFile from './port-file';
import * as hipccTask from './hipcc-task';
import * as validatePort from './validate-port';

let current: HipPorterContext | undefined;

/** Features in start order; each pushes its disposables onto `ctx.subscriptions`. */
const FEATURES: ReadonlyArray<{ name: string; activate(ctx: HipPorterContext): void | Promise<void> }> = [
  { name: 'status bar', activate: statusBar.activate },
  { name: 'language client', activate: client.activate },
  { name: 'port and review', activate: portFile.activate },
  { name: 'hipcc builds', activate: hipccTask.activate },
  { name: 'port validation', activate: validatePort.activate },
];

export async function activate(extension: vscode.ExtensionContext): Promise<void> {
  const t0 = Date.now();
  const log = vscode.window.createOutputChannel('HIP Porter', { log: true });
  const distDir = join(extension.extensionPath, 'dist');
  setAssetDir(distDir);
  const ctx: HipPorterContext = { extension, subscriptions: extension.subscriptions, log, distDir, services: new Map() };
  current = ctx;
  extension.subscriptions.push(log);
  registerCommand(ctx, COMMANDS.showOutput, () => log.show());
  for (const f of FEATURES) {
    try {
      await f.activate(ctx);
    } catch (e) {
      log.error(`could not start ${f.name}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
  log.info(`HIP Porter ${String(extension.extension.packageJSON.version)} activated in ${Date.now() - t0} ms`);
}

export async function deactivate(): Promise<void> {
  await client.deactivate();
  current = undefined;
}

/** The running extension's context (for tests through the extension's exports). */
export function currentContext(): HipPorterContext | undefined {
  return current;
}
