/**
 * The table of every command HIP Porter contributes (ids `hipPorter.camelCase`). A unit test asserts
 * that these ids equal `contributes.commands` in package.json. Feature modules register handlers
 * for their ids with {@link registerCommand}.
 */
import * as vscode from 'vscode';
import type { HipPorterContext } from './context';

/** Every command id, with the feature module that owns its handler. */
export const COMMANDS = {
  portFile: 'hipPorter.portFile', // port-file.ts
  portFolder: 'hipPorter.portFolder', // project-port.ts (runs Port Project)
  portProject: 'hipPorter.portProject', // project-port.ts
  projectAccept: 'hipPorter.projectAccept', // project-port.ts
  projectReject: 'hipPorter.projectReject', // project-port.ts
  projectApply: 'hipPorter.projectApply', // project-port.ts
  projectDiscard: 'hipPorter.projectDiscard', // project-port.ts
  projectOpen: 'hipPorter.projectOpen', // project-port.ts
  buildProject: 'hipPorter.buildProject', // project-task.ts
  reviewDiff: 'hipPorter.reviewDiff', // diff-review.ts
  acceptHunk: 'hipPorter.acceptHunk', // diff-review.ts
  rejectHunk: 'hipPorter.rejectHunk', // diff-review.ts
  acceptAll: 'hipPorter.acceptAll', // diff-review.ts
  rejectAll: 'hipPorter.rejectAll', // diff-review.ts
  applyProposal: 'hipPorter.applyProposal', // diff-review.ts
  stopAgent: 'hipPorter.stopAgent', // agent-panel.ts
  setApiKey: 'hipPorter.setApiKey', // secrets.ts
  clearApiKey: 'hipPorter.clearApiKey', // secrets.ts
  build: 'hipPorter.build', // hipcc-task.ts
  selectRocmBox: 'hipPorter.selectRocmBox', // rocm-box.ts
  fixBuildErrors: 'hipPorter.fixBuildErrors', // hipcc-task.ts
  restartServer: 'hipPorter.restartServer', // client.ts
  showOutput: 'hipPorter.showOutput', // main.ts
  validatePort: 'hipPorter.validatePort', // validate-port.ts
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Registers a command handler and ties its lifetime to the extension. Errors are shown, logged, and never thrown into VS Code. */
export function registerCommand(ctx: HipPorterContext, id: CommandId, handler: (...args: any[]) => unknown): void {
  ctx.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        ctx.log.error(`${id}: ${msg}`);
        void vscode.window.showErrorMessage(`HIP Porter: ${msg}`);
        return undefined;
      }
    }),
  );
}
