/**
 * Analysis: text → findings. Lexes the text, parses it with tree-sitter (unless told not to),
 * runs every registered rule and returns the findings sorted by offset.
 */
import { DEFAULT_TARGET_ROCM, sortFindings, type EngineOptions, type Finding, type Fix, type TextEdit } from './findings';
import { Tok, lex, type Tokens } from './lexer';
import { Mappings } from './mappings';
import { errorRegions, parse, parserReady, type SyntaxNode, type Tree } from './parse';
import { detectEol } from './text';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ALL_RULES, CODE_INFO } from './rules/index';
import type { ReportedFinding, ResolvedOptions, Rule, RuleContext } from './rules/types';

/** Result of analysing one text. */
export interface Analysis {
  text: string;
  tokens: Tokens;
  /** The syntax tree (undefined when parsing was skipped or the parser is not initialised). */
  tree: Tree | undefined;
  /** All findings, sorted by start offset (UTF-16). */
  findings: Finding[];
  /** Regions tree-sitter could not parse, as UTF-16 offset ranges. */
  parseErrors: Array<{ start: number; end: number }>;
  options: ResolvedOptions;
}

/** Options of {@link analyze}. */
export interface AnalyzeOptions extends EngineOptions {
  /** Mapping tables; default {@link Mappings.loadDefault}. */
  mappings?: Mappings;
  /** A tree for exactly this text (e.g. from an incremental re-parse); skips parsing. */
  tree?: Tree;
  /** Parse with tree-sitter (default true when the parser is initialised). False = token-only analysis. */
  parse?: boolean;
  /** Rules to run; default all. */
  rules?: readonly Rule[];
  /**
   * Path of the analysed file on disk, when there is one. A quoted include that names a CUDA header
   * (`#include "cuda.h"`) but resolves to a file in the same directory is the project's own header
   * (darknet has src/cuda.h): it is then left as written instead of being rewritten to the HIP
   * header. Without a path, only the `extern "C" { }` heuristic of the headers rule applies.
   */
  sourcePath?: string;
}

/** Fills in defaults: target ROCm {@link DEFAULT_TARGET_ROCM}, no comments, keep launches, hip library names, no experimental. */
export function resolveOptions(o: EngineOptions = {}): ResolvedOptions {
  return {
    targetRocm: o.targetRocm ?? DEFAULT_TARGET_ROCM,
    includeComments: o.includeComments ?? false,
    kernelLaunch: o.kernelLaunch ?? 'keep',
    libraryTarget: o.libraryTarget ?? 'hip',
    experimental: o.experimental ?? false,
  };
}

/** At most this many parse-error findings per file; the rest are counted in the last one. */
const MAX_PARSE_FINDINGS = 20;

/**
 * Analyses CUDA text and returns its findings. Synchronous; parsing needs `await initParser()`
 * first (without it, or with `parse: false`, analysis is token-only and structural rules that need
 * the tree report less). Never throws on bad input: any text yields an analysis.
 */
export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  const resolved = resolveOptions(options);
  const mappings = options.mappings ?? Mappings.loadDefault();
  const tokens = lex(text);
  let tree = options.tree;
  if (!tree && options.parse !== false && parserReady()) tree = parse(text);
  const findings: Finding[] = [];
  let identIndex: Map<string, number[]> | undefined;
  const ctx: RuleContext = {
    text,
    tokens,
    tree,
    mappings,
    options: resolved,
    eol: detectEol(text),
    identsNamed(name) {
      if (!identIndex) identIndex = buildIdentIndex(tokens);
      return identIndex.get(name) ?? EMPTY;
    },
    identIndex() {
      if (!identIndex) identIndex = buildIdentIndex(tokens);
      return identIndex;
    },
    nodeAt(start, end) {
      if (!tree) return undefined;
      return tree.rootNode.namedDescendantForIndex(start, end) ?? undefined;
    },
    report(f: ReportedFinding) {
      const info = CODE_INFO.get(f.code);
      // fields assigned one by one, in this order (no spreads: a file can have thousands of findings)
      const out: Finding = {
        code: f.code,
        family: info?.family ?? 'api',
        severity: f.severity ?? info?.defaultSeverity ?? 'warning',
        message: f.message,
        start: f.start,
        end: f.end,
        status: f.status,
      };
      if (f.library !== undefined) out.library = f.library;
      if (f.cuda !== undefined) out.cuda = f.cuda;
      if (f.hip !== undefined) out.hip = f.hip;
      if (f.fix !== undefined) out.fix = f.fix;
      const docs = f.docs ?? info?.docs;
      if (docs) out.docs = docs;
      findings.push(out);
    },
    fix(title: string, edits: TextEdit[], auto: boolean): Fix {
      return { title, edits, auto };
    },
  };
  for (const rule of options.rules ?? ALL_RULES) {
    try {
      rule.run(ctx);
    } catch (err) {
      // A rule bug must not take the whole analysis down (the LSP server and CLI go on).
      ctx.report({
        code: 'HP999',
        message: `HIP Porter internal error in rule '${rule.id}': ${(err as Error).message}`,
        start: 0,
        end: 0,
        status: 'hazard',
        severity: 'hint',
      });
    }
  }
  if (options.sourcePath) dropShadowedHeaderRewrites(findings, text, options.sourcePath);
  const parseErrors = tree ? errorRegions(tree).map(({ start, end }) => ({ start, end })) : [];
  parseErrors.slice(0, MAX_PARSE_FINDINGS).forEach((r, i) => {
    const more = i === MAX_PARSE_FINDINGS - 1 && parseErrors.length > MAX_PARSE_FINDINGS ? ` (and ${parseErrors.length - MAX_PARSE_FINDINGS} more)` : '';
    ctx.report({
      code: 'HP901',
      message: `tree-sitter could not parse this region${more}; names here are still renamed by token, structural checks are skipped`,
      start: r.start,
      end: Math.max(r.end, r.start),
      status: 'parse-error',
    });
  });
  return { text, tokens, tree, findings: sortFindings(findings), parseErrors, options: resolved };
}

const EMPTY: readonly number[] = [];

/**
 * Removes (in place) the include rewrites (HP110/HP111) of quoted includes that name a file existing
 * in the directory of `sourcePath`: `#include "cuda.h"` next to a local cuda.h means that file, as
 * the preprocessor searches the includer's directory first for quoted includes. One `existsSync`
 * per such include.
 */
function dropShadowedHeaderRewrites(findings: Finding[], text: string, sourcePath: string): void {
  const dir = dirname(sourcePath);
  let w = 0;
  for (const f of findings) {
    const keep = !((f.code === 'HP110' || f.code === 'HP111') && text.charCodeAt(f.start) === 34 && localFileExists(dir, text.slice(f.start + 1, f.end - 1)));
    if (keep) findings[w++] = f;
  }
  findings.length = w;
}

function localFileExists(dir: string, name: string): boolean {
  try {
    return existsSync(join(dir, name));
  } catch {
    return false;
  }
}

function buildIdentIndex(t: Tokens): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (let i = 0; i < t.count; i++) {
    if (t.kind[i] !== Tok.Ident) continue;
    const name = t.text.slice(t.start[i], t.end[i]);
    const list = m.get(name);
    if (list) list.push(i);
    else m.set(name, [i]);
  }
  return m;
}

/** The innermost named node of `tree` covering `[start, end)`. */
export function nodeAt(tree: Tree, start: number, end: number): SyntaxNode | null {
  return tree.rootNode.namedDescendantForIndex(start, end);
}
