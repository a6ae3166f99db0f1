/**
 * The Anthropic API key, kept only in VS Code SecretStorage (never in settings, logs or the panel).
 * Commands: hipPorter.setApiKey, hipPorter.clearApiKey. Returns the {@link KeyStore}.
 */
import * as vscode from 'vscode';
import { COMMANDS, registerCommand } from './commands';
import type { HipPorterContext } from './context';

/** SecretStorage key under which the API key is stored. */
export const SECRET_ID = 'hipPorter.anthropicApiKey';

/** Access to the stored key (the agent runner and the panel get it from main.ts). */
export interface KeyStore {
  /** The stored key, or undefined when none is set. */
  get(): Promise<string | undefined>;
  /** Fires with `true`/`false` (is a key stored) whenever the key is set or cleared. */
  readonly onDidChange: vscode.Event<boolean>;
}

/** Registers the key commands; returns the {@link KeyStore}. */
export function activate(ctx: HipPorterContext): KeyStore {
  const secrets = ctx.extension.secrets;
  const changed = new vscode.EventEmitter<boolean>();
  ctx.subscriptions.push(changed);
  ctx.subscriptions.push(
    secrets.onDidChange(async (e) => {
      if (e.key === SECRET_ID) changed.fire((await secrets.get(SECRET_ID)) !== undefined);
    }),
  );

  // The key comes from the input box only: any extension or link could call the command with an
  // argument and replace the user's key with its own (then see every request). The in-host test
  // suites (ExtensionMode.Test) may still pass it as an argument.
  const argAllowed = ctx.extension.extensionMode === vscode.ExtensionMode.Test;
  registerCommand(ctx, COMMANDS.setApiKey, async (arg?: unknown) => {
    let key = argAllowed && typeof arg === 'string' ? arg.trim() : undefined;
    if (key === undefined) {
      key = (
        await vscode.window.showInputBox({
          title: 'HIP Porter: Anthropic API Key',
          prompt: 'Stored in VS Code SecretStorage only (never in settings or logs).',
          placeHolder: 'sk-ant-…',
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() === '' ? 'Enter a key (or press Escape to cancel).' : /\s/.test(v.trim()) ? 'A key has no spaces.' : undefined),
        })
      )?.trim();
      if (key === undefined) return false;
    }
    if (key === '') throw new Error('the API key is empty');
    await secrets.store(SECRET_ID, key);
    changed.fire(true);
    ctx.log.info('Anthropic API key stored in SecretStorage');
    if (!(argAllowed && typeof arg === 'string')) void vscode.window.showInformationMessage('HIP Porter: API key saved. "Port File to HIP" now runs the agent after the rules.');
    return true;
  });

  registerCommand(ctx, COMMANDS.clearApiKey, async () => {
    await secrets.delete(SECRET_ID);
    changed.fire(false);
    ctx.log.info('Anthropic API key removed from SecretStorage');
    return true;
  });

  const store: KeyStore = { get: () => Promise.resolve(secrets.get(SECRET_ID)), onDidChange: changed.event };
  return store;
}
