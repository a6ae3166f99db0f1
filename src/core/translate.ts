/**
 * Deterministic translation: applies every safe (`auto`) fix of the findings and returns the HIP
 * text, plus statistics in the spirit of HIPIFY's `--print-stats`.
 *
 * Properties (tested): formatting, line endings and a BOM are kept; only code is changed (comments
 * and strings only with `includeComments`); translating the output again changes nothing.
 */
import { analyze, type Analysis, type AnalyzeOptions } from './analyze';
import type { Finding, TextEdit } from './findings';
import { lowerBound } from './search';
import { applyEdits } from './text';
import { isOpenFinding } from './open-findings';
import { ONCE_PER_FILE } from './rules/api';

/** Per-library reference counts. */
export interface LibraryStats {
  /** CUDA references found (renamable or not). */
  found: number;
  /** References converted to a HIP (or ROC) name. */
  converted: number;
  /** References with no usable HIP equivalent in the target. */
  unsupported: number;
}

/**
 * How ready a file is for the target ROCm version. Counted are the CUDA items a port must deal
 * with: API references (HP101–HP106), CUDA includes (HP110, HP111), inline PTX blocks (HP401) and
 * constructs the target lacks (HP108 device-property fields, HP109 cooperative-groups APIs, HP206
 * `__syncwarp`, HP508 WMMA). `ready` counts those renamed or rewritten automatically, which only
 * ever uses names and headers that exist in the target; the rest count against it, by kind.
 */
export interface Readiness {
  /** CUDA items counted (see above). */
  counted: number;
  /** Renamed or rewritten automatically to what the target has. */
  ready: number;
  /** CUDA names with no HIP equivalent in the target (HP104, HP105, HP106, HP108, HP109, HP114, HP206, HP508, unless rewritten; a once-per-file finding counts each use). */
  unsupportedNames: number;
  /** CUDA headers whose HIP counterpart the target does not ship (HP111). */
  missingHeaders: number;
  /** Inline PTX `asm` blocks (HP401). */
  inlinePtx: number;
  /** Other counted items left as they are for a human (e.g. a rename inside a macro). */
  leftForReview: number;
}

/** Statistics of one translated file. */
export interface TranslateStats {
  /** Lines of the input (a trailing newline does not start a line). */
  lines: number;
  /** Input lines touched by at least one applied edit. */
  linesChanged: number;
  /** References per library (`runtime`, `device`, `rand`, ...). */
  byLibrary: Record<string, LibraryStats>;
  /** Unsupported CUDA names and how often each occurs. */
  unsupported: Record<string, number>;
  /** Applied edits. */
  edits: number;
  /** Findings left for a human or the agent (hazards, unsupported APIs, parse errors). */
  open: number;
  /** Wall time of analysis + rewriting, milliseconds. */
  ms: number;
  /** Readiness for the target ROCm version (see {@link Readiness}). */
  readiness: Readiness;
}

/** Result of {@link translate}. */
export interface TranslateResult {
  /** The translated text. */
  text: string;
  changed: boolean;
  /** The analysis of the input (findings carry offsets into the input). */
  analysis: Analysis;
  /** Findings whose auto-fix was applied. */
  applied: Finding[];
  /** Findings that need a human or the agent: no auto-fix (renames excluded). */
  open: Finding[];
  stats: TranslateStats;
}


/**
 * Translates CUDA text to HIP by applying every auto-fix. Never throws on bad input (binary
 * or half-typed text translates by token). Needs `await initParser()` for structural rules.
 */
export function translate(text: string, options: AnalyzeOptions = {}): TranslateResult {
  const t0 = performance.now();
  return translateAnalysed(text, analyze(text, options), t0);
}

/**
 * {@link translate} from an analysis already made of exactly `text` (e.g. the language server's
 * current analysis of an open document, made with the same engine options): applies every
 * auto-fix of `analysis`. `stats.ms` counts from `t0` (a `performance.now()` value; default now).
 */
export function translateAnalysed(text: string, analysis: Analysis, t0: number = performance.now()): TranslateResult {
  const applied: Finding[] = [];
  const open: Finding[] = [];
  const edits: TextEdit[] = [];
  for (const f of analysis.findings) {
    if (f.fix?.auto) {
      applied.push(f);
      edits.push(...f.fix.edits);
    } else if (isOpenFinding(f)) {
      open.push(f);
    }
  }
  const out = edits.length ? applyEdits(text, edits) : text;
  const stats = computeStats(text, analysis.findings, applied, edits, open.length);
  stats.ms = performance.now() - t0;
  return { text: out, changed: out !== text, analysis, applied, open, stats };
}

