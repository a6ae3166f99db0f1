/**
 * `hip-porter port`: translates CUDA files or whole project trees to HIP.
 * `foo.cu` → `foo.hip` (headers keep their names) under `--out DIR`, printed with `--stdout`
 * (one file), or written in place with `--in-place`. Other files of a tree are copied under
 * `--out` so the ported project builds. Quoted includes of ported `.cu` files follow the rename.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import type { EngineOptions } from '../core/findings';
import { checkSourceFile, classifyFiles, encodeText, portedName, readSourceFile, relPath, CXX_EXTENSIONS, DEFAULT_MAX_BYTES, type FoundFile } from '../core/files';
import { BACKUP_SUFFIX, checkWritableDir, sameRealFile, writeFilesTransaction, type TransactionResult, type WriteEntry } from '../core/safe-write';
import { translate, type TranslateResult, type TranslateStats } from '../core/translate';
import { parseBudgetFor } from '../core/parse';
import { LineIndex } from '../core/text';
import { listInputs, type Io } from './io';
import { formatOpenFindings, formatStats, mergeStats } from './stats';
import { targetOfOptions, type TargetChoice } from './target';

/** Options of {@link runPort}, as parsed from the command line. */
export interface PortOptions extends EngineOptions {
  inputs: string[];
  mode: 'stdout' | 'out' | 'in-place' | 'check';
  outDir?: string;
  stats: boolean;
  json: boolean;
  maxBytes?: number;
  /** `--in-place`: keep each original as `<file>.prehip` (default true; `--no-backup` turns it off). */
  backup?: boolean;
  /** The resolved target ROCm and why (set by the CLI, see src/cli/target.ts); printed in the reports. */
  target?: TargetChoice;
  /**
   * Runs after the deterministic pass on each file (the agent, see src/cli/agent-command.ts):
   * gets the CUDA text and the deterministic HIP text, returns the final text, or undefined to stop
   * (it has printed why).
   */
  refine?: (path: string, original: string, proposal: string) => Promise<string | undefined>;
}

/** One file's outcome, as printed by `--json`. */
export interface PortedFile {
  input: string;
  output?: string;
  changed: boolean;
  stats: TranslateStats;
  open: Array<{ code: string; line: number; column: number; message: string }>;
}

/** Extensions of non-CUDA files copied along under `--out` so the tree still builds. */
const COPY_EXTS = new Set([...CXX_EXTENSIONS, '.txt', '.cmake', '.mk', '.md', '.json', '.yaml', '.yml', '.py', '.sh', '.in', '.cl', '.ptx']);
const COPY_NAMES = new Set(['Makefile', 'makefile', 'GNUmakefile', 'CMakeLists.txt', 'meson.build', 'LICENSE', 'README']);

export { PARSE_BUDGET_MS, parseBudgetFor } from '../core/parse';

/**
 * `path` with symlinks resolved, also when its tail does not exist yet (the real path of its
 * nearest existing ancestor, plus the rest).
 */
export function realPathOf(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  let p = abs;
  for (;;) {
    try {
      return join(realpathSync(p), ...rest.reverse());
    } catch {
      const up = dirname(p);
      if (up === p) return abs;
      rest.push(basename(p));
      p = up;
    }
  }
}

