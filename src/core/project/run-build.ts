/**
 * Runs a project build ({@link projectBuildSteps}: make, or CMake configure + build) here or on a
 * ROCm box over SSH: the tree is copied with rsync through the same OpenSSH options as the file
 * builds (src/core/build/ssh.ts), the steps run with src/core/build/remote-command.ts, and remote paths
 * in the output are mapped back to the local tree. Shared by `hip-porter build <dir>`
 * (src/cli/project-build.ts) and the `hipProject` task of the extension; no `vscode` import.
 */
import { resolve } from 'node:path';
import { parseDiagnostics, rsyncRshQuote, runProcess, runRemoteCommand, shellQuote, sshOptions, sshPathOf, type BuildDiagnostic, type SshTarget } from '../build/index';
import { projectBuildSteps, type ProjectBuildPlan } from './build';

/** Options of {@link runProjectBuild}. */
export interface ProjectBuildRunOptions {
  /** AMD targets (e.g. `['gfx90a', 'gfx1030']`); absent: the build's own list. */
  offloadArch?: string[];
  /** Parallel jobs (default 2). */
  jobs?: number;
  /** Build on this ROCm box (ssh Host alias); absent: build here. */
  remote?: SshTarget;
  /** Remote work directory, relative to the remote home or absolute (default `.cache/hip-porter/projects`); the project goes in `<remoteDir>/<basename of dir>`. */
  remoteDir?: string;
  /** Aborting stops the running step (and the remote process group); the result then has `cancelled: true`. */
  signal?: AbortSignal;
  /** Build output (stdout and stderr interleaved, remote paths already mapped to local ones), as it arrives. */
  onOutput?: (chunk: string) => void;
  /** One line per step about to run (`make -j 2 HIP=1`, `rsync … → host:dir/`), for a log or a terminal. */
  onStep?: (line: string) => void;
}

/** What {@link runProjectBuild} did. */
export interface ProjectBuildRun {
  /** The build that was planned (system, switch, steps). */
  plan: ProjectBuildPlan;
  /** Exit code of the failing step, 0 when every step succeeded, 1 when a step could not run or was stopped. */
  exitCode: number;
  /** True when `signal` stopped the build. */
  cancelled: boolean;
  /** The whole output (remote paths mapped). */
  output: string;
  /** Compiler/linker diagnostics of `output`, file paths absolute in the LOCAL tree. */
  diagnostics: BuildDiagnostic[];
  /** Set when the build could not start or the copy to the remote box failed: a user-facing message. */
  failure?: string;
}

/**
 * Plans and runs the build of the project in `dir` (absolute or relative to the process's cwd).
 * Never throws for build failures: a missing build file, an unreachable host or a failed rsync come
 * back as `failure` with `exitCode` non-zero.
 */
export async function runProjectBuild(dir: string, o: ProjectBuildRunOptions = {}): Promise<ProjectBuildRun> {
  const root = resolve(dir);
  let plan: ProjectBuildPlan;
  try {
    plan = projectBuildSteps(root, { ...(o.offloadArch?.length ? { offloadArch: o.offloadArch } : {}), jobs: o.jobs ?? 2 });
  } catch (e) {
    return { plan: { system: 'make', switched: false, steps: [] }, exitCode: 2, cancelled: false, output: '', diagnostics: [], failure: (e as Error).message };
  }
  let output = '';
  const emit = (s: string): void => {
    output += s;
    o.onOutput?.(s);
  };
  const done = (exitCode: number, cancelled: boolean, failure?: string): ProjectBuildRun => ({
    plan,
    exitCode,
    cancelled,
    output,
    diagnostics: parseDiagnostics(output, { cwd: root }),
    ...(failure ? { failure } : {}),
  });
  const env = { ...process.env, HIP_PLATFORM: 'amd' };
  if (!o.remote) {
    for (const s of plan.steps) {
      if (o.signal?.aborted) return done(1, true);
      o.onStep?.(`${s.command} ${s.args.join(' ')}`);
      let r;
      try {
        r = await runProcess(s.command, s.args, { cwd: resolve(root, s.cwd), env, ...(o.signal ? { signal: o.signal } : {}), onOutput: (c) => emit(c) });
      } catch (e) {
        return done(1, false, `cannot run ${s.command}: ${(e as Error).message}`);
      }
      if (r.stoppedBy === 'abort') return done(1, true);
      const code = r.exitCode ?? 1;
      if (code !== 0) return done(code, false);
    }
    return done(0, false);
  }
  const target = o.remote;
  const remoteDir = `${(o.remoteDir ?? '.cache/hip-porter/projects').replace(/\/$/, '')}/${root.split('/').pop()}`;
  try {
    const mk = await runRemoteCommand(`mkdir -p ${shellQuote(remoteDir)}`, target, '.', o.signal ? { signal: o.signal } : {});
    if (mk.stoppedBy === 'abort') return done(1, true);
    if (mk.exitCode !== 0) return done(1, false, `cannot create ${remoteDir} on ${target.host}: ${mk.output.trim()}`);
    const sshCmd = [sshPathOf(target), ...sshOptions(target)].map(rsyncRshQuote).join(' ');
    o.onStep?.(`rsync ${root}/ → ${target.host}:${remoteDir}/`);
    const sync = await runProcess('rsync', ['-a', '--delete', '--exclude', 'build-hip/', '-e', sshCmd, '--', `${root}/`, `${target.host}:${remoteDir}/`], o.signal ? { signal: o.signal } : {});
    if (sync.stoppedBy === 'abort') return done(1, true);
    if (sync.exitCode !== 0) return done(1, false, `copying ${root} to ${target.host} failed: ${sync.output.trim().split('\n').pop() ?? ''}`);
    const script = plan.steps.map((s) => `${s.cwd ? `cd ${shellQuote(s.cwd)} && ` : ''}${[s.command, ...s.args].map(shellQuote).join(' ')}`).join(' && ');
    o.onStep?.(`on ${target.host}: ${script}`);
    let remoteAbs = '';
    const r = await runRemoteCommand(`echo "__HP_PWD=$(pwd)"; HIP_PLATFORM=amd; export HIP_PLATFORM; ${script}`, target, remoteDir, {
      ...(o.signal ? { signal: o.signal } : {}),
      onOutput: (c) => {
        let t = c.replace(/^__HP_PWD=(.*)\n/m, (_m, p: string) => {
          remoteAbs = p;
          return '';
        });
        if (remoteAbs) t = t.split(remoteAbs).join(root);
        emit(t);
      },
    });
    if (r.stoppedBy === 'abort') return done(1, true);
    return done(r.exitCode ?? 1, false);
  } catch (e) {
    return done(1, false, (e as Error).message);
  }
}
