/**
 * Small helpers shared by the hazard rules (warp, arch, asm, launch, memory, libraries, cxx).
 * All offsets are UTF-16 code-unit offsets into the document; token indices index `Tokens`.
 */
import { Tok, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import type { SyntaxNode } from '../parse';
import type { RuleContext } from './types';

/** The text of token `i` ('' when `i` is out of range). */
export function tt(t: Tokens, i: number): string {
  return i < 0 || i >= t.count ? '' : t.text.slice(t.start[i], t.end[i]);
}

/** True when token `i` is an identifier with text `name`. */
export function isIdent(t: Tokens, i: number, name?: string): boolean {
  if (i < 0 || i >= t.count || t.kind[i] !== Tok.Ident) return false;
  return name === undefined || tt(t, i) === name;
}

/** Index of the first token whose start is `>= offset` (t.count when none); binary search. */
export function tokenAt(t: Tokens, offset: number): number {
  let lo = 0;
  let hi = t.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t.start[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The nearest ancestor of `n` (or `n` itself) whose type is one of `types`, or undefined. */
export function ancestor(n: SyntaxNode | null | undefined, types: ReadonlySet<string>): SyntaxNode | undefined {
  for (let p = n ?? null; p; p = p.parent) if (types.has(p.type)) return p;
  return undefined;
}

const FUNCTION_TYPES = new Set(['function_definition']);

/** The function definition enclosing offset `[start, end)`, or undefined (no tree, or at namespace scope). */
export function enclosingFunction(ctx: RuleContext, start: number, end: number): SyntaxNode | undefined {
  return ancestor(ctx.nodeAt(start, end), FUNCTION_TYPES);
}

/** Execution space of a function definition, read from its tokens before the body. */
export interface FunctionSpace {
  global: boolean;
  device: boolean;
  host: boolean;
  constexpr: boolean;
  /** Upper-case identifiers among the specifiers that may be macros expanding to `__device__` & co. */
  unknownMacro: boolean;
  /** Offset where the specifiers start (the function definition's start). */
  start: number;
  /** Offset of the declarator (after the specifiers). */
  declaratorStart: number;
}

/**
 * Reads the execution-space specifiers of `fn` (a `function_definition` node) from the tokens
 * between its start and its declarator. `deviceMacros` are macro names known to expand to
 * `__device__` (from `#define` lines of the same file).
 */
export function functionSpace(ctx: RuleContext, fn: SyntaxNode, deviceMacros: ReadonlySet<string>): FunctionSpace {
  const t = ctx.tokens;
  const decl = fn.childForFieldName('declarator');
  const stop = decl ? decl.startIndex : fn.startIndex;
  const s: FunctionSpace = { global: false, device: false, host: false, constexpr: false, unknownMacro: false, start: fn.startIndex, declaratorStart: stop };
  for (let i = tokenAt(t, fn.startIndex); i < t.count && t.start[i]! < stop; i++) {
    if (t.kind[i] !== Tok.Ident) continue;
    const w = tt(t, i);
    if (w === '__global__') s.global = true;
    else if (w === '__device__') s.device = true;
    else if (w === '__host__') s.host = true;
    else if (w === 'constexpr' || w === 'consteval') s.constexpr = true;
    else if (deviceMacros.has(w)) s.device = true;
    else if (/^[A-Z_][A-Z0-9_]{2,}$/.test(w) && !w.startsWith('__')) s.unknownMacro = true;
  }
  return s;
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
          if (tt(t, j).replace(/\s+/g, '') === '#define' && isIdent(t, name)) out.add(tt(t, name));
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

/** True when `p` is a single punctuation token among `set` (e.g. `['.', '->']`). */
export function punctIn(t: Tokens, p: number, set: readonly string[]): boolean {
  for (const s of set) if (isPunct(t, p, s)) return true;
  return false;
}
