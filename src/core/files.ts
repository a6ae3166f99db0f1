/**
 * Finding and reading CUDA source files safely: which files are CUDA, decoding with checks for
 * binary content and size (invalid UTF-8 is read as Latin-1 and written back byte for byte), and
 * where a ported file goes.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';

/** Default size limit for one file: 20 MB. */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/** Extensions that are always CUDA. */
export const CUDA_EXTENSIONS = new Set(['.cu', '.cuh']);
/** C/C++ extensions that are CUDA when they include a CUDA header or use CUDA syntax. */
export const CXX_EXTENSIONS = new Set(['.c', '.cc', '.cpp', '.cxx', '.c++', '.h', '.hh', '.hpp', '.hxx', '.inl', '.inc', '.ipp', '.tpp']);
/** Header extensions (ported headers keep their names). */
export const HEADER_EXTENSIONS = new Set(['.cuh', '.h', '.hh', '.hpp', '.hxx', '.inl', '.inc', '.ipp', '.tpp']);
/** Directories never descended into. */
export const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '.vscode-test', '__pycache__']);

/**
 * A pattern that marks C/C++ text as CUDA: a CUDA header include, CUDA-only syntax, a runtime,
 * driver or library call or type, or a preprocessor test of a CUDA macro. Helper headers such as
 * cuda-samples' helper_cuda_drvapi.h include no CUDA header and use only driver names (cuInit,
 * CUresult) and `#ifdef __cuda_cuda_h__`; they must be ported too. An error-check header may name
 * only `cudaSuccess` (e.g. `#define CHECK(x) assert((x) == cudaSuccess)`), with no call or type.
 */
const CUDA_MARKER =
  /#\s*include\s*[<"](?:cuda|cuda_runtime|cuda_runtime_api|cuComplex|cuda_fp16|cuda_bf16|curand|curand_kernel|cublas|cublas_v2|cusparse|cufft|cusolverDn|cudnn|nvrtc|cooperative_groups|device_launch_parameters|cub\/|thrust\/)[\w/]*(?:\.h|\.cuh|\.hpp)?[>"]|__global__|__device__|<<<|\bcuda[A-Z]\w+\s*\(|\b(?:cuda(?:Error_t|Stream_t|Event_t|DeviceProp|Array_t|TextureObject_t|Success|MemcpyHostToDevice|MemcpyDeviceToHost)|CU(?:result|device|context|module|function|stream|event|deviceptr))\b|\bcu(?:Init|Ctx[A-Z]\w*|Module[A-Z]\w*|MemAlloc\w*|LaunchKernel|DeviceGet\w*|GetErrorString)\s*\(|\b(?:cublas|cusparse|curand|cufft|cusolver|cudnn|nvrtc)[A-Z]\w*\s*\(|#\s*if(?:n?def)?\s+(?:defined\s*\(?\s*)?(?:__CUDACC__|__CUDA_ARCH__|__cuda_cuda_h__|__DRIVER_TYPES_H__|__CUDA_RUNTIME_H__)/;

/** True when a path has a `.cu`/`.cuh` extension. */
export function isCudaPath(path: string): boolean {
  return CUDA_EXTENSIONS.has(extname(path).toLowerCase());
}

/** True when C/C++ text (its first 64 KiB) includes a CUDA header or uses CUDA syntax. */
export function looksLikeCuda(text: string): boolean {
  return CUDA_MARKER.test(text.length > 65536 ? text.slice(0, 65536) : text);
}

/** Why a file could not be read as source text. */
export type SkipReason = 'binary' | 'invalid-utf8' | 'too-large' | 'unreadable' | 'not-regular';

