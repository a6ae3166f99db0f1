/**
 * "Port File to HIP" / "Port Folder to HIP": the language server translates (`hipPorter/portDocument`
 * with every engine setting, the same engine and options as the editor's diagnostics and
 * quick-fixes), the agent runs when an API key is stored and `hipPorter.agent.enabled` (agent-run.ts),
 * then review (diff-review.ts). Nothing is written before the user accepts.
 * Commands: hipPorter.portFile, hipPorter.portFolder. Settings: hipPorter.port.*, hipPorter.targetRocm,
 * hipPorter.includeComments, hipPorter.maxFileSizeMB.
 */
import * as vscode from 'vscode';
import { posix } from 'node:path';
import { decodeSource, isCudaPath, looksLikeCuda, portedName } from '../core/files';
import type { AgentRunner } from './agent-run';
import type { LanguageServer } from './client';
import { COMMANDS, registerCommand } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import type { Review, ReviewService, ReviewSnapshot } from './diff-review';

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

/**
 * Ports one file: the server's translation and open findings (the editor's engine and every engine
 * setting of `uri`), then the agent, then a proposal ready for review (not shown when `show` is false).
 */
async function prepare(deps: PortDeps, uri: vscode.Uri, text: string, token: vscode.CancellationToken, show: boolean) {
  const options = config(uri).engineOptions;
  const tr = await deps.server.portDocument(uri, { text, options });
  if (token.isCancellationRequested) return undefined;
  const open = await deps.server.openFindings(uri, tr.text, options);
  if (token.isCancellationRequested) return undefined;
  const out = await deps.agent.runAgentOnText({ source: uri, original: text, proposal: tr.text, mode: 'port', findings: open.findings }, token);
  if (token.isCancellationRequested) return undefined;
  if (out.proposal === text) {
    if (show) void vscode.window.showInformationMessage(`HIP Porter: ${posix.basename(uri.path)} needs no changes.`);
    return undefined;
  }
  return deps.review.openReview(uri, text, out.proposal, {
    findings: out.findings,
    changes: out.changes,
    origin: out.usedAgent ? 'HIP Porter proposal, rules + agent' : 'HIP Porter proposal',
    show,
  });
}

/** What Port File needs from the other features. */
export interface PortDeps {
  server: LanguageServer;
  review: ReviewService;
  agent: AgentRunner;
}

/** Registers hipPorter.portFile and hipPorter.portFolder. */
export function activate(ctx: HipPorterContext, deps: PortDeps): void {
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
        return prepare(deps, uri, read.text, token, true);
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
    const opened: Review[] = [];
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
          const r = await prepare(deps, uri, read.text, token, false);
          if (r) opened.push(r);
        }
      },
    );
    for (const s of skipped) ctx.log.warn(s);
    if (opened.length === 0) {
      void vscode.window.showInformationMessage(`HIP Porter: no CUDA file under ${vscode.workspace.asRelativePath(folder)} needs changes.${skipped.length ? ` ${skipped.length} file(s) skipped (see the output).` : ''}`);
      return [];
    }
    await pickReview(deps.review, opened);
    return opened.map((r) => r.snapshotInfo());
  });
}

/** Quick pick over open reviews: one file's diff, or "Accept all files" (one WorkspaceEdit). */
async function pickReview(review: ReviewService, list: Review[]): Promise<void> {
  type Item = vscode.QuickPickItem & { review?: Review; all?: boolean };
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
