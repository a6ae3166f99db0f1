/**
 * API rules (family `api` and `headers`): renames every CUDA name the HIPIFY tables map to a HIP
 * name available in the target ROCm version, reports the ones that are unsupported, deprecated,
 * removed or experimental, rewrites `#include`s through `mappings/headers.json`, and adds the HIP
 * runtime include that hipcc, unlike nvcc, does not add implicitly.
 *
 * Source of facts: AMD HIPIFY's `docs/tables` (see ../../../mappings and SOURCE.md), and the HIP
 * porting guide for the implicit-include difference.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tok, PP, callArguments, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { compareVersions, hipAvailableIn, rocAvailableIn, type MappingEntry, type Mappings } from '../mappings';
import { DOCS, LIBRARY_LABELS, hipifyTableUrl, type ReportedFinding, type Rule, type RuleCode, type RuleContext } from './types';

/** Names that other rules rewrite with their own argument handling; the plain rename leaves them alone. */
export const SPECIAL_NAMES = new Set([
  '__shfl_sync',
  '__shfl_up_sync',
  '__shfl_down_sync',
  '__shfl_xor_sync',
  '__ballot_sync',
  '__any_sync',
  '__all_sync',
  '__activemask',
  '__syncwarp',
  '__CUDA_ARCH__',
]);

export const API_CODES: readonly RuleCode[] = [
  { code: 'HP101', family: 'rename', defaultSeverity: 'hint', title: 'CUDA name with a HIP equivalent', docs: DOCS.hipifyTables },
  { code: 'HP102', family: 'api', defaultSeverity: 'information', title: 'Deprecated CUDA API (mapped)', docs: DOCS.hipifyTables },
  { code: 'HP103', family: 'api', defaultSeverity: 'information', title: 'CUDA API removed from CUDA (mapped where HIP has it)', docs: DOCS.hipifyTables },
  { code: 'HP104', family: 'api', defaultSeverity: 'error', title: 'CUDA API with no HIP equivalent', docs: DOCS.hipifyTables },
  { code: 'HP105', family: 'api', defaultSeverity: 'warning', title: 'HIP equivalent not available in the target ROCm version', docs: DOCS.hipifyTables },
  { code: 'HP106', family: 'api', defaultSeverity: 'warning', title: 'HIP equivalent is experimental', docs: DOCS.hipifyTables },
  { code: 'HP107', family: 'api', defaultSeverity: 'warning', title: 'HIP API deprecated or removed in ROCm', docs: DOCS.hipifyTables },
  { code: 'HP109', family: 'api', defaultSeverity: 'error', title: 'Cooperative-groups API the target ROCm does not have', docs: DOCS.porting },
  { code: 'HP108', family: 'api', defaultSeverity: 'error', title: 'cudaDeviceProp field that hipDeviceProp_t of the target ROCm lacks', docs: DOCS.porting },
];

/**
 * cudaDeviceProp fields that the ROCm 5.x hipDeviceProp_t does not have (source: the struct in
 * ROCm 5.2 /usr/include/hip/hip_runtime_api.h; ROCm 6.0 added most of them). Only names distinctive
 * enough not to be mistaken for fields of user structs are listed; `value` suggests a replacement.
 */
const DEVICE_PROP_MISSING_BEFORE_6: ReadonlyMap<string, string> = new Map([
  ['deviceOverlap', 'concurrentKernels (AMD GPUs overlap copies and kernels)'],
  ['asyncEngineCount', 'a constant: AMD GPUs have copy engines that overlap with kernels'],
  ['unifiedAddressing', 'a constant true (HIP has a unified address space on Linux)'],
  ['streamPrioritiesSupported', 'hipDeviceGetStreamPriorityRange'],
  ['sharedMemPerMultiprocessor', 'maxSharedMemoryPerMultiProcessor'],
  ['regsPerMultiprocessor', 'hipDeviceGetAttribute(…, hipDeviceAttributeMaxRegistersPerMultiprocessor, …)'],
  ['sharedMemPerBlockOptin', 'sharedMemPerBlock (or hipDeviceAttributeSharedMemPerBlockOptin in ROCm 6)'],
  ['globalL1CacheSupported', 'hipDeviceGetAttribute (ROCm 6)'],
  ['localL1CacheSupported', 'hipDeviceGetAttribute (ROCm 6)'],
  ['hostNativeAtomicSupported', 'hipDeviceGetAttribute(…, hipDeviceAttributeHostNativeAtomicSupported, …)'],
  ['singleToDoublePrecisionPerfRatio', 'a constant for the target GPU'],
  ['computePreemptionSupported', 'a constant false'],
  ['canUseHostPointerForRegisteredMem', 'a constant (ROCm 6 has the attribute)'],
  ['persistingL2CacheMaxSize', 'nothing: AMD has no persisting-L2 control'],
  ['maxBlocksPerMultiProcessor', 'maxThreadsPerMultiProcessor / block size'],
  ['multiGpuBoardGroupID', 'nothing (ROCm 6 has it)'],
]);

export const HEADER_CODES: readonly RuleCode[] = [
  { code: 'HP110', family: 'rename', defaultSeverity: 'hint', title: 'CUDA header with a HIP equivalent', docs: DOCS.porting },
  { code: 'HP111', family: 'headers', defaultSeverity: 'warning', title: 'CUDA header with no HIP equivalent', docs: DOCS.porting },
  { code: 'HP112', family: 'headers', defaultSeverity: 'information', title: 'HIP runtime include missing (nvcc adds cuda_runtime.h implicitly, hipcc does not)', docs: DOCS.porting },
  { code: 'HP113', family: 'headers', defaultSeverity: 'warning', title: "CUDA header's include guard tested to detect the header (never defined under HIP)", docs: DOCS.porting },
];

/**
 * Include-guard (or header-identifying) macros of CUDA headers that real code tests with `#ifdef`
 * to learn whether a header was included (e.g. cuda-samples' helper_cuda.h defines checkCudaErrors
 * only `#ifdef __DRIVER_TYPES_H__`). Value: the guard of the HIP header the CUDA header is ported
 * to, or null when no HIP guard could be checked. Sources: the guards of the ROCm 5.2 headers in
 * /usr/include/hip, /usr/include/hiprand/hiprand.h, /usr/include/hipsparse/hipsparse.h (Debian
 * libamdhip64-dev, libhiprand-dev, libhipsparse-dev 5.2) and hipBLAS's hipblas.h (`HIPBLAS_H`).
 */
export const CUDA_HEADER_GUARDS: ReadonlyMap<string, string | null> = new Map([
  ['__DRIVER_TYPES_H__', 'HIP_INCLUDE_HIP_DRIVER_TYPES_H'],
  ['__CUDA_RUNTIME_H__', 'HIP_INCLUDE_HIP_HIP_RUNTIME_H'],
  ['__CUDA_RUNTIME_API_H__', 'HIP_INCLUDE_HIP_HIP_RUNTIME_API_H'],
  ['__cuda_cuda_h__', 'HIP_INCLUDE_HIP_HIP_RUNTIME_H'],
  ['__CUDA_FP16_H__', 'HIP_INCLUDE_HIP_HIP_FP16_H'],
  ['CU_COMPLEX_H_', 'HIP_INCLUDE_HIP_HIP_COMPLEX_H'],
  ['CURAND_H_', 'HIPRAND_H_'],
  ['CUSPARSEAPI', '_HIPSPARSE_H_'],
  ['CUSPARSE_H_', '_HIPSPARSE_H_'],
  ['CUBLAS_API_H_', 'HIPBLAS_H'],
  ['CUBLAS_V2_H_', 'HIPBLAS_H'],
  ['_CUFFT_H_', null],
  ['CUSOLVER_COMMON_H_', null],
  ['CUSOLVERDN_H_', null],
]);

