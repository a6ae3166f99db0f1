/**
 * Text helpers: line index (offset <-> 0-based line / UTF-16 column), line-ending and BOM
 * detection, and applying non-overlapping edits.
 */
import type { TextEdit } from './findings';

/** 0-based line and UTF-16 column, as in LSP `Position`. */
export interface Position {
  line: number;
  character: number;
}

/** Maps UTF-16 offsets to 0-based line / UTF-16 column positions and back for one text. */
export class LineIndex {
  /** Offset of the first character of each line. */
  private readonly starts: number[];

  constructor(private readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Position of a UTF-16 offset (clamped to the text). */
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo]! };
  }

  /** UTF-16 offset of a position (clamped to the line and the text). */
  offsetAt(pos: Position): number {
    if (pos.line >= this.starts.length) return this.text.length;
    if (pos.line < 0) return 0;
    const start = this.starts[pos.line]!;
    const next = pos.line + 1 < this.starts.length ? this.starts[pos.line + 1]! : this.text.length;
    return Math.max(start, Math.min(start + pos.character, next));
  }

  /** Offset of the start of a 0-based line. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))]!;
  }
}

/**
 * `s` as a string that shares no memory with the text it was cut from. V8 keeps a `slice` of 13 or
 * more characters as a view into its whole parent string (and a template literal as a tree of its
 * parts), so a name or message kept in a long-lived finding or index would keep a whole version of
 * the document alive: the language server keeps findings across hundreds of versions of a file.
 * Copies only strings of 13+ UTF-16 code units (shorter slices are copies already).
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** The text's dominant line ending: `\r\n` when most line breaks are CRLF, else `\n`. */
export function detectEol(text: string): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** True when the text starts with a U+FEFF byte-order mark. */
export function hasBom(text: string): boolean {
  return text.charCodeAt(0) === 0xfeff;
}

/**
 * The non-overlapping edits {@link applyEdits} applies, in order: sorted by start; at one start,
 * insertions first (in their given order), then the longest replacement; an edit starting inside
 * an earlier kept replacement is dropped (so an edit that rewrites a whole range wins over edits
 * nested in it); exact duplicates are dropped. The result is also a valid LSP edit list.
 */
export function resolveEdits(edits: readonly TextEdit[]): TextEdit[] {
  const sorted = edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      if (a.e.start !== b.e.start) return a.e.start - b.e.start;
      const ae = a.e.end === a.e.start;
      const be = b.e.end === b.e.start;
      if (ae !== be) return ae ? -1 : 1;
      return b.e.end - a.e.end || a.i - b.i;
    })
    .map((x) => x.e);
  const out: TextEdit[] = [];
  let pos = 0;
  // exact duplicates are dropped wherever they sit among the edits at one offset
  let seenAt = -1;
  const seen = new Set<string>();
  for (const e of sorted) {
    if (e.start < pos) continue;
    if (e.start !== seenAt) {
      seenAt = e.start;
      seen.clear();
    }
    const key = `${e.end}\u0000${e.newText}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
    pos = e.end;
  }
  return out;
}

/** Applies edits (UTF-16 offsets into `text`) resolved by {@link resolveEdits}; returns the new text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const out: string[] = [];
  let pos = 0;
  for (const e of resolveEdits(edits)) {
    out.push(text.slice(pos, e.start), e.newText);
    pos = e.end;
  }
  out.push(text.slice(pos));
  return out.join('');
}
