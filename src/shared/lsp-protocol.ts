/**
 * HIP Porter's custom LSP messages, shared by the language server (src/server) and the
 * extension's language client (src/extension). Method names are `hipPorter/<verb>`; each type
 * says who sends it. Ranges are LSP ranges: 0-based lines, UTF-16 character columns.
 *
 * Imports only `vscode-languageserver-protocol` (a dependency of both `vscode-languageserver` and
 * `vscode-languageclient`, same version), so both sides can import this file without pulling the
 * other side's library into their bundle.
 */
import { NotificationType, RequestType, type Range } from 'vscode-languageserver-protocol';
import type { EngineOptions, FindingStatus, RuleFamily, Severity } from '../core/findings';
import type { TranslateStats } from '../core/translate';
import type { PlannedFile, ProjectReport } from '../core/project/plan';

/** One finding as sent over the wire: offsets converted to an LSP range in the document. */
export interface WireFinding {
  /** Stable rule code, e.g. `HP201`. */
  code: string;
  /** Severity after the user's `hipPorter.severity` setting was applied. */
  severity: Severity;
  message: string;
  range: Range;
  /** The CUDA name or construct, when the rule names one. */
  cuda?: string;
  /** Its HIP replacement, when there is one. */
  hip?: string;
}

/** A finding with everything the agent's context wants (family, status, docs, whether it is fixable). */
export interface DetailedWireFinding extends WireFinding {
  family: RuleFamily;
  status: FindingStatus;
  library?: string;
  docs?: string;
  /** `auto` when the finding has a safe fix the translator applies, `manual` for a suggested one, `none` otherwise. */
  fix: 'auto' | 'manual' | 'none';
}

/** Params of {@link PortDocumentRequest}. */
export interface PortDocumentParams {
  /** Document URI; an open document's current text is used, else a `file:` URI is read from disk. */
  uri: string;
  /**
   * The text to translate; absent: the open document's current text, else the file on disk. With
   * a text, `uri` still names the file (its settings, its folder for `#include "..."`).
   */
  text?: string;
  /** Engine options overriding the document's settings (target ROCm, comments, launch style, ...); a malformed value is an error. */
  options?: EngineOptions;
}

/** Result of {@link PortDocumentRequest}. */
export interface PortDocumentResult {
  /** Deterministic HIP translation of the whole document (every auto-fix applied). */
  text: string;
  /** Whether `text` differs from the input. */
  changed: boolean;
  /** Translation statistics (lines, edits, per-library counts, time in ms). */
  stats: TranslateStats;
  /** Findings left for a human or the agent, with ranges in the ORIGINAL document. */
  open: WireFinding[];
  /** Document version the translation was made from (null when read from disk). */
  version: number | null;
}

/**
 * Client → server. Translates a document to HIP without touching it. Sent by the extension's
 * "HIP Porter: Port File to HIP" command; errors come back as ResponseError (unknown URI,
 * unreadable or binary file).
 */
export const PortDocumentRequest = new RequestType<PortDocumentParams, PortDocumentResult, void>('hipPorter/portDocument');

/** Params of {@link OpenFindingsRequest}. */
export interface OpenFindingsParams {
  /** The file `text` belongs to (settings scope, folder for `#include "..."`); it need not be open or exist. */
  uri: string;
  /** The text to analyse, usually a translation (a proposal). */
  text: string;
  /** Engine options overriding the document's settings; a malformed value is an error. */
  options?: EngineOptions;
}

/** Result of {@link OpenFindingsRequest}. */
export interface OpenFindingsResult {
  /** The findings left for a human or the agent (no auto-fix, not a plain rename), families set to `off` left out; ranges into `text`. */
  findings: DetailedWireFinding[];
}

/**
 * Client → server. The open findings of a text (what the rules could not fix): the agent's context
 * for Port File and for "Ask Agent to Fix Build Errors". Sent by the extension; analyses with the
 * same engine options as `hipPorter/portDocument`, so the agent sees what the editor shows.
 */
