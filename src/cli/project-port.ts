/**
 * `hip-porter port <dir>`: a whole project, build files included (src/core/project/). Copy mode
 * writes a `.hip` tree with a HIP build under `--out`; `--single-source` keeps the CUDA sources,
 * adds the compat header and the `HIP=1` / `USE_HIP` switch (under `--out`, or `--in-place`).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { planProjectPort, type ProjectPlan, type ProjectPortOptions } from '../core/project/plan';
import type { BuildFinding } from '../core/project/build-findings';
import { describeMissing, discoverHipToolchain } from '../core/project/toolchain';
import type { Io } from './io';

/** Options of {@link runProjectPort}. */
export interface ProjectCliOptions extends ProjectPortOptions {
  root: string;
  target: { kind: 'out'; dir: string } | { kind: 'in-place' } | { kind: 'check' };
  json: boolean;
}

/**
 * Plans and writes a project port. Exit code: 0 written (or planned with `check`), 1 when files
 * were skipped, 2 on usage or I/O errors (nothing is left half-written: every file goes through a
 * temporary sibling and a rename).
 */
export function runProjectPort(o: ProjectCliOptions, io: Io): number {
  const root = resolve(o.root);
  if (o.target.kind === 'in-place' && o.mode === 'copy') {
    io.stderr('hip-porter: a copy-mode project port renames foo.cu to foo.hip: use --out DIR, or --single-source --in-place\n');
    return 2;
  }
  let plan: ProjectPlan;
  try {
    plan = planProjectPort(root, o);
  } catch (e) {
    io.stderr(`hip-porter: ${(e as Error).message}\n`);
    return 2;
  }
  for (const s of plan.report.skipped) io.stderr(`hip-porter: warning: ${s}\n`);
  if (o.target.kind === 'out') {
    const out = resolve(o.target.dir);
    if (out === root || out.startsWith(root + '/')) {
      io.stderr(`hip-porter: --out ${o.target.dir} is inside the project (${root}); choose a directory outside it\n`);
      return 2;
    }
    try {
      writeProjectFiles(plan, root, out, true);
    } catch (e) {
      io.stderr(`hip-porter: cannot write the ported project: ${(e as Error).message}\n`);
      return 2;
    }
  } else if (o.target.kind === 'in-place') {
    try {
      writeProjectFiles(plan, root, root, false);
    } catch (e) {
      io.stderr(`hip-porter: cannot write the ported project: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (o.json) {
    io.stdout(JSON.stringify({ files: plan.files.map((f) => ({ path: f.path, from: f.from, kind: f.kind, findings: f.findings })), report: plan.report }, null, 2) + '\n');
  } else {
    io.stderr(formatProjectSummary(plan));
  }
  return plan.report.skipped.length ? 1 : 0;
}

/**
 * Writes the planned files (and, when `copyOthers`, copies the unchanged files) from `root` to
 * `out`. Plain writer: each file goes through a temporary sibling and a rename; the lead may swap
 * in the transactional multi-file write of src/core/safe-write.ts here.
 */
export function writeProjectFiles(plan: ProjectPlan, root: string, out: string, copyOthers: boolean): void {
  const staged: Array<{ tmp: string; dest: string }> = [];
  try {
    for (const f of plan.files) {
      const dest = join(out, f.path);
      mkdirSync(dirname(dest), { recursive: true });
      const tmp = `${dest}.hip-porter-${process.pid}.tmp`;
      writeFileSync(tmp, f.after);
      staged.push({ tmp, dest });
    }
  } catch (e) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw e;
  }
  for (const s of staged) renameSync(s.tmp, s.dest);
  if (!copyOthers) return;
  const written = new Set(plan.files.map((f) => f.path));
  for (const r of plan.unchanged) {
    if (written.has(r)) continue;
    const src = join(root, r);
    const dest = join(out, r);
    if (existsSync(dest) && statSync(dest).isFile() && statSync(src).mtimeMs <= statSync(dest).mtimeMs && statSync(src).size === statSync(dest).size) continue;
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(src, dest);
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
  for (const tu of r.tus) {
    if (!tu.blocking.length && !tu.hazards.length) continue;
    lines.push(`  ${tu.file}: ${tu.blocking.length} will not compile, ${tu.hazards.length} hazard(s)`);
    for (const b of [...tu.blocking, ...tu.hazards].slice(0, 8)) lines.push(`    ${b.file}:${b.line}:${b.column}: ${b.code} ${b.message}`);
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
  o: { inputs: string[]; mode: string; outDir?: string; json: boolean; agent?: boolean } & Omit<ProjectPortOptions, 'mode'>,
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
