/**
 * The pure pieces that join the build feature to the agent and the review (src/extension/build-settings.ts):
 * the `compile_proposal` summary (temporary name hidden, counts, notes, cap) over the engine's real
 * clang diagnostic parser, and the tasks.json fields `defines`, `env`, `sync` plus the time-limit
 * settings reaching the build plan.
 * Run: node --import tsx --test test/unit/build-integration.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { configToBuildSettings, summarizeProposalBuild, taskJsonToDefinition, taskJsonToPlan } from '../../src/extension/build-settings';
import { hipccArgs, parseDiagnostics } from '../../src/core/build';
import { cfg } from './build-config-fixture';

const DIR = '/home/u/proj/src';
const TMP = join(DIR, '.hip-porter-proposal-0a1b2c.hip');

/** hipcc 5.2 output for a proposal with two errors and a warning with a note (as printed for an absolute source path). */
const OUTPUT = [
  `${TMP}:2:40: warning: unused variable 'k' [-Wunused-variable]`,
  '__global__ void f(float *x) { int k; }',
  '                                       ^',
  `${TMP}:3:3: error: use of undeclared identifier 'scaleOne'`,
  '  scaleOne(x);',
  '  ^',
  `${TMP}:4:7: error: no matching function for call to 'g'`,
  '  g(1, 2);',
  '  ^',
  `${TMP}:1:6: note: candidate function not viable: requires 1 argument, but 2 were provided`,
  'void g(int);',
  '     ^',
  '2 errors and 1 warning generated when compiling for gfx90a.',
  '',
].join('\n');


test('summarizeProposalBuild names the source, counts errors and warnings, keeps flags and notes', () => {
  const diagnostics = parseDiagnostics(OUTPUT, { cwd: DIR });
  const s = summarizeProposalBuild({ exitCode: 1, diagnostics, output: OUTPUT }, TMP, 'src/scale.hip');
  assert.equal(
    s,
    [
      'hipcc exited with 1: 2 error(s), 1 warning(s).',
      "src/scale.hip:2:40: warning: unused variable 'k' [-Wunused-variable]",
      "src/scale.hip:3:3: error: use of undeclared identifier 'scaleOne'",
      "src/scale.hip:4:7: error: no matching function for call to 'g'",
      '  src/scale.hip:1:6: note: candidate function not viable: requires 1 argument, but 2 were provided',
    ].join('\n'),
  );
  assert.ok(!s.includes('.hip-porter-proposal-'), 'the temporary name never reaches the model');
  assert.equal(summarizeProposalBuild({ exitCode: 0, diagnostics: [], output: '' }, TMP, 'src/scale.hip'), 'hipcc exited with 0: 0 error(s), 0 warning(s).');
});

test('summarizeProposalBuild keeps whole diagnostics within the cap and counts the rest', () => {
  const many = Array.from({ length: 200 }, (_, i) => `${TMP}:${i + 1}:1: error: use of undeclared identifier 'name_${i}'`).join('\n') + '\n';
  const s = summarizeProposalBuild({ exitCode: 1, diagnostics: parseDiagnostics(many), output: many }, TMP, 'a.hip', 1000);
  assert.ok(s.length <= 1000, `${s.length} chars`);
  const lines = s.split('\n');
  assert.equal(lines[0], 'hipcc exited with 1: 200 error(s), 0 warning(s).');
  const shown = lines.filter((l) => l.startsWith('a.hip:')).length;
  assert.ok(shown > 5 && shown < 200);
  assert.equal(lines.at(-1), `[... ${200 - shown} more diagnostic(s)]`);
});

test('summarizeProposalBuild falls back to the tail of the raw output when nothing parsed', () => {
  const out = `x`.repeat(5000) + `\nclang: error: unable to execute command: ${TMP} crashed\n`;
  const s = summarizeProposalBuild({ exitCode: 1, diagnostics: [], output: 'garbage\n' + out }, TMP, 'a.hip', 600);
  assert.ok(s.length <= 600, `${s.length} chars`);
  assert.match(s, /^hipcc exited with 1: 0 error\(s\), 0 warning\(s\)\.\n\[\.\.\. output cut\]\n/);
  assert.ok(s.endsWith('unable to execute command: a.hip crashed'));
});

test('tasks.json defines, env and sync reach the plan; time limits come from the settings when valid', () => {
  const def = taskJsonToDefinition({ type: 'hipcc', file: 'a.hip', defines: [' USE_HIP ', '', 'N=4'], env: { ROCM_PATH: '/opt/rocm', ' ': 'x' }, sync: false }, { link: false });
  assert.deepEqual([def.defines, def.env, def.sync], [['USE_HIP', 'N=4'], { ROCM_PATH: '/opt/rocm' }, 'off']);
  assert.equal(taskJsonToDefinition({ type: 'hipcc', sync: true }, { link: false }).sync, 'closure');
  assert.equal(taskJsonToDefinition({ type: 'hipcc', sync: 'folder' }, { link: false }).sync, 'folder');

  const s = configToBuildSettings(cfg({ remoteHost: 'box', timeoutSec: 30, connectTimeoutSec: 3 }));
  const plan = taskJsonToPlan({ type: 'hipcc', file: 'src/a.hip', defines: ['N=4'], env: { X: '${fileBasename}' }, sync: 'folder' }, s, { workspaceFolder: '/w', currentFile: '/w/src/a.hip' });
  assert.ok(hipccArgs(plan.request).includes('-DN=4'));
  assert.deepEqual(plan.request.env, { HIP_PLATFORM: 'amd', X: 'a.hip' }, 'task env over the setting, variables substituted');
  assert.equal(plan.remote?.sync, 'folder');
  assert.equal(plan.timeoutMs, 30_000);
  assert.equal(plan.remote?.connectTimeoutSec, 3);

  const d = configToBuildSettings(cfg({ timeoutSec: -1 }));
  assert.deepEqual([d.timeoutSec, d.connectTimeoutSec], [600, 10]);
});
