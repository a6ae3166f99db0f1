/**
 * hipcc builds in VS Code: the `hipcc` task type (TaskProvider + pseudoterminal execution that streams,
 * cancels and publishes build diagnostics), the optional run command, build-after-accept, and the agent repair.
 * Commands: hipPorter.build, hipPorter.fixBuildErrors (and hipPorter.selectRocmBox via rocm-box.ts).
 * Settings read: hipPorter.build.*. Services used: `review` ({@link ReviewService}, diff-review.ts: fix proposals
 * and its `onDidWrite` for buildAfterAccept) and `agent` ({@link AgentService}, port-file.ts). Service published: `builds`.
 */
import * as vscode from 'vscode';
import { basename, dirname, isAbsolute, relative, sep } from 'node:path';
import { posix } from 'node:path';
import {
  countBySeverity,
  formatSeconds,
  hipccArgs,
  hipccPathOf,
  isBuildError,
  isRemoteResult,
  runBuildPlan,
  runProcess,
  runRemoteCommand,
  shellJoin,
  substituteVariables,
  type BuildError,
  type BuildPlan,
  type BuildResult,
  type PlanContext,
  type RemoteTarget,
} from '../core/build';
import { BuildDiagnostics } from './build-diagnostics';
import { configToBuildSettings, substituteOutput, taskJsonToPlan, toTerminalText, type ExtensionBuildSettings, type HipccTaskJson } from './build-settings';
import { COMMANDS, registerCommand } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import type { ReviewService, ReviewSnapshot } from './diff-review';
import type { AgentService } from './port-file';
import * as rocmBox from './rocm-box';

/** The task type contributed in package.json `taskDefinitions`. */
export const HIPCC_TASK_TYPE = 'hipcc';
/** Name of the task the provider offers. */
export const PROVIDED_TASK_NAME = 'Build current file with hipcc';
/**
 * Problem matcher contributed in package.json (owner `hipPorter.build`), for tasks.json entries and
 * shell tasks (make, cmake) that run hipcc. Our own tasks do not attach it: they publish the engine's
 * parsed diagnostics (remote paths mapped, host/device repeats merged, linker errors included) into
 * the `hipcc` collection, and the matcher on top would list every error twice in Problems
 * (measured in the e2e test).
 */
export const HIPCC_PROBLEM_MATCHER = '$hipcc';
/** Task source shown in the task picker. */
export const TASK_SOURCE = 'HIP Porter';
/** Files the provider and the build command accept. */
export const BUILDABLE_FILE_RE = /\.(hip|cu|cpp|cc|cxx)$/i;

/** Key of the review flow in `ctx.services` (published by diff-review.ts). */
export const REVIEW_SERVICE = 'review';
/** Key of the agent runner in `ctx.services` (published by the port/review flow). */
export const AGENT_SERVICE = 'agent';

/** The outcome of one build, kept per source file for "Ask Agent to Fix Build Errors". */
export interface BuildRecord {
  /** Absolute local source files. */
  files: string[];
  plan: BuildPlan;
  /** hipcc's exit code, or the task's code for a build that could not run (see {@link buildErrorExitCode}). */
  exitCode: number;
  /** Present when hipcc ran to its exit. */
  result?: BuildResult;
  /** Present when the build could not run or finish. */
  error?: BuildError | Error;
  /** Wall-clock milliseconds. */
  durationMs: number;
}

/**
 * The exit code a task reports for a build that could not run: 130 cancelled (like Ctrl+C),
 * 124 timed out (like `timeout`), 127 hipcc not found (like a shell), else 1.
 */
export function buildErrorExitCode(e: unknown): number {
  if (!isBuildError(e)) return 1;
  switch (e.code) {
    case 'cancelled':
      return 130;
    case 'timeout':
      return 124;
    case 'hipcc-not-found':
      return 127;
    default:
      return 1;
  }
}

/** The command line shown in the terminal and the log: the local form of what runs (paths are remapped on a remote box). */
export function displayCommand(plan: BuildPlan): string {
  return shellJoin([hipccPathOf(plan.request), ...hipccArgs(plan.request)]);
}

