/**
 * Review of proposals: a `vscode.diff` of the original against an editable in-memory proposal,
 * per-hunk accept/reject (CodeLens on the proposal side, panel buttons, commands), and writing the
 * accepted result to the target as one undoable WorkspaceEdit after checking the target did not
 * change on disk since the proposal was made.
 * Commands: hipPorter.reviewDiff, acceptHunk, rejectHunk, acceptAll, rejectAll, applyProposal.
 * Context key: hipPorter.reviewing. Returns the {@link ReviewService} (main.ts hands it to Port File,
 * the panel, fix-build, and build-after-accept, which listens to its `onDidWrite`).
 */
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { portedName } from '../core/files';
import { sameRealFile } from '../core/safe-write';
import { applySelection, carryDecisions, computeHunks, countDecisions, hunkLabel, type Hunk, type HunkDecision } from './hunks';
import { PROPOSAL_SCHEME, registerProposalFs, type ProposalFs } from './proposal-fs';
import { COMMANDS, registerCommand } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import type { PanelFinding, PanelHunk } from '../webview/protocol';

/** An agent change as the review needs it (a subset of src/agent AgentChange). */
export interface ReviewChange {
  replace: string;
  reason: string;
  findingIds: string[];
}

/** Extra information about a proposal. */
export interface ReviewMeta {
  /** Where the accepted text is written; default from `hipPorter.port.output` (`foo.cu` → `foo.hip`, headers keep names). */
  target?: vscode.Uri;
  /** Who made the proposal, shown in the diff title: e.g. `HIP Porter proposal`, `build fix`. */
  origin?: string;
  /** Findings left for a human (or addressed by the agent), listed in the panel. */
  findings?: PanelFinding[];
  /** The agent's changes: their reasons are attached to the hunks they fall in. */
  changes?: ReviewChange[];
  /** Open the diff editor now (default true). */
  show?: boolean;
  /**
   * The diff's left side shows `originalText` from memory instead of the source file: for files
   * that do not exist yet (a generated compat header) or whose source is not what the hunks are
   * computed against. Default false.
   */
  originalInMemory?: boolean;
}

/** What the target looked like when the proposal was made. */
interface TargetSnapshot {
  exists: boolean;
  mtime: number;
  size: number;
  /** sha256 hex of the bytes. */
  hash: string;
}

/** Options of the apply command, for automation; without them the user is asked. */
export interface ApplyOptions {
  /** What to do when the target changed on disk since the proposal: without it a modal warning asks. */
  ifTargetChanged?: 'overwrite' | 'cancel';
  /** What to do with hunks neither accepted nor rejected: without it a modal asks. */
  undecided?: 'include' | 'exclude';
  /** Review id; default the current review. */
  review?: string;
}

/** Outcome of writing a review. */
export interface ApplyResult {
  written: boolean;
  /** fsPath (or URI string) of the target. */
  target: string;
  reason?: 'target-changed' | 'nothing-accepted' | 'cancelled' | 'edit-failed' | 'no-review' | 'same-file';
  /** Hunks taken. */
  accepted: number;
}

/** A snapshot of one review, returned by the commands (for tests and other features). */
export interface ReviewSnapshot {
  id: string;
  source: string;
  target: string;
  proposalUri: string;
  hunks: Array<{ id: string; decision: HunkDecision; originalStart: number; proposalStart: number }>;
}

/** One proposal under review. */
export class Review {
  hunks: Hunk[] = [];
  decisions = new Map<string, HunkDecision>();
  /** Hunk id → reason text from the agent. */
  reasons = new Map<string, string>();
  /** Left side of the diff when it is not the source (see {@link ReviewMeta.originalInMemory}). */
  left?: vscode.Uri;

  constructor(
    readonly id: string,
    readonly source: vscode.Uri,
    readonly target: vscode.Uri,
    readonly proposalUri: vscode.Uri,
    /** The original text the hunks are computed from (what the user saw when porting). */
    readonly original: string,
    readonly snapshot: TargetSnapshot,
    readonly meta: ReviewMeta,
  ) {}

