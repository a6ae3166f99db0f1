/**
 * Handlers of HIP Porter's custom requests (see src/shared/lsp-protocol.ts):
 * `hipPorter/portDocument` (deterministic translation of a document), `hipPorter/openFindings`
 * (what is left to do in a text, e.g. a translation) and `hipPorter/findings` (the current findings
 * of an open document), `hipPorter/portProject` (the plan of a whole-project port). Engine options: the document's settings, overridden by the params'.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Position } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../core/analyze';
import { parseEngineOptions, pickEngineOptions, resolveEngineOptions, type EngineOptions } from '../core/engine-options';
import { readSourceFile } from '../core/files';
import { openFindings } from '../core/open-findings';
import { initParser, parseBudgetFor } from '../core/parse';
import { translate, translateAnalysed } from '../core/translate';
import { planProjectPort, type ProjectPlan } from '../core/project/plan';
import type {
  DetailedWireFinding,
  FindingsParams,
  FindingsResult,
  OpenFindingsParams,
  OpenFindingsResult,
  PortDocumentParams,
  PortDocumentResult,
  PortProjectParams,
  PortProjectResult,
  WireFinding,
} from '../shared/lsp-protocol';
import { rangeOf, visibleFindings, type VisibleFinding } from './diagnostics';
import { optionsKey } from './document-state';
import { sourcePathOf, type DocumentManager } from './document-manager';
import type { ServerSettings, SettingsCache } from './settings';

/** A user-facing failure of a custom request (the caller turns it into a ResponseError). */
export class RequestFailure extends Error {}

/**
 * The engine options of a request: the document's settings overridden by the params' `options`.
 * @throws RequestFailure naming each malformed option (the params come from the wire)
 */
async function requestOptions(method: string, uri: string, raw: unknown, settings: SettingsCache): Promise<{ options: EngineOptions; settings: ServerSettings }> {
  const s = await settings.get(uri);
  const { options, problems } = parseEngineOptions(raw, 'options.');
  if (problems.length > 0) throw new RequestFailure(`${method}: ${problems.join('; ')}`);
  return { options: { ...pickEngineOptions(s), ...options }, settings: s };
}

/**
 * Waits for the tree-sitter parser (loaded once per process) so a port is never token-only because
 * it came early; when the grammar cannot load, analysis goes on token-only as the editor's does.
 */
