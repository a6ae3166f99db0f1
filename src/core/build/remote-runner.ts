/**
 * Remote builds over the system OpenSSH client: prepare the remote work dir, copy the sources
 * (the include closure of the files, or a whole folder honouring .gitignore) with rsync over ssh,
 * or tar over ssh when rsync is missing on either side, run hipcc there with every argument
 * POSIX-quoted, stream its output, and map remote paths in the diagnostics back to local files.
 *
 * Layout: the local directory `localRoot` is mirrored at the remote work dir; hipcc runs in that
 * dir with paths relative to it, so `localRoot/src/a.hip` compiles as `src/a.hip` remotely.
 *
 * Every step is bounded in time and honours the AbortSignal; a cancelled or timed-out compile is
 * also killed on the remote side (its process group, via the shared connection).
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep, posix, dirname } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { mapRemotePath, parseDiagnostics } from './diagnostics';
import { BuildError } from './errors';
import { buildEnvDelta, defaultOutputPath, hipccArgs, hipccPathOf, HIPCC_INSTALL_HINT, type BuildRequest } from './hipcc';
import { includeClosure } from './include-closure';
import { DEFAULT_BUILD_TIMEOUT_MS, formatSeconds, processOutcome, type BuildResult, type RunOptions } from './local-runner';
import { runProcess, type OutputStream, type ProcessResult } from './process';
import { rsyncRshQuote, shellJoin, shellQuote } from './shell-quote';
import { sshFailure, sshOptions, sshPathOf, type SshTarget } from './ssh';

/** Remote build target: an {@link SshTarget} plus where and how to sync. */
export interface RemoteTarget extends SshTarget {
  /**
   * Remote work dir: absolute, or relative to the remote home (`~/x` is accepted too).
   * Default {@link DEFAULT_REMOTE_DIR}.
   */
  remoteDir?: string;
  /** Local directory mirrored at `remoteDir`. Default: the deepest directory containing all sources. */
  localRoot?: string;
  /** What to copy: `closure` (default) the sources and their local includes, `folder` all of `localRoot` minus .gitignore'd files, `none` nothing. */
  sync?: 'closure' | 'folder' | 'none';
  /** `auto` (default): rsync when both sides have it, else tar; or force one. */
  transfer?: 'auto' | 'rsync' | 'tar';
  /** rsync executable (default `rsync`). */
  rsyncPath?: string;
  /** tar executable, local and remote (default `tar`). */
  tarPath?: string;
  /** Time limit for connecting + preparing and for copying, each, in milliseconds (default 120000). */
  stepTimeoutMs?: number;
}

/** Default remote work dir, relative to the remote home. */
export const DEFAULT_REMOTE_DIR = '.cache/hip-porter/build';

/** A finished remote build: a {@link BuildResult} plus where and how it ran. */
export interface RemoteBuildResult extends BuildResult {
  /** Absolute remote work dir (as `pwd -P` printed it). */
  remoteDir: string;
  /** Local directory mirrored at `remoteDir` (absolute). */
  localRoot: string;
  /** How files were copied. */
  transfer: 'rsync' | 'tar' | 'none';
  /** Copied files, relative to `localRoot` (POSIX separators). */
  syncedFiles: string[];
  /** Files of the include closure outside `localRoot`, not copied (absolute local paths). */
  skippedFiles: string[];
  /** Milliseconds per phase: connect + prepare (ssh round trip), copy, compile. */
  timings: { prepareMs: number; syncMs: number; compileMs: number };
}

