/**
 * "Port File to HIP" / "Port Folder to HIP": deterministic translation (engine, in-process), then
 * the agent when an API key is stored and `hipPorter.agent.enabled`, then review (diff-review.ts).
 * Nothing is written before the user accepts. Also activates the review, secrets and panel modules.
 * Commands: hipPorter.portFile, hipPorter.portFolder. Settings: hipPorter.port.*, hipPorter.agent.*,
 * hipPorter.targetRocm, hipPorter.includeComments, hipPorter.maxFileSizeMB.
 * Exports {@link runAgentOnText} for the build feature's "Ask Agent to Fix Build Errors" (service
 * `agent`, {@link AgentService}); gives the agent's `compile_proposal` tool a hipcc compile of the
 * proposal ({@link proposalCompiler}) in trusted workspaces.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { initParser } from '../core/parse';
import { translate } from '../core/translate';
import { openFindings } from '../core/open-findings';
import { decodeSource, isCudaPath, looksLikeCuda, portedName } from '../core/files';
import type { EngineOptions, Finding } from '../core/findings';
import { DEFAULT_AGENT_SETTINGS, formatCost, runAgent, toAgentFindings, type AgentEvent, type AgentFinding, type AgentHost, type AgentResult } from '../agent/index';
import { isRemoteResult, runBuildPlan, runRemoteCommand, shellJoin, type BuildPlan } from '../core/build';
import { configToBuildSettings, summarizeProposalBuild, taskJsonToPlan } from './build-settings';
import { COMMANDS, registerCommand } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import * as diffReview from './diff-review';
import * as secrets from './secrets';
import * as agentPanel from './agent-panel';
import type { ReviewChange, ReviewService, ReviewSnapshot } from './diff-review';
import type { AgentPanel } from './agent-panel';
import type { KeyStore } from './secrets';
import type { PanelFinding } from '../webview/protocol';

/** Engine options from the settings of `uri`. */
export function engineOptions(uri?: vscode.Uri): EngineOptions {
  const c = config(uri);
  return { targetRocm: c.targetRocm, includeComments: c.includeComments, kernelLaunch: c.kernelLaunch, libraryTarget: c.libraryTarget, experimental: c.experimental };
}

/** Agent findings as the panel lists them. */
export function panelFindings(findings: readonly AgentFinding[]): PanelFinding[] {
  return findings.map((f) => ({ id: f.id, code: f.code, severity: f.severity, line: f.line, message: f.message }));
}

/**
 * Reads a file as source text: the open document's text when it is open (what the user sees),
 * else the bytes on disk decoded by `decodeSource` (refuses binary, and text that is not valid UTF-8).
 * @param maxBytes size limit in bytes
 * @returns the text, or a user-facing reason
 */
export async function readSource(uri: vscode.Uri, maxBytes: number): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const name = vscode.workspace.asRelativePath(uri);
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc) {
    const text = doc.getText();
    if (Buffer.byteLength(text, 'utf8') > maxBytes) return { ok: false, message: `${name} is larger than ${(maxBytes / 1048576).toFixed(1)} MB (hipPorter.maxFileSizeMB)` };
    return { ok: true, text };
  }
  let size: number;
  try {
    size = (await vscode.workspace.fs.stat(uri)).size;
  } catch (e) {
    return { ok: false, message: `${name}: cannot read (${e instanceof Error ? e.message : String(e)})` };
  }
  if (size > maxBytes) return { ok: false, message: `${name} is ${(size / 1048576).toFixed(1)} MB, over the ${(maxBytes / 1048576).toFixed(1)} MB limit (hipPorter.maxFileSizeMB)` };
  const r = decodeSource(await vscode.workspace.fs.readFile(uri), name);
  if (!r.ok) return { ok: false, message: r.message };
  // the extension writes UTF-8: a file that is not valid UTF-8 would change bytes outside the edits
  // (the CLI writes it back byte for byte); VS Code decodes it with its own encoding once opened
  if (r.encoding !== 'utf8') return { ok: false, message: `${name}: not valid UTF-8; open it in the editor first (VS Code decodes it with the file's encoding), or port it with the CLI, which keeps its bytes` };
  return { ok: true, text: r.text };
}

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
  /** Open findings on `proposal` (offsets into it); computed with the engine when absent. */
  findings?: readonly Finding[];
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

/** The agent runner other features use (published as `ctx.services.get('agent')`). */
export interface AgentService {
  /** {@link runAgentOnText} bound to the running extension's context. */
  runAgentOnText(req: AgentRunRequest, token?: vscode.CancellationToken): Promise<AgentRunOutcome>;
}

/** Prefix of the temporary copies {@link proposalCompiler} writes beside the source. */
export const PROPOSAL_TEMP_PREFIX = '.hip-porter-proposal-';

