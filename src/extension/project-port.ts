/**
 * "HIP Porter: Port Project to HIP": the language server plans the port of a folder
 * (`hipPorter/portProject`: sources, headers, build files, the compat header), every changed file
 * becomes a proposal of the review service (diff-review.ts: one diff per file, per-hunk
 * accept/reject), the Project Port view (TreeView `hipPorter.projectReview`) shows them as one tree
 * with per-file and per-hunk accept/reject, and "Write Accepted Project Changes" writes every file as
 * ONE WorkspaceEdit (creates + edits) that one undo reverts. Nothing is written before that.
 * `hipPorter.portFolder` (the old file-by-file flow's id) runs the same command.
 * Commands: hipPorter.portProject, hipPorter.portFolder, hipPorter.projectAccept,
 * hipPorter.projectReject, hipPorter.projectApply, hipPorter.projectDiscard, hipPorter.projectOpen.
 * Settings: hipPorter.port.mode, hipPorter.port.compatHeader, hipPorter.build.offloadArch, the engine settings.
 * Context key: hipPorter.projectReviewing.
 */
import * as vscode from 'vscode';
import type { PortProjectResult } from '../shared/lsp-protocol';
import type { LanguageServer } from './client';
import { COMMANDS, registerCommand } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import type { ApplyResult, Review, ReviewService } from './diff-review';
import { plannedWrites, projectEntries, projectTree, type ProjectNode, type ReviewedFile } from './project-model';

/** The tree view's id (package.json `contributes.views.hipPorter`). */
export const PROJECT_VIEW_ID = 'hipPorter.projectReview';

/** Options of hipPorter.portProject when called programmatically (tests, other features); without them the user is asked. */
export interface PortProjectOptions {
  mode?: 'copy' | 'single-source';
  compatHeader?: string;
  offloadArch?: string[];
}

/** What hipPorter.portProject returns: the reviews opened, by project path. */
export interface PortProjectOutcome {
  folder: string;
  mode: 'copy' | 'single-source';
  files: Array<{ path: string; reviewId: string; source: string; target: string; hunks: number; creates: boolean }>;
  report: PortProjectResult['report'];
}

/** Options of hipPorter.projectApply (automation); without them the user is asked about undecided changes. */
export interface ProjectApplyOptions {
  undecided?: 'include' | 'exclude';
  ifTargetChanged?: 'overwrite' | 'cancel';
}

/** What Port Project needs from the other features. */
export interface ProjectPortDeps {
  server: LanguageServer;
  review: ReviewService;
}

/** The project under review. */
interface ProjectState {
  folder: vscode.Uri;
  mode: 'copy' | 'single-source';
  report: PortProjectResult['report'];
  /** Review id → the entry it was opened for. */
  entries: Map<string, ReviewedFile['entry']>;
}

