import { fileURLToPath } from 'node:url';
/**
 * Open documents and their analysis schedule: didOpen/didChange/didClose, coalesced re-analysis
 * (one `setImmediate` tick after the last queued change, so a burst of changes costs one
 * analysis), publishing diagnostics tagged with the document version, and the per-version
 * {@link DocumentView} that code actions, hovers and custom requests read.
 *
 * Re-parses run with a time budget ({@link EDIT_PARSE_BUDGET_MS}); when tree-sitter's error
 * recovery runs longer (as it can on half-typed states of a large file), the version's
 * token-only analysis is published at once with a `hipPorter/serverStatus` `busy`, the parse
 * resumes in background slices, and the full analysis of the same version follows with `ready`.
 *
 * Which documents are analysed: language ids `cuda-cpp`, `cuda` and `hip` always; `cpp` and `c`
 * only when the text includes a CUDA header or uses CUDA syntax (`looksLikeCuda`); never
 * documents matching `hipPorter.exclude`. Documents over `hipPorter.maxFileSizeMB` or with NUL
 * bytes get one information diagnostic at line 0 instead.
 */
import type {
  Diagnostic,
  DidChangeTextDocumentParams,
  DidCloseTextDocumentParams,
  DidOpenTextDocumentParams,
  Position,
} from 'vscode-languageserver';
import type { Analysis } from '../core/analyze';
import type { Finding } from '../core/findings';
import { pickEngineOptions, type EngineOptions } from '../core/engine-options';
import { looksLikeCuda } from '../core/files';
import { parserReady } from '../core/parse';
import type { ServerStatusParams } from '../shared/lsp-protocol';
import { skippedDiagnostic, toDiagnostics, visibleFindings, type VisibleFinding } from './diagnostics';
import type { BudgetedParser } from './budgeted-parser';
import { CONSOLIDATE_PATCHES, DocumentState, type AnalysisSnapshot } from './document-state';
import { isExcluded, type ServerSettings, type SettingsCache } from './settings';

/** Language ids analysed unconditionally. */
export const CUDA_LANGUAGE_IDS: ReadonlySet<string> = new Set(['cuda-cpp', 'cuda', 'hip']);
/** Language ids analysed when the text looks like CUDA. */
export const CXX_LANGUAGE_IDS: ReadonlySet<string> = new Set(['cpp', 'c', 'cuda-c']);

/** Why a document has no findings. */
export type SkipReason = 'language' | 'excluded' | 'binary' | 'too-large';

/** What the server knows about one document version under its current settings. */
export interface DocumentView {
  uri: string;
  version: number;
  state: DocumentState;
  settings: ServerSettings;
  /** Set when the document is not analysed; `message` is user-facing. */
  skipped?: { reason: SkipReason; message: string };
  /** Visible findings (severity applied, `off` families removed); the index is the finding's id. */
  findings: VisibleFinding[];
  /** The analysis, unless skipped. */
  snapshot?: AnalysisSnapshot;
  /** UTF-16 offset → LSP position in this version. */
  positionAt(offset: number): Position;
  /** True when the parse is still running (suspended): findings are from a token-only analysis. */
  partial: boolean;
  /** Set when the document gets the reduced (token-level) analysis: the user-facing reason, published as one diagnostic. */
  reduced?: string;
}

/** What the manager needs from the LSP connection (a fake in unit tests). */
export interface DocumentHost {
  /** Sends diagnostics; may return a promise that settles once the message is written. */
  publishDiagnostics(uri: string, version: number, diagnostics: Diagnostic[]): void | Promise<void>;
  log(message: string): void;
  status(params: ServerStatusParams): void;
  /** Workspace folder URIs, for relative `exclude` globs. */
  workspaceFolders(): readonly string[];
}

