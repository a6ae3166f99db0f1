/**
 * Which preprocessor branches hip-clang compiles for AMD. Built from the directive tokens of a file
 * (src/core/lexer.ts), once per rule context, for the rules that ask (`asm`, `arch-guards`).
 *
 * Facts (HIP porting guide, "Identifying HIP target platform" / "Identifying the compiler",
 * DOCS.identifyingHip): hip-clang for AMD defines `__HIP_PLATFORM_AMD__` (older: `__HIP_PLATFORM_HCC__`),
 * `__HIP__` and `__HIPCC__`; it does not define `__CUDA_ARCH__`, `__NVCC__` or
 * `__HIP_PLATFORM_NVIDIA__` (older: `__HIP_PLATFORM_NVCC__`), so `#if __CUDA_ARCH__ >= 530` is
 * false (an undefined name evaluates to 0 in `#if`). `__PTX__` is not defined by any HIP compiler.
 * Branches are judged as the translator leaves them for the device pass (see {@link definedOnAmd}).
 */
import { Tok, type Tokens } from '../lexer';
import type { RuleContext } from './types';

/**
 * Macros hip-clang never defines when compiling for AMD. `OCML_BASIC_ROUNDED_OPERATIONS` is HIP's
 * own opt-in: HIP 5.2's headers (/usr/include/hip/amd_detail/amd_math_functions.h and clang 15's
 * __clang_hip_math.h) declare the directed-rounding `__fadd_rd` & co. only under it, hip-clang does
 * not define it, and where a build passes it ROCm 5.2's device library lacks the
 * `__ocml_add_rtn_f32` & co. they call (checked: hipcc -DOCML_BASIC_ROUNDED_OPERATIONS
 * --offload-arch=gfx90a fails to link "undefined hidden symbol: __ocml_add_rtn_f32"), so HIP code
 * keeps a portable `#else` for it. The CUDA toolkit version macros (`CUDART_VERSION`, `CUDA_VERSION`,
 * `__CUDACC_VER_MAJOR__`, `__CUDACC_VER_MINOR__`) come from cuda_runtime_api.h, cuda.h and nvcc;
 * HIP's headers for AMD define none of them (only hip/nvidia_detail/nvidia_hip_runtime_api.h reads
 * CUDART_VERSION) and the translator leaves them (HP304), so `#if CUDART_VERSION >= 11000` is false.
 */
const NEVER_ON_AMD = new Set([
  '__CUDA_ARCH__',
  '__NVCC__',
  '__PTX__',
  '__HIP_PLATFORM_NVIDIA__',
  '__HIP_PLATFORM_NVCC__',
  '__CUDA_ARCH_LIST__',
  '__NVCOMPILER',
  '__CUDA_ARCH_FEAT_SM90_ALL',
  'OCML_BASIC_ROUNDED_OPERATIONS',
  'CUDART_VERSION',
  'CUDA_VERSION',
  '__CUDACC_VER_MAJOR__',
  '__CUDACC_VER_MINOR__',
]);
/** Macros hip-clang always defines when compiling for AMD (host and device passes). */
const ALWAYS_ON_AMD = new Set(['__HIP_PLATFORM_AMD__', '__HIP_PLATFORM_HCC__', '__HIP__', '__HIPCC__', '__clang__']);

/** One branch of an `#if` chain: the directive and the text it governs (UTF-16 offsets). */
export interface Branch {
  /** Token index of the directive (`#if`, `#elif`, `#else`, ...). */
  dir: number;
  /** `if`, `ifdef`, `ifndef`, `elif`, `else`, ... */
  kind: string;
  /** The condition text (empty for `#else`). */
  cond: string;
  /** Offset just after the directive's line; the branch's code runs to `end`. */
  bodyStart: number;
  /** Offset of the next directive of the chain (the start of its line). */
  end: number;
  /** Whether hip-clang for AMD compiles this branch (given the chain is reached): true, false, or undefined (unknown). */
  amd: boolean | undefined;
}

/** An `#if` … `#endif` chain. */
export interface Chain {
  branches: Branch[];
  /** Offset of the `#endif` line start (text length when missing). */
  end: number;
  /** The enclosing chain's branch holding this chain, or undefined at file level. */
  parent: Branch | undefined;
}

/** All chains of a file, outermost first, and for every branch its chain. */
export interface Conditionals {
  chains: Chain[];
  chainOf: Map<Branch, Chain>;
}

const CACHE = new WeakMap<RuleContext, Conditionals>();

