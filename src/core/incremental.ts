/**
 * Incremental analysis: after an edit inside one top-level item of a file (a declaration or
 * definition at namespace scope, a preprocessor line, a comment), re-run the `local` rules only
 * on that item and its neighbours, run the `file` rules over the whole file, and keep every other
 * finding of the previous analysis (shifted by the edit's length change). See
 * {@link RuleContext.fileHas} / {@link RuleContext.fileIdentsNamed} for the whole-file facts that
 * make it fall back to a full analysis.
 *
 * All offsets are UTF-16 code units into the document text.
 */
import { buildIdentIndex, mergeFindings, runRules, widerReach, type Analysis, type AnalyzeOptions } from './analyze';
import { Mappings } from './mappings';
import { ALL_RULES } from './rules/index';
import type { Finding } from './findings';
import { Tok, lex, type Tokens } from './lexer';
import { lowerBound } from './search';
import type { SyntaxNode, Tree } from './parse';
import type { FactReach, Rule } from './rules/types';
import { tokenAt } from './rules/util';

/** One top-level item: a UTF-16 offset range `[start, end)` of the document. */
export interface Item {
  start: number;
  end: number;
}

/**
 * Node types whose named children are themselves top-level items: conditional groups of the
 * preprocessor (an include guard wraps a whole header), `extern "C" { }` and namespace bodies,
 * and ERROR nodes (a stray character after an `#endif` can leave the rest of the file in one
 * unterminated conditional under an ERROR: its functions stay items of their own; with a syntax
 * error in the file every incremental result is provisional anyway).
 */
const CONTAINERS = new Set(['preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'linkage_specification', 'namespace_definition', 'declaration_list', 'ERROR']);
/** Fields of a container that are part of its header, not items (`#if COND`, `namespace NAME`, the `"C"` of `extern "C"`). */
const HEADER_FIELDS = new Set(['condition', 'name', 'value']);

/**
 * The top-level items of a syntax tree, in document order: the named children of the root,
 * descending through {@link CONTAINERS}. Gaps between items (the `#ifdef NAME` line, braces of a
 * namespace, whitespace) belong to no item.
 *
 * @param root the `translation_unit` node of a tree for the document text
 * @returns items as UTF-16 offset ranges, ascending and non-overlapping
 */
export function topLevelItems(root: SyntaxNode): Item[] {
  const out: Item[] = [];
  const visit = (n: SyntaxNode): void => {
    const cursor = n.walk();
    if (!cursor.gotoFirstChild()) return;
    do {
      if (!cursor.nodeIsNamed) continue;
      const field = cursor.currentFieldName;
      if (field && HEADER_FIELDS.has(field)) continue;
      const c = cursor.currentNode;
      if (CONTAINERS.has(c.type)) visit(c);
      else out.push({ start: c.startIndex, end: c.endIndex });
    } while (cursor.gotoNextSibling());
    cursor.delete();
  };
  visit(root);
  return out;
}

/** A text change in the coordinates of the previous text: `[start, oldEnd)` became `[start, newEnd)` of the new text. */
export interface TextChange {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/**
 * Composes two successive changes into one covering both: `a` maps text 0 → 1, `b` maps text
 * 1 → 2; the result maps text 0 → 2 (a range that may cover unchanged text between them).
 */
export function composeChanges(a: TextChange | undefined, b: TextChange): TextChange {
  if (!a) return { ...b };
  const delta = a.newEnd - a.oldEnd;
  // b in text-1 coordinates; map its ends back to text 0 where they lie outside a's new range
  const start = Math.min(a.start, b.start);
  const endIn1 = Math.max(a.newEnd, b.oldEnd);
  return { start, oldEnd: endIn1 - delta, newEnd: endIn1 + (b.newEnd - b.oldEnd) };
}

/**
 * The index `k` such that items `k` and `k + 1` together (with the gap between them) strictly
 * contain `[start, end)`, or -1: an edit in the whitespace between two items or across their
 * boundary, which {@link analyzeIncremental} handles as one merged item. Only siblings separated
 * by whitespace in `text` (the text the items belong to) qualify: a gap holding container syntax
 * (`#endif`, `namespace n {`, `}`) is not part of any item.
 */
export function pairContaining(items: readonly Item[], start: number, end: number, text: string): number {
  let lo = 0;
  let hi = items.length - 1;
  // the last item starting before `start`
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (items[mid]!.start < start) lo = mid;
    else hi = mid - 1;
  }
  const k = lo;
  if (k + 1 >= items.length || !(items[k]!.start < start) || !(end < items[k + 1]!.end)) return -1;
  for (let i = items[k]!.end; i < items[k + 1]!.start; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11) return -1;
  }
  return k;
}

/** The item of `items` that strictly contains `[start, end)` (not touching its first or last character), or -1. */
export function itemContaining(items: readonly Item[], start: number, end: number): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const it = items[mid]!;
    if (it.end <= start) lo = mid + 1;
    else if (it.start > start) hi = mid - 1;
    else return it.start < start && end < it.end ? mid : -1;
  }
  return -1;
}

