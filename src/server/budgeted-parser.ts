/**
 * Time-budgeted, resumable tree-sitter parsing for the language server.
 *
 * Most incremental re-parses of a 10k-line file take a few milliseconds, but some half-typed
 * states (an unbalanced `(` or a digit glued to `for` inside a template, where `<` is ambiguous)
 * send tree-sitter's error recovery into a 0.5-1.5 s parse even from scratch. A keystroke must
 * not wait for that: the server parses with a budget, and when it runs out, web-tree-sitter
 * cancels (the progress callback returns true) and keeps its state, so the next `parse` call with
 * the same text and old tree resumes where it stopped (see `Parser.reset` in web-tree-sitter
 * 0.25 src/parser.ts). Meanwhile the server publishes a token-only analysis.
 *
 * The core parser (src/core/parse.ts) stays untouched; this is a second parser over the same
 * grammar, used only for open documents.
 */
import { readFileSync } from 'node:fs';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import { cudaGrammarWasmPath } from '../core/assets';

/** A parser whose parses can stop after a wall-clock budget and resume later. */
export class BudgetedParser {
  /** The owner and input of a cancelled parse that the next call may resume. */
  private suspended: { owner: object; text: string; old: Tree | undefined } | undefined;

  private constructor(private readonly parser: Parser) {}

  /** Creates the parser. Needs the web-tree-sitter runtime initialised (`await initParser()` first). Throws when the grammar wasm is missing. */
  static async create(): Promise<BudgetedParser> {
    const lang = await Language.load(readFileSync(cudaGrammarWasmPath()));
    const p = new Parser();
    p.setLanguage(lang);
    return new BudgetedParser(p);
  }

  /**
   * Parses `text` (incrementally from `old`, which must have had the edits applied) for at most
   * about `budgetMs` milliseconds of wall time. Returns the tree, or null when the budget ran out;
   * calling again with the same `owner`, the SAME `text` string and the same `old` resumes.
   * A call for another owner or text first discards the suspended parse.
   */
  parse(owner: object, text: string, old: Tree | undefined, budgetMs: number): Tree | null {
    const s = this.suspended;
    if (s && (s.owner !== owner || s.text !== text || s.old !== old)) this.parser.reset();
    this.suspended = undefined;
    const deadline = performance.now() + budgetMs;
    // web-tree-sitter 0.25 types the callback as returning void, but a `true` return cancels the parse.
    const progressCallback = ((): boolean => performance.now() > deadline) as unknown as () => void;
    const tree = this.parser.parse(text, old ?? null, { progressCallback });
    if (!tree) this.suspended = { owner, text, old };
    return tree;
  }

  /** Discards a suspended parse of `owner` (its text changed or it was closed). */
  abandon(owner: object): void {
    if (this.suspended?.owner === owner) {
      this.parser.reset();
      this.suspended = undefined;
    }
  }
}
