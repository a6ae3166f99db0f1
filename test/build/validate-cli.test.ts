/**
 * `hip-porter validate` end to end on this machine (both sides local, built with g++ from
 * validate-programs.ts): exit codes (0 only when every case passes, 1 otherwise, 2 for usage and
 * configuration errors), --json, --report-md / --report-json, --case, --candidate override, and the
 * reports written into outDir. Argument parsing is checked on its own too.
 * Run: node --import tsx --test test/build/validate-cli.test.ts
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { parseValidateArgs } from '../../src/cli/validate-command';
import { tempDir } from './helpers';
import { SIM_CPP } from './validate-programs';

let root: string;

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

function writeConfig(cases: unknown[], extra: Record<string, unknown> = {}): string {
  const path = join(root, '.vscode', 'hip-porter-validate.json');
  writeFileSync(
    path,
    JSON.stringify({
      reference: { dir: 'ref', build: 'g++ -O1 -o sim ../sim.cpp' },
      candidate: { dir: 'cand', build: 'g++ -O1 -DSIDE_CANDIDATE -o sim ../sim.cpp' },
      tolerance: { rel: 1e-5 },
      ...extra,
      cases,
    }),
  );
  return path;
}

const grid = { file: 'grid.bin', format: 'raw', dtype: 'float32', shape: [64, 48] };
const out = { stdout: true, format: 'text', ignoreLines: ['^elapsed '] };

before(() => {
  root = tempDir('validate-cli');
  writeFileSync(join(root, 'sim.cpp'), SIM_CPP);
  for (const d of ['.vscode', 'ref', 'cand']) mkdirSync(join(root, d));
});

test('parseValidateArgs: defaults, overrides, usage errors', () => {
  const p = parseValidateArgs(['--candidate', 'rocm-box', '--case', 'a', '--case', 'b', '--report-md', 'r.md', '--json'], '/w');
  assert.deepEqual(p, { kind: 'run', options: { config: '/w/.vscode/hip-porter-validate.json', candidate: 'rocm-box', json: true, cases: ['a', 'b'], reportMd: '/w/r.md' } });
  assert.equal(parseValidateArgs(['--config', 'x.json'], '/w').kind === 'run' && (parseValidateArgs(['--config', 'x.json'], '/w') as { options: { config: string } }).options.config, '/w/x.json');
  assert.deepEqual(parseValidateArgs(['--reference', '-oProxyCommand=x']), { kind: 'usage-error', message: "--reference needs an ssh Host alias or \"local\", got '-oProxyCommand=x'" });
  assert.equal(parseValidateArgs(['stray']).kind, 'usage-error');
  assert.equal(parseValidateArgs(['--bogus']).kind, 'usage-error');
  assert.equal(parseValidateArgs(['--help']).kind, 'help');
});

test('every case passes: exit 0, summary on stdout, reports in outDir and where asked', async () => {
  const cfg = writeConfig([
    { name: 'identical', command: './sim', args: ['identical'], outputs: [grid, { file: 'grid.npy', format: 'npy' }, out] },
    { name: 'within', command: './sim', args: ['within'], outputs: [grid, out] },
  ]);
  const r = await cli(['validate', '--config', cfg, '--report-md', join(root, 'ci/validate.md'), '--report-json', join(root, 'ci/validate.json')]);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /^PASS +identical$/m);
  assert.match(r.out, /^PASS +within$/m);
  assert.match(r.out, /2\/2 cases pass/);
  assert.match(r.err, /\[validate\] identical: reference run 1\/2 on local/);
  for (const f of ['.hip-porter-validate/report.md', '.hip-porter-validate/report.json', 'ci/validate.md', 'ci/validate.json']) assert.ok(existsSync(join(root, f)), f);
  const json = JSON.parse(readFileSync(join(root, 'ci/validate.json'), 'utf8'));
  assert.equal(json.passed, true);
  assert.equal(json.cases[1].outputs[0].stats.bitDifferences > 0, true);
  assert.match(readFileSync(join(root, 'ci/validate.md'), 'utf8'), /# Validation: PASS \(2\/2 cases pass\)/);
});

test('a failing case: exit 1; --json prints the report; --case runs only the named cases', async () => {
  const cfg = writeConfig([
    { name: 'identical', command: './sim', args: ['identical'], outputs: [grid] },
    { name: 'over', command: './sim', args: ['over'], outputs: [grid, out] },
    { name: 'signedzero', command: './sim', args: ['signedzero'], outputs: [{ ...grid, tolerance: { signedZero: 'distinct' } }] },
  ]);
  const r = await cli(['validate', '--config', cfg, '--json']);
  assert.equal(r.code, 1);
  const rep = JSON.parse(r.out);
  assert.deepEqual(rep.counts, { pass: 1, fail: 2, nondeterministic: 0, error: 0 });
  assert.equal(rep.cases[2].outputs[0].stats.signedZeroMismatches, 1);
  const only = await cli(['validate', '--config', cfg, '--case', 'identical']);
  assert.equal(only.code, 0, only.out);
  assert.match(only.out, /1\/1 cases pass/);
  const unknown = await cli(['validate', '--config', cfg, '--case', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /no case named nope/);
});

test('configuration problems and an unreachable candidate box are clear, not stack traces', async () => {
  const missing = await cli(['validate', '--config', join(root, 'none.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /No validation config at .*none\.json/);
  const bad = join(root, 'bad.json');
  writeFileSync(bad, '{ "reference": {}, "cases": [] ');
  const r1 = await cli(['validate', '--config', bad]);
  assert.equal(r1.code, 2);
  assert.match(r1.err, /is not valid JSON/);
  writeFileSync(bad, JSON.stringify({ reference: {}, candidate: {}, cases: [] }));
  const r2 = await cli(['validate', '--config', bad]);
  assert.equal(r2.code, 2);
  assert.match(r2.err, /\/cases: must NOT have fewer than 1 items/);
  // A candidate host that does not resolve: every case is an error naming the host, exit 1.
  const cfg = writeConfig([{ name: 'identical', command: './sim', args: ['identical'], outputs: [grid] }]);
  const sshCfg = join(root, 'ssh_config');
  writeFileSync(sshCfg, 'Host nowhere\n  HostName nowhere.invalid\n');
  const data = JSON.parse(readFileSync(cfg, 'utf8'));
  data.candidate.sshConfigFile = sshCfg;
  writeFileSync(cfg, JSON.stringify(data));
  const r3 = await cli(['validate', '--config', cfg, '--candidate', 'nowhere']);
  assert.equal(r3.code, 1);
  assert.match(r3.out, /^ERROR +identical$/m);
  assert.match(r3.out, /candidate side: Cannot reach nowhere/);
});

test('hip-vs-hip mode: two ROCm boxes, the same command on both, labelled as such', async () => {
  const cfg = writeConfig([{ name: 'identical', command: './sim', args: ['identical'], outputs: [grid] }], { mode: 'hip-vs-hip', runsPerSide: 3 });
  const r = await cli(['validate', '--config', cfg, '--json']);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out);
  assert.equal(rep.mode, 'hip-vs-hip');
  assert.equal(rep.cases[0].runs.reference.length, 3);
  assert.equal(rep.cases[0].command.reference, rep.cases[0].command.candidate);
  assert.match(readFileSync(join(root, '.hip-porter-validate/report.md'), 'utf8'), /ROCm box against ROCm box; each side ran each case 3 times/);
});

test('a local run over its time limit is killed with its process group and fails the case', async () => {
  const cfg = writeConfig([{ name: 'slow', command: './sim', args: ['timeout'], outputs: [grid], timeLimitSec: 1 }]);
  const t0 = performance.now();
  const r = await cli(['validate', '--config', cfg, '--json']);
  assert.equal(r.code, 1);
  assert.ok(performance.now() - t0 < 30_000);
  const rep = JSON.parse(r.out);
  assert.equal(rep.cases[0].verdict, 'fail');
  assert.equal(rep.cases[0].runs.candidate[0].timedOut, true);
  const alive = readdirSync('/proc').filter((p) => {
    try {
      return /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8') === './sim\0timeout\0' && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
  assert.deepEqual(alive, [], 'the sleeping candidate is gone');
});