/** Terminal colours (ANSI SGR). */
const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Write side of the pseudoterminal as the build sees it. */
interface TerminalIO {
  /** Raw text; `\n` is converted to `\r\n`. */
  write(text: string): void;
}

/** A pseudoterminal that runs one async job, aborts it on close or Ctrl+C, and closes with its exit code. */
class JobTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  private readonly abort = new AbortController();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;

  constructor(private readonly job: (io: TerminalIO, signal: AbortSignal) => Promise<number>) {}

  open(): void {
    const io: TerminalIO = { write: (t) => this.writeEmitter.fire(toTerminalText(t)) };
    this.job(io, this.abort.signal).then(
      (code) => this.closeEmitter.fire(code),
      (e: unknown) => {
        io.write(`${RED}${e instanceof Error ? e.message : String(e)}${RESET}\n`);
        this.closeEmitter.fire(1);
      },
    );
  }

  /** The terminal was closed or the task terminated: cancel (kills the process tree). */
  close(): void {
    this.abort.abort();
  }

  /** Ctrl+C in the terminal cancels too. */
  handleInput(data: string): void {
    if (data === '\x03') this.abort.abort();
  }
}

/** Build state shared by the task executions and the commands. */
class Builds implements vscode.Disposable {
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
      return this.runAfterBuild(settings, plan, record.result, pctx, io, signal);
    }
    return record.exitCode;
  }

  /** Runs `hipPorter.build.runCommand` after a successful build, locally or on the remote box; its exit code becomes the task's. */
  private async runAfterBuild(settings: ExtensionBuildSettings, plan: BuildPlan, result: BuildResult, pctx: PlanContext, io: TerminalIO, signal: AbortSignal): Promise<number> {
    const source = plan.request.sources[0]!;
    let command: string;
    let remote: { target: RemoteTarget; cwd: string } | undefined;
    try {
      if (plan.remote && isRemoteResult(result)) {
        // Variables name the remote copies: the remote tree mirrors localRoot at remoteDir.
        const toRemote = (p: string): string => posix.join(result.remoteDir, relative(result.localRoot, p).split(sep).join('/'));
        const rctx: PlanContext = { currentFile: toRemote(source), workspaceFolder: result.remoteDir, cwd: toRemote(dirname(source)) };
        command = substituteVariables(substituteOutput(settings.runCommand, result.outputPath), rctx);
        remote = { target: plan.remote, cwd: rctx.cwd! };
      } else {
        command = substituteVariables(substituteOutput(settings.runCommand, result.outputPath), { ...pctx, currentFile: pctx.currentFile ?? source });
      }
    } catch (e) {
      io.write(`${RED}Run command: ${e instanceof Error ? e.message : String(e)}${RESET}\n`);
      return 1;
    }
    io.write(`\n${BOLD}> ${command}${RESET}${remote ? `${DIM}  (on ${remote.target.host}, in ${remote.cwd})${RESET}` : ''}\n`);
    const t0 = Date.now();
    let code: number;
    try {
      code = remote ? await runRemoteInTerminal(command, remote.target, remote.cwd, io, signal, settings.timeoutSec * 1000) : await runLocalCommand(command, dirname(source), io, signal, settings.timeoutSec * 1000);
    } catch (e) {
      io.write(`${RED}Run command failed: ${e instanceof Error ? e.message : String(e)}${RESET}\n`);
      code = buildErrorExitCode(e);
    }
    io.write(`${code === 0 ? GREEN : RED}run command exited with ${code}${RESET} in ${formatSeconds(Date.now() - t0)}\n`);
    this.ctx.log.info(`run: ${command} | host ${remote?.target.host ?? 'local'} | exit ${code} | ${formatSeconds(Date.now() - t0)}`);
    return code;
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.finished.dispose();
  }
}

