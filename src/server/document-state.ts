/**
 * One open document on the server: its text (a `vscode-languageserver-textdocument` TextDocument),
 * its tree-sitter trees, and its latest analysis.
 *
 * Each `didChange` content change is applied to the text and, as a `tree.edit`, to the base tree.
 * When all changes since the last analysis lie inside one top-level item (or the whitespace
 * between two), {@link DocumentState.analyze} re-parses only that item (a tree-sitter included
 * range, kept as a patch tree beside the base tree) and re-analyses it incrementally
 * (src/core/incremental.ts); otherwise it re-parses the whole text with `parse(text, editedTree)`,
 * which reuses every unchanged subtree, and analyses it in full. Offsets are UTF-16 code units,
 * positions 0-based line / UTF-16 column (web-tree-sitter converts both to bytes for string input
 * itself).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { analyze, analyzeSteps, type Analysis } from '../core/analyze';
import type { EngineOptions } from '../core/findings';
import { analyzeIncremental, composeChanges, itemContaining, pairContaining, topLevelItems, type Item, type TextChange } from '../core/incremental';
import { errorRegions, parse, parseRange, parserReady, type SyntaxNode, type Tree } from '../core/parse';
import { lowerBound } from '../core/search';
import type { BudgetedParser } from './budgeted-parser';

/** A time budget for one re-parse (see budgeted-parser.ts). */
export interface ParseBudget {
  parser: BudgetedParser;
  /** Wall-clock milliseconds the parse may take before it is suspended. */
  budgetMs: number;
}

/** A tree-sitter edit: UTF-16 offsets plus 0-based row / UTF-16 column points. */
export interface TreeEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: { row: number; column: number };
  oldEndPosition: { row: number; column: number };
  newEndPosition: { row: number; column: number };
}

/**
 * The tree-sitter edit for replacing `[range]` of `doc` by `text`. Out-of-range or reversed
 * positions are clamped/ordered the way `TextDocument.offsetAt` clamps, and the returned `range`
 * is that normalised range (apply exactly it to the text so tree and text agree).
 * Rows follow LSP line breaks (`\n`, `\r\n`, lone `\r`); tree-sitter counts only `\n`, which only
 * differs for lone-CR files, where it costs re-parse precision but not correctness (tree-sitter
 * relies on the indices).
 */
export function treeEditFor(doc: TextDocument, range: Range, text: string): { edit: TreeEdit; range: Range } {
  let start = doc.offsetAt(range.start);
  let end = doc.offsetAt(range.end);
  if (end < start) [start, end] = [end, start];
  const sp = doc.positionAt(start);
  const ep = doc.positionAt(end);
  const lastNl = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  let lines = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lines++;
  }
  const newEnd: Position =
    lastNl < 0 ? { line: sp.line, character: sp.character + text.length } : { line: sp.line + lines, character: text.length - lastNl - 1 };
  return {
    edit: {
      startIndex: start,
      oldEndIndex: end,
      newEndIndex: start + text.length,
      startPosition: { row: sp.line, column: sp.character },
      oldEndPosition: { row: ep.line, column: ep.character },
      newEndPosition: { row: newEnd.line, column: newEnd.character },
    },
    range: { start: sp, end: ep },
  };
}

