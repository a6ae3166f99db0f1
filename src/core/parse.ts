/**
 * Parsing CUDA with web-tree-sitter and the tree-sitter-cuda grammar (npm `tree-sitter-cuda`,
 * which ships `tree-sitter-cuda.wasm`). One parser per process, initialised once with
 * {@link initParser}; {@link parse} is synchronous after that. Incremental re-parse: pass the
 * previous tree with the edit applied ({@link editTree}).
 *
 * Node offsets (`startIndex`, `endIndex`) are UTF-16 code-unit offsets into the parsed string.
 */
import { readFileSync } from 'node:fs';
import { Language, Parser, type Tree, type Node, type Edit } from 'web-tree-sitter';
import { cudaGrammarWasmPath, treeSitterWasmPath } from './assets';

export type { Tree, Node as SyntaxNode };

let parser: Parser | undefined;
let initPromise: Promise<void> | undefined;

/** Loads the wasm runtime and the CUDA grammar once. Safe to call many times. Throws if the wasm files are missing. */
export function initParser(): Promise<void> {
  if (!initPromise) {
    initPromise = (async () => {
      const runtime = readFileSync(treeSitterWasmPath());
      await Parser.init({ wasmBinary: runtime });
      const lang = await Language.load(readFileSync(cudaGrammarWasmPath()));
      const p = new Parser();
      p.setLanguage(lang);
      parser = p;
    })();
  }
  return initPromise;
}

/** True once {@link initParser} has finished. */
export function parserReady(): boolean {
  return parser !== undefined;
}

/**
 * Parses CUDA/C++ text. `old` enables incremental re-parse (it must have had {@link editTree} applied).
 * Throws if {@link initParser} has not completed.
 */
export function parse(text: string, old?: Tree): Tree {
  if (!parser) throw new Error('HIP Porter: parser not initialised (await initParser() first)');
  const tree = parser.parse(text, old ?? null);
  if (!tree) throw new Error('HIP Porter: tree-sitter returned no tree');
  return tree;
}

/**
 * Parse budget per file for batch ports (the CLI, a project port, `hipPorter/portDocument`), in
 * milliseconds: base plus per MiB of text. A file whose parse runs over it is translated at token
 * level, with a warning naming it, so a project port never stalls on one file (tree-sitter's error
 * recovery can take minutes on a 1 MB broken line). Mutable for tests.
 */
export const PARSE_BUDGET_MS = { base: 3000, perMiB: 3000 };

/** The parse budget in milliseconds of a text of `chars` UTF-16 code units (see {@link PARSE_BUDGET_MS}). */
export function parseBudgetFor(chars: number): number {
  return PARSE_BUDGET_MS.base + (PARSE_BUDGET_MS.perMiB * chars) / 1048576;
}

/**
 * {@link parse} with a wall-time budget in milliseconds: returns null (and resets the parser, so
 * the next parse starts afresh) when tree-sitter has not finished within about `budgetMs`.
 * Throws if {@link initParser} has not completed.
 */
export function parseWithin(text: string, budgetMs: number): Tree | null {
  if (!parser) throw new Error('HIP Porter: parser not initialised (await initParser() first)');
  const deadline = performance.now() + budgetMs;
  // web-tree-sitter 0.25 types the callback as returning void, but a `true` return cancels the parse.
  const progressCallback = ((): boolean => performance.now() > deadline) as unknown as () => void;
  const tree = parser.parse(text, null, { progressCallback });
  if (!tree) parser.reset();
  return tree;
}

/** A UTF-16 range of a text with its 0-based row / UTF-16 column points, as tree-sitter's included ranges take it. */
export interface TextRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

/**
 * Parses only `range` of `text` (tree-sitter included ranges): node offsets are offsets into the
 * whole text. `old` (a tree from an earlier `parseRange` of the same region, with the edits
 * applied) enables incremental re-parse. `Node.text` of the tree is only valid inside the range.
 * Throws if {@link initParser} has not completed.
 */
export function parseRange(text: string, range: TextRange, old?: Tree): Tree {
  if (!parser) throw new Error('HIP Porter: parser not initialised (await initParser() first)');
  // The tree keeps its input callback (for Node.text). Reading from a private copy of the range
  // (not a slice, which V8 may keep as a view of the whole text) keeps one item's text alive per
  // tree instead of a whole version of the document.
  const from = range.startIndex;
  const own = Buffer.from(text.slice(from, range.endIndex), 'utf16le').toString('utf16le');
  const read = (index: number): string => (index >= from && index < from + own.length ? own.slice(index - from) : '');
  const tree = parser.parse(read, old ?? null, { includedRanges: [range] });
  if (!tree) throw new Error('HIP Porter: tree-sitter returned no tree');
  return tree;
}

/** Describes a text change for incremental parsing: offsets are UTF-16 indices, positions 0-based rows and UTF-16 columns. */
export function editTree(tree: Tree, edit: Edit): void {
  tree.edit(edit);
}

/** Regions where tree-sitter failed to parse: ERROR and MISSING nodes, as [start, end) UTF-16 offsets. */
export function errorRegions(tree: Tree): Array<{ start: number; end: number; missing: boolean }> {
  const out: Array<{ start: number; end: number; missing: boolean }> = [];
  if (!tree.rootNode.hasError) return out;
  const cursor = tree.walk();
  let done = false;
  while (!done) {
    const n = cursor.currentNode;
    if (n.isError || n.isMissing) {
      out.push({ start: n.startIndex, end: n.endIndex, missing: n.isMissing });
    } else if (n.hasError && cursor.gotoFirstChild()) {
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        done = true;
        break;
      }
    }
  }
  return out;
}
