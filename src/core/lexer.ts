/**
 * A fast C/C++/CUDA lexer used for token-level analysis: renames, include rewriting and the
 * token patterns of several rules. It never fails: any byte sequence yields tokens, so files
 * (or regions) that tree-sitter cannot parse are still analysed "by token".
 *
 * Tokens are stored as parallel typed arrays (struct of arrays) to keep a 1M-line corpus cheap.
 * Offsets are UTF-16 code-unit offsets into the lexed string.
 */

/** Token kinds. */
export const enum Tok {
  Ident = 1,
  Number = 2,
  String = 3,
  Char = 4,
  Comment = 5,
  Punct = 6,
  /** The `#name` of a preprocessor directive, e.g. `#include` (whitespace between `#` and the name allowed). */
  Directive = 7,
  /** The `<...>` or `"..."` operand of `#include`/`#include_next`/`#import`. */
  HeaderName = 8,
}

/** Preprocessor context of a token: which directive's line it sits on (0 = ordinary code). */
export const enum PP {
  None = 0,
  Include = 1,
  Define = 2,
  If = 3, // #if and #elif
  Ifdef = 4, // #ifdef and #ifndef
  Other = 5, // #pragma, #error, #undef, #line, ...
}

const DIRECTIVE_KIND: Record<string, PP> = {
  include: PP.Include,
  include_next: PP.Include,
  import: PP.Include,
  define: PP.Define,
  if: PP.If,
  elif: PP.If,
  ifdef: PP.Ifdef,
  ifndef: PP.Ifdef,
  elifdef: PP.Ifdef,
  elifndef: PP.Ifdef,
};

/** The tokens of one text. `count` tokens; entry i is described by `kind[i]`, `start[i]`, `end[i]`, `pp[i]`. */
export interface Tokens {
  readonly text: string;
  readonly count: number;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly pp: Uint8Array;
}

/** Character classes of ASCII: bit 1 = identifier start, bit 2 = identifier part. Non-ASCII counts as both. */
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const start = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
  CLASS[c] = (start ? 1 : 0) | (start || (c >= 48 && c <= 57) ? 2 : 0);
}
function isIdentStart(c: number): boolean {
  return c < 128 ? (CLASS[c]! & 1) !== 0 : c !== 0xfeff;
}
function isIdentPart(c: number): boolean {
  return c < 128 ? (CLASS[c]! & 2) !== 0 : c !== 0xfeff;
}

/**
 * Lexes `text` into tokens. Handles line and block comments, string and char literals with
 * escapes, encoding prefixes (`u8`, `u`, `U`, `L`), raw strings `R"d(...)d"`, preprocessor
 * directives with backslash line continuations, and the CUDA launch brackets `<<<`/`>>>`.
 * Linear time; never throws.
 */
