#!/usr/bin/env node
/**
 * gen-mappings.mjs — turns HIPIFY's CUDA→HIP support tables (markdown) into `mappings/<library>.json`.
 *
 * Source: AMD ROCm HIPIFY `docs/tables/*.md` (MIT, licence in `mappings/hipify-tables/LICENSE`),
 * copied to `mappings/hipify-tables/`; the exact HIPIFY commit is read from SOURCE.md there and
 * recorded in every output file as `hipifyCommit`.
 *
 * Usage (plain Node ESM, no dependencies):
 *   node scripts/gen-mappings.mjs [--tables DIR] [--out DIR] [--check]
 *     --tables DIR  folder with the *.md tables   (default: <repo>/mappings/hipify-tables)
 *     --out DIR     folder for the JSON files     (default: <repo>/mappings)
 *     --check       regenerate in memory, compare with the files in --out, exit 1 listing the
 *                   files that differ (or are missing); writes nothing.
 * Only the twelve `<library>.json` files are written; anything else in --out (e.g. the
 * hand-written headers.json) is left alone.
 *
 * Table format (see SOURCE.md): one `## **N. Title**` heading per section, then a table whose
 * header row is `|**CUDA**|**A**|**D**|**C**|**R**|**HIP**|**A**|**D**|**C**|**R**|**E**|` (HIP
 * files), `...|**ROC**|...` / `...|**MIOPEN**|...` (ROC-only files), or HIP columns followed by a
 * second ROC/MIOPEN group (`*_HIP_and_ROC.md`, `*_HIP_and_MIOPEN.md`). A/D/C/R = version added,
 * deprecated, changed, removed; E = the version since which the HIP/ROC API is experimental. Names
 * sit in backticks; an empty name cell means "no equivalent".
 *
 * Merging: the HIP, HIP_and_ROC and ROC variants of one library are merged into ONE entry per CUDA
 * name. The dedicated files win (HIP columns from `*_HIP.md`, ROC columns from `*_ROC.md` /
 * `*_MIOPEN.md`); the combined file is used to cross-check, and every disagreement (section, CUDA
 * versions, HIP or ROC name/versions, or a row present in one file only) is printed to stderr.
 *
 * Kind heuristic (the tables do not say what a name is; this is a best-effort hint, see kindOf()):
 *  - sections whose title does not mention "types" list functions (device functions, API calls)
 *    → "function"; a section titled "...Defines..." → "define" (none in the current tables);
 *  - CUB's "Data types" section lists preprocessor macros → "define" (except `CubVector` → "type");
 *    elsewhere `__NAME__` (e.g. `__CUDACC__`) → "define";
 *  - in data-type sections:
 *      * names ending in `_t`, `_st`, `_s`, `_enum`, `_union`, `_vN`, `_vN_st`, or in `Struct` /
 *        `Context` (except `cudaError...` constants) → "type";
 *      * constant-shaped names (upper case, digits, `_`, digit-x-digit like `16x1`) → "enum",
 *        unless `<name>_st` or `<name>_t` is also listed (a struct typedef like
 *        `CUDA_MEMCPY2D`) → "type";
 *      * driver-style `CUxxx` handles and all-lower-case names (`__half`, `nv_bfloat162`) → "type";
 *      * runtime-style `cudaXxxYyy` names, which mix enum types and CamelCase constants, in order:
 *        a short list of overrides (e.g. `cudaSuccess`); `<name>_t` listed → "type"; a known
 *        constant family (`cudaDevAttr...`, `cudaError...`, `cudaMemcpy...` is NOT one) → "enum";
 *        a type-like last word (Desc, Params, Flags, Kind, Mode, Attributes, Value, ...) → "type";
 *        a shorter listed name is a CamelCase prefix of it (`cudaLimit` → `cudaLimitStackSize`)
 *        → "enum"; a constant-only last word (Default, Legacy, ...) → "enum"; itself such a
 *        prefix of another listed name → "type"; else at most two CamelCase words after `cuda`
 *        → "type", more → "enum";
 *      * anything else → "type".
 *    "enum" means "named constant": real enumerators and object-like macro constants
 *    (e.g. `cudaHostAllocDefault`) are not told apart.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Library id → table file names (HIP file first; the ROC-only and combined files when they exist). */
