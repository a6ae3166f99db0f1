/**
 * Text output comparison: line by line, streamed from both files. The numbers in a line are
 * compared with the tolerance (integers exactly, unless asked otherwise) and the text around them
 * must match exactly, so `result = 3.14159` against `result = 3.14160` is a numeric difference of
 * 1e-5, while `result = 3.14159` against `total = 3.14159` is a text mismatch.
 *
 * A number is a decimal literal (`12`, `-3.5`, `.5`, `6.02e23`) or `nan`/`inf`/`infinity`
 * (any case, signed) that is not part of a word: `float3`, `x1` and `0x1f` stay text.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FullTolerance } from './config';
import { NumericComparer, type NumericStats } from './numeric';

/** Matches the numbers of a line (see the module comment). */
export const NUMBER_RE = /(?<![\w.])[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|(?:nan|inf(?:inity)?)(?![a-z]))(?!\w)/gi;

/** A line split into its text (numbers replaced by U+0000) and its numbers. */
export interface SplitLine {
  skeleton: string;
  tokens: string[];
}

/** Splits `line` into its text skeleton and its number tokens (in order). */
export function splitNumbers(line: string): SplitLine {
  const tokens: string[] = [];
  const skeleton = line.replace(NUMBER_RE, (m) => {
    tokens.push(m);
    return '\u0000';
  });
  return { skeleton, tokens };
}

/** Whether a number token is written as an integer (no '.', exponent, nan or inf). */
export function isIntegerToken(t: string): boolean {
  return /^[-+]?\d+$/.test(t);
}

/** Parses a number token (nan/inf in any case) to a float64. */
export function tokenValue(t: string): number {
  const low = t.toLowerCase();
  const neg = low.startsWith('-');
  const body = low.replace(/^[-+]/, '');
  if (body === 'nan') return NaN;
  if (body === 'inf' || body === 'infinity') return neg ? -Infinity : Infinity;
  return Number(t);
}

/** What a text comparison found. Line numbers are 1-based, counted after dropping ignored lines. */
export interface TextStats {
  /** Line pairs compared. */
  lines: number;
  /** Lines left out by ignoreLines (reference + candidate). */
  ignoredLines: number;
  /** Lines of each side (after ignoring). */
  referenceLines: number;
  candidateLines: number;
  /** Line pairs whose text (numbers aside) differs, or whose number count differs. */
  textMismatches: number;
  firstTextMismatch?: { line: number; reference: string; candidate: string };
  /** Line pairs that are identical (their numbers are not parsed). */
  identicalLines: number;
  /** Numbers compared in the lines that differ. */
  numbers: number;
  /** Integer tokens that differ (compared exactly). */
  integerMismatches: number;
  firstIntegerMismatch?: { line: number; reference: string; candidate: string };
  /** Float statistics (element indices count the float numbers in order). */
  numeric: NumericStats;
  /** Line of the first float over tolerance. */
  firstOverLine?: number;
  /** Whether every line matched. */
  passed: boolean;
}

async function* filtered(path: string, ignore: readonly RegExp[], count: { ignored: number }): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (ignore.some((re) => re.test(line))) {
      count.ignored++;
      continue;
    }
    yield line;
  }
}

/** Cuts a line for a report. */
function clip(s: string): string {
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/**
 * Compares two text files line by line, streaming both.
 * @param tol tolerance of float numbers (`ulps` is not used: text numbers are decimal)
 * @param opts `ignoreLines` drops matching lines on both sides; `integers: 'tolerance'` compares integer tokens like floats
 * @throws fs errors for unreadable files
 */
export async function compareTextFiles(refPath: string, candPath: string, tol: FullTolerance, opts: { ignoreLines?: readonly RegExp[]; integers?: 'exact' | 'tolerance' } = {}): Promise<TextStats> {
  const ignore = opts.ignoreLines ?? [];
  const count = { ignored: 0 };
  const ri = filtered(refPath, ignore, count);
  const ci = filtered(candPath, ignore, count);
  const cmp = new NumericComparer('float64', { ...tol, ulps: 0 });
  const s: TextStats = {
    lines: 0,
    ignoredLines: 0,
    referenceLines: 0,
    candidateLines: 0,
    textMismatches: 0,
    identicalLines: 0,
    numbers: 0,
    integerMismatches: 0,
    numeric: cmp.stats,
    passed: false,
  };
  const bits = (a: Float64Array): Uint32Array => new Uint32Array(a.buffer);
  for (;;) {
    const [r, c] = await Promise.all([ri.next(), ci.next()]);
    if (!r.done) s.referenceLines++;
    if (!c.done) s.candidateLines++;
    if (r.done && c.done) break;
    const line = Math.max(s.referenceLines, s.candidateLines);
    if (r.done || c.done) {
      s.textMismatches++;
      s.firstTextMismatch ??= { line, reference: r.done ? '(end of output)' : clip(r.value), candidate: c.done ? '(end of output)' : clip(c.value) };
      continue;
    }
    s.lines++;
    if (r.value === c.value) {
      // Fast path: an identical line matches whatever numbers it holds; they are not parsed.
      s.identicalLines++;
      continue;
    }
    const a = splitNumbers(r.value);
    const b = splitNumbers(c.value);
    if (a.skeleton !== b.skeleton || a.tokens.length !== b.tokens.length) {
      s.textMismatches++;
      s.firstTextMismatch ??= { line, reference: clip(r.value), candidate: clip(c.value) };
      continue;
    }
    const fr: number[] = [];
    const fc: number[] = [];
    for (let k = 0; k < a.tokens.length; k++) {
      const ta = a.tokens[k]!;
      const tb = b.tokens[k]!;
      s.numbers++;
      if (opts.integers !== 'tolerance' && isIntegerToken(ta) && isIntegerToken(tb)) {
        if (BigInt(ta) !== BigInt(tb)) {
          s.integerMismatches++;
          s.firstIntegerMismatch ??= { line, reference: ta, candidate: tb };
        }
        continue;
      }
      fr.push(tokenValue(ta));
      fc.push(tokenValue(tb));
    }
    if (fr.length > 0) {
      const before = cmp.stats.firstOverIndex;
      const ar = Float64Array.from(fr);
      const ac = Float64Array.from(fc);
      cmp.pushFloat(ar, ac, bits(ar), bits(ac));
      if (before < 0 && cmp.stats.firstOverIndex >= 0) s.firstOverLine = line;
    }
  }
  s.ignoredLines = count.ignored;
  s.passed = s.textMismatches === 0 && s.integerMismatches === 0 && cmp.passed;
  return s;
}
