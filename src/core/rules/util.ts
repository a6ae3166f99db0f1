/**
 * Small helpers shared by the hazard rules (warp, arch, asm, launch, memory, libraries, cxx).
 * All offsets are UTF-16 code-unit offsets into the document; token indices index `Tokens`.
 */
import { PP, Tok, callArguments, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import type { SyntaxNode } from '../parse';
import { lowerBound } from '../search';
import type { RuleContext } from './types';

/** The text of token `i` ('' when `i` is out of range). */
export function tokenText(t: Tokens, i: number): string {
  return i < 0 || i >= t.count ? '' : t.text.slice(t.start[i], t.end[i]);
}

/** True when token `i` is an identifier with text `name`. */
export function isIdent(t: Tokens, i: number, name?: string): boolean {
  if (i < 0 || i >= t.count || t.kind[i] !== Tok.Ident) return false;
  return name === undefined || tokenText(t, i) === name;
}

/** Index of the first token whose start is `>= offset` (t.count when none); binary search. */
export function tokenAt(t: Tokens, offset: number): number {
  const start = t.start;
  return lowerBound(t.count, (k) => start[k]! < offset);
}

/** The nearest ancestor of `n` (or `n` itself) whose type is one of `types`, or undefined. */
export function ancestor(n: SyntaxNode | null | undefined, types: ReadonlySet<string>): SyntaxNode | undefined {
  for (let p = n ?? null; p; p = p.parent) if (types.has(p.type)) return p;
  return undefined;
}

/** Names of object-like macros of this file whose body mentions `__device__` or `__global__`. */
export function deviceMacroNames(ctx: RuleContext): Set<string> {
  const t = ctx.tokens;
  const out = new Set<string>();
  for (const kw of ['__device__', '__global__']) {
    for (const i of ctx.identsNamed(kw)) {
      // walk back on the same #define line to its name
      for (let j = i - 1; j >= 0 && j > i - 12; j--) {
        if (t.kind[j] === Tok.Directive) {
          const name = nextCode(t, j);
          if (tokenText(t, j).replace(/\s+/g, '') === '#define' && isIdent(t, name)) out.add(tokenText(t, name));
          break;
        }
      }
    }
  }
  return out;
}

/**
 * Token indices `[first, last]` of the statement-level expression around token `i`: walks back
 * and forward at bracket depth 0 until `;`, `{`, `}`, `,` (depth 0) or `limit` tokens. Used when
 * there is no tree.
 */
export function statementSpan(t: Tokens, i: number, limit = 24): [number, number] {
  let a = i;
  let depth = 0;
  for (let j = prevCode(t, i), n = 0; j >= 0 && n < limit; j = prevCode(t, j), n++) {
    if (t.kind[j] === Tok.Punct) {
      const c = t.text[t.start[j]!];
      if (t.end[j]! - t.start[j]! === 1) {
        if (c === ')' || c === ']') depth++;
        else if (c === '(' || c === '[') {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && (c === ';' || c === '{' || c === '}' || c === ',')) break;
      }
    }
    if (t.kind[j] === Tok.Directive) break;
    a = j;
  }
  let b = i;
  depth = 0;
  for (let j = nextCode(t, i), n = 0; j >= 0 && n < limit; j = nextCode(t, j), n++) {
    if (t.kind[j] === Tok.Punct && t.end[j]! - t.start[j]! === 1) {
      const c = t.text[t.start[j]!];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (c === ';' || c === '{' || c === '}' || c === ',')) break;
    }
    if (t.pp[j] !== t.pp[i] && t.kind[j] === Tok.Directive) break;
    b = j;
  }
  return [a, b];
}

