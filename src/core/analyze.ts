/**
 * Analysis: text → findings. Lexes the text, parses it with tree-sitter (unless told not to),
 * runs every registered rule and returns the findings sorted by offset.
 */
import { compareFindings, sortFindings, type EngineOptions, type Finding, type Fix, type TextEdit } from './findings';
import { Tok, lex, type Tokens } from './lexer';
import { Mappings } from './mappings';
import { errorRegions, parse, parseWithin, parserReady, type SyntaxNode, type Tree } from './parse';
import { detach, detectEol } from './text';
import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { HEADER_EXTENSIONS } from './files';
import { ALL_RULES, CODE_INFO } from './rules/index';
import type { FactReach, ReportedFinding, ResolvedOptions, Rule, RuleContext } from './rules/types';
import { resolveEngineOptions } from './engine-options';

/**
 * Result of analysing one text. An incremental analysis of the next text takes it over (see
 * `analyzeIncremental` in src/core/incremental.ts): its unchanged findings move in place.
 */
export interface Analysis {
  text: string;
  tokens: Tokens;
  /**
   * The syntax tree (undefined when parsing was skipped or the parser is not initialised). After
   * an incremental analysis this is the document's base tree, edited but not re-parsed: read
   * structure through {@link Analysis.nodeAt}, which also consults the re-parsed items.
   */
  tree: Tree | undefined;
  /** All findings, sorted by start offset (UTF-16). */
  findings: Finding[];
  /** The findings of `local` rules, sorted (a subsequence of `findings`). */
  localFindings: Finding[];
  /** The findings of `file` rules and of the engine (HP901), sorted (the rest of `findings`). */
  fileFindings: Finding[];
  /** `fileFindings` by the id of the file rule that reported them (`engine` for HP901 and rule errors), each sorted. */
  fileFindingsByRule: Map<string, Finding[]>;
  /** By file rule id: what its last run recorded for its signature ({@link RuleContext.setSignatureState}). */
  signatureStates: Map<string, unknown>;
  /** Regions tree-sitter could not parse, as UTF-16 offset ranges. */
  parseErrors: Array<{ start: number; end: number }>;
  options: ResolvedOptions;
  /**
   * Whole-file facts the rules read ({@link RuleContext.fileIdentsNamed} names in `names`,
   * {@link RuleContext.fileHas} names in `has`): an incremental analysis must fall back to a full
   * one when an edit touches them (src/core/incremental.ts).
   */
  facts: AnalysisFacts;
  /** Every identifier of the file with its token indices (kept for incremental updates). */
  identIndex: Map<string, number[]>;
  /** Smallest named node covering `[start, end)` (UTF-16 offsets), or undefined without a tree. */
  nodeAt(start: number, end: number): SyntaxNode | undefined;
  /** True when the parse ran over {@link AnalyzeOptions.parseBudgetMs} and the analysis is token-level. */
  parseTimedOut?: boolean;
}

/** See {@link Analysis.facts}. */
export interface AnalysisFacts {
  /** Names read with {@link RuleContext.fileIdentsNamed}, with the widest reach asked for each. */
  names: Map<string, FactReach>;
  has: Set<string>;
  /** The ids of the rules that read each of those names (either way). */
  readers: Map<string, Set<string>>;
}

/** The wider of two fact reaches. */
export function widerReach(a: FactReach | undefined, b: FactReach): FactReach {
  if (a === undefined) return b;
  if (a === 'statement' || b === 'statement') return 'statement';
  return { before: Math.max(a.before, b.before), after: Math.max(a.after, b.after) };
}

