/**
 * The machines a validation runs on: this machine, or a box reached through the system OpenSSH
 * client with the build engine's options (src/core/build/ssh.ts: the user's ~/.ssh/config,
 * BatchMode, the shared ControlMaster connection) and its remote runner
 * (src/core/build/remote-command.ts: streamed output, the remote exit code, cancel and time limit
 * killing the remote process group). Files travel with rsync over the same connection.
 *
 * A box offers: prepare (create the work dir, copy the project), exec (a shell script in a folder of
 * the work dir), put (one local file into the work dir) and fetch (a folder of the work dir back).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { BuildError } from '../build/errors';
import { runProcess, type OutputStream } from '../build/process';
import { runRemoteCommand } from '../build/remote-command';
import { listFolderFiles, remoteDirShell } from '../build/remote-runner';
import { rsyncRshQuote, shellQuote } from '../build/shell-quote';
import { sshFailure, sshOptions, sshPathOf, type SshTarget } from '../build/ssh';
import type { ResolvedSide } from './config';

/** What a script run on a box did. */
export interface ExecResult {
  /** Exit code of the script; null when stopped or killed. */
  exitCode: number | null;
  stoppedBy?: 'abort' | 'timeout';
  /** Output of the script itself (the case programs' output goes to files). */
  output: string;
  durationMs: number;
}

/** Options of {@link Box.exec}. */
export interface ExecOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput?: (chunk: string, stream: OutputStream) => void;
}

/** A machine a side runs on. Paths given to it are relative to its work dir (POSIX separators). */
export interface Box {
  /** `local` or the ssh host. */
  readonly label: string;
  readonly remote: boolean;
  /** Absolute work dir on the box (known after {@link prepare}). */
  workDir: string;
  /** Creates the work dir and copies the project (remote, when `sync`); returns the copied file count. */
  prepare(signal?: AbortSignal): Promise<number>;
  /** Runs `script` with /bin/sh in `cwd` (relative to the work dir), with the side's env exported. */
  exec(script: string, cwd: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Copies the local file `from` to `to` (relative to the work dir). */
  put(from: string, to: string, signal?: AbortSignal): Promise<void>;
  /** Copies the box's folder `dir` (relative to the work dir) into the local folder `localDir`; no-op when they are the same folder. */
  fetch(dir: string, localDir: string, signal?: AbortSignal): Promise<void>;
}

/** `export K=V; ...` for the side's environment. */
export function envPrefix(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new BuildError('usage', `Invalid environment variable name "${k}".`);
      return `export ${k}=${shellQuote(v)}; `;
    })
    .join('');
}

class LocalBox implements Box {
  readonly label = 'local';
  readonly remote = false;
  workDir: string;
  constructor(private readonly side: ResolvedSide) {
    this.workDir = side.dir;
  }
  async prepare(): Promise<number> {
    await mkdir(this.workDir, { recursive: true });
    return 0;
  }
  async exec(script: string, cwd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const dir = resolve(this.workDir, cwd);
    let p;
    try {
      p = await runProcess('/bin/sh', ['-c', envPrefix(this.side.env) + script], {
        cwd: dir,
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onOutput ? { onOutput: opts.onOutput } : {}),
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // spawn fails with ENOENT when the cwd is missing.
      return { exitCode: 127, output: code === 'ENOENT' ? `cannot run in ${dir}: no such folder\n` : `${(e as Error).message}\n`, durationMs: 0 };
    }
    const r: ExecResult = { exitCode: p.stoppedBy ? null : p.exitCode, output: p.output, durationMs: p.durationMs };
    if (p.stoppedBy) r.stoppedBy = p.stoppedBy;
    return r;
  }
  async put(from: string, to: string): Promise<void> {
    const dest = resolve(this.workDir, to);
    if (dest === resolve(from)) return;
    await mkdir(resolve(dest, '..'), { recursive: true });
    await copyFile(from, dest);
  }
  async fetch(dir: string, localDir: string): Promise<void> {
    const src = resolve(this.workDir, dir);
    if (src === resolve(localDir)) return;
    const r = await runProcess('cp', ['-a', `${src}/.`, localDir]);
    if (r.exitCode !== 0) throw new BuildError('sync', `Cannot copy ${src} to ${localDir}: ${r.output.trim()}`);
  }
}

class RemoteBox implements Box {
  readonly remote = true;
  readonly label: string;
  workDir = '';
  private readonly target: SshTarget;
  constructor(
    private readonly side: ResolvedSide,
    /** Local folders left out of the copy (e.g. the validation output folder), absolute. */
    private readonly exclude: readonly string[],
    controlDir?: string,
  ) {
    this.label = side.host;
    this.target = { host: side.host };
    if (side.sshConfigFile) this.target.sshConfigFile = side.sshConfigFile;
    if (side.connectTimeoutSec) this.target.connectTimeoutSec = side.connectTimeoutSec;
    if (controlDir) this.target.controlDir = controlDir;
  }

  private rsh(): string {
    return [sshPathOf(this.target), ...sshOptions(this.target)].map(rsyncRshQuote).join(' ');
  }

