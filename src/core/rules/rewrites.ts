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
const MISSING_DEFAULTS: Record<string, { params: number; defaults: readonly string[] }> = {
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

/** True when the target ROCm version has the `*_sync` warp intrinsics usable without opt-in macros (none yet). */
function targetHasSyncIntrinsics(target: string): boolean {
  // ROCm 6.2 added them behind HIP_ENABLE_WARP_SYNC_BUILTINS with 64-bit masks; we never rely on the opt-in.
  return compareVersions(target, '99.0') >= 0;
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

function warpSync(ctx: RuleContext): void {
  const t = ctx.tokens;
  const target = ctx.options.targetRocm;
  for (const name of SYNC_HIP_NAMES) {
    for (const i of ctx.identsNamed(name)) {
      const legacy = SYNC_TO_LEGACY[name]!;
      const open = nextCode(t, i);
      if (open < 0 || !isPunct(t, open, '(')) continue;
      const call = callArguments(t, open);
      const base = {
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'hazard' as const,
        library: 'device',
        cuda: name,
        hip: legacy,
      };
      if (!call || call.args.length < 2 || call.args[0]![0] > call.args[0]![1]) {
        ctx.report({ ...base, code: 'HP203', message: `${name}: HIP ${target} has no ${name}; use ${legacy} without the mask (could not read the call's arguments here)` });
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
      const why = targetHasSyncIntrinsics(target)
        ? ''
        : `HIP ${target} has no ${name} (HIP masks are 64-bit); `;
      ctx.report({
        ...base,
        code: 'HP203',
        message: full
          ? `${why}${name}(${mask.text}, …) → ${legacy}(…): the 32-bit full mask is dropped, ${legacy} works on all active lanes of the wavefront (64 on CDNA, 32 on RDNA)`
          : `${why}${name} with partial mask ${mask.text} → ${legacy}(…): the mask is dropped; check that all lanes of the wavefront (64 on CDNA, 32 on RDNA) take part`,
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

function cudaVersionMacros(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const name of CUDA_VERSION_MACROS) {
    for (const i of ctx.identsNamed(name)) {
      ctx.report({
        code: 'HP304',
        message: `${name} is not defined when compiling with hipcc: this check takes its "${name === '__NVCC__' ? 'not nvcc' : 'old/absent CUDA'}" branch; test HIP_VERSION or __HIP_PLATFORM_AMD__ instead`,
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'hazard',
        cuda: name,
      });
    }
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
  for (const [name, { params, defaults }] of Object.entries(MISSING_DEFAULTS)) {
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
        message: `${name}: HIP declares all ${params} parameters without defaults; the ${missing} omitted trailing argument(s) get CUDA's default value (${tail.join(', ')})`,
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
