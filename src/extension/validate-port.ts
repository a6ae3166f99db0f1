/**
 * "HIP Porter: Validate Port": runs the validation of .vscode/hip-porter-validate.json (the CUDA
 * original against the HIP port, each on its box) with progress and cancellation, writes the
 * reports beside the fetched outputs, and shows them in the report view (webview panel
 * `hipPorter.validateReport`, src/webview/validate-report/). "Ask Agent" on a failing case sends
 * the divergence and the case's source to the agent (the agent service of port-file.ts, as a
 * fix run: the program builds but computes different answers) and opens its answer in the usual
 * review; nothing is written before the user accepts.
 * Commands: hipPorter.validatePort. Engine: src/core/validate (no vscode there).
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import {
  ConfigError,
  DEFAULT_CONFIG_PATH,
  divergencePrompt,
  EXAMPLE_CONFIG,
  loadConfig,
  readCaseSource,
  runValidation,
  ValidationCancelled,
  writeReports,
  type CaseReport,
  type ValidationReport,
} from '../core/validate';
import { COMMANDS, registerCommand } from './commands';
import { webviewPageHtml } from './panel-html';
import type { HipPorterContext } from './context';
import type { ReviewService } from './diff-review';
import type { AgentRunner } from './agent-run';
import { isValidateCommand, type ValidateNotification, type ViewReport } from '../webview/validate-report/protocol';

/** Webview panel type id of the report view. */
export const REPORT_VIEW_TYPE = 'hipPorter.validateReport';

/** The last validation: its report, where its Markdown is, and the workspace root it ran in. */
interface LastRun {
  report: ValidationReport;
  markdownPath: string;
  root: string;
}

/** The report panel HTML: CSP default-src 'none', one nonce'd script and the theme stylesheet, both from the extension. */
export function reportHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'validate-report.js'));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'validate-report.css'));
  return webviewPageHtml({ script: script.toString(), css: css.toString(), cspSource: webview.cspSource }, 'HIP Porter validation', '<p>Waiting for the validation report…</p>');
}

/** Picks the workspace folder to validate: the only one, or the user's choice. */
async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder whose port to validate' });
}

/** What the Validate Port feature needs from the other features. */
export interface ValidatePortDeps {
  review: ReviewService;
  agent: AgentRunner;
}

/**
 * Registers hipPorter.validatePort. The command takes an optional config file (a `vscode.Uri`;
 * default `<folder>/.vscode/hip-porter-validate.json`), offers to create an example when there is
 * none, refuses in untrusted workspaces, and resolves to the report (undefined when nothing ran).
 */
