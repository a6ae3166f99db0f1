/**
 * Every message between the extension host (src/extension/agent-panel.ts) and the agent panel
 * (src/webview/panel/main.ts), in two kinds:
 * - **command**: panel → host, no reply (`{ kind: 'command', method, params }`);
 * - **notification**: host → panel, no reply.
 * (The panel never needs an answer: the host pushes the whole state after `panel/view/ready` and
 * every change after that, so there is no request/response kind.)
 * Method names are `scope/noun/verb`. The handshake: the panel sends the `panel/view/ready`
 * command when its script starts; the host answers with the `panel/state/replace` notification
 * holding the whole {@link PanelState}. No Node or `vscode` import: this file is bundled into the
 * browser script too. The API key never appears in any message.
 */

import type { Severity } from '../core/findings';

/** A finding left for the agent or a human, as listed in the panel. */
export interface PanelFinding {
  /** `F1`, `F2`, … (the ids the agent ties its changes to). */
  id: string;
  /** Rule code, e.g. `HP201`. */
  code: string;
  severity: Severity;
  /** 1-based line in the proposal. */
  line: number;
  message: string;
}

/** One hunk of the proposal under review. */
export interface PanelHunk {
  /** Hunk id from src/extension/hunks.ts (stable across unrelated edits). */
  id: string;
  /** One-line description, e.g. `line 3: #include <cuda.h> → #include <hip/hip_runtime.h>`. */
  label: string;
  decision: 'pending' | 'accepted' | 'rejected';
  /** Lines removed from the original / added by the proposal. */
  removed: number;
  added: number;
  /** The agent's reason(s) for the change, with the finding ids it answers; absent for rule edits. */
  reason?: string;
}

/** One entry of the run transcript shown in the panel. */
export type TranscriptItem =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; id: string; name: string; input: string; ok?: boolean; result?: string }
  | { kind: 'retry'; status: number | null; attempt: number; maxRetries: number; waitMs: number; message: string }
  | { kind: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

/** Token counts and the formatted cost of the run so far. */
export interface PanelUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  requests: number;
  /** Already formatted (e.g. `$0.0123` or `cost unknown`). */
  cost: string;
}

/** What the run is doing. `deterministic`: no agent ran (no key, or switched off). */
export type RunStatus = 'idle' | 'running' | 'complete' | 'incomplete' | 'cancelled' | 'failed' | 'deterministic';

/** Everything the panel shows; the host keeps one and sends it whole on `panel/view/ready`. */
export interface PanelState {
  /** Workspace-relative path of the file being ported, when there is one. */
  file?: string;
  /** Workspace-relative path the accepted result will be written to. */
  target?: string;
  status: RunStatus;
  model?: string;
  step?: number;
  maxSteps?: number;
  /** Agent phase while running (`requesting`, `streaming`, `running-tool`, `waiting-retry`, `done`). */
  phase?: string;
  summary?: string;
  error?: string;
  transcript: TranscriptItem[];
  usage?: PanelUsage;
  findings: PanelFinding[];
  hunks: PanelHunk[];
  /** True while a proposal is open for review (Write is possible). */
  reviewing: boolean;
  /** Whether an API key is stored (never the key itself). */
  hasKey: boolean;
}

/** The empty state of a fresh panel. */
export function initialState(): PanelState {
  return { status: 'idle', transcript: [], findings: [], hunks: [], reviewing: false, hasKey: false };
}

// ---------------------------------------------------------------------------------------------
// Method tables: method name → params type.

/** Commands the panel sends (no reply). */
export interface CommandParams {
  'panel/view/ready': Record<string, never>;
  'agent/run/stop': Record<string, never>;
  'review/hunk/accept': { id: string };
  'review/hunk/reject': { id: string };
  'review/all/accept': Record<string, never>;
  'review/all/reject': Record<string, never>;
  'review/diff/open': Record<string, never>;
  'review/proposal/write': Record<string, never>;
  'settings/key/set': Record<string, never>;
}

/** Notifications the host sends. */
export interface NotificationParams {
  'panel/state/replace': { state: PanelState };
  'agent/run/started': { file: string; model: string; maxSteps: number };
  'agent/status/changed': { phase: string; step: number; maxSteps: number };
  'agent/text/appended': { delta: string };
  'agent/tool/called': { id: string; name: string; input: string };
  'agent/tool/returned': { id: string; name: string; ok: boolean; summary: string };
  'agent/retry/scheduled': { status: number | null; attempt: number; maxRetries: number; waitMs: number; message: string };
  'agent/notice/posted': { level: 'info' | 'warning' | 'error'; message: string };
  'agent/usage/updated': { usage: PanelUsage };
  'agent/run/finished': { status: RunStatus; summary?: string; error?: string };
  'review/findings/changed': { findings: PanelFinding[] };
  'review/hunks/changed': { file?: string; target?: string; hunks: PanelHunk[]; reviewing: boolean };
  'settings/key/changed': { hasKey: boolean };
  'panel/error/shown': { message: string };
}

