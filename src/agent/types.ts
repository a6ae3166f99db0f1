/**
 * Public types of the porting agent (see DESIGN.md, "agent/", in the project's steering notes).
 *
 * The agent never writes files: it receives the deterministic HIP translation (the *proposal*)
 * plus the open findings on it, edits the proposal in memory through exact search/replace
 * blocks, and returns the edited text with one {@link AgentChange} per applied edit. The host
 * (VS Code side panel, or the CLI) observes the run through {@link AgentHost.onEvent} and decides
 * what to offer for review. This module has no `vscode` import and no I/O.
 */

import type { FindingStatus, Severity } from '../core/findings';

/** One open finding on the proposal, as the agent sees it. */
export interface AgentFinding {
  /** Stable id within one run, e.g. `F3`; the agent ties each change to these ids. */
  id: string;
  /** Rule code, e.g. `HP301`. */
  code: string;
  severity: Severity;
  /** One line: what breaks on AMD and what to do. */
  message: string;
  /** 1-based line in the proposal text as given in {@link AgentInput.proposal}. */
  line: number;
  /** The CUDA name or construct, when the rule names one. */
  cuda?: string;
  /** Its HIP replacement, when there is one. */
  hip?: string;
  status: FindingStatus;
}

/** What the agent works on. */
export interface AgentInput {
  /** Path of the file shown to the model (workspace-relative preferred); only used as a label. */
  path: string;
  /** The original CUDA text (for reference; the model edits `proposal`, never this). */
  original: string;
  /** The deterministic HIP translation: the starting point the agent edits. */
  proposal: string;
  /** Open findings on the proposal. */
  findings: AgentFinding[];
  /**
   * Absolute path of the workspace folder. `read_file` is confined to it (symlinks resolved).
   * Leave it unset (and {@link AgentHost.readWorkspaceFile} unset) in untrusted workspaces: the
   * model then cannot read any file.
   */
  workspaceRoot?: string;
  /** `port`: address the findings. `fix-build`: make `buildErrors` go away. */
  mode: 'port' | 'fix-build';
  /** Compiler output (clang diagnostics) for `fix-build` mode. */
  buildErrors?: string;
  /** Target ROCm/HIP version as `major.minor[.patch]`, told to the model (e.g. `5.2` has no `__shfl_*_sync`). */
  targetRocm?: string;
}

/** Connection and budget settings. All durations are milliseconds. */
export interface AgentSettings {
  /** Anthropic API key. Never logged, never put in events, errors or results. */
  apiKey: string;
  /** API base URL; unset means the SDK's default host (`https://api.anthropic.com`). The SDK's env variable is NOT read here; the CLI reads it. */
  baseURL?: string;
  /** Anthropic model id, e.g. {@link DEFAULT_MODEL}. */
  model: string;
  /** Maximum number of model turns (requests that succeeded) before the run stops as `incomplete`. */
  maxSteps: number;
  /** `max_tokens` per request. */
  maxOutputTokens: number;
  /** Retries per request for 429 / 529 / 5xx / connection errors (0 = no retry). */
  maxRetries: number;
  /** Timeout of one HTTP request, including the whole streamed body. */
  requestTimeoutMs: number;
  /** First backoff delay; doubles each attempt. Used when the server sends no `retry-after`. */
  retryBaseDelayMs: number;
  /** Upper bound of a computed backoff delay. */
  retryMaxDelayMs: number;
  /** A `retry-after` longer than this is not waited for: the run ends with a rate-limit error instead. */
  maxRetryAfterMs: number;
}

/**
 * The agent's default model: Claude Sonnet 5.5, the current Sonnet model.
 *
 * Source (read 2026-12-07): Anthropic's model pages, https://platform.claude.com/docs/en/about-claude/models/overview
 * and the per-model pages under https://platform.claude.com/docs/en/models/ — the Claude Sonnet 4.6
 * page (`Model ID: claude-sonnet-4-6`) and the Claude Sonnet 5 page (`Model ID: claude-sonnet-5`) are
 * marked "Legacy" and say "Claude Sonnet 5.5 is the current Sonnet model", linking
 * https://platform.claude.com/docs/en/models/sonnet-5-5/overview; its API id, in the same scheme
 * (no date suffix since the 4.6 models), is `claude-sonnet-5-5`. Users override it with the
 * `hipPorter.agent.model` setting or `HIP_PORTER_MODEL`.
 */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

/** Defaults for everything but the key; the model is {@link DEFAULT_MODEL}. */
export const DEFAULT_AGENT_SETTINGS: Readonly<Omit<AgentSettings, 'apiKey' | 'baseURL'>> = Object.freeze({
  model: DEFAULT_MODEL,
  maxSteps: 12,
  maxOutputTokens: 8192,
  maxRetries: 4,
  requestTimeoutMs: 120_000,
  retryBaseDelayMs: 1_000,
  retryMaxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
});

/** Callbacks the host gives the agent. Everything but `onEvent` is optional. */
export interface AgentHost {
  /**
   * Reads a workspace file (path relative to {@link AgentInput.workspaceRoot}, `/` separators).
   * Called only after the agent has checked that the path stays inside the workspace. When absent,
   * the agent reads from disk with `fs` (only if `workspaceRoot` is set).
   */
  readWorkspaceFile?(relPath: string): Promise<string>;
  /**
   * Compiles the given HIP text (e.g. through the hipcc build runner) and reports the outcome.
   * `output` is the compiler's text (clang diagnostics). Must honour `signal`.
   */
  compile?(text: string, signal: AbortSignal): Promise<{ ok: boolean; output: string }>;
  /** Receives every {@link AgentEvent} synchronously, in order. Must not throw. */
  onEvent(e: AgentEvent): void;
  /**
   * What to tell the user to do when the key is rejected or missing, e.g.
   * `run "HIP Porter: Set Anthropic API Key"` (the default) or `set ANTHROPIC_API_KEY` (CLI).
   */
  authHelp?: string;
  /**
   * What to tell the user to do when the API does not know the model (404 `not_found_error`),
   * e.g. `change the setting "hipPorter.agent.model"` (the default, {@link DEFAULT_MODEL_HELP} in
   * loop.ts) or `set HIP_PORTER_MODEL` (CLI).
   */
  modelHelp?: string;
}

