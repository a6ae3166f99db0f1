/**
 * Mechanical rewrites that are more than a rename, all token-based so they also work in
 * regions tree-sitter cannot parse:
 * - warp-synchronous intrinsics with 32-bit lane masks (`__shfl_down_sync(0xffffffff, v, d)`)
 *   → HIP's mask-less forms (HP203, HP205, HP206);
 * - `#ifdef __CUDA_ARCH__` / `defined(__CUDA_ARCH__)` → `__HIP_DEVICE_COMPILE__` (HP301), and
 *   numeric `__CUDA_ARCH__` comparisons reported (HP302);
 * - symbol arguments of `cudaMemcpyToSymbol` & co. wrapped in `HIP_SYMBOL` (HP506);
 * - the `register` storage class removed (HP701);
 * - optionally, `k<<<g, b, s, st>>>(args)` → `hipLaunchKernelGGL(k, g, b, s, st, args)` (HP120).
 */
import { Tok, PP, callArguments, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { compareVersions } from '../mappings';

export const REWRITE_CODES: readonly RuleCode[] = [
  { code: 'HP120', family: 'launch', defaultSeverity: 'hint', title: 'Kernel launch rewritten to hipLaunchKernelGGL', docs: DOCS.kernelLaunch },
  { code: 'HP121', family: 'api', defaultSeverity: 'warning', title: 'Kernel passed to a HIP API that takes const void* (CUDA has a template overload)', docs: DOCS.porting },
  { code: 'HP122', family: 'api', defaultSeverity: 'warning', title: 'Call relies on CUDA default arguments that the HIP declaration lacks', docs: DOCS.porting },
  { code: 'HP203', family: 'warp', defaultSeverity: 'warning', title: 'Warp-synchronous intrinsic with a 32-bit lane mask', docs: DOCS.warpCrossLane },
  { code: 'HP205', family: 'warp', defaultSeverity: 'information', title: '__activemask() returns a 64-bit mask on AMD', docs: DOCS.warpCrossLane },
  { code: 'HP206', family: 'warp', defaultSeverity: 'information', title: '__syncwarp has no HIP equivalent in this ROCm version', docs: DOCS.warpCrossLane },
  { code: 'HP301', family: 'arch', defaultSeverity: 'warning', title: '__CUDA_ARCH__ used to detect device compilation', docs: DOCS.identifyingHip },
  { code: 'HP302', family: 'arch', defaultSeverity: 'warning', title: '__CUDA_ARCH__ compute-capability comparison', docs: DOCS.identifyingHip },
  { code: 'HP304', family: 'arch', defaultSeverity: 'warning', title: 'CUDA toolkit version macro (undefined under HIP)', docs: DOCS.identifyingHip },
  { code: 'HP506', family: 'memory', defaultSeverity: 'warning', title: 'Symbol API without HIP_SYMBOL', docs: DOCS.symbols },
  { code: 'HP701', family: 'cxx', defaultSeverity: 'warning', title: "'register' storage class (removed in C++17, rejected by hip-clang)", docs: DOCS.porting },
];

/** CUDA sync intrinsic → its mask-less HIP form. Source: HIP C++ language extensions, warp cross-lane functions. */
const SYNC_TO_LEGACY: Record<string, string> = {
  __shfl_sync: '__shfl',
  __shfl_up_sync: '__shfl_up',
  __shfl_down_sync: '__shfl_down',
  __shfl_xor_sync: '__shfl_xor',
  __ballot_sync: '__ballot',
  __any_sync: '__any',
  __all_sync: '__all',
};
const SYNC_HIP_NAMES = new Set(Object.keys(SYNC_TO_LEGACY).map((n) => n));

/** Symbol APIs and the 0-based index of their symbol argument (CUDA and HIP spellings). */
const SYMBOL_ARG: Record<string, number> = {
  cudaMemcpyToSymbol: 0,
  cudaMemcpyToSymbolAsync: 0,
  cudaMemcpyFromSymbol: 1,
  cudaMemcpyFromSymbolAsync: 1,
  cudaGetSymbolAddress: 1,
  cudaGetSymbolSize: 1,
  hipMemcpyToSymbol: 0,
  hipMemcpyToSymbolAsync: 0,
  hipMemcpyFromSymbol: 1,
  hipMemcpyFromSymbolAsync: 1,
  hipGetSymbolAddress: 1,
  hipGetSymbolSize: 1,
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

function tokenRange(t: Tokens, first: number, last: number): { start: number; end: number; text: string } {
  const start = t.start[first]!;
  const end = t.end[last]!;
  return { start, end, text: t.text.slice(start, end) };
}

const FULL_MASK = /^(0x[fF]{8}[uUlL]*|~0[uUlL]*|0xffffffffffffffff[uUlL]*|4294967295[uUlL]*|[A-Z_]*FULL[A-Z_]*MASK[A-Z_]*|[A-Z_]*MASK[A-Z_]*ALL[A-Z_]*|__activemask\(\))$/i;

/** `__match_any_sync` / `__match_all_sync`: no mask-less form in any HIP release before the `_sync` builtins. */
const MATCH_SYNC = ['__match_any_sync', '__match_all_sync'];

/**
 * How HIP release `target` offers the `*_sync` warp functions (`__shfl_sync`, `__ballot_sync`,
 * `__match_any_sync`, ...):
 * - `none`: ROCm before 6.2 has none of them;
 * - `opt-in`: ROCm 6.2 to 6.4 declare them only when `HIP_ENABLE_WARP_SYNC_BUILTINS` is defined
 *   before the HIP headers (source: ROCm/clr rocm-6.2.0 hipamd/include/hip/amd_detail/
 *   amd_warp_sync_functions.h);
 * - `default`: ROCm 7.0 and later declare them unless `HIP_DISABLE_WARP_SYNC_BUILTINS` is defined
 *   (source: HIP CHANGELOG.md, "HIP 7.0 for ROCm 7.0").
 * Wherever they exist the mask must be a 64-bit integer: a `static_assert` rejects a 32-bit one.
 */
export function warpSyncSupport(target: string): 'none' | 'opt-in' | 'default' {
  if (compareVersions(target, '6.2') < 0) return 'none';
  return compareVersions(target, '7.0') < 0 ? 'opt-in' : 'default';
}

/** The precise fact about the `*_sync` warp functions in `target`, for messages. */
function warpSyncFact(name: string, target: string): string {
  switch (warpSyncSupport(target)) {
    case 'none':
      return `HIP ${target} has no ${name} (the *_sync warp functions came in ROCm 6.2, behind HIP_ENABLE_WARP_SYNC_BUILTINS, default since 7.0, with a 64-bit mask)`;
    case 'opt-in':
      return `HIP ${target} declares ${name} only when HIP_ENABLE_WARP_SYNC_BUILTINS is defined before the HIP headers (default from ROCm 7.0), and with a 64-bit mask`;
    default:
      return `HIP ${target} has ${name} (by default since ROCm 7.0) with a 64-bit mask (unsigned long long; a 32-bit mask fails its static_assert)`;
  }
}

/**
 * The mask argument widened to 64 bits for HIP 7.0+: a full 32-bit mask (`0xffffffff`, `FULL_MASK`)
 * becomes all 64 lanes, another integer literal gets the `ull` suffix (same lanes), anything else is
 * cast to `unsigned long long` (same lanes: check that the upper 32 lanes of a 64-lane wavefront
 * are meant to be out). Undefined when it is already 64-bit (`__activemask()`, a 64-bit literal).
 */
function widenMask(mask: string): { text: string; sameLanes: boolean } | undefined {
  const m = mask.replace(/\s+/g, '');
  if (/^__activemask\(\)$|^__ballot(?:_sync)?\(|^0x[0-9a-f]{9,16}(?:ull|llu)?$|^~0ull$|^static_cast<unsigned\s*long\s*long>|^\(unsigned\s*long\s*long\)|^\(u?int64_t\)/i.test(m) || /(?:ull|llu)$/i.test(m)) return undefined;
  if (FULL_MASK.test(m)) return { text: '0xffffffffffffffffull', sameLanes: false };
  const lit = /^(0x[0-9a-f]+|0b[01]+|\d+)[uUlL]*$/i.exec(m);
  if (lit) return { text: `${lit[1]}ull`, sameLanes: true };
  return { text: `static_cast<unsigned long long>(${mask})`, sameLanes: true };
}

export const rewritesRule: Rule = {
  id: 'rewrites',
  family: 'warp',
  codes: REWRITE_CODES,
  run(ctx) {
    warpSync(ctx);
    cudaArch(ctx);
    cudaVersionMacros(ctx);
    symbols(ctx);
    functionArgs(ctx);
    pointerArgs(ctx);
    missingDefaults(ctx);
    registerKeyword(ctx);
    if (ctx.options.kernelLaunch === 'hip') kernelLaunches(ctx);
  },
};

/**
 * The `*_sync` warp functions, by target (see {@link warpSyncSupport}): before ROCm 7.0 they are
 * rewritten to HIP's mask-less forms (`__shfl_down_sync(m, v, d)` → `__shfl_down(v, d)`); for
 * ROCm 6.2–6.4 too, rather than relying on `HIP_ENABLE_WARP_SYNC_BUILTINS`, which must be defined
 * before the first HIP header of every translation unit (a build-system change a per-file rewrite
 * cannot guarantee) and would still need every mask widened to 64 bits. From ROCm 7.0 the call is
 * kept and its mask widened to 64 bits. `__match_any_sync`/`__match_all_sync` have no mask-less
 * form: reported for targets before 7.0.
 */
function warpSync(ctx: RuleContext): void {
  const t = ctx.tokens;
  const target = ctx.options.targetRocm;
  const support = warpSyncSupport(target);
  for (const name of [...SYNC_HIP_NAMES, ...MATCH_SYNC]) {
    for (const i of ctx.identsNamed(name)) {
      const legacy = SYNC_TO_LEGACY[name];
      const open = nextCode(t, i);
      if (open < 0 || !isPunct(t, open, '(')) continue;
      const p = prevCode(t, i);
      if (p >= 0 && (isPunct(t, p, '.') || isPunct(t, p, '->') || isPunct(t, p, '::'))) continue;
      const call = callArguments(t, open);
      const fact = warpSyncFact(name, target);
      const base = {
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'hazard' as const,
        library: 'device',
        cuda: name,
        hip: support === 'default' ? name : legacy,
      };
      const readable = call && call.args.length >= 2 && call.args[0]![0] <= call.args[0]![1];
      if (support === 'default') {
        if (!readable) continue;
        const [m0, m1] = call.args[0]!;
        const mask = tokenRange(t, m0, m1);
        const wide = widenMask(mask.text);
        if (!wide) continue;
        ctx.report({
          ...base,
          code: 'HP203',
          message: wide.sameLanes
            ? `${fact}: mask ${mask.text} → ${wide.text}; it still names only lanes 0–31, check that the upper 32 lanes of a 64-lane wavefront are meant to be left out`
            : `${fact}: the full 32-bit mask ${mask.text} → ${wide.text} (all 64 lanes of the wavefront)`,
          fix: ctx.fix('Use a 64-bit lane mask', [{ start: mask.start, end: mask.end, newText: wide.text }], true),
        });
        continue;
      }
      if (!legacy) {
        ctx.report({
          ...base,
          code: 'HP203',
          status: 'unsupported',
          message: `${fact}; ${support === 'none' ? `HIP ${target} has no ${name.replace('_sync', '')} either: build the match from __ballot/__shfl loops by hand` : 'define HIP_ENABLE_WARP_SYNC_BUILTINS for the whole build (e.g. -DHIP_ENABLE_WARP_SYNC_BUILTINS) and pass a 64-bit mask, or target ROCm 7.0'}`,
        });
        continue;
      }
      if (!readable) {
        ctx.report({ ...base, code: 'HP203', message: `${fact}; use ${legacy} without the mask (could not read the call's arguments here)` });
        continue;
      }
      const [m0, m1] = call.args[0]!;
      const mask = tokenRange(t, m0, m1);
      const nextArgFirst = call.args[1]![0];
      const full = FULL_MASK.test(mask.text.replace(/\s+/g, ''));
      const edits = [
        { start: t.start[i]!, end: t.end[i]!, newText: legacy },
        { start: mask.start, end: t.start[nextArgFirst]!, newText: '' },
      ];
      ctx.report({
        ...base,
        code: 'HP203',
        message: full
          ? `${fact}: ${name}(${mask.text}, …) → ${legacy}(…), the mask-less form: the 32-bit full mask is dropped, ${legacy} works on all active lanes of the wavefront (64 on CDNA, 32 on RDNA)`
          : `${fact}: ${name} with partial mask ${mask.text} → ${legacy}(…), the mask-less form: the mask is dropped; check that all lanes of the wavefront (64 on CDNA, 32 on RDNA) take part`,
        severity: full ? 'information' : 'warning',
        fix: ctx.fix(`Use ${legacy} (drop the lane mask)`, edits, true),
      });
    }
  }
  for (const i of ctx.identsNamed('__activemask')) {
    const open = nextCode(t, i);
    const close = open >= 0 ? nextCode(t, open) : -1;
    if (!isPunct(t, open, '(') || !isPunct(t, close, ')')) continue;
    ctx.report({
      code: 'HP205',
      message: '__activemask() → __ballot(1): HIP has no __activemask in this version, and the mask of active lanes is 64-bit on AMD',
      start: t.start[i]!,
      end: t.end[close]!,
      status: 'hazard',
      library: 'device',
      cuda: '__activemask',
      hip: '__ballot',
      fix: ctx.fix('Use __ballot(1)', [{ start: t.start[i]!, end: t.end[close]!, newText: '__ballot(1)' }], true),
    });
  }
  if (support === 'default') return; // ROCm 7.0 has __syncwarp, and __activemask with the sync builtins
  for (const i of ctx.identsNamed('__syncwarp')) {
    const open = nextCode(t, i);
    if (!isPunct(t, open, '(')) continue;
    const call = callArguments(t, open);
    if (!call) continue;
    ctx.report({
      code: 'HP206',
      message: '__syncwarp() → __builtin_amdgcn_wave_barrier(): lanes of an AMD wavefront execute in lockstep; the barrier keeps the compiler from reordering across it',
      start: t.start[i]!,
      end: t.end[call.close]!,
      status: 'hazard',
      library: 'device',
      cuda: '__syncwarp',
      hip: '__builtin_amdgcn_wave_barrier',
      fix: ctx.fix('Use __builtin_amdgcn_wave_barrier()', [{ start: t.start[i]!, end: t.end[call.close]!, newText: '__builtin_amdgcn_wave_barrier()' }], true),
    });
  }
}

function cudaArch(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('__CUDA_ARCH__')) {
    const s = t.start[i]!;
    const e = t.end[i]!;
    const p = prevCode(t, i);
    const pp = prevCode(t, p);
    const existence =
      t.pp[i] === PP.Ifdef ||
      (p >= 0 && t.kind[p] === Tok.Ident && t.text.slice(t.start[p], t.end[p]) === 'defined') ||
      (p >= 0 && isPunct(t, p, '(') && pp >= 0 && t.text.slice(t.start[pp], t.end[pp]) === 'defined');
    if (existence) {
      ctx.report({
        code: 'HP301',
        message: 'hip-clang does not define __CUDA_ARCH__ on AMD: use __HIP_DEVICE_COMPILE__ to detect device compilation',
        start: s,
        end: e,
        status: 'hazard',
        cuda: '__CUDA_ARCH__',
        hip: '__HIP_DEVICE_COMPILE__',
        fix: ctx.fix('Use __HIP_DEVICE_COMPILE__', [{ start: s, end: e, newText: '__HIP_DEVICE_COMPILE__' }], true),
      });
    } else {
      ctx.report({
        code: 'HP302',
        message:
          '__CUDA_ARCH__ compute-capability check: undefined on AMD (evaluates to 0, so the fallback branch is taken); test features instead (__HIP_PLATFORM_AMD__, __gfx90a__, __has_builtin)',
        start: s,
        end: e,
        status: 'hazard',
        cuda: '__CUDA_ARCH__',
      });
    }
  }
}

/** CUDA toolkit version macros: undefined under hip-clang, so `#if CUDART_VERSION >= 11000` silently takes the old branch. */
const CUDA_VERSION_MACROS = ['CUDART_VERSION', 'CUDA_VERSION', '__CUDACC_VER_MAJOR__', '__CUDACC_VER_MINOR__', '__NVCC__'];

/**
 * HP304, severity by consequence. In an `#if`/`#elif`/`#ifdef` condition the macro picks a branch,
 * and under hipcc it picks the "old/absent CUDA" one, which may compute differently: warning, at
 * each condition. In a `#define` it only matters where that macro is used: information. In code
 * (`CUDART_VERSION / 1000`) it is an undeclared identifier wherever hipcc compiles that code (the
 * HIP headers for AMD define none of these names; only hip/nvidia_detail/nvidia_hip_runtime_api.h
 * reads CUDART_VERSION): warning, once per file and macro at the first such use, the others as
 * related spans (the uses are read file-wide with their statements, so an edit adding or removing one
 * re-runs this over the whole file).
 */
function cudaVersionMacros(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const name of CUDA_VERSION_MACROS) {
    const inWindow = ctx.identsNamed(name);
    if (!inWindow.length) continue;
    const branch = name === '__NVCC__' ? 'not nvcc' : 'old/absent CUDA';
    let codeUseHere = false;
    for (const i of inWindow) {
      const pp = t.pp[i];
      if (pp === PP.None) {
        codeUseHere = true;
        continue;
      }
      const cond = pp === PP.If || pp === PP.Ifdef;
      ctx.report({
        code: 'HP304',
        message: cond
          ? `${name} is not defined when compiling with hipcc: this check takes its "${branch}" branch; test HIP_VERSION or __HIP_PLATFORM_AMD__ instead`
          : `${name} is not defined when compiling with hipcc: code expanding this line sees it undefined; test HIP_VERSION or __HIP_PLATFORM_AMD__ instead`,
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'hazard',
        severity: cond ? 'warning' : 'information',
        cuda: name,
      });
    }
    if (!codeUseHere) continue;
    const uses = ctx.fileIdentsNamed(name).filter((i) => t.pp[i] === PP.None);
    const first = uses[0];
    if (first === undefined || first < ctx.firstToken || first >= ctx.endToken) continue;
    const related = uses.slice(1).map((i) => ({ start: t.start[i]!, end: t.end[i]!, message: `${name} used again here` }));
    ctx.report({
      code: 'HP304',
      message: `${name} is not defined when compiling with hipcc: where this code is compiled it is an undeclared identifier${related.length ? ` (${related.length} more use${related.length === 1 ? '' : 's'} in this file, listed as related)` : ''}; use HIP_VERSION (hip/hip_version.h) instead`,
      start: t.start[first]!,
      end: t.end[first]!,
      status: 'hazard',
      severity: 'warning',
      cuda: name,
      related: related.length ? related : undefined,
    });
  }
}

function symbols(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const [name, argIndex] of Object.entries(SYMBOL_ARG)) {
    for (const i of ctx.identsNamed(name)) {
      const open = nextCode(t, i);
      if (!isPunct(t, open, '(')) continue;
      const call = callArguments(t, open);
      if (!call || call.args.length <= argIndex) continue;
      const [a0, a1] = call.args[argIndex]!;
      if (a0 > a1) continue;
      const arg = tokenRange(t, a0, a1);
      if (/^HIP_SYMBOL\s*\(/.test(arg.text)) continue;
      // a string literal symbol name (removed in CUDA 5.0): HIP would copy to the string's own address
      if (t.kind[a0] === Tok.String) {
        const inner = arg.text.length >= 2 ? arg.text.slice(1, -1) : '';
        const ident = /^[A-Za-z_]\w*$/.test(inner) && a0 === a1;
        ctx.report({
          code: 'HP506',
          severity: 'error',
          message: `${name} with the symbol named by a string (${arg.text}): removed in CUDA 5.0, and HIP's template would copy to the string literal's own address; pass the symbol itself${ident ? `: HIP_SYMBOL(${inner})` : ''}`,
          start: arg.start,
          end: arg.end,
          status: 'hazard',
          library: 'runtime',
          cuda: name,
          hip: 'HIP_SYMBOL',
          ...(ident ? { fix: ctx.fix(`Use HIP_SYMBOL(${inner})`, [{ start: arg.start, end: arg.end, newText: `HIP_SYMBOL(${inner})` }], false) } : {}),
        });
        continue;
      }
      ctx.report({
        code: 'HP506',
        message: `${name}: pass the symbol through HIP_SYMBOL(${arg.text}) (HIP takes the symbol's address, CUDA the symbol itself)`,
        start: arg.start,
        end: arg.end,
        status: 'hazard',
        library: 'runtime',
        cuda: name,
        hip: 'HIP_SYMBOL',
        fix: ctx.fix(`Wrap in HIP_SYMBOL(${arg.text})`, [
          { start: arg.start, end: arg.start, newText: 'HIP_SYMBOL(' },
          { start: arg.end, end: arg.end, newText: ')' },
        ], true),
      });
    }
  }
}

/**
 * Calls of the API `name` in code: `name(` not on a `#define`/`#include` line and not a member
 * (`.name(`, `->name(`, and with `scoped` also `X::name(`) — the shape the argument rewrites share.
 * Yields the name's token index and the parsed call (skipping calls whose parentheses do not balance).
 */
function* callsOf(ctx: RuleContext, name: string, scoped: boolean): Generator<{ i: number; call: NonNullable<ReturnType<typeof callArguments>> }> {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed(name)) {
    if (t.pp[i] === PP.Define || t.pp[i] === PP.Include) continue;
    const open = nextCode(t, i);
    if (!isPunct(t, open, '(')) continue;
    const p = prevCode(t, i);
    if (p >= 0 && (isPunct(t, p, '.') || isPunct(t, p, '->') || (scoped && isPunct(t, p, '::')))) continue;
    const call = callArguments(t, open);
    if (call) yield { i, call };
  }
}

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

