/**
 * A CUDA project as one input: its files, translation units and include graph, its Make/CMake
 * build files, and the plan of a port in copy or single-source mode. Pure apart from reading the
 * project's files; writes nothing (the CLI and the language server write an accepted plan).
 */
import { readFileSync } from 'node:fs';
import { basename, extname, posix } from 'node:path';
import { classifyFiles, listFiles, portedName, relPath, CXX_EXTENSIONS, DEFAULT_MAX_BYTES, HEADER_EXTENSIONS } from '../files';
import type { EngineOptions } from '../findings';
import { translate } from '../translate';
import { LineIndex } from '../text';
import { DEFAULT_TARGET_ROCM } from '../findings';
import type { BuildFinding, BuildMigrationOptions, PortMode } from './build-findings';
import { makeSourceDirs, migrateMakefile } from './make';
import { addRootPrologue, migrateCMake } from './cmake';
import { generateCompat, type CompatUse } from './compat';
import { toolchainFileText } from './toolchain';

/** Options of {@link planProjectPort}. */
export interface ProjectPortOptions extends EngineOptions {
  mode: PortMode;
  /** AMD offload architectures; default `['gfx90a', 'gfx1030']` (a wave64 and a wave32 target). */
  offloadArch?: readonly string[];
  /** Compat header name (single-source), default `hip_compat.h`, at the project root. */
  compatHeader?: string;
  /** Per-file size limit in bytes (default 20 MB). */
  maxBytes?: number;
}

/** An open (not auto-fixed) finding of a source file, 1-based line and column (UTF-16). */
export interface OpenFinding {
  code: string;
  line: number;
  column: number;
  message: string;
  status: string;
}

/** One file of the plan. Paths are project-relative with forward slashes. */
export interface PlannedFile {
  /** Output path (in the ported tree; equals `from` unless renamed). */
  path: string;
  /** Input path, absent for generated files. */
  from?: string;
  /** The input text, absent for generated files. */
  before?: string;
  after: string;
  kind: 'source' | 'header' | 'build' | 'compat';
  /** Findings: open source findings, or the build-file edits. */
  findings: Array<OpenFinding | BuildFinding>;
}

/** One translation unit of the project report. */
export interface TuReport {
  /** Project-relative path of the source file. */
  file: string;
  /** Project headers it includes, transitively (project-relative). */
  headers: string[];
  /** Findings that will not compile for the target (unsupported or experimental-only names), in the TU and its headers. */
  blocking: Array<OpenFinding & { file: string }>;
  /**
   * Regions tree-sitter could not parse (HP901), in the TU and its headers: the code may well compile
   * (tree-sitter's C++ grammar rejects some valid C++), but structural checks were skipped there.
   */
  unparsed: Array<OpenFinding & { file: string }>;
  /** Hazards: compiles but needs a person (warp width, lane masks, inline PTX, ...). */
  hazards: Array<OpenFinding & { file: string }>;
}

/** The project report of a plan. */
export interface ProjectReport {
  mode: PortMode;
  offloadArch: readonly string[];
  buildSystem: Array<'make' | 'cmake'>;
  tus: TuReport[];
  /** Build-file lines the migration kept without understanding them. */
  buildUnresolved: BuildFinding[];
  /** Files skipped (binary, invalid UTF-8, too large), with the reason. */
  skipped: string[];
}

/** Result of {@link planProjectPort}. */
export interface ProjectPlan {
  root: string;
  /** Changed and generated files (files the port leaves as they are are not listed). */
  files: PlannedFile[];
  /** Other files of the tree, project-relative: copied as they are by an `--out` port. */
  unchanged: string[];
  report: ProjectReport;
}

const RENAME_CODES = new Set(['HP101', 'HP102', 'HP103', 'HP106', 'HP110']);
const SOURCE_EXTS = new Set(['.cu', '.c', '.cc', '.cpp', '.cxx', '.c++']);
const BUILD_NAMES = /^(GNUmakefile|makefile|Makefile|.*\.mk|CMakeLists\.txt|.*\.cmake)$/;

/**
 * Plans the port of the project under `root` (a directory). Copy mode: `.cu` → `.hip` translated,
 * headers translated in place, build files migrated to a HIP-only build. Single-source mode: CUDA
 * sources unchanged, one compat header (+ forwarding headers) generated, build files get the
 * `HIP=1` / `USE_HIP` switch. Throws an Error with a user-facing message when `root` is missing.
 * Needs `await initParser()` first (structural rules).
 */
