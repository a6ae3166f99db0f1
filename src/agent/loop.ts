/**
 * The agent loop: streams Messages API turns with the real `@anthropic-ai/sdk`, runs the tools
 * the model calls, and returns the edited proposal. See {@link runAgent}.
 *
 * Retries are our own (SDK `maxRetries: 0`) so every retry is reported to the host as an event.
 * The SDK's request timeout only covers the wait for response headers, so a stream that stalls is
 * caught by an idle watchdog (no SSE event for `requestTimeoutMs`).
 */

import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  RawMessageStreamEvent,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import { detectEol } from '../core/text';
import { emptyUsage, priceFor, requestCostUsd, type RequestUsage } from './cost';
import { buildUserMessage, SYSTEM_PROMPT } from './prompts';
import { runTool, TOOL_DEFINITIONS, type ToolState } from './tools';
import { DEFAULT_MODEL, type AgentErrorKind, type AgentEvent, type AgentHost, type AgentInput, type AgentPhase, type AgentResult, type AgentSettings, type AgentUsage } from './types';

/** What to tell the user when the key is rejected and the host gave no {@link AgentHost.authHelp}. */
export const DEFAULT_AUTH_HELP = 'run "HIP Porter: Set Anthropic API Key"';

/** What to tell the user when the API does not know the model and the host gave no {@link AgentHost.modelHelp}. */
export const DEFAULT_MODEL_HELP = 'change the setting "hipPorter.agent.model"';

/** A content block being assembled from stream events. */
type Accum =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; json: string; input: unknown; parseError?: string }
  | { type: 'other'; raw: Record<string, unknown> };

/** A finished (or cut) assistant message. */
interface Turn {
  blocks: Accum[];
  stopReason: string | null;
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
  if (e instanceof APIConnectionTimeoutError) {
    return { kind: 'network', retryable: true, status: undefined, detail: 'request timed out' };
  }
  if (e instanceof APIConnectionError) {
    const cause = (e as { cause?: unknown }).cause;
    const why = cause instanceof Error ? cause.message : e.message;
    return { kind: 'network', retryable: true, status: undefined, detail: redact(`connection error: ${why}`) };
  }
  if (e instanceof APIError) {
    const status = e.status as number | undefined;
    const apiMsg = redact(String(e.apiMessage ?? (e.error as { error?: { message?: string } } | undefined)?.error?.message ?? e.message));
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
  if (messages.length === 0) return messages;
  const out = messages.slice();
  const last = out[out.length - 1]!;
  if (Array.isArray(last.content) && last.content.length > 0) {
    const content = (last.content as ContentBlockParam[]).slice();
    const lb = content[content.length - 1]! as ContentBlockParam & { cache_control?: unknown };
    if (lb.type === 'text' || lb.type === 'tool_result') {
      content[content.length - 1] = { ...lb, cache_control: { type: 'ephemeral' } } as ContentBlockParam;
      out[out.length - 1] = { ...last, content } as MessageParam;
    }
  }
  return out;
}

/** The assistant message to send back, built from the accumulated blocks. */
function toAssistantContent(blocks: Accum[]): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const b of blocks) {
    if (!b) continue;
    switch (b.type) {
      case 'text':
        if (b.text !== '') out.push({ type: 'text', text: b.text });
        break;
      case 'thinking':
        out.push({ type: 'thinking', thinking: b.thinking, signature: b.signature });
        break;
      case 'redacted_thinking':
        out.push({ type: 'redacted_thinking', data: b.data });
        break;
      case 'tool_use': {
        const input = typeof b.input === 'object' && b.input !== null && !Array.isArray(b.input) ? b.input : {};
        out.push({ type: 'tool_use', id: b.id, name: b.name, input });
        break;
      }
      case 'other':
        out.push(b.raw as unknown as ContentBlockParam);
        break;
    }
  }
  return out;
}

