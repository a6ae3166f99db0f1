/**
 * The hunk model of a proposal review: line hunks between the original text and the (possibly
 * user-edited) proposal, and the text that results from accepting a subset of them.
 * Pure functions, no `vscode` import, so they are unit-tested directly (test/unit/hunks.test.ts).
 * Lines keep their own terminators (`\n`, `\r\n`, or none on the last line), so line endings and
 * a BOM survive any selection byte for byte.
 */
import { diffArrays } from 'diff';

/** One contiguous change between the original and the proposal. All lines are 0-based. */
export interface Hunk {
  /**
   * Stable id: the original line range plus a hash of both sides, so it survives user edits of the
   * proposal elsewhere (an edit inside the hunk yields a new id, and the hunk's decision is reset).
   */
  id: string;
  /** First original line replaced (0-based); for a pure insertion, the line the new lines go before. */
  originalStart: number;
  /** Number of original lines replaced (0 for a pure insertion). */
  originalCount: number;
  /** First proposal line of the replacement (0-based); for a pure deletion, the line after which lines vanish. */
  proposalStart: number;
  /** Number of proposal lines (0 for a pure deletion). */
  proposalCount: number;
  /** The original lines, each with its terminator. */
  removed: string[];
  /** The proposal lines, each with its terminator. */
  added: string[];
}

/** A hunk's review state. */
export type HunkDecision = 'pending' | 'accepted' | 'rejected';

