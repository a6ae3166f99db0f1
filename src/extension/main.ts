/**
 * Extension entry point: builds every feature in dependency order, handing each the features it
 * uses as typed parameters (no feature starts another), and registers the lifecycle commands.
 * Activation: `.cu`/`.cuh` (`cuda-cpp`), `.hip`, or any HIP Porter command.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { COMMANDS, registerCommand } from './commands';
import type { HipPorterContext } from './context';
import * as agentPanel from './agent-panel';
import * as agentRun from './agent-run';
import * as buildAfterAccept from './build-after-accept';
import * as client from './client';
import * as diffReview from './diff-review';
import * as fixBuild from './fix-build';
import * as hipccTask from './hipcc-task';
import * as portFile from './port-file';
import * as projectPort from './project-port';
import * as projectTask from './project-task';
import * as rocmBox from './rocm-box';
import * as secrets from './secrets';
import * as statusBar from './status-bar';
import * as validatePort from './validate-port';

/** The features other features (and the in-host tests) use, as built by {@link activate}. */
export interface HipPorterFeatures {
  /** The language server: the engine for the editor (client.ts). */
  readonly server: client.LanguageServer;
  /** The status bar item (status-bar.ts). */
  readonly statusBar: vscode.StatusBarItem;
  /** The Anthropic API key store (secrets.ts). */
  readonly keys: secrets.KeyStore;
  /** Proposal review (diff-review.ts). */
  readonly review: diffReview.ReviewService;
  /** The Porting Agent panel (agent-panel.ts). */
  readonly panel: agentPanel.AgentPanel;
  /** Agent runs with the panel (agent-run.ts). */
  readonly agent: agentRun.AgentRunner;
  /** hipcc builds: tasks, last build per file (hipcc-task.ts). */
  readonly builds: hipccTask.Builds;
}

/** The running extension: its context and its features. */
export interface RunningExtension extends HipPorterContext {
  readonly features: HipPorterFeatures;
}

let current: RunningExtension | undefined;

export function activate(extension: vscode.ExtensionContext): void {
  const t0 = Date.now();
  const log = vscode.window.createOutputChannel('HIP Porter', { log: true });
  const ctx: HipPorterContext = { extension, subscriptions: extension.subscriptions, log, distDir: join(extension.extensionPath, 'dist') };
  extension.subscriptions.push(log);
  registerCommand(ctx, COMMANDS.showOutput, () => log.show());

  const server = client.activate(ctx);
  const statusBarItem = statusBar.activate(ctx, server);
  const keys = secrets.activate(ctx);
  const review = diffReview.activate(ctx);
  const panel = agentPanel.activate(ctx, review, keys);
  const agent = agentRun.activate(ctx, { server, panel, keys });
  portFile.activate(ctx, { server, review, agent });
  projectPort.activate(ctx, { server, review });
  const builds = hipccTask.activate(ctx);
  projectTask.activate(ctx, builds);
  rocmBox.activate(ctx);
  fixBuild.activate(ctx, { builds, review, agent });
  buildAfterAccept.activate(ctx, review);
  validatePort.activate(ctx, { review, agent });

  current = { ...ctx, features: { server, statusBar: statusBarItem, keys, review, panel, agent, builds } };
  log.info(`HIP Porter ${String(extension.extension.packageJSON.version)} activated in ${Date.now() - t0} ms`);
}

export async function deactivate(): Promise<void> {
  await client.deactivate();
  current = undefined;
}

/** The running extension (for the in-host tests, through the bundle's exports). */
export function currentContext(): RunningExtension | undefined {
  return current;
}
