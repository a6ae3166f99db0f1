/**
 * Choosing where hipcc runs: "This machine" or a Host alias from the user's ssh config.
 * Commands: hipPorter.selectRocmBox. Settings written: hipPorter.build.remoteHost (workspace);
 * read: hipPorter.build.sshConfigFile.
 */
import * as vscode from 'vscode';
import { listSshHosts } from '../core/build';
import { COMMANDS, registerCommand } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import { configToBuildSettings } from './build-settings';
import { LOCAL_BOX_LABEL, rocmBoxItems } from './rocm-box-items';

/**
 * Shows the picker and writes the choice to the workspace settings (`hipPorter.build.remoteHost`).
 * Returns the chosen host ('' = local) or undefined when dismissed.
 */
export async function selectRocmBox(ctx: HipPorterContext): Promise<string | undefined> {
  const settings = configToBuildSettings(config());
  const hosts = await listSshHosts(settings.sshConfigFile || undefined);
  const current = settings.remoteHost;
  const items = rocmBoxItems(hosts, current);
  const pick = await vscode.window.showQuickPick(items, {
    title: 'HIP Porter: where should hipcc run?',
    placeHolder: `Current: ${current || LOCAL_BOX_LABEL}. Hosts come from ${settings.sshConfigFile || '~/.ssh/config'}.`,
    matchOnDescription: true,
  });
  if (!pick) return undefined;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('hipPorter').update('build.remoteHost', pick.host, target);
  ctx.log.info(`ROCm box: ${pick.host || 'local'}`);
  void vscode.window.setStatusBarMessage(`HIP Porter: builds run on ${pick.host || 'this machine'}`, 4000);
  return pick.host;
}

/** Registers hipPorter.selectRocmBox. */
export function activate(ctx: HipPorterContext): void {
  registerCommand(ctx, COMMANDS.selectRocmBox, () => selectRocmBox(ctx));
}