/**
 * Splits text into lines that keep their terminators (`\n` or `\r\n`); the last line has none
 * when the text does not end with a newline. `''` gives `[]`.
 */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** FNV-1a 32-bit hash of a string (UTF-16 code units), as 8 hex digits. Only for ids, not security. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Computes the line hunks that turn `original` into `proposal` (a minimal line diff by the `diff`
 * package's `diffArrays` over terminator-carrying lines, so a changed line ending is a change).
 * Adjacent removals and additions form one hunk. Returns hunks in document order.
 */
export function computeHunks(original: string, proposal: string): Hunk[] {
  const a = splitLines(original);
  const b = splitLines(proposal);
  const changes = diffArrays(a, b);
  const hunks: Hunk[] = [];
  let oi = 0;
  let pi = 0;
  let cur: Hunk | undefined;
  const close = () => {
    if (!cur) return;
    cur.id = `L${cur.originalStart + 1}+${cur.originalCount}-${fnv1a(cur.removed.join('') + '\u0000' + cur.added.join(''))}`;
    hunks.push(cur);
    cur = undefined;
  };
  for (const c of changes) {
    const n = c.value.length;
    if (!c.added && !c.removed) {
      close();
      oi += n;
      pi += n;
      continue;
    }
    cur ??= { id: '', originalStart: oi, originalCount: 0, proposalStart: pi, proposalCount: 0, removed: [], added: [] };
    if (c.removed) {
      cur.removed.push(...c.value);
      cur.originalCount += n;
      oi += n;
    } else {
      cur.added.push(...c.value);
      cur.proposalCount += n;
      pi += n;
    }
  }
  close();
  return hunks;
}

/**
 * The text that results from taking the hunks whose ids are in `accepted` from the proposal and
 * keeping the original everywhere else.
 *
 * @param original the text the hunks were computed from (left side)
 * @param hunks `computeHunks(original, proposal)` for the current proposal
 * @param accepted ids of the hunks to take; unknown ids are ignored
 * @returns accepting every hunk gives the proposal, accepting none gives the original
 */
export function applySelection(original: string, hunks: readonly Hunk[], accepted: ReadonlySet<string>): string {
  const a = splitLines(original);
  const out: string[] = [];
  let oi = 0;
  for (const h of hunks) {
    for (; oi < h.originalStart; oi++) out.push(a[oi]!);
    if (accepted.has(h.id)) out.push(...h.added);
    else out.push(...h.removed);
    oi = h.originalStart + h.originalCount;
  }
  for (; oi < a.length; oi++) out.push(a[oi]!);
  return out.join('');
}

/**
 * Carries decisions over to a recomputed hunk list: hunks whose id is unchanged keep their
 * decision, new hunks are `pending`. Returns a new map holding only the current hunks' ids.
 */
export function carryDecisions(hunks: readonly Hunk[], previous: ReadonlyMap<string, HunkDecision>): Map<string, HunkDecision> {
  const out = new Map<string, HunkDecision>();
  for (const h of hunks) out.set(h.id, previous.get(h.id) ?? 'pending');
  return out;
}

/** Counts of a decision map: `{ pending, accepted, rejected }`. */
export function countDecisions(decisions: ReadonlyMap<string, HunkDecision>): Record<HunkDecision, number> {
  const c: Record<HunkDecision, number> = { pending: 0, accepted: 0, rejected: 0 };
  for (const d of decisions.values()) c[d]++;
  return c;
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$]/.test(c);

/** True when position `i` of `t` (between `t[i-1]` and `t[i]`) does not split an identifier or number. */
function tokenBoundary(t: string, i: number): boolean {
  return i <= 0 || i >= t.length || !(isWordChar(t[i - 1]) && isWordChar(t[i]));
}

/**
 * `t` cut to at most `max` UTF-16 code units at a word/token boundary, with `…` marking the cut:
 * the cut goes after the last space that keeps at least half of `max`, else at the last token
 * boundary that keeps a third, else (one long identifier) at `max - 1`.
 */
export function clipAtToken(t: string, max: number): string {
  if (t.length <= max) return t;
  const limit = Math.max(1, max - 1);
  let cut = -1;
  for (let i = limit; i >= Math.ceil(max / 2); i--) {
    if (t[i] === ' ' || t[i - 1] === ' ') {
      cut = i;
      break;
    }
  }
  if (cut < 0) {
    for (let i = limit; i >= Math.ceil(max / 3); i--) {
      if (tokenBoundary(t, i)) {
        cut = i;
        break;
      }
    }
  }
  if (cut < 0) cut = limit;
  return t.slice(0, cut).trimEnd() + '…';
}

/**
 * Where a hunk sits in the ORIGINAL text, in words with 1-based line numbers: `line 7`,
 * `lines 7–9`, `after line 6` for an insertion, `at the start of the file` for an insertion
 * before the first line.
 */
export function hunkPlace(h: Hunk): string {
  if (h.originalCount === 0) return h.originalStart === 0 ? 'at the start of the file' : `after line ${h.originalStart}`;
  const first = h.originalStart + 1;
  return h.originalCount === 1 ? `line ${first}` : `lines ${first}–${first + h.originalCount - 1}`;
}

/**
 * A short one-line label for a hunk, for lists: where it is ({@link hunkPlace}) and what changes,
 * e.g. `line 12: cudaMalloc(&d, n) → hipMalloc(&d, n)`, `at the start of the file: + #include
 * <hip/hip_runtime.h>`, `lines 3–5: − …` with `(3 → 1 lines)` when a side has several lines.
 * Each side is its first changed line, trimmed; a long indented prefix shared by both sides is
 * replaced by `…` so the difference shows; each side is cut to `max` UTF-16 code units at a
 * word/token boundary ({@link clipAtToken}).
 */
export function hunkLabel(h: Hunk, max = 60): string {
  let from = (h.removed[0] ?? '').replace(/\r?\n$/, '').trim();
  let to = (h.added[0] ?? '').replace(/\r?\n$/, '').trim();
  if (from !== '' && to !== '' && (from.length > max || to.length > max)) {
    // Skip a long common prefix (backed off to a token boundary) so the changed part is visible.
    let p = 0;
    while (p < from.length && p < to.length && from[p] === to[p]) p++;
    while (p > 0 && !(tokenBoundary(from, p) && tokenBoundary(to, p))) p--;
    if (p >= 12) {
      from = '…' + from.slice(p).trimStart();
      to = '…' + to.slice(p).trimStart();
    }
  }
  const where = hunkPlace(h);
  const lines = (n: number): string => `${n} line${n === 1 ? '' : 's'}`;
  if (h.originalCount === 0) return `${where}: + ${clipAtToken(to, max)}${h.proposalCount > 1 ? ` (+${lines(h.proposalCount)})` : ''}`;
  if (h.proposalCount === 0) return `${where}: − ${clipAtToken(from, max)}${h.originalCount > 1 ? ` (−${lines(h.originalCount)})` : ''}`;
  const counts = h.originalCount > 1 || h.proposalCount > 1 ? ` (${h.originalCount} → ${lines(h.proposalCount)})` : '';
  return `${where}: ${clipAtToken(from, max)} → ${clipAtToken(to, max)}${counts}`;
}