/** Options of {@link analyze}. */
export interface AnalyzeOptions extends EngineOptions {
  /** Mapping tables; default {@link Mappings.loadDefault}. */
  mappings?: Mappings;
  /** A tree for exactly this text (e.g. from an incremental re-parse); skips parsing. */
  tree?: Tree;
  /** Parse with tree-sitter (default true when the parser is initialised). False = token-only analysis. */
  parse?: boolean;
  /**
   * Wall-time budget of the tree-sitter parse, in milliseconds (default: none). When it runs out
   * (tree-sitter's error recovery can grow as about n^1.7 on a long broken line), the analysis is
   * token-level and {@link Analysis.parseTimedOut} is set, so the caller can warn.
   */
  parseBudgetMs?: number;
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

/** True when `path` names a header (.cuh, .h, .hpp, ... : {@link HEADER_EXTENSIONS}), not a translation unit. */
export function isHeaderPath(path: string): boolean {
  return HEADER_EXTENSIONS.has(extname(path).toLowerCase());
}

/** Fills in defaults (see {@link resolveEngineOptions}: the one place engine defaults live). */
export function resolveOptions(o: EngineOptions = {}): ResolvedOptions {
  return resolveEngineOptions(o);
}

/** At most this many parse-error findings per file; the rest are counted in the last one. */
const MAX_PARSE_FINDINGS = 20;

/**
 * Analyses CUDA text and returns its findings. Synchronous; parsing needs `await initParser()`
 * first (without it, or with `parse: false`, analysis is token-only and structural rules that need
 * the tree report less). Never throws on bad input: any text yields an analysis.
 */
export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  return drain(analyzeSteps(text, options));
}

/**
 * {@link analyze} in steps: the generator pauses (yields) after the parse-error scan, after
 * lexing and after each rule, and returns the analysis, so a caller can spread a whole-file
 * analysis over several event-loop turns (the language server does, for the check after a pause).
 * The text and tree must not change while it runs.
 */
export function* analyzeSteps(text: string, options: AnalyzeOptions = {}): Generator<void, Analysis, void> {
  let tree = options.tree;
  let parseTimedOut = false;
  if (!tree && options.parse !== false && parserReady()) {
    if (options.parseBudgetMs === undefined) tree = parse(text);
    else {
      tree = parseWithin(text, options.parseBudgetMs) ?? undefined;
      parseTimedOut = tree === undefined;
    }
  }
  const t = tree;
  const nodeAt = t ? (start: number, end: number) => t.rootNode.namedDescendantForIndex(start, end) ?? undefined : () => undefined;
  const parseErrors = t ? errorRegions(t).map(({ start, end }) => ({ start, end })) : [];
  yield;
  const tokens = lex(text);
  yield;
  const run = yield* runRuleSteps({
    text,
    tokens,
    tree,
    nodeAt,
    parseErrors,
    options,
  });
  return { ...run, text, tree, parseErrors, nodeAt, ...(parseTimedOut ? { parseTimedOut } : {}) };
}

/** Runs a step generator to its end and returns its result. */
function drain<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** What {@link runRules} needs: the text's tokens, structure and parse errors. */
export interface RuleInput {
  text: string;
  tokens: Tokens;
  tree: Tree | undefined;
  /** Smallest named node covering `[start, end)` (UTF-16 offsets). */
  nodeAt(start: number, end: number): SyntaxNode | undefined;
  /** Regions tree-sitter could not parse (UTF-16 offsets), reported as HP901 findings. */
  parseErrors: ReadonlyArray<{ start: number; end: number }>;
  options: AnalyzeOptions;
  /** The whole file's identifier index when the caller has it up to date (else built on demand). */
  fileIndex?: Map<string, number[]>;
  /**
   * Analyse only `local` rules, only within these UTF-16 offsets `[start, end)` (top-level item
   * boundaries) and token indices `[firstToken, endToken)`; `file` rules and HP901 still cover
   * the whole file. Findings of local rules outside the window are dropped.
   */
  window?: { start: number; end: number; firstToken: number; endToken: number };
  /** File rules not to run, by id, with the findings to use instead (already in this text's coordinates). */
  reuse?: ReadonlyMap<string, readonly Finding[]>;
  /**
   * With a window: `local` rules (by id) to run over the whole file instead (a whole-file fact
   * they read changed); their findings come back in {@link RuleOutput.wholeLocalFindings}.
   */
  wholeFileRules?: ReadonlySet<string>;
}

/** Output of {@link runRules}. */
export interface RuleOutput {
  tokens: Tokens;
  /** Sorted; with a window, only the local findings inside it. */
  localFindings: Finding[];
  /** Sorted findings of file rules and HP901 over the whole file. */
  fileFindings: Finding[];
  /** The same by rule id (see {@link Analysis.fileFindingsByRule}). */
  fileFindingsByRule: Map<string, Finding[]>;
  /** By id, for the file rules that ran: what they recorded for their signature (see {@link Analysis.signatureStates}). */
  signatureStates: Map<string, unknown>;
  /** Sorted findings, over the whole file, of the local rules named in {@link RuleInput.wholeFileRules}. */
  wholeLocalFindings: Finding[];
  /** Merge of both, sorted. */
  findings: Finding[];
  facts: AnalysisFacts;
  identIndex: Map<string, number[]>;
  options: ResolvedOptions;
}

