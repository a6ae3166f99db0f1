/**
 * "Ask Agent to Fix Build Errors": the file's last failed build (hipcc-task.ts) goes to the agent,
 * whose answer opens in review. Commands: hipPorter.fixBuildErrors.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { AgentRunner } from './agent-run';
import { buildOutputForAgent } from './build-outcome';
import { COMMANDS, registerCommand } from './commands';
import type { HipPorterContext } from './context';
import type { ReviewService, ReviewSnapshot } from './diff-review';
import { targetUri, type Builds } from './hipcc-task';

/** What fix-build needs from the other features. */
export interface FixBuildDeps {
  builds: Builds;
  review: ReviewService;
  agent: AgentRunner;
}

/**
 * hipPorter.fixBuildErrors: sends the file's current text and its last build's output to the agent
 * runner (agent-run.ts, mode `fix-build`; the panel shows the run) and opens the
 * answer in the review flow (diff-review.ts) with the file itself as the target; nothing is written
 * before the user accepts. Refuses in untrusted workspaces.
 * @param arg the file (a `vscode.Uri`); default the active editor's file
 * @returns the opened review's snapshot, or undefined when no review was opened (no failed build,
 *   no key, agent off or failed, no change proposed)
 * @throws Error when the file is not on disk or its last build did not run hipcc
 */
async function fixBuildErrors(ctx: HipPorterContext, deps: FixBuildDeps, arg: unknown): Promise<ReviewSnapshot | undefined> {
  const { builds, review, agent } = deps;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('HIP Porter: the agent is disabled in untrusted workspaces.');
    return undefined;
  }
  const uri = targetUri(arg);
  if (!uri || uri.scheme !== 'file') throw new Error('open the file whose build failed.');
  const record = builds.last.get(uri.fsPath);
  if (!record || (record.exitCode === 0 && !record.error)) {
    const pick = await vscode.window.showInformationMessage(`No failed build of ${basename(uri.fsPath)} to fix. Build it first?`, 'Build');
    if (pick === 'Build') await vscode.commands.executeCommand(COMMANDS.build, uri);
    return undefined;
  }
  if (record.error && !record.result) throw new Error(`the last build did not run hipcc (${record.error.message}); the agent can only fix compiler errors.`);
  const doc = await vscode.workspace.openTextDocument(uri);
  const text = doc.getText();
  const buildErrors = buildOutputForAgent(record);
  const out = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `HIP Porter: agent fixing build errors in ${basename(uri.fsPath)}`, cancellable: true },
    (_p, token) => agent.runAgentOnText({ source: uri, original: text, proposal: text, mode: 'fix-build', buildErrors }, token),
  );
  ctx.log.info(`fix-build agent: ${out.usedAgent ? 'used' : `not used (${out.reason ?? 'unknown'})`}, ${out.changes.length} change(s)${out.result ? `, ${out.result.steps} step(s)` : ''}`);
  if (!out.usedAgent) {
    // runAgentOnText already told the user about failed / cancelled / incomplete runs.
    if (out.reason === 'no-key') {
      void vscode.window.showWarningMessage('HIP Porter: fixing build errors needs the agent, and no Anthropic API key is set.', 'Set Anthropic API Key').then((b) => {
        if (b) void vscode.commands.executeCommand(COMMANDS.setApiKey);
      });
    } else if (out.reason === 'disabled') {
      void vscode.window.showWarningMessage('HIP Porter: fixing build errors needs the agent, which is switched off (hipPorter.agent.enabled).');
    }
    return undefined;
  }
  if (out.proposal === text) {
    void vscode.window.showInformationMessage(`HIP Porter: the agent proposed no change.${out.result?.summary ? ` ${out.result.summary}` : ''}`);
    return undefined;
  }
  const r = await review.openReview(uri, text, out.proposal, { target: uri, changes: out.changes, findings: out.findings, origin: 'build fix' });
  return r.snapshotInfo();
}

/** Registers hipPorter.fixBuildErrors. */
export function activate(ctx: HipPorterContext, deps: FixBuildDeps): void {
  registerCommand(ctx, COMMANDS.fixBuildErrors, (arg: unknown) => fixBuildErrors(ctx, deps, arg));
}