/**
 * How the bytes of a source file were turned into text:
 * - `utf8`: valid UTF-8 (a BOM is kept as U+FEFF at offset 0);
 * - `latin1`: not valid UTF-8 (Latin-1 or Windows-1252 bytes such as `©` = 0xA9, or a mix of
 *   UTF-8 and such bytes): every byte became the code point of the same value (U+0000–U+00FF,
 *   Node's `latin1`, not the WHATWG label of that name, which means Windows-1252 and does not
 *   round-trip 0x81/0x8D/0x8F/0x90/0x9D), so {@link encodeText} gives back exactly the same bytes.
 */
export type SourceEncoding = 'utf8' | 'latin1';

/** Result of {@link readSourceFile}. */
export type ReadResult =
  | {
      ok: true;
      text: string;
      /** File size in bytes. */
      bytes: number;
      /** How the bytes were decoded; pass it to {@link encodeText} to write the text back. */
      encoding: SourceEncoding;
      /** User-facing note when the file was not read as UTF-8 (`encoding` is `latin1`). */
      warning?: string;
    }
  | { ok: false; reason: SkipReason; message: string };

/**
 * The one `stat` check before any source file is read (CLI, language server, agent tools): only a
 * regular file (after following symlinks) of at most `maxBytes` bytes may be read, so `/dev/zero`,
 * a FIFO or a socket is never opened (reading them blocks or never ends). Returns undefined when
 * the file may be read, else the refusal with a user-facing message naming `path`.
 */
export function checkSourceFile(path: string, maxBytes = DEFAULT_MAX_BYTES): Extract<ReadResult, { ok: false }> | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return { ok: false, reason: 'unreadable', message: `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  if (!st.isFile()) {
    return { ok: false, reason: 'not-regular', message: `${path}: not a regular file (${describeKind(st)}), not read` };
  }
  if (st.size > maxBytes) {
    return {
      ok: false,
      reason: 'too-large',
      message: `${path}: ${(st.size / 1048576).toFixed(1)} MB is over the ${(maxBytes / 1048576).toFixed(0)} MB limit (raise it with --max-size)`,
    };
  }
  return undefined;
}

/** What kind of file system object `st` is, in words ("a folder", "a FIFO", ...). */
export function describeKind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a regular file';
}

/**
 * Reads a file as source text (after {@link checkSourceFile}). Refuses (with a user-facing message)
 * files over `maxBytes`, files with a NUL byte in their first 8 KiB (binary), and unreadable files.
 * Valid UTF-8 is decoded as UTF-8 (a BOM is kept as U+FEFF at offset 0 so it survives a round trip);
 * anything else is read byte for byte as Latin-1 with a `warning` (see {@link SourceEncoding}),
 * never skipped.
 */
export function readSourceFile(path: string, maxBytes = DEFAULT_MAX_BYTES): ReadResult {
  const refused = checkSourceFile(path, maxBytes);
  if (refused) return refused;
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    return { ok: false, reason: 'unreadable', message: `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  return decodeSource(buf, path);
}

/**
 * Decodes bytes as source text (see {@link readSourceFile}); `label` names the file in messages.
 * Refuses only binary content (a NUL byte in the first 8 KiB); invalid UTF-8 is decoded as
 * Latin-1, byte for byte, with a warning.
 */
export function decodeSource(buf: Uint8Array, label: string): ReadResult {
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) return { ok: false, reason: 'binary', message: `${label}: binary file (NUL bytes), skipped` };
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
    return { ok: true, text, bytes: buf.length, encoding: 'utf8' };
  } catch {
    const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
    const at = firstInvalidUtf8(buf);
    const line = at < 0 ? 0 : countNewlines(buf, at) + 1;
    return {
      ok: true,
      text,
      bytes: buf.length,
      encoding: 'latin1',
      warning: `${label}${line ? `:${line}` : ''}: not valid UTF-8; read as Latin-1 (bytes outside the edits are written back unchanged)`,
    };
  }
}

/**
 * Turns text back into the bytes of its file's encoding: UTF-8, or Latin-1 byte for byte (each
 * code point U+0000–U+00FF becomes one byte), so a file read by {@link decodeSource} and written
 * with its `encoding` keeps exactly the same bytes outside the edits.
 * @throws Error when `encoding` is `latin1` and the text holds a character above U+00FF (an edit
 *   brought in a character the file's encoding cannot hold); nothing is written then.
 */
