/**
 * `hip-porter build FILE... [options] [-- HIPCC_FLAGS...]`: compile with hipcc here or on a ROCm
 * box over SSH, print hipcc's output as it comes and a one-line summary; `--json` prints one JSON
 * object instead. Exit code: hipcc's; 2 for usage errors; see {@link exitCodeForError} otherwise.
 * The options are declared with the other commands' in src/cli/program.ts; `build DIR` (a project
 * build) is src/cli/project-build.ts. {@link parseBuildArgs} is the pure parser of either mode.
 */
import { resolve } from 'node:path';
import {
  BuildError,
  countBySeverity,
  isBuildError,
  isRemoteResult,
  runBuildPlan,
  taskDefinitionToBuildPlan,
  type BuildPlan,
  type BuildResult,
  type BuildSettings,
  type HipccTaskDefinition,
  DEFAULT_OFFLOAD_ARCHS,
} from '../core/build/index';
import type { Io } from './io';
import { parseCommandLine, type BuildCommandLine, type BuildFlags } from './program';
import { projectBuildCommand } from './project-build';

/** Parsed command line: a hipcc build of files (`run`), a project build (`project`), help text or a usage error. */
export type ParsedBuildArgs =
  | { kind: 'run'; plan: BuildPlan; json: boolean }
  | { kind: 'project'; dir: string; flags: BuildFlags }
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; message: string };

function positiveNumber(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new BuildError('usage', `${name} must be a positive number of seconds, got "${v}".`);
  return n;
}

/**
 * The build plan of a parsed `build FILE...` command line. Relative paths are resolved against `cwd`.
 * @returns `run` with the plan, or `usage-error` (bad numbers, remote-only options without `--remote`)
 */
export function toBuildPlan(b: Extract<BuildCommandLine, { mode: 'files' }>, cwd: string = process.cwd()): Extract<ParsedBuildArgs, { kind: 'run' | 'usage-error' }> {
  const o = b.flags;
  try {
    const offloadArch = o.offloadArch ?? DEFAULT_OFFLOAD_ARCHS.join(',');
    const def: HipccTaskDefinition = { type: 'hipcc', files: b.files, offloadArch, includeDirs: o.I, defines: o.D, link: o.link, flags: b.hipccFlags, hipccPath: o.hipcc, sync: o.sync };
    if (o.o) def.output = o.o;
    if (o.remoteDir) def.remoteDir = o.remoteDir;
    const settings: Partial<BuildSettings> = {
      remoteHost: o.remote ?? '',
      timeoutSec: positiveNumber(o.timeout, '--timeout'),
      connectTimeoutSec: Math.ceil(positiveNumber(o.connectTimeout, '--connect-timeout')),
    };
    if (o.sshConfig) settings.sshConfigFile = o.sshConfig;
    const plan = taskDefinitionToBuildPlan(def, settings, { cwd });
    if (plan.remote) {
      plan.remote.transfer = o.transfer;
      if (o.localRoot) plan.remote.localRoot = resolve(cwd, o.localRoot);
    } else if (o.remoteDir || o.localRoot || o.sshConfig) {
      return { kind: 'usage-error', message: '--remote-dir, --local-root and --ssh-config need --remote HOST.' };
    }
    return { kind: 'run', plan, json: o.json };
  } catch (e) {
    if (isBuildError(e)) return { kind: 'usage-error', message: e.message };
    throw e;
  }
}

/**
 * Parses the arguments that follow `build` (e.g. `['a.hip', '--remote', 'box', '--', '-O3']`)
 * with the CLI's one program. Pure: never exits the process, never prints. Relative paths are
 * resolved against `cwd`.
 */
export function parseBuildArgs(argv: readonly string[], cwd: string = process.cwd()): ParsedBuildArgs {
  let text = '';
  const line = parseCommandLine(['build', ...argv], { stdout: (s) => void (text += s), stderr: (s) => void (text += s) });
  if (line.command === 'none') return line.usageError ? { kind: 'usage-error', message: line.usageError.message } : { kind: 'help', text };
  if (line.command !== 'build') throw new Error(`parseBuildArgs: parsed as ${line.command}`);
  if (line.build.mode === 'project') return { kind: 'project', dir: line.build.dir, flags: line.build.flags };
  return toBuildPlan(line.build, cwd);
}

