/**
 * "HIP Porter: Build Project": the `hipProject` task type (package.json `taskDefinitions`) that
 * builds a (ported) project with make or CMake configure + build, here or on the ROCm box
 * (`hipPorter.build.remoteHost`), through the same runner as `hip-porter build <dir>`
 * (src/core/project/run-build.ts: rsync of the tree, remote paths mapped back). The output streams
 * into a pseudoterminal (job-terminal.ts; closing it or Ctrl+C cancels, remote process group
 * included); compiler errors go to Problems on the local files (the `hipcc` collection of
 * build-diagnostics.ts, like the file builds, so a `$hipcc` matcher would list them twice).
 * Commands: hipPorter.buildProject. Settings read: hipPorter.build.offloadArch, remoteHost,
 * remoteDir, sshConfigFile, connectTimeoutSec.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { countBySeverity, formatSeconds } from '../core/build/index';
import { runProjectBuild, type ProjectBuildRun } from '../core/project/run-build';
import { COMMANDS, registerCommand } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import type { Builds } from './hipcc-task';
import { BOLD, DIM, GREEN, JobTerminal, RED, RESET, type TerminalIO } from './job-terminal';
import { remoteWorkDir, type ProjectTaskJson } from './project-model';

/** The task type contributed in package.json `taskDefinitions`. */
export const PROJECT_TASK_TYPE = 'hipProject';

/** Outcome of hipPorter.buildProject. */
export interface ProjectBuildOutcome {
  folder: string;
  exitCode: number;
  cancelled: boolean;
  system?: 'make' | 'cmake';
  errors: number;
  warnings: number;
  failure?: string;
}

/** True when `dir` has a top-level CMakeLists.txt or Makefile. */
function buildable(dir: string): boolean {
  return ['CMakeLists.txt', 'Makefile', 'makefile', 'GNUmakefile'].some((n) => existsSync(join(dir, n)));
}