/** The file's `#if` chains (cached per rule context). Reads every directive token of the file. */
export function conditionals(ctx: RuleContext): Conditionals {
  const cached = CACHE.get(ctx);
  if (cached) return cached;
  const t = ctx.tokens;
  const chains: Chain[] = [];
  const chainOf = new Map<Branch, Chain>();
  const stack: Chain[] = [];
  for (let i = 0; i < t.count; i++) {
    if (t.kind[i] !== Tok.Directive) continue;
    const name = t.text.slice(t.start[i]! + 1, t.end[i]).trim();
    if (!/^(?:if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)$/.test(name)) continue;
    const lineStart = t.start[i]!;
    const { cond, lineEnd } = directiveLine(t, i);
    const top = stack[stack.length - 1];
    if (name === 'if' || name === 'ifdef' || name === 'ifndef') {
      const parent = top?.branches[top.branches.length - 1];
      const c: Chain = { branches: [], end: t.text.length, parent };
      const b: Branch = { dir: i, kind: name, cond, bodyStart: lineEnd, end: t.text.length, amd: evalBranch(name, cond) };
      c.branches.push(b);
      chainOf.set(b, c);
      chains.push(c);
      stack.push(c);
      continue;
    }
    if (!top) continue;
    const last = top.branches[top.branches.length - 1]!;
    last.end = lineStart;
    if (name === 'endif') {
      top.end = lineStart;
      stack.pop();
      continue;
    }
    const b: Branch = { dir: i, kind: name, cond, bodyStart: lineEnd, end: t.text.length, amd: evalBranch(name, cond) };
    top.branches.push(b);
    chainOf.set(b, top);
  }
  const out = { chains, chainOf };
  CACHE.set(ctx, out);
  return out;
}

/** The condition text after directive token `i` (comments dropped, continuation lines joined) and the offset after its line. */
function directiveLine(t: Tokens, i: number): { cond: string; lineEnd: number } {
  const text = t.text;
  let e = t.end[i]!;
  for (;;) {
    const nl = text.indexOf('\n', e);
    if (nl < 0) {
      e = text.length;
      break;
    }
    let k = nl - 1;
    if (text[k] === '\r') k--;
    if (text[k] === '\\') {
      e = nl + 1;
      continue;
    }
    e = nl;
    break;
  }
  const cond = text
    .slice(t.end[i], e)
    .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ' ')
    .replace(/\\\r?\n/g, ' ')
    .trim();
  return { cond, lineEnd: Math.min(text.length, e + 1) };
}

/** Whether hip-clang for AMD takes a branch on its own condition (previous branches aside). `else`: true. */
function evalBranch(kind: string, cond: string): boolean | undefined {
  if (kind === 'else') return true;
  if (kind === 'ifdef' || kind === 'elifdef') return definedOnAmd(cond.split(/\s+/)[0] ?? '');
  if (kind === 'ifndef' || kind === 'elifndef') return not(definedOnAmd(cond.split(/\s+/)[0] ?? ''));
  return evalExpr(cond);
}

/**
 * Whether `defined(name)` holds for the device pass of the *translated* file: the translator
 * rewrites `defined(__CUDA_ARCH__)` / `#ifdef __CUDA_ARCH__` to `__HIP_DEVICE_COMPILE__` (HP301,
 * {@link cudaArchRule} in arch.ts), which the device pass defines; numeric uses of `__CUDA_ARCH__` stay and are 0.
 */
function definedOnAmd(name: string): boolean | undefined {
  if (name === '__CUDA_ARCH__') return true;
  if (NEVER_ON_AMD.has(name)) return false;
  if (ALWAYS_ON_AMD.has(name)) return true;
  return undefined;
}

const not = (v: boolean | undefined): boolean | undefined => (v === undefined ? undefined : !v);

/**
 * Three-valued evaluation of an `#if` expression under hip-clang for AMD: `defined X`, `!`, `&&`,
 * `||`, parentheses, integer comparisons; `__CUDA_ARCH__` (and the other never-defined names) is 0;
 * any other name is unknown. Returns undefined when the value depends on unknown names.
 */