export type CommandMethod = keyof CommandParams;
export type NotificationMethod = keyof NotificationParams;

/** A command message (panel → host). */
export type PanelCommand = { [M in CommandMethod]: { kind: 'command'; method: M; params: CommandParams[M] } }[CommandMethod];
/** A notification message (host → panel). */
export type HostNotification = { [M in NotificationMethod]: { kind: 'notification'; method: M; params: NotificationParams[M] } }[NotificationMethod];

/** Everything the panel may post. */
export type PanelMessage = PanelCommand;
/** Everything the host may post. */
export type HostMessage = HostNotification;

// ---------------------------------------------------------------------------------------------
// Guards. Messages cross a trust boundary (the webview is a browser page): check everything.

type Check = (v: unknown) => boolean;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const int: Check = (v) => Number.isInteger(v);
const bool: Check = (v) => typeof v === 'boolean';
const opt = (c: Check): Check => (v) => v === undefined || c(v);
const oneOf = (...xs: readonly unknown[]): Check => (v) => xs.includes(v);
const arr = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);
const nullable = (c: Check): Check => (v) => v === null || c(v);
/** Object with exactly these keys allowed (extra keys rejected), each passing its check. */
const shape = (fields: Record<string, Check>): Check => (v) =>
  isObj(v) && Object.keys(v).every((k) => k in fields) && Object.entries(fields).every(([k, c]) => c(v[k]));
const empty: Check = (v) => v === undefined || (isObj(v) && Object.keys(v).length === 0);

const RUN_STATUS = oneOf('idle', 'running', 'complete', 'incomplete', 'cancelled', 'failed', 'deterministic');
const LEVEL = oneOf('info', 'warning', 'error');
const findingCheck = shape({ id: str, code: str, severity: oneOf('error', 'warning', 'information', 'hint'), line: int, message: str });
const hunkCheck = shape({ id: str, label: str, decision: oneOf('pending', 'accepted', 'rejected'), removed: int, added: int, reason: opt(str) });
const usageCheck = shape({ inputTokens: int, outputTokens: int, cacheReadTokens: int, cacheWriteTokens: int, requests: int, cost: str });
const itemCheck: Check = (v) => {
  if (!isObj(v)) return false;
  switch (v.kind) {
    case 'text':
      return shape({ kind: str, text: str })(v);
    case 'tool':
      return shape({ kind: str, id: str, name: str, input: str, ok: opt(bool), result: opt(str) })(v);
    case 'retry':
      return shape({ kind: str, status: nullable(int), attempt: int, maxRetries: int, waitMs: num, message: str })(v);
    case 'notice':
      return shape({ kind: str, level: LEVEL, message: str })(v);
    default:
      return false;
  }
};
const stateCheck = shape({
  file: opt(str),
  target: opt(str),
  status: RUN_STATUS,
  model: opt(str),
  step: opt(int),
  maxSteps: opt(int),
  phase: opt(str),
  summary: opt(str),
  error: opt(str),
  transcript: arr(itemCheck),
  usage: opt(usageCheck),
  findings: arr(findingCheck),
  hunks: arr(hunkCheck),
  reviewing: bool,
  hasKey: bool,
});

const COMMAND_CHECKS: { [M in CommandMethod]: Check } = {
  'panel/view/ready': empty,
  'agent/run/stop': empty,
  'review/hunk/accept': shape({ id: str }),
  'review/hunk/reject': shape({ id: str }),
  'review/all/accept': empty,
  'review/all/reject': empty,
  'review/diff/open': empty,
  'review/proposal/write': empty,
  'settings/key/set': empty,
};
const NOTIFICATION_CHECKS: { [M in NotificationMethod]: Check } = {
  'panel/state/replace': shape({ state: stateCheck }),
  'agent/run/started': shape({ file: str, model: str, maxSteps: int }),
  'agent/status/changed': shape({ phase: str, step: int, maxSteps: int }),
  'agent/text/appended': shape({ delta: str }),
  'agent/tool/called': shape({ id: str, name: str, input: str }),
  'agent/tool/returned': shape({ id: str, name: str, ok: bool, summary: str }),
  'agent/retry/scheduled': shape({ status: nullable(int), attempt: int, maxRetries: int, waitMs: num, message: str }),
  'agent/notice/posted': shape({ level: LEVEL, message: str }),
  'agent/usage/updated': shape({ usage: usageCheck }),
  'agent/run/finished': shape({ status: RUN_STATUS, summary: opt(str), error: opt(str) }),
  'review/findings/changed': shape({ findings: arr(findingCheck) }),
  'review/hunks/changed': shape({ file: opt(str), target: opt(str), hunks: arr(hunkCheck), reviewing: bool }),
  'settings/key/changed': shape({ hasKey: bool }),
  'panel/error/shown': shape({ message: str }),
};