export function lex(text: string): Tokens {
  const n = text.length;
  let cap = Math.max(64, n >> 2);
  let kind = new Uint8Array(cap);
  let start = new Int32Array(cap);
  let end = new Int32Array(cap);
  let pp = new Uint8Array(cap);
  let count = 0;
  const push = (k: Tok, s: number, e: number, p: PP): void => {
    if (count === cap) {
      cap *= 2;
      const k2 = new Uint8Array(cap);
      k2.set(kind);
      kind = k2;
      const s2 = new Int32Array(cap);
      s2.set(start);
      start = s2;
      const e2 = new Int32Array(cap);
      e2.set(end);
      end = e2;
      const p2 = new Uint8Array(cap);
      p2.set(pp);
      pp = p2;
    }
    kind[count] = k;
    start[count] = s;
    end[count] = e;
    pp[count] = p;
    count++;
  };

  let i = 0;
  let atLineStart = true; // only whitespace/comments since the last newline (outside directives)
  let ppMode: PP = PP.None; // directive of the current logical line
  let expectHeader = false;

  while (i < n) {
    const c = text.charCodeAt(i);
    // newline
    if (c === 10) {
      i++;
      ppMode = PP.None;
      expectHeader = false;
      atLineStart = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff) {
      i++;
      continue;
    }
    // backslash-newline: line continuation (keeps the directive going)
    if (c === 92) {
      let j = i + 1;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 13)) j++;
      if (j < n && text.charCodeAt(j) === 10) {
        i = j + 1;
        continue;
      }
      push(Tok.Punct, i, i + 1, ppMode);
      i++;
      continue;
    }
    // comments
    if (c === 47 && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        // a line comment ends at the newline, unless a backslash continues it
        let j = text.indexOf('\n', i + 2);
        for (;;) {
          if (j === -1) {
            j = n;
            break;
          }
          let k = j - 1;
          if (text.charCodeAt(k) === 13) k--;
          if (k > i + 1 && text.charCodeAt(k) === 92) {
            j = text.indexOf('\n', j + 1);
            continue;
          }
          break;
        }
        push(Tok.Comment, i, j, ppMode);
        i = j;
        continue;
      }
      if (d === 42) {
        const close = text.indexOf('*/', i + 2);
        const j = close === -1 ? n : close + 2;
        push(Tok.Comment, i, j, ppMode);
        i = j;
        continue;
      }
    }
    // preprocessor directive
    if (c === 35 && atLineStart && ppMode === PP.None) {
      let j = i + 1;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      const ns = j;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      const name = text.slice(ns, j);
      ppMode = DIRECTIVE_KIND[name] ?? PP.Other;
      push(Tok.Directive, i, j, ppMode);
      expectHeader = ppMode === PP.Include;
      atLineStart = false;
      i = j;
      continue;
    }
    atLineStart = false;
    // #include operand
    if (expectHeader && (c === 60 || c === 34)) {
      const closeCh = c === 60 ? '>' : '"';
      let j = i + 1;
      while (j < n && text[j] !== closeCh && text.charCodeAt(j) !== 10) j++;
      const e = j < n && text[j] === closeCh ? j + 1 : j;
      push(Tok.HeaderName, i, e, ppMode);
      expectHeader = false;
      i = e;
      continue;
    }
    expectHeader = false;
    // identifiers, including string/char encoding prefixes and raw strings
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      const next = j < n ? text.charCodeAt(j) : 0;
      if (next === 34 || next === 39) {
        const prefix = text.slice(i, j);
        if (next === 34 && /^(u8|u|U|L)?R$/.test(prefix)) {
          const e = lexRawString(text, j);
          push(Tok.String, i, e, ppMode);
          i = e;
          continue;
        }
        if (/^(u8|u|U|L)$/.test(prefix)) {
          const e = lexQuoted(text, j, next);
          push(next === 34 ? Tok.String : Tok.Char, i, e, ppMode);
          i = e;
          continue;
        }
      }
      push(Tok.Ident, i, j, ppMode);
      const identStart = i;
      i = j;
      // `#if __has_include(<cuda_fp16.h>)`: the operand is a header name, as after #include
      if (ppMode !== PP.None && j - identStart >= 13 && text.charCodeAt(identStart + 2) === 104 && /^__has_include(?:_next)?$/.test(text.slice(identStart, j))) {
        let k = j;
        while (k < n && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
        if (k < n && text.charCodeAt(k) === 40) {
          push(Tok.Punct, k, k + 1, ppMode);
          expectHeader = true;
          i = k + 1;
        }
      }
      continue;
    }
    // numbers (pp-number: digits, letters, dots, exponent signs, digit separators)
    if ((c >= 48 && c <= 57) || (c === 46 && i + 1 < n && text.charCodeAt(i + 1) >= 48 && text.charCodeAt(i + 1) <= 57)) {
      let j = i + 1;
      while (j < n) {
        const e = text.charCodeAt(j);
        if (isIdentPart(e) || e === 46) {
          j++;
        } else if ((e === 43 || e === 45) && /[eEpP]/.test(text[j - 1]!)) {
          j++;
        } else if (e === 39 && j + 1 < n && isIdentPart(text.charCodeAt(j + 1))) {
          j++;
        } else break;
      }
      push(Tok.Number, i, j, ppMode);
      i = j;
      continue;
    }
    if (c === 34 || c === 39) {
      const e = lexQuoted(text, i, c);
      push(c === 34 ? Tok.String : Tok.Char, i, e, ppMode);
      i = e;
      continue;
    }
    // punctuation; CUDA launch brackets and a few multi-char operators are single tokens
    if ((c === 60 || c === 62) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c) {
      push(Tok.Punct, i, i + 3, ppMode);
      i += 3;
      continue;
    }
    if ((c === 58 && text.charCodeAt(i + 1) === 58) || (c === 45 && text.charCodeAt(i + 1) === 62)) {
      push(Tok.Punct, i, i + 2, ppMode);
      i += 2;
      continue;
    }
    if ((c === 60 || c === 62) && text.charCodeAt(i + 1) === c) {
      push(Tok.Punct, i, i + 2, ppMode); // << and >>
      i += 2;
      continue;
    }
    push(Tok.Punct, i, i + 1, ppMode);
    i++;
  }
  return {
    text,
    count,
    kind: kind.subarray(0, count),
    start: start.subarray(0, count),
    end: end.subarray(0, count),
    pp: pp.subarray(0, count),
  };
}

