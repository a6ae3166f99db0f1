/**
 * Wavefront-width hazards (family `warp`), for wave64 and wave32 alike. CUDA warps have 32 lanes;
 * AMD CDNA GPUs (gfx9: gfx90a, gfx94x) run 64-lane wavefronts and RDNA GPUs (gfx10, gfx11, gfx12)
 * 32-lane ones (src/core/arch.ts). HIP's vote functions return 64-bit masks on both.
 * Sources: HIP C++ language extensions, sections "warpSize" and "Warp cross-lane functions"
 * (DOCS.warpSize, DOCS.warpCrossLane); `__ballot` returns `unsigned long long`, `__popcll` takes
 * one, and `__shfl_down`/`__shfl_xor` take a `width` defaulting to `warpSize`, returning the
 * caller's own value when the source lane is past `width` (hip/amd_detail/amd_warp_functions.h,
 * HIP 5.2).
 *
 * What is wrong and what is not. Grouping lanes by 32 (`tid % 32`, `tid >> 5`, `WARP_SIZE` = 32)
 * is a *logical* 32-lane warp: it stays correct on a 64-lane wavefront as long as every cross-lane
 * operation stays inside 32-lane groups (a `__shfl_down`/`__shfl_xor` reduction from offset 16, a
 * shuffle with an explicit width of 32, `tiled_partition<32>`, `cub::WarpReduce<T, 32>`). It
 * breaks on wave64 when the same function uses an operation that spans the whole wavefront: a
 * ballot/vote (`__ballot`, `__any`, `__all`, `__activemask`, lane masks), or a shuffle that reads
 * an absolute lane with the default width (`__shfl(v, 0)` broadcasts lane 0 to lanes 32..63 too,
 * `__shfl_up` scans). The same holds the other way for 64: `tid % 64`, a reduction starting at
 * offset 32, a width-64 shuffle or a full 64-bit mask comparison are wrong on wave32 GPUs. And a
 * reduction from offset 16 is wrong on wave64 when the function groups lanes by `warpSize` (only
 * half of each wavefront is reduced).
 *
 * Severity follows the configured targets (`ResolvedOptions.offloadArch`): warning when a finding
 * breaks a wavefront width of one of them, information otherwise. Fixes are portable: `warpSize`
 * in device code, a per-architecture compile-time width (`__GFX9__` → 64, else 32) for constants,
 * never one build-wide value.
 *
 * Codes:
 * - HP201 32-lane assumption that breaks wave64 (see above), warp-size constants defined as 32
 *   (information: the place to make the width per-architecture), `warpSize` redefined;
 * - HP202 a ballot result stored in a 32-bit type (wave64);
 * - HP204 `__popc` counting a ballot mask (wave64; → `__popcll`, automatic for the direct ballot
 *   call or a 64-bit variable initialised from one in the same function);
 * - HP207 a 32-bit lane mask built by hand (`1u << lane`, `0xffffffff >> n`) next to ballot code (wave64);
 * - HP208 64-lane assumption that breaks wave32 (`% 64` with cross-lane operations, reduction from
 *   offset 32, width-64 shuffles, full 64-bit mask comparisons, constants defined as 64);
 * - HP209 (src/core/rules/warp-host.ts) a host warp constant sizing a launch or buffer for kernels
 *   that work per wavefront.
 * A lane grouping may also use a constant of any name defined as 32 or 64 in the file when it
 * groups `threadIdx` (`threadIdx.x % WS`). Where a function groups lanes by 32 and its only
 * whole-wavefront operations are absolute-lane shuffles, the fix passes a width of 32 to each
 * shuffle (a logical warp); a `__shfl_up` scan guarded by `lane >= d` is not one. One cause is one
 * finding: the other places (shuffles, uses of the constant, `__popc` calls) are related.
 *
 * Near-misses on purpose: `float s[32]` (array size), `for (i = 0; i < 32; ...)` (loop bound),
 * `x * 32` with `x` not a warp index, and launch configurations such as `dim3 block(32)`.
 */
