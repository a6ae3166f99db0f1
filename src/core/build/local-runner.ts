/**
 * Local builds: runs hipcc on this machine (argument array, no shell), streams its output, and
 * parses the diagnostics. Cancel (AbortSignal) and the time limit kill hipcc's whole process tree.
 */
import { resolve } from 'node:path';
import { parseDiagnostics, type BuildDiagnostic } from './diagnostics';
import { BuildError } from './errors';
import { buildEnv, hipccArgs, hipccPathOf, hipccSpawnError, HIPCC_INSTALL_HINT, type BuildRequest } from './hipcc';
import { runProcess, type OutputStream, type ProcessResult } from './process';

/** Options shared by the local and remote runners. */
export interface RunOptions {
  /** Receives output chunks (UTF-8 text) as they arrive. */
  onOutput?: (chunk: string, stream: OutputStream) => void;
  /** Aborting cancels the build and kills the process tree; the run then rejects with BuildError `cancelled`. */
  signal?: AbortSignal;
  /** Time limit for the compile in milliseconds (default 10 minutes); rejects with BuildError `timeout`. */
  timeoutMs?: number;
  /** Called with hipcc's pid (its process group id) once it is running (local runs). */
  onSpawn?: (pid: number) => void;
}

/** A build that ran hipcc to its exit. `exitCode !== 0` means compile/link errors (see `diagnostics`). */
export interface BuildResult {
  /** hipcc's exit code. */
  exitCode: number;
  /** Always null in a result: a build ended by a signal rejects with BuildError `killed`/`cancelled`/`timeout`. Kept for symmetry with child_process. */
  signal: NodeJS.Signals | null;
  /** Wall-clock milliseconds of the whole build (for remote builds: including connection and sync). */
  durationMs: number;
  /** Parsed diagnostics, paths absolute and local. */
  diagnostics: BuildDiagnostic[];
  /** Everything hipcc printed (stdout and stderr interleaved). */
  output: string;
  /** The command that ran: executable then arguments. */
  command: string[];
  /** Output file, as passed to `-o` (resolved against the request cwd for local builds); undefined when none. */
  outputPath: string | undefined;
}

/** `1500` → `"1.5 s"`, `600000` → `"600 s"`. */
export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** Default compile time limit: 10 minutes. */
export const DEFAULT_BUILD_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Converts a finished process into a result, or throws the BuildError that explains why it did
 * not finish (`cancelled`, `timeout`, `killed`, `disk-full`). `what` names the process in messages.
 */
export function processOutcome(p: ProcessResult, what: string, timeoutMs: number): { exitCode: number } {
  const extra = { output: p.output, signal: p.signal, durationMs: p.durationMs };
  if (p.stoppedBy === 'abort') throw new BuildError('cancelled', `Build cancelled; ${what} and its child processes were stopped.`, extra);
  if (p.stoppedBy === 'timeout') throw new BuildError('timeout', `Build timed out after ${formatSeconds(timeoutMs)}; ${what} and its child processes were killed.`, extra);
  if (p.exitCode === null) {
    throw new BuildError('killed', `${what} was killed by signal ${p.signal ?? 'unknown'} (out of memory? another process?).`, extra);
  }
  if (p.exitCode !== 0 && /No space left on device/i.test(p.output)) {
    throw new BuildError('disk-full', `The build ran out of disk space (No space left on device). Free some space and build again.`, extra);
  }
  return { exitCode: p.exitCode };
}

/**
 * Compiles `req` with hipcc on this machine.
 *
 * @returns the result when hipcc ran to its exit (any exit code).
 * @throws BuildError `usage` (bad request), `hipcc-not-found` (ENOENT/EACCES, with install advice),
 *   `cancelled` (signal aborted), `timeout`, `killed` (ended by a signal), `disk-full`.
 */
export async function runLocalBuild(req: BuildRequest, opts: RunOptions = {}): Promise<BuildResult> {
  const args = hipccArgs(req);
  const hipcc = hipccPathOf(req);
  const cwd = resolve(req.cwd ?? process.cwd());
  const timeoutMs = opts.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
  if (opts.signal?.aborted) throw new BuildError('cancelled', 'Build cancelled before it started.');
  let p: ProcessResult;
  try {
    p = await runProcess(hipcc, args, {
      cwd,
      env: buildEnv(req),
      timeoutMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onOutput ? { onOutput: opts.onOutput } : {}),
      ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
    });
  } catch (err) {
    throw hipccSpawnError(hipcc, err as NodeJS.ErrnoException);
  }
  const { exitCode } = processOutcome(p, 'hipcc', timeoutMs);
  if (exitCode === 127 && /hipcc|clang.*not found|No such file/i.test(p.output) && p.output.length < 2000) {
    // The Perl wrapper exists but cannot find its clang: still an installation problem.
    p.output += `\n[hip-porter] hipcc exited with 127 (a tool it needs was not found). ${HIPCC_INSTALL_HINT}\n`;
  }
  const out = args[args.indexOf('-o') + 1];
  return {
    exitCode,
    signal: null,
    durationMs: p.durationMs,
    diagnostics: parseDiagnostics(p.output, { cwd }),
    output: p.output,
    command: [hipcc, ...args],
    outputPath: args.includes('-o') && out !== undefined ? resolve(cwd, out) : undefined,
  };
}