/**
 * The tokens of `text` given the tokens `old` of the previous text and a change `c` whose old
 * range `[c.start, c.oldEnd)` is a top-level item's inside: only `[from, c.newEnd + (to - c.oldEnd))`
 * is lexed again, where `[from, to)` is the item in old coordinates. Returns undefined when the
 * lexer state at either end of the item cannot be shown to match a full lex (a block comment or
 * directive continuing across the boundary, a token that would join its neighbour): the caller
 * lexes the whole text instead.
 */
export function spliceTokens(old: Tokens, text: string, item: Item, c: TextChange): { tokens: Tokens; first: number; oldEnd: number; newEnd: number } | undefined {
  const delta = c.newEnd - c.oldEnd;
  const from = item.start;
  const to = item.end + delta; // new coordinates
  const lineStart = text.lastIndexOf('\n', from - 1) + 1;
  // a directive continued onto this line (backslash-newline before it) keeps its state: not clean
  if (lineStart >= 2) {
    let k = lineStart - 2;
    if (text.charCodeAt(k) === 13) k--;
    if (k >= 0 && text.charCodeAt(k) === 92) return undefined;
  }
  const a = tokenAt(old, lineStart);
  if (a > 0 && old.end[a - 1]! > lineStart) return undefined; // a multi-line token runs into the line
  const b = tokenAt(old, item.end);
  if (b > 0 && old.end[b - 1]! > item.end) return undefined;
  const sub = lex(text.slice(lineStart, to));
  // tokens of the line before the item must be the old ones
  let i = 0;
  let j = a;
  for (; i < sub.count && sub.start[i]! + lineStart < from; i++, j++) {
    if (j >= old.count || old.start[j]! !== sub.start[i]! + lineStart || old.end[j]! !== sub.end[i]! + lineStart || old.kind[j] !== sub.kind[i] || old.pp[j] !== sub.pp[i]) return undefined;
  }
  const first = j; // first token index of the item (old and new)
  if (first !== tokenAt(old, from)) return undefined;
  const m = sub.count - i; // tokens of the new item
  if (m > 0 && !cleanEnd(text, sub, lineStart, to)) return undefined;
  const count = first + m + (old.count - b);
  const kind = new Uint8Array(count);
  const start = new Int32Array(count);
  const end = new Int32Array(count);
  const pp = new Uint8Array(count);
  kind.set(old.kind.subarray(0, first));
  start.set(old.start.subarray(0, first));
  end.set(old.end.subarray(0, first));
  pp.set(old.pp.subarray(0, first));
  kind.set(sub.kind.subarray(i), first);
  pp.set(sub.pp.subarray(i), first);
  for (let k = 0; k < m; k++) {
    start[first + k] = sub.start[i + k]! + lineStart;
    end[first + k] = sub.end[i + k]! + lineStart;
  }
  const at = first + m;
  kind.set(old.kind.subarray(b), at);
  pp.set(old.pp.subarray(b), at);
  for (let k = b; k < old.count; k++) {
    start[at + k - b] = old.start[k]! + delta;
    end[at + k - b] = old.end[k]! + delta;
  }
  return { tokens: { text, count, kind, start, end, pp }, first, oldEnd: b, newEnd: at };
}

