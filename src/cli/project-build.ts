/**
 * `hip-porter build <dir> [--remote HOST] [--offload-arch LIST]`: builds a (ported) project with
 * make or CMake, here or on a ROCm box over SSH (the tree is copied with rsync through the same
 * OpenSSH options as the file builds, the commands run with src/core/build/remote-command.ts, remote
 * paths in the output are mapped back; the runner is src/core/project/run-build.ts, shared with the
 * extension's `hipProject` task). Compiler errors are printed as `file:line:col` of local files.
 */
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { closeSshConnection, countBySeverity } from '../core/build/index';
import { runProjectBuild } from '../core/project/run-build';
import type { Io } from './io';

/** True when the first non-option argument of `build` is a directory (a project build). */
export function isProjectBuild(argv: readonly string[]): boolean {
  const first = argv.find((a) => !a.startsWith('-'));
  if (!first) return false;
  try {
    return statSync(first).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Runs a project build; resolves to the exit code (the failing step's, 2 for usage errors).
 * Output streams as it comes; a summary line lists error/warning counts and the first errors.
 */
export async function projectBuildCommand(argv: readonly string[], io: Io): Promise<number> {
  const program = new Command('hip-porter build')
    .argument('<dir>', 'project directory (Makefile or CMakeLists.txt)')
    .option('--remote <host>', 'ssh Host alias of the ROCm box; default: build here')
    .option('--remote-dir <dir>', 'remote work dir (relative to the remote home, or absolute)', '.cache/hip-porter/projects')
    .option('--ssh-config <file>', 'ssh config file (ssh -F)')
    .option('--offload-arch <list>', 'AMD targets, comma separated (default: the build\'s own list)')
    .option('-j, --jobs <n>', 'parallel jobs', '2')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout(s), writeErr: (s) => void io.stderr(s) });
  let dir = '';
  try {
    program.parse([...argv], { from: 'user' });
    dir = resolve(program.args[0]!);
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' ? 0 : 2;
    throw e;
  }
  const o = program.opts<{ remote?: string; remoteDir: string; sshConfig?: string; offloadArch?: string; jobs: string }>();
  const run = await runProjectBuild(dir, {
    ...(o.offloadArch ? { offloadArch: o.offloadArch.split(/[,;]/).filter(Boolean) } : {}),
    jobs: Number(o.jobs) || 2,
    ...(o.remote ? { remote: { host: o.remote, ...(o.sshConfig ? { sshConfigFile: o.sshConfig } : {}) }, remoteDir: o.remoteDir } : {}),
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
