/**
 * Warp-size hazards (family `warp`). CUDA warps have 32 lanes; AMD CDNA wavefronts (gfx9, e.g.
 * MI100/MI200/MI300) have 64, and HIP's warp vote functions return 64-bit masks.
 * Source: HIP C++ language extensions, sections "warpSize" and "Warp cross-lane functions"
 * (DOCS.warpSize, DOCS.warpCrossLane); `__ballot` returns `unsigned long long` and `__popcll`
 * takes one in hip/amd_detail/amd_warp_functions.h and amd_device_functions.h (HIP 5.2).
 *
 * Codes:
 * - HP201 literal 32/31/0x1F/`>> 5` in lane or warp arithmetic, warp-size constants defined as 32,
 *   and shuffle reductions starting at offset 16;
 * - HP202 a ballot result stored in a 32-bit type;
 * - HP204 `__popc` counting a ballot mask (→ `__popcll`; automatic for the direct ballot call or a
 *   64-bit variable initialised from one in the same function);
 * - HP207 a 32-bit lane mask built by hand (`1u << lane`, `0xffffffff >> n`) next to ballot code.
 *
 * Near-misses on purpose: `float s[32]` (array size), `for (i = 0; i < 32; ...)` (loop bound),
 * `x * 32` with `x` not a warp index, and host launch configurations such as `dim3 block(32)` or
 * `blockDim.x = 32`: a block of 32 threads is legal and correct on AMD (it is one partly-filled
 * wavefront), so it is not reported.
 */
import { Tok, PP, callArguments, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import type { SyntaxNode } from '../parse';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { functionOfToken, isIdent, statementSpan, tokenAt, tt } from './util';

export const WARP_CODES: readonly RuleCode[] = [
  { code: 'HP201', family: 'warp', defaultSeverity: 'warning', title: 'Warp size assumed to be 32 (AMD wavefronts have 64 lanes)', docs: DOCS.warpSize },
  { code: 'HP202', family: 'warp', defaultSeverity: 'warning', title: 'Ballot result stored in a 32-bit type (HIP masks are 64-bit)', docs: DOCS.warpCrossLane },
  { code: 'HP204', family: 'warp', defaultSeverity: 'warning', title: '__popc on a 64-bit ballot mask (use __popcll)', docs: DOCS.warpCrossLane },
  { code: 'HP207', family: 'warp', defaultSeverity: 'warning', title: 'Hand-built 32-bit lane mask used with ballot results', docs: DOCS.warpCrossLane },
];

/** Names of constants that hold the warp size. */
const WARP_SIZE_NAME = /^(?:[kc]_?|g_)?(?:warp_?size|warpsz|warp_?sz|threads_?per_?warp|warp_?threads|wavefront_?size|wave_?size)$/i;
/** Identifiers that make an operand a lane/thread index (for `% 32`, `& 31`, `/ 32`, `>> 5`). */
const LANE_NAME = /lane|warp|^threadIdx$|^t?idx_?in_?warp$|^tid$|^ltid$|^tidx$|^thread_?id(?:x)?$|^local_?tid$/i;
/** Identifiers that make an operand a warp index or count (for `* 32`, `<< 5`). */
const WARP_NAME = /warp/i;
/** Names that already are the portable warp size. */
const PORTABLE = new Set(['warpSize', 'WARP_SIZE_DYNAMIC']);
const BALLOTS = ['__ballot', '__ballot_sync', '__activemask'];
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
    literals(ctx, masks);
    shuffleReductionStart(ctx);
    const vars = ballots(ctx);
    popc(ctx, vars);
  },
};

/** HP201 and HP207 on literals: one pass over number tokens. */
function literals(ctx: RuleContext, masks: number[] | undefined): void {
  const t = ctx.tokens;
  const { kind, start, end, text } = t;
  for (let i = ctx.firstToken; i < ctx.endToken; i++) {
    if (kind[i] !== Tok.Number) continue;
    const len = end[i]! - start[i]!;
    const c0 = text.charCodeAt(start[i]!);
    if (masks && (c0 === 49 || c0 === 48)) laneMask(ctx, i, masks);
    if (len > 6) continue;
    if (c0 !== 51 && c0 !== 53 && c0 !== 48) continue; // '3', '5', '0'
    const lit = text.slice(start[i], end[i]).replace(/[uUlL]+$/, '').toLowerCase();
    if (lit !== '32' && lit !== '31' && lit !== '0x1f' && lit !== '0x20' && lit !== '5') continue;
    if (lit === '32' || lit === '0x20') definition(ctx, i);
    arithmetic(ctx, i, lit);
  }
}

