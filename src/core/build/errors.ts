/**
 * The one error type of the build runners. A build that ran hipcc to its exit (even with compile
 * errors) is a result, not an error; {@link BuildError} means the build could not run or finish:
 * hipcc missing, cancelled, timed out, killed by a signal, or an SSH / sync / remote-side problem.
 * `message` is written for the user (what happened and what to do); `code` is for programs.
 */

/** Why a build could not run or finish. */
export type BuildErrorCode =
  | 'usage' // bad request (no sources, conflicting options)
  | 'hipcc-not-found' // local or remote hipcc missing / not executable
  | 'hipcc-failed' // hipcc could not be started for another reason
  | 'cancelled' // the AbortSignal fired
  | 'timeout' // a time limit expired
  | 'killed' // hipcc (or the remote command) died from a signal we did not send
  | 'unreachable' // host name unknown, connection refused / timed out, no route
  | 'auth' // ssh authentication refused (Permission denied)
  | 'host-key' // host key verification failed (unknown or changed key under BatchMode)
  | 'not-writable' // remote work dir cannot be created or written
  | 'disk-full' // No space left on device (local or remote)
  | 'ssh' // any other ssh failure (exit 255)
  | 'sync'; // rsync / tar transfer failed for another reason

/** Error thrown by the build runners; see {@link BuildErrorCode}. */
export class BuildError extends Error {
  override readonly name = 'BuildError';
  /** Machine-readable reason. */
  readonly code: BuildErrorCode;
  /** Output captured before the failure (hipcc, ssh, rsync, tar; stdout and stderr interleaved). */
  readonly output: string;
  /** Signal that ended the process, when that is the reason. */
  readonly signal: NodeJS.Signals | null;
  /** Wall-clock milliseconds from start to failure, when known. */
  readonly durationMs: number | undefined;

  constructor(
    code: BuildErrorCode,
    message: string,
    extra: { output?: string; signal?: NodeJS.Signals | null; durationMs?: number } = {},
  ) {
    super(message);
    this.code = code;
    this.output = extra.output ?? '';
    this.signal = extra.signal ?? null;
    this.durationMs = extra.durationMs;
  }
}

/** Type guard for {@link BuildError}. */
export function isBuildError(e: unknown): e is BuildError {
  return e instanceof BuildError;
}
