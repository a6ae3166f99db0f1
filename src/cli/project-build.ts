/**
 * `hip-porter build <dir> [--remote HOST] [--offload-arch LIST]`: builds a (ported) project with
 * make or CMake, here or on a ROCm box over SSH (the tree is copied with rsync through the same
 * OpenSSH options as the file builds, the commands run with src/core/build/remote-command.ts, remote
 * paths in the output are mapped back; the runner is src/core/project/run-build.ts, shared with the
 * extension's `hipProject` task). Compiler errors are printed as `file:line:col` of local files.
 */
import { relative, resolve } from 'node:path';
import { closeSshConnection, countBySeverity } from '../core/build/index';
import { runProjectBuild } from '../core/project/run-build';
import type { Io } from './io';
import { PROJECT_REMOTE_DIR, type BuildFlags } from './program';

/**
 * Runs a project build of `projectDir` with the parsed `build` flags (those of the directory mode:
 * `--remote`, `--remote-dir`, `--ssh-config`, `--offload-arch`, `--jobs`); resolves to the exit code
 * (the failing step's). Output streams as it comes; a summary line lists error/warning counts and
 * the first errors.
 */
export async function projectBuildCommand(projectDir: string, o: BuildFlags, io: Io): Promise<number> {
  const dir = resolve(projectDir);
  const remoteDir = o.remoteDir ?? PROJECT_REMOTE_DIR;
  const run = await runProjectBuild(dir, {
    ...(o.offloadArch ? { offloadArch: o.offloadArch.split(/[,;]/).filter(Boolean) } : {}),
    jobs: Number(o.jobs) || 2,
    ...(o.remote ? { remote: { host: o.remote, ...(o.sshConfig ? { sshConfigFile: o.sshConfig } : {}) }, remoteDir } : {}),
    onOutput: (c) => void io.stdout(c),
    onStep: (line) => void io.stderr(`[hip-porter] ${line}\n`),
  });
  // the shared ssh connection (ControlMaster) would keep this process alive for ControlPersist
  if (o.remote) await closeSshConnection({ host: o.remote, ...(o.sshConfig ? { sshConfigFile: o.sshConfig } : {}) });
  if (run.failure) {
    io.stderr(`hip-porter: ${run.failure}\n`);
    return run.exitCode;
  }
  const { plan, exitCode: code } = run;
  const diags = run.diagnostics;
  const { errors, warnings } = countBySeverity(diags);
  const firstErrors = diags.filter((d) => d.severity === 'error').slice(0, 5);
  for (const d of firstErrors) io.stderr(`  ${d.file ? relative(process.cwd(), d.file) : ''}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''}: error: ${d.message}\n`);
  io.stderr(`hip-porter: ${plan.system} build ${code === 0 ? 'succeeded' : `failed (exit ${code})`}: ${errors} error(s), ${warnings} warning(s)${plan.switched ? ' (HIP switch on)' : ''}\n`);
  return code;
}