async function parserLoaded(): Promise<void> {
  await initParser().catch(() => undefined);
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
 * `hipPorter/portDocument`: translates `params.text` when given, else the open document's current
 * text (or the file of a `file:` URI that is not open), with the document's settings overridden by
 * `params.options`.
 * @throws RequestFailure for a bad URI, an unreadable/binary/invalid-UTF-8 file, binary content, or malformed options.
 */
export async function portDocument(params: PortDocumentParams, docs: DocumentManager, settings: SettingsCache): Promise<PortDocumentResult> {
  if (typeof params?.uri !== 'string') throw new RequestFailure('hipPorter/portDocument: params.uri must be a string');
  const { options, settings: s } = await requestOptions('hipPorter/portDocument', params.uri, params.options, settings);
  let text: string;
  let version: number | null = null;
  let doc: TextDocument;
  const state = docs.get(params.uri);
  if (typeof params.text === 'string') {
    text = params.text;
    if (state && state.text === text) version = state.version;
    doc = TextDocument.create(params.uri, 'cuda-cpp', 0, text);
  } else if (state) {
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
  await parserLoaded();
  // A parse budget, as for the CLI: a pathological file is translated by token instead of stalling the server.
  const held = state && state.text === text ? await heldAnalysis(params.uri, text, options, docs) : undefined;
  const result = held ? translateAnalysed(text, held) : translate(text, { ...options, ...sourcePathOf(params.uri), parseBudgetMs: parseBudgetFor(text.length) });
  // A tree of our own is freed (tree-sitter trees live in WASM memory); the document's is the manager's.
  if (!held) result.analysis.tree?.delete();
  const open = visibleFindings(result.open, s).map((v) => wire(v, (o) => doc.positionAt(o)));
  return { text: result.text, changed: result.changed, stats: result.stats, open, version };
}

/**
 * The server's current analysis of an open document when it is exactly what a translation of
 * `text` with `options` would compute: same text, same engine options, a finished parse (not
 * token-only) and not a provisional incremental result still to be checked. Else undefined.
 */
async function heldAnalysis(uri: string, text: string, options: EngineOptions, docs: DocumentManager): Promise<Analysis | undefined> {
  const view = await docs.view(uri);
  const snap = view?.snapshot;
  if (!view || view.skipped || !snap || snap.partial || snap.provisional) return undefined;
  if (view.state.text !== text || snap.optionsKey !== optionsKey(resolveEngineOptions(options))) return undefined;
  return snap.analysis;
}

/** A visible finding with what the agent's context wants, range in `positionAt`'s document. */
function detailed(v: VisibleFinding, positionAt: (o: number) => Position): DetailedWireFinding {
  const f = v.finding;
  return {
    ...wire(v, positionAt),
    family: f.family,
    status: f.status,
    ...(f.library !== undefined ? { library: f.library } : {}),
    ...(f.docs ? { docs: f.docs } : {}),
    fix: f.fix ? (f.fix.auto ? 'auto' : 'manual') : 'none',
  };
}

/**
 * `hipPorter/openFindings`: the findings a human or the agent still has to handle in `params.text`
 * (usually a translation), analysed with the document's settings overridden by `params.options`;
 * families set to `off` are left out. Ranges index into `params.text`.
 * @throws RequestFailure for a missing uri/text, binary text, or malformed options
 */
export async function openFindingsOf(params: OpenFindingsParams, settings: SettingsCache): Promise<OpenFindingsResult> {
  if (typeof params?.uri !== 'string' || typeof params.text !== 'string') throw new RequestFailure('hipPorter/openFindings: params.uri and params.text must be strings');
  if (params.text.includes('\u0000')) throw new RequestFailure(`${params.uri}: binary content (NUL bytes), not analysed`);
  const { options, settings: s } = await requestOptions('hipPorter/openFindings', params.uri, params.options, settings);
  await parserLoaded();
  const doc = TextDocument.create(params.uri, 'hip', 0, params.text);
  const found = openFindings(params.text, { ...options, ...sourcePathOf(params.uri) });
  return { findings: visibleFindings(found, s).map((v) => detailed(v, (o) => doc.positionAt(o))) };
}

/** `hipPorter/findings`: the current visible findings of an open document (analysing first if needed). */
export async function findings(params: FindingsParams, docs: DocumentManager): Promise<FindingsResult> {
  if (typeof params?.uri !== 'string') throw new RequestFailure('hipPorter/findings: params.uri must be a string');
  const view = await docs.view(params.uri);
  if (!view) return { version: null, findings: [], skipped: 'not open' };
  const list = view.findings.map((v) => detailed(v, view.positionAt));
  return { version: view.version, findings: list, ...(view.skipped ? { skipped: view.skipped.message } : {}) };
}

const ARCH_RE = /^gfx[0-9a-f]+(?::[a-z-]+[+-])*$/;

/**
 * `hipPorter/portProject`: the plan of a whole-project port (src/core/project/plan.ts) for the
 * folder of `params.folder` (a `file:` URI), with the folder's engine settings overridden by
 * `params.options`, `hipPorter.maxFileSizeMB` as the per-file limit. Reads the tree, writes nothing.
 * @throws RequestFailure for a non-`file:` or missing folder, a bad mode, offload arch or compat
 *   header name, malformed options, or a planning error (its message)
 */
export async function portProject(params: PortProjectParams, settings: SettingsCache): Promise<PortProjectResult> {
  const m = 'hipPorter/portProject';
  if (typeof params?.folder !== 'string' || !params.folder.startsWith('file:')) throw new RequestFailure(`${m}: params.folder must be a file: URI`);
  if (params.mode !== 'copy' && params.mode !== 'single-source') throw new RequestFailure(`${m}: params.mode must be copy or single-source, got ${JSON.stringify(params.mode)}`);
  const archs = params.offloadArch ?? [];
  if (!Array.isArray(archs) || archs.some((a) => typeof a !== 'string' || !ARCH_RE.test(a))) throw new RequestFailure(`${m}: params.offloadArch must be AMD targets such as gfx90a, gfx1030; got ${JSON.stringify(params.offloadArch)}`);
  const compat = params.compatHeader;
  if (compat !== undefined && (typeof compat !== 'string' || !/^[\w.-]+\.(h|hpp|hh|cuh)$/.test(compat))) throw new RequestFailure(`${m}: params.compatHeader must be a header file name such as hip_compat.h, got ${JSON.stringify(compat)}`);
  let root: string;
  try {
    root = fileURLToPath(params.folder);
  } catch (err) {
    throw new RequestFailure(`${m}: bad URI ${params.folder}: ${(err as Error).message}`);
  }
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    // handled below
  }
  if (!isDir) throw new RequestFailure(`${m}: ${root} is not a folder`);
  const { options, settings: s } = await requestOptions(m, params.folder, params.options, settings);
  await parserLoaded();
  const t0 = performance.now();
  let plan: ProjectPlan;
  try {
    plan = planProjectPort(root, {
      ...options,
      mode: params.mode,
      ...(archs.length ? { offloadArch: archs } : {}),
      ...(compat ? { compatHeader: compat } : {}),
      maxBytes: Math.round(s.maxFileSizeMB * 1048576),
    });
  } catch (err) {
    throw new RequestFailure(`${m}: ${(err as Error).message}`);
  }
  return { root: plan.root, files: plan.files, report: plan.report, ms: Math.round(performance.now() - t0) };
}
