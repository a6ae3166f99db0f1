/**
 * Agent runs in the editor: the findings come from the language server (`hipPorter/openFindings`,
 * the same engine options as the editor's), the run shows in the panel (Stop wired), its events are
 * mapped by agent-events.ts, and its outcome becomes a proposal for review (by the caller).
 * Used by Port File (mode `port`; Port Project runs the rules only) and "Ask Agent to Fix Build Errors" (`fix-build`).
 * Settings read: hipPorter.agent.*, the engine settings; the API key from secrets.ts.
 */
import * as vscode from 'vscode';
import type { AgentEvent, AgentResult } from '../agent/index';
import type { DetailedWireFinding } from '../shared/lsp-protocol';
import type { PanelFinding } from '../webview/protocol';
import type { AgentPanel } from './agent-panel';
import { agentEventNotification, agentFindingsFromWire, panelFindings } from './agent-events';
import { loadAgentModule } from './agent-loader';
import type { LanguageServer } from './client';
import { COMMANDS } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import * as diffReview from './diff-review';
import type { ReviewChange } from './diff-review';
import { proposalCompiler } from './proposal-compiler';
import type { KeyStore } from './secrets';

/** What {@link runAgentOnText} needs. */
export interface AgentRunRequest {
  /** The file the text belongs to (label for the model and the panel; its workspace folder bounds `read_file`). */
  source: vscode.Uri;
  /** The original CUDA text (reference for the model). */
  original: string;
  /** The text the agent edits (the deterministic translation, or the current HIP file for a build fix). */
  proposal: string;
  /** `port`: address the open findings. `fix-build`: make `buildErrors` go away. */
  mode: 'port' | 'fix-build';
  /** Compiler output for `fix-build`. */
  buildErrors?: string;
  /** Open findings of `proposal` (ranges into it, from `hipPorter/openFindings`); asked of the server when absent. */
  findings?: readonly DetailedWireFinding[];
}

/** What {@link runAgentOnText} returns. */
export interface AgentRunOutcome {
  /** The text to review: the agent's proposal when it is to be used, else the input proposal. */
  proposal: string;
  /** Whether `proposal` contains agent edits. */
  usedAgent: boolean;
  /** Why the agent did not run or its edits are not used: `no-key`, `disabled`, `untrusted`, or the run status. */
  reason?: string;
  /** The agent's result, when it ran. */
  result?: AgentResult;
  /** The applied changes with reasons (empty when `usedAgent` is false). */
  changes: ReviewChange[];
  /** The findings the agent worked on (or that are left for a human). */
  findings: PanelFinding[];
}

/** The agent runner Port File and fix-build use (created by {@link activate}, passed on by main.ts). */
export interface AgentRunner {
  /**
   * Runs the agent on a text with the panel showing the run, Stop wired, and the outcome handled:
   * `complete` → its proposal; `incomplete` → the user chooses "Review Partial Edits" or "Use
   * Deterministic Only" (the default); `failed` with an auth error → a message with a button that
   * runs "Set Anthropic API Key"; `cancelled` → the input proposal. Without a key, with the agent
   * switched off, or in an untrusted workspace, returns the input proposal at once (`usedAgent: false`)
   * and lists the findings left for a human in the panel. Never throws for agent errors; throws
   * when the language server cannot list the findings.
   * @param token cancels the run (like Stop)
   */
  runAgentOnText(req: AgentRunRequest, token?: vscode.CancellationToken): Promise<AgentRunOutcome>;
}

/** What the agent runner needs from the other features. */
export interface AgentRunDeps {
  server: LanguageServer;
  panel: AgentPanel;
  keys: KeyStore;
}

