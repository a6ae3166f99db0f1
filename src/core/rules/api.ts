/**
 * API rules (family `api`): renames every CUDA name the HIPIFY tables map to a HIP name available
 * in the target ROCm version and reports the ones that are unsupported, deprecated, removed or
 * experimental (with the CUB, Thrust and cooperative-groups checks of ./cub.ts, ./thrust.ts and
 * ./cooperative-groups.ts, which report the same codes); rewrites the arguments of APIs whose HIP
 * declaration differs from CUDA's (HP121, HP122).
 *
 * Source of facts: AMD HIPIFY's `docs/tables` (see ../../../mappings and SOURCE.md), and the HIP
 * porting guide.
 */
import { Tok, PP, callArguments, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { compareVersions, hipAvailableIn, rocAvailableIn, type MappingEntry, type Mappings } from '../mappings';
import { DOCS, LIBRARY_LABELS, hipifyTableUrl, type ReportedFinding, type Rule, type RuleCode, type RuleContext } from './types';
import { cubNamespace } from './cub';
import { thrustCudaNamespace } from './thrust';
import { callsOf, tokenRange } from './util';

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
  { code: 'HP106', family: 'api', defaultSeverity: 'warning', title: 'HIP equivalent is experimental', docs: DOCS.hipifyTables },
  { code: 'HP107', family: 'api', defaultSeverity: 'warning', title: 'HIP API deprecated or removed in ROCm', docs: DOCS.hipifyTables },
];

/**
 * cudaDeviceProp fields that the ROCm 5.x hipDeviceProp_t does not have (source: the struct in
 * ROCm 5.2 /usr/include/hip/hip_runtime_api.h; ROCm 6.0 added most of them). Only names distinctive
 * enough not to be mistaken for fields of user structs are listed; `value` suggests a replacement.
 */
export const DEVICE_PROP_MISSING_BEFORE_6: ReadonlyMap<string, string> = new Map([
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
        // no HIP equivalent, or none in the target: the gaps rule's (./gaps.ts), one finding per file and cause
        if (templates.length === 1 && (templates[0]!.finding.code === 'HP104' || templates[0]!.finding.code === 'HP105')) break;
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
    callbackConvention(ctx);
    pointerAttributeType(ctx);
    if (ctx.options.includeComments) {
      for (let i = ctx.firstToken; i < ctx.endToken; i++) if (t.kind[i] === Tok.Comment) renameInComment(ctx, i);
    }
  },
};

/**
 * Codes reported once per file and cause (HP104 no HIP equivalent, HP105 not in the target ROCm,
 * by the gaps rule of ./gaps.ts; HP114 cuDNN, by {@link cudnnRule}): at the first use, the other
 * uses as related spans (each naming its CUDA name in `cuda`). Each is one piece of work for the
 * porter, however often the names recur; one error per use drowned real hazards (136 HP104 errors
 * in lc0's CUDA backend, most of them repeated cuDNN names).
 */
export const ONCE_PER_FILE: ReadonlySet<string> = new Set(['HP104', 'HP105', 'HP108', 'HP109', 'HP114']);

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
 * HP108: `cudaDeviceProp` fields (read as `.field`/`->field`) that hipDeviceProp_t of the target
 * (ROCm before 6.0) lacks. Run by the gaps rule (./gaps.ts), which reports them once per file.
 */