function readUsage(u: Record<string, unknown> | null | undefined, into: RequestUsage): void {
  if (!u) return;
  const num = (k: string): number | undefined => (typeof u[k] === 'number' ? (u[k] as number) : undefined);
  into.inputTokens = num('input_tokens') ?? into.inputTokens;
  into.outputTokens = num('output_tokens') ?? into.outputTokens;
  into.cacheReadTokens = num('cache_read_input_tokens') ?? into.cacheReadTokens;
  into.cacheWriteTokens = num('cache_creation_input_tokens') ?? into.cacheWriteTokens;
  const cc = u['cache_creation'];
  if (cc && typeof cc === 'object') {
    const h = (cc as Record<string, unknown>)['ephemeral_1h_input_tokens'];
    if (typeof h === 'number') into.cacheWrite1hTokens = h;
  }
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
    const blocks: Accum[] = [];
    let stopReason: string | null = null;
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
    try {
      const params: MessageCreateParamsStreaming = {
        model: settings.model,
        max_tokens: settings.maxOutputTokens,
        stream: true,
        system: [{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
        tools: TOOL_DEFINITIONS,
        messages: withCacheBreakpoint(messages),
      };
      arm();
      const stream = await client.messages.create(params, { signal: attempt.signal, maxRetries: 0, timeout: settings.requestTimeoutMs });
      try {
        for await (const ev of stream as AsyncIterable<RawMessageStreamEvent>) {
          arm();
          handleEvent(ev);
        }
      } catch (e) {
        if (signal.aborted) throw new Cancelled();
        if (!started) throw e;
        commitUsage();
        return { kind: 'cut', detail: stalled ? `no data for ${fmtMs(settings.requestTimeoutMs)}` : classify(e, redact).detail, failure: classify(e, redact) };
      }
      if (signal.aborted) throw new Cancelled();
      if (stalled && !started) throw new APIConnectionTimeoutError();
      commitUsage();
      if (!stopped) {
        return { kind: 'cut', detail: stalled ? `no data for ${fmtMs(settings.requestTimeoutMs)}` : 'the connection closed before the message ended' };
      }
      return { kind: 'ok', turn: { blocks, stopReason } };
    } catch (e) {
      if (signal.aborted || e instanceof APIUserAbortError) {
        if (signal.aborted) throw new Cancelled();
        if (stalled) throw new APIConnectionTimeoutError();
      }
      throw e;
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', onUserAbort);
    }

    function handleEvent(ev: RawMessageStreamEvent): void {
      switch (ev.type) {
        case 'message_start':
          started = true;
          lastText = '';
          model = ev.message.model || settings.model;
          readUsage(ev.message.usage as unknown as Record<string, unknown>, msgUsage);
          status('streaming');
          pushUsage();
          break;
        case 'content_block_start': {
          const cb = ev.content_block as unknown as Record<string, unknown> & { type: string };
          if (cb.type === 'text') blocks[ev.index] = { type: 'text', text: String(cb['text'] ?? '') };
          else if (cb.type === 'thinking') blocks[ev.index] = { type: 'thinking', thinking: String(cb['thinking'] ?? ''), signature: String(cb['signature'] ?? '') };
          else if (cb.type === 'redacted_thinking') blocks[ev.index] = { type: 'redacted_thinking', data: String(cb['data'] ?? '') };
          else if (cb.type === 'tool_use') blocks[ev.index] = { type: 'tool_use', id: String(cb['id']), name: String(cb['name']), json: '', input: cb['input'] };
          else blocks[ev.index] = { type: 'other', raw: cb };
          if (cb.type === 'text' && cb['text']) emit({ type: 'text', delta: String(cb['text']) });
          break;
        }
        case 'content_block_delta': {
          const b = blocks[ev.index];
          const d = ev.delta as unknown as Record<string, unknown> & { type: string };
          if (!b) break;
          if (d.type === 'text_delta' && b.type === 'text') {
            b.text += String(d['text']);
            emit({ type: 'text', delta: String(d['text']) });
          } else if (d.type === 'input_json_delta' && b.type === 'tool_use') {
            b.json += String(d['partial_json']);
          } else if (d.type === 'thinking_delta' && b.type === 'thinking') {
            b.thinking += String(d['thinking']);
            emit({ type: 'thinking', delta: String(d['thinking']) });
          } else if (d.type === 'signature_delta' && b.type === 'thinking') {
            b.signature = String(d['signature']);
          }
          break;
        }
        case 'content_block_stop': {
          const b = blocks[ev.index];
          if (b?.type === 'tool_use') {
            if (b.json.trim() !== '') {
              try {
                b.input = JSON.parse(b.json);
              } catch (err) {
                b.parseError = (err as Error).message;
              }
            } else if (b.input === undefined) {
              b.input = {};
            }
            emit({ type: 'tool-call', id: b.id, name: b.name, input: b.parseError ? b.json : b.input });
          } else if (b?.type === 'text') {
            lastText = b.text;
          }
          break;
        }
        case 'message_delta':
          stopReason = ev.delta.stop_reason ?? stopReason;
          readUsage(ev.usage as unknown as Record<string, unknown>, msgUsage);
          pushUsage();
          break;
        case 'message_stop':
          stopped = true;
          break;
      }
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
      const { blocks, stopReason } = out.turn;
      const assistant = toAssistantContent(blocks);
      const toolUses = blocks.filter((b): b is Extract<Accum, { type: 'tool_use' }> => b?.type === 'tool_use');
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
        if (tu.parseError !== undefined) {
          ok = false;
          content = `Invalid input for ${tu.name}: not valid JSON (${tu.parseError})${stopReason === 'max_tokens' ? '; your reply was cut at the output token limit' : ''}. Nothing was done.`;
          summary = 'input was not valid JSON';
        } else {
          let o;
          try {
            o = await runTool(tu.name, tu.input, { input, host, signal, state });
          } catch (e) {
            if (signal.aborted) return cancelled();
            o = { ok: false, content: `The tool failed: ${(e as Error).message}`, summary: 'tool failed' };
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
      return `Anthropic API server error (${f.status ?? 'stream'})`;
    case 'network':
      return `Network problem (${f.detail})`;
    default:
      return f.detail;
  }
}