/** `#define WARP_SIZE 32`, `constexpr int kWarpSize = 32`, `enum { WARPSIZE = 32 }`. */
function definition(ctx: RuleContext, i: number): void {
  const t = ctx.tokens;
  const p = prevCode(t, i);
  let name = -1;
  if (t.pp[i] === PP.Define && isIdent(t, p) && t.kind[prevCode(t, p)] === Tok.Directive) name = p;
  else if (isPunct(t, p, '=') && isIdent(t, prevCode(t, p))) {
    const before = prevCode(t, prevCode(t, p));
    // `a == 32` / `a != 32` are comparisons, not definitions
    if (!isPunct(t, before, '=') && !isPunct(t, before, '!') && !isPunct(t, before, '<') && !isPunct(t, before, '>')) name = prevCode(t, p);
  }
  if (name < 0) return;
  const n = tt(t, name);
  if (!WARP_SIZE_NAME.test(n)) return;
  const lit = tt(t, i);
  if (n === 'warpSize') {
    ctx.report({
      code: 'HP201',
      message: `'warpSize' redefined as ${lit}: HIP already declares warpSize (64 on CDNA wavefronts, 32 on RDNA); remove this definition and use HIP's`,
      start: t.start[name]!,
      end: t.end[i]!,
      status: 'hazard',
      cuda: 'warpSize',
      hip: 'warpSize',
    });
    return;
  }
  ctx.report({
    code: 'HP201',
    message: `${n} = ${lit} assumes 32-lane warps: AMD CDNA wavefronts have 64 lanes; use warpSize (or 64 on CDNA if a compile-time constant is needed)`,
    start: t.start[i]!,
    end: t.end[i]!,
    status: 'hazard',
    cuda: n,
    hip: 'warpSize',
    fix: ctx.fix(`Use warpSize for ${n}`, [{ start: t.start[i]!, end: t.end[i]!, newText: 'warpSize' }], false),
  });
}

type Op = '%' | '/' | '*' | '&' | '>>' | '<<';