export function evalExpr(cond: string): boolean | undefined {
  const toks = cond.match(/[A-Za-z_]\w*|0[xX][0-9a-fA-F]+|\d+|&&|\|\||[<>=!]=|[<>()!]|\S/g) ?? [];
  let p = 0;
  type V = number | undefined;
  const truth = (v: V): boolean | undefined => (v === undefined ? undefined : v !== 0);
  const num = (b: boolean | undefined): V => (b === undefined ? undefined : b ? 1 : 0);
  const primary = (): V => {
    const tok = toks[p++];
    if (tok === undefined) return undefined;
    if (tok === '(') {
      const v = or();
      if (toks[p] === ')') p++;
      return v;
    }
    if (tok === '!') return num(not(truth(primary())));
    if (tok === 'defined') {
      let name = toks[p++];
      if (name === '(') {
        name = toks[p++];
        if (toks[p] === ')') p++;
      }
      return num(definedOnAmd(name ?? ''));
    }
    if (/^\d/.test(tok)) return Number.parseInt(tok.replace(/[uUlL]+$/, ''), tok.toLowerCase().startsWith('0x') ? 16 : 10);
    if (NEVER_ON_AMD.has(tok)) return 0;
    if (tok === 'true') return 1;
    if (tok === 'false') return 0;
    // a function-like macro call or any other name: unknown
    if (toks[p] === '(') {
      let depth = 0;
      for (; p < toks.length; p++) {
        if (toks[p] === '(') depth++;
        else if (toks[p] === ')' && --depth === 0) {
          p++;
          break;
        }
      }
    }
    return undefined;
  };
  const compare = (): V => {
    let l = primary();
    for (;;) {
      const op = toks[p];
      if (op !== '<' && op !== '>' && op !== '<=' && op !== '>=' && op !== '==' && op !== '!=') return l;
      p++;
      const r = primary();
      if (l === undefined || r === undefined) l = undefined;
      else l = num(op === '<' ? l < r : op === '>' ? l > r : op === '<=' ? l <= r : op === '>=' ? l >= r : op === '==' ? l === r : l !== r);
    }
  };
  const and = (): V => {
    let l = compare();
    while (toks[p] === '&&') {
      p++;
      const r = compare();
      const a = truth(l);
      const b = truth(r);
      l = num(a === false || b === false ? false : a === undefined || b === undefined ? undefined : true);
    }
    return l;
  };
  const or = (): V => {
    let l = and();
    while (toks[p] === '||') {
      p++;
      const r = and();
      const a = truth(l);
      const b = truth(r);
      l = num(a === true || b === true ? true : a === undefined || b === undefined ? undefined : false);
    }
    return l;
  };
  const v = or();
  // anything left over (an operator we do not evaluate): unknown
  if (p < toks.length) return undefined;
  return truth(v);
}

/** Whether hip-clang for AMD takes branch `b` of its chain: its condition holds and no earlier branch's does. */
export function branchTaken(cs: Conditionals, b: Branch): boolean | undefined {
  const chain = cs.chainOf.get(b)!;
  let unknown = false;
  for (const x of chain.branches) {
    if (x === b) break;
    if (x.amd === true) return false;
    if (x.amd === undefined) unknown = true;
  }
  if (b.amd === false) return false;
  if (unknown || b.amd === undefined) return undefined;
  return true;
}

/** The innermost branch holding `offset` (in its code, not on a directive line), or undefined at file level. */
export function branchAt(cs: Conditionals, offset: number): Branch | undefined {
  let best: Branch | undefined;
  for (const c of cs.chains) {
    if (offset < c.branches[0]!.bodyStart || offset >= c.end) continue;
    for (const b of c.branches) if (offset >= b.bodyStart && offset < b.end) best = b;
  }
  return best;
}

/**
 * Why hip-clang for AMD never compiles the code at `offset`: the innermost enclosing branch not
 * taken on AMD, or undefined when the code is compiled (or that is unknown).
 */
export function skippedOnAmd(cs: Conditionals, offset: number): Branch | undefined {
  for (let b = branchAt(cs, offset); b; b = cs.chainOf.get(b)!.parent) {
    if (branchTaken(cs, b) === false) return b;
  }
  return undefined;
}

/** The branch of `b`'s chain that hip-clang for AMD compiles instead, or undefined (none, or unknown). */
export function takenInstead(cs: Conditionals, b: Branch): Branch | undefined {
  const chain = cs.chainOf.get(b)!;
  for (const x of chain.branches) if (x !== b && branchTaken(cs, x) === true) return x;
  return undefined;
}

/** The directive as written, e.g. `#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800`. */
export function directiveText(t: Tokens, b: Branch): string {
  const head = t.text.slice(t.start[b.dir], t.end[b.dir]).replace(/\s+/g, '');
  return b.cond ? `${head} ${b.cond.replace(/\s+/g, ' ')}` : head;
}

/**
 * A {@link Rule.signature} helper: the text of the non-comment tokens `[first, end)` when one of
 * them satisfies `relevant`, else the empty string. A file rule whose findings can only change
 * when an item holding such a token changes (before or after the edit) is then not re-run for
 * edits elsewhere, and its findings are shifted instead.
 */
export function relevantItemText(t: Tokens, first: number, end: number, relevant: (i: number) => boolean): string {
  let hit = false;
  for (let i = first; i < end && !hit; i++) if (t.kind[i] !== Tok.Comment && relevant(i)) hit = true;
  if (!hit) return '';
  const parts: string[] = [];
  for (let i = first; i < end; i++) if (t.kind[i] !== Tok.Comment) parts.push(t.text.slice(t.start[i], t.end[i]));
  return parts.join('\u0001');
}

/** True when token `i` is an identifier in `names`. */
export function identIn(t: Tokens, i: number, names: ReadonlySet<string>): boolean {
  return t.kind[i] === Tok.Ident && names.has(t.text.slice(t.start[i], t.end[i]));
}