const LIBRARY_FILES = {
  runtime: { hip: 'CUDA_Runtime_API_functions_supported_by_HIP.md' },
  driver: { hip: 'CUDA_Driver_API_functions_supported_by_HIP.md' },
  device: { hip: 'CUDA_Device_API_supported_by_HIP.md' },
  blas: { hip: 'CUBLAS_API_supported_by_HIP.md', roc: 'CUBLAS_API_supported_by_ROC.md', both: 'CUBLAS_API_supported_by_HIP_and_ROC.md' },
  rand: { hip: 'CURAND_API_supported_by_HIP.md', roc: 'CURAND_API_supported_by_ROC.md', both: 'CURAND_API_supported_by_HIP_and_ROC.md' },
  fft: { hip: 'CUFFT_API_supported_by_HIP.md' },
  sparse: { hip: 'CUSPARSE_API_supported_by_HIP.md', roc: 'CUSPARSE_API_supported_by_ROC.md', both: 'CUSPARSE_API_supported_by_HIP_and_ROC.md' },
  solver: { hip: 'CUSOLVER_API_supported_by_HIP.md', roc: 'CUSOLVER_API_supported_by_ROC.md', both: 'CUSOLVER_API_supported_by_HIP_and_ROC.md' },
  dnn: { hip: 'CUDNN_API_supported_by_HIP.md', roc: 'CUDNN_API_supported_by_MIOPEN.md', both: 'CUDNN_API_supported_by_HIP_and_MIOPEN.md' },
  cub: { hip: 'CUB_API_supported_by_HIP.md' },
  rtc: { hip: 'CUDA_RTC_API_supported_by_HIP.md' },
  complex: { hip: 'cuComplex_API_supported_by_HIP.md' },
};

const VERSION_KEYS = ['added', 'deprecated', 'changed', 'removed'];

// ---------------------------------------------------------------------------------------------
// Parsing

/** Strips markdown emphasis/backticks and surrounding blanks from one table cell. */
function cellText(raw) {
  return raw.trim().replace(/^\*\*(.*)\*\*$/, '$1').replace(/^`(.*)`$/, '$1').trim();
}

/** Splits `|a|b|c|` into ['a','b','c'] (cells never contain `|` in these tables). */
function splitRow(line) {
  const t = line.trim();
  return t.slice(1, t.endsWith('|') ? -1 : undefined).split('|');
}

/**
 * Parses one table file into rows.
 * @returns {{file: string, title: string, groups: string[], rows: Array<{cuda: string, section: string, cudaVersions: object, groups: Array<{name: string|null, versions: object}>}>}}
 * `groups` names the name-column groups after the CUDA one, e.g. ['HIP'], ['ROC'], ['HIP','MIOPEN'].
 * Throws on a row outside a table, a row with the wrong number of cells, or a duplicate CUDA name.
 */
export function parseTableFile(path) {
  const file = basename(path);
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  let title = '';
  let section = null;
  let groups = null;
  let fileGroups = null;
  const rows = [];
  const seen = new Set();
  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (line.startsWith('# ')) {
      title = line.slice(2).trim();
      return;
    }
    const h = /^##\s+\*\*\s*\d+\.\s*(.*?)\s*\*\*\s*$/.exec(line);
    if (h) {
      section = h[1];
      groups = null;
      return;
    }
    if (!line.startsWith('|')) return;
    const cells = splitRow(line).map(cellText);
    if (cells[0] === 'CUDA') {
      // header row: CUDA A D C R, then groups of NAME A D C R E
      groups = [];
      for (let c = 5; c < cells.length; c += 6) groups.push(cells[c]);
      if (fileGroups && fileGroups.join() !== groups.join()) throw new Error(`${where}: header groups changed within the file`);
      fileGroups = groups;
      return;
    }
    if (/^:?-+:?$/.test(cells[0])) return; // alignment row
    if (!section || !groups) throw new Error(`${where}: table row outside a section/table`);
    if (cells.length !== 5 + 6 * groups.length) throw new Error(`${where}: expected ${5 + 6 * groups.length} cells, got ${cells.length}`);
    const cuda = cells[0];
    if (!cuda) throw new Error(`${where}: empty CUDA name`);
    if (seen.has(cuda)) throw new Error(`${where}: duplicate CUDA name ${cuda}`);
    seen.add(cuda);
    const row = { cuda, section, cudaVersions: versions(cells.slice(1, 5), false), groups: [] };
    for (let g = 0; g < groups.length; g++) {
      const base = 5 + 6 * g;
      row.groups.push({ name: cells[base] || null, versions: versions(cells.slice(base + 1, base + 6), true) });
    }
    rows.push(row);
  });
  if (!fileGroups) throw new Error(`${file}: no table found`);
  return { file, title, groups: fileGroups, rows };
}