export function devicePropGaps(ctx: RuleContext): void {
  if (compareVersions(ctx.options.targetRocm, '6.0') >= 0) return;
  const t = ctx.tokens;
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

/** One finding a mapped name yields at every occurrence: everything but the offsets, and its fix as a replacement text. */
export interface NameFinding {
  finding: Omit<ReportedFinding, 'start' | 'end' | 'fix'>;
  fix?: { title: string; newText: string; auto: boolean };
}

/**
 * The findings every (non-member) occurrence of the mapped CUDA name `name` yields, in report
 * order: computed once per distinct name, then placed at each occurrence's offsets.
 */
export function nameFindings(ctx: RuleContext, e: MappingEntry, name: string): NameFinding[] {
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

/**
 * CUDA device functions that ROCm 5.2's HIP headers do not declare and the HIPIFY tables do not
 * list (checked against /usr/include/hip/amd_detail/amd_hip_atomic.h and amd_math_functions.h of
 * Debian's libamdhip64-dev 5.2: only the add/sub/exch/min/max/cas/and/or/xor `_system` atomics
 * exist, and the byte dot products are amd_mixed_dot overloads). Value: what to write instead.
 */
export const DEVICE_MISSING_IN_52: ReadonlyMap<string, string> = new Map([
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
export function halfShuffles(ctx: RuleContext): void {
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

/** The warp shuffles {@link halfShuffles} reads. */
export const HALF_SHUFFLE_NAMES: readonly string[] = HALF_SHUFFLES.map(([n]) => n);

/** HP104: a device function missing in the target (only for ROCm ≤ 5.2, where it was checked). */
export function deviceFunctionGaps(ctx: RuleContext): void {
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

// ---- arguments of APIs whose HIP declaration differs (HP121, HP122) ----

/** Codes of {@link apiArgumentsRule}. */
export const API_ARGUMENT_CODES: readonly RuleCode[] = [
  { code: 'HP121', family: 'api', defaultSeverity: 'information', title: 'Kernel passed to a HIP API that takes const void* (CUDA has a template overload)', docs: DOCS.porting },
  { code: 'HP122', family: 'api', defaultSeverity: 'information', title: 'Call relies on CUDA default arguments that the HIP declaration lacks', docs: DOCS.porting },
];

/**
 * Arguments of APIs whose HIP declaration differs from CUDA's: kernels cast to `const void*` (HP121),
 * CUDA default arguments made explicit (HP122). Severity by consequence (issue 16): information.
 * Both are always auto-fixes the translator applies, and the call is correct after them (the cast
 * is what HIP's `const void*`/`void**` parameter needs; the default passed is CUDA's own default,
 * e.g. `hipHostMallocDefault`), so nothing computes wrong, hangs or faults on AMD once ported;
 * they were warnings, which put 31 of cuda-samples' 282 errors + warnings on changes already made.
 */
export const apiArgumentsRule: Rule = {
  id: 'api-arguments',
  family: 'api',
  codes: API_ARGUMENT_CODES,
  run(ctx) {
    functionArgs(ctx);
    pointerArgs(ctx);
    missingDefaults(ctx);
  },
};

/**
 * APIs whose CUDA runtime versions are templates taking the kernel itself (`T *entry`) while HIP
 * (ROCm 5.2 hip_runtime_api.h) declares only `const void* func`: a kernel name or function pointer
 * does not convert implicitly, so it is wrapped in `reinterpret_cast<const void*>(...)`. Value: the
 * 0-based index of the function argument. The occupancy and cooperative-launch APIs are left out:
 * HIP has template overloads for them.
 */
const FUNC_ARG: Record<string, number> = {
  cudaFuncSetCacheConfig: 0,
  cudaFuncSetAttribute: 0,
  cudaFuncSetSharedMemConfig: 0,
  cudaFuncGetAttributes: 1,
  cudaLaunchKernel: 0,
  hipFuncSetCacheConfig: 0,
  hipFuncSetAttribute: 0,
  hipFuncSetSharedMemConfig: 0,
  hipFuncGetAttributes: 1,
  hipLaunchKernel: 0,
};

/**
 * APIs whose trailing parameters have defaults in CUDA but not in HIP (ROCm 5.2
 * hip_runtime_api.h declares them without `__dparm`): the missing trailing arguments are appended
 * with CUDA's default values. Value: the full parameter count and the defaults of the optional tail.
 */
const MISSING_DEFAULTS: Record<string, { params: number; defaults: readonly string[]; why?: string }> = {
  // cudaMallocHost(ptr, size) → hipHostMalloc(ptr, size, hipHostMallocDefault): the void** overload of
  // hipHostMalloc takes flags without a default (ROCm 5.2 hip_runtime_api.h); hipify-clang adds it too
  cudaMallocHost: { params: 3, defaults: ['hipHostMallocDefault'], why: 'hipHostMalloc(void**, size_t, unsigned flags) takes a flags argument (its void** overload has no default), as hipify-clang writes it' },
  cudaOccupancyMaxPotentialBlockSize: { params: 5, defaults: ['0', '0'] },
  hipOccupancyMaxPotentialBlockSize: { params: 5, defaults: ['0', '0'] },
  cudaLaunchCooperativeKernel: { params: 6, defaults: ['0', '0'] },
  hipLaunchCooperativeKernel: { params: 6, defaults: ['0', '0'] },
};

/** An argument that already is a `void*` or cast to one: left alone. */
const VOID_PTR_ARG = /^(?:reinterpret_cast\s*<|static_cast\s*<|\(\s*(?:const\s+)?void\s*\*\s*\)|\(\s*hipFunction_t\s*\)|nullptr$|NULL$|0$)/;

/** What {@link castArguments} wraps: the argument of each API, the cast, and how to explain it. */
interface CastRewrite {
  /** API name → 0-based index of the argument to cast. */
  args: Record<string, number>;
  /** Arguments matching this are left alone (already cast). */
  skip: RegExp;
  /** The cast, e.g. `reinterpret_cast<const void*>`. */
  cast: string;
  /** Also skip `X::name(` calls. */
  scoped: boolean;
  fixTitle: string;
  message(name: string, arg: string): string;
}

/** HP121: wraps one argument of each listed API in a cast (`cast(arg)`), as an auto-fix. */
function castArguments(ctx: RuleContext, r: CastRewrite): void {
  const t = ctx.tokens;
  for (const [name, argIndex] of Object.entries(r.args)) {
    for (const { call } of callsOf(ctx, name, r.scoped)) {
      if (call.args.length <= argIndex) continue;
      const [a0, a1] = call.args[argIndex]!;
      if (a0 > a1) continue;
      const arg = tokenRange(t, a0, a1);
      if (r.skip.test(arg.text)) continue;
      ctx.report({
        code: 'HP121',
        message: r.message(name, arg.text),
        start: arg.start,
        end: arg.end,
        status: 'hazard',
        library: 'runtime',
        cuda: name,
        hip: r.cast,
        fix: ctx.fix(r.fixTitle, [
          { start: arg.start, end: arg.start, newText: `${r.cast}(` },
          { start: arg.end, end: arg.end, newText: ')' },
        ], true),
      });
    }
  }
}

/** HP121: `cudaFuncSetAttribute(kernel, ...)` → `hipFuncSetAttribute(reinterpret_cast<const void*>(kernel), ...)`. */
function functionArgs(ctx: RuleContext): void {
  castArguments(ctx, {
    args: FUNC_ARG,
    skip: VOID_PTR_ARG,
    cast: 'reinterpret_cast<const void*>',
    scoped: false,
    fixTitle: 'Cast the kernel to const void*',
    message: (name, arg) =>
      `${name}: HIP takes the kernel as const void* (CUDA's template overload accepts the function itself); pass reinterpret_cast<const void*>(${arg})`,
  });
}

/**
 * Allocation APIs whose CUDA runtime versions have a `template<class T> (T **ptr, ...)` overload
 * (cuda_runtime.h) while ROCm 5.2's hip_runtime_api.h declares only `void**` for the HIP name:
 * `&p` with `int *p` does not convert implicitly. (hipMalloc, hipHostMalloc, hipMallocManaged,
 * hipMallocAsync and hipMallocFromPoolAsync do have T** templates there.) Value: 0-based argument index.
 */
const PTR_PTR_ARG: Record<string, number> = {
  cudaHostAlloc: 0,
  cudaHostGetDevicePointer: 0,
  cudaMallocPitch: 0,
  hipHostAlloc: 0,
  hipHostGetDevicePointer: 0,
  hipMallocPitch: 0,
};
/** An argument already cast (or a null pointer): left alone. */
const CAST_ARG = /^(?:reinterpret_cast\s*<|static_cast\s*<|\(\s*void\s*\*\s*\*\s*\)|nullptr$|NULL$|0$)/;

/** HP121: `cudaHostAlloc(&p, n, f)` → `hipHostAlloc(reinterpret_cast<void**>(&p), n, f)`. */
function pointerArgs(ctx: RuleContext): void {
  castArguments(ctx, {
    args: PTR_PTR_ARG,
    skip: CAST_ARG,
    cast: 'reinterpret_cast<void**>',
    scoped: true,
    fixTitle: 'Cast the pointer argument to void**',
    message: (name, arg) => `${name}: HIP declares the pointer argument as void** (CUDA's template overload accepts T**); pass reinterpret_cast<void**>(${arg})`,
  });
}

/** HP122: `cudaOccupancyMaxPotentialBlockSize(&g, &b, k)` → `hipOccupancyMaxPotentialBlockSize(&g, &b, k, 0, 0)`. */
function missingDefaults(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const [name, { params, defaults, why }] of Object.entries(MISSING_DEFAULTS)) {
    for (const { i, call } of callsOf(ctx, name, true)) {
      const n = call.args.length;
      const missing = params - n;
      if (missing <= 0 || missing > defaults.length) continue;
      const last = call.args[n - 1]!;
      if (last[0] > last[1]) continue;
      const tail = defaults.slice(defaults.length - missing);
      const at = t.end[last[1]]!;
      ctx.report({
        code: 'HP122',
        message: why
          ? `${name}: ${why}; ${tail.join(', ')} is passed`
          : `${name}: HIP declares all ${params} parameters without defaults; the ${missing} omitted trailing argument(s) get CUDA's default value (${tail.join(', ')})`,
        start: t.start[i]!,
        end: t.end[call.close]!,
        status: 'hazard',
        library: 'runtime',
        cuda: name,
        fix: ctx.fix(`Pass the default argument(s) explicitly`, [{ start: at, end: at, newText: tail.map((d) => `, ${d}`).join('') }], true),
      });
    }
  }
}