/** Parse budget after an edit, ms: beyond it the keystroke gets a token-only analysis at once. */
export const EDIT_PARSE_BUDGET_MS = 40;
/** Edit budget when the previous version's parse was still suspended, ms. */
export const STILL_PARTIAL_BUDGET_MS = 3;
/** Parse budget of each background slice that resumes a suspended parse, ms. */
export const RESUME_PARSE_BUDGET_MS = 20;

/**
 * Quiet time after a provisional publish before the full re-parse that checks it starts, ms: while
 * the user types, each keystroke gets the fast incremental analysis; the exact one follows a pause.
 */
export const RECONCILE_DELAY_MS = 200;
/** Parse budget of each background slice of that check, ms (short, so a keystroke waits little). */
export const RECONCILE_SLICE_MS = 5;

/**
 * Above this many UTF-16 code units (512 Ki, about 0.5 MB of ASCII) a document gets the reduced
 * analysis (token level, no syntax tree; see `DocumentState.analyzeTokens`) with one information
 * diagnostic saying so: the full analysis of a file of several MB falls behind typing and its
 * memory grows without bound (bench/lsp-load-bench.mjs measures it).
 */
export const REDUCED_ANALYSIS_CHARS = 512 * 1024;
/** Reduced analysis while typing: it runs this long after the last edit... */
export const REDUCED_DEBOUNCE_MS = 250;
/** ...or at the latest this long after the first edit not yet analysed. */
export const REDUCED_MAX_WAIT_MS = 1500;
/** At most this many event-loop turns an analysis waits for a backlog of changes to be read (see `DocumentManager.schedule`). */
export const MAX_COALESCE_TURNS = 256;
/**
 * A full analysis (re-parse included) slower than this after an edit counts as falling behind;
 * {@link BEHIND_LIMIT} in a row switch the document to the reduced analysis until it is reopened.
 */
export const BEHIND_MS = 1000;
/** See {@link BEHIND_MS}. */
export const BEHIND_LIMIT = 3;
/**
 * At most this many diagnostics are published per document (errors and warnings first, then by
 * position); one more information diagnostic says how many were left out. Keeps each publish and
 * the client's copy bounded on big generated files.
 */
export const MAX_DIAGNOSTICS = 20000;

/**
 * Runs `fn` as the next background slice, after any input that arrived meanwhile is handled.
 * Chaining slices with `setImmediate` let a keystroke wait for two slices: vscode-jsonrpc hands a
 * message it read to its handler in a `setImmediate` of its own, queued behind the next slice. A
 * zero-delay timer runs in the timers phase, before the poll phase reads input and the check
 * phase dispatches it, so a keystroke waits at most for the slice in progress.
 */
function afterInput(fn: () => void): void {
  setTimeout(fn, 0);
}

/** The open documents and their analysis schedule. */
export class DocumentManager {
  private readonly states = new Map<string, DocumentState>();
  private readonly views = new Map<string, DocumentView>();
  private readonly pending = new Set<string>();
  /** Documents whose "too large" skip was logged already (logged once per open). */
  private readonly loggedLarge = new Set<string>();
  private scheduled = false;
  private ready: Promise<void>;
  /** The budgeted parser, once loaded (without it, parses are unbounded through src/core/parse.ts). */
  private parser: BudgetedParser | undefined;
  /** Documents whose parse is suspended (a `busy` status is out while this is non-empty). */
  private readonly parsing = new Set<string>();
  /** Per document: the analysis last published, its visible findings and their diagnostics. */
  private readonly lastPublished = new Map<string, { analysis: Analysis; findings: Finding[]; diagnostics: Diagnostic[] }>();
  /** Analysis time of the last analysed document, ms (for logs and tests). */
  lastAnalysisMs = 0;
  /** `didChange` notifications received so far (see {@link DocumentManager.schedule}). */
  private changeCount = 0;
  /** Per document: slow full analyses in a row (see {@link BEHIND_MS}). */
  private readonly slowRuns = new Map<string, number>();
  /** Documents switched to the reduced analysis because the full one could not keep up, with the message. */
  private readonly fellBehind = new Map<string, string>();
  /** Debounce timers of reduced documents: the timer and when the first unanalysed edit came. */
  private readonly reducedTimers = new Map<string, { timer: NodeJS.Timeout; since: number }>();