export function planProjectPort(root: string, o: ProjectPortOptions): ProjectPlan {
  const offloadArch = o.offloadArch?.length ? o.offloadArch : ['gfx90a', 'gfx1030'];
  const compatHeader = o.compatHeader ?? 'hip_compat.h';
  const targetRocm = o.targetRocm ?? DEFAULT_TARGET_ROCM;
  const found = listFiles([root]);
  const { cuda, others, skipped } = classifyFiles(found, o.maxBytes ?? DEFAULT_MAX_BYTES);
  const rel = (p: string): string => relPath(root, p);
  const files: PlannedFile[] = [];
  const unchanged: string[] = [];
  const use: CompatUse = { names: new Map(), headers: new Map() };
  const openBy = new Map<string, OpenFinding[]>();
  const renamed = new Map<string, string>();
  if (o.mode === 'copy') for (const f of cuda) if (extname(f.path).toLowerCase() === '.cu') renamed.set(rel(f.path), posix.join(posix.dirname(rel(f.path)), portedName(f.path)));

  // warp width macros defined anywhere in the project (`#define WARP_SIZE 32`): their host uses are rewritten
  const warpNames = new Set<string>();
  if (o.mode === 'single-source') for (const f of cuda) for (const m of f.text.matchAll(WARP_DEFINE)) warpNames.add(m[2]!);
  const hostHelperNeeded = warpNames.size > 0 && cuda.some((f) => hostWarpUses(f.text, warpNames).count > 0);
  for (const f of cuda) {
    const r = rel(f.path);
    const res = translate(f.text, { ...o, sourcePath: f.path });
    const li = new LineIndex(f.text);
    const open: OpenFinding[] = res.open.map((x) => {
      const p = li.positionAt(x.start);
      return { code: x.code, line: p.line + 1, column: p.character + 1, message: x.message, status: x.status };
    });
    openBy.set(r, open);
    for (const a of res.applied) {
      if (a.code === 'HP203' && a.cuda && a.hip && a.cuda === `${a.hip}_sync`) {
        (use.maskDropped ??= new Map()).set(a.cuda, a.hip);
        continue;
      }
      // plain renames only (HP101-HP103, HP106 names; HP110 headers): other fixes rewrite code, not names
      if (!a.cuda || !a.hip || !RENAME_CODES.has(a.code)) continue;
      if (a.code === 'HP110') use.headers.set(a.cuda, a.hip);
      else use.names.set(a.cuda, a.hip);
    }
    const isHeader = HEADER_EXTENSIONS.has(extname(f.path).toLowerCase());
    if (o.mode === 'copy') {
      const text = followRenames(res.text, r, renamed);
      files.push({ path: renamed.get(r) ?? r, from: r, before: f.text, after: text, kind: isHeader ? 'header' : 'source', findings: open });
    } else {
      const h = hostWarpUses(f.text, warpNames); // offsets in f.text
      const g = guardWarpWidth(h.text, hostHelperNeeded); // the defines are untouched by hostWarpUses: their lines are those of f.text
      const gAt = guardWarpWidth(f.text).at;
      if (g.count || h.count) {
        const li2 = new LineIndex(f.text);
        const notes: OpenFinding[] = gAt.map((off) => {
          const p = li2.positionAt(off);
          return { code: 'HP830', line: p.line + 1, column: 1, message: 'warp width constant: 64 in AMD device code for GFX9 (wave64), 32 elsewhere, under #if defined(__HIP_PLATFORM_AMD__); its uses in launch configurations and allocation/copy sizes read hipDeviceProp_t::warpSize on AMD (HIP_PORTER_HOST_WARP); other host uses must do so by hand', status: 'hazard' };
        });
        for (const off of h.at) {
          const p = li2.positionAt(off);
          notes.push({ code: 'HP830', line: p.line + 1, column: p.character + 1, message: 'host use of the warp width (launch configuration or buffer size) reads hipDeviceProp_t::warpSize of the current device on AMD: HIP_PORTER_HOST_WARP(...)', status: 'auto-fixed' });
        }
        files.push({ path: r, from: r, before: f.text, after: g.text, kind: isHeader ? 'header' : 'source', findings: [...notes, ...open] });
      } else {
        unchanged.push(r);
      }
    }
  }

  // the compat header and forwarding headers for every CUDA header the sources include
  if (o.mode === 'single-source') {
    for (const g of generateCompat(use, compatHeader, targetRocm)) files.push({ path: g.path, after: g.text, kind: 'compat', findings: [] });
  }

  // the include graph: quoted includes resolved beside the including file, else through the
  // project's include directories (a unique project file whose path ends with the include)
  const texts = new Map(cuda.map((f) => [rel(f.path), f.text]));
  const cudaSet = new Set(texts.keys());
  const resolveInclude = includeResolver(found.map((f) => rel(f.path)));
  const readCache = new Map<string, string | undefined>();
  const textOf = (r: string): string | undefined => {
    if (texts.has(r)) return texts.get(r);
    if (!readCache.has(r)) readCache.set(r, safeRead(root, r));
    return readCache.get(r);
  };
  const closure = (r: string): string[] => includeClosure(r, textOf, resolveInclude);
  // C++ sources that reach CUDA only through project headers: compiled as HIP too (not .c: hipcc -x hip is C++)
  const viaHeaders = new Map<string, string[]>();
  for (const f of others) {
    const r = rel(f.path);
    const ext = extname(r).toLowerCase();
    if (!SOURCE_EXTS.has(ext) || ext === '.c' || ext === '.cu') continue;
    const h = closure(r);
    if (h.some((x) => cudaSet.has(x))) viaHeaders.set(r, h);
  }
  const cudaCxxFiles = [
    ...cuda.map((f) => rel(f.path)).filter((r) => CXX_EXTENSIONS.has(extname(r).toLowerCase()) && !HEADER_EXTENSIONS.has(extname(r).toLowerCase())),
    ...viaHeaders.keys(),
  ].sort();
  const makeTexts = makeFileTexts(root, others.map((f) => rel(f.path)));
  const ccIsCxx = [...makeTexts.values()].some((t) => CC_IS_CXX.test(t));
  const buildSystem = new Set<'make' | 'cmake'>();
  const buildFindings: BuildFinding[] = [];
  let needsToolchain = false;
  for (const f of others) {
    const r = rel(f.path);
    const name = basename(r);
    if (!BUILD_NAMES.test(name)) {
      unchanged.push(r);
      continue;
    }
    // Make files were read once above (for CC and their includes)
    let text: string | undefined = makeTexts.get(r);
    try {
      text ??= readFileSync(f.path, 'utf8');
    } catch {
      unchanged.push(r);
      continue;
    }
    const dir = posix.dirname(r);
    const mo: BuildMigrationOptions = {
      mode: o.mode,
      offloadArch,
      file: r,
      toRoot: dir === '.' ? '' : dir.split('/').map(() => '..').join('/'),
      compatHeader,
      cudaCxxFiles: isMakeName(name) ? makeReachable(cudaCxxFiles, r, text, makeTexts) : cudaCxxFiles.filter((c) => dir === '.' || c.startsWith(dir + '/')),
      ccIsCxx,
      targetRocm,
    };
    const isCMake = /CMakeLists\.txt$|\.cmake$/.test(name);
    const m = isCMake ? migrateCMake(text, mo) : migrateMakefile(text, mo);
    if (m.findings.length) buildSystem.add(isCMake ? 'cmake' : 'make');
    buildFindings.push(...m.findings);
    if (m.text !== text) {
      if (isCMake) needsToolchain = true;
      files.push({ path: r, from: r, before: text, after: m.text, kind: 'build', findings: m.findings });
    } else {
      unchanged.push(r);
    }
  }
  if (needsToolchain) {
    files.push({ path: 'hip-porter-toolchain.cmake', after: toolchainFileText(), kind: 'build', findings: [] });
    // a top-level CMakeLists.txt without CUDA (add_subdirectory only): the toolchain must be set before its project()
    const top = unchanged.indexOf('CMakeLists.txt');
    const topText = top >= 0 ? safeReadText(root, 'CMakeLists.txt') : undefined;
    if (topText !== undefined) {
      const m = addRootPrologue(topText, { mode: o.mode, offloadArch, file: 'CMakeLists.txt', toRoot: '', compatHeader, cudaCxxFiles: [] });
      if (m.text !== topText) {
        unchanged.splice(top, 1);
        buildFindings.push(...m.findings);
        files.push({ path: 'CMakeLists.txt', from: 'CMakeLists.txt', before: topText, after: m.text, kind: 'build', findings: m.findings });
      }
    }
  }

  // translation units (CUDA sources, and C++ sources reaching CUDA through headers) and their project-header closure
  const tus: TuReport[] = [];
  const tuFiles = [...cuda.map((f) => rel(f.path)).filter((r) => SOURCE_EXTS.has(extname(r).toLowerCase())), ...viaHeaders.keys()];
  for (const r of tuFiles) {
    const headers = viaHeaders.get(r) ?? closure(r);
    const tu: TuReport = { file: r, headers, blocking: [], hazards: [], unparsed: [] };
    for (const fileOf of [r, ...tu.headers]) {
      for (const x of openBy.get(fileOf) ?? []) {
        const item = { ...x, file: fileOf };
        if (x.status === 'hazard') tu.hazards.push(item);
        else if (x.status === 'parse-error') tu.unparsed.push(item);
        else if (x.status === 'unsupported' || x.status === 'experimental') tu.blocking.push(item);
      }
    }
    tus.push(tu);
  }
  return {
    root,
    files,
    unchanged: unchanged.sort(),
    report: {
      mode: o.mode,
      offloadArch,
      buildSystem: [...buildSystem],
      tus,
      buildUnresolved: buildFindings.filter((b) => b.code === 'HP819'),
      skipped: skipped.map((s) => s.message),
    },
  };
}

