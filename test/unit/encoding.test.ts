/**
 * Source files that are not valid UTF-8 (Latin-1 `©` in a copyright header, Windows-1252 quotes,
 * UTF-8 mixed with Latin-1 bytes): read as Latin-1, ported with a warning (never skipped), and
 * written back with exactly the same bytes outside the edits, by `port --out`, `--in-place` and
 * `--stdout` (issue 13, item 11). Bytes in, bytes out: every comparison is on Buffers.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { classifyFiles, decodeSource, encodeText, listFiles, readSourceFile } from '../../src/core/files';
import { initParser } from '../../src/core/parse';
import { translate } from '../../src/core/translate';
import { analyze } from '../../src/core/analyze';

before(async () => {
  await initParser();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; bytes: Buffer[] }> {
  let out = '';
  let err = '';
  const bytes: Buffer[] = [];
  const code = await main(argv, {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    stdoutBytes: (b) => void bytes.push(Buffer.from(b)),
  });
  return { code, out, err, bytes };
}

const ascii = (s: string): Buffer => Buffer.from(s, 'ascii');
const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

/** A CUDA file around some non-UTF-8 bytes: `head` (bytes) in a comment, `tail` (bytes) in a string literal. */
function cudaWith(head: Buffer, tail: Buffer): { input: Buffer; expected: Buffer } {
  const pre = ascii('// Copyright ');
  const mid = ascii(' Example Corp.\n#include <cuda_runtime.h>\n__global__ void k(float* p) { p[threadIdx.x] = 1.0f; }\nint main() {\n  float* d;\n  cudaMalloc(&d, 4);\n  const char* s = "');
  const end = ascii('";\n  cudaFree(d);\n  return s[0];\n}\n');
  const input = cat(pre, head, mid, tail, end);
  const hip = (b: Buffer): Buffer => ascii(b.toString('ascii').replace('cuda_runtime.h', 'hip/hip_runtime.h').replace('cudaMalloc', 'hipMalloc').replace('cudaFree', 'hipFree'));
  return { input, expected: cat(pre, head, hip(mid), tail, hip(end)) };
}

const CASES: Array<[string, Buffer, Buffer]> = [
  // Latin-1: © (0xA9), é (0xE9)
  ['latin1', Buffer.from([0xa9]), Buffer.from([0x63, 0x61, 0x66, 0xe9])],
  // Windows-1252: curly quotes 0x93/0x94, euro 0x80, and 0x81/0x8D/0x9D (undefined in 1252, must still round-trip)
  ['cp1252', Buffer.from([0x93, 0x80, 0x94]), Buffer.from([0x81, 0x8d, 0x9d, 0x96])],
  // mixed: a valid UTF-8 © (C2 A9) and a bare Latin-1 © (A9) in one file
  ['mixed', Buffer.from([0xc2, 0xa9, 0x20, 0xa9]), Buffer.from([0xe2, 0x82, 0xac, 0xff])],
];

