/**
 * `hip-porter port <dir>`: a whole project, build files included (src/core/project/). Copy mode
 * writes a `.hip` tree with a HIP build under `--out`; `--single-source` keeps the CUDA sources,
 * adds the compat header and the `HIP=1` / `USE_HIP` switch (under `--out`, or `--in-place`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { planProjectPort, type ProjectPlan, type ProjectPortOptions, type TuReport } from '../core/project/plan';
import type { BuildFinding } from '../core/project/build-findings';
import { describeMissing, discoverHipToolchain } from '../core/project/toolchain';
import { BACKUP_SUFFIX, checkWritableDir, writeFilesTransaction, type TransactionResult, type WriteEntry } from '../core/safe-write';
import type { Io } from './io';
import { realPathOf } from './port';

/**
 * One line on the regions of a translation unit that tree-sitter could not parse: how many, and
 * the first one as `file:line` (1-based). Such regions are not counted as "will not compile".
 */
export function unparsedSummary(tu: TuReport): string {
  const f = tu.unparsed[0]!;
  return `${tu.unparsed.length} region(s) the parser could not read (structural checks skipped there; the code may still compile), first at ${f.file}:${f.line}`;
}

/** Options of {@link runProjectPort}. */
export interface ProjectCliOptions extends ProjectPortOptions {
  root: string;
  target: { kind: 'out'; dir: string } | { kind: 'in-place' } | { kind: 'check' };
  json: boolean;
  /** `--in-place`: keep each rewritten original as `<file>.prehip` (default true; `--no-backup` turns it off). */
  backup?: boolean;
}

/**
 * Plans and writes a project port. Exit code: 0 written (or planned with `check`), 1 when files
 * were skipped, 2 on usage or I/O errors. All files are written as one transaction
 * (src/core/safe-write.ts): staged first, committed only when every file could be staged, temporary
 * files always removed; `--in-place` rewrites go through symlinks, keep mode, owner and hard links,
 * and keep `<file>.prehip` backups unless `backup` is false.
 */