async function runAgentOnText(ctx: HipPorterContext, svc: AgentRunDeps, req: AgentRunRequest, token?: vscode.CancellationToken): Promise<AgentRunOutcome> {
  const cfg = config(req.source);
  const open = req.findings ?? (await svc.server.openFindings(req.source, req.proposal, cfg.engineOptions)).findings;
  const agentFindings = agentFindingsFromWire(open);
  const findings = panelFindings(agentFindings);
  const file = vscode.workspace.asRelativePath(req.source);
  const target = vscode.workspace.asRelativePath(diffReview.defaultTarget(req.source));
  const key = await svc.keys.get();
  const skip = !cfg.agentEnabled ? 'disabled' : !vscode.workspace.isTrusted ? 'untrusted' : key === undefined ? 'no-key' : undefined;
  if (skip || key === undefined) {
    const why =
      skip === 'disabled' ? 'The agent is switched off (hipPorter.agent.enabled)' : skip === 'untrusted' ? 'The workspace is not trusted, so the agent does not run' : 'No Anthropic API key is set';
    svc.panel.notify('panel/state/replace', {
      state: {
        ...svc.panel.state(),
        file,
        target,
        status: 'deterministic',
        transcript: [{ kind: 'notice', level: 'info', message: `${why}: the proposal is the rule-based translation. ${findings.length} finding(s) are left for you.` }],
        findings,
        usage: undefined,
        summary: undefined,
        error: undefined,
      },
    });
    // The panel is where the findings left for a human are listed: show it (the diff opened
    // afterwards takes the focus back).
    void svc.panel.reveal();
    return { proposal: req.proposal, usedAgent: false, reason: skip ?? 'no-key', changes: [], findings };
  }

  const { DEFAULT_AGENT_SETTINGS, formatCost, runAgent } = loadAgentModule(ctx.distDir);
  const folder = vscode.workspace.getWorkspaceFolder(req.source);
  const compile = proposalCompiler(ctx.log, req.source);
  const abort = new AbortController();
  const sub = token?.onCancellationRequested(() => abort.abort());
  svc.panel.setRun(abort);
  svc.panel.notify('agent/run/started', { file, model: cfg.agentModel, maxSteps: cfg.agentMaxSteps });
  svc.panel.notify('review/findings/changed', { findings });
  void svc.panel.reveal();
  ctx.log.info(`agent: ${req.mode} ${file} with ${findings.length} finding(s), model ${cfg.agentModel}${cfg.agentBaseURL ? ' (custom base URL)' : ''}`);
  const onEvent = (e: AgentEvent) => {
    if (e.type === 'retry') ctx.log.warn(`agent: ${e.message}; retry ${e.attempt}/${e.maxRetries} in ${e.waitMs} ms`);
    const n = agentEventNotification(e, formatCost);
    if (n) svc.panel.send(n);
  };
  let result: AgentResult;
  try {
    result = await runAgent(
      {
        path: file,
        original: req.original,
        proposal: req.proposal,
        findings: agentFindings,
        mode: req.mode,
        ...(req.buildErrors !== undefined ? { buildErrors: req.buildErrors } : {}),
        ...(folder ? { workspaceRoot: folder.uri.fsPath } : {}),
        targetRocm: cfg.targetRocm,
      },
      {
        ...DEFAULT_AGENT_SETTINGS,
        apiKey: key,
        ...(cfg.agentBaseURL ? { baseURL: cfg.agentBaseURL } : {}),
        model: cfg.agentModel,
        maxSteps: cfg.agentMaxSteps,
        maxOutputTokens: cfg.agentMaxOutputTokens,
      },
      {
        onEvent,
        ...(folder ? { readWorkspaceFile: async (rel: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, rel))) } : {}),
        ...(compile ? { compile } : {}),
      },
      abort.signal,
    );
  } finally {
    sub?.dispose();
    svc.panel.setRun(undefined);
  }
  const finished: { status: AgentResult['status']; summary?: string; error?: string } = { status: result.status };
  if (result.summary) finished.summary = result.summary;
  if (result.error) finished.error = result.error.message;
  svc.panel.notify('agent/run/finished', finished);
  ctx.log.info(`agent: ${result.status} after ${result.steps} step(s), ${result.changes.length} change(s), ${formatCost(result.costUsd)}`);
  const changes: ReviewChange[] = result.changes.map((c) => ({ replace: c.replace, reason: c.reason, findingIds: c.findingIds }));
  const use = (ok: boolean, reason?: string): AgentRunOutcome => ({
    proposal: ok ? result.proposal : req.proposal,
    usedAgent: ok,
    ...(reason ? { reason } : {}),
    result,
    changes: ok ? changes : [],
    findings,
  });
  switch (result.status) {
    case 'complete':
      return use(true);
    case 'cancelled':
      void vscode.window.showInformationMessage('HIP Porter: agent stopped; the rule-based proposal is shown.');
      return use(false, 'cancelled');
    case 'incomplete': {
      if (result.changes.length === 0) {
        void vscode.window.showWarningMessage(`HIP Porter: the agent run is incomplete (${result.error?.message ?? 'stopped early'}) and made no edits; the rule-based proposal is shown.`);
        return use(false, 'incomplete');
      }
      const pick = await vscode.window.showWarningMessage(
        `The agent run is incomplete: ${result.error?.message ?? 'it stopped early'}.`,
        { modal: true, detail: `It made ${result.changes.length} edit(s) before stopping. Review them, or use the rule-based translation only?` },
        'Review Partial Edits',
        'Use Deterministic Only',
      );
      return use(pick === 'Review Partial Edits', 'incomplete');
    }
    case 'failed': {
      const msg = result.error?.message ?? 'the agent failed';
      if (result.error?.kind === 'auth') {
        void vscode.window.showErrorMessage(`HIP Porter: ${msg}`, 'Set Anthropic API Key').then((b) => {
          if (b) void vscode.commands.executeCommand(COMMANDS.setApiKey);
        });
      } else {
        void vscode.window.showErrorMessage(`HIP Porter: agent failed: ${msg}. The rule-based proposal is shown.`);
      }
      return use(false, 'failed');
    }
  }
}

/** Creates the {@link AgentRunner} (no commands of its own: Stop belongs to the panel). */
export function activate(ctx: HipPorterContext, deps: AgentRunDeps): AgentRunner {
  return { runAgentOnText: (req, token) => runAgentOnText(ctx, deps, req, token) };
}