/** A/D/C/R(/E) cells → {added?, deprecated?, changed?, removed?, experimental?}; empty cells omitted. */
function versions(cells, withExperimental) {
  const v = {};
  VERSION_KEYS.forEach((k, i) => {
    if (cells[i]) v[k] = cells[i];
  });
  if (withExperimental) v.experimental = !!cells[4];
  return v;
}

// ---------------------------------------------------------------------------------------------
// Kind heuristic (documented in the header comment)

const TYPE_SUFFIX = /(_t|_st|_s|_enum|_union|_v\d+|_v\d+_st)$/;
/** Last CamelCase words that (in data-type sections) mark a type: struct, enum type, handle. */
const TYPE_WORDS =
  /(Struct|Context|Desc|Descriptor|Params|ParamsV2|Parms|Properties|Props|Prop|Attributes|Requirements|Info|Window|Extent|Pos|PitchedPtr|Entry|Callback|Location|Config|Flags|Type|Mode|Kind|Result|ID|Value|Options|Scope|Format|Data|Pair|Connection|Attr)$/;
/** Data-type names whose shape misleads the rules below (checked against the CUDA headers by hand). */
const KIND_OVERRIDES = {
  cudaSuccess: 'enum',
  cudaCpuDeviceId: 'enum',
  cudaInvalidDeviceId: 'enum',
  cudaDeviceMask: 'enum',
  cudaCSV: 'enum',
  cudaReadModeElementType: 'enum',
  cudaArraySparseProperties: 'type',
  cudaArrayMemoryRequirements: 'type',
  cudaGraphExecUpdateResultInfo: 'type',
  cudaLaunchAttributeID: 'type',
  cudaLaunchAttributeValue: 'type',
  cudaLaunchMemSyncDomainMap: 'type',
};
/** Runtime CamelCase constant families whose enum type has another spelling (`cudaDevAttrX` of `cudaDeviceAttr`). */
const RUNTIME_CONSTANT_PREFIX =
  /^cuda(DevAttr|Error|MemAdvise|KernelNodeAttribute|StreamAttribute|LaunchAttribute|MemRangeAttribute|HostAlloc|HostRegister|MemHandleType|GraphDebugDotFlags|ResViewFormat|EglColorFormat|ChannelFormatKind)[A-Z0-9]/;
/** Last CamelCase words that only runtime constants (enumerators or macros) end with. */
const RUNTIME_CONSTANT_WORDS = /(Default|Legacy|PerThread|Interprocess|Type1D|Type2D|Type3D|TypeCubemap|Win32|Max)$/;
const CONSTANT_SHAPE = /^_*[A-Z][A-Z0-9_]*$/;

