/**
 * The "Porting Agent" side panel (webview view `hipPorter.agentPanel`): shows the agent run live and
 * the hunks of the current review, and turns the panel's buttons into review commands.
 * Commands: hipPorter.stopAgent. Context key: hipPorter.agentRunning. Returns the {@link AgentPanel}.
 * Every message goes through src/webview/protocol.ts; the API key never reaches the webview.
 */
import * as vscode from 'vscode';
import { COMMANDS, registerCommand } from './commands';
import { panelHtml } from './panel-html';
import type { HipPorterContext } from './context';
import type { ReviewService } from './diff-review';
import type { KeyStore } from './secrets';
import {
  initialState,
  isPanelCommand,
  notification,
  reduce,
  type HostMessage,
  type HostNotification,
  type NotificationMethod,
  type NotificationParams,
  type PanelCommand,
  type PanelState,
} from '../webview/protocol';

/** View id from package.json `contributes.views`. */
export const VIEW_ID = 'hipPorter.agentPanel';

/** The panel as other modules use it. */
export interface AgentPanel {
  /** Applies a notification to the panel state and sends it to the webview when it is showing. */
  notify<M extends NotificationMethod>(method: M, params: NotificationParams[M]): void;
  /** The same for a notification built beforehand (e.g. by agent-events.ts). */
  send(n: HostNotification): void;
  /** The current state (what a freshly shown panel receives). */
  state(): PanelState;
  /** Registers the running agent's abort controller (Stop aborts it); `undefined` when the run ends. */
  setRun(abort: AbortController | undefined): void;
  /** Reveals (and focuses) the panel. */
  reveal(): Promise<void>;
}

/** Registers the view provider and the Stop command; returns the {@link AgentPanel}. */
export function activate(ctx: HipPorterContext, review: ReviewService, keys: KeyStore): AgentPanel {
  let state: PanelState = initialState();
  let view: vscode.WebviewView | undefined;
  let run: AbortController | undefined;

  const send = (m: HostMessage) => {
    if (view) void view.webview.postMessage(m);
  };
  const apply = (n: HostNotification) => {
    state = reduce(state, n);
    send(n);
  };
  const notify: AgentPanel['notify'] = (method, params) => apply(notification(method, params));

  const syncReview = () => {
    const r = review.current();
    notify('review/hunks/changed', r
      ? { file: vscode.workspace.asRelativePath(r.source), target: vscode.workspace.asRelativePath(r.target), hunks: r.panelHunks(), reviewing: true }
      : { hunks: [], reviewing: false });
    if (r?.meta.findings) notify('review/findings/changed', { findings: r.meta.findings });
  };
  ctx.subscriptions.push(review.onDidChange(syncReview));
  ctx.subscriptions.push(keys.onDidChange((hasKey) => notify('settings/key/changed', { hasKey })));
  void keys.get().then((k) => notify('settings/key/changed', { hasKey: k !== undefined }));

  const stop = () => {
    if (!run) return false;
    run.abort();
    ctx.log.info('agent run stopped by the user');
    return true;
  };
  registerCommand(ctx, COMMANDS.stopAgent, stop);

  const onCommand = async (c: PanelCommand) => {
    switch (c.method) {
      case 'panel/view/ready':
        send(notification('panel/state/replace', { state }));
        return;
      case 'agent/run/stop':
        stop();
        return;
      case 'review/hunk/accept':
        await vscode.commands.executeCommand(COMMANDS.acceptHunk, c.params.id);
        return;
      case 'review/hunk/reject':
        await vscode.commands.executeCommand(COMMANDS.rejectHunk, c.params.id);
        return;
      case 'review/all/accept':
        await vscode.commands.executeCommand(COMMANDS.acceptAll);
        return;
      case 'review/all/reject':
        await vscode.commands.executeCommand(COMMANDS.rejectAll);
        return;
      case 'review/diff/open':
        await vscode.commands.executeCommand(COMMANDS.reviewDiff);
        return;
      case 'review/proposal/write':
        await vscode.commands.executeCommand(COMMANDS.applyProposal);
        return;
      case 'settings/key/set':
        await vscode.commands.executeCommand(COMMANDS.setApiKey);
        return;
    }
  };

  const provider: vscode.WebviewViewProvider = {
    resolveWebviewView(v) {
      view = v;
      const ext = ctx.extension.extensionUri;
      v.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(ext, 'dist'), vscode.Uri.joinPath(ext, 'media')] };
      v.webview.html = panelHtml({
        script: v.webview.asWebviewUri(vscode.Uri.joinPath(ext, 'dist', 'webview.js')).toString(),
        css: v.webview.asWebviewUri(vscode.Uri.joinPath(ext, 'media', 'panel.css')).toString(),
        cspSource: v.webview.cspSource,
      });
      const subs = [
        v.webview.onDidReceiveMessage((m: unknown) => {
          if (isPanelCommand(m)) {
            void onCommand(m).catch((e) => notify('panel/error/shown', { message: e instanceof Error ? e.message : String(e) }));
          } else {
            ctx.log.warn(`agent panel: ignored a malformed message`);
          }
        }),
      ];
      v.onDidDispose(() => {
        if (view === v) view = undefined;
        for (const s of subs) s.dispose();
      });
    },
  };
  ctx.subscriptions.push(vscode.window.registerWebviewViewProvider(VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: false } }));

  const panel: AgentPanel = {
    notify,
    send: apply,
    state: () => state,
    setRun(a) {
      run = a;
      void vscode.commands.executeCommand('setContext', 'hipPorter.agentRunning', a !== undefined);
    },
    async reveal() {
      // `<view id>.focus` is the command VS Code creates for every contributed view.
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    },
  };
  void vscode.commands.executeCommand('setContext', 'hipPorter.agentRunning', false);
  return panel;
}
