/**
 * Handlers of HIP Porter's custom requests (see src/shared/lsp-protocol.ts):
 * `hipPorter/portDocument` (deterministic translation of a document) and `hipPorter/findings`
 * (the current findings of an open document).
 */
import { fileURLToPath } from 'node:url';
import type { Position } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { EngineOptions } from '../core/findings';
import { readSourceFile } from '../core/files';
import { parseBudgetFor } from '../core/parse';
import { translate } from '../core/translate';
import type { DetailedWireFinding, FindingsParams, FindingsResult, PortDocumentParams, PortDocumentResult, WireFinding } from '../shared/lsp-protocol';
import { rangeOf, visibleFindings, type VisibleFinding } from './diagnostics';
import { sourcePathOf, type DocumentManager } from './documents';
import type { SettingsCache } from './settings';

/** A user-facing failure of a custom request (the caller turns it into a ResponseError). */
export class RequestFailure extends Error {}

const ENGINE_KEYS = ['targetRocm', 'includeComments', 'kernelLaunch', 'libraryTarget', 'experimental'] as const;

/** Keeps only known engine option keys with the right types (the params come from the wire). */
function cleanOptions(o: unknown): EngineOptions {
  const out: EngineOptions = {};
  if (typeof o !== 'object' || o === null) return out;
  const r = o as Record<string, unknown>;
  for (const k of ENGINE_KEYS) {
    const v = r[k];
    if (v === undefined) continue;
    if ((k === 'includeComments' || k === 'experimental') && typeof v === 'boolean') out[k] = v;
    else if (k === 'targetRocm' && typeof v === 'string') out.targetRocm = v;
    else if (k === 'kernelLaunch' && (v === 'keep' || v === 'hip')) out.kernelLaunch = v;
    else if (k === 'libraryTarget' && (v === 'hip' || v === 'roc')) out.libraryTarget = v;
  }
  return out;
}

function wire(v: VisibleFinding, positionAt: (o: number) => Position): WireFinding {
  const f = v.finding;
  return {
    code: f.code,
    severity: v.severity,
    message: f.message,
    range: rangeOf(f.start, f.end, positionAt),
    ...(f.cuda !== undefined ? { cuda: f.cuda } : {}),
    ...(f.hip !== undefined ? { hip: f.hip } : {}),
  };
}

/**
 * `hipPorter/portDocument`: translates the open document's current text (or the file of a `file:`
 * URI that is not open) with the document's settings overridden by `params.options`.
 * @throws RequestFailure for a bad URI, an unreadable/binary/invalid-UTF-8 file, or binary content.
 */
export async function portDocument(params: PortDocumentParams, docs: DocumentManager, settings: SettingsCache): Promise<PortDocumentResult> {
  if (typeof params?.uri !== 'string') throw new RequestFailure('hipPorter/portDocument: params.uri must be a string');
  const s = await settings.get(params.uri);
  const options: EngineOptions = { targetRocm: s.targetRocm, includeComments: s.includeComments, ...cleanOptions(params.options) };
  let text: string;
  let version: number | null = null;
  let doc: TextDocument;
  const state = docs.get(params.uri);
  if (state) {
    text = state.text;
    version = state.version;
    doc = state.document;
  } else {
    if (!params.uri.startsWith('file:')) throw new RequestFailure(`hipPorter/portDocument: ${params.uri} is not open and not a file: URI`);
    let path: string;
    try {
      path = fileURLToPath(params.uri);
    } catch (err) {
      throw new RequestFailure(`hipPorter/portDocument: bad URI ${params.uri}: ${(err as Error).message}`);
    }
    const r = readSourceFile(path);
    if (!r.ok) throw new RequestFailure(r.message);
    text = r.text;
    doc = TextDocument.create(params.uri, 'cuda-cpp', 0, text);
  }
  if (text.includes('\u0000')) throw new RequestFailure(`${params.uri}: binary content (NUL bytes), not translated`);
  // A parse budget, as for the CLI: a pathological file is translated by token instead of stalling the server.
  const result = translate(text, { ...options, ...sourcePathOf(params.uri), parseBudgetMs: parseBudgetFor(text.length) });
  const open = visibleFindings(result.open, s).map((v) => wire(v, (o) => doc.positionAt(o)));
  return { text: result.text, changed: result.changed, stats: result.stats, open, version };
}

/** `hipPorter/findings`: the current visible findings of an open document (analysing first if needed). */
export async function findings(params: FindingsParams, docs: DocumentManager): Promise<FindingsResult> {
  if (typeof params?.uri !== 'string') throw new RequestFailure('hipPorter/findings: params.uri must be a string');
  const view = await docs.view(params.uri);
  if (!view) return { version: null, findings: [], skipped: 'not open' };
  const list: DetailedWireFinding[] = view.findings.map((v) => {
    const f = v.finding;
    return {
      ...wire(v, view.positionAt),
      family: f.family,
      status: f.status,
      ...(f.library !== undefined ? { library: f.library } : {}),
      ...(f.docs ? { docs: f.docs } : {}),
      fix: f.fix ? (f.fix.auto ? 'auto' : 'manual') : 'none',
    };
  });
  return { version: view.version, findings: list, ...(view.skipped ? { skipped: view.skipped.message } : {}) };
}
