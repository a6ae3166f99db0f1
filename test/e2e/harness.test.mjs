// Tests of the e2e harness itself (scripts/e2e/): desktop-flag parsing, and that a failing in-host
// suite becomes a non-zero exit code with a report and a screenshot, leaving no process behind.
// Run: node --test test/e2e/harness.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { descendantPids } from '../../scripts/e2e/code-server.mjs';
import { parseDesktopArgs, RESULTS_DIR } from '../../scripts/e2e/launcher.mjs';
import { setupCodeServer } from '../../scripts/e2e/setup-code-server.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('parseDesktopArgs understands the command line runTests builds', () => {
  const parsed = parseDesktopArgs([
    'test/e2e/workspace',
    '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes', '--disable-workspace-trust',
    '--extensionTestsPath=/abs/suite/index.js',
    '--extensionDevelopmentPath=/abs/ext-a',
    '--extensionDevelopmentPath', 'rel/ext-b',
    '--extensions-dir=.vscode-test/extensions',
    '--user-data-dir=.vscode-test/user-data',
    '--disable-extensions',
  ], repoRoot);
  assert.deepEqual(parsed, {
    extensionDevelopmentPath: ['/abs/ext-a', join(repoRoot, 'rel/ext-b')],
    extensionTestsPath: '/abs/suite/index.js',
    extensionsDir: join(repoRoot, '.vscode-test/extensions'),
    disableExtensions: true,
    folder: join(repoRoot, 'test/e2e/workspace'),
    file: undefined,
    ignored: ['--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes', '--disable-workspace-trust', '--user-data-dir=.vscode-test/user-data'],
  });
  assert.equal(parseDesktopArgs(['test/e2e/workspace/saxpy.cu'], repoRoot).file, join(repoRoot, 'test/e2e/workspace/saxpy.cu'));
});

test('a failing in-host suite exits non-zero with a report, a screenshot and no leftover process', { timeout: 180_000 }, () => {
  setupCodeServer();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const before = new Set(readdirSync(RESULTS_DIR).filter((f) => f.startsWith('launcher-failure-')));
  const run = spawnSync(process.execPath, [
    join(repoRoot, 'scripts/e2e/launcher.mjs'),
    '--extensionDevelopmentPath=' + join(repoRoot, 'test/e2e/fixture-ext'),
    '--extensionTestsPath=' + join(repoRoot, 'test/e2e/fixture-suite-failing/index.js'),
    join(repoRoot, 'test/e2e/workspace'),
  ], { encoding: 'utf8', timeout: 150_000 });
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.status, 1, output);
  assert.match(output, /1 passing, 1 failing/);
  assert.match(output, /FAIL fails on purpose/);
  assert.match(output, /deliberate failure/);
  const counts = JSON.parse(readFileSync(join(RESULTS_DIR, 'host-result.json'), 'utf8'));
  assert.equal(counts.failures, 1);
  assert.equal(counts.passes, 1);
  const shots = readdirSync(RESULTS_DIR).filter((f) => f.startsWith('launcher-failure-') && f.endsWith('.png') && !before.has(f));
  assert.equal(shots.length, 1, output);
  // The launcher has exited; nothing it started may still run: no child of ours, and no process
  // (re-parented orphans included) whose command line names the launcher's code-server address.
  assert.deepEqual(descendantPids(process.pid), []);
  const bind = /code-server http:\/\/(127\.0\.0\.1:\d+) ready/.exec(output)?.[1];
  assert.ok(bind, output);
  const strays = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(bind);
    } catch {
      return false;
    }
  });
  assert.deepEqual(strays, [], `no process still serves ${bind}`);
  for (const f of readdirSync(RESULTS_DIR).filter((f) => f.startsWith('launcher-failure-') && !before.has(f))) {
    rmSync(join(RESULTS_DIR, f));
  }
  assert.equal(existsSync(join(RESULTS_DIR, shots[0])), false);
});