const WARP_DEFINE = /^([ \t]*)#[ \t]*define[ \t]+([A-Za-z_]*(?:WARP_?SIZE|[Ww]arp_?[Ss]ize|WARPSIZE)[A-Za-z0-9_]*)[ \t]+\(?32u?\)?[ \t]*(?:\/\/[^\n]*|\/\*[^\n]*\*\/)?[ \t]*(?=\r?\n|$)/gm;

/**
 * Single-source platform fix: `#define WARP_SIZE 32` (and similar names) becomes 64 in AMD device
 * code compiled for GFX9 (CDNA, wave64) and stays 32 elsewhere (RDNA is wave32, the host and the
 * NVIDIA build keep the original line), chosen per device compilation so a gfx90a+gfx1030 fat
 * binary is right for both. Facts: HIP programming guide, "Warp cross-lane functions" (warpSize
 * is 64 on GFX9, 32 on GFX10+ by default); clang defines `__GFX9__` for gfx9xx device compilations.
 * With `hostHelper`, the first guarded define is followed by the `HIP_PORTER_HOST_WARP` helper
 * (see {@link hostWarpUses}). Returns the new text, the number of defines guarded and their offsets
 * in the input.
 */
export function guardWarpWidth(text: string, hostHelper = false): { text: string; count: number; at: number[] } {
  const at: number[] = [];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const out = text.replace(WARP_DEFINE, (line: string, indent: string, name: string, offset: number) => {
    at.push(offset);
    return [
      `${indent}#if defined(__HIP_PLATFORM_AMD__) && defined(__HIP_DEVICE_COMPILE__) && defined(__GFX9__) // HIP Porter: wave64 on CDNA/GCN`,
      `${indent}#define ${name} 64`,
      `${indent}#else`,
      line,
      `${indent}#endif`,
      ...(hostHelper && at.length === 1 ? HOST_WARP_HELPER.map((l) => indent + l.split('\n').join(eol + indent)) : []),
    ].join(eol);
  });
  return { text: out, count: at.length, at };
}

