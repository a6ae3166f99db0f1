/**
 * `hip-porter build FILE... [options] [-- HIPCC_FLAGS...]`: compile with hipcc here or on a ROCm
 * box over SSH, print hipcc's output as it comes and a one-line summary; `--json` prints one JSON
 * object instead. Exit code: hipcc's; 2 for usage errors; see {@link exitCodeForError} otherwise.
 * Argument parsing is the pure {@link parseBuildArgs} (commander, no process exit).
 */
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
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

/** Parsed command line. */
export type ParsedBuildArgs =
  | { kind: 'run'; plan: BuildPlan; json: boolean }
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; message: string };

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function makeProgram(): Command {
  return new Command('hip-porter build')
    .description('Compile HIP sources with hipcc, locally or on a ROCm box over SSH. Flags after `--` go to hipcc verbatim. The C++ standard is -std=c++17 (nvcc\'s default) unless those flags or the project (CMAKE_CUDA_STANDARD / CMAKE_CXX_STANDARD in CMakeLists.txt, -std= in a Makefile) choose one.')
    .argument('<files...>', 'HIP source files')
    .option('--remote <host>', 'ssh Host alias (from your ssh config) of the ROCm box; default: build here')
    .option('--remote-dir <dir>', 'remote work dir (absolute, or relative to the remote home)')
    .option('--local-root <dir>', 'local folder mirrored at the remote dir (default: current dir, if it contains the files)')
    .addOption(new Option('--sync <mode>', 'what to copy to the remote').choices(['closure', 'folder', 'off']).default('closure'))
    .addOption(new Option('--transfer <tool>', 'how to copy').choices(['auto', 'rsync', 'tar']).default('auto'))
    .option('--ssh-config <file>', 'ssh config file (ssh -F)')
    .option('--offload-arch <list>', 'comma-separated GPU targets, e.g. gfx90a,gfx942', DEFAULT_OFFLOAD_ARCHS.join(','))
    .option('--hipcc <path>', 'hipcc executable', 'hipcc')
    .option('-I <dir>', 'include directory (repeatable)', collect, [] as string[])
    .option('-D <def>', 'preprocessor definition NAME[=VALUE] (repeatable)', collect, [] as string[])
    .option('-o <out>', 'output file')
    .option('--link', 'link an executable instead of compiling to an object (-c)', false)
    .option('--timeout <sec>', 'compile time limit in seconds', '600')
    .option('--connect-timeout <sec>', 'ssh connect timeout in seconds', '10')
    .option('--json', 'print one JSON object (result, diagnostics) instead of streaming', false)
    .helpOption('-h, --help', 'show this help');
}

function positiveNumber(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new BuildError('usage', `${name} must be a positive number of seconds, got "${v}".`);
  return n;
}

/**
 * Parses the arguments that follow `build` (e.g. `['a.hip', '--remote', 'box', '--', '-O3']`).
 * Pure: never exits the process, never prints. Relative paths are resolved against `cwd`.
 */
export function parseBuildArgs(argv: readonly string[], cwd: string = process.cwd()): ParsedBuildArgs {
  const dd = argv.indexOf('--');
  const mine = dd >= 0 ? argv.slice(0, dd) : [...argv];
  const passthrough = dd >= 0 ? argv.slice(dd + 1) : [];
  const program = makeProgram();
  let captured = '';
  program.exitOverride().configureOutput({ writeOut: (s) => (captured += s), writeErr: (s) => (captured += s), outputError: () => undefined });
  try {
    program.parse(mine, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') return { kind: 'help', text: captured || program.helpInformation() };
      return { kind: 'usage-error', message: e.message.replace(/^error: /, '') };
    }
    throw e;
  }
  const o = program.opts<{
    remote?: string; remoteDir?: string; localRoot?: string; sync: 'closure' | 'folder' | 'off'; transfer: 'auto' | 'rsync' | 'tar';
    sshConfig?: string; offloadArch: string; hipcc: string; I: string[]; D: string[]; o?: string; link: boolean; timeout: string; connectTimeout: string; json: boolean;
  }>();
  try {
    const def: HipccTaskDefinition = { type: 'hipcc', files: program.args, offloadArch: o.offloadArch, includeDirs: o.I, defines: o.D, link: o.link, flags: passthrough, hipccPath: o.hipcc, sync: o.sync };
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
 * Runs `hip-porter build` with `argv` = the arguments after `build`. Streams hipcc's output to
 * `io` (or prints one JSON object with `--json`), honours Ctrl-C (SIGINT cancels and kills the
 * build tree), and resolves with the process exit code. Never throws for user errors and never
 * prints a stack trace for them.
 */
export async function buildCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseBuildArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout(parsed.text);
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    io.stderr(`hip-porter build: ${parsed.message}\nRun \`hip-porter build --help\` for usage.\n`);
    return 2;
  }
  const { plan, json } = parsed;
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