/**
 * True when the lexer's state after the last token of `sub` (lexed from `text.slice(base, to)`)
 * is the state a full lex has at `to`: no directive line running on, no unterminated literal or
 * block comment, no line comment cut short, no token that would join the next character.
 */
function cleanEnd(text: string, sub: Tokens, base: number, to: number): boolean {
  const last = sub.count - 1;
  const s = sub.start[last]! + base;
  const e = sub.end[last]! + base;
  const k = sub.kind[last];
  if (sub.pp[last] !== 0) {
    // the directive must end with a newline inside the item, not continued by a backslash
    const nl = text.lastIndexOf('\n', to - 1);
    if (nl < e) return false;
    let q = nl - 1;
    if (text.charCodeAt(q) === 13) q--;
    if (text.charCodeAt(q) === 92) return false;
  }
  if (k === Tok.Comment) {
    if (text.startsWith('/*', s)) return e - s >= 4 && text.startsWith('*/', e - 2);
    // a line comment must have stopped at a newline (not at the end of the slice)
    return e < to || text.charCodeAt(to) === 10 || text.charCodeAt(to) === 13;
  }
  if (k === Tok.String || k === Tok.Char) {
    const q = text.charCodeAt(e - 1);
    if (e - s < 2 || (q !== 34 && q !== 39)) return false;
  }
  if (e === to && to < text.length) {
    const next = text.charCodeAt(to);
    const isSpace = next === 32 || next === 9 || next === 10 || next === 13;
    const prev = text.charCodeAt(to - 1);
    if (!isSpace && prev !== 59 && prev !== 125 && prev !== 123) return false;
  }
  return true;
}

/** What the caller supplies about the new text's structure for {@link analyzeIncremental}. */
export interface IncrementalStructure {
  /** The document's tree: edited base tree (the caller keeps re-parsed items separately). */
  tree: Tree | undefined;
  /** Smallest named node covering `[start, end)` in the new text. */
  nodeAt(start: number, end: number): SyntaxNode | undefined;
  /** Parse-error regions of the new text. */
  parseErrors: ReadonlyArray<{ start: number; end: number }>;
  /** The top-level items that replace item `index` of the previous list, in new coordinates. */
  replacement: readonly Item[];
}

/** Result of {@link analyzeIncremental}: the analysis and the new top-level item list, or why it could not be done. */
export type IncrementalResult =
  | {
      analysis: Analysis;
      items: Item[];
      /**
       * Why rules re-ran over the whole file: the whole-file facts that changed and the rules that
       * read them ('' when only the edited item's window was re-analysed).
       */
      wholeFile: string;
    }
  | { fallback: string };

/**
 * The analysis of `text` from the analysis `prev` of the previous text, after change `c` that lies
 * strictly inside item `index` of `prevItems` (see {@link itemContaining}; a merged pair from
 * {@link pairContaining} counts as one item). Local rules re-run on that item and its two
 * neighbours; local rules that read a whole-file fact the edit changed re-run over the whole file;
 * file rules re-run over the whole file unless their {@link Rule.signature} of the item is
 * unchanged (then their findings are kept, shifted); every other local finding is reused with
 * offsets shifted. Returns `{ fallback }` (never throws for bad input) when the lexer state at the
 * item's ends cannot be shown to match a full lex.
 *
 * The new analysis takes over `prev`: findings the edit did not change are `prev`'s own objects,
 * their offsets moved in place, so once this returns an analysis (or throws) `prev` no longer
 * describes the previous text and must not be used again. A returned `{ fallback }` leaves `prev`
 * untouched.
 */