/**
 * Runs the rules over tokens and structure that the caller supplies (a full analysis, or the
 * window of an incremental one). Never throws: a rule that throws yields an HP999 finding.
 */
export function runRules(input: RuleInput): RuleOutput {
  return drain(runRuleSteps(input));
}

/** {@link runRules} in steps: yields after each rule (see {@link analyzeSteps}). */
export function* runRuleSteps(input: RuleInput): Generator<void, RuleOutput, void> {
  const { text, tokens, tree, options, window } = input;
  const resolved: ResolvedOptions = resolveOptions(options);
  if (options.sourcePath) {
    resolved.sourcePath = options.sourcePath;
    if (isHeaderPath(options.sourcePath)) resolved.header = true;
  }
  const mappings = options.mappings ?? Mappings.loadDefault();
  const facts: AnalysisFacts = { names: new Map(), has: new Set(), readers: new Map() };
  let currentRule = '';
  const addReader = (name: string): void => {
    const r = facts.readers.get(name);
    if (r) r.add(currentRule);
    else facts.readers.set(name, new Set([currentRule]));
  };
  let fileIndex = input.fileIndex;
  const fullIndex = (): Map<string, number[]> => (fileIndex ??= buildIdentIndex(tokens, 0, tokens.count));
  let windowIndex: Map<string, number[]> | undefined;
  const first = window ? window.firstToken : 0;
  const endTok = window ? window.endToken : tokens.count;
  const whole = !window || (first === 0 && endTok === tokens.count);
  const localIndex = (): Map<string, number[]> => (whole ? fullIndex() : (windowIndex ??= buildIdentIndex(tokens, first, endTok)));
  const localFindings: Finding[] = [];
  const fileFindings: Finding[] = [];
  let sink = localFindings;
  let windowed = false;
  // the line break style is read by one fix only: found when asked (a scan of every line)
  let eol: '\n' | '\r\n' | undefined;
  const makeCtx = (firstToken: number, endToken: number, index: () => Map<string, number[]>): RuleContext => ({
    text,
    tokens,
    tree,
    mappings,
    options: resolved,
    get eol() {
      return (eol ??= detectEol(text));
    },
    firstToken,
    endToken,
    identsNamed(name) {
      return index().get(name) ?? EMPTY;
    },
    identIndex() {
      return index();
    },
    fileIdentsNamed(name, reach = 'statement') {
      const had = facts.names.get(name);
      if (had !== 'statement') facts.names.set(name, widerReach(had, reach));
      addReader(name);
      return fullIndex().get(name) ?? EMPTY;
    },
    fileHas(name) {
      facts.has.add(name);
      addReader(name);
      return fullIndex().has(name);
    },
    nodeAt(start, end) {
      return input.nodeAt(start, end);
    },
    report(f: ReportedFinding) {
      if (windowed && (f.start < window!.start || f.start >= window!.end)) return;
      const info = CODE_INFO.get(f.code);
      // every field, in this order, undefined when absent (no spreads: a file can have thousands of
      // findings): one object shape for all, so the moves of an incremental analysis stay fast
      const out: Finding = {
        code: f.code,
        family: info?.family ?? 'api',
        severity: f.severity ?? info?.defaultSeverity ?? 'warning',
        message: detach(f.message),
        start: f.start,
        end: f.end,
        status: f.status,
        library: f.library,
        cuda: f.cuda !== undefined ? detach(f.cuda) : undefined,
        hip: f.hip,
        // a fix of its own (edits copied): an incremental analysis moves a finding's edits in place
        fix: f.fix !== undefined ? { title: f.fix.title, edits: f.fix.edits.map((e) => ({ start: e.start, end: e.end, newText: e.newText })), auto: f.fix.auto } : undefined,
        docs: f.docs || info?.docs || undefined,
        // spans of its own: an incremental analysis moves them in place
        related: f.related !== undefined ? f.related.map((r) => (r.cuda !== undefined ? { start: r.start, end: r.end, message: detach(r.message), cuda: r.cuda } : { start: r.start, end: r.end, message: detach(r.message) })) : undefined,
      };
      sink.push(out);
    },
    fix(title: string, edits: TextEdit[], auto: boolean): Fix {
      for (const e of edits) e.newText = detach(e.newText);
      return { title: detach(title), edits, auto };
    },
    setSignatureState(state: unknown) {
      signatureStates.set(currentRule, state);
    },
  });
  const localCtx = makeCtx(first, endTok, localIndex);
  const fileCtx = window ? makeCtx(0, tokens.count, fullIndex) : localCtx;
  const byRule = new Map<string, Finding[]>();
  const signatureStates = new Map<string, unknown>();
  const engine: Finding[] = [];
  byRule.set('engine', engine);
  const wholeLocal: Finding[] = [];
  for (const rule of options.rules ?? ALL_RULES) {
    const isFile = rule.scope === 'file';
    const whole = !isFile && !!window && !!input.wholeFileRules?.has(rule.id);
    const ctx = isFile || whole ? fileCtx : localCtx;
    currentRule = rule.id;
    if (whole) {
      sink = wholeLocal;
    } else if (isFile) {
      const reused = input.reuse?.get(rule.id);
      if (reused) {
        byRule.set(rule.id, reused.slice());
        continue;
      }
      sink = [];
      byRule.set(rule.id, sink);
    } else {
      sink = localFindings;
    }
    windowed = !!window && !isFile && !whole;
    try {
      rule.run(ctx);
    } catch (err) {
      // A rule bug must not take the whole analysis down (the LSP server and CLI go on).
      windowed = false;
      sink = engine;
      ctx.report({
        code: 'HP999',
        message: `HIP Porter internal error in rule '${rule.id}': ${(err as Error).message}`,
        start: 0,
        end: 0,
        status: 'hazard',
        severity: 'hint',
      });
    }
    yield;
  }
  windowed = false;
  sink = engine;
  if (options.sourcePath) {
    dropShadowedHeaderRewrites(localFindings, text, options.sourcePath);
    for (const [id, list] of byRule) if (!input.reuse?.has(id)) dropShadowedHeaderRewrites(list, text, options.sourcePath);
  }
  const parseErrors = input.parseErrors;
  parseErrors.slice(0, MAX_PARSE_FINDINGS).forEach((r, i) => {
    const more = i === MAX_PARSE_FINDINGS - 1 && parseErrors.length > MAX_PARSE_FINDINGS ? ` (and ${parseErrors.length - MAX_PARSE_FINDINGS} more)` : '';
    fileCtx.report({
      code: 'HP901',
      message: `tree-sitter could not parse this region${more}; names here are still renamed by token, structural checks are skipped`,
      start: r.start,
      end: Math.max(r.end, r.start),
      status: 'parse-error',
    });
  });
  sortFindings(localFindings);
  sortFindings(wholeLocal);
  for (const list of byRule.values()) {
    sortFindings(list);
    for (const f of list) fileFindings.push(f);
  }
  sortFindings(fileFindings);
  return {
    tokens,
    localFindings,
    fileFindings,
    fileFindingsByRule: byRule,
    signatureStates,
    wholeLocalFindings: wholeLocal,
    findings: mergeFindings(wholeLocal.length ? mergeFindings(localFindings, wholeLocal) : localFindings, fileFindings),
    facts,
    identIndex: fullIndex(),
    options: resolved,
  };
}

/** Merges two sorted finding lists into one sorted list (ties: `a` first). */
export function mergeFindings(a: readonly Finding[], b: readonly Finding[]): Finding[] {
  if (!b.length) return a.slice();
  if (!a.length) return b.slice();
  const out = new Array<Finding>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compareFindings(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
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

/** Identifier name → token indices (ascending) over tokens `[from, to)`. */
export function buildIdentIndex(t: Tokens, from: number, to: number): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (let i = from; i < to; i++) {
    if (t.kind[i] !== Tok.Ident) continue;
    const name = t.text.slice(t.start[i], t.end[i]);
    const list = m.get(name);
    if (list) list.push(i);
    else m.set(detach(name), [i]);
  }
  return m;
}

/** The innermost named node of `tree` covering `[start, end)`. */
export function nodeAt(tree: Tree, start: number, end: number): SyntaxNode | null {
  return tree.rootNode.namedDescendantForIndex(start, end);
}