function stoppedCode(p: { exitCode: number | null; stoppedBy?: 'abort' | 'timeout' }, io: TerminalIO): number {
  if (p.stoppedBy === 'abort') {
    io.write(`${RED}cancelled${RESET}\n`);
    return 130;
  }
  if (p.stoppedBy === 'timeout') {
    io.write(`${RED}timed out${RESET}\n`);
    return 124;
  }
  return p.exitCode ?? 1;
}

/** Runs `command` with /bin/sh in `cwd` on this machine, streaming into `io`; abort kills its process tree. */
async function runLocalCommand(command: string, cwd: string, io: TerminalIO, signal: AbortSignal, timeoutMs: number): Promise<number> {
  const p = await runProcess('/bin/sh', ['-c', command], { cwd, signal, timeoutMs, onOutput: (c) => io.write(c) });
  return stoppedCode(p, io);
}

/**
 * Runs `command` on the remote box in `cwd` through the engine's {@link runRemoteCommand} (same ssh
 * options and shared connection as the build; cancel kills the remote process tree), streaming into `io`.
 */
async function runRemoteInTerminal(command: string, target: RemoteTarget, cwd: string, io: TerminalIO, signal: AbortSignal, timeoutMs: number): Promise<number> {
  const r = await runRemoteCommand(command, target, cwd, { signal, timeoutMs, onOutput: (c) => io.write(c) });
  return stoppedCode(r, io);
}

/** The file the commands act on: an explicit URI argument, else the active editor's document. */
function targetUri(arg: unknown): vscode.Uri | undefined {
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

/** What the agent is shown of a build: hipcc's whole output (the agent caps its length), or the error message when hipcc did not run. */
export function buildOutputForAgent(record: BuildRecord): string {
  if (record.result) return record.result.output;
  return record.error?.message ?? '';
}

/**
 * hipPorter.fixBuildErrors: sends the file's current text and its last build's output to the agent
 * service (port-file.ts `runAgentOnText`, mode `fix-build`; the panel shows the run) and opens the
 * answer in the review flow (diff-review.ts) with the file itself as the target; nothing is written
 * before the user accepts. Refuses in untrusted workspaces.
 * @param arg the file (a `vscode.Uri`); default the active editor's file
 * @returns the opened review's snapshot, or undefined when no review was opened (no failed build,
 *   no key, agent off or failed, no change proposed)
 * @throws Error when the file is not on disk, its last build did not run hipcc, or the services are missing
 */
async function fixBuildErrors(ctx: HipPorterContext, builds: Builds, arg: unknown): Promise<ReviewSnapshot | undefined> {
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
  const review = ctx.services.get(REVIEW_SERVICE) as ReviewService | undefined;
  const agent = ctx.services.get(AGENT_SERVICE) as AgentService | undefined;
  if (!review || typeof review.openReview !== 'function' || !agent || typeof agent.runAgentOnText !== 'function') {
    throw new Error('the review flow and the agent are not available in this session (see the HIP Porter output).');
  }
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

/** Registers the task provider, the build diagnostics and the commands (rocm-box.ts included). */
export function activate(ctx: HipPorterContext): void {
  const builds = new Builds(ctx);
  ctx.subscriptions.push(builds);
  ctx.services.set('builds', builds);

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
  registerCommand(ctx, COMMANDS.fixBuildErrors, (arg: unknown) => fixBuildErrors(ctx, builds, arg));
  rocmBox.activate(ctx);

  const review = ctx.services.get(REVIEW_SERVICE) as ReviewService | undefined;
  if (review) {
    // Builds run one at a time (a build clears the hipcc diagnostics when it starts).
    let queue = Promise.resolve();
    ctx.subscriptions.push(
      review.onDidWrite((e) => {
        queue = queue.then(() => buildWritten(e.uris, ctx.log)).catch((err: unknown) => ctx.log.error(`build after accept: ${err instanceof Error ? err.message : String(err)}`));
      }),
    );
  } else {
    ctx.log.warn('hipcc builds: the review service is not running; hipPorter.build.buildAfterAccept is inactive');
  }
}