/** Is `child` equal to or inside `root` (both absolute)? */
function isWithin(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

/**
 * Runs the port command. Returns the process exit code: 0 success (also for files named
 * explicitly that hold no CUDA: they are passed through unchanged, with a note), 1 when some
 * inputs were skipped or a folder held no CUDA, 2 on usage or I/O errors. Never throws for bad
 * input. All outputs are written at the end as one transaction (src/core/safe-write.ts): a
 * failure leaves nothing half-done, and when it struck after some files were written, the message
 * lists them.
 */
export async function runPort(o: PortOptions, io: Io): Promise<number> {
  const t0 = performance.now();
  const found = listInputs(o.inputs, io);
  if (!found) return 2;
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  const inputReal = new Set(found.map((f) => f.realPath ?? realPathOf(f.path)));
  const outDir = o.outDir ? resolve(o.outDir) : undefined;
  if (o.mode === 'out') {
    if (!outDir) {
      io.stderr('hip-porter: --out needs a directory\n');
      return 2;
    }
    // Only folders are trees: `port kernel.cu --out ported/` in the file's folder is fine.
    const outReal = realPathOf(outDir);
    const roots = new Set(found.filter((f) => !f.explicit).map((f) => f.root));
    for (const r of roots) {
      const rReal = realPathOf(r);
      if (isWithin(rReal, outReal)) {
        const via = outReal !== outDir ? ` (it resolves to ${outReal})` : '';
        io.stderr(`hip-porter: --out ${o.outDir} is inside the input tree ${r}${via}; choose a directory outside it so no input is overwritten or ported again\n`);
        return 2;
      }
    }
    const unwritable = checkWritableDir(outDir);
    if (unwritable) {
      io.stderr(`hip-porter: --out ${o.outDir}: ${unwritable}\n`);
      return 2;
    }
  }
  const { cuda, others, skipped: unreadable, warnings } = classifyFiles(found, maxBytes);
  for (const u of unreadable) io.stderr(`hip-porter: warning: ${u.message}\n`);
  for (const w of warnings) io.stderr(`hip-porter: warning: ${w.message}\n`);
  const skipped = unreadable.length;
  if (cuda.length === 0) {
    const onlyFiles = found.length > 0 && found.every((f) => f.explicit);
    if (onlyFiles && unreadable.length === 0) return passThrough(others, o, outDir, io);
    io.stderr(`hip-porter: no CUDA files found in ${o.inputs.join(', ')} (looked for .cu/.cuh and C/C++ files that include CUDA headers)\n`);
    return 1;
  }
  if (o.mode === 'stdout' && cuda.length + others.filter((f) => f.explicit).length !== 1) {
    io.stderr(`hip-porter: --stdout prints one file, but ${cuda.length} CUDA files were given; use --out DIR\n`);
    return 2;
  }
  const renamedCu = new Map<string, string>(); // abs .cu path -> ported base name
  for (const f of cuda) if (portedName(f.path) !== f.path.split('/').pop()) renamedCu.set(f.path, portedName(f.path));

  const results: PortedFile[] = [];
  const all: TranslateStats[] = [];
  const writes: WriteEntry[] = [];
  const progress = cuda.length > 20 && !o.json;
  let done = 0;
  for (const f of cuda) {
    const res: TranslateResult = translate(f.text, { ...o, sourcePath: f.path, parseBudgetMs: parseBudgetFor(f.text.length) });
    if (res.analysis.parseTimedOut) {
      io.stderr(`hip-porter: warning: ${relPath(process.cwd(), f.path)}: parsing took over ${(parseBudgetFor(f.text.length) / 1000).toFixed(1)} s; translated at token level (renames and includes only, structural checks skipped)\n`);
    }
    let text = followRenamedIncludes(res.text, f.path, renamedCu);
    if (o.refine) {
      const r = await o.refine(f.path, f.text, text);
      if (r === undefined) return 2;
      text = r;
    }
    all.push(res.stats);
    const li = new LineIndex(f.text);
    const entry: PortedFile = {
      input: f.path,
      changed: text !== f.text,
      stats: res.stats,
      open: res.open.map((x) => {
        const p = li.positionAt(x.start);
        return { code: x.code, line: p.line + 1, column: p.character + 1, message: x.message };
      }),
    };
    if (o.mode === 'stdout') {
      if (f.encoding !== 'utf8' && io.stdoutBytes) io.stdoutBytes(encodeText(text, f.encoding));
      else io.stdout(text);
    } else if (o.mode === 'in-place') {
      if (text !== f.text) writes.push({ path: f.path, data: encodeText(text, f.encoding), mode: 'replace' });
      entry.output = f.realPath ?? f.path;
    } else if (o.mode === 'out') {
      const dest = join(outDir!, relPath(f.root, dirname(f.path)), portedName(f.path));
      if (inputReal.has(realPathOf(dest))) {
        io.stderr(`hip-porter: refusing to overwrite the input ${realPathOf(dest)} (output for ${f.path}); nothing was written\n`);
        return 2;
      }
      writes.push({ path: dest, data: encodeText(text, f.encoding) });
      entry.output = dest;
    }
    if (o.stats && !o.json) io.stderr(formatStats(relPath(process.cwd(), f.path), res.stats, targetOfOptions(o)) + '\n');
    results.push(entry);
    done++;
    if (progress && done % 20 === 0) io.stderr(`hip-porter: ${done}/${cuda.length} files\n`);
  }
  if (o.mode === 'out') writes.push(...copiesOf(others, outDir!, inputReal, new Set(writes.map((w) => w.path)), maxBytes, io));
  const w = commit(writes, o, io);
  if (w === undefined) return 2;
  const total = mergeStats(all);
  total.ms = performance.now() - t0;
  if (o.json) {
    io.stdout(JSON.stringify({ target: targetOfOptions(o), files: results, total, skipped }, null, 2) + '\n');
  } else if (cuda.length > 1) {
    io.stderr(formatStats(`TOTAL (${cuda.length} files)`, total, targetOfOptions(o)) + '\n');
  }
  if (o.mode === 'out' && !o.json) io.stderr(`hip-porter: wrote ${results.length} file(s) under ${o.outDir}\n`);
  if (o.mode === 'in-place' && !o.json) {
    io.stderr(`hip-porter: rewrote ${w.written.length} file(s) in place${w.backups.length ? ` (originals kept as *${BACKUP_SUFFIX})` : ''}\n`);
  }
  if (!o.json) io.stderr(formatOpenFindings(results.map((r) => ({ file: relPath(process.cwd(), r.input), open: r.open })), targetOfOptions(o)));
  return skipped > 0 ? 1 : 0;
}

/** Writes `writes` as one transaction; prints why and returns undefined on failure. */
function commit(writes: WriteEntry[], o: PortOptions, io: Io): TransactionResult | undefined {
  try {
    return writeFilesTransaction(writes, { backup: o.backup ?? true });
  } catch (e) {
    io.stderr(`hip-porter: ${(e as Error).message}\n`);
    return undefined;
  }
}

/** Entries copying the non-CUDA files of a tree under `outDir` (never over an input or an existing file). */
function copiesOf(others: FoundFile[], outDir: string, inputReal: Set<string>, taken: Set<string>, maxBytes: number, io: Io): WriteEntry[] {
  const out: WriteEntry[] = [];
  for (const f of others) {
    const base = f.path.split('/').pop()!;
    if (!COPY_EXTS.has(extname(base).toLowerCase()) && !COPY_NAMES.has(base)) continue;
    const dest = join(outDir, relPath(f.root, f.path));
    if (taken.has(dest) || inputReal.has(realPathOf(dest)) || existsSync(dest)) continue;
    if (checkSourceFile(f.path, maxBytes)) continue;
    try {
      out.push({ path: dest, data: readFileSync(f.path) });
    } catch (e) {
      io.stderr(`hip-porter: warning: could not copy ${f.path}: ${(e as Error).message}\n`);
    }
  }
  return out;
}

/**
 * Files named explicitly that hold no CUDA: `--stdout` prints the one file unchanged, `--out`
 * copies them unchanged, `--in-place`/`--check` leave them; a note on stderr; exit 0.
 */
function passThrough(files: FoundFile[], o: PortOptions, outDir: string | undefined, io: Io): number {
  if (o.mode === 'stdout' && files.length !== 1) {
    io.stderr(`hip-porter: --stdout prints one file, but ${files.length} files were given; use --out DIR\n`);
    return 2;
  }
  const writes: WriteEntry[] = [];
  for (const f of files) {
    const r = readSourceFile(f.path);
    if (!r.ok) {
      io.stderr(`hip-porter: ${r.message}\n`);
      return 1;
    }
    const what = o.mode === 'stdout' ? 'printed unchanged' : o.mode === 'out' ? 'copied unchanged' : 'left unchanged';
    io.stderr(`hip-porter: note: ${relPath(process.cwd(), f.path) || f.path}: no CUDA found, nothing to port (${what})\n`);
    if (o.mode === 'stdout') {
      if (r.encoding !== 'utf8' && io.stdoutBytes) io.stdoutBytes(encodeText(r.text, r.encoding));
      else io.stdout(r.text);
    } else if (o.mode === 'out' && !sameRealFile(join(outDir!, basename(f.path)), f.path)) writes.push({ path: join(outDir!, basename(f.path)), data: encodeText(r.text, r.encoding) });
  }
  return commit(writes, o, io) ? 0 : 2;
}

/** Rewrites `#include "x.cu"` to `"x.hip"` when x.cu is one of the ported files. */
function followRenamedIncludes(text: string, file: string, renamed: Map<string, string>): string {
  if (renamed.size === 0) return text;
  return text.replace(/^([ \t]*#[ \t]*include[ \t]*")([^"\n]+\.cu)(")/gm, (m, a: string, p: string, b: string) => {
    const target = resolve(dirname(file), p);
    const nn = renamed.get(target);
    return nn ? `${a}${p.slice(0, -(p.split('/').pop()!.length))}${nn}${b}` : m;
  });
}