/** Registers the `hipProject` task provider and hipPorter.buildProject. */
export function activate(ctx: HipPorterContext, builds: Builds): void {
  const finished = new vscode.EventEmitter<ProjectBuildOutcome>();
  ctx.subscriptions.push(finished);

  const run = async (def: ProjectTaskJson, scope: vscode.WorkspaceFolder | undefined, io: TerminalIO, signal: AbortSignal, onOutcome?: (o: ProjectBuildOutcome) => void): Promise<number> => {
    const base = scope?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const folder = def.folder ? (isAbsolute(def.folder) ? def.folder : join(base, def.folder)) : base;
    const out: ProjectBuildOutcome = { folder, exitCode: 1, cancelled: false, errors: 0, warnings: 0 };
    try {
      if (!vscode.workspace.isTrusted) {
        io.write(`${RED}HIP Porter: builds are disabled in untrusted workspaces (Workspace Trust). Trust this folder to build.${RESET}\n`);
        out.failure = 'untrusted workspace';
        return 1;
      }
      if (!folder) {
        io.write(`${RED}HIP Porter: no project folder (open a folder or set "folder" in the task).${RESET}\n`);
        out.failure = 'no folder';
        return 1;
      }
      const c = config(vscode.Uri.file(folder));
      const host = def.remote ?? c.remoteHost;
      // Build what the editor shows: save the project's files with unsaved changes.
      for (const doc of vscode.workspace.textDocuments) if (doc.isDirty && doc.uri.scheme === 'file' && doc.uri.fsPath.startsWith(folder + '/')) await doc.save();
      builds.diagnostics.clear();
      io.write(`${BOLD}> Build ${folder}${RESET}\n${DIM}  on ${host || 'this machine'}${RESET}\n`);
      const t0 = Date.now();
      const r: ProjectBuildRun = await runProjectBuild(folder, {
        offloadArch: def.offloadArch?.length ? def.offloadArch : c.offloadArch,
        jobs: def.jobs ?? 2,
        signal,
        ...(host ? { remote: { host, connectTimeoutSec: c.connectTimeoutSec, ...(c.sshConfigFile ? { sshConfigFile: c.sshConfigFile } : {}) }, remoteDir: remoteWorkDir(c.remoteDir) } : {}),
        onStep: (line) => io.write(`${BOLD}> ${line}${RESET}\n`),
        onOutput: (chunk) => io.write(chunk),
      });
      out.exitCode = r.exitCode;
      out.cancelled = r.cancelled;
      out.system = r.plan.system;
      if (r.failure) out.failure = r.failure;
      const fallback = ['CMakeLists.txt', 'Makefile', 'makefile', 'GNUmakefile'].map((n) => join(folder, n)).find((p) => existsSync(p)) ?? folder;
      await builds.diagnostics.publish(r.diagnostics, fallback);
      const { errors, warnings } = countBySeverity(r.diagnostics);
      out.errors = errors;
      out.warnings = warnings;
      const secs = formatSeconds(Date.now() - t0);
      if (r.cancelled) io.write(`\n${RED}Build cancelled${RESET} after ${secs}\n`);
      else if (r.failure) io.write(`\n${RED}${BOLD}Build failed: ${r.failure}${RESET}\n`);
      else io.write(`${r.exitCode === 0 ? GREEN : RED}${r.plan.system} ${r.exitCode === 0 ? 'succeeded' : `failed (exit ${r.exitCode})`}${RESET} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}) in ${secs}${r.plan.switched ? ' with the HIP switch on' : ''}\n`);
      ctx.log.info(`build project: ${folder} | ${host || 'local'} | ${r.plan.system} | ${r.cancelled ? 'cancelled' : r.failure ? `failed: ${r.failure}` : `exit ${r.exitCode}`} | ${secs}`);
      return r.exitCode;
    } finally {
      finished.fire(out);
      onOutcome?.(out);
    }
  };

  const task = (def: ProjectTaskJson, name: string, scope: vscode.WorkspaceFolder | vscode.TaskScope, matchers: string[] = [], onOutcome?: (o: ProjectBuildOutcome) => void): vscode.Task => {
    const folder = typeof scope === 'object' ? scope : undefined;
    const exec = new vscode.CustomExecution(async (resolved) => new JobTerminal((io, signal) => run({ ...def, ...(resolved as ProjectTaskJson) }, folder, io, signal, onOutcome)));
    const t = new vscode.Task(def, scope, name, 'HIP Porter', exec, matchers);
    t.group = vscode.TaskGroup.Build;
    t.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true, showReuseMessage: false };
    return t;
  };

  ctx.subscriptions.push(
    vscode.tasks.registerTaskProvider(PROJECT_TASK_TYPE, {
      provideTasks: () => {
        if (!vscode.workspace.isTrusted) return [];
        return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file' && buildable(f.uri.fsPath)).map((f) => task({ type: PROJECT_TASK_TYPE }, `Build project ${f.name}`, f));
      },
      resolveTask: (t) => {
        const def = t.definition as ProjectTaskJson;
        if (def.type !== PROJECT_TASK_TYPE) return undefined;
        return task(def, t.name, t.scope ?? vscode.TaskScope.Workspace, t.problemMatchers);
      },
    }),
  );

  registerCommand(ctx, COMMANDS.buildProject, async (arg?: unknown): Promise<ProjectBuildOutcome | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('HIP Porter: builds are disabled in untrusted workspaces. Trust this folder (Workspace Trust) to build.');
      return undefined;
    }
    let uri = arg instanceof vscode.Uri ? arg : undefined;
    if (!uri) {
      const folders = vscode.workspace.workspaceFolders ?? [];
      uri = folders.length === 1 ? folders[0]!.uri : (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Project to build' }))?.uri;
    }
    if (!uri) return undefined;
    if (uri.scheme !== 'file') throw new Error(`${uri.toString()} is not a local folder`);
    if (!buildable(uri.fsPath)) throw new Error(`${vscode.workspace.asRelativePath(uri)} has no CMakeLists.txt or Makefile to build.`);
    const ws = vscode.workspace.getWorkspaceFolder(uri);
    const name = `Build project ${uri.fsPath.split('/').pop()}`;
    return new Promise<ProjectBuildOutcome | undefined>((resolve, reject) => {
      let execution: vscode.TaskExecution | undefined;
      let settled = false;
      const subs: vscode.Disposable[] = [];
      const settle = (outcome: ProjectBuildOutcome | undefined): void => {
        if (settled) return;
        settled = true;
        for (const s of subs) s.dispose();
        resolve(outcome);
      };
      // this run's outcome comes straight from its own execution, whatever the order of task events
      const t = task({ type: PROJECT_TASK_TYPE, folder: uri!.fsPath }, name, ws ?? vscode.TaskScope.Workspace, [], (o) => settle(o));
      subs.push(
        vscode.tasks.onDidEndTask((e) => {
          // A task that ended without running the build (terminated before it started) never reports
          // an outcome. The end event can also come while the build's own run is still finishing
          // (seen in CI), so it only arms a late fallback; the outcome settles the command first.
          if (execution && e.execution === execution) setTimeout(() => settle(undefined), 10 * 60 * 1000).unref?.();
        }),
      );
      vscode.tasks.executeTask(t).then(
        (x) => (execution = x),
        (e: unknown) => {
          settled = true;
          for (const s of subs) s.dispose();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  });
}