export function runProjectPort(o: ProjectCliOptions, io: Io): number {
  const root = resolve(o.root);
  if (o.target.kind === 'in-place' && o.mode === 'copy') {
    io.stderr('hip-porter: a copy-mode project port renames foo.cu to foo.hip: use --out DIR, or --single-source --in-place\n');
    return 2;
  }
  let out: string | undefined;
  if (o.target.kind === 'out') {
    if (!o.target.dir) {
      io.stderr('hip-porter: --out needs a directory\n');
      return 2;
    }
    out = resolve(o.target.dir);
    // Real paths: an --out that is a symlink into the project (or under one) is inside it too.
    const rootReal = realPathOf(root);
    const outReal = realPathOf(out);
    if (isWithin(rootReal, outReal)) {
      const via = outReal !== out ? ` (it resolves to ${outReal})` : '';
      io.stderr(`hip-porter: --out ${o.target.dir} is inside the project (${root})${via}; choose a directory outside it\n`);
      return 2;
    }
  }
  let plan: ProjectPlan;
  try {
    plan = planProjectPort(root, o);
  } catch (e) {
    io.stderr(`hip-porter: ${(e as Error).message}\n`);
    return 2;
  }
  for (const s of plan.report.skipped) io.stderr(`hip-porter: warning: ${s}\n`);
  let written: TransactionResult | undefined;
  if (o.target.kind !== 'check') {
    if (out) {
      const unwritable = checkWritableDir(out);
      if (unwritable) {
        io.stderr(`hip-porter: --out ${o.target.kind === 'out' ? o.target.dir : out}: ${unwritable}\n`);
        return 2;
      }
    }
    try {
      written = writeProjectFiles(plan, root, out ?? root, out !== undefined, o.backup ?? true);
    } catch (e) {
      io.stderr(`hip-porter: cannot write the ported project: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (o.json) {
    io.stdout(JSON.stringify({ files: plan.files.map((f) => ({ path: f.path, from: f.from, kind: f.kind, findings: f.findings })), report: plan.report }, null, 2) + '\n');
  } else {
    io.stderr(formatProjectSummary(plan));
    if (written && o.target.kind === 'in-place') {
      io.stderr(`hip-porter: wrote ${written.written.length} file(s) in place${written.backups.length ? ` (originals kept as *${BACKUP_SUFFIX})` : ''}\n`);
    }
  }
  return plan.report.skipped.length ? 1 : 0;
}

/** Is `child` equal to or inside `root` (both absolute)? */
function isWithin(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

/**
 * Writes the planned files (and, when `copyOthers`, the unchanged files of the tree) from `root`
 * to `out` as one {@link writeFilesTransaction}. A planned file that rewrites an existing input in
 * place (`out` = `root`, same path) is a `replace` entry (symlinks followed, mode/owner/hard links
 * kept, `.prehip` backup when `backup`); everything else is a `create` entry. Unchanged files
 * whose copy under `out` is already as new and as large are not rewritten.
 * @returns what the transaction wrote.
 * @throws WriteTransactionError (nothing changed when it failed while staging; else it names the
 *   files already written); Error when an unchanged file cannot be read.
 */
export function writeProjectFiles(plan: ProjectPlan, root: string, out: string, copyOthers: boolean, backup = true): TransactionResult {
  const entries: WriteEntry[] = [];
  const inPlace = resolve(out) === resolve(root);
  for (const f of plan.files) {
    const replace = inPlace && f.from !== undefined && f.from === f.path;
    entries.push({ path: join(out, f.path), data: f.after, mode: replace ? 'replace' : 'create' });
  }
  if (copyOthers) {
    const written = new Set(plan.files.map((f) => f.path));
    for (const r of plan.unchanged) {
      if (written.has(r)) continue;
      const src = join(root, r);
      const dest = join(out, r);
      if (upToDate(src, dest)) continue;
      entries.push({ path: dest, data: readFileSync(src) });
    }
  }
  return writeFilesTransaction(entries, { backup });
}

/** True when `dest` is a regular file of the same size as `src` and not older. */
function upToDate(src: string, dest: string): boolean {
  try {
    const d = statSync(dest);
    const s = statSync(src);
    return d.isFile() && s.mtimeMs <= d.mtimeMs && s.size === d.size;
  } catch {
    return false;
  }
}

/** The text summary printed after a project port: files, build edits, what needs a person. */
export function formatProjectSummary(plan: ProjectPlan): string {
  const r = plan.report;
  const lines: string[] = [];
  const by = (k: string): number => plan.files.filter((f) => f.kind === k).length;
  lines.push(`hip-porter: project port (${r.mode}, offload archs ${r.offloadArch.join(';')}): ${by('source') + by('header')} source/header file(s), ${by('build')} build file(s), ${by('compat')} compat file(s)`);
  const edits = plan.files.flatMap((f) => f.findings).filter((x): x is BuildFinding => 'family' in x && x.family === 'build');
  if (edits.length) lines.push(`  build files: ${edits.length} edit(s) (${r.buildSystem.join(', ')})`);
  for (const u of r.buildUnresolved) lines.push(`  ${u.file}:${u.line}: ${u.code} ${u.message}`);
  for (const w of edits.filter((e) => e.severity === 'warning' && e.code !== 'HP819')) lines.push(`  ${w.file}:${w.line}: ${w.code} ${w.message}`);
  // a shared header's findings are printed under the first TU that includes it, counted in every TU
  const shown = new Set<string>();
  for (const tu of r.tus) {
    if (!tu.blocking.length && !tu.hazards.length && !tu.unparsed.length) continue;
    lines.push(`  ${tu.file}: ${tu.blocking.length} will not compile, ${tu.hazards.length} hazard(s)`);
    const all = [...tu.blocking, ...tu.hazards];
    const fresh = all.filter((b) => !shown.has(`${b.file}:${b.line}:${b.column}:${b.code}`));
    for (const b of fresh.slice(0, 8)) {
      lines.push(`    ${b.file}:${b.line}:${b.column}: ${b.code} ${b.message}`);
      shown.add(`${b.file}:${b.line}:${b.column}:${b.code}`);
    }
    if (all.length > fresh.length) lines.push(`    ${all.length - fresh.length} in shared headers, printed above (${[...new Set(all.filter((b) => !fresh.includes(b)).map((b) => b.file))].join(', ')})`);
    if (tu.unparsed.length) lines.push(`    ${unparsedSummary(tu)}`);
  }
  if (r.buildSystem.includes('cmake')) {
    const missing = describeMissing(discoverHipToolchain());
    if (missing) lines.push(`  ${missing}`);
  }
  if (r.mode === 'single-source') lines.push(`  build for AMD GPUs with ${r.buildSystem.includes('cmake') ? '`cmake -DUSE_HIP=ON`' : '`make HIP=1`'}; the default build stays CUDA`);
  return lines.join('\n') + '\n';
}

/** Project options of `hip-porter port`, as parsed by main.ts. */
export interface ProjectFlags {
  singleSource: boolean;
  compatHeader?: string;
}

/**
 * Decides whether a `port` command line is a project port: one directory input, no `--agent`,
 * and `--single-source` or a Makefile/CMakeLists.txt that mentions CUDA somewhere in the tree. Returns the options
 * for {@link runProjectPort}, or undefined for the per-file port (src/cli/port.ts).
 */
export function projectPortOptions(
  o: { inputs: string[]; mode: string; outDir?: string; json: boolean; agent?: boolean; backup?: boolean } & Omit<ProjectPortOptions, 'mode'>,
  p: ProjectFlags,
): ProjectCliOptions | undefined {
  if (o.inputs.length !== 1 || o.agent || o.mode === 'stdout') return undefined;
  const root = resolve(o.inputs[0]!);
  try {
    if (!statSync(root).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  if (!p.singleSource && !hasBuildFile(root, 0)) return undefined;
  const target = o.mode === 'out' ? { kind: 'out' as const, dir: o.outDir ?? '' } : o.mode === 'in-place' ? { kind: 'in-place' as const } : { kind: 'check' as const };
  const { inputs: _i, mode: _m, outDir: _o, agent: _a, ...engine } = o;
  return {
    ...engine,
    root,
    mode: p.singleSource ? 'single-source' : 'copy',
    target,
    ...(p.compatHeader ? { compatHeader: p.compatHeader } : {}),
  };
}

/** True when a build file mentions nvcc, the CUDA language/toolkit or `.cu` sources. */
function mentionsCuda(path: string): boolean {
  try {
    return /\bnvcc\b|\bCUDA\b|CUDA::|\.cu\b|-arch[= ]sm_/.test(readFileSync(path, 'utf8').slice(0, 1 << 20));
  } catch {
    return false;
  }
}

function hasBuildFile(dir: string, depth: number): boolean {
  if (depth > 6) return false;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) {
    if (e.isFile() && /^(GNUmakefile|makefile|Makefile|CMakeLists\.txt)$/.test(e.name) && mentionsCuda(join(dir, e.name))) return true;
  }
  return entries.some((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules' && hasBuildFile(join(dir, e.name), depth + 1));
}
