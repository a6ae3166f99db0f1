/**
 * The stdio message encoder (src/server/diagnostics-encoder.ts): every message it writes decodes
 * to the same JSON value as `JSON.stringify` gives, for real diagnostics of a fixture across
 * edits (cached tails reused), for random diagnostic shapes (fast-check), and for other messages;
 * and every message is pure ASCII.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Message } from 'vscode-jsonrpc';
import { initParser } from '../../src/core/parse';
import { DiagnosticsJsonEncoder } from '../../src/server/diagnostics-encoder';
import { toDiagnostics, visibleFindings } from '../../src/server/diagnostics';
import { DocumentState } from '../../src/server/document-state';

const UTF8 = { charset: 'utf-8' as const };

async function roundTrip(enc: DiagnosticsJsonEncoder, msg: object): Promise<void> {
  const bytes = await enc.encode(msg as Message, UTF8);
  // pure ASCII (non-ASCII characters escaped), so the client's UTF-8 decode stays on its fast path
  const high = Buffer.from(bytes).findIndex((b) => b > 0x7f);
  assert.equal(high, -1, `byte ${high} is not ASCII`);
  const got: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
  assert.deepEqual(got, JSON.parse(JSON.stringify(msg)));
}

function publish(uri: string, version: number | undefined, diagnostics: unknown[]): object {
  const params: Record<string, unknown> = { uri, diagnostics };
  if (version !== undefined) params.version = version;
  return { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params };
}

before(async () => {
  await initParser();
});

describe('DiagnosticsJsonEncoder', () => {
  it('writes the same JSON as JSON.stringify for a real document across edits', async () => {
    const enc = new DiagnosticsJsonEncoder();
    const text = readFileSync('test/fixtures/cuda/ballot_popc.cu', 'utf8');
    const uri = 'file:///w/ballot_popc.cu';
    const state = new DocumentState(uri, 'cuda-cpp', 1, text);
    for (let v = 1; v <= 4; v++) {
      if (v > 1) {
        // insert a line at the top and rename a call: ranges move, some messages change
        state.applyChanges([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `// edit ${v}\n` }], v);
      }
      const snap = state.analyze({});
      const diags = toDiagnostics(visibleFindings(snap.analysis.findings, { severity: {} }), (o) => state.document.positionAt(o));
      assert.ok(diags.length > 3, 'the fixture has findings');
      await roundTrip(enc, publish(uri, v, diags));
    }
    // closing clears: an empty publish
    await roundTrip(enc, publish(uri, 5, []));
    state.dispose();
  });

  it('copies runs of the same diagnostic objects from the previous publish and still matches JSON.stringify', async () => {
    const pos = fc.record({ line: fc.nat({ max: 10000 }), character: fc.nat({ max: 200 }) });
    const diag = fc.oneof(
      fc.record({ range: fc.record({ start: pos, end: pos }), severity: fc.constantFrom(1, 2, 3, 4), code: fc.constantFrom('HP101', 'HP201'), source: fc.constant('HIP Porter'), message: fc.string() }),
      // not plain: written through JSON.stringify
      fc.record({ range: fc.record({ start: pos, end: pos }), message: fc.string(), relatedInformation: fc.constant([]) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(diag, { maxLength: 12 }), fc.array(fc.oneof(fc.nat(), diag), { maxLength: 14 }), async (first, picks) => {
        const enc = new DiagnosticsJsonEncoder();
        const uri = 'file:///w/r.cu';
        await roundTrip(enc, publish(uri, 1, first));
        // the next publish: a mix of the same objects (by index into the first) and new ones
        const second = picks.map((p) => (typeof p === 'number' ? (first.length ? first[p % first.length] : { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: 'x' }) : p));
        await roundTrip(enc, publish(uri, 2, second));
        // the typical case: same head, a changed middle, same tail
        const k = Math.floor(first.length / 2);
        const third = [...first.slice(0, k), ...picks.filter((p) => typeof p !== 'number'), ...first.slice(k)];
        await roundTrip(enc, publish(uri, 3, third));
        await roundTrip(enc, publish(uri, 4, third.slice()));
      }),
      { numRuns: 200 },
    );
  });

  it('matches JSON.stringify for arbitrary diagnostic shapes, including ones it does not cache', async () => {
    const pos = fc.record({ line: fc.nat(), character: fc.nat() });
    const diag = fc.record(
      {
        range: fc.record({ start: pos, end: pos }),
        severity: fc.constantFrom(1, 2, 3, 4),
        code: fc.oneof(fc.string(), fc.integer()),
        source: fc.constantFrom('HIP Porter', 'x', 'é→\u2028'),
        message: fc.oneof(fc.constantFrom('a', 'cudaMalloc → hipMalloc (runtime API)', 'quote " and \\ and \n'), fc.string({ unit: 'grapheme' })),
        codeDescription: fc.record({ href: fc.webUrl() }),
        tags: fc.array(fc.constantFrom(1, 2), { maxLength: 2 }),
        data: fc.oneof(fc.record({ v: fc.nat(), i: fc.nat() }), fc.string()),
        relatedInformation: fc.constant([]),
      },
      { requiredKeys: ['range', 'message'] },
    );
    const enc = new DiagnosticsJsonEncoder();
    await fc.assert(
      fc.asyncProperty(fc.array(diag, { maxLength: 12 }), fc.array(diag, { maxLength: 12 }), fc.option(fc.nat()), async (a, b, version) => {
        // the second publish shares diagnostics with the first (cached tails) and adds new ones
        await roundTrip(enc, publish('file:///p.cu', version ?? undefined, a));
        await roundTrip(enc, publish('file:///p.cu', version ?? undefined, [...b, ...a.map((d) => ({ ...d, data: { v: 9, i: 1 } }))]));
      }),
      { numRuns: 150 },
    );
  });

  it('encodes other messages as JSON.stringify does', async () => {
    const enc = new DiagnosticsJsonEncoder();
    await roundTrip(enc, { jsonrpc: '2.0', id: 3, result: { contents: 'cudaMalloc → hipMalloc, emoji \u{1F600}, lone surrogate \ud800' } });
    await roundTrip(enc, { jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: 'hello' } });
    await roundTrip(enc, { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x', diagnostics: [], extra: 1 } });
  });
});
