/**
 * The agent's `compile_proposal` tool in the editor: a hipcc compile of a proposal beside its
 * source, through the build engine (this machine or the ROCm box), cleaned up afterwards.
 * Settings read: hipPorter.build.*.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { AgentHost } from '../agent/index';
import { isRemoteResult, runBuildPlan, runRemoteCommand, shellJoin, type BuildPlan } from '../core/build/index';
import { configToBuildSettings, summarizeProposalBuild, taskJsonToPlan } from './build-settings';
import { config } from './config';

/** Prefix of the temporary copies {@link proposalCompiler} writes beside the source. */
export const PROPOSAL_TEMP_PREFIX = '.hip-porter-proposal-';

/**
 * The agent's compiler (`AgentHost.compile`, behind the `compile_proposal` tool) for proposals of
 * `source`: writes the proposal to a hidden temporary file beside the source
 * (`.hip-porter-proposal-<random>.hip`, so `#include "..."` resolve as they will for the real file,
 * and a remote build syncs it with the source's include closure), compiles it to an object with the
 * `hipPorter.build.*` settings of `source` through the build engine (this machine or the ROCm box;
 * no run command, no Problems entries), and always deletes the temporary files (locally, and on the
 * box after a remote build). When the source's folder cannot be written, a local build uses a
 * private temp dir with `-I <source dir>` instead. Returns `{ok, output}` with the diagnostics
 * summarised by {@link summarizeProposalBuild} under the source's workspace-relative name.
 * In an untrusted workspace it compiles nothing and returns `ok: false` with the reason.
 * Undefined for a source that is not a local file.
 * @throws BuildError when hipcc could not run (not found, cancelled, timed out, ssh failure); the agent tool reports it to the model
 */
export function proposalCompiler(log: vscode.LogOutputChannel, source: vscode.Uri): AgentHost['compile'] {
  if (source.scheme !== 'file') return undefined;
  return async (text: string, signal: AbortSignal) => {
    if (!vscode.workspace.isTrusted) return { ok: false, output: 'builds are disabled in untrusted workspaces' };
    const dir = dirname(source.fsPath);
    const folder = vscode.workspace.getWorkspaceFolder(source);
    const settings = configToBuildSettings(config(source));
    const display = vscode.workspace.asRelativePath(source, false);
    const id = randomBytes(6).toString('hex');
    let tmp = join(dir, `${PROPOSAL_TEMP_PREFIX}${id}.hip`);
    let obj = join(dir, `${PROPOSAL_TEMP_PREFIX}${id}.o`);
    let privateDir: string | undefined;
    const includeDirs = [...settings.includeDirs];
    try {
      await writeFile(tmp, text, { flag: 'wx' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (settings.remoteHost || (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS')) {
        return { ok: false, output: `cannot write a temporary copy of the proposal beside ${display}: ${(e as Error).message}` };
      }
      privateDir = await mkdtemp(join(tmpdir(), 'hip-porter-proposal-'));
      tmp = join(privateDir, `${PROPOSAL_TEMP_PREFIX}${id}.hip`);
      obj = join(privateDir, `${PROPOSAL_TEMP_PREFIX}${id}.o`);
      includeDirs.push(dir);
      await writeFile(tmp, text, { flag: 'wx' });
    }
    let plan: BuildPlan | undefined;
    let remoteClean: (() => Promise<unknown>) | undefined;
    const t0 = Date.now();
    try {
      plan = taskJsonToPlan({ type: 'hipcc', file: tmp, output: obj, link: false, includeDirs }, settings, {
        currentFile: tmp,
        ...(folder ? { workspaceFolder: folder.uri.fsPath } : { cwd: dir }),
      });
      const result = await runBuildPlan(plan, { signal });
      const remote = plan.remote;
      if (remote && isRemoteResult(result)) {
        const rel = (p: string) => relative(result.localRoot, p).split(sep).join('/');
        remoteClean = () => runRemoteCommand(`rm -f -- ${shellJoin([rel(tmp), rel(obj)])}`, remote, result.remoteDir, { timeoutMs: 10_000 });
      }
      log.info(`agent compile_proposal: ${plan.label} | exit ${result.exitCode} | ${Date.now() - t0} ms`);
      return { ok: result.exitCode === 0, output: summarizeProposalBuild(result, tmp, display) };
    } finally {
      await Promise.all([rm(tmp, { force: true }), rm(obj, { force: true }), ...(privateDir ? [rm(privateDir, { recursive: true, force: true })] : [])]);
      if (remoteClean) await remoteClean().catch((e: unknown) => log.warn(`agent compile_proposal: remote cleanup failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  };
}