  /**
   * @param parserReadyPromise resolves when the tree-sitter parser is loaded, with the budgeted
   *   parser when there is one (or rejects when loading failed: analysis then runs token-only).
   *   Nothing is analysed before.
   */
  constructor(
    private readonly host: DocumentHost,
    private readonly settings: SettingsCache,
    parserReadyPromise: Promise<BudgetedParser | void>,
  ) {
    this.ready = parserReadyPromise.then(
      (p) => {
        if (p) this.parser = p;
      },
      () => undefined,
    );
  }

  /** The state of an open document. */
  get(uri: string): DocumentState | undefined {
    return this.states.get(uri);
  }

  /** URIs of every open document. */
  uris(): string[] {
    return [...this.states.keys()];
  }

  /**
   * LSP `shutdown`: frees every document and forgets it, so no background slice (the check after
   * a pause, a resumed parse) runs or publishes afterwards; the client is about to send `exit`,
   * which would cut a publish in the middle of its bytes.
   */
  shutdown(): void {
    for (const uri of this.uris()) this.forget(uri);
  }

  /** `textDocument/didOpen`. */
  open(p: DidOpenTextDocumentParams): void {
    const d = p.textDocument;
    const prev = this.states.get(d.uri);
    if (prev) {
      this.parser?.abandon(prev);
      prev.dispose();
    }
    this.views.delete(d.uri);
    this.states.set(d.uri, new DocumentState(d.uri, d.languageId, d.version, typeof d.text === 'string' ? d.text : ''));
    this.schedule(d.uri);
  }

  /** `textDocument/didChange` (incremental or full). Unknown documents are logged and ignored. */
  change(p: DidChangeTextDocumentParams): void {
    const s = this.states.get(p.textDocument.uri);
    if (!s) {
      this.host.log(`didChange for a document that is not open: ${p.textDocument.uri}`);
      return;
    }
    this.changeCount++;
    const problems = s.applyChanges(Array.isArray(p.contentChanges) ? p.contentChanges : [], p.textDocument.version ?? s.version + 1);
    for (const m of problems) this.host.log(`${p.textDocument.uri}: ${m}`);
    if (this.reducedReason(s)) this.scheduleReduced(p.textDocument.uri);
    else this.schedule(p.textDocument.uri);
  }

  /**
   * Why a document gets the reduced analysis (a user-facing sentence), or undefined for the full
   * one: its size is over {@link REDUCED_ANALYSIS_CHARS}, or its full analysis fell behind.
   */
  private reducedReason(s: DocumentState): string | undefined {
    const behind = this.fellBehind.get(s.uri);
    if (behind) return behind;
    const n = s.text.length;
    if (n > REDUCED_ANALYSIS_CHARS) {
      return `HIP Porter: this file is large (${(n / 1048576).toFixed(1)} M characters, over ${REDUCED_ANALYSIS_CHARS / 1048576} M): reduced analysis while editing (by token: renames, includes and token checks; structural checks off). Use \`hip-porter scan\` for the full report.`;
    }
    return undefined;
  }

  /** Queues a reduced document after a pause in typing (at most {@link REDUCED_MAX_WAIT_MS} after the first edit). */
  private scheduleReduced(uri: string): void {
    const now = performance.now();
    const t = this.reducedTimers.get(uri);
    const since = t?.since ?? now;
    if (t) clearTimeout(t.timer);
    const wait = Math.max(0, Math.min(REDUCED_DEBOUNCE_MS, since + REDUCED_MAX_WAIT_MS - now));
    const timer = setTimeout(() => {
      this.reducedTimers.delete(uri);
      if (this.states.has(uri)) this.schedule(uri);
    }, wait);
    timer.unref?.();
    this.reducedTimers.set(uri, { timer, since });
  }