export const OpenFindingsRequest = new RequestType<OpenFindingsParams, OpenFindingsResult, void>('hipPorter/openFindings');

/** Params of {@link FindingsRequest}. */
export interface FindingsParams {
  uri: string;
}

/** Result of {@link FindingsRequest}. */
export interface FindingsResult {
  /** Version of the open document the findings belong to; null when the document is not open. */
  version: number | null;
  /** Current findings (severity `off` families removed), sorted by position. */
  findings: DetailedWireFinding[];
  /** Why there are no findings when the document was skipped (excluded, binary, too large, not CUDA). */
  skipped?: string;
}

/**
 * Client → server. The current findings of an open document, for the agent's context and the
 * side panel. Sent by the extension; answers from the latest analysis (analysing first if an
 * edit is pending).
 */
export const FindingsRequest = new RequestType<FindingsParams, FindingsResult, void>('hipPorter/findings');

/** Params of {@link ServerStatusNotification}. */
export interface ServerStatusParams {
  /** `ready` once the parser is loaded; `busy` while a long analysis (a large file) runs. */
  state: 'ready' | 'busy';
  message?: string;
}

/**
 * Server → client. The server's state, for a status bar item: sent `ready` after the parser has
 * loaded, and `busy`/`ready` around analyses that take longer than a few hundred milliseconds.
 */
export const ServerStatusNotification = new NotificationType<ServerStatusParams>('hipPorter/serverStatus');

/** The code action kinds the server offers, besides `quickfix`. */
export const CodeActionKinds = {
  /** Every auto-fixable finding in the file (for `editor.codeActionsOnSave`). */
  fixAll: 'source.fixAll.hipPorter',
  /** Adds `#include <hip/hip_runtime.h>` (hipcc, unlike nvcc, does not add it implicitly). */
  addHipInclude: 'source.addHipInclude.hipPorter',
} as const;

/** Value of `Diagnostic.source` on every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'HIP Porter';

/** Params of {@link PortProjectRequest}. */
export interface PortProjectParams {
  /** The project folder, a `file:` URI (its settings scope the engine options). */
  folder: string;
  /** `copy`: `.cu` → `.hip` and a HIP-only build; `single-source`: CUDA sources kept, a compat header and the `HIP=1` / `USE_HIP` switch. */
  mode: 'copy' | 'single-source';
  /** Compat header file name at the project root (single-source), default `hip_compat.h`. */
  compatHeader?: string;
  /** AMD offload architectures, e.g. `['gfx90a', 'gfx1030']`; default the engine's (a wave64 and a wave32 target). */
  offloadArch?: string[];
  /** Engine options overriding the folder's settings; a malformed value is an error. */
  options?: EngineOptions;
}

/**
 * One file of a {@link PortProjectResult}: the engine's planned file as is (src/core/project/plan.ts):
 * paths project-relative with forward slashes; `from`/`before` absent for generated files (the compat
 * header, forwarding headers, the CMake toolchain file); findings are open source findings (1-based
 * line, 1-based UTF-16 column) or build-file edits (1-based line).
 */
export type WireProjectFile = PlannedFile;

/** Result of {@link PortProjectRequest}. */
export interface PortProjectResult {
  /** The project folder's absolute path on the server's machine. */
  root: string;
  /** Changed and generated files; files the port leaves as they are are not listed. */
  files: WireProjectFile[];
  /** Project report: per translation unit what will not compile and the hazards, unresolved build lines, skipped files. */
  report: ProjectReport;
  /** Planning time in milliseconds. */
  ms: number;
}

/**
 * Client → server. Plans the port of a whole project (src/core/project/plan.ts `planProjectPort`):
 * sources, headers, build files and generated files with their before/after text. Writes nothing.
 * Sent by "HIP Porter: Port Project to HIP"; errors come back as ResponseError (not a `file:`
 * folder, missing folder, malformed options).
 */
export const PortProjectRequest = new RequestType<PortProjectParams, PortProjectResult, void>('hipPorter/portProject');
