/**
 * Wires the HIP Porter language server onto a connection: capabilities, document sync, settings,
 * diagnostics, code actions, hover and the `hipPorter/*` custom messages. Logic lives in the
 * modules it imports; every handler catches, logs through `connection.console` and goes on.
 * Used by main.ts (stdio) and by tests over in-memory streams.
 */
import {
  CodeActionKind,
  DiagnosticRefreshRequest,
  DidChangeConfigurationNotification,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { Mappings } from '../core/mappings';
import { initParser } from '../core/parse';
import { CodeActionKinds, FindingsRequest, OpenFindingsRequest, PortDocumentRequest, PortProjectRequest, ServerStatusNotification } from '../shared/lsp-protocol';
import { BudgetedParser } from './budgeted-parser';
import { codeActions } from './code-actions';
import { findings, openFindingsOf, portDocument, portProject, RequestFailure } from './custom-requests';
import { DocumentManager } from './document-manager';
import { hoverAt } from './hover';
import { PullCancelled, PulledDiagnostics } from './pull-diagnostics';
import { SettingsCache } from './settings';

/** Options of {@link startServer}. */
export interface StartOptions {
  /** Parser initialisation (default `initParser()` from src/core/parse.ts). */
  initParser?: () => Promise<void>;
}

/**
 * `initializationOptions` the server reads. `pullDiagnostics: true` (with a client that has the
 * `textDocument.diagnostic` capability): answer `textDocument/diagnostic` instead of pushing
 * `publishDiagnostics` (see pull-diagnostics.ts). Default: push.
 */
export interface InitializationOptions {
  pullDiagnostics?: boolean;
}

/** Server name and version reported in `initialize`. */
export const SERVER_INFO = { name: 'HIP Porter Language Server', version: '0.1.0' };

/**
 * Registers every handler on `connection` (does not call `listen()`). Starts loading the
 * tree-sitter parser at once; documents are analysed once it is loaded (token-only if it fails).
 */
export function startServer(connection: Connection, options: StartOptions = {}): void {
  const log = (m: string): void => connection.console.log(m);
  const logError = (m: string): void => connection.console.error(m);
  const ready: Promise<BudgetedParser | void> = (options.initParser ?? initParser)().then(
    () =>
      BudgetedParser.create().catch((err: unknown) => {
        logError(`budgeted parser failed to load, parsing without a time budget: ${(err as Error).message}`);
      }),
    (err: unknown) => {
      logError(`tree-sitter parser failed to load, analysing by tokens only: ${(err as Error).message}`);
    },
  );

  let supportsConfiguration = false;
  let supportsDynamicConfig = false;
  let documentChanges = false;
  let folders: string[] = [];
  /** Set in `initialize` when the client pulls diagnostics. */
  let pull: PulledDiagnostics | undefined;

  const settings = new SettingsCache(
    {
      getConfiguration: async (scopeUri) => (supportsConfiguration ? connection.workspace.getConfiguration({ scopeUri, section: 'hipPorter' }) : undefined),
    },
    log,
  );
  const docs = new DocumentManager(
    {
      publishDiagnostics: (uri, version, diagnostics) =>
        pull
          ? pull.store(uri, version, diagnostics)
          : connection.sendDiagnostics({ uri, version, diagnostics }).catch((err: unknown) => logError(`publishDiagnostics failed: ${(err as Error).message}`)),
      log,
      status: (p) => void connection.sendNotification(ServerStatusNotification, p).catch(() => undefined),
      workspaceFolders: () => folders,
    },
    settings,
    ready,
  );

  /** Runs a handler, logging and returning `fallback` on any error (custom request failures become ResponseErrors). */
  function guard<P, R>(name: string, fn: (p: P) => R | Promise<R>, fallback: R): (p: P) => Promise<R> {
    return async (p: P) => {
      try {
        return await fn(p);
      } catch (err) {
        if (err instanceof RequestFailure) throw new ResponseError(ErrorCodes.InvalidParams, err.message);
        logError(`${name} failed: ${(err as Error).stack ?? String(err)}`);
        return fallback;
      }
    };
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities ?? {};
    supportsConfiguration = !!caps.workspace?.configuration;
    supportsDynamicConfig = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    documentChanges = !!caps.workspace?.workspaceEdit?.documentChanges;
    folders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (folders.length === 0 && params.rootUri) folders = [params.rootUri];
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    if (init.pullDiagnostics === true && caps.textDocument?.diagnostic) {
      const refreshSupport = !!caps.workspace?.diagnostics?.refreshSupport;
      pull = new PulledDiagnostics(() => {
        if (refreshSupport) void connection.sendRequest(DiagnosticRefreshRequest.type).catch(() => undefined);
      });
    }
    try {
      Mappings.loadDefault();
    } catch (err) {
      logError(`mappings failed to load: ${(err as Error).message}`);
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, CodeActionKinds.fixAll, CodeActionKinds.addHipInclude],
          resolveProvider: false,
        },
        hoverProvider: true,
        ...(pull ? { diagnosticProvider: { identifier: 'hip-porter', interFileDependencies: false, workspaceDiagnostics: false } } : {}),
      },
      serverInfo: SERVER_INFO,
    };
  });

  connection.onInitialized(
    guard(
      'initialized',
      async () => {
        if (supportsDynamicConfig) await connection.client.register(DidChangeConfigurationNotification.type, { section: 'hipPorter' });
        await ready;
        void connection.sendNotification(ServerStatusNotification, { state: 'ready' });
        log(`HIP Porter language server ready (pid ${process.pid})`);
      },
      undefined,
    ),
  );

  connection.onDidChangeConfiguration(
    guard(
      'didChangeConfiguration',
      (p) => {
        const s = (p?.settings as Record<string, unknown> | undefined)?.['hipPorter'];
        if (s !== undefined) settings.setGlobal(s);
        docs.settingsChanged();
      },
      undefined,
    ),
  );

  connection.onDidOpenTextDocument(guard('didOpen', (p) => docs.open(p), undefined));
  connection.onDidChangeTextDocument(guard('didChange', (p) => docs.change(p), undefined));
  connection.onDidCloseTextDocument(
    guard(
      'didClose',
      (p) => {
        docs.close(p);
        pull?.forget(p.textDocument.uri);
      },
      undefined,
    ),
  );

  connection.languages.diagnostics.on(async (p, token) => {
    if (!pull) return { kind: 'full', items: [] };
    const uri = p.textDocument.uri;
    try {
      return await pull.report(uri, docs.get(uri)?.version, p.previousResultId, token);
    } catch (err) {
      if (err instanceof PullCancelled) throw new ResponseError(LSPErrorCodes.ServerCancelled, 'cancelled', { retriggerRequest: true });
      logError(`textDocument/diagnostic failed: ${(err as Error).stack ?? String(err)}`);
      return { kind: 'full', items: [] };
    }
  });

  connection.onCodeAction(
    guard(
      'codeAction',
      async (p) => {
        const view = await docs.view(p.textDocument.uri);
        return view ? codeActions(view, p, documentChanges) : [];
      },
      [],
    ),
  );

  connection.onHover(
    guard(
      'hover',
      async (p) => {
        const view = await docs.view(p.textDocument.uri);
        if (!view || view.skipped) return null;
        return hoverAt(view, p.position, Mappings.loadDefault());
      },
      null,
    ),
  );

  connection.onRequest(PortDocumentRequest, guard('hipPorter/portDocument', (p) => portDocument(p, docs, settings), null as never));
  connection.onRequest(OpenFindingsRequest, guard('hipPorter/openFindings', (p) => openFindingsOf(p, settings), null as never));
  connection.onRequest(PortProjectRequest, guard('hipPorter/portProject', (p) => portProject(p, settings), null as never));
  connection.onRequest(FindingsRequest, guard('hipPorter/findings', (p) => findings(p, docs), { version: null, findings: [] }));

  connection.onShutdown(() => docs.shutdown());
}