import { Tok, PP, callArguments, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import type { RelatedSpan, Severity, TextEdit } from '../findings';
import type { SyntaxNode } from '../parse';
import { describeWave, waveSizesOf, type WaveSize } from '../arch';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { functionOfToken, isDeviceFunction, isIdent, statementSpan, tokenAt, tokenText, type FnDef } from './util';
import { compareVersions } from '../mappings';
import { tokenRange } from './util';

export const WARP_CODES: readonly RuleCode[] = [
  { code: 'HP201', family: 'warp', defaultSeverity: 'warning', title: '32-lane warp assumed where a 64-lane (wave64, CDNA) wavefront breaks it', docs: DOCS.warpSize },
  { code: 'HP202', family: 'warp', defaultSeverity: 'warning', title: 'Ballot result stored in a 32-bit type (HIP masks are 64-bit)', docs: DOCS.warpCrossLane },
  { code: 'HP204', family: 'warp', defaultSeverity: 'warning', title: '__popc on a 64-bit ballot mask (use __popcll)', docs: DOCS.warpCrossLane },
  { code: 'HP207', family: 'warp', defaultSeverity: 'warning', title: 'Hand-built 32-bit lane mask used with ballot results', docs: DOCS.warpCrossLane },
  { code: 'HP208', family: 'warp', defaultSeverity: 'warning', title: '64-lane wavefront assumed where a 32-lane (wave32, RDNA) wavefront breaks it', docs: DOCS.warpSize },
];

/** Names of constants that hold the warp size (`WARP_SIZE`, `C10_WARP_SIZE`, `kWarpSize`, `WAVE`). */
export const WARP_SIZE_NAME = /^(?:[A-Za-z0-9]*_)?(?:[kc]_?|g_)?(?:warp_?size|warpsz|warp_?sz|threads_?per_?warp|warp_?threads|wavefront_?size|wave_?size)$|^(?:WAVE|WARP|kWave|kWarp)$/i;
/** Identifiers that make an operand a lane/thread index (for `% 32`, `& 31`, `/ 32`, `>> 5`, `== 31`). */
const LANE_NAME = /lane|warp|wave|^threadIdx$|^t?idx_?in_?warp$|^tid$|^ltid$|^tidx$|^thread_?id(?:x)?$|^local_?tid$/i;
/** Identifiers that make an operand a warp index or count (for `* 32`, `<< 5`). */
const WARP_NAME = /warp|wave/i;
/** Names that already are the portable warp size. */
const PORTABLE = new Set(['warpSize', 'WARP_SIZE_DYNAMIC']);
const BALLOTS = ['__ballot', '__ballot_sync', '__activemask'];
/** Operations whose result spans the whole wavefront (every lane of 64 on wave64). */
export const WAVE_WIDE = ['__ballot', '__ballot_sync', '__activemask', '__any', '__all', '__any_sync', '__all_sync', '__lanemask_lt', '__lanemask_gt', '__lanemask_eq', '__match_any_sync', '__match_all_sync'];
/** Shuffles reading an absolute source lane: `(v, src[, width])`, `_sync`: `(mask, v, src[, width])`. */
export const ABSOLUTE_SHUFFLES = ['__shfl', '__shfl_sync', '__shfl_up', '__shfl_up_sync'];
/** Shuffles reading a lane relative to the caller (reductions). */
const RELATIVE_SHUFFLES = ['__shfl_down', '__shfl_down_sync', '__shfl_xor', '__shfl_xor_sync'];
const THIRTY_TWO_BIT_TYPES = new Set(['unsigned', 'unsigned int', 'int', 'signed', 'signed int', 'uint32_t', 'std::uint32_t', 'int32_t', 'std::int32_t', 'uint', 'unsigned32', 'u32']);
/** Types that hold a whole 64-bit ballot mask (LP64 Linux: long is 64-bit). */
const WIDE_TYPES = new Set(['unsigned long long', 'unsigned long long int', 'long long', 'long long int', 'uint64_t', 'std::uint64_t', 'int64_t', 'std::int64_t', 'unsigned long', 'unsigned long int', 'long', 'size_t', 'std::size_t', 'auto']);
const DECL_QUALIFIERS = new Set(['const', 'static', 'volatile', 'register', '__shared__', 'constexpr', 'auto_', '__restrict__']);

export const warpRule: Rule = {
  id: 'warp',
  family: 'warp',
  codes: WARP_CODES,
  run(ctx) {
    const masks = laneMaskContext(ctx);
    const waves = waveSizesOf(ctx.options.offloadArch);
    const env: Env = { ctx, waves, constants: new Map(), groups: new Map() };
    scanTokens(env, masks);
    for (const g of env.groups.values()) judge(env, g);
    const vars = ballots(env);
    popc(env, vars);
    sharedWarpArrays(env);
  },
};

/** The width (32 or 64) a token stands for: the literal, or a warp-size constant defined in this file. */
function widthOf(env: Env, i: number): 32 | 64 | undefined {
  const t = env.ctx.tokens;
  if (i < 0) return undefined;
  const x = tokenText(t, i).replace(/[uUlL]+$/, '');
  if (t.kind[i] === Tok.Number) return x === '32' ? 32 : x === '64' ? 64 : undefined;
  if (t.kind[i] === Tok.Ident && WARP_SIZE_NAME.test(x)) return constantNamed(env, x)?.value;
  return undefined;
}

/**
 * How the variable or expression in tokens `[a, b)` of function body `[open, close]` relates to
 * `warpSize`: `warp` for a warp index (`x / warpSize`, or a variable initialised from one in the
 * function), `lane` for a lane index (`x % warpSize`, `x & (warpSize - 1)`, `__lane_id()`, or a
 * variable initialised from one), undefined otherwise.
 */
function warpSizeIndex(t: Tokens, a: number, b: number, open: number, close: number, depth = 0): 'warp' | 'lane' | undefined {
  for (let i = a; i < b; i++) {
    if (t.kind[i] === Tok.Comment) continue;
    if (isIdent(t, i, '__lane_id')) return 'lane';
    if (isIdent(t, i, 'warpSize')) {
      const p = prevCode(t, i);
      if (isPunct(t, p, '/')) return 'warp';
      if (isPunct(t, p, '%')) return 'lane';
      if (isPunct(t, p, '(') && isPunct(t, prevCode(t, p), '&')) return 'lane';
    }
  }
  if (depth > 0) return undefined;
  // a single variable: look at its initialisation / assignment in the function
  const v = nextCode(t, a - 1);
  if (v < 0 || v >= b || t.kind[v] !== Tok.Ident || nextCode(t, v) < b) return undefined;
  const name = tokenText(t, v);
  for (let i = open + 1; i < close; i++) {
    if (i === v || !isIdent(t, i, name) || !isPunct(t, nextCode(t, i), '=')) continue;
    const from = nextCode(t, nextCode(t, i));
    let end = from;
    while (end < close && !isPunct(t, end, ';')) end++;
    const k = warpSizeIndex(t, from, end, open, close, depth + 1);
    if (k) return k;
  }
  return undefined;
}

/**
 * Shared arrays sized by a fixed warp width but indexed by the real one (issue 16, class 1):
 * `__shared__ T s[N / 64]` (one slot per 64-lane wavefront) indexed by a warp index computed with
 * `warpSize` overflows on wave32, where a block has twice as many wavefronts (HP208);
 * `__shared__ T s[32]` (one slot per lane of a 32-lane warp) indexed by a lane computed with
 * `warpSize` overflows on wave64, where lanes run to 63 (HP201). Sized and indexed by the same
 * fixed width (a logical warp), or by `warpSize`-derived sizes, it stays quiet. Only accesses in
 * the function declaring the array are read.
 */
function sharedWarpArrays(env: Env): void {
  const ctx = env.ctx;
  const t = ctx.tokens;
  for (const sh of ctx.identsNamed('__shared__')) {
    if (t.pp[sh] !== PP.None) continue;
    // `__shared__ <type...> name [ size ]`
    let i = nextCode(t, sh);
    let name = -1;
    for (let k = 0; k < 8 && i >= 0 && i < t.count; k++, i = nextCode(t, i)) {
      if (isPunct(t, i, '[')) {
        name = prevCode(t, i);
        break;
      }
      if (isPunct(t, i, ';') || isPunct(t, i, '=') || isPunct(t, i, '(')) break;
    }
    if (name < 0 || t.kind[name] !== Tok.Ident) continue;
    const open = i;
    let close = open;
    for (let d = 0; close < t.count; close++) {
      if (isPunct(t, close, '[')) d++;
      else if (isPunct(t, close, ']') && --d === 0) break;
    }
    const size: number[] = [];
    for (let k = nextCode(t, open); k >= 0 && k < close; k = nextCode(t, k)) size.push(k);
    let per64 = false;
    let lanes32 = false;
    if (size.length === 1 && widthOf(env, size[0]!) === 32) lanes32 = true;
    for (let k = 1; k < size.length; k++) {
      const op = size[k - 1]!;
      if ((isPunct(t, op, '/') && widthOf(env, size[k]!) === 64) || (isPunct(t, op, '>>') && tokenText(t, size[k]!) === '6')) per64 = true;
    }
    if (!per64 && !lanes32) continue;
    const fn = functionOfToken(ctx, sh);
    if (!fn) continue;
    const arr = tokenText(t, name);
    for (let u = fn.open + 1; u < fn.close; u++) {
      if (u === name || !isIdent(t, u, arr) || !isPunct(t, nextCode(t, u), '[')) continue;
      const a = nextCode(t, u);
      let b = a;
      for (let d = 0; b < fn.close; b++) {
        if (isPunct(t, b, '[')) d++;
        else if (isPunct(t, b, ']') && --d === 0) break;
      }
      const kind = warpSizeIndex(t, a + 1, b, fn.open, fn.close);
      const bad = per64 && kind === 'warp' ? 32 : lanes32 && kind === 'lane' ? 64 : undefined;
      if (!bad) continue;
      const sizeText = t.text.slice(t.end[open]!, t.start[close]!).trim();
      const idx = t.text.slice(t.end[a]!, t.start[b]!).trim();
      ctx.report({
        code: bad === 32 ? 'HP208' : 'HP201',
        message:
          bad === 32
            ? `__shared__ ${arr}[${sizeText}] has one slot per 64-lane wavefront but is indexed by a warp index computed with warpSize (${idx}): on ${hurt(env, 32)} a block has twice as many wavefronts and the accesses overflow it; size it by 32 (the most wavefronts of any AMD GPU) or per architecture`
            : `__shared__ ${arr}[${sizeText}] has one slot per lane of a 32-lane warp but is indexed by a lane computed with warpSize (${idx}): on ${hurt(env, 64)} lanes 32..63 index past its end; size it by 64 or per architecture (64 under __GFX9__)`,
        severity: severityFor(env, bad),
        start: t.start[u]!,
        end: t.end[b]!,
        status: 'hazard',
        related: [{ start: t.start[name]!, end: t.end[close]!, message: `${arr} declared with ${sizeText} slots here` }],
      });
      break;
    }
  }
}

/** Rule state of one run. */
interface Env {
  ctx: RuleContext;
  /** Wavefront widths of the configured targets. */
  waves: Set<WaveSize>;
  /** Warp-size constant name → its definition (value and offsets), or null when none is known. */
  constants: Map<string, Constant | null>;
  /** Events by function (keyed by its body's `{` token; -1: outside any function). */
  groups: Map<number, Group>;
}

/** A warp-size constant defined in this file: `#define WARP_SIZE 32`, `constexpr int kWarpSize = 32`. */
export interface Constant {
  name: string;
  value: 32 | 64;
  /** The number token of the definition. */
  numTok: number;
  /** `#define` (true) or a C++ constant. */
  macro: boolean;
}

/** A lane-grouping site: `% 32`, `& 63`, `>> 5`, `lane == 31`, `% WARP_SIZE`. */
interface Site {
  width: 32 | 64;
  start: number;
  end: number;
  shown: string;
  /** The portable rewrite of this site (none for a warp-size constant's use: the fix is at its definition). */
  edits: TextEdit[];
  constant?: Constant;
}

/** What one function does with lanes. */
interface Group {
  fn: FnDef | undefined;
  device: boolean;
  sites: Site[];
  /** Whole-wavefront operations (ballots, votes, absolute-lane shuffles with the default width; `close`: a shuffle's `)` token). */
  wide: Array<{ start: number; end: number; name: string; close?: number }>;
  /** Any cross-lane operation (shuffle of any kind, vote, ballot). */
  crossLane: Array<{ start: number; end: number; name: string }>;
  /** Shuffle reductions with the default width, by start offset. */
  reductions: Array<{ offset: 16 | 32; tok: number }>;
  /** `warpSize` read in lane arithmetic. */
  usesWarpSize: number;
  /** `warpSize` appears in the function (it is written for the real wavefront width somewhere). */
  mentionsWarpSize: boolean;
  /** Absolute-lane shuffles with a 32-bit full mask and the default width: `__shfl_sync(0xffffffff, v, 0)`. */
  mask32: Array<{ start: number; end: number; name: string; close: number }>;
}

/** The severity of a finding that breaks `breaks` under the configured targets. */
function severityFor(env: Env, breaks: WaveSize): Severity {
  return env.waves.has(breaks) ? 'warning' : 'information';
}

/** "wave64 (gfx90a)" for messages. */
function hurt(env: Env, w: WaveSize): string {
  return describeWave(w, env.ctx.options.offloadArch);
}

function groupOf(env: Env, i: number): Group {
  const fn = functionOfToken(env.ctx, i);
  const key = fn ? fn.open : -1;
  let g = env.groups.get(key);
  if (!g) {
    g = { fn, device: fn ? isDeviceFunction(env.ctx, fn) : false, sites: [], wide: [], crossLane: [], reductions: [], usesWarpSize: -1, mentionsWarpSize: false, mask32: [] };
    env.groups.set(key, g);
  }
  return g;
}

/**
 * One pass over the window's number tokens (lane arithmetic, definitions), then the window's
 * distinct identifiers (constants, `warpSize`, shuffles, votes) from its identifier index, so that
 * no identifier text is sliced per token.
 */
function scanTokens(env: Env, masks: number[] | undefined): void {
  const { ctx } = env;
  const t = ctx.tokens;
  const { kind, start, end, text } = t;
  for (let i = ctx.firstToken; i < ctx.endToken; i++) {
    if (kind[i] !== Tok.Number) continue;
    const len = end[i]! - start[i]!;
    const c0 = text.charCodeAt(start[i]!);
    if (masks && (c0 === 49 || c0 === 48)) laneMask(env, i, masks);
    if (len > 6) {
      if (len >= 18 && c0 === 48) fullMaskCompare(env, i);
      continue;
    }
    const lit = text.slice(start[i], end[i]).replace(/[uUlL]+$/, '').toLowerCase();
    const kindOf = LITERALS[lit];
    if (!kindOf) continue;
    if (kindOf.what === 'size') definition(env, i, kindOf.width);
    arithmetic(env, i, kindOf.width, kindOf.what);
  }
  for (const name of CROSS_LANE) for (const i of ctx.identsNamed(name)) crossLaneCall(env, i, name);
  for (const i of ctx.identsNamed('warpSize')) {
    groupOf(env, i).mentionsWarpSize = true;
    if (isLaneArithmeticOperand(t, i)) {
      const g = groupOf(env, i);
      if (g.usesWarpSize < 0 || i < g.usesWarpSize) g.usesWarpSize = i;
    }
  }
  for (const [name, list] of ctx.identIndex()) {
    if (name === 'warpSize' || !WARP_SIZE_NAME.test(name)) continue;
    for (const i of list) constantUse(env, i, name);
  }
  for (const i of ctx.identsNamed('threadIdx')) threadConstantUse(env, i);
  // events in text order, whatever order the passes found them in
  for (const g of env.groups.values()) {
    g.sites.sort((x, y) => x.start - y.start);
    g.wide.sort((x, y) => x.start - y.start);
    g.crossLane.sort((x, y) => x.start - y.start);
    g.mask32.sort((x, y) => x.start - y.start);
  }
}

/** Every cross-lane operation the rule looks at. */
export const CROSS_LANE: readonly string[] = [...new Set([...WAVE_WIDE, ...ABSOLUTE_SHUFFLES, ...RELATIVE_SHUFFLES])];

type What = 'size' | 'mask' | 'shift';
export const LITERALS: Record<string, { width: 32 | 64; what: What }> = {
  '32': { width: 32, what: 'size' },
  '0x20': { width: 32, what: 'size' },
  '31': { width: 32, what: 'mask' },
  '0x1f': { width: 32, what: 'mask' },
  '5': { width: 32, what: 'shift' },
  '64': { width: 64, what: 'size' },
  '0x40': { width: 64, what: 'size' },
  '63': { width: 64, what: 'mask' },
  '0x3f': { width: 64, what: 'mask' },
  '6': { width: 64, what: 'shift' },
};

/**
 * True when name token `i` is the right operand of `%`, `/` or `&`, or sits in `& (NAME - 1)`:
 * lane grouping by a width (strides such as `i += WARP_SIZE` or `WARP_SIZE * y` are not).
 */
export function isLaneArithmeticOperand(t: Tokens, i: number): boolean {
  const p = prevCode(t, i);
  if (isPunct(t, p, '%') || isPunct(t, p, '/') || isPunct(t, p, '&')) return true;
  const n = nextCode(t, i);
  return isPunct(t, p, '(') && isPunct(t, prevCode(t, p), '&') && isPunct(t, n, '-') && tokenText(t, nextCode(t, n)) === '1';
}

/** The portable per-architecture definition that replaces `#define NAME 32` (or 64). */
function perArchDefine(name: string, eol: string): string {
  return `#if defined(__GFX9__)${eol}#define ${name} 64${eol}#else${eol}#define ${name} 32${eol}#endif`;
}

/**
 * `#define WARP_SIZE 32`, `constexpr int kWarpSize = 32`, `enum { WARPSIZE = 32 }` (and 64):
 * reported at information severity (the definition alone breaks nothing: its uses do, and they
 * are reported with it as related information); `warpSize` itself redefined: warning.
 */
function definition(env: Env, i: number, width: 32 | 64): void {
  const { ctx } = env;
  const t = ctx.tokens;
  const c = definedConstantAt(t, i, width);
  if (!c) return;
  const n = c.name;
  const lit = tokenText(t, i);
  if (n === 'warpSize') {
    ctx.report({
      code: 'HP201',
      message: `'warpSize' redefined as ${lit}: HIP already declares warpSize (64 on wave64 GPUs, 32 on wave32 ones); remove this definition and use HIP's`,
      start: t.start[prevCode(t, prevCode(t, i))] ?? t.start[i]!,
      end: t.end[i]!,
      status: 'hazard',
      cuda: 'warpSize',
      hip: 'warpSize',
    });
    return;
  }
  // defined with both widths (`#if __GFX9__ … 64 #else … 32`): already per architecture
  if (n !== 'warpSize' && constantNamed(env, n) === null) return;
  const fix = definitionFix(env, c);
  const how = `${c.macro ? `define it per architecture (then start shuffle reductions at ${n} / 2)` : 'use warpSize in device code'}, and read hipDeviceProp_t::warpSize in host code`;
  ctx.report({
    code: width === 32 ? 'HP201' : 'HP208',
    severity: 'information',
    message:
      width === 32
        ? `${n} = ${lit} is one warp width for every GPU: on ${hurt(env, 64)} GPUs it is half a wavefront (fine for 32-lane groups, wrong with ballots or lane-0 broadcasts); ${how}`
        : `${n} = ${lit} is one wavefront width for every GPU: ${hurt(env, 32)} GPUs run 32-lane wavefronts, so a 64-lane group spans two of them; ${how}`,
    start: t.start[i]!,
    end: t.end[i]!,
    status: 'hazard',
    cuda: n,
    hip: 'warpSize',
    ...(fix ? { fix } : {}),
  });
}

/** The constant `NAME` defined by the number token `i` (`#define NAME 32`, `NAME = 32`), or undefined. */
export function definedConstantAt(t: Tokens, i: number, width: 32 | 64, anyName = false): Constant | undefined {
  const p = prevCode(t, i);
  if (t.pp[i] === PP.Define && isIdent(t, p) && t.kind[prevCode(t, p)] === Tok.Directive) {
    // `#define NAME 32` with nothing after the number on the line
    const n = nextCode(t, i);
    if (n >= 0 && t.pp[n] === PP.Define && t.kind[n] !== Tok.Directive) return undefined;
    const name = tokenText(t, p);
    return anyName || WARP_SIZE_NAME.test(name) ? { name, value: width, numTok: i, macro: true } : undefined;
  }
  if (isPunct(t, p, '=') && isIdent(t, prevCode(t, p))) {
    const before = prevCode(t, prevCode(t, p));
    // `a == 32` / `a != 32` are comparisons, not definitions
    if (isPunct(t, before, '=') || isPunct(t, before, '!') || isPunct(t, before, '<') || isPunct(t, before, '>')) return undefined;
    const n = nextCode(t, i);
    if (!isPunct(t, n, ';') && !isPunct(t, n, ',') && !isPunct(t, n, '}')) return undefined;
    const name = tokenText(t, prevCode(t, p));
    return anyName || WARP_SIZE_NAME.test(name) ? { name, value: width, numTok: i, macro: false } : undefined;
  }
  return undefined;
}

/** The portable rewrite of a constant's definition: per-architecture `#if` for a macro, `warpSize` for a device constant. */
function definitionFix(env: Env, c: Constant): ReturnType<RuleContext['fix']> | undefined {
  const { ctx } = env;
  const t = ctx.tokens;
  if (c.macro) {
    const dir = prevCode(t, prevCode(t, c.numTok));
    return ctx.fix(`Define ${c.name} per architecture (64 under __GFX9__, else 32)`, [{ start: t.start[dir]!, end: t.end[c.numTok]!, newText: perArchDefine(c.name, ctx.eol) }], false);
  }
  return ctx.fix(`Use warpSize for ${c.name}`, [{ start: t.start[c.numTok]!, end: t.end[c.numTok]!, newText: 'warpSize' }], false);
}

/**
 * The definition of warp-size constant `name` in this file (read through fileIdentsNamed), or null
 * when there is none, or when the file defines it with both 32 and 64 (already per architecture).
 */
function constantNamed(env: Env, name: string, anyName = false): Constant | null {
  const known = env.constants.get(name);
  if (known !== undefined) return known;
  const t = env.ctx.tokens;
  let found: Constant | null = null;
  for (const k of env.ctx.fileIdentsNamed(name, { before: 3, after: 3 })) {
    const n = nextCode(t, k);
    const num = t.kind[n] === Tok.Number ? n : isPunct(t, n, '=') && t.kind[nextCode(t, n)] === Tok.Number ? nextCode(t, n) : -1;
    if (num < 0) continue;
    const lit = LITERALS[tokenText(t, num).replace(/[uUlL]+$/, '').toLowerCase()];
    if (!lit || lit.what !== 'size') continue;
    const c = definedConstantAt(t, num, lit.width, anyName);
    if (!c || c.name !== name) continue;
    if (found && found.value !== c.value) {
      found = null;
      break;
    }
    found ??= c;
  }
  env.constants.set(name, found);
  return found;
}

/** `% WARP_SIZE`, `& (WARP_SIZE - 1)`, `/ kWarpSize` with the constant defined as 32 or 64 in this file. */
function constantUse(env: Env, i: number, name: string): void {
  const t = env.ctx.tokens;
  if (t.pp[i] !== PP.None) return;
  if (!isLaneArithmeticOperand(t, i)) return;
  const c = constantNamed(env, name);
  if (!c) return;
  groupOf(env, i).sites.push({ width: c.value, start: t.start[i]!, end: t.end[i]!, shown: name, edits: [], constant: c });
}

/**
 * `threadIdx.x % WS`, `threadIdx.x / WS`, `threadIdx.x & (WS - 1)` with a constant of any name
 * (`static const int WS = 32;`, `#define LANES 32`) defined as 32 or 64 in this file: the thread
 * index is grouped by a warp width, whatever the constant is called (gc's `WS`, "warp size and bits
 * per int"). Warp-size names are already handled by {@link constantUse}.
 */
function threadConstantUse(env: Env, i: number): void {
  const t = env.ctx.tokens;
  if (t.pp[i] !== PP.None) return;
  // `threadIdx . x <op> NAME` or `threadIdx . x <op> ( NAME - 1 )`
  const dot = nextCode(t, i);
  const axis = nextCode(t, dot);
  if (!isPunct(t, dot, '.') || !isIdent(t, axis)) return;
  const op = nextCode(t, axis);
  if (!isPunct(t, op, '%') && !isPunct(t, op, '/') && !isPunct(t, op, '&')) return;
  let k = nextCode(t, op);
  if (isPunct(t, op, '&')) {
    if (!isPunct(t, k, '(')) return;
    k = nextCode(t, k);
  }
  if (!isIdent(t, k)) return;
  const name = tokenText(t, k);
  if (name === 'warpSize' || WARP_SIZE_NAME.test(name) || !isLaneArithmeticOperand(t, k)) return;
  const c = constantNamed(env, name, true);
  if (!c) return;
  // the constant may mean more than the warp width elsewhere ("bits per int"): the fix is at this use
  groupOf(env, k).sites.push({ width: c.value, start: t.start[k]!, end: t.end[k]!, shown: name, edits: [{ start: t.start[k]!, end: t.end[k]!, newText: 'warpSize' }], constant: c });
}

type Op = '%' | '/' | '*' | '&' | '>>' | '<<' | '==';

/** The operator token before a number (or after it for `32 * x`), honouring compound assignment. */
function operatorBefore(t: Tokens, i: number): { op: Op; tok: number } | undefined {
  let p = prevCode(t, i);
  if (p < 0 || t.kind[p] !== Tok.Punct) return undefined;
  if (isPunct(t, p, '=')) {
    const q = p - 1;
    if (q < 0 || t.kind[q] !== Tok.Punct || t.end[q] !== t.start[p]) return undefined;
    if (isPunct(t, q, '=')) return { op: '==', tok: q };
    p = q;
  }
  const s = tokenText(t, p);
  if (s === '%' || s === '/' || s === '*' || s === '&' || s === '>>' || s === '<<') {
    // `&` as address-of or `*` as dereference have no left operand
    const before = prevCode(t, p);
    if (before < 0) return undefined;
    const kb = t.kind[before];
    if (kb === Tok.Punct && !isPunct(t, before, ')') && !isPunct(t, before, ']')) return undefined;
    return { op: s, tok: p };
  }
  return undefined;
}

/** Lane arithmetic with a literal width: a {@link Site} of the enclosing function. */
function arithmetic(env: Env, i: number, width: 32 | 64, what: What): void {
  const { ctx } = env;
  const t = ctx.tokens;
  if (t.pp[i] !== PP.None) return;
  let found = operatorBefore(t, i);
  let numberLeft = false;
  if (!found && what === 'size') {
    const n = nextCode(t, i);
    if (isPunct(t, n, '*') && !isPunct(t, prevCode(t, i), '*')) {
      found = { op: '*', tok: n };
      numberLeft = true;
    }
  }
  if (!found) return;
  const { op } = found;
  const ok =
    (what === 'size' && (op === '%' || op === '/' || op === '*')) ||
    (what === 'mask' && (op === '&' || op === '==')) ||
    (what === 'shift' && (op === '>>' || op === '<<'));
  if (!ok) return;
  const needWarp = op === '*' || op === '<<';
  if (!operandIsLane(ctx, i, found.tok, numberLeft, needWarp ? WARP_NAME : LANE_NAME)) return;
  const numText = tokenText(t, i);
  const s = t.start[i]!;
  const e = t.end[i]!;
  let edits: TextEdit[];
  if (op === '>>' || op === '<<') {
    const compound = t.text[t.end[found.tok]!] === '=';
    edits = [{ start: t.start[found.tok]!, end: e, newText: `${op === '>>' ? '/' : '*'}${compound ? '=' : ''} warpSize` }];
  } else if (op === '&') edits = [{ start: s, end: e, newText: '(warpSize - 1)' }];
  else if (op === '==') edits = [{ start: s, end: e, newText: '(warpSize - 1)' }];
  else edits = [{ start: s, end: e, newText: 'warpSize' }];
  const shown = op === '>>' || op === '<<' || op === '==' ? `${op} ${numText}` : numberLeft ? `${numText} *` : `${op} ${numText}`;
  groupOf(env, i).sites.push({ width, start: op === '>>' || op === '<<' ? t.start[found.tok]! : s, end: e, shown, edits });
}

/**
 * True when the other operand of the operator, or the variable the expression initialises or is
 * assigned to, names a lane/warp index. With a tree: the sibling operand of the binary
 * expression and the declarator/assignee; without: identifiers of the surrounding statement
 * before the operator.
 */
function operandIsLane(ctx: RuleContext, num: number, opTok: number, numberLeft: boolean, names: RegExp): boolean {
  const t = ctx.tokens;
  // the statement's tokens on the operator's side hold every name the tree check reads (the other
  // operand, the assignee): without a lane name there, no tree query is needed
  const [a, b] = statementSpan(t, num);
  const [from, to] = numberLeft ? [opTok + 1, b] : [a, opTok - 1];
  if (from > to || !rangeHasName(t, t.start[from]!, t.end[to]!, names)) return false;
  const node = ctx.tree ? ctx.nodeAt(t.start[num]!, t.end[num]!) : undefined;
  if (node && node.type === 'number_literal') {
    const parent = node.parent;
    if (!parent || (parent.type !== 'binary_expression' && parent.type !== 'assignment_expression')) return false;
    const other = numberLeft ? parent.childForFieldName('right') : parent.childForFieldName('left');
    if (other && rangeHasName(t, other.startIndex, other.endIndex, names)) return true;
    const target = assignee(t.text, parent);
    if (target && names.test(target) && !WARP_SIZE_NAME.test(target)) return true;
    return false;
  }
  // token-only: identifiers of the statement on the operator's other side, and the declared name
  return true;
}

/**
 * Name initialised or assigned with the value of `n` (walking up through operators and parentheses,
 * at most 5 levels, never above the enclosing declaration or statement), or undefined. Names are
 * read from `text` (a node's own text may be stale in an incremental analysis).
 */
function assignee(text: string, n: SyntaxNode): string | undefined {
  let cur: SyntaxNode | null = n;
  for (let depth = 0; cur && depth < 5; depth++) {
    const p: SyntaxNode | null = cur.parent;
    if (!p) return undefined;
    if (p.type === 'init_declarator') {
      const d = p.childForFieldName('declarator');
      return d && d.type === 'identifier' ? text.slice(d.startIndex, d.endIndex) : undefined;
    }
    if (p.type === 'assignment_expression' && cur !== p.childForFieldName('left')) {
      const l = p.childForFieldName('left');
      return l && l.type === 'identifier' ? text.slice(l.startIndex, l.endIndex) : undefined;
    }
    if (p.type !== 'binary_expression' && p.type !== 'parenthesized_expression' && p.type !== 'cast_expression') return undefined;
    cur = p;
  }
  return undefined;
}

function rangeHasName(t: Tokens, start: number, end: number, names: RegExp): boolean {
  for (let j = tokenAt(t, start); j < t.count && t.start[j]! < end; j++) {
    if (t.kind[j] !== Tok.Ident) continue;
    const s = tokenText(t, j);
    if (PORTABLE.has(s) || WARP_SIZE_NAME.test(s)) continue;
    if (names.test(s)) return true;
  }
  return false;
}

/** The literal value of a width argument (a number, or a warp-size constant of this file), or undefined. */
function widthValue(env: Env, a: number, b: number): number | undefined {
  const t = env.ctx.tokens;
  if (a !== b) return undefined;
  if (t.kind[a] === Tok.Number) return Number.parseInt(tokenText(t, a).replace(/[uUlL]+$/, ''), tokenText(t, a).toLowerCase().startsWith('0x') ? 16 : 10);
  if (isIdent(t, a, 'warpSize')) return 0;
  if (isIdent(t, a) && WARP_SIZE_NAME.test(tokenText(t, a))) return constantNamed(env, tokenText(t, a))?.value;
  return undefined;
}

/** A vote, ballot or shuffle call: records what it spans; reports width-64 shuffles (HP208). */
function crossLaneCall(env: Env, i: number, name: string): void {
  const { ctx } = env;
  const t = ctx.tokens;
  const open = nextCode(t, i);
  if (!isPunct(t, open, '(')) return;
  const g = groupOf(env, i);
  const at = { start: t.start[i]!, end: t.end[i]!, name };
  g.crossLane.push(at);
  if (WAVE_WIDE.includes(name)) {
    g.wide.push(at);
    return;
  }
  const call = callArguments(t, open);
  if (!call) return;
  const sync = name.endsWith('_sync');
  const nArgs = call.args.length;
  const hasWidth = nArgs === (sync ? 4 : 3);
  if (hasWidth) {
    const [a, b] = call.args[nArgs - 1]!;
    const w = widthValue(env, a, b);
    if (w !== undefined && w > 32) {
      const fixEdit = { start: t.start[a]!, end: t.end[b]!, newText: 'warpSize' };
      ctx.report({
        code: 'HP208',
        severity: severityFor(env, 32),
        message: `${name} with width ${tokenText(t, a)} spans 64 lanes: ${hurt(env, 32)} GPUs run 32-lane wavefronts, so lanes read across two wavefronts give wrong values; use warpSize`,
        start: t.start[a]!,
        end: t.end[b]!,
        status: 'hazard',
        library: 'device',
        cuda: tokenText(t, a),
        hip: 'warpSize',
        fix: ctx.fix('Use warpSize as the width', [fixEdit], false),
      });
    }
    // an explicit width of 32 or less is a logical warp: correct on every wavefront size
    return;
  }
  if (ABSOLUTE_SHUFFLES.includes(name)) {
    // a scan step guarded by `lane >= d` reads only lanes of its own 32-lane group: right on wave64
    if (name.startsWith('__shfl_up') && guardedScan(t, g, call.args[sync ? 2 : 1])) return;
    g.wide.push({ ...at, close: call.close });
    if (sync && call.args.length === 3) {
      const [m0, m1] = call.args[0]!;
      if (m0 === m1 && /^0[xX][fF]{8}(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU])$/.test(tokenText(t, m0))) g.mask32.push({ ...at, close: call.close });
    }
    return;
  }
  // relative shuffle with the default width: a reduction; its start offset tells the width it assumes
  const offArg = call.args[sync ? 2 : 1];
  if (!offArg) return;
  const [a, b] = offArg;
  if (a === b && t.kind[a] === Tok.Number) {
    const v = tokenText(t, a).replace(/[uU]$/, '');
    if (v === '16' || v === '32') g.reductions.push({ offset: Number(v) as 16 | 32, tok: a });
    return;
  }
  if (a === b && isIdent(t, a)) {
    const start = loopStart(t, i, tokenText(t, a));
    if (start >= 0) {
      const v = tokenText(t, start).replace(/[uU]$/, '');
      if (v === '16' || v === '32') g.reductions.push({ offset: Number(v) as 16 | 32, tok: start });
    }
  }
}

