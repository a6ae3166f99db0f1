/**
 * A loopback HTTP server that speaks the Anthropic Messages API (POST /v1/messages, streaming),
 * for testing the agent with the real `@anthropic-ai/sdk`. Each request is answered by the next
 * step of a per-test script: a scripted SSE stream (optionally cut or left hanging) or an error
 * response. Every request is recorded and its shape validated; a request that violates the API's
 * rules (auth header, version header, cache_control, tool_use/tool_result pairing, ...) gets a
 * 400 `invalid_request_error` and its problems are kept in `problems` for the test to assert.
 */

import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One SSE event: `event: <event>\ndata: <JSON of data>\n\n`. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** One scripted answer. */
export type ScriptStep =
  | {
      kind: 'stream';
      events: SseEvent[];
      /** Destroy the socket after writing this many events (a stream cut mid-message). */
      cutAfter?: number;
      /** Stop writing after this many events and keep the connection open (for abort tests). */
      hangAfter?: number;
    }
  | { kind: 'error'; status: number; body: unknown; headers?: Record<string, string> };

/** What the server saw. `at`/`closedAt` are `performance.now()` milliseconds. */
export interface RecordedRequest {
  at: number;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  problems: string[];
  /** When the client closed the connection, if it did before the response ended. */
  closedAt?: number;
}

/** Token counts for a scripted message. */
export interface ScriptUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** A tool call in a scripted turn: `input` is JSON-encoded and split mid-JSON, or `rawJson` is sent as is. */
export type ScriptTool = { id: string; name: string; input: unknown } | { id: string; name: string; rawJson: string };

let msgCounter = 0;

/** Splits `s` into `n` roughly equal chunks (cutting anywhere, including mid-token). */
export function splitInto(s: string, n: number): string[] {
  if (s.length === 0) return [''];
  const size = Math.max(1, Math.ceil(s.length / n));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/**
 * The SSE events of one assistant message: optional text (sent in 3 deltas), tool_use blocks whose
 * input arrives in 3 `input_json_delta` chunks split mid-JSON, and the stop reason and usage.
 */
export function turn(opts: {
  text?: string;
  tools?: ScriptTool[];
  stop?: 'end_turn' | 'tool_use' | 'max_tokens' | 'refusal';
  usage: ScriptUsage;
  model?: string;
}): SseEvent[] {
  const ev: SseEvent[] = [];
  const u = opts.usage;
  ev.push({
    event: 'message_start',
    data: {
      type: 'message_start',
      message: {
        id: `msg_${++msgCounter}`,
        type: 'message',
        role: 'assistant',
        model: opts.model ?? 'claude-sonnet-5-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: u.input,
          output_tokens: 1,
          cache_creation_input_tokens: u.cacheWrite ?? 0,
          cache_read_input_tokens: u.cacheRead ?? 0,
          cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite ?? 0, ephemeral_1h_input_tokens: 0 },
        },
      },
    },
  });
  let index = 0;
  if (opts.text !== undefined) {
    ev.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } });
    for (const part of splitInto(opts.text, 3)) {
      ev.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } } });
    }
    ev.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    index++;
  }
  for (const t of opts.tools ?? []) {
    ev.push({
      event: 'content_block_start',
      data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} } },
    });
    const json = 'rawJson' in t ? t.rawJson : JSON.stringify(t.input);
    for (const part of splitInto(json, 3)) {
      ev.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } } });
    }
    ev.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    index++;
  }
  ev.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: opts.stop ?? (opts.tools?.length ? 'tool_use' : 'end_turn'), stop_sequence: null },
      usage: { output_tokens: u.output },
    },
  });
  ev.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return ev;
}

/** An error response with the Messages API's JSON error body. */
export function apiError(status: number, type: string, message: string, headers?: Record<string, string>): ScriptStep {
  return { kind: 'error', status, body: { type: 'error', error: { type, message } }, ...(headers ? { headers } : {}) };
}

