/**
 * The agent loop: streams Messages API turns with the real `@anthropic-ai/sdk`, runs the tools
 * the model calls, and returns the edited proposal. See {@link runAgent}.
 *
 * Each turn is one `client.messages.stream(...)`: the SDK's MessageStream accumulates the content
 * blocks, tool inputs and usage of the streamed message (`finalMessage()`, and the snapshot passed
 * to its `streamEvent` listener); this loop only reports progress from those events.
 * Retries are our own (SDK `maxRetries: 0`) so every retry is reported to the host as an event.
 * The SDK's request timeout only covers the wait for response headers, so a stream that stalls is
 * caught by an idle watchdog (no SSE event for `requestTimeoutMs`).
 */

import Anthropic, { AnthropicError, APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import type {
  ContentBlock,
  ContentBlockParam,
  Message,
  MessageParam,
  MessageStreamParams,
  ToolResultBlockParam,
  ToolUseBlock,
  Usage,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { detectEol } from '../core/text';
import { emptyUsage, priceFor, requestCostUsd, type RequestUsage } from './cost';
import { buildUserMessage, SYSTEM_PROMPT } from './prompts';
import { runTool, TOOL_DEFINITIONS, type ToolState } from './tools';
import { DEFAULT_MODEL, type AgentErrorKind, type AgentEvent, type AgentHost, type AgentInput, type AgentPhase, type AgentResult, type AgentSettings, type AgentUsage } from './types';

/** What to tell the user when the key is rejected and the host gave no {@link AgentHost.authHelp}. */
export const DEFAULT_AUTH_HELP = 'run "HIP Porter: Set Anthropic API Key"';

/** What to tell the user when the API does not know the model and the host gave no {@link AgentHost.modelHelp}. */
export const DEFAULT_MODEL_HELP = 'change the setting "hipPorter.agent.model"';

/** A finished assistant message, as the SDK accumulated it. */
interface Turn {
  message: Message;
  /**
   * Why the input of a tool_use block (by block id) is not valid JSON. The SDK parses tool input
   * leniently (partial JSON, for progress display), so a cut or broken input would otherwise run
   * as a truncated object; the raw `input_json_delta` text is checked with `JSON.parse`.
   */
  badInput: Map<string, string>;
}

/** A classified request failure. */
interface Failure {
  kind: AgentErrorKind;
  retryable: boolean;
  status: number | undefined;
  retryAfterMs?: number;
  /** Short technical description (already redacted), e.g. `429 rate_limit_error: ...`. */
  detail: string;
}

type TurnOutcome =
  | { kind: 'ok'; turn: Turn }
  | { kind: 'cut'; detail: string; failure?: Failure }
  | { kind: 'failed'; failure: Failure; attempts: number }
  | { kind: 'cancelled' };

class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/**
 * The model streamed a tool input that is not JSON even in part (the SDK's accumulation parses it
 * as it arrives and ends the stream there). The turn is lost; the request is retried.
 */
class MalformedToolInput extends Error {}

/** Sleeps `ms`, rejecting with {@link Cancelled} as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Cancelled());
    const onAbort = () => {
      clearTimeout(t);
      reject(new Cancelled());
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Parses `retry-after-ms` / `retry-after` (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  if (Number.isFinite(Number(ra))) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Classifies an error thrown by the SDK or by the stream. `redact` scrubs secrets from text. */
function classify(e: unknown, redact: (s: string) => string): Failure {
  // MessageStream wraps errors that are not the SDK's own (a socket reset mid-stream) in a plain AnthropicError with the original as `cause`.
  if (e instanceof AnthropicError && !(e instanceof APIError) && e.cause instanceof Error) return classify(e.cause, redact);
  if (e instanceof MalformedToolInput) return { kind: 'server', retryable: true, status: undefined, detail: redact(e.message) };
  if (e instanceof APIConnectionTimeoutError) {
    return { kind: 'network', retryable: true, status: undefined, detail: 'request timed out' };
  }
  if (e instanceof APIConnectionError) {
    const why = e.cause instanceof Error ? e.cause.message : e.message;
    return { kind: 'network', retryable: true, status: undefined, detail: redact(`connection error: ${why}`) };
  }
  if (e instanceof APIError) {
    const status: number | undefined = e.status;
    const apiMsg = redact(e.apiMessage ?? e.message);
    const type = e.type ?? '';
    const detail = `${status ?? 'stream'}${type ? ` ${type}` : ''}: ${apiMsg}`;
    const should = e.headers?.get('x-should-retry');
    const retryAfterMs = parseRetryAfter(e.headers);
    const base = (kind: AgentErrorKind, retryable: boolean): Failure => ({
      kind,
      retryable: should === 'false' ? false : should === 'true' ? true : retryable,
      status,
      detail,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
    if (status === 401 || status === 403) return { kind: 'auth', retryable: false, status, detail };
    // The API answers an unknown model id with 404 not_found_error "model: <id>".
    if (status === 404 && (type === 'not_found_error' || type === '') && /\bmodel\b/i.test(apiMsg)) return { kind: 'model-not-found', retryable: false, status, detail };
    if (status === 429) return base('rate-limit', true);
    if (status === 529) return base('overloaded', true);
    if (status !== undefined && status >= 500) return base('server', true);
    if (status === 408 || status === 409) return base('server', true);
    if (status !== undefined) return base('bad-request', false);
    // An SSE `error` event: no HTTP status, only the error type.
    if (type === 'overloaded_error') return base('overloaded', true);
    if (type === 'rate_limit_error') return base('rate-limit', true);
    if (type === 'api_error' || type === 'timeout_error') return base('server', true);
    return base('bad-request', false);
  }
  const msg = e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);
  return { kind: 'network', retryable: true, status: undefined, detail: redact(msg) };
}

/** Adds a prompt-cache breakpoint on the last block of the last message (copying, never mutating). */
function withCacheBreakpoint(messages: MessageParam[]): MessageParam[] {
  const last = messages[messages.length - 1];
  if (!last || last.role === 'system' || typeof last.content === 'string') return messages;
  const lb = last.content[last.content.length - 1];
  if (lb?.type !== 'text' && lb?.type !== 'tool_result') return messages;
  const content: ContentBlockParam[] = [...last.content.slice(0, -1), { ...lb, cache_control: { type: 'ephemeral' } }];
  return [...messages.slice(0, -1), { ...last, content }];
}

/**
 * The assistant message to send back: the SDK's accumulated blocks, less empty text blocks (the
 * API rejects them), with `{}` as the input of a tool call whose input was not valid JSON.
 */
function toAssistantContent(blocks: readonly ContentBlock[], badInput: ReadonlyMap<string, string>): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const b of blocks) {
    if (b.type === 'text') {
      if (b.text !== '') out.push(b);
    } else if (b.type === 'tool_use') {
      const input = !badInput.has(b.id) && typeof b.input === 'object' && b.input !== null && !Array.isArray(b.input) ? b.input : {};
      out.push({ type: 'tool_use', id: b.id, name: b.name, input });
    } else out.push(b);
  }
  return out;
}

/** Copies the token counts of a message's (cumulative) `usage` into `into`. */
function readUsage(u: Usage, into: RequestUsage): void {
  into.inputTokens = u.input_tokens;
  into.outputTokens = u.output_tokens;
  into.cacheReadTokens = u.cache_read_input_tokens ?? into.cacheReadTokens;
  into.cacheWriteTokens = u.cache_creation_input_tokens ?? into.cacheWriteTokens;
  into.cacheWrite1hTokens = u.cache_creation?.ephemeral_1h_input_tokens ?? into.cacheWrite1hTokens;
}

/**
 * Runs the porting agent on one file.
 *
 * @param input the file, its deterministic proposal and open findings.
 * @param settings connection and budget (see {@link AgentSettings}; `DEFAULT_AGENT_SETTINGS` has defaults).
 * @param host callbacks: events (synchronous, in order), optional file reader and compiler.
 * @param signal aborts the run at once (the HTTP request is aborted); the result is then `cancelled`.
 * @returns never rejects for API, network or model problems: they end up in {@link AgentResult.error}.
 *   Rejects only for programming errors (e.g. invalid settings: throws `TypeError`).
 */
export async function runAgent(
  input: AgentInput,
  settings: AgentSettings,
  host: AgentHost,
  signal: AbortSignal = new AbortController().signal,
): Promise<AgentResult> {
  if (!Number.isInteger(settings.maxSteps) || settings.maxSteps < 1) throw new TypeError('settings.maxSteps must be a positive integer');
  if (!Number.isInteger(settings.maxOutputTokens) || settings.maxOutputTokens < 1) {
    throw new TypeError('settings.maxOutputTokens must be a positive integer');
  }
  if (!Number.isInteger(settings.maxRetries) || settings.maxRetries < 0) throw new TypeError('settings.maxRetries must be a non-negative integer');

  const key = settings.apiKey;
  const redact = (s: string): string => (key && key.length >= 4 ? s.split(key).join('[redacted]') : s);
  const emit = (e: AgentEvent): void => {
    try {
      host.onEvent(e);
    } catch {
      // A faulty listener must not break the run.
    }
  };
  const authHelp = host.authHelp ?? DEFAULT_AUTH_HELP;
  const modelHelp = host.modelHelp ?? DEFAULT_MODEL_HELP;

  // The model works on LF text without BOM; both are restored on return.
  const bom = input.proposal.charCodeAt(0) === 0xfeff;
  let text = bom ? input.proposal.slice(1) : input.proposal;
  const crlf = detectEol(text) === '\r\n' && !/(^|[^\r])\n/.test(text);
  if (crlf) text = text.replace(/\r\n/g, '\n');
  const restore = (t: string): string => (bom ? '\ufeff' : '') + (crlf ? t.replace(/\n/g, '\r\n') : t);

  const state: ToolState = { proposal: text, changes: [] };
  const usage: AgentUsage = emptyUsage();
  const priced = priceFor(settings.model) !== undefined;
  let cost = 0;
  let steps = 0;
  let lastText = '';

  const result = (
    status: AgentResult['status'],
    error?: { kind: AgentErrorKind; message: string },
    summary?: string,
  ): AgentResult => {
    emit({ type: 'status', phase: 'done', step: steps, maxSteps: settings.maxSteps });
    const r: AgentResult = {
      status,
      proposal: restore(state.proposal),
      changes: state.changes.slice(),
      usage: { ...usage },
      costUsd: priced ? cost : null,
      steps,
    };
    if (summary !== undefined) r.summary = summary;
    if (error) r.error = { kind: error.kind, message: redact(error.message) };
    return r;
  };
  const keptNote = (): string =>
    state.changes.length === 0 ? 'No edits were made.' : `The ${state.changes.length} edit(s) made so far are kept for review.`;
  const cancelled = (): AgentResult => {
    emit({ type: 'notice', level: 'info', message: `Stopped. ${keptNote()}` });
    return result('cancelled', { kind: 'cancelled', message: `Stopped by the user. ${keptNote()}` });
  };
  const status = (phase: AgentPhase): void => emit({ type: 'status', phase, step: steps + 1, maxSteps: settings.maxSteps });

  const client = new Anthropic({
    apiKey: key,
    baseURL: settings.baseURL ?? null,
    maxRetries: 0,
    timeout: settings.requestTimeoutMs,
    logLevel: 'off',
    openTelemetry: false,
  });
  const apiHost = (() => {
    try {
      return new URL(settings.baseURL ?? 'https://api.anthropic.com').host;
    } catch {
      return 'the configured base URL';
    }
  })();

  const messages: MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: buildUserMessage(input, text) }] }];

  /** One streamed request, no retry. Throws request errors; returns a cut or a finished turn. */
  const streamOnce = async (): Promise<{ kind: 'ok'; turn: Turn } | { kind: 'cut'; detail: string; failure?: Failure }> => {
    const attempt = new AbortController();
    const onUserAbort = () => attempt.abort();
    signal.addEventListener('abort', onUserAbort, { once: true });
    let stalled = false;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        stalled = true;
        attempt.abort();
      }, settings.requestTimeoutMs);
    };
    const msgUsage: RequestUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 };
    let model = settings.model;
    let started = false;
    let stopped = false;
    /** Raw `input_json_delta` text of each tool_use block, by block index (see {@link Turn.badInput}). */
    const inputJson = new Map<number, string>();
    const badInput = new Map<string, string>();
    const pushUsage = () => {
      const c = requestCostUsd(model, msgUsage) ?? requestCostUsd(settings.model, msgUsage) ?? 0;
      emit({
        type: 'usage',
        usage: {
          inputTokens: usage.inputTokens + msgUsage.inputTokens,
          outputTokens: usage.outputTokens + msgUsage.outputTokens,
          cacheReadTokens: usage.cacheReadTokens + msgUsage.cacheReadTokens,
          cacheWriteTokens: usage.cacheWriteTokens + msgUsage.cacheWriteTokens,
          requests: usage.requests + 1,
        },
        costUsd: priced ? cost + c : null,
      });
    };
    const commitUsage = () => {
      if (!started) return;
      usage.inputTokens += msgUsage.inputTokens;
      usage.outputTokens += msgUsage.outputTokens;
      usage.cacheReadTokens += msgUsage.cacheReadTokens;
      usage.cacheWriteTokens += msgUsage.cacheWriteTokens;
      usage.requests += 1;
      cost += requestCostUsd(model, msgUsage) ?? requestCostUsd(settings.model, msgUsage) ?? 0;
    };
    const params: MessageStreamParams = {
      model: settings.model,
      max_tokens: settings.maxOutputTokens,
      system: [{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
      tools: TOOL_DEFINITIONS,
      messages: withCacheBreakpoint(messages),
    };
    const stalledDetail = `no data for ${fmtMs(settings.requestTimeoutMs)}`;
    try {
      arm();
      const stream = client.messages.stream(params, { signal: attempt.signal, maxRetries: 0, timeout: settings.requestTimeoutMs });
      // The SDK calls this with each SSE event and its accumulated message so far, before its text/thinking events.
      stream.on('streamEvent', (ev, snapshot) => {
        arm();
        switch (ev.type) {
          case 'message_start':
            started = true;
            lastText = '';
            model = snapshot.model || settings.model;
            readUsage(snapshot.usage, msgUsage);
            status('streaming');
            pushUsage();
            break;
          case 'content_block_start':
            if (ev.content_block.type === 'text' && ev.content_block.text) emit({ type: 'text', delta: ev.content_block.text });
            break;
          case 'content_block_delta':
            if (ev.delta.type === 'input_json_delta') inputJson.set(ev.index, (inputJson.get(ev.index) ?? '') + ev.delta.partial_json);
            break;
          case 'content_block_stop': {
            const b = snapshot.content[ev.index];
            if (b?.type === 'tool_use') {
              const json = inputJson.get(ev.index) ?? '';
              if (json.trim() !== '') {
                try {
                  JSON.parse(json);
                } catch (err) {
                  badInput.set(b.id, err instanceof Error ? err.message : String(err));
                }
              }
              emit({ type: 'tool-call', id: b.id, name: b.name, input: badInput.has(b.id) ? json : b.input });
            } else if (b?.type === 'text') {
              lastText = b.text;
            }
            break;
          }
          case 'message_delta':
            readUsage(snapshot.usage, msgUsage);
            pushUsage();
            break;
          case 'message_stop':
            stopped = true;
            break;
        }
      });
      stream.on('text', (delta) => emit({ type: 'text', delta }));
      stream.on('thinking', (delta) => emit({ type: 'thinking', delta }));
      let message: Message;
      try {
        message = await stream.finalMessage();
      } catch (e) {
        if (signal.aborted) throw new Cancelled();
        if (!started) throw stalled ? new APIConnectionTimeoutError() : e;
        commitUsage();
        if (stalled) return { kind: 'cut', detail: stalledDetail };
        if (e instanceof AnthropicError && !(e instanceof APIError) && e.cause instanceof SyntaxError) {
          throw new MalformedToolInput(`the model sent a tool input that is not valid JSON (${e.cause.message})`);
        }
        // Ended without error but before message_stop: the SDK has no final message.
        if (!stopped && !stream.errored) return { kind: 'cut', detail: 'the connection closed before the message ended' };
        const failure = classify(e, redact);
        return { kind: 'cut', detail: failure.detail, failure };
      }
      commitUsage();
      return { kind: 'ok', turn: { message, badInput } };
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', onUserAbort);
    }
  };

  /** One turn with retries. */
  const requestTurn = async (): Promise<TurnOutcome> => {
    for (let attempt = 0; ; attempt++) {
      status('requesting');
      try {
        return await streamOnce();
      } catch (e) {
        if (e instanceof Cancelled || signal.aborted) return { kind: 'cancelled' };
        const f = classify(e, redact);
        if (!f.retryable || attempt >= settings.maxRetries) return { kind: 'failed', failure: f, attempts: attempt + 1 };
        let waitMs: number;
        if (f.retryAfterMs !== undefined) {
          if (f.retryAfterMs > settings.maxRetryAfterMs) return { kind: 'failed', failure: f, attempts: attempt + 1 };
          waitMs = f.retryAfterMs;
        } else {
          waitMs = Math.min(settings.retryMaxDelayMs, settings.retryBaseDelayMs * 2 ** attempt);
        }
        emit({
          type: 'retry',
          status: f.status,
          attempt: attempt + 1,
          maxRetries: settings.maxRetries,
          waitMs,
          message: `${retryLabel(f)}; retrying in ${(waitMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${settings.maxRetries}).`,
        });
        status('waiting-retry');
        try {
          await sleep(waitMs, signal);
        } catch {
          return { kind: 'cancelled' };
        }
      }
    }
  };

  const failureMessage = (f: Failure, attempts: number): string => {
    const tried = attempts > 1 ? ` after ${attempts} attempts` : '';
    switch (f.kind) {
      case 'auth':
        return `Anthropic API key rejected (${f.status ?? 401}): ${authHelp}.${f.status === 403 ? ` (${f.detail})` : ''}`;
      case 'model-not-found':
        return `The Anthropic API does not know the model "${settings.model}" (${f.detail}): ${modelHelp} to a current model id, e.g. ${DEFAULT_MODEL} (list: https://platform.claude.com/docs/en/about-claude/models/overview).`;
      case 'rate-limit':
        return f.retryAfterMs !== undefined && f.retryAfterMs > settings.maxRetryAfterMs
          ? `Anthropic API rate limit reached (429); the API asks to wait ${Math.ceil(f.retryAfterMs / 1000)} s. Try again later.`
          : `Anthropic API rate limit reached (429)${tried}. Try again later.`;
      case 'overloaded':
        return `The Anthropic API is overloaded (529)${tried}. Try again in a few minutes.`;
      case 'server':
        return `The Anthropic API had a server error (${f.status ?? 'stream'})${tried}: ${f.detail}`;
      case 'network':
        return `Could not reach the Anthropic API at ${apiHost}${tried}: ${f.detail}`;
      case 'bad-request':
        return `The Anthropic API rejected the request (${f.detail}).`;
      default:
        return f.detail;
    }
  };

  try {
    while (steps < settings.maxSteps) {
      if (signal.aborted) return cancelled();
      const out = await requestTurn();
      if (out.kind === 'cancelled') return cancelled();
      if (out.kind === 'failed') {
        const message = failureMessage(out.failure, out.attempts);
        emit({ type: 'notice', level: 'error', message: redact(`${message} ${keptNote()}`) });
        const fatal = out.failure.kind === 'auth' || out.failure.kind === 'bad-request';
        return result(fatal || state.changes.length === 0 ? 'failed' : 'incomplete', { kind: out.failure.kind, message });
      }
      if (out.kind === 'cut') {
        steps++;
        const message = `The response stream was cut off mid-message (${out.detail}); the run is incomplete. ${keptNote()}`;
        emit({ type: 'notice', level: 'warning', message: redact(message) });
        const kind: AgentErrorKind = out.failure && out.failure.kind !== 'bad-request' ? out.failure.kind : 'network';
        return result('incomplete', { kind, message });
      }
      steps++;
      const { message, badInput } = out.turn;
      const stopReason = message.stop_reason;
      const assistant = toAssistantContent(message.content, badInput);
      const toolUses = message.content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
      if (toolUses.length === 0) {
        if (stopReason === 'max_tokens') {
          if (assistant.length > 0) {
            messages.push({ role: 'assistant', content: assistant });
            messages.push({
              role: 'user',
              content: [{ type: 'text', text: 'Your reply hit the output token limit. Continue with small edit_proposal calls, then call finish.' }],
            });
          }
          continue;
        }
        if (stopReason === 'refusal') {
          const message = `The model declined to continue (refusal). ${keptNote()}`;
          emit({ type: 'notice', level: 'warning', message });
          return result('incomplete', undefined, lastText || undefined);
        }
        return result('complete', undefined, lastText.trim() || undefined);
      }
      messages.push({ role: 'assistant', content: assistant });
      const results: ToolResultBlockParam[] = [];
      for (const tu of toolUses) {
        if (signal.aborted) return cancelled();
        status('running-tool');
        let ok: boolean;
        let content: string;
        let summary: string;
        const parseError = badInput.get(tu.id);
        if (parseError !== undefined) {
          ok = false;
          content = `Invalid input for ${tu.name}: not valid JSON (${parseError})${stopReason === 'max_tokens' ? '; your reply was cut at the output token limit' : ''}. Nothing was done.`;
          summary = 'input was not valid JSON';
        } else {
          let o;
          try {
            o = await runTool(tu.name, tu.input, { input, host, signal, state });
          } catch (e) {
            if (signal.aborted) return cancelled();
            o = { ok: false, content: `The tool failed: ${e instanceof Error ? e.message : String(e)}`, summary: 'tool failed' };
          }
          ok = o.ok;
          content = o.content;
          summary = o.summary;
          if ('applied' in o && o.applied) emit({ type: 'edit-applied', change: o.applied, index: state.changes.length - 1 });
          if ('rejected' in o && o.rejected) emit({ type: 'edit-rejected', ...o.rejected });
        }
        emit({ type: 'tool-result', id: tu.id, name: tu.name, ok, summary });
        results.push({ type: 'tool_result', tool_use_id: tu.id, content, ...(ok ? {} : { is_error: true }) });
      }
      if (state.finishedSummary !== undefined) return result('complete', undefined, state.finishedSummary);
      messages.push({ role: 'user', content: results });
    }
    const message = `The agent used all ${settings.maxSteps} steps without finishing. ${keptNote()}`;
    emit({ type: 'notice', level: 'warning', message });
    return result('incomplete', { kind: 'step-limit', message });
  } catch (e) {
    if (e instanceof Cancelled || signal.aborted) return cancelled();
    throw e;
  }
}

/** `300 ms` below a second, else `12 s`. */
function fmtMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function retryLabel(f: Failure): string {
  switch (f.kind) {
    case 'rate-limit':
      return 'Rate limited by the Anthropic API (429)';
    case 'overloaded':
      return 'The Anthropic API is overloaded (529)';
    case 'server':
      return f.status === undefined && !f.detail.startsWith('stream') ? `Anthropic API stream error (${f.detail})` : `Anthropic API server error (${f.status ?? 'stream'})`;
    case 'network':
      return `Network problem (${f.detail})`;
    default:
      return f.detail;
  }
}
