/**
 * CUDA → HIP/ROCm name mappings: loads `mappings/*.json` into lookup tables.
 *
 * Source of the data: AMD ROCm HIPIFY `docs/tables/*.md` (MIT), converted by
 * `scripts/gen-mappings.mjs`; the HIPIFY commit is recorded in every generated file as
 * `hipifyCommit` (014177bc2e434ce3e834aa4f3d0e2abb1efa9796, 2024-10-24, per
 * `mappings/hipify-tables/SOURCE.md`, tables and MIT licence kept in the repository). `mappings/headers.json` is written by hand from HIPIFY's
 * `src/CUDA2HIP.cpp` include map and the ROCm docs each entry links to.
 *
 * Never imports 'vscode'.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mappingsDir } from './assets';

/** The CUDA libraries covered, one generated `mappings/<id>.json` each. */
export type LibraryId =
  | 'runtime'
  | 'driver'
  | 'device'
  | 'blas'
  | 'rand'
  | 'fft'
  | 'sparse'
  | 'solver'
  | 'dnn'
  | 'cub'
  | 'rtc'
  | 'complex';

/**
 * Every library id, in lookup preference order: when a CUDA name occurs in several libraries
 * (e.g. `CUstream_st` in runtime and driver), `Mappings.get` returns the entry of the library
 * listed first here.
 */
export const LIBRARIES: readonly LibraryId[] = Object.freeze([
  'runtime',
  'device',
  'driver',
  'complex',
  'rand',
  'blas',
  'sparse',
  'solver',
  'fft',
  'dnn',
  'cub',
  'rtc',
] as const);

/**
 * What a CUDA name is, as guessed by the generator from the table section and the name's shape
 * (HIPIFY's tables do not say; see the heuristic in scripts/gen-mappings.mjs):
 * - `function`: a host API call or device function;
 * - `type`: a struct, enum type, typedef or handle type;
 * - `enum`: a named constant, i.e. an enumerator or an object-like macro constant
 *   (e.g. `cudaMemcpyHostToDevice`, `cudaHostAllocDefault`, `CUBLAS_OP_N`);
 * - `define`: a preprocessor macro that is not a plain constant (CUB's macros, `__CUDACC__`);
 * - `other`: reserved for entries the generator cannot place (none at present).
 */
export type MappingKind = 'function' | 'type' | 'enum' | 'define' | 'other';

/**
 * Version facts from the A/D/C/R/E columns of the HIPIFY tables. Versions are dotted strings as
 * written there: CUDA ones like "10.0" or "12.5" (cuDNN ones like "8.0.1"), HIP/ROC ones are ROCm
 * releases like "5.3.0". Absent = the table cell was empty.
 */
export interface VersionFacts {
  /** Version the name appeared in. Absent for names older than what HIPIFY tracks. */
  added?: string;
  /** Version that deprecated the name. */
  deprecated?: string;
  /** Version that changed the name's signature or meaning. */
  changed?: string;
  /** Version that removed the name. */
  removed?: string;
  /**
   * HIP/ROC side only: the E column is non-empty (the API is experimental; in the current tables
   * every such cell says "6.3.0"). Always present (true/false) on `hipVersions`/`rocVersions`.
   */
  experimental?: boolean;
}

/** One CUDA name and what it becomes on HIP and ROCm libraries. */
export interface MappingEntry {
  /** The CUDA identifier, e.g. `cudaMalloc`. */
  cuda: string;
  /** The library whose table lists it. */
  library: LibraryId;
  /** The table section title without number, e.g. "Memory Management [DEPRECATED]". */
  section: string;
  /** Best-effort classification, see MappingKind. */
  kind: MappingKind;
  /** The HIP name (hipBLAS, hipRAND, ... for libraries), or null when HIP has no equivalent. */
  hip: string | null;
  /** Versions of the HIP name (ROCm releases). */
  hipVersions: VersionFacts;
  /**
   * The ROCm library name (rocBLAS, rocRAND, rocSPARSE, rocSOLVER, MIOpen) from the
   * `*_ROC.md` / `*_MIOPEN.md` tables, or null (always null for libraries without such tables).
   * May be a non-identifier such as `rocrand_device::sobol32_engine<false>`.
   */
  roc: string | null;
  /** Versions of the ROC name (ROCm releases). */
  rocVersions: VersionFacts;
  /** Versions of the CUDA name (CUDA or cuDNN releases). */
  cudaVersions: VersionFacts;
  /**
   * Set when a hand-checked correction of `mappings/overrides.json` changed or created this entry:
   * what the user must know beyond the name (e.g. an opt-in macro), and where the fact comes from.
   */
  override?: { note?: string; source: string };
}