/** Token counts of a run or of one request. */
export interface AgentUsage {
  /** Uncached input tokens. */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the prompt cache. */
  cacheReadTokens: number;
  /** Input tokens written to the prompt cache (5-minute and 1-hour writes together). */
  cacheWriteTokens: number;
  /** Number of model requests that produced a response (retried failures not counted). */
  requests: number;
}

/** One edit the agent applied to the proposal, in application order. */
export interface AgentChange {
  /** The exact text that was replaced (found exactly once at the time). */
  search: string;
  replace: string;
  /** The model's reason for the change. */
  reason: string;
  /** Ids of the findings ({@link AgentFinding.id}) the change answers; may be empty (e.g. a build fix). */
  findingIds: string[];
  /** 1-based line where the replaced text started, in the proposal as it was before this change. */
  line: number;
}

/** Phases a run goes through, for the panel's status line. */
export type AgentPhase =
  | 'requesting' // waiting for the response headers
  | 'streaming' // model output arriving
  | 'running-tool'
  | 'waiting-retry'
  | 'done';

/** Everything the host is told while a run goes on. A discriminated union on `type`. */
export type AgentEvent =
  | { type: 'status'; phase: AgentPhase; step: number; maxSteps: number }
  /** Streamed visible text of the model. */
  | { type: 'text'; delta: string }
  /** Streamed thinking text (shown dimmed, if at all). */
  | { type: 'thinking'; delta: string }
  /** The model called a tool; `input` is the parsed JSON input (or the raw string if it did not parse). */
  | { type: 'tool-call'; id: string; name: string; input: unknown }
  /** The tool's answer; `ok: false` means it went back to the model as an error. */
  | { type: 'tool-result'; id: string; name: string; ok: boolean; summary: string }
  | { type: 'edit-applied'; change: AgentChange; index: number }
  | { type: 'edit-rejected'; reason: string; search: string; findingIds: string[] }
  /** A request failed and will be retried after `waitMs`. `status` is the HTTP status (undefined for a connection error). */
  | { type: 'retry'; status: number | undefined; attempt: number; maxRetries: number; waitMs: number; message: string }
  /** Running totals for the whole run; `costUsd` is null when the model has no known price. */
  | { type: 'usage'; usage: AgentUsage; costUsd: number | null }
  /** Something the user should read (e.g. the stream was cut and the run is incomplete). */
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

/** Why a run did not complete. */
export type AgentErrorKind =
  | 'auth'
  | 'rate-limit'
  | 'overloaded'
  | 'server'
  | 'network'
  | 'step-limit'
  | 'bad-request'
  /** The API answered 404 `not_found_error` for the model id: the model setting must change. */
  | 'model-not-found'
  | 'cancelled';

/** The outcome of {@link runAgent} (src/agent/loop.ts). */
export interface AgentResult {
  /**
   * `complete`: the model called `finish` or ended its turn. `incomplete`: stopped early with the
   * edits so far kept: step limit, a stream cut or stalled mid-message, or a request that still
   * failed after retries once at least one edit was made. `cancelled`: the signal aborted.
   * `failed`: auth or bad-request errors, or a request that failed after retries before any edit.
   * In every case `proposal`/`changes` hold the edits applied so far; the caller decides what to offer.
   */
  status: 'complete' | 'incomplete' | 'cancelled' | 'failed';
  /** The edited proposal (same line endings as the input proposal). */
  proposal: string;
  changes: AgentChange[];
  /** The model's `finish` summary, or its last text when it ended its turn without `finish`. */
  summary?: string;
  usage: AgentUsage;
  /** Total cost in USD, or null when the model's price is unknown (show "cost unknown"). */
  costUsd: number | null;
  /** Model turns used. */
  steps: number;
  error?: { kind: AgentErrorKind; message: string };
}

/** Result of {@link applyEditBlock}. */
export type EditBlockResult =
  | { ok: true; text: string; /** UTF-16 offset where `search` was found. */ offset: number }
  | { ok: false; reason: 'not-found' | 'ambiguous'; /** How many times `search` occurs (overlapping counted). */ matches: number };

/**
 * Replaces the one occurrence of `search` in `text` by `replace`. Exact, case- and
 * whitespace-sensitive matching only: when `search` occurs zero times the result is `not-found`,
 * more than once (overlapping occurrences counted) `ambiguous`; the text is then not changed.
 * An empty `search` is `ambiguous` (it matches everywhere). `$` patterns in `replace` are literal.
 */
export function applyEditBlock(text: string, search: string, replace: string): EditBlockResult {
  if (search.length === 0) return { ok: false, reason: 'ambiguous', matches: text.length + 1 };
  const first = text.indexOf(search);
  if (first === -1) return { ok: false, reason: 'not-found', matches: 0 };
  let matches = 1;
  for (let i = text.indexOf(search, first + 1); i !== -1; i = text.indexOf(search, i + 1)) matches++;
  if (matches > 1) return { ok: false, reason: 'ambiguous', matches };
  return { ok: true, text: text.slice(0, first) + replace + text.slice(first + search.length), offset: first };
}
