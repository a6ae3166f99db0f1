/**
 * Port validation end to end over two real "boxes": two test-owned sshd instances on loopback
 * (sshd-harness.ts), one the reference, one the candidate. The project (a C++ source, see
 * validate-programs.ts) is synced to each box with rsync, built there with g++ (the candidate with
 * -DSIDE_CANDIDATE), each case runs twice per side over ssh, the outputs come back, and the
 * comparison gives each case its verdict: identical, within tolerance, over tolerance, NaN
 * mismatch, nondeterministic, crash, timeout, missing output file, huge output.
 * Run: node --import tsx --test test/build/validate-remote.test.ts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig, runValidation, reportMarkdown, ValidationCancelled, type CaseReport, type ValidationReport } from '../../src/core/validate';
import { startSshd, type SshdHarness } from './sshd-harness';
import { tempDir } from './helpers';
import { SIM_CPP } from './validate-programs';

let ref: SshdHarness;
let cand: SshdHarness;
let project: string;
let report: ValidationReport;

const HUGE_N = 6 * 1024 * 1024; // 24 MB of float32 per file, compared in 1 MiB chunks below

function configData(extraCases: unknown[] = []): unknown {
  const grid = { file: 'grid.bin', format: 'raw', dtype: 'float32', shape: [64, 48] };
  const npy = { file: 'grid.npy', format: 'npy' };
  const out = { stdout: true, format: 'text', ignoreLines: ['^elapsed '] };
  return {
    reference: { host: 'rocm-test', sshConfigFile: ref.sshConfigFile, dir: '.', remoteDir: join(ref.dir, 'ref box'), build: 'g++ -O1 -o sim sim.cpp' },
    candidate: { host: 'rocm-test', sshConfigFile: cand.sshConfigFile, dir: '.', remoteDir: join(cand.dir, 'cand box'), build: 'g++ -O1 -DSIDE_CANDIDATE -o sim sim.cpp' },
    tolerance: { rel: 1e-5 },
    timeLimitSec: 20,
    cases: [
      { name: 'identical', command: '../sim', args: ['identical'], cwd: 'scaled', inputs: [{ from: 'data/factor.txt', to: 'scale.txt' }], outputs: [grid, npy, out] },
      { name: 'within', command: './sim', args: ['within'], outputs: [grid, npy, out] },
      { name: 'over', command: './sim', args: ['over'], outputs: [grid, out] },
      { name: 'nan', command: './sim', args: ['nan'], outputs: [grid] },
      { name: 'nondet', command: './sim', args: ['nondet'], outputs: [grid] },
      { name: 'crash', command: './sim', args: ['crash'], outputs: [grid] },
      { name: 'timeout', command: './sim', args: ['timeout'], outputs: [grid], timeLimitSec: 2 },
      { name: 'missing', command: './sim', args: ['missing'], outputs: [grid, out] },
      { name: 'huge', command: './sim', args: ['huge', String(HUGE_N)], outputs: [{ file: 'big.bin', format: 'raw', dtype: 'float32' }] },
      ...extraCases,
    ],
  };
}

before(async () => {
  [ref, cand] = await Promise.all([startSshd(), startSshd()]);
  project = tempDir('validate-proj');
  writeFileSync(join(project, 'sim.cpp'), SIM_CPP);
  writeFileSync(join(project, '.gitignore'), '.hip-porter-validate/\ndata/\n');
  mkdirSync(join(project, 'data'));
  writeFileSync(join(project, 'data', 'factor.txt'), '2.5\n');
  mkdirSync(join(project, '.vscode'));
  const config = resolveConfig(configData(), project, join(project, '.vscode/hip-porter-validate.json'));
  report = await runValidation(config, { controlDir: ref.controlDir, chunkBytes: 1 << 20 });
});

after(async () => {
  await ref?.stop();
  await cand?.stop();
});

/** pids of live `./sim MODE` processes (the boxes are this machine). */
function simProcesses(mode: string): string[] {
  return readdirSync('/proc').filter((p) => {
    try {
      return /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8') === `./sim\0${mode}\0` && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}

function get(name: string): CaseReport {
  const c = report.cases.find((x) => x.name === name);
  assert.ok(c, `case ${name} is in the report`);
  return c;
}

test('both boxes were prepared over ssh: project synced, built there with g++', () => {
  for (const s of ['reference', 'candidate'] as const) {
    const side = report[s];
    assert.equal(side.error, undefined, `${s}: ${side.error}`);
    assert.ok(side.build?.ok, `${s} build: ${side.build?.outputTail}`);
    assert.ok(side.syncedFiles >= 1);
    assert.ok(existsSync(join(side.workDir, 'sim')), `${s} binary built in the remote dir ${side.workDir}`);
  }
  assert.notEqual(report.reference.workDir, report.candidate.workDir);
});

test('identical: every output passes bit for bit, each side ran twice', () => {
  const c = get('identical');
  assert.equal(c.verdict, 'pass', c.reasons.join('; '));
  assert.equal(c.runs.reference.length, 2);
  assert.equal(c.runs.candidate.length, 2);
  for (const o of c.outputs) {
    assert.equal(o.verdict, 'pass');
    assert.match(o.message, /^identical/);
    assert.equal(o.selfCheck.reference?.identical, true);
  }
  // The input was copied to each box into the case's folder (data/ is .gitignore'd, so not by the project sync) and read there.
  for (const s of ['reference', 'candidate'] as const) assert.equal(readFileSync(join(report[s].workDir, 'scaled', 'scale.txt'), 'utf8'), '2.5\n');
  assert.match(readFileSync(join(project, '.hip-porter-validate/candidate/identical/run1/stdout'), 'utf8'), /^scale = 2\.5$/m);
  const grid = c.outputs.find((o) => o.name === 'grid.bin')!;
  assert.equal(grid.stats?.count, 64 * 48);
  assert.equal(grid.stats?.bitDifferences, 0);
  const npy = c.outputs.find((o) => o.name === 'grid.npy')!;
  assert.deepEqual(npy.shape, [16, 8]);
  assert.equal(npy.dtype, 'float64');
  // The outputs were fetched back from the boxes.
  assert.ok(existsSync(join(project, '.hip-porter-validate/candidate/identical/run2/out0')));
  assert.equal(readFileSync(join(project, '.hip-porter-validate/reference/identical/run1/out0')).length, 64 * 48 * 4);
});

test('within tolerance: bits differ, errors are reported, the case passes', () => {
  const c = get('within');
  assert.equal(c.verdict, 'pass', c.reasons.join('; '));
  const grid = c.outputs.find((o) => o.name === 'grid.bin')!;
  assert.ok(grid.stats!.bitDifferences > 1000, 'most elements differ in their last bits');
  assert.ok(grid.stats!.maxUlps >= 1 && grid.stats!.maxUlps <= 8, `max ULPs ${grid.stats!.maxUlps}`);
  assert.ok(grid.stats!.maxRelError > 1e-8 && grid.stats!.maxRelError < 1e-5);
  assert.match(grid.message, /^within tolerance/);
  const out = c.outputs.find((o) => o.name === 'stdout')!;
  assert.equal(out.text!.numeric.bitDifferences, 1, 'the printed sum differs in its last digits');
  assert.equal(out.text!.ignoredLines, 2, 'the elapsed line (17 vs 42 ms) is left out on both sides');
});

test('over tolerance: the case fails at the planted element with its multi-index', () => {
  const c = get('over');
  assert.equal(c.verdict, 'fail');
  const grid = c.outputs.find((o) => o.name === 'grid.bin')!;
  assert.equal(grid.verdict, 'fail');
  assert.equal(grid.stats!.overTolerance, 1);
  assert.equal(grid.stats!.firstOverIndex, 10 * 48 + 20);
  assert.ok(Math.abs(grid.stats!.maxAbsError - 0.5) < 1e-6);
  assert.match(grid.message, /first at \[10, 20\] \(flat 500\)/);
  assert.ok(grid.stats!.heatmap, '2D output has a heat map');
  // The printed sum moves by 0.5: the stdout comparison fails on that number, not on the text.
  const out = c.outputs.find((o) => o.name === 'stdout')!;
  assert.equal(out.verdict, 'fail');
  assert.equal(out.text!.textMismatches, 0);
  assert.equal(out.text!.numeric.overTolerance, 1);
});

test('NaN on one side only is a NaN mismatch', () => {
  const c = get('nan');
  assert.equal(c.verdict, 'fail');
  const grid = c.outputs[0]!;
  assert.equal(grid.stats!.nanMismatches, 1);
  assert.equal(grid.stats!.firstOverIndex, 7);
});

test('nondeterministic: differing runs of one side are reported as such, not as a port bug', () => {
  const c = get('nondet');
  assert.equal(c.verdict, 'nondeterministic');
  const grid = c.outputs[0]!;
  assert.equal(grid.selfCheck.reference?.withinTolerance, false);
  assert.equal(grid.selfCheck.candidate?.withinTolerance, false);
  assert.match(c.reasons.join('\n'), /reference side is nondeterministic/);
});

test('crash: the candidate killed by SIGSEGV fails the case, named', () => {
  const c = get('crash');
  assert.equal(c.verdict, 'fail');
  assert.equal(c.runs.candidate[0]!.signal, 'SIGSEGV');
  assert.equal(c.runs.candidate[0]!.exitCode, 139);
  assert.match(c.reasons[0]!, /candidate run 1 was killed by SIGSEGV/);
  assert.equal(c.outputs.length, 0, 'no comparison after a crash');
});

test('timeout: the candidate is stopped at the time limit and the case fails', () => {
  const c = get('timeout');
  assert.equal(c.verdict, 'fail');
  assert.equal(c.runs.candidate.length, 1, 'no second run after a timeout');
  assert.equal(c.runs.candidate[0]!.timedOut, true);
  assert.ok(c.runs.candidate[0]!.durationMs < 15_000);
  assert.match(c.reasons.join('\n'), /did not finish within 2 s/);
  assert.deepEqual(simProcesses('timeout'), [], 'nothing of the sleeping candidate is left on the box');
});

test('missing output file: the candidate that did not write it fails, the other outputs are still compared', () => {
  const c = get('missing');
  assert.equal(c.verdict, 'fail');
  const grid = c.outputs.find((o) => o.name === 'grid.bin')!;
  assert.equal(grid.verdict, 'fail');
  assert.match(grid.message, /missing on the candidate side/);
  const out = c.outputs.find((o) => o.name === 'stdout')!;
  assert.equal(out.verdict, 'pass');
});

test('huge output: compared in chunks, the one planted difference near the end is found', () => {
  const c = get('huge');
  assert.equal(c.verdict, 'fail');
  const big = c.outputs[0]!;
  assert.equal(big.stats!.count, HUGE_N);
  assert.equal(big.stats!.overTolerance, 1);
  assert.equal(big.stats!.firstOverIndex, HUGE_N - 3);
  assert.equal(big.selfCheck.reference?.identical, true);
});

test('the report: verdict counts, not passed, Markdown with a row per case', () => {
  assert.equal(report.passed, false);
  assert.deepEqual(report.counts, { pass: 2, fail: 6, nondeterministic: 1, error: 0 });
  const md = reportMarkdown(report);
  for (const c of report.cases) assert.match(md, new RegExp(`\\| ${c.name} \\|`));
  assert.match(md, /# Validation: FAIL \(2\/9 cases pass\)/);
});

test('cancel stops the remote run and throws ValidationCancelled', async () => {
  const data = configData() as { cases: unknown[]; timeLimitSec: number };
  data.cases = [{ name: 'slow', command: './sim', args: ['timeout'], outputs: [{ file: 'grid.bin', format: 'raw', dtype: 'float32' }], timeLimitSec: 120 }];
  const config = resolveConfig(data, project, join(project, '.vscode/hip-porter-validate.json'));
  config.reference.build = '';
  config.candidate.build = '';
  config.reference.sync = false;
  config.candidate.sync = false;
  const ac = new AbortController();
  const t0 = performance.now();
  const p = runValidation(config, {
    controlDir: ref.controlDir,
    signal: ac.signal,
    onProgress: (e) => {
      // At once: before the remote shell has even announced its pid.
      if (e.phase === 'run' && e.side === 'candidate') setImmediate(() => ac.abort());
    },
  });
  await assert.rejects(p, ValidationCancelled);
  assert.ok(performance.now() - t0 < 30_000, `cancelled within the kill grace, not after the 120 s sleep (${(performance.now() - t0).toFixed(0)} ms)`);
  assert.deepEqual(simProcesses('timeout'), [], 'the candidate program is gone from the box');
});