export function analyzeIncremental(prev: Analysis, prevItems: readonly Item[], index: number, text: string, c: TextChange, structure: IncrementalStructure, options: AnalyzeOptions): IncrementalResult {
  const item = prevItems[index]!;
  const delta = c.newEnd - c.oldEnd;
  const spliced = spliceTokens(prev.tokens, text, item, c);
  if (!spliced) return { fallback: 'lexer state at the item boundary' };
  const { tokens, first, oldEnd: oldItemEnd, newEnd: newItemEnd } = spliced;
  const old = prev.tokens;
  // Facts: the tokens around the occurrences of names read file-wide (each name's reach) must be
  // the same in the old and the new item, and names read with fileHas must still occur or not.
  // Where they differ, the rules that read those names run again over the whole file (on the
  // spliced tokens and the re-parsed item: no full re-parse); the other rules only on the window.
  const facts = prev.facts;
  const changedNames = new Set<string>();
  if (facts.names.size) {
    // occurrences in the neighbours whose reach may enter the item count too
    const r = FACT_NEIGHBOUR_TOKENS;
    const before = groupByName(factContexts(old, Math.max(0, first - r), Math.min(old.count, oldItemEnd + r), facts.names));
    const after = groupByName(factContexts(tokens, Math.max(0, first - r), Math.min(tokens.count, newItemEnd + r), facts.names));
    for (const [name, ctx] of before) if (after.get(name) !== ctx) changedNames.add(name);
    for (const name of after.keys()) if (!before.has(name)) changedNames.add(name);
  }
  const hadBefore = [...facts.has].filter((name) => prev.identIndex.has(name));
  const index2 = updateIdentIndex(prev.identIndex, old, tokens, first, oldItemEnd, newItemEnd);
  for (const name of facts.has) if (hadBefore.includes(name) !== index2.has(name)) changedNames.add(name);
  const wholeRules = new Set<string>();
  let wholeFile = '';
  for (const name of changedNames) {
    const readers = facts.readers.get(name);
    if (!readers) wholeFile = `edit changes a statement with '${name}', read file-wide`;
    else for (const id of readers) wholeRules.add(id);
  }
  const localRules = new Set((options.rules ?? ALL_RULES).filter((rule) => rule.scope !== 'file').map((rule) => rule.id));
  if (!wholeFile && [...wholeRules].some((id) => localRules.has(id)) && wholeRules.size >= localRules.size) wholeFile = 'every rule reads a changed fact';
  const wholeReason = changedNames.size ? `edit changes ${[...changedNames].map((n) => `'${n}'`).join(', ')}, read file-wide by ${[...wholeRules].join(', ') || 'every rule'}` : '';
  // new item list: previous items, the replacement, following items shifted
  const items: Item[] = prevItems.slice(0, index);
  for (const r of structure.replacement) items.push(r);
  for (let k = index + 1; k < prevItems.length; k++) items.push({ start: prevItems[k]!.start + delta, end: prevItems[k]!.end + delta });
  const lo = wholeFile ? 0 : index > 0 ? prevItems[index - 1]!.start : Math.min(item.start, structure.replacement[0]?.start ?? item.start);
  const nextOld = wholeFile ? prev.text.length : index + 1 < prevItems.length ? prevItems[index + 1]!.end : item.end;
  const hiOld = nextOld;
  const hiNew = nextOld + delta;
  // file rules whose signature over the edited item did not change keep their findings, shifted
  const reuse = new Map<string, Finding[]>();
  const mappings = options.mappings ?? Mappings.loadDefault();
  for (const rule of wholeFile ? [] : options.rules ?? ALL_RULES) {
    if (rule.scope !== 'file' || !rule.signature || wholeRules.has(rule.id)) continue;
    const before = prev.fileFindingsByRule.get(rule.id);
    if (!before) continue;
    const state = prev.signatureStates.get(rule.id);
    if (rule.signature(old, first, oldItemEnd, mappings, state) !== rule.signature(tokens, first, newItemEnd, mappings, state)) continue;
    const shifted = shiftAll(before, c, delta);
    if (shifted) reuse.set(rule.id, shifted);
  }
  const run = runRules({
    reuse,
    text,
    tokens,
    tree: structure.tree,
    nodeAt: structure.nodeAt,
    parseErrors: structure.parseErrors,
    options,
    fileIndex: index2,
    window: { start: lo, end: hiNew, firstToken: tokenAt(tokens, lo), endToken: tokenAt(tokens, hiNew) },
    wholeFileRules: wholeFile ? undefined : wholeRules,
  });
  // file rules that re-ran (and HP901) keep the identity of the findings the edit did not change
  let replaced: Map<Finding, Finding> | undefined;
  for (const [id, list] of run.fileFindingsByRule) {
    if (reuse.has(id)) continue;
    const same = keepUnchangedFindings(prev.fileFindingsByRule.get(id), list, c, delta);
    if (same) for (const [f, p] of same) (replaced ??= new Map()).set(f, p);
  }
  if (replaced) for (let i = 0; i < run.fileFindings.length; i++) run.fileFindings[i] = replaced.get(run.fileFindings[i]!) ?? run.fileFindings[i]!;
  // facts read by this run join those of the items it did not re-run (a whole-file run reads them all)
  let nextFacts = run.facts;
  if (!wholeFile) {
    const names = new Map(facts.names);
    for (const [n, r] of run.facts.names) names.set(n, widerReach(names.get(n), r));
    const readers = new Map<string, Set<string>>();
    for (const [n, ids] of facts.readers) readers.set(n, new Set(ids));
    for (const [n, ids] of run.facts.readers) {
      const set = readers.get(n);
      if (set) for (const id of ids) set.add(id);
      else readers.set(n, new Set(ids));
    }
    nextFacts = { names, has: new Set([...facts.has, ...run.facts.has]), readers };
  }
  let local: Finding[];
  if (wholeFile) local = run.localFindings;
  else {
    // the findings of rules re-run over the whole file replace all of theirs
    const wholeCodes = new Set<string>();
    for (const rule of options.rules ?? ALL_RULES) if (rule.scope !== 'file' && wholeRules.has(rule.id)) for (const code of rule.codes) wholeCodes.add(code.code);
    const kept = wholeCodes.size ? prev.localFindings.filter((f) => !wholeCodes.has(f.code)) : prev.localFindings;
    local = spliceFindings(kept, run.localFindings, lo, hiOld, c);
    if (wholeCodes.size) {
      keepUnchangedFindings(prev.localFindings.filter((f) => wholeCodes.has(f.code)), run.wholeLocalFindings, c, delta);
      local = mergeFindings(local, run.wholeLocalFindings);
    }
  }
  return {
    analysis: {
      text,
      tokens,
      tree: structure.tree,
      findings: mergeFindings(local, run.fileFindings),
      localFindings: local,
      fileFindings: run.fileFindings,
      fileFindingsByRule: run.fileFindingsByRule,
      signatureStates: nextStates(prev.signatureStates, run.signatureStates, reuse),
      parseErrors: structure.parseErrors.map((r) => ({ start: r.start, end: r.end })),
      options: run.options,
      facts: nextFacts,
      identIndex: index2,
      nodeAt: structure.nodeAt,
    },
    items,
    wholeFile: wholeFile || wholeReason,
  };
}