function registerKeyword(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('register')) {
    if (t.pp[i] !== PP.None) continue;
    const s = t.start[i]!;
    let e = t.end[i]!;
    while (e < t.text.length && (t.text[e] === ' ' || t.text[e] === '\t')) e++;
    ctx.report({
      code: 'HP701',
      message: "'register' storage class: removed in C++17 and rejected by hip-clang; remove it (the compiler allocates registers anyway)",
      start: s,
      end: t.end[i]!,
      status: 'hazard',
      cuda: 'register',
      fix: ctx.fix("Remove 'register'", [{ start: s, end: e, newText: '' }], true),
    });
  }
}

/** `name<<<g, b[, s[, st]]>>>(args)` → `hipLaunchKernelGGL(name, g, b, s, st, args)`. */
function kernelLaunches(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (let i = ctx.firstToken; i < ctx.endToken; i++) {
    if (t.kind[i] !== Tok.Punct || t.end[i]! - t.start[i]! !== 3 || !t.text.startsWith('<<<', t.start[i]!)) continue;
    // find the matching >>>
    let close = -1;
    for (let j = i + 1; j < t.count; j++) {
      if (t.kind[j] === Tok.Punct && t.end[j]! - t.start[j]! === 3 && t.text.startsWith('>>>', t.start[j]!)) {
        close = j;
        break;
      }
      if (isPunct(t, j, ';')) break;
    }
    if (close < 0) continue;
    const open = nextCode(t, close);
    if (!isPunct(t, open, '(')) continue;
    const call = callArguments(t, open);
    if (!call) continue;
    const nameStart = kernelNameStart(t, i);
    if (nameStart < 0) continue;
    const nameEnd = t.end[prevCode(t, i)]!;
    const kernel = t.text.slice(t.start[nameStart], nameEnd);
    const cfgCount = splitTopLevel(t.text.slice(t.end[i], t.start[close])).length;
    if (cfgCount < 2 || cfgCount > 4) continue;
    const templated = kernel.includes('<');
    const hasArgs = call.close > nextCode(t, open);
    // Small edits around the user's own tokens, so renames inside the configuration and the
    // arguments still apply: `k<<<g, b>>>(x)` → `hipLaunchKernelGGL(k, g, b, 0, 0, x)`.
    const pad = ', 0'.repeat(4 - cfgCount);
    const edits = [
      { start: t.start[nameStart]!, end: t.start[nameStart]!, newText: templated ? 'hipLaunchKernelGGL(HIP_KERNEL_NAME(' : 'hipLaunchKernelGGL(' },
      { start: nameEnd, end: t.end[i]!, newText: templated ? '), ' : ', ' },
      { start: t.start[close]!, end: t.end[open]!, newText: pad + (hasArgs ? ', ' : '') },
    ];
    // hipify-clang's form: the grid and block dimensions as dim3(...) (an int converts, a dim3 is copied)
    for (const [a, b] of configArgs(t, i, close).slice(0, 2)) {
      if (t.text.slice(t.start[a], t.end[a]) === 'dim3' && (isPunct(t, nextCode(t, a), '(') || isPunct(t, nextCode(t, a), '{'))) continue;
      edits.push({ start: t.start[a]!, end: t.start[a]!, newText: 'dim3(' }, { start: t.end[b]!, end: t.end[b]!, newText: ')' });
    }
    ctx.report({
      code: 'HP120',
      message: `Kernel launch ${kernel}<<<…>>> → hipLaunchKernelGGL`,
      start: t.start[nameStart]!,
      end: t.end[call.close]!,
      status: 'supported',
      hip: 'hipLaunchKernelGGL',
      fix: ctx.fix('Use hipLaunchKernelGGL', edits, true),
    });
    i = call.close;
  }
}