/**
 * True when the function of group `g` compares something with `>= d` (or `< d`), `d` being the
 * delta argument of a `__shfl_up` (one identifier or number): the scan idiom
 * `t = __shfl_up(v, d); if (lane >= d) v += t;`. With the lane counted in 32-lane groups, the
 * guard keeps every read inside the caller's group (source lane = lane - d), so the default
 * width, the whole wavefront, gives the same values as a width of 32.
 */
function guardedScan(t: Tokens, g: Group, delta: [number, number] | undefined): boolean {
  if (!delta || delta[0] !== delta[1] || !g.fn) return false;
  const d = tokenText(t, delta[0]);
  if (t.kind[delta[0]] !== Tok.Ident && t.kind[delta[0]] !== Tok.Number) return false;
  for (let k = g.fn.open + 1; k < g.fn.close && k < t.count; k++) {
    if (t.kind[k] !== Tok.Punct) continue;
    // `>=` may be one token or `>` `=` side by side; `<` alone (not `<=`, `<<`)
    const op = tokenText(t, k);
    let last = k;
    if (op === '>' && isPunct(t, k + 1, '=') && t.end[k] === t.start[k + 1]) last = k + 1;
    else if (op !== '>=' && !(op === '<' && !isPunct(t, k + 1, '=') && !isPunct(t, k + 1, '<'))) continue;
    const r = nextCode(t, last);
    if (r >= 0 && tokenText(t, r) === d && !isPunct(t, nextCode(t, r), '(')) return true;
  }
  return false;
}