  /** Recomputes hunks against `proposal`; decisions of unchanged hunks are kept. */
  update(proposal: string): void {
    this.hunks = computeHunks(this.original, proposal);
    this.decisions = carryDecisions(this.hunks, this.decisions);
    this.reasons.clear();
    for (const c of this.meta.changes ?? []) {
      const at = c.replace ? proposal.indexOf(c.replace) : -1;
      if (at === -1) continue;
      const line = countNewlines(proposal, at);
      const h = this.hunks.find((x) => line >= x.proposalStart && line < x.proposalStart + Math.max(1, x.proposalCount));
      if (!h) continue;
      const r = `${c.reason}${c.findingIds.length ? ` (${c.findingIds.join(', ')})` : ''}`;
      this.reasons.set(h.id, this.reasons.has(h.id) ? `${this.reasons.get(h.id)}; ${r}` : r);
    }
  }

  snapshotInfo(): ReviewSnapshot {
    return {
      id: this.id,
      source: this.source.toString(),
      target: this.target.toString(),
      proposalUri: this.proposalUri.toString(),
      hunks: this.hunks.map((h) => ({ id: h.id, decision: this.decisions.get(h.id) ?? 'pending', originalStart: h.originalStart, proposalStart: h.proposalStart })),
    };
  }

  panelHunks(): PanelHunk[] {
    return this.hunks.map((h) => {
      const p: PanelHunk = { id: h.id, label: hunkLabel(h), decision: this.decisions.get(h.id) ?? 'pending', removed: h.originalCount, added: h.proposalCount };
      const r = this.reasons.get(h.id);
      if (r) p.reason = r;
      return p;
    });
  }
}

function countNewlines(s: string, end: number): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1 && i < end; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The review API other features use (created by {@link activate}, passed on by main.ts). */
export interface ReviewService {
  /**
   * Opens a proposal for review: stores `proposalText` in the in-memory proposal file system,
   * records the target's on-disk state, and (unless `meta.show === false`) opens the diff editor.
   * Nothing is written to disk. Replaces an earlier review of the same source.
   * @param sourceUri the file the proposal is for (left side of the diff)
   * @param originalText the text the proposal was made from (hunks are computed against it)
   */
  openReview(sourceUri: vscode.Uri, originalText: string, proposalText: string, meta?: ReviewMeta): Promise<Review>;
  /** The review the user is looking at (the active diff, else the last opened), if any. */
  current(): Review | undefined;
  /** Every open review, in opening order. */
  all(): Review[];
  /** Shows the diff editor of a review. */
  show(review: Review): Promise<void>;
  /** Closes a review without writing anything (its proposal and diff tabs go away). */
  close(review: Review): Promise<void>;
  /** Writes the accepted hunks of the given reviews (one WorkspaceEdit; one undo reverts it). */
  apply(reviews: Review[], options?: ApplyOptions): Promise<ApplyResult[]>;
  /** Fires when reviews, hunks or decisions change. */
  readonly onDidChange: vscode.Event<void>;
  /**
   * Fires once per successful {@link ReviewService.apply} that wrote something, after the
   * WorkspaceEdit was applied and every written target saved; `uris` are the written targets.
   */
  readonly onDidWrite: vscode.Event<ReviewWriteEvent>;
}

/** Payload of {@link ReviewService.onDidWrite}. */
export interface ReviewWriteEvent {
  /** The targets written (and saved) by one apply, in review order. */
  readonly uris: readonly vscode.Uri[];
}

/** The default target of a ported file per `hipPorter.port.output`. */
export function defaultTarget(source: vscode.Uri): vscode.Uri {
  if (config(source).portOutput === 'inPlace') return source;
  return source.with({ path: posix.join(posix.dirname(source.path), portedName(source.path)) });
}

async function snapshotOf(uri: vscode.Uri): Promise<TargetSnapshot> {
  try {
    const st = await vscode.workspace.fs.stat(uri);
    const bytes = await vscode.workspace.fs.readFile(uri);
    return { exists: true, mtime: st.mtime, size: st.size, hash: createHash('sha256').update(bytes).digest('hex') };
  } catch {
    return { exists: false, mtime: 0, size: 0, hash: '' };
  }
}

