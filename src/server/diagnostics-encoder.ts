/**
 * JSON encoding of outgoing LSP messages for stream transports (`--stdio`, sockets, pipes), with a
 * fast path for `textDocument/publishDiagnostics`.
 *
 * A 10k-line CUDA file has ~4k diagnostics (~1.1 MB of JSON); with vscode-jsonrpc's default
 * encoder every keystroke pays `JSON.stringify` of all of them plus UTF-8 encoding. Between two
 * keystrokes almost every diagnostic keeps its severity, code, source, message, link and tags;
 * only its range and `data` move. So each diagnostic is written as
 * `{"range":…,"data":…` (built per publish) followed by the UTF-8 bytes of the rest, cached per
 * document from the previous publish. The bytes decode to the same JSON value `JSON.stringify`
 * gives (keys may come in another order, which JSON does not give meaning to).
 *
 * Runs of the very same diagnostic objects at the start and at the end of the previous publish of
 * a document (the diagnostics before the edit, and after its line, which the server reuses) are
 * copied from that publish's bytes in one block each. So a diagnostic object must not be mutated
 * once published (the server never does).
 *
 * Every message is written as pure ASCII: characters beyond U+007F (the `→` of rename notes, the
 * `…` of elided calls) are written as `\uXXXX` escapes, which decode to the same strings. The
 * client decodes each message with `Buffer.toString('utf8')` (vscode-jsonrpc's node `ril.js`),
 * whose ASCII fast path is lost on the first non-ASCII byte (bench/lsp-bench.mjs measures the
 * difference), and the two-byte string it then produces is slower for `JSON.parse` to scan.
 *
 * Node IPC (`--node-ipc`, which the extension does not use) serialises inside
 * `process.send`, so this encoder only serves stream transports.
 */
import type { ContentTypeEncoderOptions, Message } from 'vscode-jsonrpc';

const PUBLISH = 'textDocument/publishDiagnostics';
/** Diagnostic fields the cached tail holds (besides range and data, written per publish). */
const TAIL_KEYS = new Set(['severity', 'code', 'source', 'message', 'codeDescription', 'tags']);

/** A growing byte buffer. */
class Bytes {
  buf: Buffer;
  len = 0;
  /**
   * @param capacity initial size in bytes (the previous publish's size avoids regrowing a 1 MB buffer from 64 KiB)
   * @param reuse a buffer of at least `capacity` bytes to write into instead of a new one
   */
  constructor(capacity = 1 << 16, reuse?: Buffer) {
    this.buf = reuse && reuse.length >= capacity ? reuse : Buffer.allocUnsafe(capacity);
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  /** Appends a string known to be ASCII (see {@link asciiJson}); short ones without a Buffer.write call, which costs more for them. */
  ascii(s: string): void {
    this.ensure(s.length);
    if (s.length > 64) {
      this.len += this.buf.write(s, this.len, 'latin1');
      return;
    }
    const buf = this.buf;
    let at = this.len;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.len = at;
  }
  /** Appends a finite number as JSON writes it (the range and data numbers of a diagnostic). */
  uint(n: number): void {
    if (n >= 0 && n < 10 && (n | 0) === n) {
      this.ensure(1);
      this.buf[this.len++] = 48 + n;
      return;
    }
    this.ascii(String(n));
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }
}

/**
 * A vscode-jsonrpc content-type encoder (`application/json`, UTF-8) that caches the JSON of
 * unchanged diagnostics per document. Any other message, a diagnostic with fields beyond
 * range/severity/code/source/message/codeDescription/tags/data, or a charset other than UTF-8
 * goes through plain `JSON.stringify`.
 */
export class DiagnosticsJsonEncoder {
  readonly name = 'application/json';
  /** Per document URI: the tails (UTF-8 bytes of `,"severity":…}`) of its latest publish, by message. */
  private readonly tails = new Map<string, TailCache>();
  /**
   * Per document URI: its latest publish: the diagnostic objects, the bytes written, and where
   * each diagnostic's JSON starts and ends in them.
   */
  private readonly last = new Map<string, Published>();
  /**
   * Per document URI: the buffers of its publish before last, written long ago, which the next
   * publish writes into instead of allocating a message-sized buffer (plus offset tables) per keystroke. Safe because
   * vscode-jsonrpc's StreamMessageWriter encodes a message only after the stream's write callback
   * of the previous one (one message at a time, lib/common/messageWriter.js), so the bytes returned
   * for a publish are never read again once the publish after next of the same document is encoded.
   */
  private readonly spare = new Map<string, Published>();

