/**
 * Writing a user's files without losing any: one transaction for a set of files.
 *
 * {@link writeFilesTransaction} stages every file as a temporary sibling first, commits (renames or
 * in-place writes) only when every file is staged, always removes its temporary files, and when a
 * failure happens after some files were committed, its error lists exactly which ones. In-place
 * replacement (`mode: 'replace'`) writes through symlinks to the real file, keeps its mode, owner
 * and hard links, refuses read-only files, and keeps a `<file>.prehip` backup (the name HIPIFY's
 * `hipify-perl --inplace` uses) unless `backup: false`.
 *
 * Also {@link mkdirp} (a `mkdir -p` that fails at once on impossible paths such as `/proc/x`, where
 * Node 20's `fs.mkdirSync(p, {recursive: true})` loops forever) and {@link checkWritableDir}.
 *
 * No `vscode` import: used by the CLI, the project port and the extension alike.
 */
import {
  closeSync,
  copyFileSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

/** One file of a {@link writeFilesTransaction}. */
export interface WriteEntry {
  /** Target path (absolute or relative to the process's cwd). */
  path: string;
  /** New content; a string is written as UTF-8. */
  data: string | Buffer;
  /**
   * `create` (default): a new file, or the atomic replacement (temp + rename) of a regular file that
   * is not a symlink, keeping that file's mode. Missing parent folders are created (and removed
   * again when the transaction fails before committing). For outputs such as `--out` trees.
   *
   * `replace`: the in-place rewrite of an existing user file: a symlink is followed to the real
   * file, its mode, owner and hard links are kept, a file without write permission is refused, and
   * a `.prehip` backup is kept unless {@link TransactionOptions.backup} is false.
   */
  mode?: 'create' | 'replace';
}

/** Options of {@link writeFilesTransaction}. */
export interface TransactionOptions {
  /** Keep `<real file>.prehip` (a copy of the original bytes) for `replace` entries. Default true. */
  backup?: boolean;
}

/** What a successful {@link writeFilesTransaction} did. */
export interface TransactionResult {
  /** The files written, in entry order: for `replace` the real path (symlinks resolved). */
  written: string[];
  /** Backups made (`<real path>.prehip`), for `replace` entries. */
  backups: string[];
}

/**
 * A transaction that failed. `written` lists the files already committed when the failure
 * happened (empty when it failed while staging: then nothing was changed). `failedPath` is the entry
 * that failed. The message is user-facing and names both.
 */
export class WriteTransactionError extends Error {
  constructor(
    message: string,
    readonly failedPath: string,
    readonly written: readonly string[],
    readonly backups: readonly string[] = [],
  ) {
    super(message);
    this.name = 'WriteTransactionError';
  }
}

/** Suffix of in-place backups, as `hipify-perl --inplace` names them (`foo.cu.prehip`). */
export const BACKUP_SUFFIX = '.prehip';

/** One entry, resolved and checked before anything is staged. */
interface Plan {
  entry: WriteEntry;
  data: Buffer;
  /** Where the bytes go: for `replace`, the real path. */
  target: string;
  /** Stats of the existing target (`replace`, or `create` over an existing file). */
  existing?: Stats;
  /** The temporary sibling holding the new bytes, once staged. */
  tmp?: string;
  /** `rename` (atomic) or `inode` (write into the existing inode: keeps hard links / foreign owner). */
  how: 'rename' | 'inode';
  /** The original bytes (`replace`), to verify the backup and to restore on a failed inode write. */
  original?: Buffer;
  backup?: string;
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const byCode: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    ENOENT: 'no such file or directory',
    EEXIST: 'already exists',
  };
  return err?.code && byCode[err.code] ? `${byCode[err.code]} (${err.code})` : (err?.message ?? String(e));
}

/**
 * `mkdir -p` that never spins: creates each missing component of `dir` with a plain `mkdirSync`,
 * so an impossible path (`/proc/x`, a component that is a file) fails at once with a clear Error.
 * Returns the folders it created, outermost first (so a caller can remove them again).
 * @throws Error `cannot create folder <dir>: <reason>`.
 */