/** For a shuffle at token `i` with offset variable `v`: the number token of `for (… v = N; …)` shortly before, or -1. */
function loopStart(t: Tokens, i: number, v: string): number {
  for (let j = i - 1, n = 0; j >= 0 && n < 64; j--, n++) {
    if (!isIdent(t, j, 'for')) continue;
    const open = nextCode(t, j);
    if (!isPunct(t, open, '(')) return -1;
    for (let k = open + 1; k < t.count && k < open + 12; k++) {
      if (isPunct(t, k, ';')) break;
      if (t.kind[k] === Tok.Number && isPunct(t, prevCode(t, k), '=') && isIdent(t, prevCode(t, prevCode(t, k)), v)) return k;
    }
    return -1;
  }
  return -1;
}

/** Decides one function's findings from its events (see the module comment). */
function judge(env: Env, g: Group): void {
  const { ctx } = env;
  const t = ctx.tokens;
  const s32 = g.sites.filter((s) => s.width === 32);
  const s64 = g.sites.filter((s) => s.width === 64);
  const related = (sites: Site[], extra: Array<{ start: number; end: number; name: string }>, note: string, most = 3): RelatedSpan[] => {
    const out: RelatedSpan[] = [];
    for (const s of sites.slice(1, 6)) out.push({ start: s.start, end: s.end, message: `also groups lanes by ${s.width}: '${s.shown}'` });
    for (const x of extra.slice(0, most)) out.push({ start: x.start, end: x.end, message: `${x.name} ${note}` });
    const seen = new Set<string>();
    for (const s of sites) {
      const c = s.constant;
      if (!c || seen.has(c.name)) continue;
      seen.add(c.name);
      // its other uses in this function (lane strides such as `i += WS`) change with it
      for (const k of otherUses(c.name).slice(0, 9)) {
        if (t.start[k] === s.start || sites.some((x) => x.start === t.start[k])) continue;
        const also = !s.edits.length ? 'the per-architecture definition changes it too' : isStride(k) ? 'a lane stride: the fix makes it warpSize too' : 'change it too where it means the warp width';
        out.push({ start: t.start[k]!, end: t.end[k]!, message: `${c.name} used here too (${also})` });
      }
      out.push({ start: t.start[c.numTok]!, end: t.end[c.numTok]!, message: `${c.name} is defined as ${c.value} here` });
    }
    return out;
  };
  /** Tokens of `name` in this function's body (code only). */
  const otherUses = (name: string): number[] => {
    const out: number[] = [];
    if (!g.fn) return out;
    for (let k = g.fn.open + 1; k < g.fn.close && k < t.count; k++) if (t.pp[k] === PP.None && isIdent(t, k, name)) out.push(k);
    return out;
  };
  /** `i += NAME` (a lane stride). */
  const isStride = (k: number): boolean => {
    const p = prevCode(t, k);
    return isPunct(t, p, '=') && isPunct(t, p - 1, '+') && t.end[p - 1] === t.start[p] && isPunct(t, nextCode(t, k), ')');
  };
  const fixOf = (sites: Site[]): ReturnType<RuleContext['fix']> | undefined => {
    const edits: TextEdit[] = [];
    const done = new Set<string>();
    for (const s of sites) {
      if (s.constant && !s.edits.length) {
        if (done.has(s.constant.name)) continue;
        done.add(s.constant.name);
        const f = definitionFix(env, s.constant);
        if (f) edits.push(...f.edits);
      } else if (s.constant && g.fn) {
        // a constant of any name (`WS`, "warp size and bits per int"): its lane groupings and lane
        // strides (`i += WS`) in this function become warpSize; other uses (bit widths) stay
        if (done.has(s.constant.name)) continue;
        done.add(s.constant.name);
        for (const k of otherUses(s.constant.name)) {
          if (sites.some((x) => x.start === t.start[k]) || isStride(k)) edits.push({ start: t.start[k]!, end: t.end[k]!, newText: 'warpSize' });
        }
      } else edits.push(...s.edits);
    }
    return edits.length ? ctx.fix(g.device ? 'Group lanes by warpSize (per-architecture width)' : 'Use the device warp size', edits, false) : undefined;
  };
  // wave64: 32-lane groups with an operation spanning the whole wavefront
  if (s32.length && g.wide.length && g.device) {
    const first = s32[0]!;
    const op = g.wide[0]!;
    // only absolute-lane shuffles (no ballot or vote): the function is written for 32-lane warps,
    // and a width of 32 on each shuffle keeps it so on every wavefront size (what hand ports do);
    // otherwise the lanes must be grouped by warpSize
    const shufflesOnly = g.wide.every((w) => w.close !== undefined);
    const fix = shufflesOnly
      ? ctx.fix('Pass a width of 32 to the shuffles (a 32-lane logical warp)', g.wide.map((w) => ({ start: t.start[w.close!]!, end: t.start[w.close!]!, newText: ', 32' })), false)
      : fixOf(s32);
    ctx.report({
      code: 'HP201',
      severity: severityFor(env, 64),
      message: shufflesOnly
        ? `'${first.shown}' groups lanes by 32 but ${op.name} in this function reads an absolute lane with the default width, the whole wavefront${g.wide.length > 1 ? ` (${g.wide.length} such shuffles, listed as related)` : ''}: on ${hurt(env, 64)} GPUs lanes 32..63 read lanes of the first 32; pass a width of 32 to each shuffle (or group lanes by warpSize)`
        : `'${first.shown}' groups lanes by 32 but ${op.name} in this function spans the whole wavefront: on ${hurt(env, 64)} GPUs lanes 32..63 mix with another group's lanes and get wrong results; group lanes by warpSize`,
      start: first.start,
      end: first.end,
      status: 'hazard',
      cuda: first.shown,
      hip: shufflesOnly ? `${op.name}(…, 32)` : 'warpSize',
      related: related(s32, g.wide, 'spans the whole wavefront here', shufflesOnly ? 48 : 3),
      ...(fix ? { fix } : {}),
    });
  } else if (g.mask32.length && g.device && !g.mentionsWarpSize) {
    // the 32-bit mask says the code runs 32-lane warps; the default width spans the whole wavefront.
    // One cause per function: the first call is reported, the others are related, one fix for all
    const m = g.mask32[0]!;
    const more = g.mask32.length - 1;
    ctx.report({
      code: 'HP201',
      severity: severityFor(env, 64),
      message: `${m.name} with a 32-bit mask reads an absolute lane of a 32-lane warp${more ? ` (and ${more} more such call${more > 1 ? 's' : ''} in this function)` : ''}, but its default width is the whole wavefront: on ${hurt(env, 64)} GPUs lanes 32..63 read lane 0..31 of the other half; pass a width of 32 (or work on warpSize lanes)`,
      start: m.start,
      end: m.end,
      status: 'hazard',
      library: 'device',
      cuda: m.name,
      hip: `${m.name}(…, 32)`,
      related: g.mask32.slice(1, 9).map((x) => ({ start: x.start, end: x.end, message: `${x.name} with the default width here too` })),
      fix: ctx.fix(
        'Pass a width of 32 (a 32-lane logical warp)',
        g.mask32.map((x) => ({ start: t.start[x.close]!, end: t.start[x.close]!, newText: ', 32' })),
        false,
      ),
    });
  } else if (s32.length && !g.device) {
    // host code sizing by 32-lane warps: advice only (correct when the kernels group lanes by 32 too)
    const first = s32[0]!;
    ctx.report({
      code: 'HP201',
      severity: 'information',
      message: `host code sizes work by 32-lane warps ('${first.shown}'): kernels that group lanes by warpSize get 64 on ${hurt(env, 64)} GPUs; read hipDeviceProp_t::warpSize (hipDeviceAttributeWarpSize) instead`,
      start: first.start,
      end: first.end,
      status: 'hazard',
      cuda: first.shown,
      hip: 'hipDeviceProp_t::warpSize',
      related: related(s32, [], ''),
    });
  }
  // wave32: 64-lane groups with any cross-lane operation (host: buffers sized per 64-lane wavefront)
  if (s64.length && (g.crossLane.length || !g.device)) {
    const first = s64[0]!;
    const op = g.crossLane[0];
    const fix = g.device ? fixOf(s64) : undefined;
    ctx.report({
      code: 'HP208',
      severity: g.device ? severityFor(env, 32) : 'information',
      message: g.device
        ? `'${first.shown}' groups lanes by 64 with ${op!.name} in this function: ${hurt(env, 32)} GPUs run 32-lane wavefronts, so lanes 32..63 of each group sit in another wavefront and the cross-lane result is wrong; group lanes by warpSize`
        : `host code sizes work by 64-lane wavefronts ('${first.shown}'): ${hurt(env, 32)} GPUs run 32 lanes, twice as many wavefronts; read hipDeviceProp_t::warpSize (hipDeviceAttributeWarpSize) instead`,
      start: first.start,
      end: first.end,
      status: 'hazard',
      cuda: first.shown,
      hip: 'warpSize',
      related: related(s64, g.crossLane, 'is the cross-lane operation'),
      ...(fix ? { fix } : {}),
    });
  }
  for (const r of g.reductions) {
    const s = t.start[r.tok]!;
    const e = t.end[r.tok]!;
    const fix = ctx.fix('Start at warpSize / 2', [{ start: s, end: e, newText: 'warpSize / 2' }], false);
    if (r.offset === 32) {
      ctx.report({
        code: 'HP208',
        severity: severityFor(env, 32),
        message: `shuffle reduction starting at offset 32 assumes 64-lane wavefronts: on ${hurt(env, 32)} GPUs a shuffle by 32 returns the lane's own value, so it is added twice; start at warpSize / 2`,
        start: s,
        end: e,
        status: 'hazard',
        cuda: tokenText(t, r.tok),
        hip: 'warpSize / 2',
        fix,
      });
    } else if (g.usesWarpSize >= 0 || s64.length) {
      const w = g.usesWarpSize >= 0 ? g.usesWarpSize : -1;
      ctx.report({
        code: 'HP201',
        severity: severityFor(env, 64),
        message: `shuffle reduction starting at offset 16 covers 32 lanes while this function groups lanes by ${w >= 0 ? 'warpSize' : '64'}: on ${hurt(env, 64)} GPUs only half of each wavefront is reduced; start at warpSize / 2`,
        start: s,
        end: e,
        status: 'hazard',
        cuda: tokenText(t, r.tok),
        hip: 'warpSize / 2',
        fix,
        related: w >= 0 ? [{ start: t.start[w]!, end: t.end[w]!, message: 'lanes grouped by warpSize here' }] : [{ start: s64[0]!.start, end: s64[0]!.end, message: 'lanes grouped by 64 here' }],
      });
    }
  }
}

