/**
 * The CLI's contract on bad input and its report formats: clear one-line errors and exit codes,
 * never a stack trace, never an overwritten input; scan as text, JSON and SARIF.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/main';
import { initParser } from '../../src/core/parse';
import { parseEngineOptions } from '../../src/core/engine-options';
import { cli } from './cli-run';


function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hp-cli-'));
  writeFileSync(join(dir, 'a.cu'), '#include <cuda_runtime.h>\n__global__ void k(float* p) { p[threadIdx.x] = 0; }\nint main() { float* d; cudaMalloc(&d, 4); cudaDeviceFlushGPUDirectRDMAWrites(x, y); }\n');
  writeFileSync(join(dir, 'util.h'), '#pragma once\ninline int twice(int x) { return 2 * x; }\n');
  writeFileSync(join(dir, 'Makefile'), 'all:\n\thipcc a.hip\n');
  return dir;
}

before(async () => {
  await initParser();
});

describe('argument parsing', () => {
  test('port needs exactly one output mode; bad values are usage errors (exit 2)', () => {
    const io = { stdout: () => undefined, stderr: () => undefined };
    assert.equal(parseArgs(['port', 'x.cu'], io).command, 'none');
    assert.equal(parseArgs(['port', 'x.cu', '--stdout', '--in-place'], io).command, 'none');
    const p = parseArgs(['port', 'x.cu', '--out', 'o', '--target-rocm', '5.2', '--kernel-launch', 'hip'], io);
    assert.equal(p.command, 'port');
    if (p.command === 'port') {
      assert.equal(p.options.mode, 'out');
      assert.equal(p.options.targetRocm, '5.2');
      assert.equal(p.options.kernelLaunch, 'hip');
    }
    assert.deepEqual(parseArgs(['port', 'x.cu', '--stdout', '--target-rocm', 'latest'], io), { command: 'none', exitCode: 2 });
    assert.deepEqual(parseArgs(['scan', 'x', '--format', 'xml'], io), { command: 'none', exitCode: 2 });
  });

  test('--offload-arch takes a comma-separated list of AMD targets for scan and port', () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (s: string) => void (err += s) };
    const s = parseArgs(['scan', 'x', '--offload-arch', 'gfx942, gfx1100'], io);
    assert.ok(s.command === 'scan');
    assert.deepEqual(s.options.offloadArch, ['gfx942', 'gfx1100']);
    const p = parseArgs(['port', 'x.cu', '--stdout', '--offload-arch', 'gfx1030'], io);
    assert.ok(p.command === 'port');
    assert.deepEqual(p.options.offloadArch, ['gfx1030']);
    assert.deepEqual(parseArgs(['scan', 'x', '--offload-arch', 'sm_80'], io), { command: 'none', exitCode: 2 });
    assert.match(err, /--offload-arch: 'sm_80' is not an AMD GPU target/);
  });

  test('engine flags are read by core parseEngineOptions: its reasons, under the flag name', () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (s: string) => void (err += s) };
    const bad = { targetRocm: 'latest' };
    const core = parseEngineOptions(bad).problems[0]!;
    assert.deepEqual(parseArgs(['scan', 'x', '--target-rocm', 'latest'], io), { command: 'none', exitCode: 2 });
    assert.ok(err.includes(`--target-rocm${core.slice('targetRocm'.length)}`), err);
    const s = parseArgs(['scan', 'x', '--target-rocm', ' 6.2 ', '--include-comments'], io);
    assert.ok(s.command === 'scan');
    assert.deepEqual(
      { targetRocm: s.options.targetRocm, includeComments: s.options.includeComments, experimental: s.options.experimental },
      parseEngineOptions({ targetRocm: ' 6.2 ', includeComments: true, experimental: false }).options,
    );
  });
});

describe('bad input', () => {
  test('a missing path: one clear line, exit 2', async () => {
    const r = await cli('port', '/nonexistent/dir', '--out', '/tmp/x');
    assert.equal(r.code, 2);
    assert.match(r.err, /^hip-porter: \/nonexistent\/dir: no such file or directory\n$/);
  });

  test('a directory without CUDA: exit 1 with a message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-cli-'));
    writeFileSync(join(dir, 'main.cpp'), 'int main() { return 0; }\n');
    const r = await cli('scan', dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /no CUDA files found/);
  });

  test('binary and oversized files are skipped with a warning; non-UTF-8 is ported with a warning; the others are ported', async () => {
    const dir = project();
    writeFileSync(join(dir, 'blob.cu'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    writeFileSync(join(dir, 'latin1.cu'), Buffer.from('// caf\xe9\nvoid f() { cudaFree(0); }\n', 'latin1'));
    writeFileSync(join(dir, 'big.cu'), '// x\n'.repeat(300_000));
    const out = mkdtempSync(join(tmpdir(), 'hp-out-'));
    const r = await cli('port', dir, '--out', out, '--max-size', '1');
    assert.equal(r.code, 1, 'skips make the exit code 1');
    assert.match(r.err, /blob\.cu: binary file/);
    assert.match(r.err, /latin1\.cu:1: not valid UTF-8; read as Latin-1/);
    assert.match(r.err, /big\.cu: .*over the 1 MB limit/);
    assert.ok(readdirSync(out).includes('a.hip'));
    assert.ok(readdirSync(out).includes('latin1.hip'));
    assert.ok(!readdirSync(out).some((f) => f.startsWith('blob') || f.startsWith('big')));
  });

  test('--out inside the input tree is refused, and no input is overwritten', async () => {
    const dir = project();
    const before = readFileSync(join(dir, 'a.cu'), 'utf8');
    const r = await cli('port', dir, '--out', join(dir, 'ported'));
    assert.equal(r.code, 2);
    assert.match(r.err, /inside the input tree/);
    assert.equal(readFileSync(join(dir, 'a.cu'), 'utf8'), before);
  });

  test('an unwritable output directory is a clear error (exit 2), not a stack trace', async (t) => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits: use a path under a regular file instead
      const dir = project();
      const file = join(mkdtempSync(join(tmpdir(), 'hp-ro-')), 'file');
      writeFileSync(file, 'x');
      const r = await cli('port', dir, '--out', join(file, 'sub'));
      assert.equal(r.code, 2);
      assert.match(r.err, /^hip-porter: --out .*file\/sub: cannot create folder .*not a (folder|directory)/m);
      assert.doesNotMatch(r.err, /\n\s+at /);
      return;
    }
    const dir = project();
    const ro = mkdtempSync(join(tmpdir(), 'hp-ro-'));
    chmodSync(ro, 0o500);
    t.after(() => chmodSync(ro, 0o700));
    const r = await cli('port', dir, '--out', join(ro, 'sub'));
    assert.equal(r.code, 2);
    assert.match(r.err, /permission denied/);
  });

  test('--stdout with several CUDA files is a usage error', async () => {
    const dir = project();
    writeFileSync(join(dir, 'b.cu'), 'void g() {}\n');
    const r = await cli('port', dir, '--stdout');
    assert.equal(r.code, 2);
    assert.match(r.err, /--stdout prints one file/);
  });
});

describe('outputs', () => {
  test('--out writes foo.hip, copies the non-CUDA files, keeps the inputs; --in-place rewrites foo.cu', async () => {
    const dir = project();
    const out = mkdtempSync(join(tmpdir(), 'hp-out-'));
    const r = await cli('port', dir, '--out', out, '--target-rocm', '5.2', '--json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readdirSync(out).sort(), ['Makefile', 'a.hip', 'util.h']);
    const report = JSON.parse(r.out) as { files: Array<{ open: Array<{ code: string; line: number }> }>; total: { byLibrary: Record<string, { found: number; converted: number }> } };
    assert.equal(report.total.byLibrary['runtime']!.found, 2);
    assert.equal(report.total.byLibrary['runtime']!.converted, 1);
    assert.deepEqual(report.files[0]!.open.map((o) => [o.code, o.line]), [['HP104', 3]]);
    assert.match(readFileSync(join(out, 'a.hip'), 'utf8'), /hipMalloc\(&d, 4\)/);

    const inPlace = await cli('port', join(dir, 'a.cu'), '--in-place');
    assert.equal(inPlace.code, 0);
    assert.match(readFileSync(join(dir, 'a.cu'), 'utf8'), /#include <hip\/hip_runtime\.h>/);
  });

  test('quoted includes of ported .cu files follow the rename', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-inc-'));
    mkdirSync(join(dir, 'k'));
    writeFileSync(join(dir, 'k', 'kern.cu'), '__global__ void k() {}\n');
    writeFileSync(join(dir, 'main.cu'), '#include "k/kern.cu"\nint main() { k<<<1, 1>>>(); }\n');
    const out = mkdtempSync(join(tmpdir(), 'hp-out-'));
    const r = await cli('port', dir, '--out', out);
    assert.equal(r.code, 0, r.err);
    assert.match(readFileSync(join(out, 'main.hip'), 'utf8'), /#include "k\/kern\.hip"/);
  });

  test('scan: text summary, JSON report and a SARIF 2.1.0 log', async () => {
    const dir = project();
    const text = await cli('scan', dir);
    assert.equal(text.code, 0);
    assert.match(text.out, /files: 1, lines: 3/);
    assert.match(text.out, /HP104 +cudaDeviceFlushGPUDirectRDMAWrites has no HIP equivalent/);
    // renames collapse into one line per file; errors and warnings are counted per 1,000 lines
    assert.match(text.out, /\n {2}2 renames the translator performs \(HP101 ×1, HP110 ×1; --verbose lists them\)\n/);
    assert.doesNotMatch(text.out, /HP101 +cudaMalloc/);
    assert.match(text.out, /errors: 1, warnings: 0 \(333\.33 per 1,000 lines\), information: 0, hints: 2/);
    assert.match((await cli('scan', dir, '--verbose')).out, /3:\d+ +hint +HP101 +cudaMalloc → hipMalloc/);
    const json = JSON.parse((await cli('scan', dir, '--format', 'json')).out) as { files: number; unsupportedApis: Array<{ name: string }> };
    assert.equal(json.files, 1);
    assert.ok(json.unsupportedApis.some((u) => u.name === 'cudaDeviceFlushGPUDirectRDMAWrites'));
    const sarif = JSON.parse((await cli('scan', dir, '--format', 'sarif')).out) as {
      version: string;
      runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }>;
    };
    assert.equal(sarif.version, '2.1.0');
    const hp104 = sarif.runs[0]!.results.find((x) => x.ruleId === 'HP104');
    assert.equal(hp104?.locations[0]!.physicalLocation.region.startLine, 3);
    assert.ok(sarif.runs[0]!.tool.driver.rules.some((x) => x.id === 'HP104'));
  });
});