  /** Encodes one message; resolves to its UTF-8 JSON bytes. Never rejects for serialisable messages. */
  encode(msg: Message, options: ContentTypeEncoderOptions): Promise<Uint8Array> {
    const m = msg as { method?: unknown; id?: unknown; params?: { uri?: unknown; version?: unknown; diagnostics?: unknown } };
    const p = m.params;
    if (m.method === PUBLISH && m.id === undefined && options.charset === 'utf-8' && p && typeof p.uri === 'string' && Array.isArray(p.diagnostics)) {
      return Promise.resolve(this.publish(msg, p.uri, p.version, p.diagnostics as unknown[]));
    }
    return Promise.resolve(asciiBytes(JSON.stringify(msg)));
  }

  /** Forgets the cached diagnostics of every document (e.g. for tests). */
  clear(): void {
    this.tails.clear();
    this.last.clear();
    this.spare.clear();
  }

  private publish(msg: Message, uri: string, version: unknown, diagnostics: unknown[]): Buffer {
    // the params object's own keys beyond uri/version/diagnostics are not expected; be exact anyway
    const params = (msg as unknown as { params: Record<string, unknown> }).params;
    for (const k in params) {
      if (k !== 'uri' && k !== 'version' && k !== 'diagnostics' && params[k] !== undefined) return asciiBytes(JSON.stringify(msg));
    }
    const prev = this.last.get(uri);
    let tails = this.tails.get(uri);
    if (!tails || tails.size > 4 * diagnostics.length + 64) tails = new Map();
    const n = diagnostics.length;
    // runs of the very diagnostic objects of the previous publish, at its start and at its end,
    // are copied from its bytes in one block each (the server never mutates a published diagnostic)
    let head = 0;
    let tail = 0;
    if (prev) {
      const m = prev.diagnostics.length;
      while (head < n && head < m && diagnostics[head] === prev.diagnostics[head]) head++;
      while (tail < n - head && tail < m - head && diagnostics[n - 1 - tail] === prev.diagnostics[m - 1 - tail]) tail++;
    }
    const spare = this.spare.get(uri);
    const out = new Bytes(Math.max(1 << 16, Math.ceil((prev?.bytes.length ?? 0) * 1.0625)), spare?.buf);
    out.ascii(`{"jsonrpc":"2.0","method":"${PUBLISH}","params":{"uri":${asciiJson(JSON.stringify(uri))}`);
    if (version !== undefined) out.ascii(`,"version":${asciiJson(JSON.stringify(version) ?? 'null')}`);
    out.ascii(',"diagnostics":[');
    const starts = spare && spare.starts.length >= n ? spare.starts : new Int32Array(n);
    const ends = spare && spare.ends.length >= n ? spare.ends : new Int32Array(n);
    if (head > 0) {
      const base = out.len - prev!.starts[0]!;
      out.bytes(prev!.bytes.subarray(prev!.starts[0]!, prev!.ends[head - 1]!));
      for (let i = 0; i < head; i++) {
        starts[i] = prev!.starts[i]! + base;
        ends[i] = prev!.ends[i]! + base;
      }
    }
    for (let i = head; i < n - tail; i++) {
      if (i > 0) out.ascii(',');
      starts[i] = out.len;
      this.writeDiagnostic(out, diagnostics[i], tails);
      ends[i] = out.len;
    }
    if (tail > 0) {
      const m = prev!.diagnostics.length;
      if (n - tail > 0) out.ascii(',');
      const from = prev!.starts[m - tail]!;
      const base = out.len - from;
      out.bytes(prev!.bytes.subarray(from, prev!.ends[m - 1]!));
      for (let k = 0; k < tail; k++) {
        starts[n - tail + k] = prev!.starts[m - tail + k]! + base;
        ends[n - tail + k] = prev!.ends[m - tail + k]! + base;
      }
    }
    out.ascii(']}}');
    const bytes = out.buf.subarray(0, out.len);
    if (n) {
      this.tails.set(uri, tails);
      this.last.set(uri, { diagnostics: diagnostics.slice(), buf: out.buf, bytes, starts, ends });
      if (prev) this.spare.set(uri, prev);
      else this.spare.delete(uri);
    } else {
      this.tails.delete(uri);
      this.last.delete(uri);
      this.spare.delete(uri);
    }
    return bytes;
  }

