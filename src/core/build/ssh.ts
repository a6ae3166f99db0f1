/**
 * The system OpenSSH client, as the remote runner uses it: the user's ~/.ssh/config, agent,
 * ProxyJump and known_hosts apply unchanged; we only add non-interactive mode, a connect timeout
 * and connection reuse (ControlMaster). Also: classifying ssh failures into clear errors, closing
 * the shared connection, and listing Host aliases for a host picker.
 *
 * Options used (ssh_config(5), https://man.openbsd.org/ssh_config): BatchMode, ConnectTimeout,
 * ControlMaster, ControlPath (with the `%C` hash token), ControlPersist, ServerAliveInterval,
 * ServerAliveCountMax.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, statSync, existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { BuildError } from './errors';
import { runProcess } from './process';

/** How to reach the remote ROCm box. Plain data (settings / task definition / CLI flags map onto it). */
export interface SshTarget {
  /** Host alias from the ssh config (or `user@host`, `host`). Must not start with `-`. */
  host: string;
  /** ssh config file passed as `ssh -F FILE` (then ~/.ssh/config is not read). Default: ssh's own lookup. */
  sshConfigFile?: string;
  /** `ConnectTimeout` in seconds (default 10). */
  connectTimeoutSec?: number;
  /** `ControlPersist` in seconds: how long the shared connection stays up after the last use (default 300). */
  controlPersistSec?: number;
  /** Directory for the ControlMaster socket (default `/tmp/hp-ssh-<uid>`, created mode 0700). */
  controlDir?: string;
  /** ssh executable (default `ssh`). */
  sshPath?: string;
}

/** Default `ConnectTimeout` (seconds). */
export const DEFAULT_CONNECT_TIMEOUT_SEC = 10;
/** Default `ControlPersist` (seconds). */
export const DEFAULT_CONTROL_PERSIST_SEC = 300;

/**
 * The private directory that holds ControlMaster sockets: `target.controlDir`, or
 * `/tmp/hp-ssh-<uid>` (short, because a Unix socket path is limited to ~104 bytes; `%C` adds 40).
 * Created with mode 0700 when missing.
 * @throws BuildError `ssh` when the directory exists but belongs to another user or is open to others.
 */
export function controlDir(target: SshTarget): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const dir = target.controlDir ?? join(existsSync('/tmp') ? '/tmp' : tmpdir(), `hp-ssh-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (typeof process.getuid === 'function' && (st.uid !== uid || (st.mode & 0o077) !== 0)) {
    throw new BuildError('ssh', `The ssh control socket directory ${dir} must belong to you and have mode 0700; remove it or set another one.`);
  }
  return dir;
}

/**
 * `ControlPath` value: `<controlDir>/<tag>%C` where `tag` is 8 hex digits of the config file path
 * (so connections made with different `-F` files never share a socket) or `d` for the default config.
 */
export function controlPath(target: SshTarget): string {
  const tag = target.sshConfigFile ? createHash('sha256').update(resolve(target.sshConfigFile)).digest('hex').slice(0, 8) : 'd';
  return join(controlDir(target), `${tag}-%C`);
}

/**
 * ssh options (without the host and command) for every connection to `target`:
 * `[-F file] -o BatchMode=yes -o ConnectTimeout=N -o ControlMaster=auto -o ControlPath=... -o ControlPersist=Ns -o ServerAliveInterval=10 -o ServerAliveCountMax=3`.
 * @throws BuildError `usage` for a host starting with `-` (it would be read as an option).
 */
export function sshOptions(target: SshTarget): string[] {
  if (target.host === '' || target.host.startsWith('-')) throw new BuildError('usage', `Invalid remote host "${target.host}".`);
  const args: string[] = [];
  if (target.sshConfigFile) args.push('-F', resolve(target.sshConfigFile));
  args.push(
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${target.connectTimeoutSec ?? DEFAULT_CONNECT_TIMEOUT_SEC}`,
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${controlPath(target)}`,
    '-o', `ControlPersist=${target.controlPersistSec ?? DEFAULT_CONTROL_PERSIST_SEC}s`,
    '-o', 'ServerAliveInterval=10',
    '-o', 'ServerAliveCountMax=3',
  );
  return args;
}

/** The ssh executable for `target`. */
export function sshPathOf(target: SshTarget): string {
  return target.sshPath ?? 'ssh';
}

/**
 * Explains an ssh failure (ssh exits with 255 for its own errors) from its stderr, or returns
 * undefined when the text shows no ssh-level problem. Recognises OpenSSH's messages for an unknown
 * host name, refused / timed-out / unroutable connections, refused authentication and host key
 * verification failures.
 */
export function classifySshFailure(host: string, stderr: string, output = stderr): BuildError | undefined {
  const last = stderr.trim().split(/\r?\n/).filter((l) => l.trim() !== '').slice(-1)[0] ?? '';
  const extra = { output };
  if (/Could not resolve hostname|Name or service not known|Temporary failure in name resolution|nodename nor servname/i.test(stderr)) {
    return new BuildError('unreachable', `Cannot reach ${host}: the host name does not resolve (${last}). Check the Host entry in your ssh config.`, extra);
  }
  if (/Connection refused/i.test(stderr)) {
    return new BuildError('unreachable', `Cannot reach ${host}: connection refused (${last}). Is sshd running there, and is the port right?`, extra);
  }
  if (/Connection timed out|Operation timed out|timed out during banner exchange|No route to host|Network is unreachable|Connection closed by .* port|Connection reset|kex_exchange_identification/i.test(stderr)) {
    return new BuildError('unreachable', `Cannot reach ${host}: ${last}. Check the network / VPN / ProxyJump for this host.`, extra);
  }
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/i.test(stderr)) {
    return new BuildError('host-key', `Host key verification failed for ${host}. Connect once in a terminal (\`ssh ${host}\`) to check and accept the host key, or fix known_hosts.`, extra);
  }
  if (/Permission denied \(|Too many authentication failures|no mutual signature|Authentication failed/i.test(stderr)) {
    return new BuildError('auth', `Authentication to ${host} was refused (${last}). Builds run non-interactively (BatchMode): load your key into ssh-agent or set IdentityFile for this host in your ssh config.`, extra);
  }
  return undefined;
}

