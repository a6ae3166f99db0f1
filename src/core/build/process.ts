/**
 * Child processes for the build runners: spawned with an argument array (never a shell), in their
 * own process group (`detached: true`) so that cancel and timeout can kill the whole tree
 * (hipcc is a Perl script that starts clang, lld, clang-offload-bundler, ...), with output streamed
 * as it arrives and a hard time limit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Which pipe a chunk came from. */
export type OutputStream = 'stdout' | 'stderr';

/** Options for {@link runProcess}. */
export interface ProcessOptions {
  cwd?: string;
  /** Full environment of the child (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the process group; the promise then resolves with `stoppedBy: 'abort'`. */
  signal?: AbortSignal;
  /** Kill the process group after this many milliseconds (`stoppedBy: 'timeout'`). 0/undefined = no limit. */
  timeoutMs?: number;
  /** Called with each decoded UTF-8 chunk as it arrives. */
  onOutput?: (chunk: string, stream: OutputStream) => void;
  /** Called once with the child's pid (= its process group id) right after spawning. */
  onSpawn?: (pid: number) => void;
  /** Written to the child's stdin, which is then closed; or a function given the stdin stream. Default: stdin closed. */
  stdin?: string | ((child: ChildProcess) => void);
  /** Milliseconds between SIGTERM and SIGKILL when stopping the tree (default 2000). */
  killGraceMs?: number;
  /** Called before the tree is killed on abort/timeout (e.g. to kill a remote process too); awaited up to killGraceMs. */
  beforeKill?: () => Promise<void> | void;
}

/** What happened to a process run with {@link runProcess}. */
export interface ProcessResult {
  /** Exit code, or null when ended by a signal. */
  exitCode: number | null;
  /** Terminating signal, or null. */
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved in arrival order. */
  output: string;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to close. */
  durationMs: number;
  /** Set when we stopped it (abort or timeout), whatever exit status that produced. */
  stoppedBy?: 'abort' | 'timeout';
}

/** Sends `sig` to the process group `pgid`; returns false when the group no longer exists. */
export function killGroup(pgid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while some process in group `pgid` is alive. On Linux this scans /proc and ignores zombies
 * (a container's PID 1 may never reap orphans, and a zombie has finished anyway); elsewhere it
 * probes with signal 0.
 */
export function groupAlive(pgid: number): boolean {
  if (process.platform === 'linux') {
    let names: string[];
    try {
      names = readdirSync('/proc');
    } catch {
      names = [];
    }
    if (names.length > 0) {
      for (const name of names) {
        if (name.charCodeAt(0) > 57 || name.charCodeAt(0) < 48) continue;
        let stat: string;
        try {
          stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        } catch {
          continue;
        }
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (f[0] !== 'Z' && Number(f[2]) === pgid) return true;
      }
      return false;
    }
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `command args` and resolves when it has exited and its pipes have closed.
 * Rejects only when the process cannot be spawned (the spawn error, e.g. `code: 'ENOENT'`).
 * A pre-aborted signal resolves immediately with `stoppedBy: 'abort'` without spawning.
 */
export function runProcess(command: string, args: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  const started = performance.now();
  if (opts.signal?.aborted) {
    return Promise.resolve({ exitCode: null, signal: null, output: '', stdout: '', stderr: '', durationMs: 0, stoppedBy: 'abort' });
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    let stderr = '';
    let stoppedBy: 'abort' | 'timeout' | undefined;
    let spawned = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = opts.killGraceMs ?? 2000;

    const stop = (why: 'abort' | 'timeout'): void => {
      if (stoppedBy || child.pid === undefined) return;
      stoppedBy = why;
      const pid = child.pid;
      const killNow = (): void => {
        killGroup(pid, 'SIGTERM');
        graceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
        graceTimer.unref();
      };
      if (opts.beforeKill) {
        const bounded = new Promise<void>((r) => setTimeout(r, grace).unref());
        void Promise.race([Promise.resolve().then(opts.beforeKill).catch(() => undefined), bounded]).then(killNow);
      } else killNow();
    };
    const onAbort = (): void => stop('abort');
    const timer = opts.timeoutMs && opts.timeoutMs > 0 ? setTimeout(() => stop('timeout'), opts.timeoutMs) : undefined;

    child.on('spawn', () => {
      spawned = true;
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) onAbort();
      if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    });
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (!spawned) reject(err);
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      stdout += d;
      opts.onOutput?.(d, 'stdout');
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      stderr += d;
      opts.onOutput?.(d, 'stderr');
    });
    child.stdin!.on('error', () => undefined); // EPIPE when the child exits before reading
    if (typeof opts.stdin === 'function') opts.stdin(child);
    else child.stdin!.end(opts.stdin ?? '');

    child.on('close', (code, sig) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Make sure nothing of the tree survives a stop (e.g. a grandchild that ignored SIGTERM or was forked late).
      if (stoppedBy && child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      if (graceTimer) clearTimeout(graceTimer);
      const result: ProcessResult = { exitCode: code, signal: sig, output, stdout, stderr, durationMs: performance.now() - started };
      if (stoppedBy) result.stoppedBy = stoppedBy;
      resolvePromise(result);
    });
  });
}