const has = <T extends object>(table: T, k: unknown): k is keyof T => typeof k === 'string' && Object.prototype.hasOwnProperty.call(table, k);

/** True for a well-formed {@link PanelCommand}. */
export function isPanelCommand(m: unknown): m is PanelCommand {
  return isObj(m) && m.kind === 'command' && has(COMMAND_CHECKS, m.method) && COMMAND_CHECKS[m.method](m.params) && Object.keys(m).every((k) => k === 'kind' || k === 'method' || k === 'params');
}

/** True for a well-formed {@link HostNotification}. */
export function isHostNotification(m: unknown): m is HostNotification {
  return isObj(m) && m.kind === 'notification' && has(NOTIFICATION_CHECKS, m.method) && NOTIFICATION_CHECKS[m.method](m.params);
}

/** True for a well-formed {@link PanelState} (used when restoring the panel's saved state). */
export function isPanelState(v: unknown): v is PanelState {
  return stateCheck(v);
}

/** Builds a notification (typed by method). */
export function notification<M extends NotificationMethod>(method: M, params: NotificationParams[M]): HostNotification {
  return { kind: 'notification', method, params } as HostNotification;
}

/** Builds a command (typed by method). */
export function command<M extends CommandMethod>(method: M, params: CommandParams[M]): PanelCommand {
  return { kind: 'command', method, params } as PanelCommand;
}

// ---------------------------------------------------------------------------------------------
// State reducer, shared by host and panel so both hold the same state.

/** Maximum transcript entries kept; older ones are dropped (the panel is not a log file). */
export const MAX_TRANSCRIPT = 400;
/** Maximum characters of one streamed text entry kept (older text is cut from the front). */
export const MAX_TEXT = 50_000;

/**
 * Applies a notification to a state and returns the new state (the input is not modified).
 * `panel/error/shown` adds an error notice to the transcript.
 */
export function reduce(s: PanelState, n: HostNotification): PanelState {
  const push = (item: TranscriptItem): TranscriptItem[] => {
    const t = [...s.transcript, item];
    return t.length > MAX_TRANSCRIPT ? t.slice(t.length - MAX_TRANSCRIPT) : t;
  };
  switch (n.method) {
    case 'panel/state/replace':
      return n.params.state;
    case 'agent/run/started': {
      const { file, model, maxSteps } = n.params;
      return { ...s, file, model, maxSteps, step: 0, status: 'running', phase: 'requesting', transcript: [], summary: undefined, error: undefined, usage: undefined, hunks: [], reviewing: false };
    }
    case 'agent/status/changed':
      return { ...s, phase: n.params.phase, step: n.params.step, maxSteps: n.params.maxSteps };
    case 'agent/text/appended': {
      const last = s.transcript[s.transcript.length - 1];
      if (last?.kind === 'text') {
        let text = last.text + n.params.delta;
        if (text.length > MAX_TEXT) text = '…' + text.slice(text.length - MAX_TEXT + 1);
        return { ...s, transcript: [...s.transcript.slice(0, -1), { kind: 'text', text }] };
      }
      return { ...s, transcript: push({ kind: 'text', text: n.params.delta }) };
    }
    case 'agent/tool/called':
      return { ...s, transcript: push({ kind: 'tool', id: n.params.id, name: n.params.name, input: n.params.input }) };
    case 'agent/tool/returned': {
      const i = s.transcript.findIndex((t) => t.kind === 'tool' && t.id === n.params.id);
      if (i === -1) return { ...s, transcript: push({ kind: 'tool', id: n.params.id, name: n.params.name, input: '', ok: n.params.ok, result: n.params.summary }) };
      const t = [...s.transcript];
      t[i] = { ...(t[i] as Extract<TranscriptItem, { kind: 'tool' }>), ok: n.params.ok, result: n.params.summary };
      return { ...s, transcript: t };
    }
    case 'agent/retry/scheduled':
      return { ...s, transcript: push({ kind: 'retry', ...n.params }) };
    case 'agent/notice/posted':
      return { ...s, transcript: push({ kind: 'notice', ...n.params }) };
    case 'agent/usage/updated':
      return { ...s, usage: n.params.usage };
    case 'agent/run/finished':
      return { ...s, status: n.params.status, summary: n.params.summary, error: n.params.error, phase: 'done' };
    case 'review/findings/changed':
      return { ...s, findings: n.params.findings };
    case 'review/hunks/changed':
      return { ...s, hunks: n.params.hunks, reviewing: n.params.reviewing, file: n.params.file ?? s.file, target: n.params.target ?? s.target };
    case 'settings/key/changed':
      return { ...s, hasKey: n.params.hasKey };
    case 'panel/error/shown':
      return { ...s, transcript: push({ kind: 'notice', level: 'error', message: n.params.message }) };
  }
}