const API_CODES = new Set(['HP101', 'HP102', 'HP103', 'HP104', 'HP105', 'HP106', 'HP114']);
/** Constructs the target ROCm lacks, counted as unsupported names unless a rule rewrote them. */
const MISSING_IN_TARGET = new Set(['HP108', 'HP109', 'HP206', 'HP508']);

/**
 * How many uses of a CUDA name finding `f` stands for: a once-per-file finding (HP104, HP105, HP114; see
 * ONCE_PER_FILE in rules/api.ts) stands for its own use and each related span; others for one.
 */
function usesOf(f: Finding): number {
  if (!ONCE_PER_FILE.has(f.code) || !f.related) return 1;
  // a group of several names (rules/gaps.ts) names each use's CUDA name; other spans (the branch condition) are not uses
  return f.related.some((r) => r.cuda !== undefined) ? 1 + f.related.filter((r) => r.cuda !== undefined).length : 1 + f.related.length;
}

/** The uses of each CUDA name finding `f` stands for (see {@link usesOf}), as name → count. */
function usesByName(f: Finding): Array<[string, number]> {
  if (!f.cuda) return [];
  if (!ONCE_PER_FILE.has(f.code) || !f.related?.some((r) => r.cuda !== undefined)) return [[f.cuda, usesOf(f)]];
  const m = new Map<string, number>([[f.cuda, 1]]);
  for (const r of f.related) if (r.cuda !== undefined) m.set(r.cuda, (m.get(r.cuda) ?? 0) + 1);
  return [...m];
}

/** An empty {@link Readiness}. */
export function emptyReadiness(): Readiness {
  return { counted: 0, ready: 0, unsupportedNames: 0, missingHeaders: 0, inlinePtx: 0, leftForReview: 0 };
}

/** The {@link Readiness} of a file from its findings and the ones whose auto-fix was applied. */
export function readinessOf(findings: readonly Finding[], applied: ReadonlySet<Finding>): Readiness {
  const r = emptyReadiness();
  for (const f of findings) {
    const api = API_CODES.has(f.code);
    const header = f.code === 'HP110' || f.code === 'HP111';
    if (!api && !header && f.code !== 'HP401' && !MISSING_IN_TARGET.has(f.code)) continue;
    if (api && !f.library) continue;
    const n = usesOf(f);
    r.counted += n;
    if (applied.has(f)) r.ready++;
    else if (f.code === 'HP401') r.inlinePtx++;
    else if (f.code === 'HP111') r.missingHeaders++;
    else if (MISSING_IN_TARGET.has(f.code) || f.status === 'unsupported' || f.status === 'experimental') r.unsupportedNames += n;
    else r.leftForReview++;
  }
  return r;
}

function computeStats(text: string, findings: Finding[], applied: Finding[], edits: TextEdit[], open: number): TranslateStats {
  const byLibrary: Record<string, LibraryStats> = {};
  const unsupported: Record<string, number> = {};
  const appliedSet = new Set(applied);
  for (const f of findings) {
    if (!API_CODES.has(f.code) || !f.library) continue;
    const s = (byLibrary[f.library] ??= { found: 0, converted: 0, unsupported: 0 });
    const n = usesOf(f);
    s.found += n;
    if (appliedSet.has(f)) s.converted++;
    else if (f.status === 'unsupported' || f.status === 'experimental') {
      s.unsupported += n;
      for (const [name, k] of usesByName(f)) unsupported[name] = (unsupported[name] ?? 0) + k;
    }
  }
  // line starts (indexOf is much faster than a char loop), then a binary search per edit
  const nl: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) nl.push(i);
  const lineOf = (off: number): number => lowerBound(nl.length, (k) => nl[k]! < off);
  const lineSet = new Set<number>();
  for (const e of edits) {
    const a = lineOf(e.start);
    const b = e.end > e.start ? lineOf(e.end - 1) : a;
    for (let l = a; l <= b; l++) lineSet.add(l);
  }
  const lines = nl.length + (text.length && !text.endsWith('\n') ? 1 : 0);
  return { lines, linesChanged: lineSet.size, byLibrary, unsupported, edits: edits.length, open, ms: 0, readiness: readinessOf(findings, appliedSet) };
}