/** The result of one analysis of a document, with the version and options it was made for. */
export interface AnalysisSnapshot {
  version: number;
  /** Key of the engine options used (see {@link optionsKey}). */
  optionsKey: string;
  analysis: Analysis;
  /** Wall time of re-parse + analysis, milliseconds. */
  ms: number;
  /**
   * True when the re-parse ran out of its budget: the analysis is token-only (structural rules
   * report less) and a later {@link DocumentState.analyze} call resumes the parse.
   */
  partial: boolean;
  /** `incremental`: one top-level item re-parsed and re-analysed (src/core/incremental.ts); `full`: the whole text. */
  mode: 'incremental' | 'full';
  /**
   * For an incremental snapshot: the analysis it was derived from and the UTF-16 offset before
   * which the text did not change since (findings kept from it that end there are the same objects
   * at the same line/column positions).
   */
  from?: {
    analysis: Analysis;
    unchangedBefore: number;
    /**
     * UTF-16 offset (new text) from which every line/column position is unchanged too: the start
     * of the line after the edit when it stayed within one line and added or removed no line
     * break; `Infinity` otherwise.
     */
    unchangedAfter: number;
  };
  /**
   * Why more than the edited item was analysed: for `full`, why the whole text was re-parsed; for
   * `incremental`, why every rule re-ran over the whole file (a statement holding a name the rules
   * read file-wide changed); '' otherwise.
   */
  fallback: string;
  /**
   * True for an incremental analysis while the file holds a syntax error (in a re-parsed item or
   * elsewhere): tree-sitter's error recovery over the whole file might structure the edited item
   * differently, so {@link DocumentState.reconcile} should run the full parse (in the background)
   * and the caller republish if findings differ. Also true for a full analysis whose whole-file
   * re-parse was incremental (from the edited tree) and hit a syntax error, for the same reason.
   */
  provisional: boolean;
  /** How many items were re-parsed on their own and kept beside the base tree (0 after a full parse). */
  patched: number;
}

/** {@link AnalysisSnapshot.fallback} of a reduced (token-level) analysis, see {@link DocumentState.analyzeTokens}. */
export const TOKEN_ONLY = 'reduced analysis: token level, no syntax tree';

/**
 * At most this many re-parsed items are kept beside the base tree; the keystroke that would add
 * one more first merges them (an incremental whole-file re-parse, no re-analysis). There can be no
 * more patches than top-level items, and together they hold about one more tree of the file, so
 * the limit only bounds files with very many items (bench/lsp-bench.mjs measures the per-keystroke cost).
 */
export const MAX_PATCHES = 1024;
/** Beyond this many re-parsed items, {@link DocumentState.reconcile} (run after a pause) merges them into one tree. */
export const CONSOLIDATE_PATCHES = 32;
/** Items longer than this (UTF-16 code units) are not re-parsed on their own. */
export const MAX_PATCH_ITEM = 32 * 1024;

/** A top-level item re-parsed on its own after edits: its UTF-16 range in the current text and its tree. */
interface Patch {
  start: number;
  end: number;
  tree: Tree;
  /** The tree's parse-error regions (UTF-16 offsets in the current text). */
  errors: Array<{ start: number; end: number }>;
}

/** A stable string for engine options, to tell whether a cached analysis still applies. */
export function optionsKey(o: EngineOptions): string {
  return `${o.targetRocm ?? ''}|${o.includeComments ? 1 : 0}|${o.kernelLaunch ?? ''}|${o.libraryTarget ?? ''}|${o.experimental ? 1 : 0}|${(o.offloadArch ?? []).join(',')}`;
}

/** One open document: text, incremental tree and latest analysis. */
export class DocumentState {
  private doc: TextDocument;
  private tree: Tree | undefined;
  /** True when edits were applied to `tree` since it was parsed. */
  private treeEdited = false;
  /**
   * False when `tree` came from an incremental re-parse of a text with syntax errors: tree-sitter's
   * error recovery depends on the edit history, so its structure may differ from a parse from
   * scratch, and analyses over it are provisional until {@link reconcile} parses from scratch.
   */
  private treeExact = true;
  /**
   * Set when re-parsed items were merged into the base tree while the analysis was provisional:
   * findings of items not re-analysed since came from the old structures, so analyses stay
   * provisional until a full one (even if the merged tree has no syntax error).
   */
  private staleStructure = false;
  /** The check of a provisional snapshot in progress (see checkFromScratch): the fresh tree of `version` and its analysis steps. */
  private check: { version: number; key: string; tree: Tree; steps: Generator<void, Analysis, void>; t0: number } | undefined;
  private last: AnalysisSnapshot | undefined;
  /**
   * Items re-parsed on their own since `tree` was last parsed, ascending: inside them `tree` is
   * edited but stale, and structure comes from the patch's tree.
   */
  private patches: Patch[] = [];
  /** Top-level items of the last analysis's text (undefined after a token-only analysis). */
  private items: Item[] | undefined;
  /** Parse-error regions of `tree` as last parsed, moved along with every edit since (UTF-16 offsets). */
  private baseErrors: Array<{ start: number; end: number }> = [];
  /** All changes since the last analysis, composed: its text → the current text. */
  private pending: TextChange | undefined;
  /** Set when a change since the last analysis rules out an incremental one (full-text change, a patch cut). */
  private forceFull = false;

