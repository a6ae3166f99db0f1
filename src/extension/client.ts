/**
 * The language client: starts `dist/server.js` (stdio), feeds it `cuda-cpp`, `hip`, `cpp` and `c`
 * documents (the server itself skips C/C++ files without CUDA), restarts it a bounded number of
 * times when it crashes (crash-policy.ts), and returns the {@link LanguageServer}: typed
 * `hipPorter/portDocument`, `hipPorter/openFindings` and `hipPorter/portProject` requests.
 * Commands: hipPorter.restartServer. Settings: the server
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
import type { EngineOptions } from '../core/engine-options';
import {
  OpenFindingsRequest,
  PortDocumentRequest,
  PortProjectRequest,
  ServerStatusNotification,
  type OpenFindingsParams,
  type OpenFindingsResult,
  type PortDocumentParams,
  type PortDocumentResult,
  type PortProjectParams,
  type PortProjectResult,
  type ServerStatusParams,
} from '../shared/lsp-protocol';
import { COMMANDS, registerCommand } from './commands';
import type { HipPorterContext } from './context';
import { continueAfterConnectionError, CrashCounter } from './crash-policy';

/** The running client, for {@link deactivate}. */
let client: LanguageClient | undefined;

/** Languages whose documents are sent to the server (`cuda-cpp` is VS Code's built-in id for .cu/.cuh). */
export const SERVER_LANGUAGES: readonly string[] = ['cuda-cpp', 'hip', 'cpp', 'c'];

/** Port (TCP) the server's inspector listens on when the extension runs in debug mode. */
const INSPECT_PORT = 6019;

/**
 * The language server as the other features use it: HIP Porter's engine for the editor. Port File,
 * Port Project and the agent ask it (custom requests of src/shared/lsp-protocol.ts) instead of
 * running the engine in the extension host, so a finding gets the same answer in the editor and
 * in a port. Requests wait for a start or restart in progress and throw when the server is stopped.
 */
export interface LanguageServer {
  /** The vscode-languageclient client (for tests and the restart command). */
  readonly client: LanguageClient;
  /** `hipPorter/portDocument`: the deterministic translation (nothing is written); throws the server's ResponseError. */
  portDocument(uri: vscode.Uri, params?: Omit<PortDocumentParams, 'uri'>): Promise<PortDocumentResult>;
  /** `hipPorter/openFindings`: what is left to do in `text` (ranges into `text`). */
  openFindings(uri: vscode.Uri, text: string, options?: EngineOptions): Promise<OpenFindingsResult>;
  /**
   * `hipPorter/portProject`: the plan of a whole-project port of `folder` (nothing is written);
   * `token` cancels the request (the result is then never delivered). Throws the server's ResponseError.
   */
  portProject(folder: vscode.Uri, params: Omit<PortProjectParams, 'folder'>, token?: vscode.CancellationToken): Promise<PortProjectResult>;
  /** The last server status (initially `busy`, "starting"). */
  status(): ServerStatusParams;
  /** Fires with every `hipPorter/serverStatus` notification and when the client starts, stops or restarts the server. */
  readonly onStatus: vscode.Event<ServerStatusParams>;
  /** Restarts the server (starting it when stopped); resolves once the new one is initialised. */
  restart(): Promise<void>;
}

/**
 * Crash policy of the client (decisions from crash-policy.ts): restarts the server after a crash
 * unless it crashed more than MAX_RESTARTS times in the window; tells the user either way (a warning
 * on restart, an error with "Restart"/"Show Output" buttons when giving up). Connection errors:
 * continue the first 3 times in a row, then shut down (which ends in `closed()`).
 */
class CrashPolicy implements ErrorHandler {
  private readonly counter = new CrashCounter();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly setStatus: (s: ServerStatusParams) => void,
  ) {}

  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    this.log.error(`language server connection error (${count ?? 1} in a row): ${error.message}`);
    return { action: continueAfterConnectionError(count) ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const d = this.counter.crashed();
    if (d.restart) {
      this.log.warn(d.message);
      notifyUser('warning', d.message);
      this.setStatus({ state: 'busy', message: 'restarting' });
      return { action: CloseAction.Restart, handled: true };
    }
    this.log.error(d.message);
    notifyUser('error', d.message);
    this.setStatus({ state: 'ready', message: 'stopped' });
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
 * waiting for it (a failed start is logged and shown, not thrown). Returns the {@link LanguageServer}.
 */
export function activate(ctx: HipPorterContext): LanguageServer {
  const statusEmitter = new vscode.EventEmitter<ServerStatusParams>();
  let lastStatus: ServerStatusParams = { state: 'busy', message: 'starting' };
  const setStatus = (st: ServerStatusParams): void => {
    lastStatus = st;
    statusEmitter.fire(st);
  };
  ctx.subscriptions.push(statusEmitter);
  let initFailures = 0;
  const options: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannel: ctx.log,
    errorHandler: new CrashPolicy(ctx.log, setStatus),
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
  const c = new LanguageClient('hipPorter', 'HIP Porter Language Server', serverOptions(ctx.distDir), options);
  client = c;
  ctx.subscriptions.push(
    c.onNotification(ServerStatusNotification, (p) => setStatus(p)),
    c.onDidChangeState((e) => {
      if (e.newState === State.Starting) setStatus({ state: 'busy', message: 'starting' });
      else if (e.newState === State.Stopped) setStatus({ state: 'ready', message: 'stopped' });
    }),
  );
  const restart = async (): Promise<void> => {
    setStatus({ state: 'busy', message: 'restarting' });
    if (c.state === State.Stopped) await c.start();
    else await c.restart();
  };
  registerCommand(ctx, COMMANDS.restartServer, restart);
  // Not awaited: activation does not wait for the server process; requests wait for it (see `running`).
  const t0 = Date.now();
  c.start().then(
    () => ctx.log.info(`language server started in ${Date.now() - t0} ms`),
    (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      ctx.log.error(`language server did not start: ${msg}`);
      void vscode.window.showErrorMessage(`HIP Porter: the language server did not start (${msg}).`);
    },
  );
  const uriOf = (uri: vscode.Uri): string => c.code2ProtocolConverter.asUri(uri);
  return {
    client: c,
    async portDocument(uri, params) {
      await running(c);
      return c.sendRequest(PortDocumentRequest, { ...params, uri: uriOf(uri) });
    },
    async openFindings(uri, text, engineOptions) {
      await running(c);
      const params: OpenFindingsParams = { uri: uriOf(uri), text };
      if (engineOptions) params.options = engineOptions;
      return c.sendRequest(OpenFindingsRequest, params);
    },
    async portProject(folder, params, token) {
      await running(c);
      return c.sendRequest(PortProjectRequest, { ...params, folder: uriOf(folder) }, token);
    },
    status: () => lastStatus,
    onStatus: statusEmitter.event,
    restart,
  };
}

/** Stops the client and the server (the server gets shutdown/exit; bounded by the library's 2 s timeout). */
export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) await c.stop();
}

/** Waits for a start or restart in progress; throws when the client is stopped. */
async function running(c: LanguageClient): Promise<void> {
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
}