/**
 * Defined after the first guarded warp-width define of a file: `HIP_PORTER_HOST_WARP(x)` is `(x)`
 * in the CUDA build (the preprocessed CUDA source is unchanged) and, on AMD, the wavefront width:
 * `warpSize` in device code, in host code `hipDeviceProp_t::warpSize` of the current device (read
 * with `hipDeviceGetAttribute(hipDeviceAttributeWarpSize)`, the same field; HIP 5.2
 * hip_runtime_api.h), 64 on GFX9 (CDNA), 32 on RDNA.
 */
const HOST_WARP_HELPER = [
  '#if defined(__HIP_PLATFORM_AMD__) && !defined(HIP_PORTER_HOST_WARP) // HIP Porter: host code reads the device\'s warp width',
  '#define HIP_PORTER_HOST_WARP(cuda_value) hip_porter_warp_size()',
  '__host__ __device__ static inline int hip_porter_warp_size() {\n#if defined(__HIP_DEVICE_COMPILE__)\n  return warpSize;\n#else\n  int d = 0, w = 0;\n  return hipGetDevice(&d) == hipSuccess && hipDeviceGetAttribute(&w, hipDeviceAttributeWarpSize, d) == hipSuccess ? w : 32;\n#endif\n}',
  '#elif !defined(HIP_PORTER_HOST_WARP)\n#define HIP_PORTER_HOST_WARP(cuda_value) (cuda_value)\n#endif',
];