/** HP208: `m == 0xffffffffffffffff` (all 64 lanes) in ballot code: never true on wave32. */
function fullMaskCompare(env: Env, i: number): void {
  const { ctx } = env;
  const t = ctx.tokens;
  const raw = tokenText(t, i);
  if (!/^0[xX][fF]{16}(?:[uU]?[lL]{0,2}|[lL]{0,2}[uU]?)$/.test(raw)) return;
  const p = prevCode(t, i);
  const q = prevCode(t, p);
  const cmp = isPunct(t, p, '=') && (isPunct(t, q, '=') || isPunct(t, q, '!')) && t.end[q] === t.start[p];
  if (!cmp) return;
  const g = groupOf(env, i);
  if (!g.device) return;
  ctx.report({
    code: 'HP208',
    severity: severityFor(env, 32),
    message: `comparing a lane mask with all 64 bits set: on ${hurt(env, 32)} GPUs a wavefront has 32 lanes, so bits 32..63 are never set and the test is never true; compare with the mask of the active lanes (__ballot(1))`,
    start: t.start[i]!,
    end: t.end[i]!,
    status: 'hazard',
    library: 'device',
    cuda: raw,
    hip: '__ballot(1)',
  });
}

/** A variable initialised from a ballot call. */
interface BallotVar {
  /** Token index of the enclosing function's body `{`; -1 at namespace scope or in class members. */
  scope: number;
  type: string;
}