/** Where the chosen replacement of a CUDA name comes from. */
interface Target {
  name: string;
  lib: 'hip' | 'roc';
  entry: MappingEntry;
}

/**
 * Decides the replacement of a mapping entry for the options, or undefined when none is usable.
 * `roc` names are used with `libraryTarget: 'roc'` where the table gives one available in the target.
 */
function chooseTarget(e: MappingEntry, ctx: RuleContext): Target | undefined {
  const o = ctx.options;
  // cuComplex types take their rocBLAS names only where cuBLAS calls become rocBLAS calls: hipCaddf & co. need hipComplex
  const rocHere = e.library !== 'complex' || /\bcublas/.test(ctx.tokens.text);
  if (o.libraryTarget === 'roc' && e.roc && rocHere && rocAvailableIn(e, o.targetRocm) && (!e.rocVersions.experimental || o.experimental)) {
    return { name: e.roc, lib: 'roc', entry: e };
  }
  if (e.hip && hipUsable(e) && hipAvailableIn(e, o.targetRocm) && (!e.hipVersions.experimental || o.experimental)) {
    return { name: e.hip, lib: 'hip', entry: e };
  }
  return undefined;
}

/**
 * The tables list hipDNN names for cuDNN without any ROCm version: hipDNN ships in no ROCm release,
 * so for `dnn` only the MIOpen (`roc`) names are real, and MIOpen is not 1:1 with cuDNN.
 */
function hipUsable(e: MappingEntry): boolean {
  return e.library !== 'dnn' || !!e.hipVersions.added;
}