/** The signature states after an incremental run: those of the file rules that ran, and the previous ones of the rules reused. */
function nextStates(prev: ReadonlyMap<string, unknown>, ran: ReadonlyMap<string, unknown>, reused: ReadonlyMap<string, unknown>): Map<string, unknown> {
  const out = new Map(ran);
  for (const id of reused.keys()) if (prev.has(id)) out.set(id, prev.get(id));
  return out;
}

/**
 * True when `f` (new text) is `p` (previous text) moved by change `c`: every field equal, and every
 * offset of `f` (finding and fix edits) equal to `p`'s moved by `delta` when `shift` (as
 * {@link shiftInPlace} moves it), or unmoved otherwise.
 */
function sameFinding(f: Finding, p: Finding, c: TextChange, delta: number, shift: boolean): boolean {
  const at = (o: number): number => (shift ? shiftOffset(o, c, delta) : o);
  if (f.start !== at(p.start) || f.end !== at(p.end) || f.code !== p.code || f.message !== p.message || f.severity !== p.severity) return false;
  if (f.family !== p.family || f.status !== p.status || f.library !== p.library || f.cuda !== p.cuda || f.hip !== p.hip || f.docs !== p.docs) return false;
  if (!sameRelated(f.related, p.related, at)) return false;
  if (!f.fix || !p.fix) return f.fix === p.fix;
  const x = f.fix.edits;
  const y = p.fix.edits;
  if (f.fix.title !== p.fix.title || f.fix.auto !== p.fix.auto || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i]!.start !== at(y[i]!.start) || x[i]!.end !== at(y[i]!.end) || x[i]!.newText !== y[i]!.newText) return false;
  return true;
}