export function encodeText(text: string, encoding: SourceEncoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  const bad = /[^\u0000-\u00ff]/.exec(text);
  if (bad) {
    const line = text.slice(0, bad.index).split('\n').length;
    throw new Error(
      `line ${line}: character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} cannot be written to a file read as Latin-1 (not valid UTF-8); convert the file to UTF-8 first`,
    );
  }
  return Buffer.from(text, 'latin1');
}

/** Byte offset of the first byte that breaks UTF-8 in `buf`, or -1 when it is valid. */
function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= buf.length || (buf[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

function countNewlines(buf: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (buf[i] === 0x0a) n++;
  return n;
}

/** A file found under the inputs, with the root it was found under (for `--out` layout). */
export interface FoundFile {
  /** Absolute path as found (a symlink keeps its own name here). */
  path: string;
  /** The input folder it was found under; for a file named as an input, that file's folder. */
  root: string;
  /** True when the file was named as an input itself (not found by walking a folder). */
  explicit?: boolean;
  /** Set when `path` is a symbolic link: the real path of the file it names. */
  realPath?: string;
  /** Set for an entry that cannot be used (a dangling link): the user-facing reason. */
  skip?: string;
}

/**
 * Lists files under the given files/directories (depth-first, sorted, skipping {@link SKIP_DIRS}
 * and symlinked directories). A symlink to a regular file is listed (with `realPath`), and a file
 * reached by several names (links, or a link to a file of the tree) is listed once: the first
 * plain name in walk order, else the first link. A dangling link is listed with `skip` set.
 * Throws an Error with a user-facing message when an input does not exist or is neither a
 * regular file nor a folder (a FIFO, a device).
 */
export function listFiles(inputs: readonly string[]): FoundFile[] {
  const out: FoundFile[] = [];
  const keys: string[] = []; // real path of each entry of `out`
  const add = (f: FoundFile, key: string): void => {
    out.push(f);
    keys.push(key);
  };
  for (const input of inputs) {
    const abs = resolve(input);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new Error(`${input}: no such file or directory`);
    }
    if (st.isFile()) {
      const f: FoundFile = { path: abs, root: resolve(abs, '..'), explicit: true, ...linkTarget(abs) };
      add(f, f.realPath ?? abs);
      continue;
    }
    if (!st.isDirectory()) throw new Error(`${input}: not a regular file or folder (${describeKind(st)}); nothing was read`);
    let realRoot = abs;
    try {
      realRoot = realpathSync(abs);
    } catch {
      /* keep abs */
    }
    const walk = (dir: string): void => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) walk(p);
        } else if (e.isFile()) {
          add({ path: p, root: abs }, join(realRoot, relative(abs, p)));
        } else if (e.isSymbolicLink()) {
          let t;
          try {
            t = statSync(p);
          } catch (err) {
            add({ path: p, root: abs, skip: `${p}: symbolic link to a missing file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}), skipped` }, p);
            continue;
          }
          if (t.isFile()) {
            const f: FoundFile = { path: p, root: abs, ...linkTarget(p) };
            add(f, f.realPath ?? p);
          }
        }
      }
    };
    walk(abs);
  }
  return dedupeByRealPath(out, keys);
}

/** `{realPath}` when `p` is (or passes through) a symlink, else nothing. */
function linkTarget(p: string): { realPath?: string } {
  try {
    const r = realpathSync(p);
    return r !== p ? { realPath: r } : {};
  } catch {
    return {};
  }
}

