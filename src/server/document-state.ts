/**
 * One open document on the server: its text (a `vscode-languageserver-textdocument` TextDocument),
 * its tree-sitter tree kept up to date INCREMENTALLY, and its latest analysis.
 *
 * Each `didChange` content change is applied to the text and, as a `tree.edit`, to the previous
 * tree; the next {@link DocumentState.analyze} re-parses with `parse(text, editedTree)` so
 * tree-sitter reuses every unchanged subtree. Offsets are UTF-16 code units, positions 0-based
 * line / UTF-16 column (web-tree-sitter converts both to bytes for string input itself).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { analyze, type Analysis } from '../core/analyze';
import type { EngineOptions } from '../core/findings';
import { parse, parserReady, type Tree } from '../core/parse';
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
}

/** A stable string for engine options, to tell whether a cached analysis still applies. */
export function optionsKey(o: EngineOptions): string {
  return `${o.targetRocm ?? ''}|${o.includeComments ? 1 : 0}|${o.kernelLaunch ?? ''}|${o.libraryTarget ?? ''}|${o.experimental ? 1 : 0}`;
}

/** One open document: text, incremental tree and latest analysis. */
export class DocumentState {
  private doc: TextDocument;
  private tree: Tree | undefined;
  /** True when edits were applied to `tree` since it was parsed. */
  private treeEdited = false;
  private last: AnalysisSnapshot | undefined;

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
          this.doc = TextDocument.update(this.doc, [{ range, text: ch.text }], version);
        } else {
          this.dropTree();
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
    if (this.last && this.last.version === this.doc.version && this.last.optionsKey === key && !this.last.partial) return this.last;
    const t0 = performance.now();
    const text = this.doc.getText();
    let partial = false;
    if (parserReady() && (!this.tree || this.treeEdited)) {
      const old = this.tree;
      const base = this.treeEdited ? old : undefined;
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
        this.tree = next;
        this.treeEdited = false;
        if (old && old !== next) old.delete();
      }
    }
    const useTree = !partial && this.tree !== undefined;
    const analysis = analyze(text, { ...options, ...(useTree ? { tree: this.tree } : { parse: false }) });
    this.last = { version: this.doc.version, optionsKey: key, analysis, ms: performance.now() - t0, partial };
    return this.last;
  }

  /** Forgets the analysis (e.g. after a settings change) but keeps the tree. */
  invalidate(): void {
    this.last = undefined;
  }

  /** Frees the tree (wasm memory) and the analysis; call on close or when a document is skipped. */
  dispose(): void {
    this.dropTree();
    this.last = undefined;
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.treeEdited = false;
  }
}