/** True when the related spans `a` equal `b`'s moved by `at`. */
function sameRelated(a: Finding['related'], b: Finding['related'], at: (o: number) => number): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.start !== at(b[i]!.start) || a[i]!.end !== at(b[i]!.end) || a[i]!.message !== b[i]!.message) return false;
  return true;
}

/**
 * Rules that re-ran over the whole file re-create findings the edit did not change. Each fresh
 * finding in `fresh` equal to one in `prev` (the same rules' findings in the previous text) that
 * ends before the change, or starts after it once moved by `delta`, is replaced (in `fresh`) by
 * that previous object, moved in place in the second case ({@link shiftInPlace}). That keeps the
 * identities `toDiagnostics`-style publishers use to reuse diagnostics. Returns the replacements
 * made (fresh → previous object), or undefined when none.
 */
function keepUnchangedFindings(prev: readonly Finding[] | undefined, fresh: Finding[], c: TextChange, delta: number): Map<Finding, Finding> | undefined {
  if (!prev?.length || !fresh.length) return undefined;
  const byStart = new Map<number, Finding[]>();
  for (const p of prev) {
    const key = p.end < c.start ? p.start : p.start > c.oldEnd ? p.start + delta : -1;
    if (key < 0) continue;
    const list = byStart.get(key);
    if (list) list.push(p);
    else byStart.set(key, [p]);
  }
  let same: Map<Finding, Finding> | undefined;
  for (let i = 0; i < fresh.length; i++) {
    const f = fresh[i]!;
    const candidates = byStart.get(f.start);
    if (!candidates) continue;
    for (let k = 0; k < candidates.length; k++) {
      const p = candidates[k]!;
      const before = p.end < c.start;
      if (!sameFinding(f, p, c, delta, !before)) continue;
      // each previous finding stands for one fresh one (and is moved once)
      candidates.splice(k, 1);
      if (!before) shiftInPlace(p, c, delta);
      (same ??= new Map()).set(f, p);
      fresh[i] = p;
      break;
    }
  }
  return same;
}

/**
 * The identifier index of the new tokens, made from the old index in place (and returned):
 * occurrences before the item are kept, those in the old item `[first, oldEnd)` replaced by those
 * in the new item `[first, newEnd)`, those after moved by the token-count change. The old index
 * is taken over (its lists and map are the new ones): on a large file it holds tens of thousands
 * of occurrences, and copying the lists after the edit cost most of a keystroke's allocation.
 */