/** HP202: `unsigned m = __ballot_sync(...)`. Returns the variables initialised from ballots. */
function ballots(env: Env): Map<string, BallotVar[]> {
  const { ctx } = env;
  const t = ctx.tokens;
  const vars = new Map<string, BallotVar[]>();
  for (const b of BALLOTS) {
    for (const i of ctx.identsNamed(b)) {
      if (!isPunct(t, nextCode(t, i), '(')) continue;
      const eq = prevCode(t, i);
      if (!isPunct(t, eq, '=')) continue;
      const v = prevCode(t, eq);
      if (!isIdent(t, v)) continue;
      // type words before the variable name
      const words: string[] = [];
      let first = -1;
      let last = -1;
      for (let j = prevCode(t, v); j >= 0; j = prevCode(t, j)) {
        if (isPunct(t, j, '::') && words.length) {
          words[0] = '::' + words[0];
          continue;
        }
        if (t.kind[j] !== Tok.Ident) break;
        const w = tokenText(t, j);
        if (DECL_QUALIFIERS.has(w)) continue;
        if (words.length && words[0]!.startsWith('::')) words[0] = w + words[0];
        else words.unshift(w);
        if (last < 0) last = j;
        first = j;
      }
      const type = words.join(' ');
      const fn = functionOfToken(ctx, i);
      const entry: BallotVar = { scope: fn ? fn.open : -1, type };
      const name = tokenText(t, v);
      const list = vars.get(name);
      if (list) list.push(entry);
      else vars.set(name, [entry]);
      if (first < 0 || !THIRTY_TWO_BIT_TYPES.has(type)) continue;
      const s = t.start[first]!;
      const e = t.end[last]!;
      ctx.report({
        code: 'HP202',
        severity: severityFor(env, 64),
        message: `${b} result stored in '${type}': HIP's ballot returns a 64-bit unsigned long long, and on ${hurt(env, 64)} GPUs lanes 32..63 are cut off; use unsigned long long`,
        start: s,
        end: e,
        status: 'hazard',
        library: 'device',
        cuda: type,
        hip: 'unsigned long long',
        fix: ctx.fix('Use unsigned long long', [{ start: s, end: e, newText: 'unsigned long long' }], false),
      });
    }
  }
  return vars;
}

