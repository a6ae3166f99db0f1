/**
 * Proves the hand-written golden HIP ports in test/fixtures/expected/ are valid HIP for ROCm 5.2:
 * every golden `.hip` file (headers such as `multi/common.cuh` are compiled through the `.hip`
 * files that include them) is compiled with the real Debian hipcc (`HIP_PLATFORM=amd`,
 * `--offload-arch=gfx90a -c`) into a temporary directory, two compiles at a time (2-core CI).
 * `syntax_error.hip` is excluded on purpose: its CUDA source is half-typed code, so its golden
 * is a translation of broken code and is not expected to compile.
 * Requires hipcc on PATH (Debian: `apt-get install hipcc libamdhip64-dev`, plus libhiprand-dev
 * and libhipsparse-dev for the library goldens); the test fails, never skips, when it is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const EXPECTED_DIR = join(__dirname, '..', 'fixtures', 'expected');
const CUDA_DIR = join(__dirname, '..', 'fixtures', 'cuda');
/** Goldens that are not meant to compile (relative to EXPECTED_DIR, forward slashes). */
const NOT_COMPILABLE = new Set(['syntax_error.hip']);
/** Concurrent hipcc processes; each one uses about one core. */
const CONCURRENCY = 2;
/** Upper bound for one hipcc run (ms); a compile here takes a few seconds. */
const COMPILE_TIMEOUT_MS = 180_000;

interface CompileResult {
  file: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  objectPath: string;
  ms: number;
}

/** All files below `dir`, as paths relative to `dir` with forward slashes, sorted. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split('\\').join('/'))
    .sort();
}

function hipccOnPath(): boolean {
  const r = spawnSync('hipcc', ['--version'], { env: { ...process.env, HIP_PLATFORM: 'amd' }, encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

/** Runs one hipcc compile of `file` (relative to EXPECTED_DIR) writing `<outDir>/<n>.o`. */
function compile(file: string, outDir: string, n: number): Promise<CompileResult> {
  const src = join(EXPECTED_DIR, file);
  const objectPath = join(outDir, `${n}.o`);
  const args = ['--offload-arch=gfx90a', '-c', src, '-o', objectPath, '-I', dirname(src)];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('hipcc', args, {
      env: { ...process.env, HIP_PLATFORM: 'amd' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: COMPILE_TIMEOUT_MS,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ file, code: -1, signal: null, output: `${output}\n${String(err)}`, objectPath, ms: Date.now() - started }));
    child.on('close', (code, signal) => resolve({ file, code, signal, output, objectPath, ms: Date.now() - started }));
  });
}

/** Maps `items` through `fn` with at most `limit` promises in flight; keeps the input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

test('every CUDA fixture has a golden HIP port with the same relative path', () => {
  const cuda = listFiles(CUDA_DIR);
  const expected = new Set(listFiles(EXPECTED_DIR));
  assert.ok(cuda.length >= 22, `expected at least 22 CUDA fixtures, found ${cuda.length}`);
  for (const f of cuda) {
    const golden = f.endsWith('.cu') ? f.replace(/\.cu$/, '.hip') : f;
    assert.ok(expected.has(golden), `missing golden test/fixtures/expected/${golden} for test/fixtures/cuda/${f}`);
  }
  assert.equal(expected.size, cuda.length, 'test/fixtures/expected has files without a CUDA fixture');
});

test('every golden HIP port compiles with hipcc for gfx90a', { timeout: 30 * 60_000 }, async () => {
  assert.ok(
    hipccOnPath(),
    'hipcc is not on PATH: install it with `apt-get install hipcc libamdhip64-dev` (and libhiprand-dev libhipsparse-dev for the library fixtures)',
  );
  const goldens = listFiles(EXPECTED_DIR).filter((f) => f.endsWith('.hip') && !NOT_COMPILABLE.has(f));
  assert.ok(goldens.length >= 22, `expected at least 22 compilable goldens, found ${goldens.length}`);

  const outDir = mkdtempSync(join(tmpdir(), 'hip-porter-fixtures-'));
  try {
    const results = await mapLimited(goldens, CONCURRENCY, (f, i) => compile(f, outDir, i));
    const failures = results.filter((r) => r.code !== 0 || !existsSync(r.objectPath) || statSync(r.objectPath).size === 0);
    const report = failures
      .map((r) => `--- ${r.file}: exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}\n${r.output.trim().slice(0, 4000)}`)
      .join('\n');
    assert.equal(failures.length, 0, `hipcc failed for ${failures.length} golden(s):\n${report}`);
    const totalMs = results.reduce((s, r) => s + r.ms, 0);
    console.log(`compiled ${results.length} goldens from ${relative(process.cwd(), EXPECTED_DIR)} (sum of compile times ${(totalMs / 1000).toFixed(1)} s)`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
