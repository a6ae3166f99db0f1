/**
 * hipcc builds in VS Code: the `hipcc` task type (TaskProvider + a pseudoterminal execution,
 * job-terminal.ts, that streams, cancels and publishes build diagnostics), the run command after a
 * build (run-command.ts) and hipPorter.build. Returns the {@link Builds} state (fix-build.ts reads it).
 * Commands: hipPorter.build. Settings read: hipPorter.build.*.
 */
import * as vscode from 'vscode';
import { basename, isAbsolute } from 'node:path';
import { countBySeverity, formatSeconds, isBuildError, runBuildPlan, type BuildPlan, type PlanContext } from '../core/build/index';
import { BuildDiagnostics } from './build-diagnostics';
import { BUILDABLE_FILE_RE, buildErrorExitCode, displayCommand, type BuildRecord } from './build-outcome';
import { configToBuildSettings, taskJsonToPlan, type HipccTaskJson } from './build-settings';
import { COMMANDS, registerCommand } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import { BOLD, DIM, GREEN, JobTerminal, RED, RESET, type TerminalIO } from './job-terminal';
import { runAfterBuild } from './run-command';

export type { BuildRecord } from './build-outcome';

/** The task type contributed in package.json `taskDefinitions`. */
export const HIPCC_TASK_TYPE = 'hipcc';
/** Name of the task the provider offers. */
export const PROVIDED_TASK_NAME = 'Build current file with hipcc';
/**
 * Problem matcher contributed in package.json (owner `hipPorter.build`), for tasks.json entries and
 * shell tasks (make, cmake) that run hipcc. Our own tasks do not attach it: they publish the engine's
 * parsed diagnostics (remote paths mapped, host/device repeats merged, linker errors included) into
 * the `hipcc` collection, and the matcher on top would list every error twice in Problems.
 */
export const HIPCC_PROBLEM_MATCHER = '$hipcc';
/** Task source shown in the task picker. */
export const TASK_SOURCE = 'HIP Porter';

/** Build state shared by the task executions and the commands (fix-build reads `last`). */
export class Builds implements vscode.Disposable {
  readonly diagnostics = new BuildDiagnostics();
  private readonly finished = new vscode.EventEmitter<BuildRecord>();
  /** Fired after every build (success, compile errors, or failure to run), diagnostics already published. */
  readonly onDidFinish = this.finished.event;
  /** Last build per absolute source file. */
  readonly last = new Map<string, BuildRecord>();
  /** Source files whose build is running now (hipcc started or about to start). */
  readonly running = new Set<string>();

  constructor(private readonly ctx: HipPorterContext) {}

  /** The task for a tasks.json-style definition (provided, resolved, or made by the build command). */
  task(def: HipccTaskJson, name: string, scope: vscode.WorkspaceFolder | vscode.TaskScope, matchers: string[] = []): vscode.Task {
    // VS Code hands the callback the definition with ${file} & co. already resolved.
    const exec = new vscode.CustomExecution(async (resolved) => new JobTerminal((io, signal) => this.run({ ...def, ...(resolved as HipccTaskJson) }, io, signal)));
    const t = new vscode.Task(def, scope, name, TASK_SOURCE, exec, matchers);
    t.group = vscode.TaskGroup.Build;
    t.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true, showReuseMessage: false };
    return t;
  }

  /** Runs one build in a pseudoterminal; resolves with the task's exit code. */
  private async run(def: HipccTaskJson, io: TerminalIO, signal: AbortSignal): Promise<number> {
    if (!vscode.workspace.isTrusted) {
      io.write(`${RED}HIP Porter: builds are disabled in untrusted workspaces (Workspace Trust). Trust this folder to build.${RESET}\n`);
      return 1;
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    const currentFile = active?.scheme === 'file' ? active.fsPath : undefined;
    const anchor = def.file && isAbsolute(def.file) ? vscode.Uri.file(def.file) : active;
    const folder = (anchor && vscode.workspace.getWorkspaceFolder(anchor)) ?? vscode.workspace.workspaceFolders?.[0];
    const settings = configToBuildSettings(config(anchor ?? folder?.uri));
    const pctx: PlanContext = {};
    if (currentFile) pctx.currentFile = currentFile;
    if (folder) pctx.workspaceFolder = folder.uri.fsPath;
    let plan: BuildPlan;
    try {
      plan = taskJsonToPlan(def, settings, pctx);
    } catch (e) {
      io.write(`${RED}${e instanceof Error ? e.message : String(e)}${RESET}\n`);
      return 1;
    }
    const files = plan.request.sources;
    // Build what the editor shows: save open sources with unsaved changes.
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.isDirty && doc.uri.scheme === 'file' && files.includes(doc.uri.fsPath)) await doc.save();
    }
    this.diagnostics.clear();
    const where = plan.remote ? `${plan.remote.host}:${plan.remote.remoteDir ?? ''}` : 'this machine';
    io.write(`${BOLD}> ${displayCommand(plan)}${RESET}\n${DIM}  on ${where}${RESET}\n`);
    const t0 = Date.now();
    const record: BuildRecord = { files, plan, exitCode: 1, durationMs: 0 };
    for (const f of files) this.running.add(f);
    try {
      const result = await runBuildPlan(plan, { signal, onOutput: (chunk) => io.write(chunk) });
      record.result = result;
      record.exitCode = result.exitCode;
      record.durationMs = result.durationMs;
      await this.diagnostics.publish(result.diagnostics, files[0]!);
      const { errors, warnings } = countBySeverity(result.diagnostics);
      const colour = result.exitCode === 0 ? GREEN : RED;
      io.write(`${colour}hipcc exited with ${result.exitCode}${RESET} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}) in ${formatSeconds(result.durationMs)}\n`);
      if (result.exitCode === 0 && result.outputPath) io.write(`${DIM}output: ${result.outputPath}${RESET}\n`);
    } catch (e) {
      record.error = e instanceof Error ? e : new Error(String(e));
      record.exitCode = buildErrorExitCode(e);
      record.durationMs = Date.now() - t0;
      io.write(`\n${RED}${BOLD}Build failed: ${record.error.message}${RESET}\n`);
    } finally {
      for (const f of files) this.running.delete(f);
    }
    this.ctx.log.info(
      `build: ${displayCommand(plan)} | host ${plan.remote?.host ?? 'local'} | ${record.error ? `failed (${isBuildError(record.error) ? record.error.code : 'error'})` : `exit ${record.exitCode}`} | ${formatSeconds(record.durationMs)}`,
    );
    for (const f of files) this.last.set(f, record);
    this.finished.fire(record);

    if (record.result && record.exitCode === 0 && settings.runCommand && !signal.aborted) {
      return runAfterBuild(this.ctx.log, settings, plan, record.result, pctx, io, signal);
    }
    return record.exitCode;
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.finished.dispose();
  }
}