/** HP204: `__popc(__ballot(...))` or `__popc(m)` with `m` from a ballot → `__popcll`. */
function popc(env: Env, vars: Map<string, BallotVar[]>): void {
  const { ctx } = env;
  const t = ctx.tokens;
  const groups = new Map<string, { what: string; calls: number[]; auto: boolean }>();
  for (const i of ctx.identsNamed('__popc')) {
    const open = nextCode(t, i);
    if (!isPunct(t, open, '(')) continue;
    const call = callArguments(t, open);
    if (!call || call.args.length !== 1) continue;
    const [a, b] = call.args[0]!;
    if (a > b) continue;
    let auto = false;
    let what: string | undefined;
    if (isIdent(t, a) && BALLOTS.includes(tokenText(t, a)) && isPunct(t, nextCode(t, a), '(')) {
      const inner = callArguments(t, nextCode(t, a));
      if (inner && inner.close === b) {
        auto = true;
        what = tokenText(t, a);
      }
    }
    if (!what) {
      const fn = functionOfToken(ctx, i);
      const scope = fn ? fn.open : -1;
      for (let j = a; j <= b; j++) {
        if (t.kind[j] !== Tok.Ident) continue;
        const name = tokenText(t, j);
        if (BALLOTS.includes(name)) {
          what = name;
          break;
        }
        // initialised from a ballot anywhere in the file (names are matched file-wide, so the
        // declaration may sit in another top-level item); `same` is in this function, so in the
        // window. An initialisation in this function answers without reading the file (an edit to
        // it is an edit to this item), so the usual case, a local mask, adds no whole-file fact and
        // an edit to one function's mask does not re-run the rule over the whole file.
        const same = vars.get(name)?.find((v) => v.scope === scope && scope >= 0);
        if (!same && !ballotInitialisedInFile(ctx, name)) continue;
        what = `'${name}' (a ballot mask)`;
        // automatic only when the variable holds the whole 64-bit mask; with a 32-bit variable the
        // mask is already truncated, so the real fix is its type (HP202, offered) and this one is offered too
        auto = a === b && !!same && WIDE_TYPES.has(same.type);
        break;
      }
    }
    if (!what) continue;
    // one cause per function and mask: the calls counting the same mask are one finding
    const fn = functionOfToken(ctx, i);
    const key = `${fn ? fn.open : -1}\u0000${what}`;
    const g = groups.get(key);
    if (g) {
      g.calls.push(i);
      // automatic only when every call of the group may be rewritten without review
      g.auto &&= auto;
    } else groups.set(key, { what, calls: [i], auto });
  }
  for (const { what, calls, auto } of groups.values()) {
    const i = calls[0]!;
    ctx.report({
      code: 'HP204',
      severity: severityFor(env, 64),
      message: `__popc counts 32 bits but ${what} is a 64-bit mask in HIP${calls.length > 1 ? ` (${calls.length} such calls in this function, listed as related)` : ''}: on ${hurt(env, 64)} GPUs lanes 32..63 are not counted; use __popcll`,
      start: t.start[i]!,
      end: t.end[i]!,
      status: 'hazard',
      library: 'device',
      cuda: '__popc',
      hip: '__popcll',
      ...(calls.length > 1 ? { related: calls.slice(1, 9).map((k) => ({ start: t.start[k]!, end: t.end[k]!, message: `__popc of the same mask here` })) } : {}),
      fix: ctx.fix('Use __popcll', calls.map((k) => ({ start: t.start[k]!, end: t.end[k]!, newText: '__popcll' })), auto),
    });
  }
}

/**
 * True when some occurrence of `name` in the file is `name = <ballot>(` (what {@link ballots}
 * collects), read through {@link RuleContext.fileIdentsNamed}.
 */
function ballotInitialisedInFile(ctx: RuleContext, name: string): boolean {
  const t = ctx.tokens;
  for (const k of ctx.fileIdentsNamed(name, { before: 0, after: 3 })) {
    const eq = nextCode(t, k);
    if (!isPunct(t, eq, '=')) continue;
    const b = nextCode(t, eq);
    if (isIdent(t, b) && BALLOTS.includes(tokenText(t, b)) && isPunct(t, nextCode(t, b), '(')) return true;
  }
  return false;
}

/** Names of the ballot-like calls HP207 looks for. */
const LANE_MASK_CONTEXT = [...BALLOTS, '__lanemask_lt', '__lanemask_gt', '__lanemask_eq'];

/** Offsets of ballot-like calls (HP207 looks for hand-built masks only where they are used), or undefined when none. */
function laneMaskContext(ctx: RuleContext): number[] | undefined {
  const t = ctx.tokens;
  const offsets: number[] = [];
  for (const b of LANE_MASK_CONTEXT) for (const i of ctx.identsNamed(b)) offsets.push(t.start[i]!);
  if (offsets.length) return offsets;
  // none in the window: a mask outside any function (or in a file without device code) still
  // counts when the file uses ballots elsewhere
  return LANE_MASK_CONTEXT.some((b) => ctx.fileHas(b)) ? offsets : undefined;
}

/** HP207: `1u << lane`, `0xffffffff >> (32 - n)` in a function (or, without a tree, a file) that uses ballots. */
function laneMask(env: Env, i: number, ballotOffsets: number[]): void {
  const { ctx } = env;
  const t = ctx.tokens;
  const len = t.end[i]! - t.start[i]!;
  if (len !== 1 && len !== 2 && len !== 10 && len !== 11) return;
  const raw = tokenText(t, i);
  const one = /^1[uU]?$/.test(raw);
  const full = /^0[xX][fF]{8}[uU]?$/.test(raw);
  if (!one && !full) return;
  const op = nextCode(t, i);
  if (!isPunct(t, op, '<<') && !isPunct(t, op, '>>')) return;
  if (one && isPunct(t, op, '>>')) return;
  if (one) {
    const r = nextCode(t, op);
    if (!isIdent(t, r) || !LANE_NAME.test(tokenText(t, r))) return;
  }
  const fn = functionOfToken(ctx, i);
  if (fn && !ballotOffsets.some((o) => o > t.start[fn.open]! && (fn.close >= t.count || o < t.start[fn.close]!))) return;
  // outside any function (or in a file without device code): when the file uses ballots anywhere
  if (!fn && !LANE_MASK_CONTEXT.some((b) => ctx.fileHas(b))) return;
  ctx.report({
    code: 'HP207',
    severity: severityFor(env, 64),
    message: one
      ? `'${raw} << …' builds a 32-bit lane mask: on ${hurt(env, 64)} GPUs lanes 32..63 overflow it, and HIP ballot masks are 64-bit; use 1ull`
      : `'${raw} ${tokenText(t, op)} …' builds a 32-bit lane mask: HIP ballot masks are 64-bit and on ${hurt(env, 64)} GPUs lanes 32..63 are lost; use a 64-bit mask (~0ull)`,
    start: t.start[i]!,
    end: t.end[i]!,
    status: 'hazard',
    library: 'device',
    cuda: raw,
    hip: one ? '1ull' : '0xffffffffffffffffull',
    ...(one ? { fix: ctx.fix('Use a 64-bit 1ull', [{ start: t.start[i]!, end: t.end[i]!, newText: '1ull' }], false) } : {}),
  });
}

// ---- warp-synchronous intrinsics with 32-bit lane masks (HP203, HP205, HP206) ----

/** Codes of {@link warpSyncRule}. */
export const WARP_SYNC_CODES: readonly RuleCode[] = [
  { code: 'HP203', family: 'warp', defaultSeverity: 'warning', title: 'Warp-synchronous intrinsic with a 32-bit lane mask', docs: DOCS.warpCrossLane },
  { code: 'HP205', family: 'warp', defaultSeverity: 'information', title: '__activemask() returns a 64-bit mask on AMD', docs: DOCS.warpCrossLane },
  { code: 'HP206', family: 'warp', defaultSeverity: 'hint', title: '__syncwarp has no HIP equivalent in this ROCm version (rewritten to a wave barrier)', docs: DOCS.warpCrossLane },
];

/** The `*_sync` warp intrinsics with 32-bit lane masks, `__activemask` and `__syncwarp`, rewritten for the target (token-based, so also inside parse-error regions). */
export const warpSyncRule: Rule = {
  id: 'warp-sync',
  family: 'warp',
  codes: WARP_SYNC_CODES,
  run(ctx) {
    warpSync(ctx);
  },
};

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
const SYNC_CUDA_NAMES = new Set(Object.keys(SYNC_TO_LEGACY));

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

/** The definition of a lane-mask name in this file: `#define MASK 0xffffffff`, `const unsigned Warp = 0xffffffff;`. */
interface MaskDefinition {
  /** Offsets of the defined value (the number token). */
  start: number;
  end: number;
  /** The value's text. */
  text: string;
  /** The value sets every lane: the full 32-bit mask (`0xffffffff`, `4294967295`) or all 64 bits. */
  full: boolean;
  /** The value is already a 64-bit integer (`ull` suffix, more than 8 hex digits): a cast keeps it. */
  wide: boolean;
}

/**
 * The definition of the mask argument in tokens `[m0, m1]` when it is one identifier defined in
 * this file with a number (`#define NAME 0x...` or `NAME = 0x...;`), read through
 * fileIdentsNamed (an edit at the definition re-runs the rule); undefined otherwise, or when the
 * file defines the name twice with different values.
 */