/** Prints a `build` usage error as `hip-porter build: MESSAGE` and a pointer to the help; returns 2 (the exit code). */
export function printBuildUsageError(message: string, io: Io): number {
  io.stderr(`hip-porter build: ${message}\nRun \`hip-porter build --help\` for usage.\n`);
  return 2;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

/**
 * Exit code for a failed build: `usage` 2, `hipcc-not-found` 127, `timeout` 124, `cancelled` 130,
 * `killed` 128+signal number (137 if unknown), ssh-level failures (`unreachable`, `auth`,
 * `host-key`, `ssh`) 255 like ssh itself, anything else 1.
 */
export function exitCodeForError(e: BuildError): number {
  switch (e.code) {
    case 'usage':
      return 2;
    case 'hipcc-not-found':
      return 127;
    case 'timeout':
      return 124;
    case 'cancelled':
      return 130;
    case 'killed':
      return 128 + (SIGNALS[e.signal ?? ''] ?? 9);
    case 'unreachable':
    case 'auth':
    case 'host-key':
    case 'ssh':
      return 255;
    default:
      return 1;
  }
}

function summary(r: BuildResult): string {
  const { errors, warnings } = countBySeverity(r.diagnostics);
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  const secs = (r.durationMs / 1000).toFixed(1);
  const where = isRemoteResult(r) ? ` on the remote (${r.transfer === 'none' ? 'no sync' : `synced ${r.syncedFiles.length} file(s) with ${r.transfer}`})` : '';
  return r.exitCode === 0
    ? `hip-porter: build succeeded in ${secs} s${where} (${counts})${r.outputPath ? ` -> ${r.outputPath}` : ''}\n`
    : `hip-porter: build failed in ${secs} s${where}: hipcc exited with ${r.exitCode} (${counts})\n`;
}

/**
 * Runs `hip-porter build` with `argv` = the arguments after `build`: a project build for one
 * directory (see src/cli/project-build.ts), else {@link runFilesBuild}. Resolves with the exit
 * code; never throws for user errors and never prints a stack trace for them.
 */
export async function buildCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseBuildArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout(parsed.text);
    return 0;
  }
  if (parsed.kind === 'usage-error') return printBuildUsageError(parsed.message, io);
  if (parsed.kind === 'project') return projectBuildCommand(parsed.dir, parsed.flags, io);
  return runFilesBuild(parsed.plan, parsed.json, io);
}

/**
 * Runs a hipcc build plan. Streams hipcc's output to `io` (or prints one JSON object when `json`),
 * honours Ctrl-C (SIGINT cancels and kills the build tree), and resolves with the process exit
 * code (see {@link exitCodeForError}).
 */
export async function runFilesBuild(plan: BuildPlan, json: boolean, io: Io): Promise<number> {
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const r = await runBuildPlan(plan, {
      signal: ac.signal,
      ...(json ? {} : { onOutput: (chunk, stream) => (stream === 'stdout' ? io.stdout(chunk) : io.stderr(chunk)) }),
    });
    if (json) {
      const body: Record<string, unknown> = {
        exitCode: r.exitCode,
        durationMs: Math.round(r.durationMs),
        command: r.command,
        outputPath: r.outputPath ?? null,
        diagnostics: r.diagnostics,
        output: r.output,
      };
      if (isRemoteResult(r)) body.remote = { host: plan.remote?.host, remoteDir: r.remoteDir, localRoot: r.localRoot, transfer: r.transfer, syncedFiles: r.syncedFiles, timings: r.timings };
      io.stdout(JSON.stringify(body, null, 2) + '\n');
    } else io.stderr(summary(r));
    return r.exitCode;
  } catch (e) {
    if (!isBuildError(e)) throw e;
    if (json) io.stdout(JSON.stringify({ exitCode: exitCodeForError(e), error: { code: e.code, message: e.message }, output: e.output }, null, 2) + '\n');
    else io.stderr(`hip-porter: error: ${e.message}\n`);
    return exitCodeForError(e);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