/** A function defined at namespace scope in this file, found by tokens. */
export interface FnDef {
  name: string;
  nameTok: number;
  /** Token indices of the body's `{` and `}` (close = token count when unbalanced). */
  open: number;
  close: number;
  /** Offset where `__host__ __device__ ` would be inserted (after any `template<...>`). */
  insertAt: number;
  global: boolean;
  /** `__device__` written among the specifiers (macros expanding to it: see {@link isDeviceFunction}, {@link fnSpace}). */
  device: boolean;
  /** A qualified name (`A::f`, an operator) or constexpr: never reported as host-only. */
  unsure: boolean;
  /** The other identifiers among the specifiers, which may be macros expanding to `__device__`. */
  words: readonly string[];
  /** Per entry of {@link words}: written inside template brackets (`template <class T>`, `vector<int>`). */
  inAngles: readonly boolean[];
}

const NOT_FUNCTIONS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'sizeof', 'decltype', 'alignof', '__launch_bounds__', '__attribute__']);
/** Words that may stand between a function's parameter list and its body. */
const AFTER_PARAMS: ReadonlySet<string> = new Set(['const', 'noexcept', 'override', 'final', 'mutable', 'volatile']);
/** An upper-case specifier that may be a macro (expanding to `__device__` or anything else). */
const MACRO_LIKE = /^[A-Z_][A-Z0-9_]{2,}$/;
/**
 * Specifier words never looked up as macros by local rules: C++ keywords (a program may not
 * define them as macros) and CUDA's own specifiers. Looking them up would make every edit near
 * them fall back to a full analysis.
 */
const NOT_MACROS = new Set([
  'alignas', 'auto', 'bool', 'char', 'char8_t', 'char16_t', 'char32_t', 'class', 'const', 'consteval', 'constexpr', 'constinit', 'double', 'enum', 'explicit', 'extern',
  'float', 'friend', 'inline', 'int', 'long', 'mutable', 'noexcept', 'operator', 'register', 'short', 'signed', 'static', 'struct', 'template', 'thread_local', 'typename',
  'union', 'unsigned', 'virtual', 'void', 'volatile', 'wchar_t', 'std', 'size_t',
  '__host__', '__device__', '__global__', '__forceinline__', '__inline__', '__noinline__', '__launch_bounds__', '__restrict__', '__shared__', '__constant__', '__managed__',
]);

/**
 * Function definitions at namespace scope (top level, namespaces, `extern "C"` blocks), found in
 * one pass over the tokens `[ctx.firstToken, ctx.endToken)` (a windowed run starts at a top-level
 * item, i.e. at namespace level): a `{` at namespace level after `)` opens a function body. Class
 * members, lambdas and nested blocks are not collected. Works without a tree. Computed once per
 * analysis (cached by context) and shared by the rules; sorted by position, never nested. Empty
 * for a file without `__global__`/`__device__` (all consumers look for device code; read with
 * {@link RuleContext.fileHas}).
 */
export function namespaceFunctions(ctx: RuleContext): FnDef[] {
  const cached = FUNCTIONS.get(ctx);
  if (cached) return cached;
  const t = ctx.tokens;
  const out: FnDef[] = [];
  // every consumer looks for device code: a file without device specifiers has none to find
  if (!ctx.fileHas('__global__') && !ctx.fileHas('__device__')) {
    FUNCTIONS.set(ctx, out);
    return out;
  }
  // brace stack: 0 = namespace-like, 1 = function body, 2 = other; `open` holds the FnDef index for 1
  const kinds: number[] = [];
  const owner: number[] = [];
  let nonNs = 0; // count of non-namespace braces on the stack
  const { kind, start, end, pp, text } = t;
  for (let i = ctx.firstToken; i < ctx.endToken; i++) {
    if (kind[i] !== Tok.Punct || end[i]! - start[i]! !== 1) continue;
    const c = text.charCodeAt(start[i]!);
    if (c === 125) {
      const k = kinds.pop();
      const o = owner.pop();
      if (k !== undefined && k !== 0) nonNs--;
      if (k === 1 && o !== undefined && o >= 0) out[o]!.close = i;
      continue;
    }
    if (c !== 123 || pp[i] !== PP.None) continue;
    if (nonNs > 0) {
      kinds.push(2);
      owner.push(-1);
      nonNs++;
      continue;
    }
    const def = functionAt(ctx, i);
    if (def) {
      out.push(def);
      kinds.push(1);
      owner.push(out.length - 1);
      nonNs++;
      continue;
    }
    const p = prevCode(t, i);
    const pp2 = prevCode(t, p);
    const ns = t.kind[p] === Tok.String || isIdent(t, p, 'namespace') || isIdent(t, pp2, 'namespace');
    kinds.push(ns ? 0 : 2);
    owner.push(-1);
    if (!ns) nonNs++;
  }
  FUNCTIONS.set(ctx, out);
  return out;
}