  /** `textDocument/didClose`: frees the tree and clears the document's diagnostics. */
  close(p: DidCloseTextDocumentParams): void {
    const uri = p.textDocument.uri;
    const s = this.forget(uri);
    if (s) void this.host.publishDiagnostics(uri, s.version, []);
  }

  /** Frees an open document (its tree, a parse in progress) and drops everything kept for it; returns its state, or undefined when it was not open. */
  private forget(uri: string): DocumentState | undefined {
    const s = this.states.get(uri);
    if (!s) return undefined;
    this.parser?.abandon(s);
    this.setParsing(uri, false);
    s.dispose();
    this.states.delete(uri);
    this.views.delete(uri);
    this.pending.delete(uri);
    this.lastPublished.delete(uri);
    this.loggedLarge.delete(uri);
    this.slowRuns.delete(uri);
    this.fellBehind.delete(uri);
    const t = this.reducedTimers.get(uri);
    if (t) clearTimeout(t.timer);
    this.reducedTimers.delete(uri);
    this.settings.clear(uri);
    return s;
  }

  /** Settings changed: forget cached settings and views, re-analyse every open document. */
  settingsChanged(): void {
    this.settings.clear();
    this.views.clear();
    for (const uri of this.states.keys()) this.schedule(uri);
  }

  /**
   * Queues a document for analysis; all queued documents run in one `setImmediate` tick. While
   * changes keep arriving (vscode-jsonrpc dispatches a backlog one message per event-loop turn, so
   * after a slow analysis the edits typed meanwhile come in one per turn), the analysis waits for
   * them, up to {@link MAX_COALESCE_TURNS} turns: a backlog costs one analysis of its last version
   * instead of one per edit, which fell behind without end on big files.
   */
  schedule(uri: string): void {
    this.pending.add(uri);
    if (this.scheduled) return;
    this.scheduled = true;
    let seen = this.changeCount;
    let turns = 0;
    // Two turns per check: the turn that queued `go` runs it before the next queued message, so a
    // single hop would never see that message arrive.
    const later = (): void => void setImmediate(() => setImmediate(go));
    const go = (): void => {
      if (this.changeCount !== seen && turns++ < MAX_COALESCE_TURNS) {
        seen = this.changeCount;
        later();
        return;
      }
      this.scheduled = false;
      void this.flush();
    };
    later();
  }