/** Calls whose arguments are sizes computed on the host. */
const HOST_SIZE_CALLS = /\b(cudaMalloc|cudaMallocManaged|cudaMallocHost|cudaHostAlloc|cudaMemcpy|cudaMemcpyAsync|cudaMemset|cudaMemsetAsync|malloc|calloc)\s*\(/g;

/**
 * Single-source host fix: a warp-width macro (`names`, e.g. `WARP_SIZE`) used in a kernel launch
 * configuration (`<<<grid, block, shmem>>>`) or in the arguments of an allocation/copy call
 * (cudaMalloc, cudaMemcpy, cudaMemset, malloc, ...) becomes `HIP_PORTER_HOST_WARP(WARP_SIZE)`:
 * these are run-time expressions, so reading the device's warp width there is always valid. Other
 * uses (constants, array bounds, templates) are left alone: they stay the HP830 hazard. Skips
 * comments and string literals only as far as a use on a `//` line is concerned. Returns the new
 * text, the count and the UTF-16 offsets (in the input) of the rewritten uses.
 */
export function hostWarpUses(text: string, names: ReadonlySet<string>): { text: string; count: number; at: number[] } {
  if (names.size === 0) return { text, count: 0, at: [] };
  const word = new RegExp(`(?<![A-Za-z0-9_(])(${[...names].join('|')})(?![A-Za-z0-9_])`, 'g');
  const spans: Array<[number, number]> = [];
  for (const m of text.matchAll(/<<<([^;{}]*?)>>>/g)) spans.push([m.index!, m.index! + m[0].length]);
  for (const m of text.matchAll(HOST_SIZE_CALLS)) {
    let depth = 0;
    let k = m.index! + m[0].length - 1;
    for (; k < text.length; k++) {
      if (text[k] === '(') depth++;
      else if (text[k] === ')' && --depth === 0) break;
      else if (text[k] === ';' || text[k] === '{') break;
    }
    if (depth === 0) spans.push([m.index!, k + 1]);
  }
  const at: number[] = [];
  for (const [a, b] of spans) {
    const lineStart = text.lastIndexOf('\n', a) + 1;
    if (/^\s*(\/\/|\*|#)/.test(text.slice(lineStart, a + 1))) continue;
    for (const m of text.slice(a, b).matchAll(word)) at.push(a + m.index!);
  }
  const sorted = [...new Set(at)].sort((x, y) => x - y);
  let out = '';
  let pos = 0;
  for (const off of sorted) {
    const name = word.exec(text.slice(off))![1]!;
    word.lastIndex = 0;
    out += text.slice(pos, off) + `HIP_PORTER_HOST_WARP(${name})`;
    pos = off + name.length;
  }
  return { text: out + text.slice(pos), count: sorted.length, at: sorted };
}

function safeReadText(root: string, r: string): string | undefined {
  try {
    return readFileSync(`${root}/${r}`, 'utf8');
  } catch {
    return undefined;
  }
}

function safeRead(root: string, r: string): string | undefined {
  try {
    const p = `${root}/${r}`;
    if (!CXX_EXTENSIONS.has(extname(p).toLowerCase()) && extname(p).toLowerCase() !== '.cuh') return undefined;
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** Make file names (`Makefile`, `GNUmakefile`, `makefile`, `*.mk`). */
function isMakeName(name: string): boolean {
  return /^(GNUmakefile|makefile|Makefile|.*\.mk)$/.test(name);
}

/** `CC = g++` / `CC := clang++` (any assignment operator): the project's C compiler variable names a C++ compiler. */
const CC_IS_CXX = /^[ \t]*(?:(?:export|override)[ \t]+)*CC[ \t]*(?::{0,3}=|\?=|\+=)[ \t]*(?:\S*\/)?(?:g\+\+|c\+\+|clang\+\+)(?:-[0-9.]+)?(?:\s|$)/m;

/** Texts of the project's Make files (project-relative path → text); unreadable files are left out. */
function makeFileTexts(root: string, rels: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of rels) {
    if (!isMakeName(basename(r))) continue;
    const t = safeReadText(root, r);
    if (t !== undefined) out.set(r, t);
  }
  return out;
}

/**
 * The C++ files of `cudaCxx` (project-relative) that the Makefile `file` can compile: those under
 * its folder, and those under the folders its rules and recipes name with relative paths after the
 * simple variables (of the Makefile and the project Make files it includes) are expanded, e.g.
 * `../../$(SRC_DIR)/%/%.cpp` with `SRC_DIR = src` from `../../common.mk` reaches `src/`.
 */
function makeReachable(cudaCxx: readonly string[], file: string, text: string, makeTexts: ReadonlyMap<string, string>): string[] {
  const dirs = makeSourceDirs(text, file, (p) => makeTexts.get(p));
  return cudaCxx.filter((c) => dirs.some((d) => d === '.' || c.startsWith(d + '/')));
}

/**
 * Returns a resolver of quoted includes over the project's files (`files`: project-relative paths,
 * forward slashes). `resolve(from, inc)` gives the project-relative path `#include "inc"` in `from`
 * names: the file beside `from` when it exists (the preprocessor's first place), else the project
 * file whose path ends with `/inc` (what a `-I` directory of the build would find): the only one,
 * or of several the one sharing the longest folder prefix with `from`; undefined when none or
 * when several tie (ambiguous). Paths that leave the project (`../` past the root) are undefined.
 */
export function includeResolver(files: readonly string[]): (from: string, inc: string) => string | undefined {
  const all = new Set(files);
  const byBase = new Map<string, string[]>();
  for (const f of files) {
    const b = posix.basename(f);
    const list = byBase.get(b);
    if (list) list.push(f);
    else byBase.set(b, [f]);
  }
  return (from, inc) => {
    const beside = posix.normalize(posix.join(posix.dirname(from), inc));
    if (!beside.startsWith('..') && all.has(beside)) return beside;
    const want = posix.normalize(inc);
    if (want.startsWith('..') || want.startsWith('/')) return undefined;
    const cands = (byBase.get(posix.basename(want)) ?? []).filter((f) => f === want || f.endsWith('/' + want));
    if (cands.length <= 1) return cands[0];
    const shared = (f: string): number => {
      const a = posix.dirname(from).split('/');
      const b = f.split('/');
      let n = 0;
      while (n < a.length && n < b.length - 1 && a[n] === b[n]) n++;
      return n;
    };
    const scored = cands.map((f) => [shared(f), f] as const).sort((x, y) => y[0] - x[0]);
    return scored[0]![0] > scored[1]![0] ? scored[0]![1] : undefined;
  };
}

/**
 * Project headers (and included sources) that `file` includes transitively through quoted
 * includes, sorted, `file` excluded. `textOf` gives a project file's text (undefined: unreadable or
 * not C/C++), `resolve` maps an include to a project path (see {@link includeResolver}).
 */
export function includeClosure(file: string, textOf: (r: string) => string | undefined, resolve: (from: string, inc: string) => string | undefined): string[] {
  const headers: string[] = [];
  const seen = new Set<string>([file]);
  const stack = [file];
  while (stack.length) {
    const cur = stack.pop()!;
    const t = textOf(cur);
    if (t === undefined) continue;
    for (const inc of quotedIncludes(t)) {
      const target = resolve(cur, inc);
      if (target === undefined || seen.has(target)) continue;
      seen.add(target);
      if (textOf(target) !== undefined) {
        headers.push(target);
        stack.push(target);
      }
    }
  }
  return headers.sort();
}

/** `#include "x"` paths of a text. */
function quotedIncludes(text: string): string[] {
  const re = /^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm;
  return [...text.matchAll(re)].map((m) => m[1]!);
}

/** Rewrites `#include "x.cu"` to `"x.hip"` when x.cu is renamed (project-relative paths). */
function followRenames(text: string, file: string, renamed: Map<string, string>): string {
  if (renamed.size === 0) return text;
  return text.replace(/^([ \t]*#[ \t]*include[ \t]*")([^"\n]+\.cu)(")/gm, (m, a: string, p: string, b: string) => {
    const target = posix.normalize(posix.join(posix.dirname(file), p));
    const nn = renamed.get(target);
    return nn ? `${a}${p.slice(0, p.length - 3)}.hip${b}` : m;
  });
}