/** The operator token before a number (or after it for `32 * x`), honouring compound assignment. */
function operatorBefore(t: Tokens, i: number): { op: Op; tok: number } | undefined {
  let p = prevCode(t, i);
  if (p < 0 || t.kind[p] !== Tok.Punct) return undefined;
  if (isPunct(t, p, '=')) {
    const q = p - 1;
    if (q < 0 || t.kind[q] !== Tok.Punct || t.end[q] !== t.start[p]) return undefined;
    p = q;
  }
  const s = tt(t, p);
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

function arithmetic(ctx: RuleContext, i: number, lit: string): void {
  const t = ctx.tokens;
  if (t.pp[i] === PP.Include || t.pp[i] === PP.If || t.pp[i] === PP.Ifdef) return;
  let found = operatorBefore(t, i);
  let numberLeft = false;
  if (!found && (lit === '32' || lit === '0x20')) {
    const n = nextCode(t, i);
    if (isPunct(t, n, '*') && !isPunct(t, prevCode(t, i), '*')) {
      found = { op: '*', tok: n };
      numberLeft = true;
    }
  }
  if (!found) return;
  const { op } = found;
  const thirtyTwo = lit === '32' || lit === '0x20';
  const ok =
    (thirtyTwo && (op === '%' || op === '/' || op === '*')) ||
    ((lit === '31' || lit === '0x1f') && op === '&') ||
    (lit === '5' && (op === '>>' || op === '<<'));
  if (!ok) return;
  const needWarp = op === '*' || op === '<<';
  if (!operandIsLane(ctx, i, found.tok, numberLeft, needWarp ? WARP_NAME : LANE_NAME)) return;
  const numText = tt(t, i);
  const s = t.start[i]!;
  const e = t.end[i]!;
  let fixText: string;
  let edits;
  if (op === '>>' || op === '<<') {
    const opEnd = t.end[found.tok]!;
    const compound = t.text[opEnd] === '=';
    fixText = `${op === '>>' ? '/' : '*'}${compound ? '=' : ''} warpSize`;
    edits = [{ start: t.start[found.tok]!, end: e, newText: fixText }];
  } else if (op === '&') {
    fixText = '(warpSize - 1)';
    edits = [{ start: s, end: e, newText: fixText }];
  } else {
    fixText = 'warpSize';
    edits = [{ start: s, end: e, newText: fixText }];
  }
  const shown = op === '>>' || op === '<<' ? `${op} ${numText}` : numberLeft ? `${numText} *` : `${op} ${numText}`;
  ctx.report({
    code: 'HP201',
    message: `'${shown}' in lane/warp arithmetic assumes 32-lane warps: AMD CDNA wavefronts have 64 lanes; use warpSize`,
    start: op === '>>' || op === '<<' ? t.start[found.tok]! : s,
    end: e,
    status: 'hazard',
    cuda: shown,
    hip: 'warpSize',
    fix: ctx.fix(`Use warpSize`, edits, false),
  });
}

/**
 * True when the other operand of the operator, or the variable the expression initialises or is
 * assigned to, names a lane/warp index. With a tree: the sibling operand of the binary
 * expression and the declarator/assignee; without: identifiers of the surrounding statement
 * before the operator.
 */
function operandIsLane(ctx: RuleContext, num: number, opTok: number, numberLeft: boolean, names: RegExp): boolean {
  const t = ctx.tokens;
  const node = ctx.tree ? ctx.nodeAt(t.start[num]!, t.end[num]!) : undefined;
  if (node && node.type === 'number_literal') {
    const parent = node.parent;
    if (!parent || (parent.type !== 'binary_expression' && parent.type !== 'assignment_expression')) return false;
    if (parent.type === 'binary_expression' || parent.type === 'assignment_expression') {
      const other = numberLeft ? parent.childForFieldName('right') : parent.childForFieldName('left');
      if (other && rangeHasName(t, other.startIndex, other.endIndex, names)) return true;
      const target = assignee(t.text, parent);
      if (target && names.test(target) && !/^warp_?size$/i.test(target)) return true;
    }
    return false;
  }
  // token-only: identifiers of the statement on the operator's other side, and the declared name
  const [a, b] = statementSpan(t, num);
  const [from, to] = numberLeft ? [opTok + 1, b] : [a, opTok - 1];
  if (from <= to && rangeHasName(t, t.start[from]!, t.end[to]!, names)) return true;
  return false;
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
    const s = tt(t, j);
    if (PORTABLE.has(s) || WARP_SIZE_NAME.test(s)) continue;
    if (names.test(s)) return true;
  }
  return false;
}

/** HP201: `for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down(v, offset)` covers only 32 lanes. */
function shuffleReductionStart(ctx: RuleContext): void {
  const t = ctx.tokens;
  const seen = new Set<number>();
  for (const name of ['__shfl_down', '__shfl_down_sync', '__shfl_xor', '__shfl_xor_sync']) {
    for (const i of ctx.identsNamed(name)) {
      // look back for `for ( ... = 16 ;` within a short distance
      for (let j = i - 1, n = 0; j >= 0 && n < 48; j--, n++) {
        if (!isIdent(t, j, 'for')) continue;
        const open = nextCode(t, j);
        if (!isPunct(t, open, '(')) break;
        for (let k = open + 1; k < t.count && k < open + 12; k++) {
          if (isPunct(t, k, ';')) break;
          if (t.kind[k] === Tok.Number && tt(t, k).replace(/[uU]$/, '') === '16' && isPunct(t, prevCode(t, k), '=') && !seen.has(k)) {
            seen.add(k);
            ctx.report({
              code: 'HP201',
              message: `shuffle reduction starting at offset ${tt(t, k)} covers only 32 lanes: AMD CDNA wavefronts have 64; start at warpSize / 2`,
              start: t.start[k]!,
              end: t.end[k]!,
              status: 'hazard',
              cuda: tt(t, k),
              hip: 'warpSize / 2',
              fix: ctx.fix('Start at warpSize / 2', [{ start: t.start[k]!, end: t.end[k]!, newText: 'warpSize / 2' }], false),
            });
          }
        }
        break;
      }
    }
  }
}

/** A variable initialised from a ballot call. */
interface BallotVar {
  /** Token index of the enclosing function's body `{`; -1 at namespace scope or in class members. */
  scope: number;
  type: string;
}