export function activate(ctx: HipPorterContext, deps: ValidatePortDeps): void {
  let panel: vscode.WebviewPanel | undefined;
  let last: LastRun | undefined;
  let running = false;

  const post = (m: ValidateNotification): void => void panel?.webview.postMessage(m);

  const showPanel = (): void => {
    if (panel) {
      panel.reveal(vscode.ViewColumn.Active, true);
      if (last) post({ kind: 'notification', method: 'validate/report/replace', params: { report: last.report as ViewReport } });
      return;
    }
    panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, 'HIP Porter: Validation', { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist'), vscode.Uri.joinPath(ctx.extension.extensionUri, 'media')],
    });
    panel.webview.html = reportHtml(panel.webview, ctx.extension.extensionUri);
    panel.onDidDispose(() => (panel = undefined), undefined, ctx.subscriptions);
    panel.webview.onDidReceiveMessage(
      async (m: unknown) => {
        if (!isValidateCommand(m)) return;
        if (m.method === 'validate/view/ready') {
          if (last) post({ kind: 'notification', method: 'validate/report/replace', params: { report: last.report as ViewReport } });
        } else if (m.method === 'validate/report/openMarkdown') {
          if (last) await vscode.window.showTextDocument(vscode.Uri.file(last.markdownPath), { preview: true });
        } else if (m.method === 'validate/case/askAgent') {
          const c = last?.report.cases.find((x) => x.name === m.params.caseName);
          if (!c || !last) return;
          try {
            await askAgent(ctx, deps, last, c, (status, message) => post({ kind: 'notification', method: 'validate/agent/status', params: { caseName: c.name, status, message } }));
          } catch (e) {
            const msg = e instanceof Error ? e.message : String(e);
            post({ kind: 'notification', method: 'validate/agent/status', params: { caseName: c.name, status: 'failed', message: msg } });
            void vscode.window.showErrorMessage(`HIP Porter: ${msg}`);
          }
        }
      },
      undefined,
      ctx.subscriptions,
    );
  };

  registerCommand(ctx, COMMANDS.validatePort, async (arg?: unknown): Promise<ValidationReport | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('HIP Porter: validation runs programs and builds; it is disabled in untrusted workspaces.');
      return undefined;
    }
    if (running) {
      void vscode.window.showInformationMessage('HIP Porter: a validation is already running.');
      return undefined;
    }
    const folder = await pickFolder();
    if (!folder) throw new Error('open a folder with the CUDA project to validate.');
    const configPath = arg instanceof vscode.Uri ? arg.fsPath : join(folder.uri.fsPath, DEFAULT_CONFIG_PATH);
    if (!existsSync(configPath)) {
      const pick = await vscode.window.showInformationMessage(`No validation config at ${relative(folder.uri.fsPath, configPath)}. Create an example to edit?`, 'Create Example');
      if (pick === 'Create Example') {
        const uri = vscode.Uri.file(configPath);
        await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(EXAMPLE_CONFIG));
        await vscode.window.showTextDocument(uri);
      }
      return undefined;
    }
    // Save the config if it is open with changes, so what runs is what the user sees.
    await vscode.workspace.textDocuments.find((d) => d.uri.fsPath === configPath && d.isDirty)?.save();
    let config;
    try {
      config = loadConfig(configPath);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      ctx.log.error(e.message);
      const b = await vscode.window.showErrorMessage(`HIP Porter: ${e.message.split('\n')[0]} ${e.problems.slice(0, 3).join('; ')}`, 'Open Config');
      if (b) await vscode.window.showTextDocument(vscode.Uri.file(configPath));
      return undefined;
    }
    running = true;
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'HIP Porter: validating the port', cancellable: true },
        async (progress, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          let lastDone = 0;
          return runValidation(config, {
            signal: ac.signal,
            onProgress: (p) => {
              ctx.log.info(`[validate] ${p.message}`);
              const inc = p.total > 0 ? ((p.done - lastDone) / p.total) * 100 : 0;
              lastDone = p.done;
              progress.report({ message: p.message, increment: inc });
            },
            onOutput: (chunk, _stream, side) => ctx.log.info(`[${side}] ${chunk.trimEnd()}`),
          });
        },
      );
      const paths = writeReports(report, config.outDir);
      last = { report, markdownPath: paths.markdown, root: config.root };
      ctx.log.info(`[validate] ${report.counts.pass}/${report.cases.length} cases pass; reports: ${paths.markdown}, ${paths.json}`);
      showPanel();
      post({ kind: 'notification', method: 'validate/report/replace', params: { report: report as ViewReport } });
      return report;
    } catch (e) {
      if (e instanceof ValidationCancelled) {
        void vscode.window.showInformationMessage('HIP Porter: validation cancelled; the runs were stopped on every box.');
        return undefined;
      }
      throw e;
    } finally {
      running = false;
    }
  });
}

/**
 * Sends a failing case to the agent: the case's first source (from the config's `sources`, else
 * the user picks a file of the candidate side) with the divergence as the problem to fix; the
 * answer opens in the review flow with that file as the target.
 * @throws Error when the agent or review service is missing, or the source cannot be read
 */
async function askAgent(ctx: HipPorterContext, deps: ValidatePortDeps, last: LastRun, c: CaseReport, status: (s: 'running' | 'done' | 'failed', message: string) => void): Promise<void> {
  const { review, agent } = deps;
  let source = c.sources[0];
  if (!source) {
    const dir = vscode.Uri.file(last.report.candidate.dir);
    const files = await vscode.workspace.findFiles(new vscode.RelativePattern(dir, '**/*.{hip,cu,cuh,cpp,h,hpp}'), '**/node_modules/**', 200);
    const pick = await vscode.window.showQuickPick(
      files.map((f) => ({ label: relative(last.root, f.fsPath), uri: f })),
      { placeHolder: `Source of case "${c.name}" to send to the agent (set "sources" in the config to skip this)` },
    );
    if (!pick) return;
    source = pick.uri.fsPath;
  }
  const text = readCaseSource(source);
  const uri = vscode.Uri.file(source);
  status('running', `agent working on ${basename(source)}…`);
  const out = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `HIP Porter: agent looking into the divergence of "${c.name}" in ${basename(source)}`, cancellable: true },
    (_p, token) => agent.runAgentOnText({ source: uri, original: text, proposal: text, mode: 'fix-build', buildErrors: divergencePrompt(c, last.root, last.report.mode) }, token),
  );
  ctx.log.info(`validate agent (${c.name}): ${out.usedAgent ? 'used' : `not used (${out.reason ?? 'unknown'})`}, ${out.changes.length} change(s)`);
  if (!out.usedAgent || out.proposal === text) {
    status('done', out.usedAgent ? 'the agent proposed no change' : `the agent did not run (${out.reason ?? 'unknown'})`);
    if (out.reason === 'no-key') void vscode.commands.executeCommand(COMMANDS.setApiKey);
    return;
  }
  await review.openReview(uri, text, out.proposal, { target: uri, changes: out.changes, findings: out.findings, origin: `validation fix: ${c.name}` });
  status('done', 'proposal opened for review');
}
