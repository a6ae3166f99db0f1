/**
 * `hip-porter build <dir> [--remote HOST] [--offload-arch LIST]`: builds a (ported) project with
 * make or CMake, here or on a ROCm box over SSH (the tree is copied with rsync through the same
 * OpenSSH options as the file builds, the commands run with src/core/build/remote-run.ts, remote
 * paths in the output are mapped back). Compiler errors are printed as `file:line:col` of local files.
 */
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { closeSshConnection, countBySeverity, parseDiagnostics, rsyncRshQuote, runProcess, runRemoteCommand, shellQuote, sshOptions, sshPathOf, type SshTarget } from '../core/build/index';
import { projectBuildSteps } from '../core/project/build';
import type { BuildIo } from './build-command';

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
export async function projectBuildCommand(argv: readonly string[], io: BuildIo): Promise<number> {
  const program = new Command('hip-porter build')
    .argument('<dir>', 'project directory (Makefile or CMakeLists.txt)')
    .option('--remote <host>', 'ssh Host alias of the ROCm box; default: build here')
    .option('--remote-dir <dir>', 'remote work dir (relative to the remote home, or absolute)', '.cache/hip-porter/projects')
    .option('--ssh-config <file>', 'ssh config file (ssh -F)')
    .option('--offload-arch <list>', 'AMD targets, comma separated (default: the build\'s own list)')
    .option('-j, --jobs <n>', 'parallel jobs', '2')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  let dir = '';
  try {
    program.parse([...argv], { from: 'user' });
    dir = resolve(program.args[0]!);
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' ? 0 : 2;
    throw e;
  }
  const o = program.opts<{ remote?: string; remoteDir: string; sshConfig?: string; offloadArch?: string; jobs: string }>();
  let plan;
  try {
    plan = projectBuildSteps(dir, { ...(o.offloadArch ? { offloadArch: o.offloadArch.split(/[,;]/).filter(Boolean) } : {}), jobs: Number(o.jobs) || 2 });
  } catch (e) {
    io.stderr.write(`hip-porter: ${(e as Error).message}\n`);
    return 2;
  }
  const env = { ...process.env, HIP_PLATFORM: 'amd' };
  let output = '';
  const emit = (s: string): void => {
    output += s;
    io.stdout.write(s);
  };
  let code = 0;
  if (!o.remote) {
    for (const s of plan.steps) {
      io.stderr.write(`[hip-porter] ${s.command} ${s.args.join(' ')}\n`);
      const r = await runProcess(s.command, s.args, { cwd: resolve(dir, s.cwd), env, onOutput: (c) => emit(c) });
      code = r.exitCode ?? 1;
      if (code !== 0) break;
    }
  } else {
    const target: SshTarget = { host: o.remote, ...(o.sshConfig ? { sshConfigFile: o.sshConfig } : {}) };
    const remoteDir = `${o.remoteDir.replace(/\/$/, '')}/${dir.split('/').pop()}`;
    const sshCmd = [sshPathOf(target), ...sshOptions(target)].map(rsyncRshQuote).join(' ');
    io.stderr.write(`[hip-porter] rsync ${dir}/ → ${o.remote}:${remoteDir}/\n`);
    const mk = await runRemoteCommand(`mkdir -p ${shellQuote(remoteDir)}`, target, '.');
    if (mk.exitCode !== 0) {
      io.stderr.write(`hip-porter: cannot create ${remoteDir} on ${o.remote}: ${mk.output.trim()}\n`);
      return 1;
    }
    const sync = await runProcess('rsync', ['-a', '--delete', '--exclude', 'build-hip/', '-e', sshCmd, '--', `${dir}/`, `${o.remote}:${remoteDir}/`], {});
    if (sync.exitCode !== 0) {
      io.stderr.write(`hip-porter: copying ${dir} to ${o.remote} failed: ${sync.output.trim().split('\n').pop() ?? ''}\n`);
      return 1;
    }
    const script = plan.steps.map((s) => `${s.cwd ? `cd ${shellQuote(s.cwd)} && ` : ''}${[s.command, ...s.args].map(shellQuote).join(' ')}`).join(' && ');
    io.stderr.write(`[hip-porter] on ${o.remote}: ${script}\n`);
    let remoteAbs = '';
    const r = await runRemoteCommand(`echo "__HP_PWD=$(pwd)"; HIP_PLATFORM=amd; export HIP_PLATFORM; ${script}`, target, remoteDir, {
      onOutput: (c) => {
        let t = c.replace(/^__HP_PWD=(.*)\n/m, (_m, p: string) => {
          remoteAbs = p;
          return '';
        });
        if (remoteAbs) t = t.split(remoteAbs).join(dir);
        emit(t);
      },
    });
    code = r.exitCode ?? 1;
    // the shared ssh connection (ControlMaster) would keep this process alive for ControlPersist
    await closeSshConnection(target);
  }
  const diags = parseDiagnostics(output, { cwd: dir });
  const { errors, warnings } = countBySeverity(diags);
  const firstErrors = diags.filter((d) => d.severity === 'error').slice(0, 5);
  for (const d of firstErrors) io.stderr.write(`  ${d.file ? relative(process.cwd(), d.file) : ''}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''}: error: ${d.message}\n`);
  if (code !== 0 && firstErrors.length === 0) {
    // configure or make failures that are no compiler diagnostic: the first line that says why
    const why = output.split('\n').find((l) => /CMake Error|\*\*\* |^make: |error/i.test(l));
    if (why) io.stderr.write(`  ${why.trim()}\n`);
  }
  io.stderr.write(`hip-porter: ${plan.system} build ${code === 0 ? 'succeeded' : `failed (exit ${code})`}: ${errors} error(s), ${warnings} warning(s)${plan.switched ? ' (HIP switch on)' : ''}\n`);
  return code;
}
