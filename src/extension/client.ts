/**
 * The language client: starts `dist/server.js` (stdio), feeds it `cuda-cpp`, `hip`, `cpp` and `c`
 * documents (the server itself skips C/C++ files without CUDA), restarts it a bounded number of
 * times when it crashes, and offers typed `hipPorter/portDocument` / `hipPorter/findings` helpers.
 * Commands: hipPorter.restartServer. Services: `client` (the LanguageClient). Settings: the server
 * pulls `hipPorter.*` itself (workspace/configuration) and registers for didChangeConfiguration,
 * so changes apply without reload. Runs in untrusted workspaces too (diagnostics only).
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  FindingsRequest,
  PortDocumentRequest,
  ServerStatusNotification,
  type FindingsResult,
  type PortDocumentParams,
  type PortDocumentResult,
  type ServerStatusParams,
} from '../shared/lsp-protocol';
import { COMMANDS, registerCommand } from './commands';
import type { HipPorterContext } from './context';

/** Key of the LanguageClient in `ctx.services`. */
export const CLIENT_SERVICE = 'client';

/** Languages whose documents are sent to the server (`cuda-cpp` is VS Code's built-in id for .cu/.cuh). */
export const SERVER_LANGUAGES: readonly string[] = ['cuda-cpp', 'hip', 'cpp', 'c'];

/** How many crashes within {@link CRASH_WINDOW_MS} are restarted before the client gives up. */
export const MAX_RESTARTS = 4;
/** Window, in milliseconds, over which crashes are counted. */
export const CRASH_WINDOW_MS = 3 * 60_000;

/** Port (TCP) the server's inspector listens on when the extension runs in debug mode. */
const INSPECT_PORT = 6019;

let client: LanguageClient | undefined;
const statusEmitter = new vscode.EventEmitter<ServerStatusParams>();
let lastStatus: ServerStatusParams = { state: 'busy', message: 'starting' };

/**
 * Fired with every `hipPorter/serverStatus` notification, and with `busy`/`ready` when the
 * client starts, stops or restarts the server (for the status bar).
 */
export const onServerStatus: vscode.Event<ServerStatusParams> = statusEmitter.event;

/** The last server status seen (initially `busy`, "starting"). */
export function serverStatus(): ServerStatusParams {
  return lastStatus;
}

function setStatus(s: ServerStatusParams): void {
  lastStatus = s;
  statusEmitter.fire(s);
}

/**
 * Crash policy: restarts the server after a crash unless it crashed more than {@link MAX_RESTARTS}
 * times in {@link CRASH_WINDOW_MS}; tells the user either way (a warning on restart, an error with
 * "Restart"/"Show Output" buttons when giving up). Connection errors: continue the first 3 times in
 * a row, then shut down (which ends in `closed()`).
 */
export class CrashPolicy implements ErrorHandler {
  private readonly crashes: number[] = [];

  /**
   * @param log the output channel
   * @param notify shows a message to the user (the real one uses vscode.window; injectable for tests)
   * @param now clock in milliseconds
   */
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly notify: (kind: 'warning' | 'error', message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Connection error (read/write failure): tolerated up to 3 times in a row. */
  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    this.log.error(`language server connection error (${count ?? 1} in a row): ${error.message}`);
    return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
  }