export function updateIdentIndex(index: Map<string, number[]>, old: Tokens, tokens: Tokens, first: number, oldEnd: number, newEnd: number): Map<string, number[]> {
  const shift = newEnd - oldEnd;
  // names of the new item with their occurrences; names only in the old item get none
  const touched = buildIdentIndex(tokens, first, newEnd);
  for (let k = first; k < oldEnd; k++) {
    if (old.kind[k] !== Tok.Ident) continue;
    const name = old.text.slice(old.start[k], old.end[k]);
    if (!touched.has(name)) touched.set(name, []);
  }
  for (const [name, list] of index) {
    const inside = touched.get(name);
    const n = list.length;
    if (!inside && (shift === 0 || list[n - 1]! < oldEnd)) continue;
    // [lo, hi): the occurrences in the old item
    const lo = lowerBound(n, (k) => list[k]! < first);
    const hi = lowerBound(n, (k) => list[k]! < oldEnd);
    if (shift !== 0) for (let k = hi; k < n; k++) list[k]! += shift;
    if (!inside) continue;
    if (hi - lo === inside.length) for (let k = 0; k < inside.length; k++) list[lo + k] = inside[k]!;
    else {
      const after = list.slice(hi);
      list.length = lo;
      for (const x of inside) list.push(x);
      for (const x of after) list.push(x);
    }
    if (!list.length) index.delete(name);
  }
  // names new to the file (first-occurrence order is not kept for them; consumers iterate by name)
  for (const [name, inside] of touched) if (inside.length && !index.has(name)) index.set(name, inside);
  return index;
}

/**
 * `prev` (sorted, old coordinates) with the findings starting in `[lo, hiOld)` replaced by `fresh`
 * (sorted, new coordinates, all within the window) and the findings after the window moved in
 * place by the change's length delta (including their fix edits, see {@link shiftInPlace}).
 */
function spliceFindings(prev: readonly Finding[], fresh: readonly Finding[], lo: number, hiOld: number, c: TextChange): Finding[] {
  const delta = c.newEnd - c.oldEnd;
  let i = startsBefore(prev, lo);
  const j = startsBefore(prev, hiOld);
  const out = new Array<Finding>(i + fresh.length + prev.length - j);
  for (let k = 0; k < i; k++) out[k] = prev[k]!;
  // a finding before the window whose fix edits (or related spans) text after the change moves them
  if (delta !== 0) {
    for (let k = 0; k < i; k++) {
      const rel = out[k]!.related;
      if (rel && rel.some((r) => r.end >= c.oldEnd)) {
        shiftInPlace(out[k]!, c, delta);
        continue;
      }
      const fix = out[k]!.fix;
      if (!fix) continue;
      const edits = fix.edits;
      for (let q = 0; q < edits.length; q++) {
        if (edits[q]!.end >= c.oldEnd) {
          shiftInPlace(out[k]!, c, delta);
          break;
        }
      }
    }
  }
  let at = i;
  for (const f of fresh) out[at++] = f;
  for (i = j; i < prev.length; i++) {
    const f = prev[i]!;
    if (delta !== 0) shiftInPlace(f, c, delta);
    out[at++] = f;
  }
  return out;
}

/** How many findings of sorted `list` start before `offset`. */
function startsBefore(list: readonly Finding[], offset: number): number {
  return lowerBound(list.length, (k) => list[k]!.start < offset);
}

function shiftOffset(o: number, c: TextChange, delta: number): number {
  return o >= c.oldEnd ? o + delta : o;
}

/**
 * Moves `f` by change `c` (`delta` = its length change), in place: its offsets and those of its
 * fix edits at or after `c.oldEnd` move by `delta`. Findings are moved rather than copied because
 * on a large file the findings after an edit are thousands of objects per keystroke; the previous
 * analysis, whose findings these were, is taken over (see {@link analyzeIncremental}). Each fix
 * edit belongs to one finding only (the engine copies them when a rule reports, src/core/analyze.ts).
 */
function shiftInPlace(f: Finding, c: TextChange, delta: number): void {
  if (f.start >= c.oldEnd) f.start += delta;
  if (f.end >= c.oldEnd) f.end += delta;
  if (f.fix) {
    for (const e of f.fix.edits) {
      if (e.start >= c.oldEnd) e.start += delta;
      if (e.end >= c.oldEnd) e.end += delta;
    }
  }
  if (f.related) {
    for (const r of f.related) {
      if (r.start >= c.oldEnd) r.start += delta;
      if (r.end >= c.oldEnd) r.end += delta;
    }
  }
}

/**
 * `list` (a copy of the array) with its findings moved in place by change `c` (offsets at or after
 * `c.oldEnd` move by `delta`), or undefined, with nothing moved, when a finding or one of its fix
 * edits touches the changed range (it may not simply move).
 */