async function readIfExists(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

class ProjectTreeProvider implements vscode.TreeDataProvider<ProjectNode> {
  private readonly emitter = new vscode.EventEmitter<ProjectNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  nodes: ProjectNode[] = [];

  refresh(nodes: ProjectNode[]): void {
    this.nodes = nodes;
    this.emitter.fire(undefined);
  }

  getChildren(n?: ProjectNode): ProjectNode[] {
    if (!n) return this.nodes;
    return n.type === 'hunk' ? [] : n.children;
  }

  getTreeItem(n: ProjectNode): vscode.TreeItem {
    const hasChildren = n.type !== 'hunk' && n.children.length > 0;
    const state = !hasChildren ? vscode.TreeItemCollapsibleState.None : n.type === 'group' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(n.label, state);
    item.id = n.id;
    item.description = n.description;
    if (n.type === 'note') {
      item.contextValue = 'note';
      item.iconPath = new vscode.ThemeIcon(n.id === 'report' ? 'report' : 'warning');
      if (n.file) item.command = { command: COMMANDS.projectOpen, title: 'Open', arguments: [n] };
      return item;
    }
    const d = n.decision;
    item.iconPath = new vscode.ThemeIcon(d === 'accepted' ? 'check' : d === 'rejected' ? 'close' : d === 'mixed' ? 'circle-slash' : n.type === 'hunk' ? 'diff' : n.type === 'file' ? 'file' : 'folder');
    item.contextValue = `${n.type}-${d}`;
    if (n.type === 'file') item.tooltip = n.tooltip;
    if (n.type !== 'group') item.command = { command: COMMANDS.projectOpen, title: 'Show Diff', arguments: [n] };
    return item;
  }
}

/** Registers Port Project, the Project Port view and its commands. */
export function activate(ctx: HipPorterContext, deps: ProjectPortDeps): void {
  const { server, review } = deps;
  let state: ProjectState | undefined;
  const tree = new ProjectTreeProvider();
  const view = vscode.window.createTreeView(PROJECT_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  ctx.subscriptions.push(view);

  /** The reviews of the project still open (a written file's review is closed by diff-review). */
  const reviewed = (): Array<ReviewedFile & { review: Review }> => {
    if (!state) return [];
    const open = new Map(review.all().map((r) => [r.id, r]));
    const out: Array<ReviewedFile & { review: Review }> = [];
    for (const [id, entry] of state.entries) {
      const r = open.get(id);
      if (r) out.push({ reviewId: id, entry, hunks: r.hunks, decisions: r.decisions, review: r });
    }
    return out;
  };
  const render = (): void => {
    const files = reviewed();
    if (state && files.length === 0) state = undefined;
    tree.refresh(state ? projectTree(files, state.report) : []);
    view.message = state ? `${state.mode === 'copy' ? 'Copy' : 'Single-source'} port of ${vscode.workspace.asRelativePath(state.folder)}: accept or reject changes, then write them.` : undefined;
    void vscode.commands.executeCommand('setContext', 'hipPorter.projectReviewing', !!state);
  };
  ctx.subscriptions.push(review.onDidChange(render));

  const portProject = async (arg?: unknown, options?: unknown): Promise<PortProjectOutcome | undefined> => {
    // From the explorer the second argument is the list of selected resources, not options.
    const opts: PortProjectOptions = options && typeof options === 'object' && !Array.isArray(options) ? (options as PortProjectOptions) : {};
    let folder = arg instanceof vscode.Uri ? arg : undefined;
    if (!folder) {
      const folders = vscode.workspace.workspaceFolders ?? [];
      folder = folders.length === 1 ? folders[0]!.uri : (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Project folder to port to HIP' }))?.uri;
    }
    if (!folder) return undefined;
    if (folder.scheme !== 'file') throw new Error(`${folder.toString()} is not a local folder`);
    const c = config(folder);
    let mode = opts.mode;
    if (!mode) {
      const items: Array<vscode.QuickPickItem & { mode: 'copy' | 'single-source' }> = [
        { mode: 'copy', label: 'Copy', description: 'foo.cu → foo.hip beside it, build files migrated to hipcc', detail: 'A HIP-only tree: the CUDA build is replaced.' },
        { mode: 'single-source', label: 'Single source', description: `CUDA files kept, ${c.compatHeader} force-included`, detail: 'The build gets a switch (make HIP=1, cmake -DUSE_HIP=ON) and stays CUDA by default.' },
      ];
      items.sort((a, b) => (a.mode === c.portMode ? -1 : b.mode === c.portMode ? 1 : 0));
      items[0]!.description = `${items[0]!.description} (hipPorter.port.mode)`;
      const pick = await vscode.window.showQuickPick(items, { title: `HIP Porter: port ${vscode.workspace.asRelativePath(folder)}`, placeHolder: 'How should the project be ported?' });
      if (!pick) return undefined;
      mode = pick.mode;
    }
    const compatHeader = opts.compatHeader ?? c.compatHeader;
    const offloadArch = opts.offloadArch ?? c.offloadArch;
    const plan = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `HIP Porter: porting ${vscode.workspace.asRelativePath(folder)} (${mode})`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: 'planning sources, headers and build files…' });
        const cts = new vscode.CancellationTokenSource();
        const sub = token.onCancellationRequested(() => cts.cancel());
        try {
          const p = await Promise.race([
            server.portProject(folder!, { mode: mode!, compatHeader, offloadArch, options: c.engineOptions }, cts.token),
            new Promise<undefined>((resolve) => token.onCancellationRequested(() => resolve(undefined))),
          ]);
          return token.isCancellationRequested ? undefined : p;
        } finally {
          sub.dispose();
          cts.dispose();
        }
      },
    );
    if (!plan) {
      ctx.log.info(`port project ${folder.fsPath}: cancelled, nothing written`);
      return undefined;
    }
    const existing = new Map<string, string>();
    for (const f of plan.files) {
      const uri = vscode.Uri.file(`${plan.root}/${f.path}`);
      const t = await readIfExists(uri);
      if (t !== undefined) existing.set(uri.fsPath, t);
    }
    const entries = projectEntries(plan, existing);
    ctx.log.info(`port project ${plan.root} (${mode}): ${entries.length} file(s) to review, planned in ${plan.ms} ms`);
    for (const tu of plan.report.tus) for (const b of [...tu.blocking, ...tu.hazards]) ctx.log.info(`  ${b.file}:${b.line}:${b.column}: ${b.code} ${b.message}`);
    for (const u of plan.report.buildUnresolved) ctx.log.warn(`  ${u.file}:${u.line}: ${u.code} ${u.message}`);
    for (const s of plan.report.skipped) ctx.log.warn(`  skipped: ${s}`);
    // A new project review replaces the last one.
    await discard();
    if (entries.length === 0) {
      void vscode.window.showInformationMessage(`HIP Porter: ${vscode.workspace.asRelativePath(folder)} needs no changes for a ${mode} port.`);
      return { folder: folder.fsPath, mode, files: [], report: plan.report };
    }
    const next: ProjectState = { folder, mode, report: plan.report, entries: new Map() };
    const files: PortProjectOutcome['files'] = [];
    for (const e of entries) {
      const r = await review.openReview(vscode.Uri.file(e.source), e.original, e.proposal, {
        target: vscode.Uri.file(e.target),
        origin: `Port Project, ${mode}`,
        show: false,
        originalInMemory: e.originalInMemory,
      });
      next.entries.set(r.id, e);
      files.push({ path: e.path, reviewId: r.id, source: e.source, target: e.target, hunks: r.hunks.length, creates: e.creates });
    }
    state = next;
    render();
    await vscode.commands.executeCommand(`${PROJECT_VIEW_ID}.focus`);
    void vscode.window.showInformationMessage(
      `HIP Porter: ${entries.length} file(s) to review in the Project Port view. Nothing is written until you choose "Write Accepted Project Changes".`,
    );
    return { folder: folder.fsPath, mode, files, report: plan.report };
  };

  /** Closes the project's reviews without writing (their proposals are dropped). */
  const discard = async (): Promise<void> => {
    if (!state) return;
    const ids = new Set(state.entries.keys());
    state = undefined;
    for (const r of review.all()) if (ids.has(r.id)) await review.close(r);
    render();
  };

  const decide = async (node: unknown, d: 'accepted' | 'rejected'): Promise<void> => {
    const n = node as ProjectNode | undefined;
    const files = reviewed();
    if (!n) {
      for (const f of files) await vscode.commands.executeCommand(d === 'accepted' ? COMMANDS.acceptAll : COMMANDS.rejectAll, f.reviewId);
      return;
    }
    if (n.type === 'hunk') {
      await vscode.commands.executeCommand(d === 'accepted' ? COMMANDS.acceptHunk : COMMANDS.rejectHunk, n.hunkId, n.reviewId);
    } else if (n.type === 'file') {
      await vscode.commands.executeCommand(d === 'accepted' ? COMMANDS.acceptAll : COMMANDS.rejectAll, n.reviewId);
    } else if (n.type === 'group') {
      for (const c of n.children) if (c.type === 'file') await vscode.commands.executeCommand(d === 'accepted' ? COMMANDS.acceptAll : COMMANDS.rejectAll, c.reviewId);
    }
  };

  const apply = async (opts: ProjectApplyOptions = {}): Promise<ApplyResult[]> => {
    const files = reviewed();
    if (files.length === 0) throw new Error('no project port is under review (run "Port Project to HIP" first)');
    let undecided = opts.undecided;
    const pending = files.reduce((n, f) => n + f.hunks.filter((h) => (f.decisions.get(h.id) ?? 'pending') === 'pending').length, 0);
    if (pending > 0 && !undecided) {
      const pick = await vscode.window.showWarningMessage(
        `${pending} change(s) in the project are neither accepted nor rejected.`,
        { modal: true, detail: 'Include them in what is written, or leave them out (the original lines stay)?' },
        'Include Them',
        'Leave Them Out',
      );
      if (!pick) return [];
      undecided = pick === 'Include Them' ? 'include' : 'exclude';
    }
    const writes = plannedWrites(files, undecided === 'include');
    const toWrite = writes.filter((w) => w.op !== 'skip');
    if (toWrite.length === 0) {
      void vscode.window.showInformationMessage('HIP Porter: no change is accepted, so nothing was written.');
      return [];
    }
    const list = files.filter((f) => writes.find((w) => w.target === f.entry.target)?.op !== 'skip').map((f) => f.review);
    const results = await review.apply(list, { undecided: undecided ?? 'exclude', ...(opts.ifTargetChanged ? { ifTargetChanged: opts.ifTargetChanged } : {}) });
    const n = results.filter((r) => r.written).length;
    const created = toWrite.filter((w) => w.op === 'create').length;
    ctx.log.info(`port project: wrote ${n} of ${toWrite.length} file(s) (${created} new) in one edit`);
    if (n > 0) {
      const rest = reviewed().length;
      void vscode.window.showInformationMessage(`HIP Porter: wrote ${n} file(s) (${created} new) as one edit: one Undo reverts it.${rest ? ` ${rest} file(s) left unwritten.` : ''}`);
    }
    if (results.every((r) => r.written || r.reason === 'nothing-accepted')) await discard();
    render();
    return results;
  };

  const open = async (node: unknown): Promise<void> => {
    const n = node as ProjectNode | undefined;
    if (!n) return;
    if (n.type === 'note') {
      if (!n.file || !state) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(state.folder, n.file));
      const line = Math.max(0, (n.line ?? 1) - 1);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0), preview: true });
      return;
    }
    if (n.type === 'group') return;
    const f = reviewed().find((x) => x.reviewId === n.reviewId);
    if (!f) return;
    await review.show(f.review);
    if (n.type === 'hunk') {
      const ed = vscode.window.activeTextEditor;
      if (ed && ed.document.uri.toString() === f.review.proposalUri.toString()) {
        const line = Math.min(n.proposalLine, Math.max(0, ed.document.lineCount - 1));
        ed.selection = new vscode.Selection(line, 0, line, 0);
        ed.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenter);
      }
    }
  };

  registerCommand(ctx, COMMANDS.portProject, portProject);
  registerCommand(ctx, COMMANDS.portFolder, portProject);
  registerCommand(ctx, COMMANDS.projectAccept, (node?: unknown) => decide(node, 'accepted'));
  registerCommand(ctx, COMMANDS.projectReject, (node?: unknown) => decide(node, 'rejected'));
  registerCommand(ctx, COMMANDS.projectApply, (opts?: ProjectApplyOptions) => apply(opts && typeof opts === 'object' && !('type' in opts) ? opts : {}));
  registerCommand(ctx, COMMANDS.projectDiscard, discard);
  registerCommand(ctx, COMMANDS.projectOpen, open);
  render();
}
