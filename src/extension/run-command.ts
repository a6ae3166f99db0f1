/**
 * The run command after a build (`hipPorter.build.runCommand`), locally or on the ROCm box, streamed
 * into the build's terminal.
 */
import type * as vscode from 'vscode';
import { dirname, posix, relative, sep } from 'node:path';
import { formatSeconds, isRemoteResult, runProcess, runRemoteCommand, substituteVariables, type BuildPlan, type BuildResult, type PlanContext, type RemoteTarget } from '../core/build/index';
import { buildErrorExitCode } from './build-outcome';
import { substituteOutput, type ExtensionBuildSettings } from './build-settings';
import { BOLD, DIM, GREEN, RED, RESET, type TerminalIO } from './job-terminal';

/**
 * Runs `hipPorter.build.runCommand` after a successful build, locally (/bin/sh in the source's
 * folder) or on the remote box (in the mirrored folder); variables name the files where the command
 * runs. Its exit code becomes the task's (130 cancelled, 124 timed out).
 */
export async function runAfterBuild(log: vscode.LogOutputChannel, settings: ExtensionBuildSettings, plan: BuildPlan, result: BuildResult, pctx: PlanContext, io: TerminalIO, signal: AbortSignal): Promise<number> {
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
  log.info(`run: ${command} | host ${remote?.target.host ?? 'local'} | exit ${code} | ${formatSeconds(Date.now() - t0)}`);
  return code;
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