  private async flush(): Promise<void> {
    await this.ready;
    const uris = [...this.pending];
    this.pending.clear();
    for (const uri of uris) {
      try {
        const view = await this.view(uri);
        if (view) this.watchPace(view);
        if (view && this.states.get(uri) === view.state && view.state.version === view.version) {
          // status first, so a client knows the diagnostics that follow are token-only
          if (view.partial) this.setParsing(uri, true);
          this.afterPublish(view, this.publish(view));
        }
      } catch (err) {
        this.host.log(`analysis of ${uri} failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  /**
   * After publishing a partial view, resumes its parse in background slices (one per event-loop
   * turn, so incoming messages are served in between) and publishes the full analysis of the
   * same version when the parse completes; a newer version takes over.
   */
  private afterPublish(view: DocumentView, written: void | Promise<void>): void {
    if (!view.partial) {
      this.setParsing(view.uri, false);
      if (view.snapshot?.provisional || (view.snapshot?.patched ?? 0) > CONSOLIDATE_PATCHES) {
        void Promise.resolve(written)
          .catch(() => undefined)
          .then(() => setTimeout(() => void this.reconcileSlice(view), RECONCILE_DELAY_MS).unref());
      }
      return;
    }
    this.setParsing(view.uri, true);
    // Let the (often 1 MB) token-only publish reach the client before parse slices occupy the
    // event loop: a pipe drains only between slices, 64 KiB per turn.
    void Promise.resolve(written)
      .catch(() => undefined)
      .then(() => afterInput(() => void this.resumeSlice(view)));
  }

  /** One background slice of a suspended parse (see afterPublish). */
  private async resumeSlice(view: DocumentView): Promise<void> {
    try {
      if (this.pending.has(view.uri)) return; // a newer version is queued; its flush takes over
      const next = await this.view(view.uri, RESUME_PARSE_BUDGET_MS);
      if (!next || next.version !== view.version || this.states.get(view.uri) !== next.state) return;
      if (next.partial) afterInput(() => void this.resumeSlice(next));
      else this.afterPublish(next, this.publish(next));
    } catch (err) {
      this.host.log(`resuming the parse of ${view.uri} failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  /**
   * One background slice of the full re-parse that checks a provisional incremental analysis (an
   * item with a syntax error was re-parsed on its own), or merges many re-parsed items into one
   * tree: when it completes, the exact view replaces the current one and is published if its
   * findings differ. A newer version takes over.
   */
  private async reconcileSlice(view: DocumentView): Promise<void> {
    try {
      if (this.pending.has(view.uri)) return;
      const state = this.states.get(view.uri);
      if (!state || state !== view.state || state.version !== view.version || this.views.get(view.uri) !== view) return;
      const snap = state.reconcile(this.optionsFor(state, view.settings), this.parser ? { parser: this.parser, budgetMs: RECONCILE_SLICE_MS } : undefined);
      if (snap === null) {
        afterInput(() => void this.reconcileSlice(view));
        return;
      }
      const next: DocumentView = { ...view, snapshot: snap, partial: snap.partial, findings: visibleFindings(snap.analysis.findings, view.settings) };
      this.views.set(view.uri, next);
      this.lastAnalysisMs = snap.ms;
      if (!sameFindings(view.findings, next.findings)) {
        this.afterPublish(next, this.publish(next));
        return;
      }
      // Same diagnostics: nothing to publish, but the next keystroke's analysis grows from this one,
      // so record the published diagnostics as this analysis's (its findings are equal, one for one)
      // or that keystroke would rebuild and re-encode every diagnostic.
      const published = this.lastPublished.get(view.uri);
      if (published && snap !== view.snapshot && published.analysis === view.snapshot?.analysis) {
        this.lastPublished.set(view.uri, { analysis: snap.analysis, findings: next.findings.map((v) => v.finding), diagnostics: published.diagnostics });
      }
    } catch (err) {
      this.host.log(`checking the analysis of ${view.uri} failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  /**
   * Counts full analyses of edits slower than {@link BEHIND_MS}; after {@link BEHIND_LIMIT} in a
   * row the document switches to the reduced analysis (its view is recomputed so, with one
   * diagnostic saying why), instead of falling further behind.
   */
  private watchPace(view: DocumentView): void {
    const snap = view.snapshot;
    if (!snap || view.reduced || view.version <= 1) return;
    const slow = snap.ms > BEHIND_MS ? (this.slowRuns.get(view.uri) ?? 0) + 1 : 0;
    this.slowRuns.set(view.uri, slow);
    if (slow < BEHIND_LIMIT) return;
    const message = `HIP Porter: the full analysis of this file cannot keep up with typing (${snap.ms.toFixed(0)} ms per edit): reduced analysis (by token) until the file is reopened.`;
    this.fellBehind.set(view.uri, message);
    this.host.log(`${view.uri}: ${message}`);
    this.parser?.abandon(view.state);
    this.setParsing(view.uri, false);
    this.views.delete(view.uri);
    this.schedule(view.uri);
  }

  private setParsing(uri: string, on: boolean): void {
    const before = this.parsing.size;
    if (on) this.parsing.add(uri);
    else this.parsing.delete(uri);
    if (before === 0 && this.parsing.size > 0) this.host.status({ state: 'busy', message: 'parsing (diagnostics are token-only until it finishes)' });
    else if (before > 0 && this.parsing.size === 0) this.host.status({ state: 'ready' });
  }

  /**
   * The view of the current version of an open document (computing it when needed: settings are
   * pulled, then re-parse + analysis run synchronously), or undefined when it is not open.
   * `budgetMs`: parse budget when the parse must be (re)run; a partial view is recomputed (resumed)
   * on every call.
   */
  async view(uri: string, budgetMs = EDIT_PARSE_BUDGET_MS): Promise<DocumentView | undefined> {
    if (!this.states.has(uri)) return undefined;
    await this.ready;
    const settings = await this.settings.get(uri);
    const state = this.states.get(uri);
    if (!state) return undefined;
    const cached = this.views.get(uri);
    if (cached && cached.state === state && cached.version === state.version && cached.settings === settings && !cached.partial) return cached;
    const view = this.compute(state, settings, budgetMs, cached?.state === state && cached.settings === settings ? cached.findings : undefined);
    this.views.set(uri, view);
    return view;
  }

  /** `prevFindings`: the visible findings of the document's previous view under the same settings (see visibleFindings). */
  private compute(state: DocumentState, settings: ServerSettings, budgetMs: number, prevFindings?: readonly VisibleFinding[]): DocumentView {
    const doc = state.document;
    const base = { uri: state.uri, version: state.version, state, settings, positionAt: (o: number) => doc.positionAt(o), partial: false };
    const skip = this.skipReason(state, settings);
    if (skip) {
      this.parser?.abandon(state);
      state.dispose();
      return { ...base, skipped: skip, findings: [] };
    }
    const options = this.optionsFor(state, settings);
    const reduced = this.reducedReason(state);
    if (reduced) {
      this.parser?.abandon(state);
      const snapshot = state.analyzeTokens(options);
      this.lastAnalysisMs = snapshot.ms;
      return { ...base, snapshot, reduced, findings: visibleFindings(snapshot.analysis.findings, settings, prevFindings) };
    }
    // While the document is in a state whose parse keeps running over budget, a keystroke does not
    // spend another full edit budget on it: the background slices carry the parse.
    const budget = budgetMs === EDIT_PARSE_BUDGET_MS && state.lastAnalysis?.partial ? STILL_PARTIAL_BUDGET_MS : budgetMs;
    const snapshot = state.analyze(options, this.parser ? { parser: this.parser, budgetMs: budget } : undefined);
    this.lastAnalysisMs = snapshot.ms;
    if (snapshot.ms > 200) this.host.log(`${state.uri}: analysis took ${snapshot.ms.toFixed(0)} ms`);
    return { ...base, snapshot, partial: snapshot.partial, findings: visibleFindings(snapshot.analysis.findings, settings, prevFindings) };
  }

  /** Every engine option of the document's settings (the ones Port File uses too) and its path on disk. */
  private optionsFor(state: DocumentState, settings: ServerSettings): EngineOptions & { sourcePath?: string } {
    return { ...pickEngineOptions(settings), ...sourcePathOf(state.uri) };
  }

  private skipReason(state: DocumentState, settings: ServerSettings): DocumentView['skipped'] {
    const lang = state.languageId;
    const text = state.text;
    if (isExcluded(state.uri, settings.exclude, this.host.workspaceFolders())) return { reason: 'excluded', message: 'excluded by hipPorter.exclude' };
    const limit = settings.maxFileSizeMB * 1024 * 1024;
    if (text.length > limit / 3) {
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > limit) {
        const message = `HIP Porter: ${(bytes / 1048576).toFixed(1)} MB is over hipPorter.maxFileSizeMB (${settings.maxFileSizeMB} MB); not analysed`;
        if (!this.loggedLarge.has(state.uri)) this.host.log(`${state.uri}: ${message}`);
        this.loggedLarge.add(state.uri);
        return { reason: 'too-large', message };
      }
    }
    if (!CUDA_LANGUAGE_IDS.has(lang) && !(CXX_LANGUAGE_IDS.has(lang) && looksLikeCuda(text))) {
      return { reason: 'language', message: `language '${lang}' without CUDA headers or syntax is not analysed` };
    }
    if (text.includes('\u0000')) return { reason: 'binary', message: 'HIP Porter: binary content (NUL bytes), not analysed' };
    return undefined;
  }

  private publish(view: DocumentView): void | Promise<void> {
    let diagnostics: Diagnostic[];
    if (view.skipped) {
      diagnostics = view.skipped.reason === 'binary' || view.skipped.reason === 'too-large' ? [skippedDiagnostic(view.skipped.message)] : [];
    } else {
      // reuse the diagnostics of findings before the edit when this analysis grew from the last published one
      const snap = view.snapshot;
      const last = this.lastPublished.get(view.uri);
      const reuse =
        snap?.from && last && last.analysis === snap.from.analysis
          ? {
              findings: last.findings,
              diagnostics: last.diagnostics,
              unchangedBefore: snap.from.unchangedBefore,
              unchangedAfter: snap.from.unchangedAfter,
            }
          : undefined;
      if (view.reduced || view.findings.length > MAX_DIAGNOSTICS) {
        diagnostics = boundedDiagnostics(view);
        this.lastPublished.delete(view.uri);
      } else {
        diagnostics = toDiagnostics(view.findings, view.positionAt, reuse, view.uri);
        if (snap) this.lastPublished.set(view.uri, { analysis: snap.analysis, findings: view.findings.map((v) => v.finding), diagnostics });
      }
    }
    if (view.skipped) this.lastPublished.delete(view.uri);
    return this.host.publishDiagnostics(view.uri, view.version, diagnostics);
  }

  /** True when the parser has loaded (else analyses are token-only). */
  get parserLoaded(): boolean {
    return parserReady();
  }
}

/**
 * The diagnostics of a reduced or very large view: at most {@link MAX_DIAGNOSTICS} findings
 * (errors and warnings before information and hints, each in file order), plus one information
 * diagnostic at line 0 with the reduced-analysis reason and/or how many were left out.
 */
function boundedDiagnostics(view: DocumentView): Diagnostic[] {
  let list = view.findings;
  const notes: string[] = [];
  if (view.reduced) notes.push(view.reduced);
  if (list.length > MAX_DIAGNOSTICS) {
    const rank = (v: VisibleFinding): number => (v.severity === 'error' ? 0 : v.severity === 'warning' ? 1 : 2);
    const keep = new Set([...list].sort((a, b) => rank(a) - rank(b) || a.finding.start - b.finding.start).slice(0, MAX_DIAGNOSTICS));
    notes.push(`HIP Porter: ${list.length} findings; the first ${MAX_DIAGNOSTICS} (errors and warnings first) are shown.`);
    list = list.filter((v) => keep.has(v));
  }
  return [skippedDiagnostic(notes.join(' ')), ...toDiagnostics(list, view.positionAt)];
}

/**
 * `{ sourcePath }` for a `file:` URI (so `#include "cuda.h"` next to a project's own cuda.h is
 * kept, see AnalyzeOptions.sourcePath), or nothing for other schemes.
 */
export function sourcePathOf(uri: string): { sourcePath?: string } {
  if (!uri.startsWith('file:')) return {};
  try {
    return { sourcePath: fileURLToPath(uri) };
  } catch {
    return {};
  }
}

/** True when two visible-finding lists show the same diagnostics (offsets, code, severity, message, fix). */
export function sameFindings(a: readonly VisibleFinding[], b: readonly VisibleFinding[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.severity !== y.severity || x.finding.start !== y.finding.start || x.finding.end !== y.finding.end || x.finding.code !== y.finding.code || x.finding.message !== y.finding.message) return false;
    if (JSON.stringify(x.finding.fix) !== JSON.stringify(y.finding.fix)) return false;
  }
  return true;
}