  private async rsync(args: string[], signal: AbortSignal | undefined, what: string, stdin?: string): Promise<void> {
    let p;
    try {
      p = await runProcess('rsync', ['-a', '-e', this.rsh(), ...args], { timeoutMs: 30 * 60_000, ...(signal ? { signal } : {}), ...(stdin !== undefined ? { stdin } : {}) });
    } catch (e) {
      throw new BuildError('sync', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'rsync is not installed on this machine (apt-get install rsync); it copies the project and the outputs.' : `Cannot start rsync: ${(e as Error).message}`);
    }
    if (p.stoppedBy === 'abort') throw new BuildError('cancelled', `Cancelled while ${what}.`);
    if (p.stoppedBy === 'timeout') throw new BuildError('timeout', `${what} on ${this.label} took over 30 minutes; stopped.`);
    if (p.exitCode !== 0) {
      if (p.exitCode === 255 || /Permission denied \(|Connection refused|Could not resolve hostname|Host key verification failed/.test(p.output)) throw sshFailure(this.label, p.output, p.output);
      if (/command not found|rsync: not found/.test(p.output)) throw new BuildError('sync', `rsync is not installed on ${this.label}; install it there (apt-get install rsync).`, { output: p.output });
      throw new BuildError('sync', `${what} with rsync failed (exit ${p.exitCode}): ${p.output.trim().split('\n').slice(-1)[0] ?? ''}`, { output: p.output });
    }
  }

  async prepare(signal?: AbortSignal): Promise<number> {
    const d = remoteDirShell(this.side.remoteDir);
    let p;
    try {
      p = await runProcess(sshPathOf(this.target), [...sshOptions(this.target), this.target.host, `mkdir -p -- ${d} && cd -- ${d} && echo "__HP_PWD=$(pwd -P)"`], {
        timeoutMs: 120_000,
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      throw new BuildError('ssh', `Cannot start ssh: ${(e as Error).message}`);
    }
    if (p.stoppedBy === 'abort') throw new BuildError('cancelled', 'Cancelled while connecting.');
    if (p.stoppedBy === 'timeout') throw new BuildError('timeout', `Connecting to ${this.label} took over 2 minutes; stopped.`);
    if (p.exitCode === 255) throw sshFailure(this.label, p.stderr, p.output);
    const pwd = /__HP_PWD=(.*)/.exec(p.stdout)?.[1]?.trim();
    if (p.exitCode !== 0 || !pwd) throw new BuildError('not-writable', `Cannot create the work dir ${this.side.remoteDir} on ${this.label}: ${p.output.trim().split('\n').slice(-1)[0] ?? ''}`, { output: p.output });
    this.workDir = pwd;
    if (!this.side.sync) return 0;
    const files = (await listFolderFiles(this.side.dir)).filter((f) => {
      const abs = join(this.side.dir, f);
      return !this.exclude.some((x) => {
        const rel = relative(x, abs);
        return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
      });
    });
    if (files.length === 0) return 0;
    await this.rsync(['--from0', '--files-from=-', '--', this.side.dir + '/', `${this.target.host}:${pwd}/`], signal, `copying ${this.side.dir} to ${this.label}`, files.join('\0'));
    return files.length;
  }

  async exec(script: string, cwd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const dir = posix.join(this.workDir, cwd);
    const r = await runRemoteCommand(envPrefix(this.side.env) + script, this.target, dir, {
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onOutput ? { onOutput: opts.onOutput } : {}),
    });
    const out: ExecResult = { exitCode: r.exitCode, output: r.output, durationMs: r.durationMs };
    if (r.stoppedBy) out.stoppedBy = r.stoppedBy;
    return out;
  }

  async put(from: string, to: string, signal?: AbortSignal): Promise<void> {
    const dest = posix.join(this.workDir, to);
    await this.rsync(['--mkpath', '--', from, `${this.target.host}:${dest}`], signal, `copying input ${from} to ${this.label}`);
  }

  async fetch(dir: string, localDir: string, signal?: AbortSignal): Promise<void> {
    await mkdir(localDir, { recursive: true });
    await this.rsync(['--', `${this.target.host}:${posix.join(this.workDir, dir)}/`, localDir + '/'], signal, `fetching outputs from ${this.label}`);
  }
}

/**
 * The box of a side: {@link LocalBox} for host `local`, else a remote box over OpenSSH.
 * @param exclude local folders a remote sync leaves out (absolute)
 * @param controlDir ControlMaster socket folder (tests use a private one)
 */
export function boxFor(side: ResolvedSide, exclude: readonly string[] = [], controlDir?: string): Box {
  return side.host === 'local' ? new LocalBox(side) : new RemoteBox(side, exclude, controlDir);
}

/** The {@link SshTarget} a side's remote box uses (for closing its shared connection). */
export function sideTarget(side: ResolvedSide, controlDir?: string): SshTarget | undefined {
  if (side.host === 'local') return undefined;
  const t: SshTarget = { host: side.host };
  if (side.sshConfigFile) t.sshConfigFile = side.sshConfigFile;
  if (controlDir) t.controlDir = controlDir;
  return t;
}