describe('decoding', () => {
  test('invalid UTF-8 is read as Latin-1 with a warning naming the line; valid UTF-8 stays UTF-8', () => {
    const r = decodeSource(cat(ascii('int a;\n// x '), Buffer.from([0xa9]), ascii('\n')), 'f.cu');
    assert.ok(r.ok);
    assert.equal(r.encoding, 'latin1');
    assert.equal(r.text, 'int a;\n// x \u00a9\n');
    assert.match(r.warning ?? '', /^f\.cu:2: not valid UTF-8; read as Latin-1/);
    const u = decodeSource(Buffer.from('// \u00a9 caf\u00e9\n', 'utf8'), 'g.cu');
    assert.ok(u.ok);
    assert.equal(u.encoding, 'utf8');
    assert.equal(u.warning, undefined);
    assert.equal(u.text, '// \u00a9 caf\u00e9\n');
    // binary is still refused
    assert.equal(decodeSource(Buffer.from([0x41, 0, 0x42]), 'b.cu').ok, false);
  });

  for (const [name, head, tail] of CASES) {
    test(`${name}: decode then encodeText gives the same bytes`, () => {
      const { input } = cudaWith(head, tail);
      const r = decodeSource(input, `${name}.cu`);
      assert.ok(r.ok);
      assert.equal(r.encoding, 'latin1');
      assert.ok(encodeText(r.text, r.encoding).equals(input));
    });
  }

  test('encodeText refuses a character Latin-1 cannot hold, naming its line; UTF-8 encodes anything', () => {
    assert.throws(() => encodeText('a\nb \u2192 c\n', 'latin1'), /line 2: character U\+2192 cannot be written to a file read as Latin-1/);
    assert.ok(encodeText('\u00e9', 'latin1').equals(Buffer.from([0xe9])));
    assert.ok(encodeText('\u2192', 'utf8').equals(Buffer.from([0xe2, 0x86, 0x92])));
  });

  test('classifyFiles keeps a Latin-1 .cu and a Latin-1 header that includes CUDA, with warnings, and skips nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-enc-'));
    writeFileSync(join(dir, 'a.cu'), cudaWith(Buffer.from([0xa9]), Buffer.from([0xe9])).input);
    writeFileSync(join(dir, 'h.h'), cat(ascii('/* (c) '), Buffer.from([0xa9]), ascii(' */\n#include <cuda_runtime.h>\n')));
    const set = classifyFiles(listFiles([dir]));
    assert.deepEqual(set.skipped, []);
    assert.deepEqual(set.cuda.map((f) => [f.path.split('/').pop(), f.encoding]), [['a.cu', 'latin1'], ['h.h', 'latin1']]);
    assert.equal(set.warnings.length, 2);
    const r = readSourceFile(join(dir, 'a.cu'));
    assert.ok(r.ok && r.encoding === 'latin1');
  });
});

describe('port writes the same bytes outside the edits', () => {
  for (const [name, head, tail] of CASES) {
    test(`${name}: --out, --in-place and --stdout`, async () => {
      const { input, expected } = cudaWith(head, tail);
      const dir = mkdtempSync(join(tmpdir(), 'hp-enc-'));
      const file = join(dir, `${name}.cu`);
      writeFileSync(file, input);
      const out = mkdtempSync(join(tmpdir(), 'hp-enc-out-'));
      const r = await cli('port', dir, '--out', out);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, new RegExp(`${name}\\.cu:1: not valid UTF-8; read as Latin-1`));
      assert.ok(readFileSync(join(out, `${name}.hip`)).equals(expected), `${name}: --out bytes`);
      assert.ok(readFileSync(file).equals(input), 'the input is untouched');

      const s = await cli('port', file, '--stdout');
      assert.equal(s.code, 0, s.err);
      assert.equal(s.out, '', 'a Latin-1 file goes to stdout as bytes, not as UTF-8 text');
      assert.ok(Buffer.concat(s.bytes).equals(expected), `${name}: --stdout bytes`);

      const i = await cli('port', file, '--in-place');
      assert.equal(i.code, 0, i.err);
      assert.ok(readFileSync(file).equals(expected), `${name}: --in-place bytes`);
    });
  }
});

describe('the engine on text a client decoded its own way', () => {
  test('U+FFFD replacement characters and Latin-1 letters in comments, strings and identifiers do not stop analysis or translation', () => {
    const text = '// \ufffd\ufffd copyright \u00a9\n#include "cuda.h"\n__global__ void k\u00e9(float* p) { p[0] = 1; }\nvoid f() { const char* s = "\ufffd"; cudaDeviceSynchronize(); (void)s; }\n';
    const a = analyze(text);
    assert.ok(a.findings.some((f) => f.code === 'HP101'));
    const t = translate(text);
    assert.match(t.text, /hipDeviceSynchronize\(\)/);
    assert.ok(t.text.startsWith('// \ufffd\ufffd copyright \u00a9\n'));
  });
});
