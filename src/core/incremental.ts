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
import type { SyntaxNode } from './parse';

/** One top-level item: a UTF-16 offset range `[start, end)` of the document. */
export interface Item {
  start: number;
  end: number;
}

/**
 * Node types whose named children are themselves top-level items: conditional groups of the
 * preprocessor (an include guard wraps a whole header), `extern "C" { }` and namespace bodies.
 */
const CONTAINERS = new Set(['preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'linkage_specification', 'namespace_definition', 'declaration_list']);
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