/** Deepest common directory of absolute paths `files` (their parent dirs). */
export function commonDir(files: readonly string[]): string {
  if (files.length === 0) return process.cwd();
  let parts = dirname(files[0]!).split(sep);
  for (const f of files.slice(1)) {
    const q = dirname(f).split(sep);
    let i = 0;
    while (i < parts.length && i < q.length && parts[i] === q[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join(sep) || sep;
}

function within(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function toPosixRel(root: string, p: string): string {
  return relative(root, p).split(sep).join('/');
}

/**
 * Files under `root` (relative POSIX paths, sorted) minus those ignored by `.gitignore` files
 * (at any depth, each applying to its own subtree, as git does) and minus `.git/`.
 * Symbolic links to directories are not followed.
 */
export async function listFolderFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (relDir: string, rules: { base: string; ig: Ignore }[]): Promise<void> => {
    const abs = join(root, ...relDir.split('/').filter(Boolean));
    const entries = await readdir(abs, { withFileTypes: true });
    let local = rules;
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      const ig = ignore().add(await readFile(join(abs, '.gitignore'), 'utf8'));
      local = [...rules, { base: relDir, ig }];
    }
    const ignored = (rel: string, isDir: boolean): boolean =>
      local.some(({ base, ig }) => {
        const sub = base === '' ? rel : rel.slice(base.length + 1);
        return ig.ignores(isDir ? `${sub}/` : sub);
      });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = relDir === '' ? e.name : `${relDir}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name === '.git' || ignored(rel, true)) continue;
        await walk(rel, local);
      } else if (e.isFile() || e.isSymbolicLink()) {
        if (!ignored(rel, false)) out.push(rel);
      }
    }
  };
  await walk('', []);
  return out;
}

/** Shell text for a remote dir: `~/x` becomes `"$HOME"/'x'`, other paths are quoted as they are. */
export function remoteDirShell(dir: string): string {
  if (dir === '~') return '"$HOME"';
  if (dir.startsWith('~/')) return `"$HOME"/${shellQuote(dir.slice(2))}`;
  return shellQuote(dir);
}

const PID_MARK = '__HP_PID=';

/**
 * The shell command that prepares the remote dir: creates it, checks it is writable (by creating
 * a file), prints its physical path and whether rsync and hipcc are available. Exit 3 = not writable.
 */
export function prepareScript(remoteDir: string, hipcc: string): string {
  const d = remoteDirShell(remoteDir);
  return [
    `mkdir -p -- ${d} || { echo __HP_NOTWRITABLE; exit 3; }`,
    `cd -- ${d} || { echo __HP_NOTWRITABLE; exit 3; }`,
    `t=.hp-write-test.$$; (: > "$t") || { echo __HP_NOTWRITABLE; exit 3; }; rm -f "$t"`,
    `echo "__HP_PWD=$(pwd -P)"`,
    `if command -v rsync >/dev/null 2>&1; then echo __HP_RSYNC=1; else echo __HP_RSYNC=0; fi`,
    `if command -v ${shellQuote(hipcc)} >/dev/null 2>&1; then echo __HP_HIPCC=1; else echo __HP_HIPCC=0; fi`,
  ].join('; ');
}

/**
 * The remote compile command: `cd DIR && echo PID marker >&2 && exec env K=V... hipcc ARGS...`,
 * every word POSIX-quoted. The marker gives the remote process group id (sshd starts each command
 * in a new session) so a cancel can kill the remote tree.
 */
export function remoteCompileCommand(remoteDirAbs: string, hipcc: string, args: readonly string[], env: Record<string, string>): string {
  const envWords = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return `cd -- ${shellQuote(remoteDirAbs)} && echo "${PID_MARK}$$" >&2 && exec env ${shellJoin(envWords)} ${shellJoin([hipcc, ...args])}`;
}

/** Line-buffers a stream, replacing `from` by `to` in each line, and drops the PID marker line. */
class LineRewriter {
  private buf = '';
  constructor(
    private readonly emit: (s: string) => void,
    private readonly from: string,
    private readonly to: string,
    private readonly onPid?: (pid: number) => void,
  ) {}
  push(chunk: string): void {
    this.buf += chunk;
    const nl = this.buf.lastIndexOf('\n');
    if (nl < 0) return;
    const lines = this.buf.slice(0, nl + 1);
    this.buf = this.buf.slice(nl + 1);
    this.out(lines);
  }
  flush(): void {
    if (this.buf !== '') this.out(this.buf);
    this.buf = '';
  }
  private out(text: string): void {
    let t = text;
    if (this.onPid) {
      t = t.replace(new RegExp(`^${PID_MARK}(\\d+)\\r?\\n`, 'm'), (_, pid: string) => {
        this.onPid?.(Number(pid));
        return '';
      });
    }
    if (this.from !== '' && this.from !== '/') t = t.split(this.from + '/').join(this.to + sep);
    if (t !== '') this.emit(t);
  }
}

/** Runs `ssh [options] host command` and returns the process result (spawn errors become BuildErrors). */
async function ssh(target: RemoteTarget, command: string, o: { timeoutMs: number; signal?: AbortSignal; onOutput?: (c: string, s: OutputStream) => void; stdin?: string; beforeKill?: () => Promise<void> }): Promise<ProcessResult> {
  try {
    return await runProcess(sshPathOf(target), [...sshOptions(target), target.host, command], {
      timeoutMs: o.timeoutMs,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onOutput ? { onOutput: o.onOutput } : {}),
      ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
      ...(o.beforeKill ? { beforeKill: o.beforeKill } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new BuildError('ssh', e.code === 'ENOENT' ? `The OpenSSH client (\`${sshPathOf(target)}\`) is not installed. Install it (Debian/Ubuntu: apt-get install openssh-client).` : `Could not start ssh: ${e.message}`);
  }
}

function stepOutcome(p: ProcessResult, step: string, host: string, timeoutMs: number): void {
  const extra = { output: p.output, durationMs: p.durationMs };
  if (p.stoppedBy === 'abort') throw new BuildError('cancelled', `Build cancelled during ${step}.`, extra);
  if (p.stoppedBy === 'timeout') throw new BuildError('timeout', `${step} on ${host} did not finish within ${formatSeconds(timeoutMs)}; stopped.`, extra);
  if (p.exitCode === 255) throw sshFailure(host, p.stderr, p.output);
  if (p.exitCode === null) throw new BuildError('killed', `${step} was killed by signal ${p.signal ?? 'unknown'}.`, { ...extra, signal: p.signal });
}

function syncFailure(p: ProcessResult, host: string, tool: string): BuildError {
  if (/No space left on device|Disk quota exceeded/i.test(p.output)) {
    return new BuildError('disk-full', `The remote disk on ${host} is full (No space left on device) while copying sources. Free space there or choose another remote work dir.`, { output: p.output });
  }
  if (/Permission denied|Read-only file system/i.test(p.output) && !/Permission denied \(/.test(p.output)) {
    return new BuildError('not-writable', `Cannot write the sources into the remote work dir on ${host}: ${p.output.trim().split('\n').slice(-1)[0]}`, { output: p.output });
  }
  return classifySyncSsh(p, host) ?? new BuildError('sync', `Copying sources to ${host} with ${tool} failed (exit ${p.exitCode}): ${p.output.trim().split('\n').slice(-1)[0] ?? ''}`, { output: p.output });
}

function classifySyncSsh(p: ProcessResult, host: string): BuildError | undefined {
  // rsync reports ssh errors inside its own output and exits 255 or 12.
  if (p.exitCode === 255 || /Permission denied \(|Connection refused|Host key verification failed|Could not resolve hostname/.test(p.output)) {
    return sshFailure(host, p.output, p.output);
  }
  return undefined;
}

/**
 * Builds `req` on `target.host`.
 *
 * @param req the build, with LOCAL paths (relative ones against `req.cwd`); sources and include
 *   dirs inside `localRoot` are rewritten relative to the remote work dir, other include dirs
 *   are passed as they are (taken to exist on the remote).
 * @returns the result when hipcc ran to its exit, diagnostics mapped to local paths.
 * @throws BuildError `usage`, `unreachable`, `auth`, `host-key`, `ssh`, `not-writable`,
 *   `disk-full`, `sync`, `hipcc-not-found` (remote), `cancelled`, `timeout`, `killed`.
 */
export async function runRemoteBuild(req: BuildRequest, target: RemoteTarget, opts: RunOptions = {}): Promise<RemoteBuildResult> {
  const t0 = performance.now();
  const host = target.host;
  const cwd = resolve(req.cwd ?? process.cwd());
  const sources = req.sources.map((s) => resolve(cwd, s));
  const includeDirs = (req.includeDirs ?? []).map((d) => resolve(cwd, d));
  const localRoot = resolve(target.localRoot ?? commonDir(sources));
  const stepTimeout = target.stepTimeoutMs ?? 120_000;
  const compileTimeout = opts.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
  const hipcc = hipccPathOf(req);
  const say = (s: string): void => opts.onOutput?.(`[hip-porter] ${s}\n`, 'stderr');
  const signalOpt = opts.signal ? { signal: opts.signal } : {};
  if (opts.signal?.aborted) throw new BuildError('cancelled', 'Build cancelled before it started.');

  for (const s of sources) {
    if (!within(localRoot, s)) throw new BuildError('usage', `Source ${s} is outside the local root ${localRoot}; set the local root to a folder containing every source.`);
  }
  // The remote request: same build, paths relative to the mirrored root.
  const remoteReq: BuildRequest = {
    ...req,
    sources: sources.map((s) => toPosixRel(localRoot, s)),
    includeDirs: includeDirs.map((d) => (within(localRoot, d) ? toPosixRel(localRoot, d) || '.' : d)),
  };
  delete remoteReq.cwd;
  if (req.output) {
    const out = resolve(cwd, req.output);
    if (!within(localRoot, out)) throw new BuildError('usage', `Output ${out} is outside the local root ${localRoot}.`);
    remoteReq.output = toPosixRel(localRoot, out);
  }
  hipccArgs(remoteReq); // usage errors (no source, -o with several objects) before connecting

  // Which files to copy.
  const mode = target.sync ?? 'closure';
  let files: string[] = [];
  const skipped: string[] = [];
  if (mode === 'closure') {
    const closure = await includeClosure(sources, includeDirs, cwd);
    for (const f of closure.files) {
      if (within(localRoot, f)) files.push(toPosixRel(localRoot, f));
      else skipped.push(f);
    }
    if (skipped.length > 0) say(`not copied (outside ${localRoot}): ${skipped.join(', ')}`);
  } else if (mode === 'folder') {
    files = await listFolderFiles(localRoot);
  }

  // 1. Connect (starts the shared connection), create and check the remote dir, probe tools.
  const remoteDir = target.remoteDir ?? DEFAULT_REMOTE_DIR;
  const prep = await ssh(target, prepareScript(remoteDir, hipcc), { timeoutMs: stepTimeout, ...signalOpt });
  stepOutcome(prep, 'connecting and preparing the remote dir', host, stepTimeout);
  if (/__HP_NOTWRITABLE/.test(prep.stdout) || prep.exitCode === 3) {
    const why = prep.stderr.trim().split('\n').slice(-1)[0] ?? '';
    if (/No space left on device|Disk quota exceeded/i.test(prep.output)) {
      throw new BuildError('disk-full', `The remote disk on ${host} is full (No space left on device): cannot prepare ${remoteDir}.`, { output: prep.output });
    }
    throw new BuildError('not-writable', `The remote work dir ${remoteDir} on ${host} cannot be created or written (${why}). Choose another remote work dir.`, { output: prep.output });
  }
  const pwd = /__HP_PWD=(.*)/.exec(prep.stdout)?.[1]?.trim();
  if (prep.exitCode !== 0 || !pwd) {
    throw new BuildError('ssh', `Preparing ${remoteDir} on ${host} failed (exit ${prep.exitCode}): ${prep.output.trim().split('\n').slice(-1)[0] ?? ''}`, { output: prep.output });
  }
  if (/__HP_HIPCC=0/.test(prep.stdout)) {
    throw new BuildError('hipcc-not-found', `hipcc not found on ${host}: \`${hipcc}\` is not on the PATH of a non-interactive ssh session there. ${HIPCC_INSTALL_HINT.replace('set the hipcc path setting', 'set the hipcc path setting to its full remote path')}`, { output: prep.output });
  }
  const remoteHasRsync = /__HP_RSYNC=1/.test(prep.stdout);
  const tPrep = performance.now();
  // hipcc gets the sources and include dirs as ABSOLUTE remote paths, so every path it prints
  // (diagnostics, "In file included from", notes) starts with the remote dir and is rewritten to
  // the local root below: the streamed output names local files, as a local build does.
  const absReq: BuildRequest = {
    ...remoteReq,
    sources: remoteReq.sources.map((s) => posix.join(pwd, s)),
    includeDirs: (remoteReq.includeDirs ?? []).map((d) => (posix.isAbsolute(d) ? d : posix.join(pwd, d))),
  };
  const args = hipccArgs(absReq);

  // 2. Copy.
  let transfer: 'rsync' | 'tar' | 'none' = 'none';
  if (files.length > 0) {
    let useRsync = target.transfer === 'rsync' || (target.transfer !== 'tar' && remoteHasRsync);
    if (target.transfer === 'rsync' && !remoteHasRsync) throw new BuildError('sync', `rsync is not installed on ${host} (transfer is forced to rsync). Install it there or allow the tar fallback.`);
    if (useRsync) {
      const p = await rsyncFiles(target, localRoot, pwd, files, stepTimeout, opts.signal);
      if (p === 'missing') {
        if (target.transfer === 'rsync') throw new BuildError('sync', 'rsync is not installed on this machine (transfer is forced to rsync). Install it: apt-get install rsync.');
        say('rsync not installed locally; copying with tar over ssh');
        useRsync = false;
      } else {
        stepOutcome(p, 'copying sources (rsync)', host, stepTimeout);
        if (p.exitCode !== 0) throw syncFailure(p, host, 'rsync');
        transfer = 'rsync';
      }
    }
    if (!useRsync) {
      const p = await tarFiles(target, localRoot, pwd, files, stepTimeout, opts.signal);
      stepOutcome(p, 'copying sources (tar)', host, stepTimeout);
      if (p.exitCode !== 0) throw syncFailure(p, host, 'tar');
      transfer = 'tar';
    }
  }
  const tSync = performance.now();

  // 3. Compile.
  let remotePid = 0;
  const outRw = new LineRewriter((s) => opts.onOutput?.(s, 'stdout'), pwd, localRoot);
  const errRw = new LineRewriter((s) => opts.onOutput?.(s, 'stderr'), pwd, localRoot, (pid) => (remotePid = pid));
  const killRemote = async (): Promise<void> => {
    if (remotePid > 0) await ssh(target, `kill -TERM -- -${remotePid} 2>/dev/null; kill -TERM ${remotePid} 2>/dev/null; true`, { timeoutMs: 5000 });
  };
  const p = await ssh(target, remoteCompileCommand(pwd, hipcc, args, buildEnvDelta(req)), {
    timeoutMs: compileTimeout,
    ...signalOpt,
    onOutput: (c, s) => (s === 'stdout' ? outRw : errRw).push(c),
    beforeKill: killRemote,
  });
  outRw.flush();
  errRw.flush();
  const output = p.output.replace(new RegExp(`^${PID_MARK}\\d+\\r?\\n`, 'm'), '');
  if (!p.stoppedBy && p.exitCode === 255 && !p.stderr.includes(PID_MARK)) throw sshFailure(host, p.stderr, output);
  const { exitCode } = processOutcome({ ...p, output }, `hipcc on ${host}`, compileTimeout);
  if (exitCode === 127 && /not found|No such file or directory/.test(output) && output.length < 2000) {
    throw new BuildError('hipcc-not-found', `hipcc could not run on ${host} (exit 127): ${output.trim()} ${HIPCC_INSTALL_HINT}`, { output });
  }
  const tEnd = performance.now();
  const out = defaultOutputPath(remoteReq);
  return {
    exitCode,
    signal: null,
    durationMs: tEnd - t0,
    diagnostics: parseDiagnostics(output).map((d) => mapRemotePath(d, pwd, localRoot)),
    output,
    command: [hipcc, ...args],
    outputPath: out === undefined ? undefined : posix.join(pwd, out),
    remoteDir: pwd,
    localRoot,
    transfer,
    syncedFiles: files,
    skippedFiles: skipped,
    timings: { prepareMs: tPrep - t0, syncMs: tSync - tPrep, compileMs: tEnd - tSync },
  };
}

/** rsync over ssh (sharing the ControlMaster connection); `'missing'` when rsync is not installed locally. */
async function rsyncFiles(target: RemoteTarget, localRoot: string, remoteAbs: string, files: string[], timeoutMs: number, signal?: AbortSignal): Promise<ProcessResult | 'missing'> {
  const rsh = [sshPathOf(target), ...sshOptions(target)].map(rsyncRshQuote).join(' ');
  const args = ['-az', '--from0', '--files-from=-', '-e', rsh, '--', localRoot + '/', `${target.host}:${remoteAbs}/`];
  try {
    return await runProcess(target.rsyncPath ?? 'rsync', args, { timeoutMs, stdin: files.join('\0'), ...(signal ? { signal } : {}) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new BuildError('sync', `Could not start rsync: ${(err as Error).message}`);
  }
}

/** `tar c | ssh tar x`: the local tar's stdout feeds ssh's stdin. */
async function tarFiles(target: RemoteTarget, localRoot: string, remoteAbs: string, files: string[], timeoutMs: number, signal?: AbortSignal): Promise<ProcessResult> {
  const tarBin = target.tarPath ?? 'tar';
  let tarErr = '';
  let tarFailed: Error | undefined;
  let tarExit: Promise<number | null> = Promise.resolve(0);
  const remote = `cd -- ${shellQuote(remoteAbs)} && ${shellQuote(tarBin)} -x -f - -m`;
  const p = await runProcess(sshPathOf(target), [...sshOptions(target), target.host, remote], {
    timeoutMs,
    ...(signal ? { signal } : {}),
    stdin: (child) => {
      const tar = spawn(tarBin, ['-c', '-f', '-', '-C', localRoot, '--null', '-T', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
      tarExit = new Promise((r) => {
        tar.on('error', (e) => {
          tarFailed = e;
          child.stdin!.end();
          r(null);
        });
        tar.on('close', (code) => r(code));
      });
      tar.stderr.setEncoding('utf8').on('data', (d: string) => (tarErr += d));
      tar.stdin.on('error', () => undefined);
      tar.stdin.end(files.join('\0') + '\0');
      tar.stdout.pipe(child.stdin!);
    },
  });
  const code = await tarExit;
  if (tarFailed) throw new BuildError('sync', `Could not run the local tar (${tarFailed.message}). Install tar or rsync.`);
  if (code !== 0 && p.exitCode === 0) {
    return { ...p, exitCode: code ?? 1, output: p.output + tarErr };
  }
  return { ...p, output: p.output + tarErr };
}