  constructor(uri: string, languageId: string, version: number, text: string) {
    this.doc = TextDocument.create(uri, languageId, version, text);
  }

  get uri(): string {
    return this.doc.uri;
  }
  get languageId(): string {
    return this.doc.languageId;
  }
  get version(): number {
    return this.doc.version;
  }
  /** The current text. */
  get text(): string {
    return this.doc.getText();
  }
  /** The TextDocument (for `positionAt`/`offsetAt` with LSP line-break rules). */
  get document(): TextDocument {
    return this.doc;
  }
  /** The latest analysis, possibly of an older version. */
  get lastAnalysis(): AnalysisSnapshot | undefined {
    return this.last;
  }

  /**
   * Applies `didChange` content changes in order. Ranged changes edit the tree too; a full-text
   * change drops the tree (the next analysis parses from scratch). A malformed change (no text)
   * is skipped and returned in `problems`; the caller logs it. Never throws.
   */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): string[] {
    const problems: string[] = [];
    this.dropCheck();
    for (const ch of changes) {
      try {
        if (typeof (ch as { text?: unknown }).text !== 'string') {
          problems.push('content change without text ignored');
          continue;
        }
        if ('range' in ch && ch.range) {
          const { edit, range } = treeEditFor(this.doc, ch.range, ch.text);
          if (this.tree) {
            this.tree.edit(edit);
            this.treeEdited = true;
          }
          this.editPatches(edit);
          this.pending = composeChanges(this.pending, { start: edit.startIndex, oldEnd: edit.oldEndIndex, newEnd: edit.newEndIndex });
          this.doc = TextDocument.update(this.doc, [{ range, text: ch.text }], version);
        } else {
          this.dropTree();
          this.forceFull = true;
          this.doc = TextDocument.update(this.doc, [{ text: ch.text }], version);
        }
      } catch (err) {
        problems.push(`content change failed (${(err as Error).message}); re-syncing from scratch is not possible, the text may differ from the editor's`);
      }
    }
    // Version moves even if every change was dropped, so results are not published for an old one.
    if (this.doc.version !== version) this.doc = TextDocument.update(this.doc, [], version);
    return problems;
  }

  /**
   * The analysis of the current text with `options`, reusing the cached one when version and
   * options match (and it is not partial). Re-parses incrementally from the edited tree when
   * there is one; parses from scratch otherwise; token-only when the parser is not initialised.
   * With a `budget`, a parse that runs out of time is suspended and the snapshot is `partial`.
   */
  analyze(options: EngineOptions, budget?: ParseBudget): AnalysisSnapshot {
    const key = optionsKey(options);
    if (this.last && this.last.version === this.doc.version && this.last.optionsKey === key && !this.last.partial && this.last.fallback !== TOKEN_ONLY) return this.last;
    const t0 = performance.now();
    const text = this.doc.getText();
    const before = this.last?.analysis;
    const unchangedBefore = this.pending?.start ?? 0;
    const unchangedAfter = before && this.pending ? lineStartAfter(before.text, text, this.pending) : Infinity;
    let inc: ReturnType<DocumentState['analyzeIncrementally']>;
    try {
      inc = this.analyzeIncrementally(text, options, key, budget);
    } catch (err) {
      // the incremental analysis may have moved findings of the last one in place: start over
      this.invalidate();
      throw err;
    }
    if (typeof inc !== 'string') {
      this.pending = undefined;
      this.items = inc.items;
      // tree-sitter's error recovery is not local: with a syntax error anywhere, the whole-file
      // parse may structure the edited item (or its neighbours) differently than its own parse
      const provisional = this.staleStructure || this.tree!.rootNode.hasError || this.patches.some((p) => p.tree.rootNode.hasError);
      this.last = { version: this.doc.version, optionsKey: key, analysis: inc.analysis, ms: performance.now() - t0, partial: false, mode: 'incremental', fallback: inc.wholeFile, provisional, patched: this.patches.length, from: { analysis: before!, unchangedBefore, unchangedAfter } };
      return this.last;
    }
    return this.analyzeFully(text, options, key, t0, inc, budget);
  }

  /**
   * The reduced analysis for big documents and documents whose full analysis cannot keep up with
   * typing: token level only (renames, includes, token rules; no syntax tree, so structural checks
   * report less), with every tree freed and none kept, so the memory held is the text, its tokens
   * and findings. Cached per version and options like {@link DocumentState.analyze}.
   */
  analyzeTokens(options: EngineOptions): AnalysisSnapshot {
    const key = optionsKey(options);
    if (this.last && this.last.version === this.doc.version && this.last.optionsKey === key && this.last.fallback === TOKEN_ONLY) return this.last;
    const t0 = performance.now();
    this.dropTree();
    const analysis = analyze(this.doc.getText(), { ...options, parse: false });
    return this.settle(analysis, false, key, t0, TOKEN_ONLY, false);
  }

  /**
   * Replaces a provisional snapshot (see {@link AnalysisSnapshot.provisional}) of the current
   * version by the full analysis: parses the whole text from scratch (a parse from scratch,
   * because with syntax errors an incremental one can differ), then analyses it, both spread over
   * calls by `budget` (the analysis rule by rule), and returns the exact snapshot, or null while
   * that is in progress (the provisional snapshot stays; an edit meanwhile drops the check).
   * An exact snapshot with more than {@link CONSOLIDATE_PATCHES} re-parsed items keeps its findings
   * while those items are merged into one tree (an incremental re-parse, resumable the same way;
   * the snapshot's analysis then reads structure from that tree). Otherwise returns the current
   * snapshot.
   */
  reconcile(options: EngineOptions, budget?: ParseBudget): AnalysisSnapshot | null {
    const last = this.last;
    const key = optionsKey(options);
    if (!last || last.version !== this.doc.version || last.optionsKey !== key) return this.analyze(options, budget);
    if (last.provisional) return this.checkFromScratch(options, key, budget);
    // an exact analysis with many re-parsed items: merge them into one tree (incremental parse);
    // the findings stay (an error-free tree has the structure of its re-parsed items)
    if (this.patches.length > CONSOLIDATE_PATCHES) {
      const merged = this.mergePatches(this.doc.getText(), budget);
      if (merged === 'suspended') return null;
      if (merged === 'failed') return last;
      if (this.tree!.rootNode.hasError) return this.checkFromScratch(options, key, budget);
      const tree = this.tree!;
      // the analysis now reads structure from the merged tree (the item trees it read are freed)
      last.analysis.tree = tree;
      last.analysis.nodeAt = (start, end) => tree.rootNode.namedDescendantForIndex(start, end) ?? undefined;
      last.patched = 0;
    }
    return last;
  }

  /**
   * The full path: re-parse the whole text (incrementally from the edited base tree) and analyse
   * it. A parse that runs out of `budget` makes a token-only (`partial`) snapshot; the next call
   * resumes the parse.
   */
  private analyzeFully(text: string, options: EngineOptions, key: string, t0: number, fallback: string, budget: ParseBudget | undefined): AnalysisSnapshot {
    let partial = false;
    if (parserReady() && (!this.tree || this.treeEdited)) {
      const base = this.treeEdited ? this.tree : undefined;
      let next: Tree | null | undefined;
      try {
        next = budget ? budget.parser.parse(this, text, base, budget.budgetMs) : parse(text, base);
      } catch {
        next = undefined;
      }
      if (next === null) {
        // suspended: keep the edited old tree; the next call resumes with the same text and tree
        partial = true;
        // the token-only analysis of this version is already there: do not redo it each slice
        if (this.last && this.last.partial && this.last.version === this.doc.version && this.last.optionsKey === key) return this.last;
      } else {
        this.replaceTree(next, !base || !next?.rootNode.hasError);
      }
    }
    const useTree = !partial && this.tree !== undefined;
    const analysis = analyze(text, { ...options, ...(useTree ? { tree: this.tree } : { parse: false }) });
    return this.settle(analysis, useTree, key, t0, fallback, partial);
  }

  /** Records a full analysis of the current text (over `this.tree` when `useTree`) as the latest snapshot. */
  private settle(analysis: Analysis, useTree: boolean, key: string, t0: number, fallback: string, partial: boolean): AnalysisSnapshot {
    this.baseErrors = useTree ? analysis.parseErrors.map((r) => ({ start: r.start, end: r.end })) : [];
    this.items = useTree && this.tree ? topLevelItems(this.tree.rootNode) : undefined;
    this.pending = undefined;
    this.forceFull = false;
    if (useTree) this.staleStructure = false;
    this.last = { version: this.doc.version, optionsKey: key, analysis, ms: performance.now() - t0, partial, mode: 'full', fallback, provisional: useTree && !this.treeExact, patched: 0 };
    return this.last;
  }

  /**
   * The check of a provisional snapshot: a parse from scratch, then a whole-file analysis run in
   * steps (analyzeSteps), both spread over calls by `budget` (null until done). The state changes
   * only when both are done, so a keystroke meanwhile finds it as it was (the check is dropped and
   * starts again after the next pause).
   */
  private checkFromScratch(options: EngineOptions, key: string, budget: ParseBudget | undefined): AnalysisSnapshot | null {
    const text = this.doc.getText();
    const deadline = budget ? performance.now() + budget.budgetMs : Infinity;
    let check = this.check;
    if (check && (check.version !== this.doc.version || check.key !== key)) {
      this.dropCheck();
      check = undefined;
    }
    if (!check) {
      let tree: Tree | null | undefined;
      try {
        tree = budget ? budget.parser.parse(this, text, undefined, budget.budgetMs) : parse(text);
      } catch {
        tree = undefined;
      }
      if (tree === null) return null;
      // the parser failed: the provisional snapshot stays
      if (!tree) return this.last ?? null;
      check = this.check = { version: this.doc.version, key, tree, steps: analyzeSteps(text, { ...options, tree }), t0: performance.now() };
    }
    let step = check.steps.next();
    while (!step.done && performance.now() < deadline) step = check.steps.next();
    if (!step.done) return null;
    this.check = undefined;
    this.replaceTree(check.tree, true);
    return this.settle(step.value, true, key, check.t0, 'reconciling a provisional analysis', false);
  }

  /** Drops a check in progress (its tree is freed). */
  private dropCheck(): void {
    this.check?.tree.delete();
    this.check = undefined;
  }

  /**
   * The incremental analysis of `text` when every change since the last analysis lies strictly
   * inside one top-level item, or inside two sibling items and the whitespace between them (then
   * re-parsed as one): that item alone is re-parsed (tree-sitter included range, kept as a patch
   * beside the base tree) and re-analysed (src/core/incremental.ts). Otherwise the reason it
   * cannot be, as a string (the caller then analyses in full).
   */
  private analyzeIncrementally(text: string, options: EngineOptions, key: string, budget: ParseBudget | undefined): { analysis: Analysis; items: Item[]; wholeFile: string } | string {
    const last = this.last;
    const change = this.pending;
    if (!last || !change) return '';
    if (last.partial || !this.items || !this.tree || !parserReady()) return 'no syntax tree yet';
    if (last.optionsKey !== key) return 'settings changed';
    if (this.forceFull) return 'full-text change';
    if (this.patches.length >= MAX_PATCHES && this.mergePatches(text, budget) !== 'merged') return 'many items re-parsed: merging them';
    let items = this.items;
    let index = itemContaining(items, change.start, change.oldEnd);
    if (index < 0) {
      // an edit between two items (or across the boundary of two): the pair is re-parsed as one
      index = pairContaining(items, change.start, change.oldEnd, last.analysis.text);
      if (index < 0) return 'edit not inside one top-level item';
      items = [...items.slice(0, index), { start: items[index]!.start, end: items[index + 1]!.end }, ...items.slice(index + 2)];
    }
    const item = items[index]!;
    const start = item.start;
    const end = item.end + change.newEnd - change.oldEnd;
    if (end - start > MAX_PATCH_ITEM) return 'item too long to re-parse alone';
    const doc = this.doc;
    const sp = doc.positionAt(start);
    const ep = doc.positionAt(end);
    const at = this.patches.findIndex((p) => p.start === start && p.end === end);
    let tree: Tree;
    try {
      tree = parseRange(text, { startIndex: start, endIndex: end, startPosition: { row: sp.line, column: sp.character }, endPosition: { row: ep.line, column: ep.character } }, at >= 0 ? this.patches[at]!.tree : undefined);
    } catch (err) {
      return `item re-parse failed: ${(err as Error).message}`;
    }
    // A clean item may have become several items; an item with a syntax error (half-typed code,
    // an unclosed brace) stays one item: its analysis is provisional (see AnalysisSnapshot) until
    // the whole-file parse after a pause confirms or corrects it.
    const replacement = tree.rootNode.hasError ? [{ start, end }] : topLevelItems(tree.rootNode);
    if (!replacement.length || replacement[0]!.start < start || replacement[replacement.length - 1]!.end > end) {
      tree.delete();
      return 'the edited item does not parse on its own';
    }
    const errors = errorRegions(tree).map((r) => ({ start: r.start, end: r.end }));
    if (at >= 0) {
      this.patches[at]!.tree.delete();
      this.patches[at]!.tree = tree;
      this.patches[at]!.errors = errors;
    } else {
      // a merged pair replaces the patches of its two items
      this.patches = this.patches.filter((p) => {
        const inside = p.start >= start && p.end <= end;
        if (inside) p.tree.delete();
        return !inside;
      });
      this.patches.push({ start, end, tree, errors });
      this.patches.sort((a, b) => a.start - b.start);
    }
    const base = this.tree;
    const patches = this.patches;
    const nodeAt = (s: number, e: number): SyntaxNode | undefined => {
      // the last patch starting at or before s (patches are sorted and do not overlap)
      const after = lowerBound(patches.length, (k) => patches[k]!.start <= s);
      const p = after > 0 ? patches[after - 1] : undefined;
      if (p && e <= p.end) return p.tree.rootNode.namedDescendantForIndex(s, e) ?? undefined;
      return base.rootNode.namedDescendantForIndex(s, e) ?? undefined;
    };
    const parseErrors: Array<{ start: number; end: number }> = [];
    for (const r of this.baseErrors) if (!patches.some((p) => r.start >= p.start && r.end <= p.end)) parseErrors.push({ start: r.start, end: r.end });
    for (const p of patches) for (const r of p.errors) parseErrors.push({ start: r.start, end: r.end });
    parseErrors.sort((a, b) => a.start - b.start || a.end - b.end);
    const result = analyzeIncremental(last.analysis, items, index, text, change, { tree: base, nodeAt, parseErrors, replacement }, options);
    return 'fallback' in result ? result.fallback : result;
  }

  /**
   * Merges the items re-parsed on their own into one tree: re-parses `text` (the current text)
   * incrementally from the edited base tree, which then replaces the base tree and the patches.
   * Does not re-analyse; when the analysis was provisional, later ones stay provisional until a full
   * one (see `staleStructure`). Changes nothing when the parse fails or runs out of `budget`
   * (`suspended`: a later call with the same text resumes it).
   */
  private mergePatches(text: string, budget: ParseBudget | undefined): 'merged' | 'suspended' | 'failed' {
    const old = this.tree;
    if (!old || !parserReady()) return 'failed';
    let next: Tree | null;
    try {
      next = budget ? budget.parser.parse(this, text, old, budget.budgetMs) : parse(text, old);
    } catch {
      return 'failed';
    }
    if (!next) return 'suspended';
    if (this.last?.provisional) this.staleStructure = true;
    this.replaceTree(next, !next.rootNode.hasError);
    this.baseErrors = errorRegions(next).map((r) => ({ start: r.start, end: r.end }));
    return 'merged';
  }

  /** Applies a text edit to the re-parsed items: shifts those after it, grows the one holding it, drops all when one is cut. */
  private editPatches(edit: TreeEdit): void {
    const delta = edit.newEndIndex - edit.oldEndIndex;
    moveRegions(this.baseErrors, edit.startIndex, edit.oldEndIndex, delta);
    if (!this.patches.length) return;
    for (const p of this.patches) {
      if (p.end <= edit.startIndex) continue;
      moveRegions(p.errors, edit.startIndex, edit.oldEndIndex, delta);
      if (p.start >= edit.oldEndIndex) {
        p.start += delta;
        p.end += delta;
        p.tree.edit(edit);
      } else if (p.start < edit.startIndex && edit.oldEndIndex < p.end) {
        p.end += delta;
        p.tree.edit(edit);
      } else {
        // the edit cuts an item boundary: the base tree (edited throughout) takes over at the next full parse
        this.dropPatches();
        this.forceFull = true;
        return;
      }
    }
  }

  /** Forgets the analysis (e.g. after a settings change) but keeps the tree. */
  invalidate(): void {
    this.last = undefined;
    this.pending = undefined;
    this.items = undefined;
  }

  /** Frees the tree (wasm memory) and the analysis; call on close or when a document is skipped. */
  dispose(): void {
    this.dropTree();
    this.last = undefined;
    this.pending = undefined;
    this.items = undefined;
  }

  private dropTree(): void {
    this.dropCheck();
    this.dropPatches();
    this.tree?.delete();
    this.tree = undefined;
    this.treeEdited = false;
    this.treeExact = true;
  }

  /**
   * Makes `next` (a parse of the current text, or undefined when the parse failed) the base tree:
   * the re-parsed items are dropped and the old tree freed. `exact`: see `treeExact`.
   */
  private replaceTree(next: Tree | undefined, exact: boolean): void {
    const old = this.tree;
    this.tree = next;
    this.treeEdited = false;
    this.treeExact = exact;
    this.dropPatches();
    if (old && old !== next) old.delete();
  }

  private dropPatches(): void {
    for (const p of this.patches) p.tree.delete();
    this.patches = [];
  }
}

