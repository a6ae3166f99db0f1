/**
 * The comparison engine of port validation (src/core/validate): ULP distances, the NaN, Inf and
 * signed-zero policies, abs/rel/ULP tolerances, integer exactness, chunked file comparison, the
 * .npy header reader, numbers in text, and the configuration schema.
 * Run: node --import tsx --test test/unit/validate-compare.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareArrayFiles,
  compareTextFiles,
  ConfigError,
  divergencePrompt,
  NumericComparer,
  OutputFormatError,
  parseNpyHeader,
  resolveConfig,
  splitNumbers,
  ulpDistance,
  ulpDistance32,
  type FullTolerance,
} from '../../src/core/validate';

const EXACT: FullTolerance = { abs: 0, rel: 0, ulps: 0, nan: 'equal', signedZero: 'equal' };
const dir = mkdtempSync(join(tmpdir(), 'hp-validate-unit-'));

function f32(values: number[]): { v: Float32Array; b: Uint32Array } {
  const v = Float32Array.from(values);
  return { v, b: new Uint32Array(v.buffer) };
}

function compare32(r: number[], c: number[], tol: Partial<FullTolerance> = {}, shape?: number[]): NumericComparer {
  const cmp = new NumericComparer('float32', { ...EXACT, ...tol }, shape);
  const a = f32(r);
  const b = f32(c);
  cmp.pushFloat(a.v, b.v, a.b, b.b);
  return cmp;
}

test('ULP distance: neighbours are 1 apart, across zero counts both sides, -0 and +0 are 0 apart', () => {
  const one = f32([1]);
  assert.equal(ulpDistance32(one.b[0]!, one.b[0]! + 1), 1);
  assert.equal(ulpDistance(1, 1 + 2 ** -23, 'float32'), 1);
  assert.equal(ulpDistance(1, 1 + 2 ** -52, 'float64'), 1);
  assert.equal(ulpDistance(1, 1 + 2 ** -52, 'float32'), 0, 'the same float32');
  assert.equal(ulpDistance(0, -0, 'float32'), 0);
  assert.equal(ulpDistance(0, -0, 'float64'), 0);
  // The smallest subnormals on each side of zero: 2 ULPs apart.
  assert.equal(ulpDistance(2 ** -149, -(2 ** -149), 'float32'), 2);
  assert.equal(ulpDistance(5e-324, -5e-324, 'float64'), 2);
  // float32 max and +Inf are neighbours.
  assert.equal(ulpDistance(3.4028234663852886e38, Infinity, 'float32'), 1);
});

test('tolerance: |c - r| <= abs + rel*|r| or ULPs within the limit', () => {
  assert.equal(compare32([1, 2, 3], [1, 2, 3]).stats.overTolerance, 0);
  assert.equal(compare32([1], [1.001]).stats.overTolerance, 1, 'exact by default');
  assert.equal(compare32([1], [1.001], { abs: 0.002 }).stats.overTolerance, 0);
  assert.equal(compare32([1000], [1000.5], { rel: 1e-3 }).stats.overTolerance, 0);
  assert.equal(compare32([1000], [1002], { rel: 1e-3 }).stats.overTolerance, 1);
  const next = 1 + 2 ** -23;
  assert.equal(compare32([1], [1 + 3 * 2 ** -23], { ulps: 3 }).stats.overTolerance, 0);
  assert.equal(compare32([1], [1 + 4 * 2 ** -23], { ulps: 3 }).stats.overTolerance, 1);
  const s = compare32([1, 2, 4], [next, 2.5, 4], { abs: 0.1 }).stats;
  assert.equal(s.maxUlps, 2 ** 21, '2 → 2.5 is a quarter of the binade: 2^23 / 4 float32 ULPs');
  assert.equal(s.maxAbsError, 0.5);
  assert.equal(s.maxAbsIndex, 1);
  assert.equal(s.maxRelError, 0.25);
  assert.equal(s.firstOverIndex, 1);
  assert.deepEqual(s.firstOver, { reference: 2, candidate: 2.5 });
  assert.equal(s.bitDifferences, 2);
});

test('NaN policies: equal (NaN matches NaN), ignore (skipped), fail (every NaN fails)', () => {
  const r = [NaN, NaN, 1];
  const c = [NaN, 1, NaN];
  const eq = compare32(r, c, { nan: 'equal' }).stats;
  assert.equal(eq.nanMismatches, 2);
  assert.equal(eq.overTolerance, 2);
  assert.equal(eq.firstOverIndex, 1);
  const ig = compare32(r, c, { nan: 'ignore' }).stats;
  assert.equal(ig.overTolerance, 0);
  assert.equal(ig.skipped, 3);
  assert.equal(ig.count, 0);
  const fail = compare32(r, c, { nan: 'fail' }).stats;
  assert.equal(fail.nanMismatches, 3);
  assert.equal(fail.firstOverIndex, 0, 'NaN against NaN fails too');
  // NaNs with different payloads still match under "equal".
  const a = new Float32Array(1);
  const b = new Float32Array(1);
  new Uint32Array(a.buffer)[0] = 0x7fc00000;
  new Uint32Array(b.buffer)[0] = 0x7fc00001;
  const cmp = new NumericComparer('float32', EXACT);
  cmp.pushFloat(a, b, new Uint32Array(a.buffer), new Uint32Array(b.buffer));
  assert.equal(cmp.stats.overTolerance, 0);
});

test('infinities match only the same infinity, whatever the tolerance', () => {
  const s = compare32([Infinity, -Infinity, Infinity, 1e30], [Infinity, Infinity, 3.4e38, Infinity], { abs: 1e40, rel: 1 }).stats;
  assert.equal(s.infMismatches, 3);
  assert.equal(s.overTolerance, 3);
  assert.equal(s.firstOverIndex, 1);
});

test('signed zero: equal by default, a mismatch under "distinct"', () => {
  assert.equal(compare32([0, -0], [-0, 0]).stats.overTolerance, 0);
  const d = compare32([0, -0, 0], [-0, 0, 0], { signedZero: 'distinct' }).stats;
  assert.equal(d.signedZeroMismatches, 2);
  assert.equal(d.overTolerance, 2);
});

test('integers are exact, with the error statistics; int64 beyond 2^53 too', () => {
  const cmp = new NumericComparer('int32', { ...EXACT, abs: 100 });
  cmp.pushInt(Int32Array.from([1, 2, 3]), Int32Array.from([1, 5, 3]));
  assert.equal(cmp.stats.overTolerance, 1, 'the tolerance does not apply to integers');
  assert.equal(cmp.stats.maxAbsError, 3);
  const c64 = new NumericComparer('int64', EXACT);
  c64.pushInt(BigInt64Array.from([2n ** 60n]), BigInt64Array.from([2n ** 60n + 1n]));
  assert.equal(c64.stats.overTolerance, 1);
});

test('histogram bins |error| per decade; heat map of a 2D output shows where', () => {
  const r = new Array(100 * 100).fill(1);
  const c = r.slice();
  c[99 * 100 + 99] = 1.5; // bottom-right corner
  const s = compare32(r, c, {}, [100, 100]).stats;
  assert.equal(s.histogram[0], 9999);
  assert.equal(s.histogram.reduce((a, b) => a + b, 0), 10000);
  const bin = s.histogram.findIndex((n, k) => k > 0 && n > 0);
  assert.equal(bin, 16, '0.5 lands in [1e-1, 1e0): bin -1 - (-16) + 1');
  const h = s.heatmap!;
  assert.equal(h.rows, 50);
  assert.equal(h.cellRows, 2);
  assert.equal(h.maxAbs.filter((v) => v > 0).length, 1);
  assert.equal(h.maxAbs[h.maxAbs.length - 1], 0.5);
});

function npy(descr: string, shape: string, data: Buffer, version = 1, fortran = 'False'): Buffer {
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  const pre = version === 1 ? 10 : 12;
  dict += ' '.repeat((64 - ((pre + dict.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(pre);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(dict.length, 8);
  else head.writeUInt32LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), data]);
}

test('.npy header: versions 1 and 2, dtypes, shapes, 64-byte aligned data', () => {
  const l = parseNpyHeader(npy('<f4', '(3, 4)', Buffer.alloc(48)));
  assert.deepEqual(l, { dtype: 'float32', shape: [3, 4], dataOffset: 128, count: 12, fortranOrder: false });
  assert.deepEqual(parseNpyHeader(npy('<i8', '(5,)', Buffer.alloc(40), 2)).shape, [5]);
  assert.equal(parseNpyHeader(npy('<f8', '()', Buffer.alloc(8))).count, 1, 'a scalar');
  assert.equal(parseNpyHeader(npy('|u1', '(2, 2)', Buffer.alloc(4))).dtype, 'uint8');
  assert.equal(parseNpyHeader(npy('<f4', '(2, 2)', Buffer.alloc(16), 1, 'True')).fortranOrder, true);
  assert.throws(() => parseNpyHeader(npy('>f4', '(2,)', Buffer.alloc(8))), /big-endian/);
  assert.throws(() => parseNpyHeader(npy('<c8', '(2,)', Buffer.alloc(16))), /unsupported .npy dtype '<c8'/);
  assert.throws(() => parseNpyHeader(Buffer.from('PK\x03\x04 not npy at all')), OutputFormatError);
  assert.throws(() => parseNpyHeader(npy('<f4', '(3, 4)', Buffer.alloc(0)).subarray(0, 30)), /truncated/);
});

test('chunked file comparison: .npy and raw, chunk boundaries do not matter, shape mismatch and bad sizes reported', async () => {
  const n = 1000;
  const a = new Float64Array(n).map((_, i) => Math.sin(i));
  const b = a.slice();
  b[777] += 1e-3;
  const pa = join(dir, 'a.npy');
  const pb = join(dir, 'b.npy');
  writeFileSync(pa, npy('<f8', `(${n},)`, Buffer.from(a.buffer)));
  writeFileSync(pb, npy('<f8', `(${n},)`, Buffer.from(b.buffer)));
  for (const chunk of [8, 24, 1000, 1 << 20]) {
    const r = await compareArrayFiles(pa, pb, { format: 'npy' }, EXACT, chunk);
    assert.equal(r.stats!.count, n);
    assert.equal(r.stats!.firstOverIndex, 777, `chunk ${chunk}`);
    assert.equal(r.stats!.overTolerance, 1);
    assert.equal(r.chunks, Math.ceil((n * 8) / Math.max(8, Math.floor(chunk / 8) * 8)));
  }
  const pc = join(dir, 'c.npy');
  writeFileSync(pc, npy('<f8', `(10, 100)`, Buffer.from(a.buffer)));
  const mm = await compareArrayFiles(pa, pc, { format: 'npy' }, EXACT);
  assert.match(mm.layoutMismatch!, /reference is float64\[1000\], candidate is float64\[10, 100\]/);
  const raw = join(dir, 'r.bin');
  writeFileSync(raw, Buffer.alloc(10));
  await assert.rejects(compareArrayFiles(raw, raw, { format: 'raw', dtype: 'float32' }, EXACT), /not a whole number of float32/);
  await assert.rejects(compareArrayFiles(raw, raw, { format: 'raw', dtype: 'uint8', shape: [3, 3] }, EXACT), /does not match shape \[3, 3\]/);
});

test('numbers in text: found outside words, compared with the tolerance; the text around must match', async () => {
  assert.deepEqual(splitNumbers('result = 3.14159, n=42 float3 x1 0x1f -2.5e-3 NaN -inf.').tokens, ['3.14159', '42', '-2.5e-3', 'NaN', '-inf']);
  const ra = join(dir, 'ra.txt');
  const ca = join(dir, 'ca.txt');
  writeFileSync(ra, 'step 1\nresult = 3.14159\nescaped = 3\nelapsed 12.5 ms\n');
  writeFileSync(ca, 'step 1\nresult = 3.14160\nescaped = 3\nelapsed 99.1 ms\n');
  const tol = { ...EXACT, abs: 1e-4 };
  const ok = await compareTextFiles(ra, ca, tol, { ignoreLines: [/^elapsed/] });
  assert.equal(ok.passed, true);
  assert.equal(ok.identicalLines, 2, 'step 1 and escaped = 3');
  assert.equal(ok.numbers, 1, 'only the differing line is parsed');
  assert.equal(ok.numeric.bitDifferences, 1);
  assert.ok(Math.abs(ok.numeric.maxAbsError - 1e-5) < 1e-9);
  assert.equal(ok.ignoredLines, 2);
  const strict = await compareTextFiles(ra, ca, { ...EXACT, abs: 1e-6 }, { ignoreLines: [/^elapsed/] });
  assert.equal(strict.passed, false);
  assert.equal(strict.firstOverLine, 2);
  // Integers are exact; changed text is a text mismatch.
  writeFileSync(ca, 'step 1\ntotal = 3.14159\nescaped = 4\nelapsed 1 ms\n');
  const bad = await compareTextFiles(ra, ca, { ...EXACT, abs: 1 }, { ignoreLines: [/^elapsed/] });
  assert.equal(bad.textMismatches, 1);
  assert.deepEqual(bad.firstTextMismatch, { line: 2, reference: 'result = 3.14159', candidate: 'total = 3.14159' });
  assert.equal(bad.integerMismatches, 1);
  assert.deepEqual(bad.firstIntegerMismatch, { line: 3, reference: '3', candidate: '4' });
  const loose = await compareTextFiles(ra, ca, { ...EXACT, abs: 1 }, { ignoreLines: [/^elapsed/], integers: 'tolerance' });
  assert.equal(loose.integerMismatches, 0);
  // A missing line.
  writeFileSync(ca, 'step 1\n');
  const short = await compareTextFiles(ra, ca, EXACT);
  assert.equal(short.referenceLines, 4);
  assert.equal(short.candidateLines, 1);
  assert.equal(short.firstTextMismatch?.candidate, '(end of output)');
});

test('config: schema problems listed with their paths; defaults filled in; raw needs a dtype', () => {
  assert.throws(
    () => resolveConfig({ reference: {}, candidate: { hots: 'x' }, cases: [{ name: 'a b', command: 'x', outputs: [{ format: 'csv' }] }] }, dir),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const m = e.message;
      assert.match(m, /\/candidate: unknown property "hots"/);
      assert.match(m, /\/cases\/0\/name: must match pattern/);
      assert.match(m, /\/cases\/0\/outputs\/0\/format: must be equal to one of the allowed values \(text, raw, npy\)/);
      return true;
    },
  );
  assert.throws(() => resolveConfig({ reference: {}, candidate: {}, cases: [{ name: 'a', command: 'x', outputs: [{ file: 'o.bin', format: 'raw' }] }] }, dir), /a raw output needs a dtype/);
  assert.throws(() => resolveConfig({ reference: {}, candidate: {}, cases: [{ name: 'a', command: 'x', outputs: [{ stdout: true, format: 'text', ignoreLines: ['(('] }] }] }, dir), /ignoreLines: Invalid regular expression/);
  assert.throws(() => resolveConfig({ reference: {}, candidate: {}, cases: [{ name: 'a', command: 'x', outputs: [{ file: '../o.bin', format: 'npy' }] }] }, dir), /inside the case folder/);
  const c = resolveConfig(
    {
      reference: { host: 'cuda-box', build: 'make cuda' },
      candidate: { dir: 'hip' },
      tolerance: { rel: 1e-5 },
      cases: [{ name: 'a', command: './nbody', candidate: { command: './nbody-hip' }, args: ['-n', '8'], outputs: [{ stdout: true, format: 'text' }, { file: 'o.npy', format: 'npy', tolerance: { ulps: 4 } }] }],
    },
    dir,
    '',
    { candidateHost: 'rocm-box' },
  );
  assert.equal(c.reference.host, 'cuda-box');
  assert.equal(c.candidate.host, 'rocm-box', 'the override wins');
  assert.equal(c.candidate.dir, join(dir, 'hip'));
  assert.equal(c.runsPerSide, 2);
  assert.deepEqual(c.cases[0]!.command, { reference: { command: './nbody', args: ['-n', '8'] }, candidate: { command: './nbody-hip', args: ['-n', '8'] } });
  assert.deepEqual(c.cases[0]!.outputs[1]!.tolerance, { abs: 0, rel: 1e-5, ulps: 4, nan: 'equal', signedZero: 'equal' });
  assert.equal(c.cases[0]!.timeoutMs, 600_000);
});

test('the agent prompt names the divergence: verdict, first element, where the errors are', () => {
  const cmp = compare32(new Array(16).fill(1), [...new Array(15).fill(1), 2], {}, [4, 4]);
  const text = divergencePrompt(
    {
      name: 'grid',
      verdict: 'fail',
      reasons: ['out.bin: 1 over tolerance'],
      command: { reference: './a', candidate: './a-hip' },
      runs: { reference: [], candidate: [] },
      outputs: [{ name: 'out.bin', format: 'raw', verdict: 'fail', message: '1 over tolerance, first at [3, 3]', dtype: 'float32', shape: [4, 4], stats: cmp.stats, selfCheck: {}, compareMs: 0 }],
      sources: [join(dir, 'src/k.hip')],
      timings: { runMs: 0, fetchMs: 0, compareMs: 0 },
    },
    dir,
  );
  assert.match(text, /computes different answers from the CUDA original in the validation case "grid"/);
  assert.match(text, /Output out.bin \(raw, float32, shape \[4, 4\]\): fail\. 1 over tolerance, first at \[3, 3\]/);
  assert.match(text, /rows 3\.\.3, cols 3\.\.3: max abs err 1/);
  assert.match(text, /Sources of this case: src\/k.hip/);
});

test('float64: signed zero, NaN and ULPs take the same rules as float32', () => {
  const cmp = new NumericComparer('float64', { ...EXACT, signedZero: 'distinct', ulps: 2 });
  const a = Float64Array.from([0, NaN, 1, 1]);
  const b = Float64Array.from([-0, NaN, 1 + 2 * 2 ** -52, 1 + 3 * 2 ** -52]);
  cmp.pushFloat(a, b, new Uint32Array(a.buffer), new Uint32Array(b.buffer));
  assert.equal(cmp.stats.signedZeroMismatches, 1);
  assert.equal(cmp.stats.nanMismatches, 0);
  assert.equal(cmp.stats.maxUlps, 3);
  assert.equal(cmp.stats.overTolerance, 2, '-0 and the 3-ULP element');
  assert.equal(cmp.stats.firstOverIndex, 0);
});

test('identical files: one memcmp per chunk under nan "equal", yet NaNs still fail under "fail"', async () => {
  const v = Float32Array.from([1, NaN, 3, 4]);
  const p = join(dir, 'same.bin');
  writeFileSync(p, Buffer.from(v.buffer));
  const eq = await compareArrayFiles(p, p, { format: 'raw', dtype: 'float32' }, EXACT, 8);
  assert.equal(eq.stats!.count, 4);
  assert.equal(eq.stats!.overTolerance, 0);
  assert.equal(eq.stats!.histogram[0], 4);
  const fail = await compareArrayFiles(p, p, { format: 'raw', dtype: 'float32' }, { ...EXACT, nan: 'fail' }, 8);
  assert.equal(fail.stats!.nanMismatches, 1);
  assert.equal(fail.stats!.firstOverIndex, 1);
});
