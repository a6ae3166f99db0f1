/**
 * The ROCm box picker's entries (pure: `vscode` is imported for its types only, so unit tests
 * reach this file under plain Node).
 */
import type * as vscode from 'vscode';

/** Label of the local choice in the picker. */
export const LOCAL_BOX_LABEL = 'This machine (local)';

/** One picker entry: `host` '' = local. */
export interface BoxItem extends vscode.QuickPickItem {
  host: string;
}

/**
 * The picker entries: local first, then every alias (in ssh config order), the current one marked.
 * Pure apart from the QuickPickItem shape. `current` '' = local.
 */
export function rocmBoxItems(hosts: readonly string[], current: string): BoxItem[] {
  const items: BoxItem[] = [{ label: LOCAL_BOX_LABEL, host: '', description: current === '' ? 'current' : '' }];
  for (const h of hosts) items.push({ label: h, host: h, description: h === current ? 'current' : 'ssh host' });
  if (current !== '' && !hosts.includes(current)) {
    items.push({ label: current, host: current, description: 'current (not in your ssh config)' });
  }
  return items;
}
