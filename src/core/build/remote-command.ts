/**
 * Running an arbitrary shell command on the remote ROCm box (e.g. the "run command" after a
 * successful remote build, or cleaning up files there), through the same OpenSSH options as the
 * remote builds ({@link sshOptions}: the user's ssh config, BatchMode, the shared ControlMaster
 * connection). Output is streamed as it arrives; the remote exit code is carried back; cancel and
 * time limit stop the remote process tree too, not only the local ssh client.
 *
 * How the remote kill works: sshd starts every session's command in a new session (setsid), so the
 * remote shell is a process-group leader. The shell prints its pid on stderr as a marker line
 * (removed from the output) and then `exec`s `/bin/sh -c COMMAND`, which keeps that pid; on cancel
 * a second ssh call sends SIGTERM to that process group before the local ssh is killed.
 */
import { BuildError } from './errors';
import { runProcess, type OutputStream } from './process';
import { shellQuote } from './shell-quote';
import { sshFailure, sshOptions, sshPathOf, type SshTarget } from './ssh';

/** Marker the remote shell prints (with its pid) on stderr before running the command. */
export const REMOTE_RUN_PID_MARK = '__HP_RUNPID=';

/** Options of {@link runRemoteCommand}. */
export interface RemoteRunOptions {
  /** Aborting stops the command on the remote box and locally; the result then has `stoppedBy: 'abort'`. */
  signal?: AbortSignal;
  /** Time limit in milliseconds (0/undefined = none); the result then has `stoppedBy: 'timeout'`. */
  timeoutMs?: number;
  /** Receives output chunks (UTF-8 text) as they arrive, without the pid marker line. */
  onOutput?: (chunk: string, stream: OutputStream) => void;
  /** Milliseconds the remote kill may take before the local ssh is killed anyway (default 5000). */
  killTimeoutMs?: number;
}

/** What a remote command did. */
export interface RemoteRunResult {
  /** The remote command's exit code; null when it was stopped (see `stoppedBy`) or ended by a signal. */
  exitCode: number | null;
  /** Set when we stopped it (abort or time limit). */
  stoppedBy?: 'abort' | 'timeout';
  /** Output (stdout and stderr interleaved, marker removed). */
  output: string;
  /** pid of the remote shell (= its process group id), 0 when the command never started remotely. */
  remotePid: number;
  /** Wall-clock milliseconds, connection included. */
  durationMs: number;
}

/**
 * Runs `command` with `/bin/sh -c` on `target.host` in the remote directory `cwd`.
 *
 * @param command shell text, run as is by the remote `/bin/sh` (the caller substitutes variables)
 * @param cwd remote working directory (absolute, or relative to the remote home); `cd` failing is
 *   reported by the remote shell on stderr and ends the command with a non-zero exit code
 * @returns the result (any exit code); a command stopped by abort/timeout resolves with `stoppedBy`
 * @throws BuildError `usage` for an invalid host; `unreachable` / `auth` / `host-key` / `ssh` when
 *   ssh itself failed (exit 255 before the remote shell started); `ssh` when ssh cannot be spawned
 */
export async function runRemoteCommand(command: string, target: SshTarget, cwd: string, opts: RemoteRunOptions = {}): Promise<RemoteRunResult> {
  const script = `cd -- ${shellQuote(cwd)} && echo "${REMOTE_RUN_PID_MARK}$$" >&2 && exec /bin/sh -c ${shellQuote(command)}`;
  const markRe = new RegExp(`(^|\\n)${REMOTE_RUN_PID_MARK}(\\d+)\\r?\\n`);
  let remotePid = 0;
  let head = ''; // stderr until the marker line has been seen
  let output = '';
  const emit = (chunk: string, stream: OutputStream): void => {
    if (chunk === '') return;
    output += chunk;
    opts.onOutput?.(chunk, stream);
  };
  const killTimeoutMs = opts.killTimeoutMs ?? 5000;
  let p;
  try {
    p = await runProcess(sshPathOf(target), [...sshOptions(target), target.host, script], {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      killGraceMs: killTimeoutMs,
      onOutput: (chunk, stream) => {
        if (stream === 'stdout' || remotePid !== 0) return emit(chunk, stream);
        head += chunk;
        const m = markRe.exec(head);
        if (m) {
          remotePid = Number(m[2]);
          const rest = head.slice(0, m.index + m[1]!.length) + head.slice(m.index + m[0].length);
          head = '';
          emit(rest, 'stderr');
        }
      },
      beforeKill: async () => {
        // A stop that comes before the pid marker (the session is still starting) must still wait for
        // it: over a shared ControlMaster connection the master holds our pipes, so killing the local
        // ssh alone would leave the remote command running and this call waiting for it to end.
        const until = Date.now() + killTimeoutMs / 2;
        while (remotePid <= 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        if (remotePid <= 0) return;
        await runProcess(sshPathOf(target), [...sshOptions(target), target.host, `kill -TERM -- -${remotePid} 2>/dev/null; kill -TERM ${remotePid} 2>/dev/null; true`], {
          timeoutMs: killTimeoutMs / 2,
        });
      },
    });
  } catch (e) {
    throw new BuildError('ssh', `Cannot start ssh (${sshPathOf(target)}): ${(e as Error).message}`);
  }
  if (head) emit(head, 'stderr');
  if (!p.stoppedBy && p.exitCode === 255 && remotePid === 0) throw sshFailure(target.host, p.stderr, output);
  const result: RemoteRunResult = { exitCode: p.stoppedBy ? null : p.exitCode, output, remotePid, durationMs: p.durationMs };
  if (p.stoppedBy) result.stoppedBy = p.stoppedBy;
  return result;
}
