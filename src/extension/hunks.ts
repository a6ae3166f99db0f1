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

/**
 * A short one-line label for a hunk, for lists: `lines 12–14: cudaMalloc → hipMalloc` style, using
 * the first changed line of each side trimmed to `max` characters (UTF-16 code units).
 */
export function hunkLabel(h: Hunk, max = 60): string {
  const clip = (s: string | undefined) => {
    const t = (s ?? '').replace(/\r?\n$/, '').trim();
    return t.length > max ? t.slice(0, max - 1) + '…' : t;
  };
  const where = h.originalCount > 0 ? `line ${h.originalStart + 1}${h.originalCount > 1 ? `–${h.originalStart + h.originalCount}` : ''}` : `after line ${h.originalStart}`;
  if (h.originalCount === 0) return `${where}: + ${clip(h.added[0])}`;
  if (h.proposalCount === 0) return `${where}: − ${clip(h.removed[0])}`;
  return `${where}: ${clip(h.removed[0])} → ${clip(h.added[0])}`;
}