/** Keeps one entry per real file (`keys[i]` is the real path of `files[i]`): a plain name beats a link; among equals, the first. */
function dedupeByRealPath(files: FoundFile[], keys: string[]): FoundFile[] {
  const best = new Map<string, number>();
  files.forEach((f, i) => {
    if (f.skip) return;
    const j = best.get(keys[i]!);
    if (j === undefined || (files[j]!.realPath !== undefined && f.realPath === undefined)) best.set(keys[i]!, i);
  });
  const keep = new Set(best.values());
  return files.filter((f, i) => f.skip !== undefined || keep.has(i));
}

/** Files whose folder is a project root (build files, and a Git work tree's `.git`). */
export const PROJECT_ROOT_MARKERS = ['CMakeLists.txt', 'Makefile', 'makefile', 'GNUmakefile', 'meson.build', 'configure.ac', 'build.ninja', 'setup.py', 'pyproject.toml', 'BUILD.bazel', 'WORKSPACE', '.git'];

/**
 * The project root of a source file, the farthest folder the porting agent may read: the nearest
 * folder at or above the file's folder holding a build file or `.git`
 * ({@link PROJECT_ROOT_MARKERS}), looking at most `maxUp` levels up and never at or above the home
 * folder or `/`; else the file's own folder. Paths absolute, symlinks not resolved.
 */
export function projectRootOf(file: string, home = process.env['HOME'] ?? '', maxUp = 6): string {
  const start = resolve(file, '..');
  const homeAbs = home ? resolve(home) : '';
  let dir = start;
  for (let i = 0; i <= maxUp; i++) {
    if (dir === homeAbs || dirname(dir) === dir) break;
    if (PROJECT_ROOT_MARKERS.some((m) => existsSync(join(dir, m)))) return dir;
    dir = dirname(dir);
  }
  return start;
}

/**
 * The output name of a ported file: `foo.cu` → `foo.hip`; headers and other C/C++ files keep their
 * names. Returns only the base name.
 */
export function portedName(path: string): string {
  const b = basename(path);
  return extname(b).toLowerCase() === '.cu' ? b.slice(0, -3) + '.hip' : b;
}

/** Path of `file` relative to `root`, with forward slashes. */
export function relPath(root: string, file: string): string {
  return relative(root, file).split('\\').join('/');
}

/** The files under some inputs, sorted into CUDA sources (read), other files, and unreadable ones. */
export interface SourceSet {
  /** `.cu`/`.cuh`, and C/C++ files that include CUDA headers or use CUDA syntax, with their text and how it was decoded. */
  cuda: Array<FoundFile & { text: string; encoding: SourceEncoding }>;
  /** Everything else (including plain C/C++). */
  others: FoundFile[];
  /** C/C++/CUDA files that could not be read as source (binary, invalid UTF-8, too large), with the user-facing reason. */
  skipped: Array<FoundFile & { message: string }>;
  /** CUDA files read with a warning (not valid UTF-8, read as Latin-1), with the user-facing message; they are in `cuda` too. */
  warnings: Array<FoundFile & { message: string }>;
}

/** Reads and classifies found files (see {@link SourceSet}); `maxBytes` is the per-file limit. */
export function classifyFiles(found: readonly FoundFile[], maxBytes = DEFAULT_MAX_BYTES): SourceSet {
  const set: SourceSet = { cuda: [], others: [], skipped: [], warnings: [] };
  for (const f of found) {
    if (f.skip) {
      set.skipped.push({ ...f, message: f.skip });
      continue;
    }
    const cudaPath = isCudaPath(f.path);
    if (!cudaPath && !CXX_EXTENSIONS.has(extname(f.path).toLowerCase())) {
      set.others.push(f);
      continue;
    }
    const r = readSourceFile(f.path, maxBytes);
    if (!r.ok) set.skipped.push({ ...f, message: r.message });
    else if (cudaPath || looksLikeCuda(r.text)) {
      set.cuda.push({ ...f, text: r.text, encoding: r.encoding });
      if (r.warning) set.warnings.push({ ...f, message: r.warning });
    }
    else set.others.push(f);
  }
  return set;
}
