/**
 * "Port File to HIP": the language server translates (`hipPorter/portDocument`
 * with every engine setting, the same engine and options as the editor's diagnostics and
 * quick-fixes), the agent runs when an API key is stored and `hipPorter.agent.enabled` (agent-run.ts),
 * then review (diff-review.ts). Nothing is written before the user accepts.
 * Commands: hipPorter.portFile (a folder goes through Port Project, project-port.ts). Settings: hipPorter.port.*, hipPorter.targetRocm,
 * hipPorter.includeComments, hipPorter.maxFileSizeMB.
 */
import * as vscode from 'vscode';
import { posix } from 'node:path';
import { decodeSource } from '../core/files';
import type { AgentRunner } from './agent-run';
import type { LanguageServer } from './client';
import { COMMANDS, registerCommand } from './commands';
import { config } from './config';
import type { HipPorterContext } from './context';
import type { ReviewService, ReviewSnapshot } from './diff-review';

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

/** Registers hipPorter.portFile (a folder is ported as a project: project-port.ts). */
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
}
