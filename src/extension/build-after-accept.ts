/**
 * Build after accept: when `hipPorter.build.buildAfterAccept` is on, files written by the review
 * (diff-review.ts `onDidWrite`) are built with hipPorter.build, one at a time.
 * Settings read: hipPorter.build.buildAfterAccept.
 */
import * as vscode from 'vscode';
import { BUILDABLE_FILE_RE } from './build-outcome';
import { COMMANDS } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import type { ReviewService } from './diff-review';

/**
 * Builds, one after the other, the written files that hipcc can build, when
 * `hipPorter.build.buildAfterAccept` is on for them and the workspace is trusted. Called with the
 * review service's `onDidWrite` URIs. Resolves when the builds ended.
 */
export async function buildWritten(uris: readonly vscode.Uri[], log: vscode.LogOutputChannel): Promise<void> {
  if (!vscode.workspace.isTrusted) return;
  for (const uri of uris) {
    if (uri.scheme !== 'file' || !BUILDABLE_FILE_RE.test(uri.fsPath) || !config(uri).buildAfterAccept) continue;
    log.info(`build after accept: ${vscode.workspace.asRelativePath(uri)}`);
    await vscode.commands.executeCommand(COMMANDS.build, uri);
  }
}

/** Builds what the review writes (see {@link buildWritten}); builds run one at a time (a build clears the hipcc diagnostics when it starts). */
export function activate(ctx: HipPorterContext, review: ReviewService): void {
  let queue = Promise.resolve();
  ctx.subscriptions.push(
    review.onDidWrite((e) => {
      queue = queue.then(() => buildWritten(e.uris, ctx.log)).catch((err: unknown) => ctx.log.error(`build after accept: ${err instanceof Error ? err.message : String(err)}`));
    }),
  );
}