/** End offset of a quoted literal starting at `i` (the quote); stops at an unescaped newline. */
function lexQuoted(text: string, i: number, quote: number): number {
  const n = text.length;
  let j = i + 1;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === quote) return j + 1;
    if (c === 92) {
      j += 2;
      continue;
    }
    if (c === 10) return j;
    j++;
  }
  return n;
}

/** End offset of a raw string whose opening quote is at `q`: `"delim( ... )delim"`. */
function lexRawString(text: string, q: number): number {
  const paren = text.indexOf('(', q + 1);
  if (paren === -1 || paren - q - 1 > 16) return lexQuoted(text, q, 34);
  const delim = text.slice(q + 1, paren);
  const close = text.indexOf(')' + delim + '"', paren + 1);
  return close === -1 ? text.length : close + delim.length + 2;
}

/** Index of the next token after `i` that is not a comment, or -1. */
export function nextCode(t: Tokens, i: number): number {
  for (let j = i + 1; j < t.count; j++) if (t.kind[j] !== Tok.Comment) return j;
  return -1;
}

/** Index of the previous token before `i` that is not a comment, or -1. */
export function prevCode(t: Tokens, i: number): number {
  for (let j = i - 1; j >= 0; j--) if (t.kind[j] !== Tok.Comment) return j;
  return -1;
}

/** True when token `i` is the single-character or operator punctuation `p`. */
export function isPunct(t: Tokens, i: number, p: string): boolean {
  if (i < 0 || i >= t.count || t.kind[i] !== Tok.Punct) return false;
  const s = t.start[i]!;
  const e = t.end[i]!;
  return e - s === p.length && t.text.startsWith(p, s);
}

/**
 * For a call whose `(` is token `open`, returns the argument token ranges split at top-level
 * commas, and the index of the closing `)`. Returns undefined when the parenthesis is unbalanced
 * before the end of the text (half-typed code). Each argument is `[firstToken, lastToken]`
 * (inclusive; `first > last` for an empty argument).
 */
export function callArguments(t: Tokens, open: number): { args: Array<[number, number]>; close: number } | undefined {
  let depth = 0;
  const args: Array<[number, number]> = [];
  let argStart = open + 1;
  for (let j = open; j < t.count; j++) {
    if (t.kind[j] !== Tok.Punct) continue;
    const ch = t.text.charCodeAt(t.start[j]!);
    const len = t.end[j]! - t.start[j]!;
    if (len !== 1) continue;
    if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) {
      depth--;
      if (depth === 0) {
        args.push([argStart, j - 1]);
        return { args, close: j };
      }
      if (depth < 0) return undefined;
    } else if (ch === 44 && depth === 1) {
      args.push([argStart, j - 1]);
      argStart = j + 1;
    } else if (ch === 59 && depth <= 1) {
      return undefined; // a ';' inside a call: unbalanced, half-typed code
    }
  }
  return undefined;
}
