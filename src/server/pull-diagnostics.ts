/**
 * Pull diagnostics (LSP 3.17 `textDocument/diagnostic`), the server's alternative to pushing
 * `textDocument/publishDiagnostics`; on only when the client asks for it in `initialize`
 * (`initializationOptions.pullDiagnostics: true`) and announces the `textDocument.diagnostic`
 * capability. The analysis schedule is the same in both modes: what a push would publish is
 * stored here per document, and a `textDocument/diagnostic` request is answered with the stored
 * result of the document's current version (waiting for its analysis when it is still running).
 *
 * Each stored result gets a `resultId`; a request whose `previousResultId` is the current one is
 * answered `{ kind: 'unchanged' }` (no items on the wire). A new result whose diagnostics equal
 * the previous one's keeps its `resultId`, so an edit that moves no diagnostic (typing in a line
 * without findings) also answers `unchanged`. When a result changes for a version the client has
 * already pulled (the full analysis after a token-only one, a settings change), the server sends
 * `workspace/diagnostic/refresh` so the client pulls again.
 * Protocol: https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_diagnostic
 */
import type { CancellationToken, Diagnostic, DocumentDiagnosticReport } from 'vscode-languageserver';

/** How long a request waits for the analysis of its version before answering with what there is, ms. */
export const PULL_WAIT_LIMIT_MS = 30_000;

/** Thrown by {@link PulledDiagnostics.report} when the client cancelled the request while it waited. */
export class PullCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

interface Stored {
  version: number;
  resultId: string;
  diagnostics: Diagnostic[];
}

interface Waiter {
  /** The document version the request was made for (the open document's version when it arrived). */
  version: number;
  done: () => void;
}

/**
 * True when two diagnostic lists are equal element by element. Most elements of consecutive
 * results are the very same objects (the document manager reuses the diagnostics before and after
 * an edit), so the comparison is mostly by identity; the others are compared as JSON.
 */
export function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
  }
  return true;
}

/** The per-document results of pull mode (see the module comment). */
export class PulledDiagnostics {
  private readonly results = new Map<string, Stored>();
  /** Per document: the version of the result the client last received. */
  private readonly returned = new Map<string, number>();
  private readonly waiters = new Map<string, Waiter[]>();
  private nextId = 0;

  /** @param refresh asks the client to pull again (`workspace/diagnostic/refresh`); called at most once per stored result */
  constructor(private readonly refresh: () => void) {}

  /**
   * Stores the diagnostics of a document version, where push mode would publish them, and wakes
   * the requests waiting for that version (or an older one).
   */
  store(uri: string, version: number, diagnostics: Diagnostic[]): void {
    const prev = this.results.get(uri);
    const same = prev !== undefined && sameDiagnostics(prev.diagnostics, diagnostics);
    this.results.set(uri, { version, resultId: same ? prev.resultId : String(++this.nextId), diagnostics });
    const waiting = this.waiters.get(uri) ?? [];
    const woken = waiting.filter((w) => w.version <= version);
    const still = waiting.filter((w) => w.version > version);
    if (still.length) this.waiters.set(uri, still);
    else this.waiters.delete(uri);
    for (const w of woken) w.done();
    // a changed result for a version the client already has, and no request that will carry it
    if (!same && woken.length === 0 && this.returned.get(uri) === version) this.refresh();
  }

  /** The document closed: forgets its results; waiting requests get an empty report. */
  forget(uri: string): void {
    this.results.delete(uri);
    this.returned.delete(uri);
    const waiting = this.waiters.get(uri) ?? [];
    this.waiters.delete(uri);
    for (const w of waiting) w.done();
  }

  /**
   * Answers `textDocument/diagnostic` for `uri`.
   * @param version the open document's current version, or undefined when it is not open (answered with no items)
   * @param previousResultId the `resultId` the client holds, if any
   * @param token cancelled when the client no longer wants the answer (it then throws)
   * @returns `unchanged` when `previousResultId` is the current result's, else the full list; waits
   *   (at most {@link PULL_WAIT_LIMIT_MS}) until the analysis of `version` is stored
   * @throws PullCancelled when `token` is cancelled while waiting
   */
  async report(uri: string, version: number | undefined, previousResultId: string | undefined, token?: CancellationToken): Promise<DocumentDiagnosticReport> {
    if (version === undefined) return { kind: 'full', items: [] };
    if ((this.results.get(uri)?.version ?? -Infinity) < version) await this.waitFor(uri, version, token);
    const r = this.results.get(uri);
    if (!r) return { kind: 'full', items: [] };
    this.returned.set(uri, r.version);
    if (previousResultId !== undefined && previousResultId === r.resultId) return { kind: 'unchanged', resultId: r.resultId };
    return { kind: 'full', resultId: r.resultId, items: r.diagnostics };
  }

  private waitFor(uri: string, version: number, token: CancellationToken | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let sub: { dispose(): void } | undefined;
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        sub?.dispose();
        const list = this.waiters.get(uri);
        if (list?.includes(waiter)) {
          const rest = list.filter((w) => w !== waiter);
          if (rest.length) this.waiters.set(uri, rest);
          else this.waiters.delete(uri);
        }
        if (err) reject(err);
        else resolve();
      };
      const waiter: Waiter = { version, done: () => finish() };
      if (token?.isCancellationRequested) return finish(new PullCancelled());
      timer = setTimeout(() => finish(), PULL_WAIT_LIMIT_MS);
      sub = token?.onCancellationRequested(() => finish(new PullCancelled()));
      this.waiters.set(uri, [...(this.waiters.get(uri) ?? []), waiter]);
    });
  }
}