function cudaFacts(e: MappingEntry): string {
  const v = e.cudaVersions;
  const parts: string[] = [];
  if (v.added) parts.push(`added in CUDA ${v.added}`);
  if (v.deprecated) parts.push(`deprecated in CUDA ${v.deprecated}`);
  if (v.removed) parts.push(`removed in CUDA ${v.removed}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}


/** Short library names for rename messages ("runtime API" rather than "CUDA Runtime API"). */
const LIB_SHORT: Record<string, string> = { ...LIBRARY_LABELS, runtime: 'runtime API', driver: 'driver API', device: 'device API' };

/** Renames and unsupported-API findings, token by token (works inside parse-error regions too). */
export const apiRule: Rule = {
  id: 'api',
  family: 'api',
  codes: API_CODES,
  run(ctx) {
    const t = ctx.tokens;
    const map = ctx.mappings;
    // one mapping lookup and one set of messages per distinct identifier; per occurrence only offsets
    for (const [name, occurrences] of ctx.identIndex()) {
      const e = map.get(name);
      if (!e || e.hip === name || SPECIAL_NAMES.has(name)) continue;
      let templates: NameFinding[] | undefined;
      for (const i of occurrences) {
        // member access `x.cudaFoo` / `x->cudaFoo` is a field of a user type, not the CUDA name
        const p = prevCode(t, i);
        if (p >= 0 && (isPunct(t, p, '.') || isPunct(t, p, '->'))) continue;
        templates ??= nameFindings(ctx, e, name);
        // cuDNN names without a target: one HP114 per file (cudnnRule), not one error per name
        if (templates.length === 1 && templates[0]!.finding.code === 'HP104' && e.library === 'dnn') break;
        if (templates.length === 1 && ONCE_PER_FILE.has(templates[0]!.finding.code)) {
          onceInFile(ctx, name, templates[0]!.finding);
          break;
        }
        const s = t.start[i]!;
        const en = t.end[i]!;
        for (const f of templates) {
          const fix = f.fix ? ctx.fix(f.fix.title, [{ start: s, end: en, newText: f.fix.newText }], f.fix.auto) : undefined;
          const g = f.finding;
          // one object shape for every occurrence (no spreads: thousands of occurrences per file)
          ctx.report({ code: g.code, message: g.message, start: s, end: en, status: g.status, severity: g.severity, library: g.library, cuda: g.cuda, hip: g.hip, fix, docs: g.docs });
        }
      }
    }
    cubNamespace(ctx);
    thrustCudaNamespace(ctx);
    cooperativeGroupsGaps(ctx);
    deviceFunctionGaps(ctx);
    halfShuffles(ctx);
    callbackConvention(ctx);
    pointerAttributeType(ctx);
    if (compareVersions(ctx.options.targetRocm, '6.0') < 0) {
      for (const [field, instead] of DEVICE_PROP_MISSING_BEFORE_6) {
        for (const i of ctx.identsNamed(field)) {
          const p = prevCode(t, i);
          if (p < 0 || !(isPunct(t, p, '.') || isPunct(t, p, '->'))) continue;
          ctx.report({
            code: 'HP108',
            message: `hipDeviceProp_t of ROCm ${ctx.options.targetRocm} has no field ${field} (added in ROCm 6.0); use ${instead}`,
            start: t.start[i]!,
            end: t.end[i]!,
            status: 'unsupported',
            library: 'runtime',
            cuda: `cudaDeviceProp::${field}`,
          });
        }
      }
    }
    if (ctx.options.includeComments) {
      for (let i = ctx.firstToken; i < ctx.endToken; i++) if (t.kind[i] === Tok.Comment) renameInComment(ctx, i);
    }
  },
};

/**
 * Codes reported once per file and name (HP104 no HIP equivalent, HP105 not in the target ROCm):
 * at the first use in the file, the other uses as related spans. Each is one piece of work for
 * the porter, however often the name recurs; one error per use drowned real hazards (136 HP104
 * errors in lc0's CUDA backend, most of them repeated cuDNN names).
 */
export const ONCE_PER_FILE: ReadonlySet<string> = new Set(['HP104', 'HP105', 'HP114']);

/** Code of the one-per-file cuDNN finding ({@link cudnnRule}). */
const CUDNN_CODES: readonly RuleCode[] = [
  { code: 'HP114', family: 'api', defaultSeverity: 'error', title: 'cuDNN names with no HIP replacement (port to MIOpen)', docs: hipifyTableUrl('dnn') },
];

/**
 * The cuDNN rule's signature of tokens `[first, end)` (see {@link Rule.signature}): each cuDNN
 * identifier (mapping library `dnn`) with the code token before it (member access or not). The
 * rule's finding depends on nothing else, so edits elsewhere keep it, shifted.
 */
function cudnnSignature(t: Tokens, first: number, end: number, mappings: Mappings): string {
  const parts: string[] = [];
  for (let i = first; i < end; i++) {
    if (t.kind[i] !== Tok.Ident) continue;
    const name = t.text.slice(t.start[i], t.end[i]);
    if (mappings.get(name)?.library !== 'dnn') continue;
    const p = prevCode(t, i);
    parts.push(`${name}${p >= 0 ? t.text.slice(t.start[p], t.end[p]) : ''}`);
  }
  return parts.join(' ');
}

/**
 * HP114: a file using cuDNN names that have no HIP replacement for the options (every cuDNN name
 * with `libraryTarget: 'hip'`: hipDNN ships in no ROCm release; with `roc`, those MIOpen lacks).
 * Porting it is one piece of work (to MIOpen, whose API is not 1:1), so it is one error per file,
 * at the first such use, with every other use as a related span naming the closest MIOpen name
 * where the HIPIFY tables give one (lc0's CUDA backend had 136 per-name errors, 73 of them cuDNN).
 * Scope `file` with a signature ({@link cudnnSignature}).
 */
export const cudnnRule: Rule = {
  id: 'cudnn',
  family: 'api',
  scope: 'file',
  codes: CUDNN_CODES,
  signature: cudnnSignature,
  run(ctx) {
    const t = ctx.tokens;
    const uses: Array<{ i: number; name: string; roc: string | undefined }> = [];
    for (const [name, occurrences] of ctx.identIndex()) {
      const e = ctx.mappings.get(name);
      if (!e || e.library !== 'dnn' || e.hip === name || SPECIAL_NAMES.has(name)) continue;
      const f = nameFindings(ctx, e, name);
      if (f.length !== 1 || f[0]!.finding.code !== 'HP104') continue;
      for (const i of occurrences) {
        const p = prevCode(t, i);
        if (p >= 0 && (isPunct(t, p, '.') || isPunct(t, p, '->'))) continue;
        uses.push({ i, name, roc: e.roc ?? undefined });
      }
    }
    if (!uses.length) return;
    uses.sort((a, b) => a.i - b.i);
    const names = [...new Set(uses.map((u) => u.name))];
    const first = uses[0]!;
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
    ctx.report({
      code: 'HP114',
      message: `${names.length} cuDNN name${names.length === 1 ? '' : 's'} (${shown}) at ${uses.length} place${uses.length === 1 ? '' : 's'} in this file (listed as related) have no HIP replacement: they will not compile for AMD until this code is ported to MIOpen${first.roc ? ' (--library-target roc maps the names MIOpen has)' : ''}`,
      start: t.start[first.i]!,
      end: t.end[first.i]!,
      status: 'unsupported',
      library: 'dnn',
      cuda: 'cuDNN',
      related: uses.length > 1 ? uses.slice(1).map((u) => ({ start: t.start[u.i]!, end: t.end[u.i]!, message: `${u.name}${u.roc ? ` (closest MIOpen: ${u.roc})` : ''}` })) : undefined,
    });
  },
};

/**
 * Reports `g` for identifier `name` once in the file: at its first non-member use (`x.name` and
 * `x->name` are fields of user types), with every later use as a related span. Reads the uses
 * file-wide ({@link RuleContext.fileIdentsNamed}, reach: the token before each, which decides
 * "member or not"), so an incremental run that adds, removes or changes a use re-runs this over
 * the whole file; a run whose window does not hold the first use reports nothing (the finding
 * there is kept, its related spans shifted).
 */
function onceInFile(ctx: RuleContext, name: string, g: NameFinding['finding']): void {
  const t = ctx.tokens;
  const uses: number[] = [];
  for (const i of ctx.fileIdentsNamed(name, { before: 1, after: 0 })) {
    const p = prevCode(t, i);
    if (p >= 0 && (isPunct(t, p, '.') || isPunct(t, p, '->'))) continue;
    uses.push(i);
  }
  const first = uses[0];
  if (first === undefined || first < ctx.firstToken || first >= ctx.endToken) return;
  const related = uses.slice(1).map((i) => ({ start: t.start[i]!, end: t.end[i]!, message: `${name} used again here` }));
  const more = related.length ? ` (${related.length} more use${related.length === 1 ? '' : 's'} in this file, listed as related)` : '';
  ctx.report({
    code: g.code,
    message: g.message + more,
    start: t.start[first]!,
    end: t.end[first]!,
    status: g.status,
    severity: g.severity,
    library: g.library,
    cuda: g.cuda,
    hip: g.hip,
    docs: g.docs,
    related: related.length ? related : undefined,
  });
}

/** One finding a mapped name yields at every occurrence: everything but the offsets, and its fix as a replacement text. */
interface NameFinding {
  finding: Omit<ReportedFinding, 'start' | 'end' | 'fix'>;
  fix?: { title: string; newText: string; auto: boolean };
}

/**
 * The findings every (non-member) occurrence of the mapped CUDA name `name` yields, in report
 * order: computed once per distinct name, then placed at each occurrence's offsets.
 */
function nameFindings(ctx: RuleContext, e: MappingEntry, name: string): NameFinding[] {
  const lib = LIB_SHORT[e.library] ?? e.library;
  const docs = hipifyTableUrl(e.library);
  const target = chooseTarget(e, ctx);
  if (target) {
    const out: NameFinding[] = [];
    const hv = target.lib === 'hip' ? e.hipVersions : e.rocVersions;
    let code = 'HP101';
    let status: 'supported' | 'deprecated' | 'removed' | 'experimental' = 'supported';
    let msg = `${name} → ${target.name} (${lib}${target.lib === 'roc' ? `, ${rocLibName(e.library)}` : ''})`;
    if (e.cudaVersions.removed) {
      code = 'HP103';
      status = 'removed';
      msg = `${name} was removed in CUDA ${e.cudaVersions.removed}; HIP still has it as ${target.name}${cudaFacts(e)}`;
    } else if (e.cudaVersions.deprecated) {
      code = 'HP102';
      status = 'deprecated';
      msg = `${name} is deprecated since CUDA ${e.cudaVersions.deprecated}; mapped to ${target.name}`;
    } else if (hv.experimental) {
      code = 'HP106';
      status = 'experimental';
      msg = `${name} → ${target.name}: the HIP equivalent is experimental`;
    }
    if (hv.deprecated || hv.removed) {
      out.push({
        finding: {
          code: 'HP107',
          message: `${target.name} (for ${name}) is ${hv.removed ? `removed in HIP ${hv.removed}` : `deprecated since HIP ${hv.deprecated}`}`,
          // by consequence: removed in the target → will not compile (error); deprecated → still compiles (information)
          severity: hv.removed && compareVersions(hv.removed, ctx.options.targetRocm) <= 0 ? 'error' : 'information',
          status: 'deprecated',
          library: e.library,
          cuda: name,
          hip: target.name,
          docs,
        },
      });
    }
    out.push({
      finding: { code, message: msg, status, library: e.library, cuda: name, hip: target.name, docs },
      fix: { title: `Replace with ${target.name}`, newText: target.name, auto: true },
    });
    return out;
  }
  if (e.hip && hipUsable(e) && !hipAvailableIn(e, ctx.options.targetRocm) && !e.hipVersions.experimental) {
    return [
      {
        finding: {
          code: 'HP105',
          message: `${name}: its HIP equivalent ${e.hip} needs ROCm ${e.hipVersions.added ?? '?'}${e.hipVersions.removed ? ` and was removed in ${e.hipVersions.removed}` : ''}; target is ROCm ${ctx.options.targetRocm}${e.override?.note ? ` (${e.override.note})` : ''}`,
          status: 'unsupported',
          library: e.library,
          cuda: name,
          hip: e.hip ?? undefined,
          docs,
        },
      },
    ];
  }
  if (e.hip && hipUsable(e) && e.hipVersions.experimental) {
    return [
      {
        finding: {
          code: 'HP106',
          message: `${name} → ${e.hip} is experimental in HIP; not applied (use the experimental option)`,
          status: 'experimental',
          library: e.library,
          cuda: name,
          hip: e.hip,
          docs,
        },
        fix: { title: `Replace with ${e.hip} (experimental)`, newText: e.hip, auto: false },
      },
    ];
  }
  return [
    {
      finding: {
        code: 'HP104',
        message:
          e.library === 'dnn'
            ? `${name}: cuDNN has no 1:1 HIP equivalent; port to MIOpen${e.roc ? ` (closest: ${e.roc}; --library-target roc maps it)` : ''}, minding its NCHW layout and descriptors`
            : e.override?.note
              ? `${name} has no HIP equivalent${cudaFacts(e)}: ${e.override.note}`
              : `${name} has no HIP equivalent${e.roc ? ` (only ${rocLibName(e.library)}: ${e.roc})` : ''}${cudaFacts(e)}: rewrite this code by hand`,
        status: 'unsupported',
        library: e.library,
        cuda: name,
        docs,
      },
    },
  ];
}

function rocLibName(lib: string): string {
  return { blas: 'rocBLAS', sparse: 'rocSPARSE', rand: 'rocRAND', solver: 'rocSOLVER', dnn: 'MIOpen' }[lib] ?? 'ROC library';
}

/** With `includeComments`, renames mapped CUDA names inside a comment token. */
function renameInComment(ctx: RuleContext, i: number): void {
  const t = ctx.tokens;
  const s = t.start[i]!;
  const body = t.text.slice(s, t.end[i]);
  const re = /\b(?:cu|CU|__)[A-Za-z0-9_]*/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const e = ctx.mappings.get(m[0]);
    if (!e || e.hip === m[0] || SPECIAL_NAMES.has(m[0])) continue;
    const target = chooseTarget(e, ctx);
    if (!target) continue;
    const ms = s + m.index;
    ctx.report({
      code: 'HP101',
      message: `${m[0]} → ${target.name} (in a comment)`,
      start: ms,
      end: ms + m[0].length,
      status: 'supported',
      severity: 'hint',
      library: e.library,
      cuda: m[0],
      hip: target.name,
      fix: ctx.fix(`Replace with ${target.name}`, [{ start: ms, end: ms + m[0].length, newText: target.name }], true),
    });
  }
}

/** Tokens whose presence means the file needs the HIP runtime header once ported. */
const RUNTIME_MARKERS = new Set([
  '__global__',
  '__device__',
  '__host__',
  '__shared__',
  '__constant__',
  '__managed__',
  '__launch_bounds__',
  'threadIdx',
  'blockIdx',
  'blockDim',
  'gridDim',
  'warpSize',
  '__syncthreads',
  '__syncthreads_count',
  '__syncthreads_and',
  '__syncthreads_or',
  '__threadfence',
  '__threadfence_block',
  'dim3',
  'atomicAdd',
  'atomicCAS',
  'atomicExch',
  'atomicMax',
  'atomicMin',
  '__ldg',
]);

/**
 * Execution-space keywords: hip-clang defines them itself for every `-x hip` compile (clang's
 * __clang_hip_runtime_wrapper.h, pre-included by the driver), so a header whose only CUDA-isms are
 * these needs no HIP include of its own (issue 13: an include added to such a header reached a TU
 * after the TU's own `#define T int` and broke HIP's templates).
 */
const EXECUTION_SPACE_KEYWORDS = new Set(['__global__', '__device__', '__host__', '__shared__', '__constant__']);

/** Libraries whose HIP names are declared by hip/hip_runtime.h (others come with their own header). */
const RUNTIME_LIBS = new Set(['runtime', 'driver', 'device', 'complex']);

const runtimeHipNameCache = new WeakMap<Mappings, Set<string>>();

/**
 * HIP names declared by hip/hip_runtime.h (targets of runtime/driver/device/complex rows), so an
 * already-ported file asks for the include exactly when its CUDA original did (idempotency).
 */
function runtimeHipNames(m: Mappings): Set<string> {
  let s = runtimeHipNameCache.get(m);
  if (!s) {
    s = new Set();
    for (const e of m.all()) if (e.hip && RUNTIME_LIBS.has(e.library) && e.hip !== e.cuda) s.add(e.hip);
    runtimeHipNameCache.set(m, s);
  }
  return s;
}

/**
 * Include rewriting and the missing HIP runtime include. Scope `file`: the runtime include is
 * reported at the first include of the file when any runtime name occurs anywhere, a CUDA header's
 * rewrite depends on `extern "C"` blocks and on which includes come first. One pass over the
 * tokens (identifiers are looked at only until the first runtime marker).
 */
/**
 * True when identifier `name` makes a file need the HIP runtime header (a runtime/driver/device
 * API name, CUDA or HIP, or a device built-in), as the headers rule decides it.
 */
function isRuntimeMarker(name: string, mappings: Mappings): boolean {
  if (RUNTIME_MARKERS.has(name) || (SPECIAL_NAMES.has(name) && name !== '__CUDA_ARCH__')) return true;
  const e = mappings.get(name);
  return (e !== undefined && RUNTIME_LIBS.has(e.library)) || runtimeHipNames(mappings).has(name);
}

/**
 * The headers rule's signature of tokens `[first, end)` (see {@link Rule.signature}): every token
 * on a preprocessor line, braces, `extern` and `"C"` (the `extern "C"` blocks), and
 * whether any token makes the file need the HIP runtime. The rule only asks whether the file has
 * such a token anywhere (HP112), so only the item's gaining its first or losing its last one can
 * change that: a count would make every keystroke inside a CUDA call name re-run the rule.
 */
function headersSignature(t: Tokens, first: number, end: number, mappings: Mappings): string {
  const parts: string[] = [];
  // marker: any token that needs the runtime; more: one that is not an execution-space keyword
  let marker = false;
  let more = false;
  for (let i = first; i < end; i++) {
    const k = t.kind[i];
    if (k === Tok.Comment) continue;
    if (t.pp[i] !== PP.None || k === Tok.Directive || k === Tok.HeaderName) {
      parts.push(t.text.slice(t.start[i], t.end[i]));
      continue;
    }
    if (k === Tok.Punct) {
      const c = t.text.charCodeAt(t.start[i]!);
      if (c === 123 || c === 125) parts.push(c === 123 ? '{' : '}');
      else if (!more && t.end[i]! - t.start[i]! === 3 && t.text.startsWith('<<<', t.start[i]!)) marker = more = true;
    } else if (k === Tok.String) {
      if (t.text.startsWith('"C"', t.start[i]!)) parts.push('"C"');
    } else if (k === Tok.Ident) {
      const name = t.text.slice(t.start[i], t.end[i]);
      if (name === 'extern') parts.push(name);
      else if (!more && isRuntimeMarker(name, mappings)) {
        marker = true;
        if (!EXECUTION_SPACE_KEYWORDS.has(name)) more = true;
      }
    }
  }
  return `${marker ? 1 : 0}${more ? 1 : 0}\u0001${parts.join('\u0001')}`;
}

export const headersRule: Rule = {
  id: 'headers',
  family: 'headers',
  signature: headersSignature,
  scope: 'file',
  codes: HEADER_CODES,
  run(ctx) {
    const t = ctx.tokens;
    let hasRuntimeInclude = false;
    // some token needs the runtime; some token other than an execution-space keyword needs it
    let needsRuntime = false;
    let needsMore = false;
    // offset of the first include that brings in hip/hip_runtime.h (as written or once rewritten)
    let firstRuntimeAt = -1;
    let firstRuntimeTok = -1;
    let externC: Array<[number, number]> | undefined;
    // ROCm 5.2's hip_cooperative_groups.h uses hipBlockDim_z & co. without including
    // hip_runtime.h, so it fails to compile unless the runtime header comes first
    let cgBeforeRuntime = false;
    // conditional blocks: a stack of block ids (#else/#elif open a new id), so an include is a
    // duplicate only of one in the same block or an enclosing one, never of one in a sibling branch
    const blocks: number[] = [];
    let blockCount = 0;
    let blockPath = '';
    /** HIP include path → block path and line number of its first #include (rewritten or written). */
    const included = new Map<string, { block: string; line: number }>();
    const lineOf = (off: number): number => {
      let n = 1;
      for (let j = t.text.indexOf('\n'); j !== -1 && j < off; j = t.text.indexOf('\n', j + 1)) n++;
      return n;
    };
    /** Records an include of `hipPath`; returns the line of an earlier one that makes this one a duplicate. */
    const seen = (hipPath: string, at: number): number | undefined => {
      const prev = included.get(hipPath);
      if (prev && (blockPath === prev.block || blockPath.startsWith(prev.block + '/') || prev.block === '')) return prev.line;
      if (!prev) included.set(hipPath, { block: blockPath, line: lineOf(at) });
      return undefined;
    };
    for (let i = 0; i < t.count; i++) {
      const k = t.kind[i];
      if (k === Tok.Directive) {
        const d = t.text.slice(t.start[i]! + 1, t.end[i]).trim();
        if (d === 'if' || d === 'ifdef' || d === 'ifndef') blocks.push(++blockCount);
        else if (d === 'else' || d === 'elif' || d === 'elifdef' || d === 'elifndef') {
          blocks.pop();
          blocks.push(++blockCount);
        } else if (d === 'endif') blocks.pop();
        else continue;
        blockPath = blocks.join('/');
        continue;
      }
      if (k === Tok.HeaderName) {
        const raw = t.text.slice(t.start[i], t.end[i]);
        const path = raw.slice(1, raw.endsWith('>') || raw.endsWith('"') ? -1 : undefined);
        // a header name also follows `__has_include(` in #if lines: a test, not an include
        const isInclude = t.pp[i] === PP.Include;
        if (path === 'hip/hip_runtime.h') {
          if (isInclude) {
            if (!hasRuntimeInclude) {
              firstRuntimeAt = t.start[i]!;
              firstRuntimeTok = i;
            }
            hasRuntimeInclude = true;
            seen(path, t.start[i]!);
          }
          continue;
        }
        if (path === 'hip/hip_cooperative_groups.h' && isInclude && !hasRuntimeInclude) cgBeforeRuntime = true;
        const h = ctx.mappings.header(path);
        if (!h) continue;
        if (raw.startsWith('"') && (externC ??= externCBlocks(t)).some(([a, b]) => a < i && i < b)) {
          // C++ headers such as hip_runtime.h cannot be included inside `extern "C" { }`, and the
          // CUDA headers could not be either: a quoted "cuda.h" there is the project's own header
          // (darknet's src/cuda.h), so it stays as written.
          continue;
        }
        // a quoted include that resolves next to the file is the project's own header (the
        // preprocessor searches the includer's directory first): neither rewritten nor counted
        if (raw.startsWith('"') && ctx.options.sourcePath && localFileExists(dirname(ctx.options.sourcePath), path)) continue;
        if (h.hip === 'hip/hip_runtime.h' && isInclude) {
          if (!hasRuntimeInclude) {
            firstRuntimeAt = t.start[i]!;
            firstRuntimeTok = i;
          }
          hasRuntimeInclude = true;
        }
        // --library-target roc: the ROCm library's own header (rocblas/rocblas.h for cublas_v2.h)
        const useRoc = ctx.options.libraryTarget === 'roc' && !!h.roc;
        const hipPath = useRoc ? h.roc! : h.hip ? portedHeaderPath(h.cuda, h.hip, path, h.prefix === true) : null;
        if (hipPath === 'hip/hip_cooperative_groups.h' && isInclude && !hasRuntimeInclude) cgBeforeRuntime = true;
        if (hipPath && h.hipAdded && compareVersions(ctx.options.targetRocm, h.hipAdded) < 0) {
          ctx.report({
            code: 'HP111',
            message: `${path}: its HIP equivalent <${hipPath}> first ships in ROCm ${h.hipAdded}; target is ROCm ${ctx.options.targetRocm}${h.note ? ` (${h.note})` : ''}`,
            start: t.start[i]!,
            end: t.end[i]!,
            status: 'unsupported',
            library: h.library,
            cuda: path,
            hip: hipPath,
            docs: h.docs,
            fix: ctx.fix(`Include <${hipPath}> (ROCm ${h.hipAdded}+)`, [{ start: t.start[i]!, end: t.end[i]!, newText: `<${hipPath}>` }], false),
          });
        } else if (hipPath && hipPath !== path) {
          // the include keeps its quote style: "cuda_runtime.h" → "hip/hip_runtime.h"
          const newText = raw.startsWith('"') ? `"${hipPath}"` : `<${hipPath}>`;
          const dupLine = isInclude ? seen(hipPath, t.start[i]!) : undefined;
          const line = dupLine === undefined ? undefined : includeLine(t, i);
          if (dupLine !== undefined && line) {
            // cuda.h + cuda_runtime.h: one hip/hip_runtime.h, the second include line goes
            ctx.report({
              code: 'HP110',
              message: `#include ${raw} → removed: ${newText} is already included on line ${dupLine}${h.note ? ` (${h.note})` : ''}`,
              start: t.start[i]!,
              end: t.end[i]!,
              status: 'supported',
              library: h.library,
              cuda: path,
              hip: hipPath,
              docs: h.docs,
              fix: ctx.fix(`Remove the duplicate include of ${newText}`, [{ start: line.start, end: line.end, newText: '' }], true),
            });
            continue;
          }
          ctx.report({
            code: 'HP110',
            message: `${isInclude ? '#include ' : '__has_include('}${raw} → ${isInclude ? '#include ' : '__has_include('}${newText}${h.note ? ` (${h.note})` : ''}`,
            start: t.start[i]!,
            end: t.end[i]!,
            status: 'supported',
            library: h.library,
            cuda: path,
            hip: hipPath,
            docs: h.docs,
            fix: ctx.fix(`Include ${newText}`, [{ start: t.start[i]!, end: t.end[i]!, newText }], true),
          });
        } else if (!h.hip) {
          ctx.report({
            code: 'HP111',
            message: `${path} has no HIP equivalent${h.note ? `: ${h.note}` : ''}`,
            start: t.start[i]!,
            end: t.end[i]!,
            status: 'unsupported',
            library: h.library,
            cuda: path,
            docs: h.docs,
          });
        }
        continue;
      }
      if (needsMore) continue;
      if (k === Tok.Ident) {
        const name = t.text.slice(t.start[i], t.end[i]);
        if (isRuntimeMarker(name, ctx.mappings)) {
          needsRuntime = true;
          if (!EXECUTION_SPACE_KEYWORDS.has(name)) needsMore = true;
        }
      } else if (k === Tok.Punct && t.end[i]! - t.start[i]! === 3 && t.text.startsWith('<<<', t.start[i]!)) {
        needsRuntime = needsMore = true;
      }
    }
    headerGuards(ctx);
    // a header needs the include only for more than the execution-space keywords (-x hip has those)
    const needed = ctx.options.header ? needsMore : needsRuntime;
    const { at, newLineBefore } = insertionPoint(ctx);
    // nvcc includes cuda_runtime.h before any user code: in a translation unit whose runtime include
    // comes after user code (a project header that uses assert in __device__ code, a #define),
    // hip/hip_runtime.h is added first as well
    // (system headers such as <cstdio> before it are harmless and stay)
    const late =
      !ctx.options.header &&
      needed &&
      hasRuntimeInclude &&
      firstRuntimeAt > at &&
      /\S/.test(stripComments(t.text.slice(at, t.text.lastIndexOf('\n', firstRuntimeAt) + 1)).replace(/^[ \t]*#[ \t]*include[ \t]*<[^>\n]*>[ \t]*$/gm, ''));
    if (!cgBeforeRuntime && !late && (!needed || hasRuntimeInclude)) return;
    const line = `#include <hip/hip_runtime.h>${ctx.eol}`;
    ctx.report({
      code: 'HP112',
      message: cgBeforeRuntime
        ? 'hip/hip_cooperative_groups.h (ROCm 5.x) needs hip/hip_runtime.h included before it (it uses hipBlockDim_x & co.): add #include <hip/hip_runtime.h> first'
        : late
          ? 'nvcc includes cuda_runtime.h before any user code, but here the HIP runtime header comes after other code (headers included before it see no HIP declarations, e.g. the device-side assert): add #include <hip/hip_runtime.h> first'
          : 'hipcc does not include hip/hip_runtime.h implicitly (nvcc includes cuda_runtime.h before any user code): add #include <hip/hip_runtime.h> at the top, before any other code',
      start: at,
      end: at,
      status: 'supported',
      library: 'runtime',
      hip: 'hip/hip_runtime.h',
      fix: ctx.fix(
        'Add #include <hip/hip_runtime.h>',
        [
          { start: at, end: at, newText: newLineBefore ? ctx.eol + line : line },
          // the later include of the runtime header goes (one HIP header, included once)
          ...(late && firstRuntimeTok >= 0 ? [includeLine(t, firstRuntimeTok)].filter((x) => x !== undefined).map((x) => ({ ...x, newText: '' })) : []),
        ],
        true,
      ),
    });
  },
};

/** `text` with its comments blanked (a rough strip for "is there code between these offsets"). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
}

/** Whether `name` (a quoted include's path) names a file in directory `dir`; false on any error. */
function localFileExists(dir: string, name: string): boolean {
  try {
    return existsSync(join(dir, name));
  } catch {
    return false;
  }
}

/**
 * The whole line of the `#include` whose header name is token `i` (offsets `[start, end)`, the
 * line break included), when nothing but the directive, blanks and comments is on it; undefined
 * otherwise (e.g. a line continued with a backslash).
 */
function includeLine(t: Tokens, i: number): { start: number; end: number } | undefined {
  const start = t.text.lastIndexOf('\n', t.start[i]! - 1) + 1;
  const nl = t.text.indexOf('\n', t.end[i]!);
  const end = nl < 0 ? t.text.length : nl + 1;
  const rest = t.text.slice(t.end[i]!, nl < 0 ? t.text.length : nl);
  if (!/^\s*(?:\/\/.*|\/\*.*?\*\/\s*)?$/.test(rest) || rest.trimEnd().endsWith('\\')) return undefined;
  if (!/^\s*#\s*include\s*$/.test(t.text.slice(start, t.start[i]!))) return undefined;
  return { start, end };
}

/**
 * Where the HIP runtime include goes: first in the file, before any other code (so that a user
 * macro such as `#define T int` can never reach HIP's own headers), i.e. the start of the first
 * line holding code after the leading comment block and a BOM, or right after an include guard
 * (`#ifndef G` + `#define G`, or `#pragma once`) that opens the file. When that line starts inside
 * a multi-line block comment, the include goes right after the comment on a line of its own
 * (`newLineBefore`).
 * @returns `at`: UTF-16 offset into the text where the include line is inserted.
 */
export function insertionPoint(ctx: RuleContext): { at: number; newLineBefore: boolean } {
  const t = ctx.tokens;
  const bom = t.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let anchor = nextCode(t, -1);
  if (anchor < 0) return { at: bom, newLineBefore: false };
  const guardEnd = includeGuardEnd(t, anchor);
  if (guardEnd !== undefined) {
    anchor = nextCode(t, guardEnd.lastToken);
    if (anchor < 0) return guardEnd.lineEnd < 0 ? { at: t.text.length, newLineBefore: true } : { at: guardEnd.lineEnd + 1, newLineBefore: false };
  }
  const off = t.start[anchor]!;
  const lineStart = Math.max(bom, t.text.lastIndexOf('\n', off - 1) + 1);
  const before = anchor - 1;
  if (before >= 0 && t.kind[before] === Tok.Comment && t.start[before]! < lineStart && t.end[before]! > lineStart) {
    return { at: t.end[before]!, newLineBefore: true };
  }
  return { at: lineStart, newLineBefore: false };
}

/**
 * When the code of a file opens with an include guard (`#pragma once`, or `#ifndef G` followed by
 * `#define G`), the last token of that guard and the offset of the line break ending it (-1 at
 * the end of the text); undefined otherwise. `first` is the first code token.
 */
function includeGuardEnd(t: Tokens, first: number): { lastToken: number; lineEnd: number } | undefined {
  const word = (j: number): string => (j < 0 ? '' : t.text.slice(t.start[j], t.end[j]).replace(/^#\s*/, ''));
  const lineLast = (j: number): { lastToken: number; lineEnd: number } => {
    const lineEnd = t.text.indexOf('\n', t.start[j]!);
    let last = j;
    for (let k = j + 1; k < t.count && (lineEnd < 0 || t.start[k]! < lineEnd); k++) last = k;
    return { lastToken: last, lineEnd };
  };
  if (t.kind[first] !== Tok.Directive) return undefined;
  const d = word(first);
  if (d === 'pragma' && word(nextCode(t, first)) === 'once') return lineLast(first);
  if (d !== 'ifndef') return undefined;
  const g = nextCode(t, first);
  const def = nextCode(t, g);
  if (g < 0 || def < 0 || t.kind[def] !== Tok.Directive || word(def) !== 'define' || word(nextCode(t, def)) !== word(g)) return undefined;
  return lineLast(def);
}

/**
 * Token-index ranges `[open, close]` of the `extern "C" { ... }` blocks of a file, from one forward
 * pass over the (non-preprocessor) braces. An unclosed block extends to the end of the text.
 */
function externCBlocks(t: Tokens): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const stack: Array<number> = []; // open-brace token, or -1 for braces that are not extern "C"
  for (let j = 0; j < t.count; j++) {
    if (t.kind[j] !== Tok.Punct || t.pp[j] !== PP.None) continue;
    if (isPunct(t, j, '{')) {
      const s = prevCode(t, j);
      const e = s >= 0 ? prevCode(t, s) : -1;
      const isC = s >= 0 && t.kind[s] === Tok.String && t.text.slice(t.start[s], t.end[s]) === '"C"' && e >= 0 && t.text.slice(t.start[e], t.end[e]) === 'extern';
      stack.push(isC ? j : -1);
    } else if (isPunct(t, j, '}')) {
      const o = stack.pop();
      if (o !== undefined && o >= 0) out.push([o, j]);
    }
  }
  for (const o of stack) if (o >= 0) out.push([o, t.count]);
  return out;
}

/**
 * HP113: `#ifdef __DRIVER_TYPES_H__` and friends, i.e. a CUDA header's include guard used to ask
 * "was this header included?". Under HIP the guard is never defined, so the guarded code silently
 * disappears (cuda-samples' checkCudaErrors). In `#ifdef`/`#ifndef`/`defined(...)` the guard is
 * replaced by the guard of the HIP header the CUDA header is ported to.
 */
function headerGuards(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const [guard, hipGuard] of CUDA_HEADER_GUARDS) {
    for (const i of ctx.identsNamed(guard)) {
      const pp = t.pp[i];
      if (pp !== PP.Ifdef && pp !== PP.If) continue;
      if (pp === PP.If) {
        const p = prevCode(t, i);
        const q = p >= 0 && isPunct(t, p, '(') ? prevCode(t, p) : p;
        if (q < 0 || t.text.slice(t.start[q], t.end[q]) !== 'defined') continue;
      }
      const s = t.start[i]!;
      const e = t.end[i]!;
      ctx.report({
        code: 'HP113',
        message: hipGuard
          ? `${guard} is the include guard of a CUDA header and is never defined under HIP; tested here to detect that header, so use the ported header's guard ${hipGuard}`
          : `${guard} is the include guard of a CUDA header and is never defined under HIP: the code it guards disappears; test the HIP library's own macro instead`,
        start: s,
        end: e,
        status: hipGuard ? 'supported' : 'hazard',
        cuda: guard,
        ...(hipGuard ? { hip: hipGuard, fix: ctx.fix(`Use ${hipGuard}`, [{ start: s, end: e, newText: hipGuard }], true) } : {}),
      });
    }
  }
}

/**
 * `cub::X` → `hipcub::X` (and `using namespace cub;`): the headers rule rewrites <cub/...> to
 * <hipcub/hipcub.hpp>, whose API lives in namespace hipcub, so the qualifier must follow or the
 * port cannot compile. Source: hipCUB documentation (namespace hipcub mirrors cub). Skipped in a
 * file that itself defines `namespace cub` (CUB's own sources) and for `x::cub::` / `.cub::`.
 */
function cubNamespace(ctx: RuleContext): void {
  const t = ctx.tokens;
  const occ = ctx.identsNamed('cub');
  if (!occ.length) return;
  // the file (any top-level item) defines namespace cub (or an alias): leave it alone
  for (const i of ctx.fileIdentsNamed('cub', { before: 2, after: 0 })) if (namespaceCub(t, i) === 'defines') return;
  const uses: number[] = [];
  for (const i of occ) {
    const p = prevCode(t, i);
    const kind = namespaceCub(t, i);
    if (kind === 'using') {
      uses.push(i);
      continue;
    }
    if (!isPunct(t, nextCode(t, i), '::')) continue;
    if (p >= 0 && (isPunct(t, p, '.') || isPunct(t, p, '->'))) continue;
    if (p >= 0 && isPunct(t, p, '::') && t.kind[prevCode(t, p)] === Tok.Ident) continue;
    uses.push(i);
  }
  for (const i of uses) {
    const s = t.start[i]!;
    const e = t.end[i]!;
    ctx.report({
      code: 'HP101',
      message: 'cub:: → hipcub:: (CUB, hipCUB namespace)',
      start: s,
      end: e,
      status: 'supported',
      library: 'cub',
      cuda: 'cub',
      hip: 'hipcub',
      fix: ctx.fix('Replace with hipcub', [{ start: s, end: e, newText: 'hipcub' }], true),
      docs: 'https://rocm.docs.amd.com/projects/hipCUB/en/latest/',
    });
  }
}

/** `cub` at token `i` after `namespace`: `using namespace cub` or a definition/alias of namespace cub; undefined otherwise. */
function namespaceCub(t: Tokens, i: number): 'using' | 'defines' | undefined {
  const p = prevCode(t, i);
  if (p < 0 || t.text.slice(t.start[p], t.end[p]) !== 'namespace') return undefined;
  const pp = prevCode(t, p);
  return pp >= 0 && t.text.slice(t.start[pp], t.end[pp]) === 'using' ? 'using' : 'defines';
}

/**
 * The HIP include path for `path` matched by a header entry. Whole-path entries give their HIP path.
 * A prefix entry whose HIP side ends in `/` (thrust/) maps the prefix only and keeps the rest of the
 * path, with CUDA-specific subdirectories moved to their HIP ones (rocThrust ships
 * thrust/system/hip/ where Thrust has thrust/system/cuda/); other prefix entries (cub/, sm_) name one
 * replacement header.
 */
export function portedHeaderPath(cudaPrefix: string, hip: string, path: string, prefix: boolean): string {
  if (!prefix || !hip.endsWith('/')) return hip;
  const rest = path.startsWith(cudaPrefix) ? path.slice(cudaPrefix.length) : path;
  return (hip + rest).replace(/(^|\/)system\/cuda\//, '$1system/hip/');
}

/**
 * `thrust::cuda::par` → `thrust::hip::par`: rocThrust names its system namespace hip (Thrust's
 * CUDA backend is thrust::cuda / thrust::cuda_cub). Only the `cuda` directly qualified by `thrust::`.
 */
function thrustCudaNamespace(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('cuda')) {
    if (!isPunct(t, nextCode(t, i), '::')) continue;
    const p = prevCode(t, i);
    if (p < 0 || !isPunct(t, p, '::')) continue;
    const q = prevCode(t, p);
    if (q < 0 || t.text.slice(t.start[q], t.end[q]) !== 'thrust') continue;
    ctx.report({
      code: 'HP101',
      message: 'thrust::cuda:: → thrust::hip:: (rocThrust\'s system namespace)',
      start: t.start[i]!,
      end: t.end[i]!,
      status: 'supported',
      library: 'thrust',
      cuda: 'thrust::cuda',
      hip: 'thrust::hip',
      fix: ctx.fix('Use thrust::hip', [{ start: t.start[i]!, end: t.end[i]!, newText: 'hip' }], true),
      docs: 'https://rocm.docs.amd.com/projects/rocThrust/en/latest/',
    });
  }
}

/**
 * Cooperative-groups members and functions that ROCm 5.2's hip_cooperative_groups.h lacks (checked
 * against /usr/include/hip/amd_detail/amd_hip_cooperative_groups.h of Debian's libamdhip64-dev 5.2).
 * `member`: called as `.name(`; otherwise used as `name` after `cg::`/`cooperative_groups::` or bare.
 */
const CG_MISSING_IN_52: ReadonlyMap<string, { member: boolean; instead: string }> = new Map([
  ['meta_group_rank', { member: true, instead: 'thread_rank() / size() of the parent block tile, e.g. threadIdx.x / tile.size() for a 1-D block' }],
  ['meta_group_size', { member: true, instead: '(parent group size) / tile.size()' }],
  ['num_threads', { member: true, instead: 'size()' }],
  ['dim_threads', { member: true, instead: 'blockDim' }],
  ['labeled_partition', { member: false, instead: 'a hand-written partition with __ballot and __popcll' }],
  ['binary_partition', { member: false, instead: 'a hand-written partition with __ballot and __popcll' }],
  ['block_tile_memory', { member: false, instead: 'nothing (tiles up to the wavefront size need no extra memory)' }],
  ['reduce', { member: false, instead: 'a shuffle loop over the tile (tile.shfl_down)' }],
  ['inclusive_scan', { member: false, instead: 'a shuffle loop over the tile (tile.shfl_up)' }],
  ['exclusive_scan', { member: false, instead: 'a shuffle loop over the tile (tile.shfl_up)' }],
]);

/**
 * CUDA device functions that ROCm 5.2's HIP headers do not declare and the HIPIFY tables do not
 * list (checked against /usr/include/hip/amd_detail/amd_hip_atomic.h and amd_math_functions.h of
 * Debian's libamdhip64-dev 5.2: only the add/sub/exch/min/max/cas/and/or/xor `_system` atomics
 * exist, and the byte dot products are amd_mixed_dot overloads). Value: what to write instead.
 */
const DEVICE_MISSING_IN_52: ReadonlyMap<string, string> = new Map([
  ['atomicInc_system', 'write an atomicCAS_system loop computing ((old >= limit) ? 0 : old + 1)'],
  ['atomicDec_system', 'write an atomicCAS_system loop computing ((old == 0 || old > limit) ? limit : old - 1)'],
  ['__dp4a', 'copy the operands into char4/uchar4 (memcpy: the HIP char4 is not trivially copyable, so bit_cast fails) and call amd_mixed_dot(a, b, c, false) (sdot4/udot4: gfx906, gfx908, gfx90a and later), or write the four multiply-adds'],
  ['__dp2a_lo', 'write the two multiply-adds (or amd_mixed_dot on short2 halves)'],
  ['__dp2a_hi', 'write the two multiply-adds (or amd_mixed_dot on short2 halves)'],
]);

/**
 * HP105: a warp shuffle of a `__half`/`__half2` value for a target whose HIP has no such overload:
 * ROCm 5.2's amd_hip_fp16.h declares no `__shfl*` for half types (the shuffles of
 * amd_warp_functions.h take int, unsigned, float, double, long and long long only); ROCm 5.7's
 * (ROCm/clr rocm-5.7.0 hipamd/include/hip/amd_detail/amd_hip_fp16.h) has them. Reported when the
 * shuffled argument is a plain name declared in the file as `half`, `__half`, `half2` or `__half2`.
 */
function halfShuffles(ctx: RuleContext): void {
  if (compareVersions(ctx.options.targetRocm, '5.7') >= 0) return;
  const t = ctx.tokens;
  const typeCache = new Map<string, string | undefined>();
  const declaredHalf = (v: string): string | undefined => {
    if (!typeCache.has(v)) {
      const re = new RegExp(`\\b(__half2|half2|__half|half)\\s+(?:const\\s+)?&?\\s*${v}\\b(?!\\s*\\()`);
      typeCache.set(v, re.exec(t.text)?.[1]);
    }
    return typeCache.get(v);
  };
  for (const [name, valueArg] of HALF_SHUFFLES) {
    for (const i of ctx.identsNamed(name)) {
      const open = nextCode(t, i);
      if (open < 0 || !isPunct(t, open, '(')) continue;
      const call = callArguments(t, open);
      const arg = call?.args[valueArg];
      if (!arg || arg[0] !== arg[1] || t.kind[arg[0]] !== Tok.Ident) continue;
      const v = t.text.slice(t.start[arg[0]], t.end[arg[0]]);
      const type = declaredHalf(v);
      if (!type) continue;
      const plain = name.replace('_sync', '');
      ctx.report({
        code: 'HP105',
        message: `${name} on ${v} (${type}): HIP ${ctx.options.targetRocm} has no ${plain} overload for ${type} (amd_hip_fp16.h has them from ROCm 5.7); shuffle its bits instead, e.g. through ${type.endsWith('2') ? 'an unsigned int (__half2_as_uint-style memcpy)' : 'an unsigned short (__half_as_ushort / __ushort_as_half)'}`,
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'unsupported',
        library: 'device',
        cuda: name,
      });
    }
  }
}

/** Warp shuffles and the 0-based index of their shuffled value argument. */
const HALF_SHUFFLES: ReadonlyArray<[string, number]> = [
  ['__shfl', 0],
  ['__shfl_up', 0],
  ['__shfl_down', 0],
  ['__shfl_xor', 0],
  ['__shfl_sync', 1],
  ['__shfl_up_sync', 1],
  ['__shfl_down_sync', 1],
  ['__shfl_xor_sync', 1],
];

/** HP104: a device function missing in the target (only for ROCm ≤ 5.2, where it was checked). */
function deviceFunctionGaps(ctx: RuleContext): void {
  if (compareVersions(ctx.options.targetRocm, '5.3') >= 0) return;
  const t = ctx.tokens;
  for (const [name, instead] of DEVICE_MISSING_IN_52) {
    for (const i of ctx.identsNamed(name)) {
      if (t.pp[i] !== PP.None || !isPunct(t, nextCode(t, i), '(')) continue;
      const p = prevCode(t, i);
      if (p >= 0 && (isPunct(t, p, '.') || isPunct(t, p, '->') || isPunct(t, p, '::'))) continue;
      ctx.report({
        code: 'HP104',
        message: `${name} is not declared by ROCm ${ctx.options.targetRocm}'s HIP headers; ${instead}`,
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'unsupported',
        library: 'device',
        cuda: name,
      });
    }
  }
}

/**
 * `CUDART_CB`, the calling-convention macro of stream/host callbacks (`void CUDART_CB f(...)`), is
 * removed: it is empty except on Windows, and HIP on AMD defines no counterpart (HIPRT_CB exists only
 * in hip/nvidia_detail/nvidia_hip_runtime_api.h; hipStreamCallback_t in hip_runtime_api.h is a plain
 * function pointer). Left in place it is an undeclared identifier and the declaration fails to parse.
 */
function callbackConvention(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('CUDART_CB')) {
    if (t.pp[i] !== PP.None) continue;
    const s = t.start[i]!;
    let e = t.end[i]!;
    while (e < t.text.length && (t.text[e] === ' ' || t.text[e] === '\t')) e++;
    ctx.report({
      code: 'HP101',
      message: 'CUDART_CB (callback calling convention, empty outside Windows) has no HIP counterpart on AMD; removed',
      start: s,
      end: t.end[i]!,
      status: 'supported',
      library: 'runtime',
      cuda: 'CUDART_CB',
      fix: ctx.fix('Remove CUDART_CB', [{ start: s, end: e, newText: '' }], true),
    });
  }
}

/**
 * `attr.type` of a `cudaPointerAttributes` variable (CUDA 10+) → `attr.memoryType`: ROCm 5.x's
 * hipPointerAttribute_t names that field memoryType and has no `type` (checked against
 * /usr/include/hip/hip_runtime_api.h of Debian's libamdhip64-dev 5.2). Only variables declared
 * with the CUDA type in this file are followed, so other structs' `.type` stay; ROCm 6.0+ targets
 * are left alone.
 */
function pointerAttributeType(ctx: RuleContext): void {
  if (compareVersions(ctx.options.targetRocm, '6.0') >= 0) return;
  // variables may be declared in another top-level item (a global, another function: names are followed file-wide)
  const decls = ctx.fileIdentsNamed('cudaPointerAttributes', { before: 0, after: 12 });
  if (!decls.length) return;
  const t = ctx.tokens;
  const vars = new Set<string>();
  for (const i of decls) {
    let n = nextCode(t, i);
    while (n >= 0 && (isPunct(t, n, '*') || isPunct(t, n, '&'))) n = nextCode(t, n);
    if (n >= 0 && t.kind[n] === Tok.Ident) vars.add(t.text.slice(t.start[n], t.end[n]));
  }
  for (const v of vars) {
    for (const i of ctx.identsNamed(v)) {
      if (t.pp[i] === PP.Include) continue;
      const dot = nextCode(t, i);
      if (dot < 0 || !(isPunct(t, dot, '.') || isPunct(t, dot, '->'))) continue;
      const m = nextCode(t, dot);
      if (m < 0 || t.kind[m] !== Tok.Ident || t.text.slice(t.start[m], t.end[m]) !== 'type') continue;
      ctx.report({
        code: 'HP101',
        message: `cudaPointerAttributes::type → hipPointerAttribute_t::memoryType (ROCm ${ctx.options.targetRocm} has no field type)`,
        start: t.start[m]!,
        end: t.end[m]!,
        status: 'supported',
        library: 'runtime',
        cuda: 'cudaPointerAttributes::type',
        hip: 'hipPointerAttribute_t::memoryType',
        fix: ctx.fix('Use memoryType', [{ start: t.start[m]!, end: t.end[m]!, newText: 'memoryType' }], true),
      });
    }
  }
}

/** HP109: cooperative-groups API missing in the target (only for ROCm ≤ 5.2, where it was checked). */
function cooperativeGroupsGaps(ctx: RuleContext): void {
  if (compareVersions(ctx.options.targetRocm, '5.3') >= 0) return;
  if (!ctx.fileHas('cooperative_groups')) return;
  const t = ctx.tokens;
  const aliases = new Set(['cooperative_groups', 'cg']);
  for (const [name, { member, instead }] of CG_MISSING_IN_52) {
    for (const i of ctx.identsNamed(name)) {
      if (t.pp[i] !== PP.None) continue;
      const p = prevCode(t, i);
      const n = nextCode(t, i);
      if (member) {
        if (p < 0 || !(isPunct(t, p, '.') || isPunct(t, p, '->')) || !isPunct(t, n, '(')) continue;
      } else {
        if (!isPunct(t, p, '::')) continue;
        const q = prevCode(t, p);
        if (q < 0 || !aliases.has(t.text.slice(t.start[q], t.end[q]))) continue;
      }
      ctx.report({
        code: 'HP109',
        message: `cooperative groups: ${name} is not in ROCm ${ctx.options.targetRocm}'s hip_cooperative_groups.h; use ${instead}`,
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'unsupported',
        library: 'device',
        cuda: `cooperative_groups::${name}`,
      });
    }
  }
}