/**
 * For a `{` at token `open`: the token index of the `)` that closes a parameter list right before
 * it (past `const`, `noexcept` and similar words), i.e. where a function body opens; -1 otherwise.
 */
export function paramsCloseBefore(t: Tokens, open: number): number {
  let p = prevCode(t, open);
  while (isIdent(t, p) && AFTER_PARAMS.has(tokenText(t, p))) p = prevCode(t, p);
  return isPunct(t, p, ')') ? p : -1;
}

/** The function definition whose body opens at token `open`, or undefined. */
function functionAt(ctx: RuleContext, open: number): FnDef | undefined {
  const t = ctx.tokens;
  const p = paramsCloseBefore(t, open);
  if (p < 0) return undefined;
  // matching '('
  let depth = 0;
  let lp = -1;
  for (let j = p; j >= 0 && j > p - 4000; j--) {
    if (t.kind[j] !== Tok.Punct) continue;
    if (isPunct(t, j, ')')) depth++;
    else if (isPunct(t, j, '(') && --depth === 0) {
      lp = j;
      break;
    }
  }
  const nameTok = prevCode(t, lp);
  if (lp < 0 || !isIdent(t, nameTok)) return undefined;
  const name = tokenText(t, nameTok);
  if (NOT_FUNCTIONS.has(name)) return undefined;
  const before = prevCode(t, nameTok);
  const qualified = isPunct(t, before, '::') || isPunct(t, before, ':') || isPunct(t, before, ',') || isPunct(t, before, '.') || isIdent(t, before, 'operator');
  // specifiers: back to the previous statement boundary
  let global = false;
  let device = false;
  let unsure = qualified;
  let first = nameTok;
  const words: string[] = [];
  const inAngles: boolean[] = [];
  let angle = 0; // depth inside template brackets, walking backwards
  for (let j = before, n = 0; j >= 0 && n < 40; j = prevCode(t, j), n++) {
    if (t.pp[j] !== PP.None || isPunct(t, j, ';') || isPunct(t, j, '}') || isPunct(t, j, '{')) break;
    first = j;
    if (isPunct(t, j, '>')) angle++;
    else if (isPunct(t, j, '>>')) angle += 2;
    else if (isPunct(t, j, '<')) angle = Math.max(0, angle - 1);
    if (t.kind[j] !== Tok.Ident) continue;
    const w = tokenText(t, j);
    if (w === '__global__') global = true;
    else if (w === '__device__') device = true;
    else if (w === 'constexpr' || w === 'consteval') unsure = true;
    else {
      words.push(w);
      inAngles.push(angle > 0);
    }
  }
  // insert after `template <...>`
  let at = first;
  if (isIdent(t, at, 'template') && isPunct(t, nextCode(t, at), '<')) {
    let d = 0;
    for (let j = nextCode(t, at); j >= 0 && j < nameTok; j = nextCode(t, j)) {
      if (isPunct(t, j, '<')) d++;
      else if (isPunct(t, j, '>')) d--;
      else if (isPunct(t, j, '>>')) d -= 2;
      if (d <= 0) {
        at = nextCode(t, j);
        break;
      }
    }
  }
  return { name, nameTok, open, close: t.count, insertAt: t.start[at]!, global, device, unsure, words, inAngles };
}

/**
 * The execution space of `fn` given which specifier words are macros expanding to `__device__`:
 * `device` when `__device__` or such a macro is written, `unsure` when the name is qualified, the
 * function constexpr, or an upper-case specifier is some other macro.
 */
