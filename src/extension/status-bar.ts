/**
 * Status bar item shown while a CUDA/HIP file is active: "$(chip) HIP Porter: ROCm <target>" and the
 * number of HIP Porter diagnostics in that file, a spinner while the server is busy; click opens
 * the Problems view. Settings read: hipPorter.targetRocm. Returns the item (for tests).
 */
import * as vscode from 'vscode';
import type { LanguageServer } from './client';
import { config } from './config';
import type { HipPorterContext } from './context';
import { countFindings, statusText } from './status-text';

/** Language ids the item shows for unconditionally; `cpp`/`c` files show it only when they have HIP Porter diagnostics. */
const CUDA_LANGUAGES: ReadonlySet<string> = new Set(['cuda-cpp', 'hip']);

/** Creates the item and keeps it in sync with the active editor, diagnostics, settings and the server's state. */
export function activate(ctx: HipPorterContext, server: LanguageServer): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('hipPorter.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'HIP Porter';
  item.command = { command: 'workbench.actions.view.problems', title: 'Show Problems' };
  ctx.subscriptions.push(item);

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
    const status = server.status();
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
    server.onStatus(update),
  );
  update();
  return item;
}