export function mkdirp(dir: string): string[] {
  const abs = resolve(dir);
  const missing: string[] = [];
  let p = abs;
  for (;;) {
    let st: Stats | undefined;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new Error(`cannot create folder ${abs}: ${p}: ${errText(e)}`);
    }
    if (st) {
      if (!st.isDirectory()) throw new Error(`cannot create folder ${abs}: ${p} exists and is not a folder`);
      break;
    }
    missing.unshift(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  const created: string[] = [];
  for (const m of missing) {
    try {
      mkdirSync(m);
      created.push(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(m).isDirectory()) continue;
      removeDirs(created);
      throw new Error(`cannot create folder ${abs}: ${errText(e)}`);
    }
  }
  return created;
}

/** Removes folders created by {@link mkdirp} (innermost first), only while they are empty. */
function removeDirs(created: readonly string[]): void {
  for (const d of [...created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      /* not empty or gone: leave it */
    }
  }
}

/**
 * Checks at once, before any work, that files can be written under `dir`: creates it (and its
 * missing parents) if needed, writes and removes a probe file, and removes the folders it created
 * unless `keep` is true. Returns undefined when writable, else a user-facing reason.
 */
export function checkWritableDir(dir: string, keep = false): string | undefined {
  let created: string[];
  try {
    created = mkdirp(dir);
  } catch (e) {
    return (e as Error).message;
  }
  const probe = join(resolve(dir), `.hip-porter-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    if (!keep) removeDirs(created);
    return `cannot write in ${resolve(dir)}: ${errText(e)}`;
  }
  if (!keep) removeDirs(created);
  return undefined;
}

/** A temporary sibling name for `target`: hidden, unique, in the same folder (so rename is atomic). */
function tmpName(target: string): string {
  return join(dirname(target), `.${basename(target)}.hip-porter-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Is the file writable by this process, judged by its mode bits (root included, unlike access(2))? */
function hasWriteBit(st: Stats): boolean {
  const uid = process.getuid?.() ?? -1;
  const gids = process.getgroups?.() ?? [];
  if (uid === 0) return (st.mode & 0o222) !== 0;
  if (st.uid === uid) return (st.mode & 0o200) !== 0;
  if (st.gid === (process.getgid?.() ?? -1) || gids.includes(st.gid)) return (st.mode & 0o020) !== 0;
  return (st.mode & 0o002) !== 0;
}

function resolvePlan(entry: WriteEntry): Plan {
  const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
  const abs = resolve(entry.path);
  if ((entry.mode ?? 'create') === 'replace') {
    let real: string;
    let st: Stats;
    try {
      real = realpathSync(abs);
      st = statSync(real);
    } catch (e) {
      throw new Error(`${entry.path}: cannot replace: ${errText(e)}`);
    }
    if (!st.isFile()) throw new Error(`${entry.path}: cannot replace: not a regular file`);
    if (!hasWriteBit(st)) {
      throw new Error(`${entry.path}${real !== abs ? ` (-> ${real})` : ''}: read-only file (mode ${(st.mode & 0o777).toString(8)}); refusing to overwrite it (make it writable first if you mean to)`);
    }
    let original: Buffer;
    try {
      original = readFileSync(real);
    } catch (e) {
      throw new Error(`${entry.path}: cannot read the original: ${errText(e)}`);
    }
    // A rename gives the file a new inode: fine for a lone file we own (or can chown back); a file
    // with other hard links, or owned by someone we cannot chown to, is written in its inode.
    const uid = process.getuid?.() ?? -1;
    const how = st.nlink > 1 || (uid !== 0 && uid !== st.uid) ? 'inode' : 'rename';
    return { entry, data, target: real, existing: st, how, original };
  }
  let st: Stats | undefined;
  try {
    st = lstatSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${entry.path}: cannot write: ${errText(e)}`);
  }
  if (st?.isSymbolicLink()) throw new Error(`${entry.path}: is a symbolic link; refusing to write through it`);
  if (st && !st.isFile()) throw new Error(`${entry.path}: exists and is not a regular file (${st.isDirectory() ? 'a folder' : 'a special file'}); nothing was written`);
  return { entry, data, target: abs, ...(st ? { existing: st } : {}), how: 'rename' };
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** Writes the temporary sibling of a plan with the original's mode (and owner, where possible). */
function stage(p: Plan): void {
  const tmp = tmpName(p.target);
  const mode = p.existing ? p.existing.mode & 0o7777 : 0o666;
  const fd = openSync(tmp, 'wx', mode);
  p.tmp = tmp;
  try {
    writeAll(fd, p.data);
    if (p.existing) {
      fchmodSync(fd, p.existing.mode & 0o7777); // openSync's mode is masked by the umask
      const st = fstatSync(fd);
      if (st.uid !== p.existing.uid || st.gid !== p.existing.gid) {
        try {
          fchownSync(fd, p.existing.uid, p.existing.gid);
        } catch {
          if (p.entry.mode === 'replace') p.how = 'inode';
        }
      }
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Copies the original to `<target>.prehip` and verifies the copy byte for byte. */
function makeBackup(p: Plan): string {
  const b = p.target + BACKUP_SUFFIX;
  copyFileSync(p.target, b);
  const back = readFileSync(b);
  if (!p.original || !back.equals(p.original)) throw new Error(`backup ${b} does not match the original`);
  return b;
}

/** Writes new bytes into the existing inode (keeps hard links, owner, mode, ACLs); restores the original on failure. */
function writeInode(p: Plan): void {
  const fd = openSync(p.target, 'r+');
  try {
    try {
      writeAll(fd, p.data);
      ftruncateSync(fd, p.data.length);
      fsyncSync(fd);
    } catch (e) {
      try {
        writeSync(fd, p.original!, 0, p.original!.length, 0);
        ftruncateSync(fd, p.original!.length);
      } catch {
        /* the backup, when kept, still has the original */
      }
      throw e;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a set of files as one transaction.
 *
 * 1. Checks every entry (a `create` target that is a folder, special file or symlink, or a
 *    `replace` target that is missing, not a regular file or read-only, fails here; nothing is
 *    touched).
 * 2. Creates missing parent folders and stages each file as a hidden temporary sibling
 *    (`.<name>.hip-porter-<pid>-<hex>.tmp`) with the original's mode; makes and verifies
 *    `.prehip` backups of `replace` entries (when `backup` is on).
 * 3. Commits each file (rename, or a write into the existing inode for hard-linked files).
 *
 * Temporary files are removed in every case; folders created in step 2 are removed when it fails
 * there. Synchronous. Paths in errors are as given.
 *
 * @returns the real paths written and the backups made.
 * @throws WriteTransactionError with `written` = files already committed (empty when nothing changed).
 */
export function writeFilesTransaction(entries: readonly WriteEntry[], options: TransactionOptions = {}): TransactionResult {
  const backup = options.backup ?? true;
  const plans: Plan[] = [];
  const seen = new Map<string, string>();
  for (const e of entries) {
    let p: Plan;
    try {
      p = resolvePlan(e);
    } catch (err) {
      throw new WriteTransactionError(`${(err as Error).message}; nothing was written`, e.path, []);
    }
    const dup = seen.get(p.target);
    if (dup !== undefined) throw new WriteTransactionError(`${e.path} and ${dup} are the same file; nothing was written`, e.path, []);
    seen.set(p.target, e.path);
    plans.push(p);
  }
  const createdDirs: string[] = [];
  const backups: string[] = [];
  const written: string[] = [];
  let committing = false;
  try {
    for (const p of plans) {
      try {
        createdDirs.push(...mkdirp(dirname(p.target)));
        stage(p);
        if (p.entry.mode === 'replace' && (backup || p.how === 'inode')) {
          p.backup = makeBackup(p);
          backups.push(p.backup);
        }
      } catch (err) {
        throw new WriteTransactionError(`cannot write ${p.entry.path}: ${errText(err)}; nothing was written`, p.entry.path, []);
      }
    }
    committing = true;
    for (const p of plans) {
      try {
        if (p.how === 'rename') renameSync(p.tmp!, p.target);
        else writeInode(p);
        if (p.how === 'rename') p.tmp = undefined;
        written.push(p.target);
      } catch (err) {
        const what = written.length ? `already written: ${written.join(', ')}` : 'nothing was written';
        throw new WriteTransactionError(`cannot write ${p.entry.path}: ${errText(err)}; ${what}`, p.entry.path, [...written], backups);
      }
    }
  } catch (err) {
    if (!committing) {
      for (const b of backups) safeUnlink(b);
      backups.length = 0;
    }
    throw err;
  } finally {
    for (const p of plans) if (p.tmp) safeUnlink(p.tmp);
    if (!committing || written.length === 0) removeDirs(createdDirs);
  }
  // Backups forced only to protect an inode write are dropped when the user asked for none.
  if (!backup) {
    for (const b of backups) safeUnlink(b);
    return { written, backups: [] };
  }
  return { written, backups };
}

function safeUnlink(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    /* already gone */
  }
}

/**
 * True when `a` and `b` (paths) name the same existing file once symlinks are resolved, e.g. a
 * sibling output `foo.hip` that is a link to the CUDA input `foo.cu`. False when either is missing.
 */
export function sameRealFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