export function fnSpace(fn: FnDef, isDeviceMacro: (word: string) => boolean): { device: boolean; unsure: boolean } {
  let device = fn.device;
  let unsure = fn.unsure;
  for (const w of fn.words) {
    if (isDeviceMacro(w)) device = true;
    else if (MACRO_LIKE.test(w) && !w.startsWith('__')) unsure = true;
  }
  return { device, unsure };
}

/**
 * True when `fn` is `__global__` or `__device__`, also through a macro defined anywhere in the
 * file (`#define DEV __device__`): for local rules, which see only their window. Each specifier
 * word that may be such a macro is looked up with {@link RuleContext.fileIdentsNamed} (a
 * dependency on that word); keywords, CUDA specifiers, mapped CUDA names and template arguments
 * are not looked up.
 */
export function isDeviceFunction(ctx: RuleContext, fn: FnDef): boolean {
  if (fn.global || fn.device) return true;
  for (let k = 0; k < fn.words.length; k++) {
    const w = fn.words[k]!;
    if (fn.inAngles[k] || NOT_MACROS.has(w) || ctx.mappings.get(w)) continue;
    if (isDeviceMacro(ctx, w)) return true;
  }
  return false;
}

/**
 * True when `name` is defined on a `#define` line of the file whose first 11 tokens after the
 * directive hold `__device__` or `__global__` (the same test as {@link deviceMacroNames}), read
 * through {@link RuleContext.fileIdentsNamed}. Cached per context.
 */
function isDeviceMacro(ctx: RuleContext, name: string): boolean {
  let cache = MACRO_CACHE.get(ctx);
  if (!cache) MACRO_CACHE.set(ctx, (cache = new Map()));
  const known = cache.get(name);
  if (known !== undefined) return known;
  const t = ctx.tokens;
  let found = false;
  for (const k of ctx.fileIdentsNamed(name)) {
    if (t.pp[k] !== PP.Define) continue;
    const d = prevCode(t, k);
    if (d < 0 || t.kind[d] !== Tok.Directive || tokenText(t, d).replace(/\s+/g, '') !== '#define') continue;
    for (let i = d + 1; i < t.count && i < d + 12; i++) {
      if (t.kind[i] === Tok.Directive) break;
      if (isIdent(t, i, '__device__') || isIdent(t, i, '__global__')) {
        found = true;
        break;
      }
    }
    if (found) break;
  }
  cache.set(name, found);
  return found;
}

const MACRO_CACHE = new WeakMap<RuleContext, Map<string, boolean>>();
const FUNCTIONS = new WeakMap<RuleContext, FnDef[]>();

/** The namespace-scope function whose body contains token `i`, or undefined (binary search). */
export function functionOfToken(ctx: RuleContext, i: number): FnDef | undefined {
  return functionContaining(namespaceFunctions(ctx), i);
}

/** The function of `fns` (sorted by position, not nested) whose body contains token `i`, or undefined (binary search). */
export function functionContaining(fns: readonly FnDef[], i: number): FnDef | undefined {
  let lo = 0;
  let hi = fns.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = fns[mid]!;
    if (i <= f.open) hi = mid - 1;
    else if (i >= f.close) lo = mid + 1;
    else return f;
  }
  return undefined;
}

/** Start and end offsets (UTF-16) of tokens `first`..`last` (inclusive) of `t`, and their text. */
export function tokenRange(t: Tokens, first: number, last: number): { start: number; end: number; text: string } {
  const start = t.start[first]!;
  const end = t.end[last]!;
  return { start, end, text: t.text.slice(start, end) };
}

/**
 * Calls of the API `name` in code: `name(` not on a `#define`/`#include` line and not a member
 * (`.name(`, `->name(`, and with `scoped` also `X::name(`) — the shape the argument rewrites share.
 * Yields the name's token index and the parsed call (skipping calls whose parentheses do not balance).
 */
export function* callsOf(ctx: RuleContext, name: string, scoped: boolean): Generator<{ i: number; call: NonNullable<ReturnType<typeof callArguments>> }> {
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