/** One CUDA header and its replacement, from `mappings/headers.json` (hand-written). */
export interface HeaderEntry {
  /** The CUDA include path as written inside `#include <...>`, or a prefix when `prefix` is true. */
  cuda: string;
  /** The HIP include path, or null when there is no HIP equivalent (see `note`). */
  hip: string | null;
  /** The ROCm library include path (rocBLAS, rocRAND, MIOpen, rocWMMA, ...), when there is one. */
  roc?: string;
  /** A LibraryId, or another family name ('thrust', 'nccl', 'wmma', 'cutlass'). */
  library: string;
  /** URL of the HIP/ROCm documentation the mapping comes from. */
  docs: string;
  /** Caveats for the user (what to install, what is not 1:1). */
  note?: string;
  /** True when `cuda` is a path prefix (e.g. `thrust/`) rather than a whole include path. */
  prefix?: boolean;
  /** First ROCm release that ships the `hip` header, when it is newer than ROCm 5.0. */
  hipAdded?: string;
}

interface LibraryFile {
  library: LibraryId;
  entries: MappingEntry[];
}

interface HeadersFile {
  headers: HeaderEntry[];
}

const LIBRARY_SET: ReadonlySet<string> = new Set(LIBRARIES);

/** Reads and parses one JSON file; throws an Error naming the file on I/O or syntax errors. */
function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`HIP Porter: cannot read mappings file ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`HIP Porter: bad JSON in mappings file ${path}: ${(err as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the shape of a parsed library file; throws an Error naming the file. */
function asLibraryFile(path: string, v: Record<string, unknown>): LibraryFile {
  const lib = v['library'];
  if (typeof lib !== 'string' || !LIBRARY_SET.has(lib)) throw new Error(`HIP Porter: ${path}: unknown library ${JSON.stringify(lib)}`);
  const entries = v['entries'];
  if (!Array.isArray(entries)) throw new Error(`HIP Porter: ${path}: "entries" is not an array`);
  entries.forEach((e: unknown, i) => {
    if (!isObject(e) || typeof e['cuda'] !== 'string' || e['library'] !== lib || !(e['hip'] === null || typeof e['hip'] === 'string'))
      throw new Error(`HIP Porter: ${path}: entry ${i} is malformed`);
  });
  return { library: lib as LibraryId, entries: entries as MappingEntry[] };
}

/** Checks the shape of a parsed headers file; throws an Error naming the file. */
function asHeadersFile(path: string, v: Record<string, unknown>): HeadersFile {
  const headers = v['headers'];
  if (!Array.isArray(headers)) throw new Error(`HIP Porter: ${path}: "headers" is not an array`);
  headers.forEach((h: unknown, i) => {
    if (!isObject(h) || typeof h['cuda'] !== 'string' || !(h['hip'] === null || typeof h['hip'] === 'string') || typeof h['docs'] !== 'string')
      throw new Error(`HIP Porter: ${path}: header entry ${i} is malformed`);
  });
  return { headers: headers as HeaderEntry[] };
}

let defaultInstance: Mappings | undefined;

/** All CUDA→HIP mappings and header mappings, indexed for O(1) lookups. Immutable once built. */
export class Mappings {
  private readonly byName = new Map<string, readonly MappingEntry[]>();
  private readonly byLib = new Map<LibraryId, readonly MappingEntry[]>();
  private readonly allEntries: readonly MappingEntry[];
  private readonly hipNames = new Set<string>();
  private readonly exactHeaders = new Map<string, HeaderEntry>();
  private readonly prefixHeaders: readonly HeaderEntry[];
  private readonly allHeaders: readonly HeaderEntry[];

  private constructor(libraries: readonly LibraryFile[], headers: readonly HeaderEntry[]) {
    const rank = (l: LibraryId): number => LIBRARIES.indexOf(l);
    const sortedLibs = [...libraries].sort((a, b) => rank(a.library) - rank(b.library));
    const all: MappingEntry[] = [];
    const multi = new Map<string, MappingEntry[]>();
    for (const lf of sortedLibs) {
      const frozen = lf.entries.map((e) => Object.freeze(e));
      this.byLib.set(lf.library, Object.freeze(frozen));
      for (const e of frozen) {
        all.push(e);
        const list = multi.get(e.cuda);
        if (list) list.push(e);
        else multi.set(e.cuda, [e]);
        if (e.hip !== null) this.hipNames.add(e.hip);
        if (e.roc !== null) this.hipNames.add(e.roc);
      }
    }
    for (const [name, list] of multi) this.byName.set(name, Object.freeze(list));
    this.allEntries = Object.freeze(all);
    this.allHeaders = Object.freeze(headers.map((h) => Object.freeze(h)));
    for (const h of this.allHeaders) if (!h.prefix) this.exactHeaders.set(h.cuda, h);
    this.prefixHeaders = Object.freeze(
      this.allHeaders.filter((h) => h.prefix).sort((a, b) => b.cuda.length - a.cuda.length),
    );
  }

  /**
   * Loads every `*.json` in `dir`: library files (`{"library", "entries", ...}`) and the headers
   * file (`{"headers": [...]}`). Missing libraries are allowed (their lookups return nothing).
   * @throws Error naming the file when it cannot be read, is not valid JSON, or has an
   *   unrecognised or malformed shape; Error when `dir` cannot be listed.
   */
  static fromDir(dir: string): Mappings {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const libraries: LibraryFile[] = [];
    const headers: HeaderEntry[] = [];
    const overrides: MappingOverride[] = [];
    for (const f of files) {
      const path = join(dir, f);
      const v = readJson(path);
      if (!isObject(v)) throw new Error(`HIP Porter: ${path}: expected a JSON object`);
      if ('entries' in v) libraries.push(asLibraryFile(path, v));
      else if ('overrides' in v) overrides.push(...asOverrides(path, v));
      else if ('headers' in v) headers.push(...asHeadersFile(path, v).headers);
      else throw new Error(`HIP Porter: ${path}: neither a library mappings file nor a headers file`);
    }
    applyOverrides(libraries, overrides);
    return new Mappings(libraries, headers);
  }

  /**
   * The mappings shipped with HIP Porter (directory from `mappingsDir()`), loaded once and cached.
   * @throws Error when the directory cannot be found or a file is bad (see fromDir).
   */
  static loadDefault(): Mappings {
    defaultInstance ??= Mappings.fromDir(mappingsDir());
    return defaultInstance;
  }

  /**
   * The entry for a CUDA name (exact, case-sensitive), or undefined. When the name occurs in
   * several libraries, the one earliest in LIBRARIES wins (runtime, device, driver, complex, ...).
   */
  get(cudaName: string): MappingEntry | undefined {
    return this.byName.get(cudaName)?.[0];
  }

  /** Every entry for a CUDA name, in LIBRARIES order; empty when unknown. */
  getAll(cudaName: string): readonly MappingEntry[] {
    return this.byName.get(cudaName) ?? [];
  }

  /** Every entry of every library, libraries in LIBRARIES order, each sorted by CUDA name. */
  all(): readonly MappingEntry[] {
    return this.allEntries;
  }

  /** The entries of one library, sorted by CUDA name; empty when that file was not loaded. */
  byLibrary(lib: LibraryId): readonly MappingEntry[] {
    return this.byLib.get(lib) ?? [];
  }

  /**
   * The header mapping for an include path as written inside `<...>` or `"..."` (no brackets or
   * quotes, `/` separators): an exact entry first, else the longest `prefix` entry it starts with.
   */
  header(includePath: string): HeaderEntry | undefined {
    const exact = this.exactHeaders.get(includePath);
    if (exact) return exact;
    return this.prefixHeaders.find((h) => includePath.startsWith(h.cuda));
  }

  /** Every header entry, in file order. */
  headers(): readonly HeaderEntry[] {
    return this.allHeaders;
  }

  /**
   * Whether `name` is the HIP or ROC name some CUDA name maps to (e.g. `hipMalloc`,
   * `rocblas_sgemm`). Used to keep translation idempotent. Note that some CUDA names map to
   * themselves (e.g. `__syncthreads`, `CUB_MAX`), so those count as HIP names too.
   */
  isHipName(name: string): boolean {
    return this.hipNames.has(name);
  }
}

/**
 * Compares dotted version strings numerically, part by part; missing parts count as 0 and
 * non-numeric parts as 0, so '5.2' equals '5.2.0' and '10.0' > '9.2'.
 * @returns a negative number when a < b, 0 when equal, a positive number when a > b.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.trim().split('.');
  const pb = b.trim().split('.');
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = Number.parseInt(pa[i] ?? '0', 10) || 0;
    const y = Number.parseInt(pb[i] ?? '0', 10) || 0;
    if (x !== y) return x - y;
  }
  return 0;
}

function availableIn(name: string | null, v: VersionFacts, target: string): boolean {
  if (name === null) return false;
  if (v.added !== undefined && compareVersions(v.added, target) > 0) return false;
  if (v.removed !== undefined && compareVersions(v.removed, target) <= 0) return false;
  return true;
}

/**
 * Whether the HIP name of `e` exists in ROCm release `target` (e.g. "6.2"): false when `e.hip`
 * is null, when `hipVersions.added` is later than `target`, or when `hipVersions.removed` is at
 * or before `target`; true when no added version is recorded. Deprecation does not count.
 */
export function hipAvailableIn(e: MappingEntry, target: string): boolean {
  return availableIn(e.hip, e.hipVersions, target);
}

/** Same as hipAvailableIn, for the ROC library name (`e.roc`, `e.rocVersions`). */
export function rocAvailableIn(e: MappingEntry, target: string): boolean {
  return availableIn(e.roc, e.rocVersions, target);
}

/**
 * A hand-checked correction of a HIPIFY table fact (`mappings/overrides.json`), applied on load:
 * a HIP name the installed or released HIP headers show to exist (or to exist earlier) than the
 * tables say, a CUDA name the tables lack, or a fact the user must know (an opt-in macro).
 * Every override names its `source`: a HIP header path and the ROCm version it was read in, or
 * a documentation page.
 */
export interface MappingOverride {
  /** The CUDA name. */
  cuda: string;
  /** Library of a CUDA name the tables lack (the entry is created); else the entry is found by name. */
  library?: LibraryId;
  /** Kind of a created entry (default `function`). */
  kind?: MappingKind;
  /** Section of a created entry (default "Device Functions (hand-checked)"). */
  section?: string;
  /** Replaces the HIP name when present (null: HIP has no equivalent). */
  hip?: string | null;
  /** Replaces `hipVersions.added`: the first ROCm release with the HIP name (as checked, see `source`). */
  hipAdded?: string;
  /** Replaces the ROCm library name (rocBLAS, ...) used with `--library-target roc`. */
  roc?: string | null;
  /** Replaces `rocVersions.added`. */
  rocAdded?: string;
  /** CUDA version that added the name, for created entries. */
  cudaAdded?: string;
  /** What the user must know beyond the name; shown in findings and hovers. */
  note?: string;
  /** Why the table fact is corrected. */
  reason: string;
  /** Where the corrected fact comes from: HIP header path + ROCm version, or a doc page URL. */
  source: string;
}

const OVERRIDE_KEYS = new Set(['cuda', 'library', 'kind', 'section', 'hip', 'hipAdded', 'roc', 'rocAdded', 'cudaAdded', 'note', 'reason', 'source']);

function asOverrides(path: string, v: Record<string, unknown>): MappingOverride[] {
  const list = v['overrides'];
  if (!Array.isArray(list)) throw new Error(`HIP Porter: ${path}: "overrides" must be an array`);
  return list.map((o, i) => {
    const where = `HIP Porter: ${path}: override ${i}`;
    if (!isObject(o) || typeof o['cuda'] !== 'string') throw new Error(`${where} needs a string "cuda"`);
    for (const k of Object.keys(o)) if (!OVERRIDE_KEYS.has(k)) throw new Error(`${where} (${o['cuda']}): unknown key "${k}"`);
    if (typeof o['source'] !== 'string' || !o['source'] || typeof o['reason'] !== 'string' || !o['reason'])
      throw new Error(`${where} (${o['cuda']}): needs a "reason" and a "source"`);
    if (o['hip'] !== undefined && o['hip'] !== null && typeof o['hip'] !== 'string') throw new Error(`${where}: "hip" must be a string or null`);
    if (o['roc'] !== undefined && o['roc'] !== null && typeof o['roc'] !== 'string') throw new Error(`${where}: "roc" must be a string or null`);
    if (o['hip'] === undefined && o['hipAdded'] === undefined && o['roc'] === undefined && o['note'] === undefined) throw new Error(`${where} (${o['cuda']}): changes nothing`);
    if (o['library'] !== undefined && !LIBRARY_SET.has(String(o['library']))) throw new Error(`${where}: unknown library ${JSON.stringify(o['library'])}`);
    for (const k of ['hipAdded', 'rocAdded', 'cudaAdded', 'note', 'kind', 'section'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'string') throw new Error(`${where}: "${k}" must be a string`);
    }
    return o as unknown as MappingOverride;
  });
}

/**
 * Applies the overrides to the loaded library files: an entry of that CUDA name (in `library`
 * when given) gets the new HIP name, added version and note; a name no table lists is added to
 * `library` (when that library's file is loaded).
 * @throws Error when an override names a CUDA name no table lists and gives no `library`.
 */
function applyOverrides(libraries: LibraryFile[], overrides: readonly MappingOverride[]): void {
  if (overrides.length === 0) return;
  const byName = new Map<string, MappingOverride>();
  for (const o of overrides) byName.set(o.cuda, o);
  const found = new Set<string>();
  const patch = (e: MappingEntry, o: MappingOverride): MappingEntry => {
    const hip = o.hip !== undefined ? o.hip : e.hip;
    const hipVersions: VersionFacts = { ...e.hipVersions, experimental: e.hipVersions.experimental ?? false };
    if (o.hipAdded !== undefined) hipVersions.added = o.hipAdded;
    if (hip === null) delete hipVersions.added;
    const roc = o.roc !== undefined ? o.roc : e.roc;
    const rocVersions: VersionFacts = { ...e.rocVersions, experimental: e.rocVersions.experimental ?? false };
    if (o.rocAdded !== undefined) rocVersions.added = o.rocAdded;
    return { ...e, hip, hipVersions, roc, rocVersions, override: { ...(o.note ? { note: o.note } : {}), source: o.source } };
  };
  for (const lf of libraries) {
    lf.entries = lf.entries.map((e) => {
      const o = byName.get(e.cuda);
      if (!o || (o.library && o.library !== lf.library)) return e;
      found.add(e.cuda);
      return patch(e, o);
    });
  }
  for (const o of overrides) {
    if (found.has(o.cuda)) continue;
    if (!o.library) throw new Error(`HIP Porter: override for ${o.cuda}: no table lists it, so it needs a "library"`);
    const lf = libraries.find((l) => l.library === o.library);
    if (!lf) continue;
    const created: MappingEntry = {
      cuda: o.cuda,
      library: o.library,
      section: o.section ?? 'Device Functions (hand-checked)',
      kind: o.kind ?? 'function',
      hip: null,
      hipVersions: { experimental: false },
      roc: null,
      rocVersions: { experimental: false },
      cudaVersions: o.cudaAdded ? { added: o.cudaAdded } : {},
    };
    lf.entries = [...lf.entries, patch(created, o)].sort((a, b) => (a.cuda < b.cuda ? -1 : a.cuda > b.cuda ? 1 : 0));
  }
}
