/**
 * What a build left behind, in terms the commands and the agent use (pure: no `vscode` import,
 * unit-tested under plain Node).
 */
import { hipccArgs, hipccPathOf, isBuildError, shellJoin, type BuildError, type BuildPlan, type BuildResult } from '../core/build/index';

/** Files the task provider and the build command accept. */
export const BUILDABLE_FILE_RE = /\.(hip|cu|cpp|cc|cxx)$/i;

/** The outcome of one build, kept per source file for "Ask Agent to Fix Build Errors". */
export interface BuildRecord {
  /** Absolute local source files. */
  files: string[];
  plan: BuildPlan;
  /** hipcc's exit code, or the task's code for a build that could not run (see {@link buildErrorExitCode}). */
  exitCode: number;
  /** Present when hipcc ran to its exit. */
  result?: BuildResult;
  /** Present when the build could not run or finish. */
  error?: BuildError | Error;
  /** Wall-clock milliseconds. */
  durationMs: number;
}

/**
 * The exit code a task reports for a build that could not run: 130 cancelled (like Ctrl+C),
 * 124 timed out (like `timeout`), 127 hipcc not found (like a shell), else 1.
 */
export function buildErrorExitCode(e: unknown): number {
  if (!isBuildError(e)) return 1;
  switch (e.code) {
    case 'cancelled':
      return 130;
    case 'timeout':
      return 124;
    case 'hipcc-not-found':
      return 127;
    default:
      return 1;
  }
}

/** The command line shown in the terminal and the log: the local form of what runs (paths are remapped on a remote box). */
export function displayCommand(plan: BuildPlan): string {
  return shellJoin([hipccPathOf(plan.request), ...hipccArgs(plan.request)]);
}

/** What the agent is shown of a build: hipcc's whole output (the agent caps its length), or the error message when hipcc did not run. */
export function buildOutputForAgent(record: BuildRecord): string {
  if (record.result) return record.result.output;
  return record.error?.message ?? '';
}