/** Builds the error for an ssh run that exited with 255 (classified, or a generic `ssh` error). */
export function sshFailure(host: string, stderr: string, output: string): BuildError {
  return classifySshFailure(host, stderr, output) ?? new BuildError('ssh', `ssh to ${host} failed: ${stderr.trim().split(/\r?\n/).slice(-1)[0] ?? 'exit 255'}`, { output });
}

/**
 * Stops the shared connection to `target` (`ssh -O exit`), if one is up. Never throws; bounded to 5 s.
 * @returns true when a master was running and was told to exit.
 */
export async function closeSshConnection(target: SshTarget): Promise<boolean> {
  try {
    const r = await runProcess(sshPathOf(target), [...sshOptions(target), '-O', 'exit', target.host], { timeoutMs: 5000 });
    return r.exitCode === 0;
  } catch {
    return false;
  }
}

/** Runs `ssh -O check` for `target`: true when a shared connection is up. Bounded to 5 s. */
export async function sshMasterRunning(target: SshTarget): Promise<boolean> {
  try {
    const r = await runProcess(sshPathOf(target), [...sshOptions(target), '-O', 'check', target.host], { timeoutMs: 5000 });
    return r.exitCode === 0;
  } catch {
    return false;
  }
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

function valuesOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((v) => v !== '');
  if (Array.isArray(value)) return value.map((v: { val: string }) => v.val);
  return [];
}

function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (!/[*?]/.test(base)) return existsSync(pattern) ? [pattern] : [];
  const re = new RegExp('^' + base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  try {
    return readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/**
 * Host aliases defined in an ssh config (for a "Select ROCm Box" picker): every `Host` pattern
 * without wildcards or negation, in file order, without duplicates, following `Include` directives
 * (relative paths resolved against ~/.ssh, `*`/`?` wildcards in the last path component).
 *
 * @param configPath default `~/.ssh/config`; a missing file yields `[]`.
 */
export async function listSshHosts(configPath: string = join(homedir(), '.ssh', 'config')): Promise<string[]> {
  const { default: SSHConfig } = await import('ssh-config');
  const hosts: string[] = [];
  const visited = new Set<string>();
  type Line = { type: number; param?: string; value?: unknown; config?: Line[] };
  const walk = async (file: string, depth: number): Promise<void> => {
    if (depth > 8 || visited.has(file)) return;
    visited.add(file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return;
    }
    const visit = async (lines: Line[]): Promise<void> => {
      for (const line of lines) {
        if (line.type !== SSHConfig.DIRECTIVE || !line.param) continue;
        const param = line.param.toLowerCase();
        if (param === 'host') {
          for (const h of valuesOf(line.value)) if (!/[*?!]/.test(h) && !hosts.includes(h)) hosts.push(h);
        }
        if (param === 'include') {
          for (const pat of valuesOf(line.value)) {
            const p = expandHome(pat);
            for (const f of globFiles(isAbsolute(p) ? p : join(homedir(), '.ssh', p))) await walk(f, depth + 1);
          }
        }
        if (line.config) await visit(line.config);
      }
    };
    await visit(SSHConfig.parse(text) as unknown as Line[]);
  };
  await walk(resolve(configPath), 0);
  return hosts;
}