/**
 * Moves UTF-16 ranges (in place) for an edit replacing `[start, oldEnd)` with text `delta` code
 * units longer: ranges after it shift, ranges around it stretch, a range inside it collapses to
 * the edit's start (the regions only serve to skip or report areas; the next parse recomputes them).
 */
function moveRegions(regions: Array<{ start: number; end: number }>, start: number, oldEnd: number, delta: number): void {
  for (const r of regions) {
    if (r.start >= oldEnd) r.start += delta;
    else if (r.start > start) r.start = start;
    if (r.end >= oldEnd) r.end += delta;
    else if (r.end > start) r.end = start;
  }
}

/**
 * For change `c` from `oldText` to `text`: the offset in `text` of the start of the line after the
 * changed one when the change stayed inside one line (no line break removed, added or touched on
 * either side), so every position from there on kept its line and column; `Infinity` otherwise.
 */
export function lineStartAfter(oldText: string, text: string, c: TextChange): number {
  const isBreak = (ch: number): boolean => ch === 10 || ch === 13;
  for (let i = c.start; i < c.oldEnd; i++) if (isBreak(oldText.charCodeAt(i))) return Infinity;
  for (let i = c.start; i < c.newEnd; i++) if (isBreak(text.charCodeAt(i))) return Infinity;
  if (c.start > 0 && oldText.charCodeAt(c.start - 1) === 13) return Infinity; // a CR that could pair with a new LF
  let i = c.newEnd;
  while (i < text.length && !isBreak(text.charCodeAt(i))) i++;
  if (i >= text.length) return Infinity;
  return text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
}
