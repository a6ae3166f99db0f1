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
  { code: 'HP203', family: 'warp', defaultSeverity: 'warning', title: 'Warp-synchronous intrinsic with a 32-bit lane mask', docs: DOCS.warpCrossLane },
  { code: 'HP205', family: 'warp', defaultSeverity: 'warning', title: '__activemask() returns a 64-bit mask on AMD', docs: DOCS.warpCrossLane },
  { code: 'HP206', family: 'warp', defaultSeverity: 'warning', title: '__syncwarp has no HIP equivalent in this ROCm version', docs: DOCS.warpCrossLane },
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
          ? `${why}${name}(${mask.text}, …) → ${legacy}(…): the 32-bit full mask is dropped, ${legacy} works on all active lanes of the 64-lane wavefront`
          : `${why}${name} with partial mask ${mask.text} → ${legacy}(…): the mask is dropped; check that all lanes of the 64-lane wavefront take part`,
        severity: full ? 'warning' : 'warning',
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
      // a string literal symbol name (old CUDA style) or a pointer obtained elsewhere: only wrap plain names
      if (t.kind[a0] === Tok.String) continue;
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
  for (let i = 0; i < t.count; i++) {
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
