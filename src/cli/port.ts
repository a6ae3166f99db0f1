/**
 * `hip-porter port`: translates CUDA files or whole project trees to HIP.
 * `foo.cu` → `foo.hip` (headers keep their names) under `--out DIR`, printed with `--stdout`
 * (one file), or written in place with `--in-place`. Other files of a tree are copied under
 * `--out` so the ported project builds. Quoted includes of ported `.cu` files follow the rename.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import type { EngineOptions } from '../core/findings';
import { classifyFiles, encodeText, portedName, relPath, CXX_EXTENSIONS, DEFAULT_MAX_BYTES } from '../core/files';
import { translate, type TranslateResult, type TranslateStats } from '../core/translate';
import { LineIndex } from '../core/text';
import { listInputs, type Io } from './io';
import { formatStats, mergeStats } from './stats';

/** Options of {@link runPort}, as parsed from the command line. */
export interface PortOptions extends EngineOptions {
  inputs: string[];
  mode: 'stdout' | 'out' | 'in-place' | 'check';
  outDir?: string;
  stats: boolean;
  json: boolean;
  maxBytes?: number;
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

/**
 * Runs the port command. Returns the process exit code: 0 success, 1 when some inputs were
 * skipped or nothing CUDA was found, 2 on usage or I/O errors. Never throws for bad input.
 */
export async function runPort(o: PortOptions, io: Io): Promise<number> {
  const t0 = performance.now();
  const found = listInputs(o.inputs, io);
  if (!found) return 2;
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  const inputSet = new Set(found.map((f) => f.path));
  const outDir = o.outDir ? resolve(o.outDir) : undefined;
  if (o.mode === 'out') {
    if (!outDir) {
      io.stderr('hip-porter: --out needs a directory\n');
      return 2;
    }
    const roots = new Set(found.map((f) => f.root));
    for (const r of [...roots, ...o.inputs.map((i) => resolve(i))]) {
      if (outDir === r || outDir.startsWith(r + '/')) {
        io.stderr(`hip-porter: --out ${o.outDir} is inside the input tree (${r}); choose a directory outside it so no input is overwritten or ported again\n`);
        return 2;
      }
    }
  }
  const { cuda, others, skipped: unreadable, warnings } = classifyFiles(found, maxBytes);
  for (const u of unreadable) io.stderr(`hip-porter: warning: ${u.message}\n`);
  for (const w of warnings) io.stderr(`hip-porter: warning: ${w.message}\n`);
  const skipped = unreadable.length;
  if (cuda.length === 0) {
    io.stderr(`hip-porter: no CUDA files found in ${o.inputs.join(', ')} (looked for .cu/.cuh and C/C++ files that include CUDA headers)\n`);
    return 1;
  }
  if (o.mode === 'stdout' && cuda.length !== 1) {
    io.stderr(`hip-porter: --stdout prints one file, but ${cuda.length} CUDA files were given; use --out DIR\n`);
    return 2;
  }
  const renamedCu = new Map<string, string>(); // abs .cu path -> ported base name
  for (const f of cuda) if (portedName(f.path) !== f.path.split('/').pop()) renamedCu.set(f.path, portedName(f.path));

  const results: PortedFile[] = [];
  const all: TranslateStats[] = [];
  const progress = cuda.length > 20 && !o.json;
  let done = 0;
  for (const f of cuda) {
    const res: TranslateResult = translate(f.text, { ...o, sourcePath: f.path });
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
    try {
      if (o.mode === 'stdout') {
        if (f.encoding !== 'utf8' && io.stdoutBytes) io.stdoutBytes(encodeText(text, f.encoding));
        else io.stdout(text);
      } else if (o.mode === 'in-place') {
        if (text !== f.text) atomicWrite(f.path, encodeText(text, f.encoding));
        entry.output = f.path;
      } else if (o.mode === 'out') {
        const dest = join(outDir!, relPath(f.root, dirname(f.path)), portedName(f.path));
        if (inputSet.has(dest)) throw new Error(`refusing to overwrite the input ${dest}`);
        mkdirSync(dirname(dest), { recursive: true });
        atomicWrite(dest, encodeText(text, f.encoding));
        entry.output = dest;
      }
    } catch (e) {
      io.stderr(`hip-porter: cannot write output for ${f.path}: ${(e as Error).message}\n`);
      return 2;
    }
    if (o.stats && !o.json) io.stderr(formatStats(relPath(process.cwd(), f.path), res.stats) + '\n');
    results.push(entry);
    done++;
    if (progress && done % 20 === 0) io.stderr(`hip-porter: ${done}/${cuda.length} files\n`);
  }
  if (o.mode === 'out') {
    for (const f of others) {
      const base = f.path.split('/').pop()!;
      if (!COPY_EXTS.has(extname(base).toLowerCase()) && !COPY_NAMES.has(base)) continue;
      const dest = join(outDir!, relPath(f.root, f.path));
      if (inputSet.has(dest) || existsSync(dest)) continue;
      try {
        if (statSync(f.path).size > maxBytes) continue;
        mkdirSync(dirname(dest), { recursive: true });
        copyFileSync(f.path, dest);
      } catch (e) {
        io.stderr(`hip-porter: warning: could not copy ${f.path}: ${(e as Error).message}\n`);
      }
    }
  }
  const total = mergeStats(all);
  total.ms = performance.now() - t0;
  if (o.json) {
    io.stdout(JSON.stringify({ files: results, total, skipped }, null, 2) + '\n');
  } else if (cuda.length > 1) {
    io.stderr(formatStats(`TOTAL (${cuda.length} files)`, total) + '\n');
  }
  if (o.mode === 'out' && !o.json) io.stderr(`hip-porter: wrote ${results.length} file(s) under ${o.outDir}\n`);
  return skipped > 0 ? 1 : 0;
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

/** Writes a file through a temporary sibling and a rename, so a failure never leaves half a file. */
export function atomicWrite(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.hip-porter-${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