/** CamelCase words of a `cuda...` name after the `cuda` prefix (digits stick to their word). */
function camelWords(rest) {
  return rest.match(/[A-Z][A-Z0-9]*(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [];
}

/**
 * Decides `kind` for one CUDA name.
 * @param {string} name CUDA name
 * @param {string} section section title (without number)
 * @param {string} library library id
 * @param {Set<string>} typeNames every name listed in the library's data-type sections
 */
export function kindOf(name, section, library, typeNames) {
  if (/define/i.test(section)) return 'define';
  if (!/types/i.test(section)) return 'function';
  if (library === 'cub') return /Vector$/.test(name) ? 'type' : 'define';
  if (/^__[A-Z0-9_]+__$/.test(name)) return 'define';
  if (KIND_OVERRIDES[name]) return KIND_OVERRIDES[name];
  if (TYPE_SUFFIX.test(name)) return 'type';
  if (/(Struct|Context)$/.test(name) && !/^cudaError/.test(name)) return 'type';
  if (CONSTANT_SHAPE.test(name.replace(/(\d)x(?=[\dA-Z])/g, '$1X'))) {
    return typeNames.has(`${name}_st`) || typeNames.has(`${name}_t`) ? 'type' : 'enum';
  }
  if (/^CU[A-Za-z]/.test(name) || !/[A-Z]/.test(name)) return 'type';
  const m = /^cuda([A-Z0-9].*)$/.exec(name);
  if (!m) return 'type';
  if (typeNames.has(`${name}_t`)) return 'type';
  if (RUNTIME_CONSTANT_PREFIX.test(name)) return 'enum';
  if (TYPE_WORDS.test(name)) return 'type';
  const words = camelWords(m[1]);
  for (let n = words.length - 1; n >= 1; n--) {
    if (typeNames.has(`cuda${words.slice(0, n).join('')}`)) return 'enum';
  }
  if (RUNTIME_CONSTANT_WORDS.test(name)) return 'enum';
  for (const other of typeNames) {
    if (other.length > name.length && other.startsWith(name) && /^[A-Z0-9]/.test(other.slice(name.length))) return 'type';
  }
  return words.length <= 2 ? 'type' : 'enum';
}

// ---------------------------------------------------------------------------------------------
// Merging

function sameVersions(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Builds the entries of one library from its parsed files.
 * @returns {{entries: object[], sources: string[], problems: string[]}}
 */
function buildLibrary(library, spec, tablesDir) {
  const problems = [];
  const hipT = parseTableFile(join(tablesDir, spec.hip));
  const rocT = spec.roc ? parseTableFile(join(tablesDir, spec.roc)) : null;
  const bothT = spec.both ? parseTableFile(join(tablesDir, spec.both)) : null;
  const sources = [hipT.file, rocT?.file, bothT?.file].filter(Boolean).sort();
  if (hipT.groups.join() !== 'HIP') throw new Error(`${hipT.file}: expected a HIP table, got ${hipT.groups}`);
  if (rocT && rocT.groups.length !== 1) throw new Error(`${rocT.file}: expected one ROC group`);
  if (bothT && (bothT.groups.length !== 2 || bothT.groups[0] !== 'HIP')) throw new Error(`${bothT.file}: expected HIP + ROC groups`);

  const noRoc = { name: null, versions: { experimental: false } };
  const byName = new Map();
  for (const r of hipT.rows) byName.set(r.cuda, { base: r, hip: r.groups[0], roc: null });
  if (rocT) {
    for (const r of rocT.rows) {
      const e = byName.get(r.cuda);
      if (!e) {
        problems.push(`${library}: ${r.cuda} is in ${rocT.file} but not in ${hipT.file}`);
        byName.set(r.cuda, { base: r, hip: { name: null, versions: { experimental: false } }, roc: r.groups[0] });
        continue;
      }
      e.roc = r.groups[0];
      if (e.base.section !== r.section) problems.push(`${library}: ${r.cuda} section "${e.base.section}" (${hipT.file}) vs "${r.section}" (${rocT.file})`);
      if (!sameVersions(e.base.cudaVersions, r.cudaVersions)) problems.push(`${library}: ${r.cuda} CUDA versions differ between ${hipT.file} and ${rocT.file}`);
    }
    for (const [name, e] of byName) if (!e.roc) problems.push(`${library}: ${name} is in ${hipT.file} but not in ${rocT.file}`);
  }
  if (bothT) {
    const bothNames = new Set();
    for (const r of bothT.rows) {
      bothNames.add(r.cuda);
      const e = byName.get(r.cuda);
      if (!e) {
        problems.push(`${library}: ${r.cuda} is only in ${bothT.file}`);
        byName.set(r.cuda, { base: r, hip: r.groups[0], roc: r.groups[1] });
        continue;
      }
      const [h, o] = r.groups;
      if (e.base.section !== r.section) problems.push(`${library}: ${r.cuda} section "${e.base.section}" vs "${r.section}" (${bothT.file})`);
      if (!sameVersions(e.base.cudaVersions, r.cudaVersions)) problems.push(`${library}: ${r.cuda} CUDA versions ${JSON.stringify(e.base.cudaVersions)} vs ${JSON.stringify(r.cudaVersions)} (${bothT.file})`);
      if (e.hip.name !== h.name || !sameVersions(e.hip.versions, h.versions))
        problems.push(`${library}: ${r.cuda} HIP ${e.hip.name} ${JSON.stringify(e.hip.versions)} (${hipT.file}) vs ${h.name} ${JSON.stringify(h.versions)} (${bothT.file})`);
      const roc = e.roc ?? noRoc;
      if (roc.name !== o.name || !sameVersions(roc.versions, o.versions))
        problems.push(`${library}: ${r.cuda} ROC ${roc.name} ${JSON.stringify(roc.versions)} (${rocT?.file}) vs ${o.name} ${JSON.stringify(o.versions)} (${bothT.file})`);
    }
    for (const name of byName.keys()) if (!bothNames.has(name)) problems.push(`${library}: ${name} is missing from ${bothT.file}`);
  }

  const typeNames = new Set();
  for (const [name, e] of byName) if (/types/i.test(e.base.section)) typeNames.add(name);

  const names = [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const entries = names.map((name) => {
    const e = byName.get(name);
    const roc = e.roc ?? noRoc;
    for (const [what, g] of [['HIP', e.hip], ['ROC', roc]]) {
      const hasVersions = VERSION_KEYS.some((k) => g.versions[k]) || g.versions.experimental;
      if (!g.name && hasVersions) problems.push(`${library}: ${name} has ${what} versions but no ${what} name`);
    }
    return {
      cuda: name,
      library,
      section: e.base.section,
      kind: kindOf(name, e.base.section, library, typeNames),
      hip: e.hip.name,
      hipVersions: e.hip.versions,
      roc: roc.name,
      rocVersions: roc.versions,
      cudaVersions: e.base.cudaVersions,
    };
  });
  return { entries, sources, problems };
}

// ---------------------------------------------------------------------------------------------
// Output

/** Renders one library file: pretty header, one entry per line, trailing newline. */
function render(library, sources, commit, entries) {
  const head = [
    `  "library": ${JSON.stringify(library)},`,
    `  "sources": ${JSON.stringify(sources)},`,
    `  "hipifyCommit": ${JSON.stringify(commit)},`,
    `  "generatedBy": "scripts/gen-mappings.mjs",`,
    `  "count": ${entries.length},`,
  ];
  const body = entries.map((e, i) => `    ${JSON.stringify(e)}${i < entries.length - 1 ? ',' : ''}`);
  return `{\n${head.join('\n')}\n  "entries": [\n${body.join('\n')}\n  ]\n}\n`;
}

/** Reads the HIPIFY commit hash from SOURCE.md (40 hex digits), or 'unknown'. */
function readCommit(tablesDir) {
  const p = join(tablesDir, 'SOURCE.md');
  if (!existsSync(p)) return 'unknown';
  return /\b([0-9a-f]{40})\b/.exec(readFileSync(p, 'utf8'))?.[1] ?? 'unknown';
}

/**
 * Generates every library file in memory.
 * @param {string} tablesDir folder with the HIPIFY *.md tables
 * @returns {{files: Map<string, string>, problems: string[], counts: Record<string, number>}}
 *   `files`: output file name (e.g. "runtime.json") → exact file text.
 * Throws when a table file listed in LIBRARY_FILES is missing, or when some *.md table in the
 * folder is not used by any library (so a new HIPIFY table cannot be silently skipped).
 */
export function generate(tablesDir) {
  const commit = readCommit(tablesDir);
  const used = new Set(Object.values(LIBRARY_FILES).flatMap((s) => Object.values(s)));
  const present = readdirSync(tablesDir).filter((f) => f.endsWith('.md') && f !== 'SOURCE.md');
  const unused = present.filter((f) => !used.has(f));
  if (unused.length) throw new Error(`tables not assigned to a library: ${unused.join(', ')}`);
  const files = new Map();
  const problems = [];
  const counts = {};
  for (const [library, spec] of Object.entries(LIBRARY_FILES)) {
    const r = buildLibrary(library, spec, tablesDir);
    problems.push(...r.problems);
    counts[library] = r.entries.length;
    files.set(`${library}.json`, render(library, r.sources, commit, r.entries));
  }
  return { files, problems, counts };
}

function parseArgs(argv) {
  const opts = { tables: join(REPO, 'mappings', 'hipify-tables'), out: join(REPO, 'mappings'), check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--tables' || a === '--out') {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a directory`);
      opts[a.slice(2)] = resolve(v);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/gen-mappings.mjs [--tables DIR] [--out DIR] [--check]\n');
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  return opts;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { files, problems, counts } = generate(opts.tables);
  for (const p of problems) process.stderr.write(`warning: ${p}\n`);
  if (opts.check) {
    const differing = [];
    for (const [name, text] of files) {
      const p = join(opts.out, name);
      if (!existsSync(p) || readFileSync(p, 'utf8') !== text) differing.push(name);
    }
    if (differing.length) {
      process.stderr.write(`mappings out of date in ${opts.out}: ${differing.join(', ')}\nrun: node scripts/gen-mappings.mjs\n`);
      process.exit(1);
    }
    process.stdout.write(`mappings up to date (${files.size} files)\n`);
    return;
  }
  mkdirSync(opts.out, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(opts.out, name), text);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  process.stdout.write(`${Object.entries(counts).map(([l, n]) => `${l}=${n}`).join(' ')} total=${total}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`gen-mappings: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