/**
 * The agent's compiler (`AgentHost.compile`, behind the `compile_proposal` tool) for proposals of
 * `source`: writes the proposal to a hidden temporary file beside the source
 * (`.hip-porter-proposal-<random>.hip`, so `#include "..."` resolve as they will for the real file,
 * and a remote build syncs it with the source's include closure), compiles it to an object with the
 * `hipPorter.build.*` settings of `source` through the build engine (this machine or the ROCm box;
 * no run command, no Problems entries), and always deletes the temporary files (locally, and on the
 * box after a remote build). When the source's folder cannot be written, a local build uses a
 * private temp dir with `-I <source dir>` instead. Returns `{ok, output}` with the diagnostics
 * summarised by {@link summarizeProposalBuild} under the source's workspace-relative name.
 * In an untrusted workspace it compiles nothing and returns `ok: false` with the reason.
 * Undefined for a source that is not a local file.
 * @throws BuildError when hipcc could not run (not found, cancelled, timed out, ssh failure); the agent tool reports it to the model
 */
export function proposalCompiler(ctx: HipPorterContext, source: vscode.Uri): AgentHost['compile'] {
  if (source.scheme !== 'file') return undefined;
  return async (text: string, signal: AbortSignal) => {
    if (!vscode.workspace.isTrusted) return { ok: false, output: 'builds are disabled in untrusted workspaces' };
    const dir = dirname(source.fsPath);
    const folder = vscode.workspace.getWorkspaceFolder(source);
    const settings = configToBuildSettings(config(source));
    const display = vscode.workspace.asRelativePath(source, false);
    const id = randomBytes(6).toString('hex');
    let tmp = join(dir, `${PROPOSAL_TEMP_PREFIX}${id}.hip`);
    let obj = join(dir, `${PROPOSAL_TEMP_PREFIX}${id}.o`);
    let privateDir: string | undefined;
    const includeDirs = [...settings.includeDirs];
    try {
      await writeFile(tmp, text, { flag: 'wx' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (settings.remoteHost || (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS')) {
        return { ok: false, output: `cannot write a temporary copy of the proposal beside ${display}: ${(e as Error).message}` };
      }
      privateDir = await mkdtemp(join(tmpdir(), 'hip-porter-proposal-'));
      tmp = join(privateDir, `${PROPOSAL_TEMP_PREFIX}${id}.hip`);
      obj = join(privateDir, `${PROPOSAL_TEMP_PREFIX}${id}.o`);
      includeDirs.push(dir);
      await writeFile(tmp, text, { flag: 'wx' });
    }
    let plan: BuildPlan | undefined;
    let remoteClean: (() => Promise<unknown>) | undefined;
    const t0 = Date.now();
    try {
      plan = taskJsonToPlan({ type: 'hipcc', file: tmp, output: obj, link: false, includeDirs }, settings, {
        currentFile: tmp,
        ...(folder ? { workspaceFolder: folder.uri.fsPath } : { cwd: dir }),
      });
      const result = await runBuildPlan(plan, { signal });
      const remote = plan.remote;
      if (remote && isRemoteResult(result)) {
        const rel = (p: string) => relative(result.localRoot, p).split(sep).join('/');
        remoteClean = () => runRemoteCommand(`rm -f -- ${shellJoin([rel(tmp), rel(obj)])}`, remote, result.remoteDir, { timeoutMs: 10_000 });
      }
      ctx.log.info(`agent compile_proposal: ${plan.label} | exit ${result.exitCode} | ${Date.now() - t0} ms`);
      return { ok: result.exitCode === 0, output: summarizeProposalBuild(result, tmp, display) };
    } finally {
      await Promise.all([rm(tmp, { force: true }), rm(obj, { force: true }), ...(privateDir ? [rm(privateDir, { recursive: true, force: true })] : [])]);
      if (remoteClean) await remoteClean().catch((e: unknown) => ctx.log.warn(`agent compile_proposal: remote cleanup failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  };
}

/** One line describing a tool call's input for the panel (never the whole file). */
function describeInput(name: string, input: unknown): string {
  const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const clip = (s: unknown, n = 160) => {
    const t = String(s ?? '').replace(/\s+/g, ' ').trim();
    return t.length > n ? t.slice(0, n - 1) + '…' : t;
  };
  switch (name) {
    case 'edit_proposal':
      return `${clip(o.reason)}${Array.isArray(o.finding_ids) && o.finding_ids.length ? ` [${o.finding_ids.join(', ')}]` : ''}\n− ${clip(o.search, 120)}\n+ ${clip(o.replace, 120)}`;
    case 'read_file':
      return clip(o.path);
    case 'finish':
      return clip(o.summary, 300);
    default:
      return typeof input === 'string' ? clip(input) : clip(JSON.stringify(input));
  }
}

/** Internal services the flow needs. */
interface Services {
  review: ReviewService;
  panel: AgentPanel;
  keys: KeyStore;
}

/**
 * Runs the agent on a text with the panel showing the run, Stop wired, and the outcome handled:
 * `complete` → its proposal; `incomplete` → the user chooses "Review Partial Edits" or "Use
 * Deterministic Only" (the default); `failed` with an auth error → a message with a button that
 * runs "Set Anthropic API Key"; `cancelled` → the input proposal. Without a key, with the agent
 * switched off, or in an untrusted workspace, returns the input proposal at once (`usedAgent: false`)
 * and lists the findings left for a human in the panel. Never throws for agent errors.
 * Exported for the build feature (fix-build mode); reached through `ctx.services.get('agent')`.
 *
 * @param token cancels the run (like Stop)
 */
export async function runAgentOnText(ctx: HipPorterContext, req: AgentRunRequest, token?: vscode.CancellationToken): Promise<AgentRunOutcome> {
  const svc = services(ctx);
  const cfg = config(req.source);
  const opts = engineOptions(req.source);
  await initParser();
  const open = req.findings ?? openFindings(req.proposal, opts);
  const agentFindings = toAgentFindings(open, req.proposal);
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

  const folder = vscode.workspace.getWorkspaceFolder(req.source);
  const compile = proposalCompiler(ctx, req.source);
  const abort = new AbortController();
  const sub = token?.onCancellationRequested(() => abort.abort());
  svc.panel.setRun(abort);
  svc.panel.notify('agent/run/started', { file, model: cfg.agentModel, maxSteps: cfg.agentMaxSteps });
  svc.panel.notify('review/findings/changed', { findings });
  void svc.panel.reveal();
  ctx.log.info(`agent: ${req.mode} ${file} with ${findings.length} finding(s), model ${cfg.agentModel}${cfg.agentBaseURL ? ' (custom base URL)' : ''}`);
  const onEvent = (e: AgentEvent) => {
    switch (e.type) {
      case 'status':
        svc.panel.notify('agent/status/changed', { phase: e.phase, step: e.step, maxSteps: e.maxSteps });
        return;
      case 'text':
        svc.panel.notify('agent/text/appended', { delta: e.delta });
        return;
      case 'tool-call':
        svc.panel.notify('agent/tool/called', { id: e.id, name: e.name, input: describeInput(e.name, e.input) });
        return;
      case 'tool-result':
        svc.panel.notify('agent/tool/returned', { id: e.id, name: e.name, ok: e.ok, summary: e.summary });
        return;
      case 'retry':
        ctx.log.warn(`agent: ${e.message}; retry ${e.attempt}/${e.maxRetries} in ${e.waitMs} ms`);
        svc.panel.notify('agent/retry/scheduled', { status: e.status ?? null, attempt: e.attempt, maxRetries: e.maxRetries, waitMs: e.waitMs, message: e.message });
        return;
      case 'usage': {
        const u = e.usage;
        svc.panel.notify('agent/usage/updated', {
          usage: { inputTokens: u.inputTokens, outputTokens: u.outputTokens, cacheReadTokens: u.cacheReadTokens, cacheWriteTokens: u.cacheWriteTokens, requests: u.requests, cost: formatCost(e.costUsd) },
        });
        return;
      }
      case 'notice':
        svc.panel.notify('agent/notice/posted', { level: e.level, message: e.message });
        return;
      default:
        return; // thinking, edit-applied/rejected: covered by tool results
    }
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

function services(ctx: HipPorterContext): Services {
  const review = ctx.services.get('review') as ReviewService | undefined;
  const panel = ctx.services.get('panel') as AgentPanel | undefined;
  const keys = ctx.services.get('secrets') as KeyStore | undefined;
  if (!review || !panel || !keys) throw new Error('HIP Porter review services are not running (see the HIP Porter output)');
  return { review, panel, keys };
}

/** Ports one file: translate, agent, then a proposal ready for review (not shown when `show` is false). */
async function prepare(ctx: HipPorterContext, uri: vscode.Uri, text: string, token: vscode.CancellationToken, show: boolean) {
  const opts = engineOptions(uri);
  await initParser();
  const tr = translate(text, uri.scheme === 'file' ? { ...opts, sourcePath: uri.fsPath } : opts);
  const open = openFindings(tr.text, opts);
  if (token.isCancellationRequested) return undefined;
  const out = await runAgentOnText(ctx, { source: uri, original: text, proposal: tr.text, mode: 'port', findings: open }, token);
  if (token.isCancellationRequested) return undefined;
  if (out.proposal === text) {
    if (show) void vscode.window.showInformationMessage(`HIP Porter: ${posix.basename(uri.path)} needs no changes.`);
    return undefined;
  }
  const { review } = services(ctx);
  return review.openReview(uri, text, out.proposal, {
    findings: out.findings,
    changes: out.changes,
    origin: out.usedAgent ? 'HIP Porter proposal, rules + agent' : 'HIP Porter proposal',
    show,
  });
}

/** Starts the review, secrets and panel modules, then registers the port commands. */
export function activate(ctx: HipPorterContext): void {
  const review = diffReview.activate(ctx);
  const keys = secrets.activate(ctx);
  agentPanel.activate(ctx, review, keys);
  const agent: AgentService = { runAgentOnText: (req, token) => runAgentOnText(ctx, req, token) };
  ctx.services.set('agent', agent);

  registerCommand(ctx, COMMANDS.portFile, async (arg?: unknown): Promise<ReviewSnapshot | undefined> => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme === 'hip-porter-proposal') throw new Error('open a CUDA file (.cu/.cuh) first, or pick one in the Explorer');
    const read = await readSource(uri, config(uri).maxFileSizeMB * 1048576);
    if (!read.ok) {
      void vscode.window.showErrorMessage(`HIP Porter: ${read.message}`);
      return undefined;
    }
    const name = posix.basename(uri.path);
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `HIP Porter: porting ${name}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: 'applying the rules…' });
        return prepare(ctx, uri, read.text, token, true);
      },
    );
    return r?.snapshotInfo();
  });

  registerCommand(ctx, COMMANDS.portFolder, async (arg?: unknown): Promise<ReviewSnapshot[]> => {
    let folder = arg instanceof vscode.Uri ? arg : undefined;
    if (!folder) {
      const folders = vscode.workspace.workspaceFolders ?? [];
      folder = folders.length === 1 ? folders[0]!.uri : (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to port to HIP' }))?.uri;
    }
    if (!folder) return [];
    const found = await vscode.workspace.findFiles(
      new vscode.RelativePattern(folder, '**/*.{cu,cuh,c,cc,cpp,cxx,c++,h,hh,hpp,hxx,inl,inc,ipp,tpp}'),
      '**/{node_modules,.git,.vscode-test}/**',
    );
    found.sort((a, b) => (a.path < b.path ? -1 : 1));
    const opened: diffReview.Review[] = [];
    const skipped: string[] = [];
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `HIP Porter: porting ${posix.basename(folder.path)}`, cancellable: true },
      async (progress, token) => {
        for (const [i, uri] of found.entries()) {
          if (token.isCancellationRequested) return;
          const read = await readSource(uri, config(uri).maxFileSizeMB * 1048576);
          if (!read.ok) {
            skipped.push(read.message);
            continue;
          }
          if (!isCudaPath(uri.path) && !looksLikeCuda(read.text)) continue;
          progress.report({ message: `${i + 1}/${found.length} ${vscode.workspace.asRelativePath(uri)}`, increment: 100 / found.length });
          const r = await prepare(ctx, uri, read.text, token, false);
          if (r) opened.push(r);
        }
      },
    );
    for (const s of skipped) ctx.log.warn(s);
    if (opened.length === 0) {
      void vscode.window.showInformationMessage(`HIP Porter: no CUDA file under ${vscode.workspace.asRelativePath(folder)} needs changes.${skipped.length ? ` ${skipped.length} file(s) skipped (see the output).` : ''}`);
      return [];
    }
    await pickReview(ctx, opened);
    return opened.map((r) => r.snapshotInfo());
  });
}

/** Quick pick over open reviews: one file's diff, or "Accept all files" (one WorkspaceEdit). */
export async function pickReview(ctx: HipPorterContext, list: diffReview.Review[]): Promise<void> {
  const { review } = services(ctx);
  type Item = vscode.QuickPickItem & { review?: diffReview.Review; all?: boolean };
  const items: Item[] = [
    { label: 'Accept all files', description: `write every change of ${list.length} proposal(s)`, all: true },
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    ...list.map((r) => ({
      label: posix.basename(r.source.path),
      description: `→ ${portedName(r.source.path)}  ${vscode.workspace.asRelativePath(r.source)}`,
      detail: `${r.hunks.length} change(s) · ${r.meta.findings?.length ?? 0} finding(s) left`,
      review: r,
    })),
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'HIP Porter: review proposals', placeHolder: 'Pick a file to review, or accept all' });
  if (!pick) return;
  if (pick.review) return review.show(pick.review);
  for (const r of list) for (const h of r.hunks) r.decisions.set(h.id, 'accepted');
  const res = await review.apply(list);
  const n = res.filter((x) => x.written).length;
  void vscode.window.showInformationMessage(`HIP Porter: wrote ${n} of ${list.length} file(s).`);
}