function maskDefinition(ctx: RuleContext, m0: number, m1: number): MaskDefinition | undefined {
  const t = ctx.tokens;
  if (m0 !== m1 || t.kind[m0] !== Tok.Ident) return undefined;
  const name = tokenText(t, m0);
  let found: MaskDefinition | undefined;
  for (const k of ctx.fileIdentsNamed(name, { before: 1, after: 3 })) {
    const n = nextCode(t, k);
    let num = -1;
    if (t.pp[k] === PP.Define && t.kind[prevCode(t, k)] === Tok.Directive && t.kind[n] === Tok.Number && t.pp[n] === PP.Define) {
      const after = nextCode(t, n);
      if (after < 0 || t.pp[after] !== PP.Define || t.kind[after] === Tok.Directive) num = n;
    } else if (t.pp[k] === PP.None && isPunct(t, n, '=') && !isPunct(t, nextCode(t, n), '=')) {
      const v = nextCode(t, n);
      if (t.kind[v] === Tok.Number && isPunct(t, nextCode(t, v), ';')) num = v;
    }
    if (num < 0) continue;
    const text = tokenText(t, num);
    if (found && found.text !== text) return undefined;
    found ??= { start: t.start[num]!, end: t.end[num]!, text, full: /^(?:0[xX](?:[fF]{8}|[fF]{16})|4294967295)[uUlL]*$/.test(text), wide: /(?:ll|LL)[uU]?$|^0[xX]0*[1-9a-fA-F][0-9a-fA-F]{8,}/.test(text) };
  }
  return found;
}

/** One use of a partial (or 32-bit) mask in a `*_sync` call. */
interface MaskUse {
  /** The call's name token. */
  call: number;
  name: string;
  mask: { start: number; end: number; text: string };
  def: MaskDefinition | undefined;
}

/**
 * Collects the `*_sync` calls whose mask is not the full mask, by function and mask text, so that
 * one cause (a mask that names only lanes 0–31, or a partial mask the mask-less form drops) is one
 * warning per function, with the other calls and the mask's definition as related information.
 */
class PartialMasks {
  private readonly groups = new Map<string, MaskUse[]>();

  /** Records one call; `widened`: the mask is cast to 64 bits (ROCm 7.0), which keeps a name defined as a 64-bit value whole. */
  add(ctx: RuleContext, call: number, mask: { start: number; end: number; text: string }, name: string, m0: number, m1: number, widened: boolean): void {
    const fn = functionOfToken(ctx, call);
    const key = `${fn ? fn.open : -1}\u0000${mask.text.replace(/\s+/g, '')}`;
    const def = maskDefinition(ctx, m0, m1);
    // a name defined as a 64-bit value: widening it keeps every lane
    if (widened && def?.wide) return;
    const use: MaskUse = { call, name, mask, def };
    const list = this.groups.get(key);
    if (list) list.push(use);
    else this.groups.set(key, [use]);
  }

  /** One warning per group (see the class comment). */
  report(ctx: RuleContext, support: 'none' | 'opt-in' | 'default'): void {
    const t = ctx.tokens;
    const waves = waveSizesOf(ctx.options.offloadArch);
    for (const uses of this.groups.values()) {
      const first = uses[0]!;
      const def = first.def;
      const m = first.mask.text;
      const calls = uses.length === 1 ? `${first.name}` : `${uses.length} *_sync calls of this function`;
      const related: RelatedSpan[] = uses.slice(1, 9).map((u) => ({ start: t.start[u.call]!, end: t.end[u.call]!, message: `${u.name} uses the same mask here` }));
      if (def) related.push({ start: def.start, end: def.end, message: `${m} is defined as ${def.text} here` });
      const defined = def ? ` (${m} = ${def.text}${def.full ? ', every lane of a 32-lane CUDA warp' : ''})` : '';
      if (support === 'default') {
        const fixEdits = def?.full ? uses.map((u) => ({ start: u.mask.start, end: u.mask.end, newText: '0xffffffffffffffffull' })) : [];
        ctx.report({
          code: 'HP203',
          severity: waves.has(64) ? 'warning' : 'information',
          message: `mask ${m}${defined} of ${calls}, widened to 64 bits, names only lanes 0–31: on ${describeWave(64, ctx.options.offloadArch)} GPUs lanes 32..63 are left out (ballot and vote results miss them, a debug build traps on the mask check); wave32 GPUs are not affected; pass a 64-bit mask of the lanes meant (${def?.full ? '0xffffffffffffffffull: all lanes' : '0xffffffffffffffffull for all lanes, __activemask() for the active ones'})`,
          start: first.mask.start,
          end: first.mask.end,
          status: 'hazard',
          library: 'device',
          cuda: m,
          hip: def?.full ? '0xffffffffffffffffull' : 'unsigned long long',
          related,
          ...(fixEdits.length ? { fix: ctx.fix('Use the full 64-bit lane mask in these calls', fixEdits, false) } : {}),
        });
        continue;
      }
      ctx.report({
        code: 'HP203',
        severity: 'warning',
        message: `partial mask ${m}${defined} of ${calls} is dropped by the mask-less HIP form: every active lane of the wavefront takes part (64 on ${describeWave(64, ctx.options.offloadArch)}, 32 on ${describeWave(32, ctx.options.offloadArch)}), also lanes outside ${m}; check that they all reach these calls, or target ROCm 7.0 and pass a 64-bit mask`,
        start: first.mask.start,
        end: first.mask.end,
        status: 'hazard',
        library: 'device',
        cuda: m,
        hip: 'mask-less form',
        related,
      });
    }
  }
}

/**
 * The `*_sync` warp functions, by target (see {@link warpSyncSupport}): before ROCm 7.0 they are
 * rewritten to HIP's mask-less forms (`__shfl_down_sync(m, v, d)` → `__shfl_down(v, d)`); for
 * ROCm 6.2–6.4 too, rather than relying on `HIP_ENABLE_WARP_SYNC_BUILTINS`, which must be defined
 * before the first HIP header of every translation unit (a build-system change a per-file rewrite
 * cannot guarantee) and would still need every mask widened to 64 bits. From ROCm 7.0 the call is
 * kept and its mask widened to 64 bits. `__match_any_sync`/`__match_all_sync` have no mask-less
 * form: reported for targets before 7.0.
 *
 * Severity (issue 16, noise): each call's rewrite is a hint (the translator makes it anyway; a full
 * 32-bit mask, literal or a name this file defines as `0xffffffff`, becomes all lanes). What can
 * still be wrong is one cause per function and mask, reported once by {@link PartialMasks}: at 7.0
 * a mask that names only lanes 0–31 after the cast (wave64: HIP 7.0's
 * `amd_warp_sync_functions.h` ANDs the mask with `__ballot` results and, unless NDEBUG, traps in
 * `__hip_check_mask` when it differs from the active lanes; on wave32 `__hip_adjust_mask_for_wave32`
 * drops the upper half, so wave32 is not hurt); before 7.0 a partial mask that the mask-less form
 * drops.
 */
function warpSync(ctx: RuleContext): void {
  const t = ctx.tokens;
  const target = ctx.options.targetRocm;
  const support = warpSyncSupport(target);
  const partial = new PartialMasks();
  for (const name of [...SYNC_CUDA_NAMES, ...MATCH_SYNC]) {
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
        // the rewrite itself is mechanical (a hint); a mask that still names only lanes 0-31 is one
        // hazard per function and mask, reported once below
        ctx.report({
          ...base,
          code: 'HP203',
          severity: 'hint',
          message: wide.sameLanes
            ? `${fact}: mask ${mask.text} → ${wide.text} (the same lanes, 0–31)`
            : `${fact}: the full 32-bit mask ${mask.text} → ${wide.text} (all lanes of the wavefront)`,
          fix: ctx.fix('Use a 64-bit lane mask', [{ start: mask.start, end: mask.end, newText: wide.text }], true),
        });
        if (wide.sameLanes) partial.add(ctx, i, mask, name, m0, m1, true);
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
      const full = FULL_MASK.test(mask.text.replace(/\s+/g, '')) || maskDefinition(ctx, m0, m1)?.full === true;
      const edits = [
        { start: t.start[i]!, end: t.end[i]!, newText: legacy },
        { start: mask.start, end: t.start[nextArgFirst]!, newText: '' },
      ];
      // dropping the mask is the translator's mechanical rewrite (a hint); a partial mask whose
      // lanes are then all taken is one hazard per function and mask, reported once below
      ctx.report({
        ...base,
        code: 'HP203',
        message: full
          ? `${fact}: ${name}(${mask.text}, …) → ${legacy}(…), the mask-less form: the 32-bit full mask is dropped, ${legacy} works on all active lanes of the wavefront (64 on CDNA, 32 on RDNA)`
          : `${fact}: ${name}(${mask.text}, …) → ${legacy}(…), the mask-less form (the mask is dropped)`,
        severity: 'hint',
        fix: ctx.fix(`Use ${legacy} (drop the lane mask)`, edits, true),
      });
      if (!full) partial.add(ctx, i, mask, name, m0, m1, false);
    }
  }
  partial.report(ctx, support);
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
      // a rewrite the translator makes anyway (issue 16: hint severity)
      severity: 'hint',
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