function shiftAll(list: readonly Finding[], c: TextChange, delta: number): Finding[] | undefined {
  for (const f of list) {
    if (f.start <= c.oldEnd && f.end >= c.start) return undefined;
    if (f.fix) for (const e of f.fix.edits) if (e.start <= c.oldEnd && e.end >= c.start) return undefined;
    if (f.related) for (const r of f.related) if (r.start <= c.oldEnd && r.end >= c.start) return undefined;
  }
  if (delta !== 0) for (const f of list) shiftInPlace(f, c, delta);
  return list.slice();
}


/** Tokens of the neighbour items, on each side of the edited item, whose fact occurrences are compared too. */
const FACT_NEIGHBOUR_TOKENS = 16;

/** At most this many tokens on each side of an occurrence make its statement context. */
const FACT_CONTEXT_TOKENS = 64;

/**
 * For every identifier of `names` among tokens `[first, end)`: the name and the tokens around it
 * its reach covers (see {@link FactReach}; a preprocessor line: the line), with their
 * preprocessor context, comments left out; the whole range when a statement runs past
 * {@link FACT_CONTEXT_TOKENS} tokens on a side. Token offsets do not enter, so unchanged
 * surroundings give the same string wherever the edit moved them.
 */
export function factContexts(t: Tokens, first: number, end: number, names: ReadonlyMap<string, FactReach>): string[] {
  const out: string[] = [];
  const text = (a: number, b: number): string => {
    let sOut = '';
    for (let j = a; j < b; j++) if (t.kind[j] !== Tok.Comment) sOut += `${t.text.slice(t.start[j], t.end[j])}\u0002${t.pp[j]} `;
    return sOut;
  };
  for (let k = first; k < end; k++) {
    if (t.kind[k] !== Tok.Ident) continue;
    const name = t.text.slice(t.start[k], t.end[k]);
    const reach = names.get(name);
    if (reach === undefined) continue;
    let a = k;
    let b = k + 1;
    if (t.pp[k] !== 0) {
      while (a > first && t.pp[a - 1] !== 0 && t.kind[a] !== Tok.Directive) a--;
      while (b < end && t.pp[b] !== 0 && t.kind[b] !== Tok.Directive) b++;
    } else if (reach === 'statement') {
      while (a > first && k - a < FACT_CONTEXT_TOKENS && !isBoundary(t, a - 1)) a--;
      while (b < end && b - k < FACT_CONTEXT_TOKENS && !(t.kind[b - 1] === Tok.Punct && t.text.charCodeAt(t.start[b - 1]!) === 59)) b++;
      if (k - a >= FACT_CONTEXT_TOKENS || b - k >= FACT_CONTEXT_TOKENS) {
        a = first;
        b = end;
      }
    } else {
      for (let n = 0; a > first && n < reach.before; ) if (t.kind[--a] !== Tok.Comment) n++;
      for (let n = 0; b < end && n < reach.after; b++) if (t.kind[b] !== Tok.Comment) n++;
      // a reach that leaves the item reads the neighbour, which the edit did not change; the
      // token on the item's own side of the boundary is in the context
    }
    out.push(`${name}\u0001${text(a, b)}`);
  }
  return out;
}

/** True when token `i` is `;`, `{` or `}` outside preprocessor lines. */
function isBoundary(t: Tokens, i: number): boolean {
  if (t.kind[i] !== Tok.Punct || t.pp[i] !== 0 || t.end[i]! - t.start[i]! !== 1) return false;
  const c = t.text.charCodeAt(t.start[i]!);
  return c === 59 || c === 123 || c === 125;
}

/** Joins the fact contexts of each name (strings from {@link factContexts}), by name. */
function groupByName(contexts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const x of contexts) {
    const name = x.slice(0, x.indexOf('\u0001'));
    const had = out.get(name);
    out.set(name, had === undefined ? x : `${had}\u0003${x}`);
  }
  return out;
}
