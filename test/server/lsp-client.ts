/**
 * A small LSP client for tests and the benchmark's logic: spawns `node dist/server.js --stdio`
 * (building it first when missing), speaks JSON-RPC over the child's stdio with vscode-jsonrpc,
 * answers `workspace/configuration` from {@link LspClient.config}, records `publishDiagnostics`
 * and log messages, and waits for conditions with bounded timeouts (never sleeps).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  Diagnostic,
  InitializeResult,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';

export const ROOT = join(__dirname, '..', '..');
export const SERVER_JS = join(ROOT, 'dist', 'server.js');

/** Builds dist/server.js with the project's build script when it is missing. */
export function ensureServerBuilt(): void {
  if (existsSync(SERVER_JS)) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(SERVER_JS)) throw new Error(`build failed: ${r.stderr}${r.stdout}`);
}

/** Client capabilities the tests announce (configuration pull, versioned workspace edits, markdown hovers). */
export const CAPABILITIES: ClientCapabilities = {
  workspace: { configuration: true, workspaceEdit: { documentChanges: true }, didChangeConfiguration: { dynamicRegistration: true } },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } } },
  },
};

type Waiter = { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void };

/** One server process and the connection to it. */
export class LspClient {
  readonly conn: MessageConnection;
  /** The `hipPorter` section returned for every `workspace/configuration` item. */
  config: Record<string, unknown> = {};
  /** Latest publishDiagnostics per URI. */
  readonly latest = new Map<string, PublishDiagnosticsParams>();
  /** window/logMessage texts. */
  readonly logs: string[] = [];
  /** Count of `workspace/configuration` requests answered. */
  configRequests = 0;
  private waiters: Waiter[] = [];
  private exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcess) {
    this.exited = new Promise((res) => proc.once('exit', (code) => res(code)));
    this.conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    this.conn.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => {
      this.configRequests++;
      return p.items.map((i) => (i.section === 'hipPorter' ? this.config : null));
    });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onNotification('window/logMessage', (p: { message: string }) => this.logs.push(p.message));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.latest.set(p.uri, p);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri === p.uri && w.pred(p)) {
          w.resolve(p);
          return false;
        }
        return true;
      });
    });
    this.conn.listen();
  }

  /** Spawns the server (`node [nodeArgs] dist/server.js --stdio`). */
  static spawn(nodeArgs: string[] = []): LspClient {
    ensureServerBuilt();
    const proc = spawn(process.execPath, [...nodeArgs, SERVER_JS, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => process.env['LSP_TEST_STDERR'] && process.stderr.write(d));
    return new LspClient(proc);
  }

  /** initialize + initialized. */
  async initialize(capabilities: ClientCapabilities = CAPABILITIES, rootUri: string | null = null): Promise<InitializeResult> {
    const r = await this.conn.sendRequest<InitializeResult>('initialize', { processId: process.pid, rootUri, capabilities, workspaceFolders: null });
    await this.conn.sendNotification('initialized', {});
    return r;
  }

  /**
   * The next publishDiagnostics for `uri` satisfying `pred` (also the latest one already received,
   * when it does). Rejects after `timeoutMs`.
   */
  waitDiagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 15000, includeLatest = true): Promise<PublishDiagnosticsParams> {
    const have = this.latest.get(uri);
    if (includeLatest && have && pred(have)) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const w: Waiter = { uri, pred, resolve: (p) => (clearTimeout(t), resolve(p)) };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no matching publishDiagnostics for ${uri} within ${timeoutMs} ms (latest: version ${this.latest.get(uri)?.version}, ${this.latest.get(uri)?.diagnostics.length} diagnostics)`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** didOpen, then the diagnostics published for that version. */
  async open(uri: string, text: string, languageId = 'cuda-cpp', version = 1): Promise<PublishDiagnosticsParams> {
    const p = this.waitDiagnostics(uri, (d) => d.version === version, 15000, false);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    return p;
  }

  /** didChange, then the diagnostics published for that version. */
  async change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams> {
    const p = this.waitDiagnostics(uri, (d) => d.version === version, 15000, false);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
    return p;
  }

  /** Sends `workspace/didChangeConfiguration` after replacing {@link LspClient.config}. */
  async setConfig(config: Record<string, unknown>): Promise<void> {
    this.config = config;
    await this.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  }

  /** shutdown + exit; resolves with the exit code (kills after 5 s). */
  async stop(): Promise<number | null> {
    const kill = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    try {
      if (this.proc.exitCode === null) {
        await Promise.race([this.conn.sendRequest('shutdown'), this.exited]);
        await this.conn.sendNotification('exit');
      }
    } catch {
      this.proc.kill('SIGKILL');
    }
    const code = await this.exited;
    clearTimeout(kill);
    this.conn.dispose();
    return code;
  }
}

/** The text a diagnostic's range covers in `text` (0-based lines, UTF-16 columns; `\n` or `\r\n` breaks). */
export function textAt(text: string, d: Pick<Diagnostic, 'range'>): string {
  return text.slice(offsetAt(text, d.range.start), offsetAt(text, d.range.end));
}

/** UTF-16 offset of an LSP position in `text`. */
export function offsetAt(text: string, pos: { line: number; character: number }): number {
  let off = 0;
  for (let l = 0; l < pos.line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return Math.min(off + pos.character, text.length);
}

/** Applies LSP text edits (non-overlapping, ranges in the original text) the way an editor does. */
export function applyLspEdits(text: string, edits: readonly TextEdit[]): string {
  const withOffsets = edits.map((e, i) => ({ s: offsetAt(text, e.range.start), e: offsetAt(text, e.range.end), t: e.newText, i }));
  withOffsets.sort((a, b) => a.s - b.s || a.i - b.i);
  let out = '';
  let pos = 0;
  for (const x of withOffsets) {
    if (x.s < pos) throw new Error(`overlapping edits at ${x.s}`);
    out += text.slice(pos, x.s) + x.t;
    pos = x.e;
  }
  return out + text.slice(pos);
}

/** The edits of a WorkspaceEdit for one URI (from `documentChanges` or `changes`). */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!edit) return [];
  if (edit.documentChanges) {
    return edit.documentChanges.flatMap((c) => ('textDocument' in c && c.textDocument.uri === uri ? (c.edits as TextEdit[]) : []));
  }
  return edit.changes?.[uri] ?? [];
}