  /** Writes one diagnostic's JSON (fast path for plain ones, `JSON.stringify` otherwise). */
  private writeDiagnostic(out: Bytes, x: unknown, tails: TailCache): void {
    if (!plain(x)) {
      out.ascii(asciiJson(JSON.stringify(x) ?? 'null'));
      return;
    }
    const d = x;
    const r = d.range;
    out.bytes(RANGE_START_LINE);
    out.uint(r.start.line);
    out.bytes(CHARACTER);
    out.uint(r.start.character);
    out.bytes(END_LINE);
    out.uint(r.end.line);
    out.bytes(CHARACTER);
    out.uint(r.end.character);
    out.bytes(CLOSE_RANGE);
    const data = d.data as { v?: unknown; i?: unknown } | undefined;
    if (data !== undefined) {
      if (isVersionIndex(data)) {
        out.bytes(DATA_V);
        out.uint(data.v as number);
        out.bytes(DATA_I);
        out.uint(data.i as number);
        out.bytes(CLOSE_DATA);
      } else {
        const json = JSON.stringify(data);
        if (json !== undefined) out.ascii(`,"data":${asciiJson(json)}`);
      }
    }
    let tail = find(tails, d);
    if (!tail) {
      tail = { d, bytes: asciiBytes(tailJson(d)) };
      const list = tails.get(d.message);
      if (list) list.push(tail);
      else tails.set(d.message, [tail]);
    }
    out.bytes(tail.bytes);
  }
}

const RANGE_START_LINE = Buffer.from('{"range":{"start":{"line":');
const CHARACTER = Buffer.from(',"character":');
const END_LINE = Buffer.from('},"end":{"line":');
const CLOSE_RANGE = Buffer.from('}}');
const DATA_V = Buffer.from(',"data":{"v":');
const DATA_I = Buffer.from(',"i":');
const CLOSE_DATA = Buffer.from('}');

/** True when `d` is exactly `{ v, i }` with non-negative safe integers (the server's own diagnostic data), in that key order. */
function isVersionIndex(d: unknown): d is { v: number; i: number } {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as Record<string, unknown>;
  let n = 0;
  for (const k in o) {
    if ((n === 0 && k !== 'v') || (n === 1 && k !== 'i') || n > 1) return false;
    n++;
  }
  return n === 2 && isUint(o.v) && isUint(o.i);
}

function isUint(x: unknown): boolean {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** One publish of a document as the encoder keeps it. */
interface Published {
  /** The diagnostic objects, in order. */
  diagnostics: unknown[];
  /** The buffer written into (`bytes` is its first part). */
  buf: Buffer;
  /** The UTF-8 JSON of the whole message. */
  bytes: Buffer;
  /** Byte offsets in `bytes` where each diagnostic's JSON starts and ends (the arrays may be longer than the list). */
  starts: Int32Array;
  ends: Int32Array;
}

/** A diagnostic as the fast path sees it (checked by {@link plain}). */
interface Diag {
  range: { start: Pos; end: Pos };
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
  codeDescription?: { href: string };
  tags?: number[];
  data?: unknown;
}

/** The JSON bytes of a diagnostic's tail, with the diagnostic they were made from. */
interface Tail {
  d: Diag;
  bytes: Buffer;
}

/** Cached tails of one document, by message. */
type TailCache = Map<string, Tail[]>;

/** The cached tail whose fields equal `d`'s, or undefined. */
function find(cache: TailCache | undefined, d: Diag): Tail | undefined {
  const list = cache?.get(d.message);
  if (!list) return undefined;
  for (const t of list) if (sameTail(t.d, d)) return t;
  return undefined;
}

function sameTail(a: Diag, b: Diag): boolean {
  if (a.severity !== b.severity || a.code !== b.code || a.source !== b.source) return false;
  if ((a.codeDescription === undefined) !== (b.codeDescription === undefined)) return false;
  if (a.codeDescription && a.codeDescription.href !== b.codeDescription!.href) return false;
  const at = a.tags;
  const bt = b.tags;
  if (at === undefined || bt === undefined) return at === bt;
  return at.length === bt.length && at.every((x, i) => x === bt[i]);
}

interface Pos {
  line: number;
  character: number;
}

function isPos(p: unknown): p is Pos {
  return typeof p === 'object' && p !== null && Number.isFinite((p as Pos).line) && Number.isFinite((p as Pos).character);
}

/** True when `d` is a diagnostic the fast path can write exactly: known keys, numeric range, JSON-plain tail values. */
function plain(x: unknown): x is Diag {
  if (typeof x !== 'object' || x === null || Object.getPrototypeOf(x) !== Object.prototype) return false;
  const d = x as Record<string, unknown>;
  for (const k in d) {
    if (k === 'range' || k === 'data') continue;
    if (!TAIL_KEYS.has(k)) return false;
  }
  const r = d.range as { start?: unknown; end?: unknown } | undefined;
  if (!r || !isPos(r.start) || !isPos(r.end)) return false;
  const cd = d.codeDescription as { href?: unknown } | undefined;
  if (cd !== undefined && (typeof cd !== 'object' || cd === null || Object.keys(cd).some((k) => k !== 'href') || typeof cd.href !== 'string')) return false;
  const tags = d.tags;
  if (tags !== undefined && (!Array.isArray(tags) || !tags.every((x) => typeof x === 'number'))) return false;
  const sev = d.severity;
  const code = d.code;
  return (
    (sev === undefined || typeof sev === 'number') &&
    (code === undefined || typeof code === 'string' || typeof code === 'number') &&
    (d.source === undefined || typeof d.source === 'string') &&
    typeof d.message === 'string'
  );
}

const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * `json` (a JSON text) with every UTF-16 code unit above U+007F written as a `\uXXXX` escape: the
 * same JSON value, in ASCII. Such code units only occur inside JSON strings, where the escape is
 * valid (RFC 8259 §7; a surrogate pair becomes two escapes, as the RFC spells them).
 */
export function asciiJson(json: string): string {
  NON_ASCII.lastIndex = 0;
  if (!NON_ASCII.test(json)) return json;
  return json.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The bytes of `json` written as ASCII (see {@link asciiJson}). */
function asciiBytes(json: string): Buffer {
  return Buffer.from(asciiJson(json), 'ascii');
}

/** `,"severity":…}`: the rest of the diagnostic object after range and data. */
function tailJson(d: Diag): string {
  const rest: Record<string, unknown> = {};
  for (const k of TAIL_KEYS) {
    const v = (d as unknown as Record<string, unknown>)[k];
    if (v !== undefined) rest[k] = v;
  }
  const json = JSON.stringify(rest);
  return json === '{}' ? '}' : `,${json.slice(1)}`;
}
