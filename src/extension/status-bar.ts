/**
 * Status bar item shown while a CUDA/HIP file is active: "$(chip) HIP Porter: ROCm <target>" and the
 * number of HIP Porter diagnostics in that file, a spinner while the server is busy; click opens
 * the Problems view. Settings read: hipPorter.targetRocm. Services: `statusBar` (the item, for tests).
 */
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from '../shared/lsp-protocol';
import { onServerStatus, serverStatus } from './client';
import { config } from './config';
import type { HipPorterContext } from './context';

/** Key of the StatusBarItem in `ctx.services`. */
export const STATUS_BAR_SERVICE = 'statusBar';

/** Language ids the item shows for unconditionally; `cpp`/`c` files show it only when they have HIP Porter diagnostics. */
const CUDA_LANGUAGES: ReadonlySet<string> = new Set(['cuda-cpp', 'hip']);

/** Counts of HIP Porter diagnostics by severity. */
export interface FindingCounts {
  total: number;
  errors: number;
  warnings: number;
  other: number;
}

/** Counts the diagnostics whose `source` is HIP Porter's among `diagnostics`. */
export function countFindings(diagnostics: readonly vscode.Diagnostic[]): FindingCounts {
  const c: FindingCounts = { total: 0, errors: 0, warnings: 0, other: 0 };
  for (const d of diagnostics) {
    if (d.source !== DIAGNOSTIC_SOURCE) continue;
    c.total++;
    if (d.severity === vscode.DiagnosticSeverity.Error) c.errors++;
    else if (d.severity === vscode.DiagnosticSeverity.Warning) c.warnings++;
    else c.other++;
  }
  return c;
}

/**
 * The item's text: `$(chip) HIP Porter: ROCm <target>` (a spinning `$(sync~spin)` instead of the
 * chip while busy), followed by `· N finding(s)` when there are any.
 */
export function statusText(targetRocm: string, counts: FindingCounts, busy: boolean): string {
  const icon = busy ? '$(sync~spin)' : '$(chip)';
  const n = counts.total === 0 ? '' : ` · ${counts.total} finding${counts.total === 1 ? '' : 's'}`;
  return `${icon} HIP Porter: ROCm ${targetRocm}${n}`;
}

/** Creates the item and keeps it in sync with the active editor, diagnostics, settings and server state. */
export function activate(ctx: HipPorterContext): void {
  const item = vscode.window.createStatusBarItem('hipPorter.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'HIP Porter';
  item.command = { command: 'workbench.actions.view.problems', title: 'Show Problems' };
  ctx.subscriptions.push(item);
  ctx.services.set(STATUS_BAR_SERVICE, item);

  const update = (): void => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      item.hide();
      return;
    }
    const doc = editor.document;
    const counts = countFindings(vscode.languages.getDiagnostics(doc.uri));
    if (!CUDA_LANGUAGES.has(doc.languageId) && counts.total === 0) {
      item.hide();
      return;
    }
    const status = serverStatus();
    const busy = status.state === 'busy';
    const target = config(doc.uri).targetRocm;
    item.text = statusText(target, counts, busy);
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = { enabledCommands: ['workbench.actions.view.problems', 'hipPorter.showOutput'] };
    tip.appendMarkdown(`**HIP Porter** · target ROCm ${target}\n\n`);
    tip.appendMarkdown(`${counts.errors} errors, ${counts.warnings} warnings, ${counts.other} other findings in this file\n\n`);
    if (busy) tip.appendMarkdown(`Server: ${status.message ?? 'busy'}\n\n`);
    tip.appendMarkdown('[Problems](command:workbench.actions.view.problems) · [Output](command:hipPorter.showOutput)');
    item.tooltip = tip;
    item.backgroundColor = counts.errors > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };

  ctx.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.languages.onDidChangeDiagnostics((e) => {
      const active = vscode.window.activeTextEditor?.document.uri.toString();
      if (active !== undefined && e.uris.some((u) => u.toString() === active)) update();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('hipPorter.targetRocm')) update();
    }),
    onServerStatus(update),
  );
  update();
}