/** Why the target differs from its snapshot, or undefined when it does not. */
async function targetChange(r: Review): Promise<string | undefined> {
  const now = await snapshotOf(r.target);
  const name = posix.basename(r.target.path);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.target.toString());
  if (open?.isDirty) return `${name} has unsaved changes in an editor.`;
  if (now.exists !== r.snapshot.exists) return now.exists ? `${name} was created on disk since the proposal was made.` : `${name} was deleted since the proposal was made.`;
  if (!now.exists) return undefined;
  if (now.hash !== r.snapshot.hash) return `${name} changed on disk since the proposal was made.`;
  return undefined;
}

/** Registers the proposal file system, the CodeLens and the review commands; returns the {@link ReviewService}. */
export function activate(ctx: HipPorterContext): ReviewService {
  const pfs: ProposalFs = registerProposalFs(ctx.subscriptions);
  const reviews = new Map<string, Review>();
  let currentId: string | undefined;
  let seq = 0;
  const changed = new vscode.EventEmitter<void>();
  const wrote = new vscode.EventEmitter<ReviewWriteEvent>();
  ctx.subscriptions.push(changed, wrote);

  const byProposal = (uri: vscode.Uri) => [...reviews.values()].find((r) => r.proposalUri.toString() === uri.toString());
  const proposalText = (r: Review): string =>
    vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.proposalUri.toString())?.getText() ?? pfs.text(r.proposalUri) ?? r.original;

  const fire = () => {
    void vscode.commands.executeCommand('setContext', 'hipPorter.reviewing', reviews.size > 0);
    changed.fire();
  };

  const current = (): Review | undefined => {
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === PROPOSAL_SCHEME) {
      const r = byProposal(active);
      if (r) return r;
    }
    return (currentId && reviews.get(currentId)) || [...reviews.values()].pop();
  };

  const show = async (r: Review) => {
    currentId = r.id;
    const title = `${posix.basename(r.source.path)} ↔ ${posix.basename(r.target.path)} (${r.meta.origin ?? 'HIP Porter proposal'})`;
    await vscode.commands.executeCommand('vscode.diff', r.left ?? r.source, r.proposalUri, title, { preview: false });
    changed.fire();
  };

  const closeReview = async (r: Review) => {
    reviews.delete(r.id);
    if (currentId === r.id) currentId = undefined;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.proposalUri.toString());
    if (doc?.isDirty) await doc.save(); // into memory: lets the tab close without a save prompt
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => {
      const i = t.input;
      return (i instanceof vscode.TabInputTextDiff && i.modified.toString() === r.proposalUri.toString()) || (i instanceof vscode.TabInputText && i.uri.toString() === r.proposalUri.toString());
    });
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
    pfs.remove(r.proposalUri);
    if (r.left) pfs.remove(r.left);
    fire();
  };

  const openReview: ReviewService['openReview'] = async (sourceUri, originalText, proposalText0, meta = {}) => {
    for (const old of [...reviews.values()]) if (old.source.toString() === sourceUri.toString()) await closeReview(old);
    const target = meta.target ?? defaultTarget(sourceUri);
    const id = `r${++seq}`;
    const proposalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${id}/${posix.basename(target.path)}` });
    pfs.set(proposalUri, proposalText0);
    const r = new Review(id, sourceUri, target, proposalUri, originalText, await snapshotOf(target), meta);
    if (meta.originalInMemory) {
      r.left = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${id}/original/${posix.basename(target.path)}` });
      pfs.set(r.left, originalText);
    }
    r.update(proposalText0);
    reviews.set(id, r);
    currentId = id;
    ctx.log.info(`review ${id}: ${vscode.workspace.asRelativePath(sourceUri)} → ${vscode.workspace.asRelativePath(target)}, ${r.hunks.length} hunk(s)`);
    fire();
    if (meta.show !== false) await show(r);
    return r;
  };

  const apply: ReviewService['apply'] = async (list, options = {}) => {
    const results: ApplyResult[] = [];
    const edit = new vscode.WorkspaceEdit();
    const toWrite: Array<{ r: Review; accepted: number }> = [];
    for (const r of list) {
      r.update(proposalText(r));
      const label = vscode.workspace.asRelativePath(r.target);
      const c = countDecisions(r.decisions);
      let includePending = false;
      if (c.pending > 0) {
        let choice = options.undecided;
        if (!choice) {
          const pick = await vscode.window.showWarningMessage(
            `${c.pending} of ${r.hunks.length} changes to ${label} are neither accepted nor rejected.`,
            { modal: true, detail: 'Include them in what is written, or leave them out (the original lines stay)?' },
            'Include Them',
            'Leave Them Out',
          );
          if (!pick) {
            results.push({ written: false, target: r.target.fsPath, reason: 'cancelled', accepted: 0 });
            continue;
          }
          choice = pick === 'Include Them' ? 'include' : 'exclude';
        }
        includePending = choice === 'include';
      }
      const accepted = new Set(r.hunks.filter((h) => r.decisions.get(h.id) === 'accepted' || (includePending && r.decisions.get(h.id) === 'pending')).map((h) => h.id));
      if (accepted.size === 0) {
        results.push({ written: false, target: r.target.fsPath, reason: 'nothing-accepted', accepted: 0 });
        continue;
      }
      if (r.target.toString() !== r.source.toString() && r.target.scheme === 'file' && r.source.scheme === 'file' && sameRealFile(r.target.fsPath, r.source.fsPath)) {
        // A sibling target that is a symlink to the CUDA source: writing it would overwrite the input.
        void vscode.window.showErrorMessage(`HIP Porter: ${posix.basename(r.target.path)} is a link to the CUDA source ${posix.basename(r.source.path)}; not written (remove the link or port in place).`);
        results.push({ written: false, target: r.target.fsPath, reason: 'same-file', accepted: 0 });
        continue;
      }
      const why = await targetChange(r);
      if (why) {
        let choice = options.ifTargetChanged;
        if (!choice) {
          const pick = await vscode.window.showWarningMessage(why, { modal: true, detail: `Writing the accepted changes replaces the current content of ${label}.` }, 'Overwrite');
          choice = pick === 'Overwrite' ? 'overwrite' : 'cancel';
        }
        if (choice !== 'overwrite') {
          ctx.log.warn(`not written: ${why}`);
          results.push({ written: false, target: r.target.fsPath, reason: 'target-changed', accepted: 0 });
          continue;
        }
      }
      const text = applySelection(r.original, r.hunks, accepted);
      const exists = (await snapshotOf(r.target)).exists;
      if (!exists) {
        edit.createFile(r.target, { ignoreIfExists: true });
        edit.insert(r.target, new vscode.Position(0, 0), text);
      } else {
        const doc = await vscode.workspace.openTextDocument(r.target);
        edit.replace(r.target, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
      }
      toWrite.push({ r, accepted: accepted.size });
    }
    if (toWrite.length === 0) return results;
    const ok = await vscode.workspace.applyEdit(edit, { isRefactoring: false });
    for (const { r, accepted } of toWrite) {
      if (!ok) {
        results.push({ written: false, target: r.target.fsPath, reason: 'edit-failed', accepted: 0 });
        continue;
      }
      const doc = await vscode.workspace.openTextDocument(r.target);
      await doc.save();
      ctx.log.info(`wrote ${accepted} of ${r.hunks.length} change(s) to ${vscode.workspace.asRelativePath(r.target)}`);
      results.push({ written: true, target: r.target.fsPath, accepted });
      await closeReview(r);
    }
    if (ok && toWrite.length === 1) await vscode.window.showTextDocument(toWrite[0]!.r.target, { preview: false });
    if (ok) wrote.fire({ uris: toWrite.map(({ r }) => r.target) });
    return results;
  };

  const decide = (r: Review | undefined, ids: string[] | 'all', d: HunkDecision) => {
    if (!r) throw new Error('no proposal is under review (run "Port File to HIP" first)');
    r.update(proposalText(r));
    const list = ids === 'all' ? r.hunks.map((h) => h.id) : ids;
    for (const id of list) {
      if (!r.decisions.has(id)) throw new Error(`no change ${id} in this proposal (it may have been edited)`);
      r.decisions.set(id, d);
    }
    changed.fire();
    return r.snapshotInfo();
  };
  const reviewFor = (id?: unknown) => (typeof id === 'string' && reviews.get(id)) || current();

  registerCommand(ctx, COMMANDS.acceptHunk, (id: string, reviewId?: string) => decide(reviewFor(reviewId), [id], 'accepted'));
  registerCommand(ctx, COMMANDS.rejectHunk, (id: string, reviewId?: string) => decide(reviewFor(reviewId), [id], 'rejected'));
  registerCommand(ctx, COMMANDS.acceptAll, (reviewId?: string) => decide(reviewFor(reviewId), 'all', 'accepted'));
  registerCommand(ctx, COMMANDS.rejectAll, (reviewId?: string) => decide(reviewFor(reviewId), 'all', 'rejected'));
  registerCommand(ctx, COMMANDS.reviewDiff, async (reviewId?: string) => {
    const r = reviewFor(reviewId);
    if (!r) throw new Error('no proposal is under review (run "Port File to HIP" first)');
    await show(r);
    return r.snapshotInfo();
  });
  registerCommand(ctx, COMMANDS.applyProposal, async (options?: ApplyOptions): Promise<ApplyResult> => {
    const r = reviewFor(options?.review);
    if (!r) return { written: false, target: '', reason: 'no-review', accepted: 0 };
    const [res] = await apply([r], options);
    if (res?.reason === 'nothing-accepted') void vscode.window.showInformationMessage('HIP Porter: no change is accepted, so nothing was written.');
    const next = [...reviews.values()][0];
    if (res?.written && next && !options) {
      void vscode.window.showInformationMessage(`HIP Porter: wrote ${vscode.workspace.asRelativePath(r.target)}. ${reviews.size} more proposal(s) to review.`, 'Review Next').then((b) => {
        if (b) void show(next);
      });
    }
    return res!;
  });

  // Keep hunks in step with edits of the proposal document.
  ctx.subscriptions.push(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.scheme !== PROPOSAL_SCHEME || e.contentChanges.length === 0) return;
      const r = byProposal(e.document.uri);
      if (!r) return;
      r.update(e.document.getText());
      changed.fire();
    }),
    vscode.window.onDidChangeActiveTextEditor((ed) => {
      if (ed?.document.uri.scheme !== PROPOSAL_SCHEME) return;
      const r = byProposal(ed.document.uri);
      if (r && r.id !== currentId) {
        currentId = r.id;
        changed.fire();
      }
    }),
  );

  // CodeLens on the proposal side: Accept / Reject per hunk, plus the agent's reason.
  const lensChanged = new vscode.EventEmitter<void>();
  ctx.subscriptions.push(lensChanged, changed.event(() => lensChanged.fire()));
  ctx.subscriptions.push(
    vscode.languages.registerCodeLensProvider(
      { scheme: PROPOSAL_SCHEME },
      {
        onDidChangeCodeLenses: lensChanged.event,
        provideCodeLenses(doc) {
          const r = byProposal(doc.uri);
          if (!r) return [];
          const lenses: vscode.CodeLens[] = [];
          for (const h of r.hunks) {
            const line = Math.min(h.proposalStart, Math.max(0, doc.lineCount - 1));
            const range = new vscode.Range(line, 0, line, 0);
            const d = r.decisions.get(h.id) ?? 'pending';
            lenses.push(
              new vscode.CodeLens(range, { title: d === 'accepted' ? '$(check) Accepted' : 'Accept', command: COMMANDS.acceptHunk, arguments: [h.id, r.id], tooltip: 'Take this change' }),
              new vscode.CodeLens(range, { title: d === 'rejected' ? '$(close) Rejected' : 'Reject', command: COMMANDS.rejectHunk, arguments: [h.id, r.id], tooltip: 'Keep the original lines' }),
            );
            const reason = r.reasons.get(h.id);
            if (reason) lenses.push(new vscode.CodeLens(range, { title: `Agent: ${reason.length > 120 ? reason.slice(0, 119) + '…' : reason}`, command: '' }));
          }
          return lenses;
        },
      },
    ),
  );

  const service: ReviewService = { openReview, current, all: () => [...reviews.values()], show, close: closeReview, apply, onDidChange: changed.event, onDidWrite: wrote.event };
  void vscode.commands.executeCommand('setContext', 'hipPorter.reviewing', false);
  return service;
}
