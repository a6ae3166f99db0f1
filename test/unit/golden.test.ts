/**
 * The translator against the hand-written golden ports: every fixture in test/fixtures/cuda/,
 * translated for the ROCm version of the installed hipcc (read from `hipcc --version`, 5.2 on
 * Debian 12), must equal its golden in test/fixtures/expected/ byte for byte (the goldens are
 * compiled by fixtures-compile.test.ts, so equal output compiles too). Also checks idempotency
 * on every fixture and the CLI's `--out` layout for the multi-file program.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser } from '../../src/core/parse';
import { translate } from '../../src/core/translate';
import { detectHipVersion } from '../../src/core/build/hipcc';
import { main } from '../../src/cli/main';

const CUDA_DIR = join(__dirname, '..', 'fixtures', 'cuda');
const EXPECTED_DIR = join(__dirname, '..', 'fixtures', 'expected');

function fixtures(): string[] {
  return readdirSync(CUDA_DIR, { recursive: true })
    .map(String)
    .filter((f) => /\.(cu|cuh)$/.test(f) && statSync(join(CUDA_DIR, f)).isFile())
    .sort();
}

function goldenPath(rel: string): string {
  return join(EXPECTED_DIR, rel.endsWith('.cu') ? rel.slice(0, -3) + '.hip' : rel);
}

let target = '';

before(async () => {
  await initParser();
  const v = await detectHipVersion('hipcc');
  const m = /^(\d+)\.(\d+)/.exec(v);
  assert.ok(m, `could not read the HIP version from hipcc --version; got ${JSON.stringify(v)}`);
  target = `${m[1]}.${m[2]}`;
});

test('there are at least 20 fixtures, each with a golden', () => {
  const list = fixtures();
  assert.ok(list.length >= 20, `only ${list.length} fixtures`);
  for (const f of list) assert.ok(existsSync(goldenPath(f)), `no golden for ${f}`);
});

for (const rel of fixtures()) {
  test(`golden: ${rel}`, () => {
    const src = readFileSync(join(CUDA_DIR, rel), 'utf8');
    const want = readFileSync(goldenPath(rel), 'utf8');
    const out = translate(src, { targetRocm: target });
    assert.equal(out.text, want);
    assert.equal(translate(out.text, { targetRocm: target }).text, out.text, 'translation is not idempotent');
  });
}

test('CLI --out ports the multi-file program: .cu → .hip, headers keep their names, inputs untouched', async () => {
  const out = mkdtempSync(join(tmpdir(), 'hp-port-'));
  const before = readFileSync(join(CUDA_DIR, 'multi', 'main.cu'), 'utf8');
  const errs: string[] = [];
  const code = await main(['port', join(CUDA_DIR, 'multi'), '--out', out, '--target-rocm', target], {
    stdout: () => undefined,
    stderr: (s) => void errs.push(s),
  });
  assert.equal(code, 0, errs.join(''));
  assert.deepEqual(readdirSync(out).sort(), ['common.cuh', 'kernels.hip', 'main.hip']);
  assert.equal(readFileSync(join(out, 'main.hip'), 'utf8'), readFileSync(join(EXPECTED_DIR, 'multi', 'main.hip'), 'utf8'));
  assert.equal(readFileSync(join(CUDA_DIR, 'multi', 'main.cu'), 'utf8'), before);
});