/** The file the commands act on: an explicit URI argument, else the active editor's document. */
export function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  return vscode.window.activeTextEditor?.document.uri;
}

/**
 * hipPorter.build: builds `uri` (default: the active editor's file) as a `hipcc` task, so it runs
 * in the terminal with the problem matcher. Resolves when the build ended with its record (undefined
 * when the task ended without building). Refuses in untrusted workspaces.
 */
async function buildCommand(builds: Builds, arg: unknown): Promise<BuildRecord | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('HIP Porter: builds are disabled in untrusted workspaces. Trust this folder (Workspace Trust) to build with hipcc.');
    return undefined;
  }
  const uri = targetUri(arg);
  if (!uri || uri.scheme !== 'file') throw new Error('open a HIP, CUDA or C++ file (saved on disk) to build it with hipcc.');
  if (!BUILDABLE_FILE_RE.test(uri.fsPath)) throw new Error(`${basename(uri.fsPath)} is not a .hip, .cu or .cpp file.`);
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const task = builds.task({ type: 'hipcc', file: uri.fsPath }, `Build ${basename(uri.fsPath)} with hipcc`, folder ?? vscode.TaskScope.Workspace);
  return new Promise<BuildRecord | undefined>((resolve, reject) => {
    let execution: vscode.TaskExecution | undefined;
    const subs: vscode.Disposable[] = [];
    const done = (r: BuildRecord | undefined): void => {
      for (const s of subs) s.dispose();
      resolve(r);
    };
    subs.push(
      builds.onDidFinish((r) => {
        if (r.files.includes(uri.fsPath)) done(r);
      }),
      vscode.tasks.onDidEndTask((e) => {
        if (execution && e.execution === execution) done(builds.last.get(uri.fsPath));
      }),
    );
    vscode.tasks.executeTask(task).then(
      (x) => (execution = x),
      (e: unknown) => {
        for (const s of subs) s.dispose();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Registers the task provider, the build diagnostics and hipPorter.build; returns the build state. */
export function activate(ctx: HipPorterContext): Builds {
  const builds = new Builds(ctx);
  ctx.subscriptions.push(builds);

  ctx.subscriptions.push(
    vscode.tasks.registerTaskProvider(HIPCC_TASK_TYPE, {
      provideTasks: () => {
        if (!vscode.workspace.isTrusted) return [];
        const doc = vscode.window.activeTextEditor?.document;
        if (!doc || doc.uri.scheme !== 'file' || !BUILDABLE_FILE_RE.test(doc.uri.fsPath)) return [];
        const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
        return [builds.task({ type: 'hipcc', file: '${file}' }, PROVIDED_TASK_NAME, folder ?? vscode.TaskScope.Workspace)];
      },
      resolveTask: (task) => {
        const def = task.definition as HipccTaskJson;
        if (def.type !== HIPCC_TASK_TYPE) return undefined;
        const scope = task.scope ?? vscode.TaskScope.Workspace;
        // A problemMatcher written in tasks.json (e.g. "$hipcc") is kept; none is added (see HIPCC_PROBLEM_MATCHER).
        return builds.task(def, task.name, scope, task.problemMatchers);
      },
    }),
  );

  registerCommand(ctx, COMMANDS.build, (arg: unknown) => buildCommand(builds, arg));
  return builds;
}