/** Checks a request body and headers against the Messages API rules the agent must follow. */
function validate(headers: http.IncomingHttpHeaders, body: any, apiKey: string): string[] {
  const p: string[] = [];
  const auth = headers['authorization'];
  const xKey = headers['x-api-key'];
  if (auth !== `Bearer ${apiKey}` && xKey !== apiKey) p.push('missing or wrong credentials (Authorization: Bearer / x-api-key)');
  if (!headers['anthropic-version']) p.push('missing anthropic-version header');
  if (!String(headers['content-type'] ?? '').includes('application/json')) p.push('content-type is not JSON');
  if (!body || typeof body !== 'object') return [...p, 'body is not a JSON object'];
  if (typeof body.model !== 'string' || body.model === '') p.push('model missing');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) p.push('max_tokens missing');
  if (body.stream !== true) p.push('stream is not true');
  if (!Array.isArray(body.system) || body.system.length === 0) p.push('system is not a non-empty array of blocks');
  else if (body.system[body.system.length - 1]?.cache_control?.type !== 'ephemeral') p.push('last system block has no cache_control');
  if (!Array.isArray(body.tools) || body.tools.length === 0) p.push('tools missing');
  else {
    for (const t of body.tools) {
      if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) p.push(`bad tool name ${t.name}`);
      if (t.input_schema?.type !== 'object') p.push(`tool ${t.name}: input_schema.type must be object`);
    }
  }
  const breakpoints = JSON.stringify(body).split('"cache_control"').length - 1;
  if (breakpoints > 4) p.push(`${breakpoints} cache_control breakpoints (max 4)`);
  const msgs = body.messages;
  if (!Array.isArray(msgs) || msgs.length === 0) return [...p, 'messages missing'];
  if (msgs[0].role !== 'user') p.push('first message is not from the user');
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (i > 0 && m.role === msgs[i - 1].role) p.push(`messages ${i - 1} and ${i} have the same role`);
    const content = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (!Array.isArray(content) || content.length === 0) {
      p.push(`message ${i} has no content`);
      continue;
    }
    for (const b of content) {
      if (b.type === 'text' && (typeof b.text !== 'string' || b.text === '')) p.push(`message ${i}: empty text block`);
      if (b.type === 'tool_use' && (typeof b.input !== 'object' || b.input === null || Array.isArray(b.input))) {
        p.push(`message ${i}: tool_use input is not an object`);
      }
    }
    if (m.role === 'assistant') {
      const ids = content.filter((b: any) => b.type === 'tool_use').map((b: any) => b.id);
      const next = msgs[i + 1];
      if (ids.length && next) {
        const nextContent = Array.isArray(next.content) ? next.content : [];
        const results = nextContent.filter((b: any) => b.type === 'tool_result').map((b: any) => b.tool_use_id);
        for (const id of ids) if (!results.includes(id)) p.push(`tool_use ${id} has no tool_result in the next message`);
        if (nextContent.length && nextContent[0].type !== 'tool_result') p.push('tool_result blocks must come first');
      }
    }
  }
  return p;
}

/** The fake server. Start with {@link FakeMessagesServer.start}; give its `url` to the SDK as `baseURL`. */
export class FakeMessagesServer {
  readonly requests: RecordedRequest[] = [];
  /**
   * Model ids this server serves; `undefined` (default) accepts any. A request for another model is
   * answered as the real API answers an unknown id: 404 `not_found_error`, message `model: <id>`.
   */
  knownModels: string[] | undefined;
  private readonly script: ScriptStep[] = [];
  private readonly sockets = new Set<Socket>();
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  /** Starts a server on 127.0.0.1 with a free port that expects `apiKey`. */
  static async start(apiKey: string): Promise<FakeMessagesServer> {
    let self!: FakeMessagesServer;
    const server = http.createServer((req, res) => void self.handle(req, res, apiKey));
    server.on('connection', (s) => {
      self.sockets.add(s);
      s.on('close', () => self.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new FakeMessagesServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** Appends answers for the next requests, in order. */
  enqueue(...steps: ScriptStep[]): void {
    this.script.push(...steps);
  }

  /** Scripted answers not used yet. */
  get pending(): number {
    return this.script.length;
  }

  /** All validation problems seen so far. */
  get problems(): string[] {
    return this.requests.flatMap((r, i) => r.problems.map((p) => `request ${i + 1}: ${p}`));
  }

  /** Resolves when `n` requests have closed their connection (or `timeoutMs` passes: rejects). */
  async waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
    if (cond()) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for the fake server')), timeoutMs);
      const check = () => {
        if (cond()) {
          clearTimeout(t);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        }
      };
      this.waiters.push(check);
    });
  }

  private notify(): void {
    for (const w of this.waiters.slice()) w();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, apiKey: string): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const rec: RecordedRequest = { at: performance.now(), method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, problems: [] };
    if (rec.method !== 'POST' || !rec.url.startsWith('/v1/messages')) rec.problems.push(`unexpected ${rec.method} ${rec.url}`);
    rec.problems.push(...validate(req.headers, body, apiKey));
    this.requests.push(rec);
    res.on('close', () => {
      if (!res.writableFinished) rec.closedAt = performance.now();
      this.notify();
    });
    this.notify();
    if (rec.problems.length) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: rec.problems.join('; ') } }));
      return;
    }
    if (this.knownModels && !this.knownModels.includes(body.model)) {
      res.writeHead(404, { 'content-type': 'application/json', 'request-id': 'req_fake', 'x-should-retry': 'false' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `model: ${String(body.model)}` } }));
      return;
    }
    const step = this.script.shift();
    if (!step) {
      res.writeHead(500, { 'content-type': 'application/json', 'x-should-retry': 'false' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'fake server: script exhausted' } }));
      return;
    }
    if (step.kind === 'error') {
      res.writeHead(step.status, { 'content-type': 'application/json', 'request-id': 'req_fake', ...(step.headers ?? {}) });
      res.end(JSON.stringify(step.body));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': 'req_fake' });
    const limit = step.cutAfter ?? step.hangAfter ?? step.events.length;
    for (let i = 0; i < Math.min(limit, step.events.length); i++) {
      const e = step.events[i]!;
      res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    }
    if (step.cutAfter !== undefined) {
      // Let the written events reach the client, then drop the connection mid-message.
      await new Promise<void>((r) => res.write('', () => r()));
      req.socket.destroy();
      return;
    }
    if (step.hangAfter !== undefined) return; // keep the connection open
    res.end();
  }

  /** Stops the server, destroying open connections. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