  /** The connection closed (the server exited or crashed). */
  closed(): CloseHandlerResult {
    const t = this.now();
    this.crashes.push(t);
    while (this.crashes.length > 0 && t - this.crashes[0]! > CRASH_WINDOW_MS) this.crashes.shift();
    if (this.crashes.length <= MAX_RESTARTS) {
      const msg = `HIP Porter language server stopped unexpectedly; restarting (${this.crashes.length} of ${MAX_RESTARTS} in ${CRASH_WINDOW_MS / 60_000} minutes).`;
      this.log.warn(msg);
      this.notify('warning', msg);
      setStatus({ state: 'busy', message: 'restarting' });
      return { action: CloseAction.Restart, handled: true };
    }
    const msg = `HIP Porter language server crashed ${this.crashes.length} times in ${CRASH_WINDOW_MS / 60_000} minutes and was not restarted. Run "HIP Porter: Restart Language Server" after checking the output.`;
    this.log.error(msg);
    this.notify('error', msg);
    setStatus({ state: 'ready', message: 'stopped' });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

/** Shows a crash message; the error variant offers Restart and Show Output. */
function notifyUser(kind: 'warning' | 'error', message: string): void {
  if (kind === 'warning') {
    void vscode.window.showWarningMessage(message);
    return;
  }
  void vscode.window.showErrorMessage(message, 'Restart', 'Show Output').then((pick) => {
    if (pick === 'Restart') void vscode.commands.executeCommand(COMMANDS.restartServer);
    else if (pick === 'Show Output') void vscode.commands.executeCommand(COMMANDS.showOutput);
  });
}

/**
 * Server process options for `<distDir>/server.js` over stdio (`--stdio`); in debug mode with
 * `--inspect=6019`. Stdio rather than Node IPC because the server's stream encoder
 * (src/server/diagnostics-encoder.ts) writes a keystroke's ~1 MB publish mostly as byte blocks
 * copied from the previous one, where IPC would `JSON.stringify` all of it every time.
 * Input: absolute dist folder. Output: vscode-languageclient ServerOptions.
 */
export function serverOptions(distDir: string): ServerOptions {
  const module = join(distDir, 'server.js');
  return {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', `--inspect=${INSPECT_PORT}`] } },
  };
}

/** The document selector: every {@link SERVER_LANGUAGES} language, on `file` and `untitled` documents. */
export function documentSelector(): Array<{ language: string; scheme: string }> {
  return SERVER_LANGUAGES.flatMap((language) => ['file', 'untitled'].map((scheme) => ({ language, scheme })));
}

/**
 * Creates the language client, registers hipPorter.restartServer and starts the server without
 * waiting for it (a failed start is logged and shown, not thrown).
 */
export function activate(ctx: HipPorterContext): void {
  let initFailures = 0;
  const options: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannel: ctx.log,
    errorHandler: new CrashPolicy(ctx.log, notifyUser),
    // Initialisation failures are retried twice, then the client stops and says so.
    initializationFailedHandler: (err) => {
      initFailures++;
      const msg = err instanceof Error ? err.message : String(err);
      ctx.log.error(`language server initialisation failed (${initFailures}): ${msg}`);
      if (initFailures <= 2) return true;
      notifyUser('error', `HIP Porter language server failed to initialise: ${msg}`);
      return false;
    },
    markdown: { isTrusted: false, supportHtml: false },
  };
  client = new LanguageClient('hipPorter', 'HIP Porter Language Server', serverOptions(ctx.distDir), options);
  ctx.services.set(CLIENT_SERVICE, client);
  ctx.subscriptions.push(
    client.onNotification(ServerStatusNotification, (p) => setStatus(p)),
    client.onDidChangeState((e) => {
      if (e.newState === State.Starting) setStatus({ state: 'busy', message: 'starting' });
      else if (e.newState === State.Stopped) setStatus({ state: 'ready', message: 'stopped' });
    }),
  );
  registerCommand(ctx, COMMANDS.restartServer, restart);
  // Not awaited: activation does not wait for the server process; requests wait for it (see `running`).
  const t0 = Date.now();
  client.start().then(
    () => ctx.log.info(`language server started in ${Date.now() - t0} ms`),
    (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      ctx.log.error(`language server did not start: ${msg}`);
      void vscode.window.showErrorMessage(`HIP Porter: the language server did not start (${msg}).`);
    },
  );
}

/** Restarts the server (stopping it first when it runs); resolves once the new one is initialised. */
export async function restart(): Promise<void> {
  if (!client) throw new Error('the language client is not running');
  setStatus({ state: 'busy', message: 'restarting' });
  if (client.state === State.Stopped) await client.start();
  else await client.restart();
}

/** Stops the client and the server (the server gets shutdown/exit; bounded by the library's 2 s timeout). */
export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) await c.stop();
}

/** The running LanguageClient published in `ctx.services`, or undefined before activation. */
export function languageClient(ctx: HipPorterContext): LanguageClient | undefined {
  return ctx.services.get(CLIENT_SERVICE) as LanguageClient | undefined;
}

/** The client once running: waits for a start or restart in progress; throws when it is stopped. */
async function running(ctx: HipPorterContext): Promise<LanguageClient> {
  const c = languageClient(ctx);
  if (!c) throw new Error('the HIP Porter language server is not available');
  if (c.state === State.Starting) {
    await new Promise<void>((resolve) => {
      const sub = c.onDidChangeState((e) => {
        if (e.newState !== State.Starting) {
          sub.dispose();
          resolve();
        }
      });
    });
  }
  if (c.state !== State.Running) throw new Error('the HIP Porter language server is stopped (run "HIP Porter: Restart Language Server")');
  return c;
}

/**
 * Deterministic HIP translation of a document through `hipPorter/portDocument` (nothing is
 * written). `options` override the document's engine settings. Throws the server's ResponseError
 * (unknown/unreadable/binary file) or when the server is stopped.
 */
export async function portDocument(ctx: HipPorterContext, uri: vscode.Uri, options?: PortDocumentParams['options']): Promise<PortDocumentResult> {
  const c = await running(ctx);
  const params: PortDocumentParams = { uri: c.code2ProtocolConverter.asUri(uri) };
  if (options) params.options = options;
  return c.sendRequest(PortDocumentRequest, params);
}

/**
 * Current findings of an open document through `hipPorter/findings` (LSP ranges: 0-based lines,
 * UTF-16 columns). Throws when the server is stopped.
 */
export async function findings(ctx: HipPorterContext, uri: vscode.Uri): Promise<FindingsResult> {
  const c = await running(ctx);
  return c.sendRequest(FindingsRequest, { uri: c.code2ProtocolConverter.asUri(uri) });
}