/** HP202: `unsigned m = __ballot_sync(...)`. Returns the variables initialised from ballots. */
function ballots(ctx: RuleContext): Map<string, BallotVar[]> {
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
        const w = tt(t, j);
        if (DECL_QUALIFIERS.has(w)) continue;
        if (words.length && words[0]!.startsWith('::')) words[0] = w + words[0];
        else words.unshift(w);
        if (last < 0) last = j;
        first = j;
      }
      const type = words.join(' ');
      const fn = functionOfToken(ctx, i);
      const entry: BallotVar = { scope: fn ? fn.open : -1, type };
      const name = tt(t, v);
      const list = vars.get(name);
      if (list) list.push(entry);
      else vars.set(name, [entry]);
      if (first < 0 || !THIRTY_TWO_BIT_TYPES.has(type)) continue;
      const s = t.start[first]!;
      const e = t.end[last]!;
      ctx.report({
        code: 'HP202',
        message: `${b} result stored in '${type}': HIP's ballot returns a 64-bit unsigned long long (one bit per lane of a 64-lane wavefront), lanes 32..63 are lost; use unsigned long long`,
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
function popc(ctx: RuleContext, vars: Map<string, BallotVar[]>): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('__popc')) {
    const open = nextCode(t, i);
    if (!isPunct(t, open, '(')) continue;
    const call = callArguments(t, open);
    if (!call || call.args.length !== 1) continue;
    const [a, b] = call.args[0]!;
    if (a > b) continue;
    let auto = false;
    let what: string | undefined;
    if (isIdent(t, a) && BALLOTS.includes(tt(t, a)) && isPunct(t, nextCode(t, a), '(')) {
      const inner = callArguments(t, nextCode(t, a));
      if (inner && inner.close === b) {
        auto = true;
        what = tt(t, a);
      }
    }
    if (!what) {
      const fn = functionOfToken(ctx, i);
      const scope = fn ? fn.open : -1;
      for (let j = a; j <= b; j++) {
        if (t.kind[j] !== Tok.Ident) continue;
        const name = tt(t, j);
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
    ctx.report({
      code: 'HP204',
      message: `__popc counts 32 bits but ${what} is a 64-bit mask on AMD (64-lane wavefronts): use __popcll`,
      start: t.start[i]!,
      end: t.end[i]!,
      status: 'hazard',
      library: 'device',
      cuda: '__popc',
      hip: '__popcll',
      fix: ctx.fix('Use __popcll', [{ start: t.start[i]!, end: t.end[i]!, newText: '__popcll' }], auto),
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
    if (isIdent(t, b) && BALLOTS.includes(tt(t, b)) && isPunct(t, nextCode(t, b), '(')) return true;
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
function laneMask(ctx: RuleContext, i: number, ballotOffsets: number[]): void {
  const t = ctx.tokens;
  const len = t.end[i]! - t.start[i]!;
  if (len !== 1 && len !== 2 && len !== 10 && len !== 11) return;
  const raw = tt(t, i);
  const one = /^1[uU]?$/.test(raw);
  const full = /^0[xX][fF]{8}[uU]?$/.test(raw);
  if (!one && !full) return;
  const op = nextCode(t, i);
  if (!isPunct(t, op, '<<') && !isPunct(t, op, '>>')) return;
  if (one && isPunct(t, op, '>>')) return;
  if (one) {
    const r = nextCode(t, op);
    if (!isIdent(t, r) || !LANE_NAME.test(tt(t, r))) return;
  }
  const fn = functionOfToken(ctx, i);
  if (fn && !ballotOffsets.some((o) => o > t.start[fn.open]! && (fn.close >= t.count || o < t.start[fn.close]!))) return;
  // outside any function (or in a file without device code): when the file uses ballots anywhere
  if (!fn && !LANE_MASK_CONTEXT.some((b) => ctx.fileHas(b))) return;
  ctx.report({
    code: 'HP207',
    message: one
      ? `'${raw} << …' builds a 32-bit lane mask: lanes 32..63 of an AMD wavefront overflow it and ballot masks are 64-bit; use 1ull`
      : `'${raw} ${tt(t, op)} …' builds a 32-bit lane mask: ballot masks are 64-bit on AMD (64-lane wavefronts); use a 64-bit mask (~0ull)`,
    start: t.start[i]!,
    end: t.end[i]!,
    status: 'hazard',
    library: 'device',
    cuda: raw,
    hip: one ? '1ull' : '0xffffffffffffffffull',
    ...(one ? { fix: ctx.fix('Use a 64-bit 1ull', [{ start: t.start[i]!, end: t.end[i]!, newText: '1ull' }], false) } : {}),
  });
}