/**
 * Token ranges `[first, last]` of the comma-separated arguments between `<<<` (token `lt`) and
 * `>>>` (token `gt`); commas nested in (), [] or {} do not split. Empty arguments are left out.
 */
function configArgs(t: Tokens, lt: number, gt: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let first = -1;
  let last = -1;
  for (let j = lt + 1; j < gt; j++) {
    if (t.kind[j] === Tok.Comment) continue;
    if (depth === 0 && isPunct(t, j, ',')) {
      if (first >= 0) out.push([first, last]);
      first = last = -1;
      continue;
    }
    if (isPunct(t, j, '(') || isPunct(t, j, '[') || isPunct(t, j, '{')) depth++;
    else if (isPunct(t, j, ')') || isPunct(t, j, ']') || isPunct(t, j, '}')) depth--;
    if (first < 0) first = j;
    last = j;
  }
  if (first >= 0) out.push([first, last]);
  return out;
}

/** First token of the kernel expression before `<<<` at token `lt`: `ns::kernel<T, 4>`; -1 if none. */
function kernelNameStart(t: Tokens, lt: number): number {
  let j = prevCode(t, lt);
  if (j < 0) return -1;
  if (isPunct(t, j, '>')) {
    let depth = 0;
    for (; j >= 0; j--) {
      if (isPunct(t, j, '>')) depth++;
      else if (isPunct(t, j, '>>')) depth += 2;
      else if (isPunct(t, j, '<')) {
        depth--;
        if (depth === 0) break;
      }
    }
    j = prevCode(t, j);
  }
  if (j < 0 || t.kind[j] !== Tok.Ident) return -1;
  let first = j;
  for (;;) {
    const p = prevCode(t, first);
    if (p >= 0 && isPunct(t, p, '::')) {
      const q = prevCode(t, p);
      if (q >= 0 && t.kind[q] === Tok.Ident) {
        first = q;
        continue;
      }
      first = p;
    }
    break;
  }
  return first;
}

/** Splits a launch configuration at top-level commas. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}
