#!/usr/bin/env node
// The test command (`npm test`): builds the bundles, lints (the import walls of eslint.config.mjs,
// counted as one test), then runs every test group with node's test runner (unit, LSP server,
// agent, build), then the in-host VS Code suite in code-server.
// Prints a closing line "N passed, N failed". Usage: node scripts/run-tests.mjs [group...]
// Groups: lint unit server agent build e2e (default: all that exist).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const requested = process.argv.slice(2);
const groups = requested.length ? requested : ['lint', 'unit', 'server', 'agent', 'build', 'e2e'];

// One private temporary folder for the whole run, given to every child as TMPDIR: the tests'
// scratch projects and what hipcc (clang) leaves in TMPDIR (two empty folders per compile) stay
// in it. It is removed when every test passed, and kept (its path printed) when one failed.
// Mode 1777 like /tmp itself: tests that drop to another user (nobody) create folders in it too.
const scratch = mkdtempSync(join(tmpdir(), 'hip-porter-tests-'));
chmodSync(scratch, 0o1777);
const childEnv = { ...process.env, TMPDIR: scratch };

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: childEnv, ...opts });
  if (r.stdout) process.stdout.write(r.stdout);
  return r;
}

function testFiles(dir) {
  const abs = join(root, 'test', dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
    .sort()
    .map((f) => join('test', dir, f));
}

/** Adds the pass/fail counts of a node --test run; a failed run without counts counts as one failure. */
function countNodeTest(r) {
  const p = /^ℹ pass (\d+)/m.exec(r.stdout ?? '') ?? /^# pass (\d+)/m.exec(r.stdout ?? '');
  const f = /^ℹ fail (\d+)/m.exec(r.stdout ?? '') ?? /^# fail (\d+)/m.exec(r.stdout ?? '');
  passed += p ? Number(p[1]) : 0;
  failed += f ? Number(f[1]) : 0;
  if (r.status !== 0 && !(f && Number(f[1]) > 0)) failed++;
}

let passed = 0;
let failed = 0;
const t0 = Date.now();
const b = run('node', ['scripts/build.mjs']);
if (b.status !== 0) {
  console.log('build failed');
  rmSync(scratch, { recursive: true, force: true });
  console.log('0 passed, 1 failed');
  process.exit(1);
}
for (const g of groups) {
  if (g === 'lint') {
    console.log('\n=== lint (eslint: import walls) ===');
    const r = run('node', ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.stderr) process.stdout.write(r.stderr);
    if (r.status === 0) {
      passed++;
      console.log('lint: no problems');
    } else failed++;
    continue;
  }
  if (g === 'e2e') {
    // The real extension in the real VS Code workbench (code-server + headless Chromium):
    // the in-host mocha suite, then the Playwright-driven UI checks.
    console.log(`\n=== e2e (VS Code ${'1.100'} in code-server, headless Chromium) ===`);
    const setup = run('node', ['scripts/e2e/setup-code-server.mjs']);
    if (setup.status !== 0) {
      failed++;
      continue;
    }
    const suite = run('node', ['scripts/build-e2e.mjs']);
    if (suite.status !== 0) {
      failed++;
      continue;
    }
    const r = run('node', ['test/e2e/run.mjs', '--suite', 'dist-test/e2e/index.js', '--workspace', 'test/e2e/workspace-hp']);
    // the in-host runner prints mocha's "N passing, N failing" (and "in-host counts: ...")
    const m = /(\d+) passed, (\d+) failed/.exec(r.stdout ?? '') ?? /in-host counts: (\d+) passing, (\d+) failing/.exec(r.stdout ?? '');
    if (m) {
      passed += Number(m[1]);
      failed += Number(m[2]);
    }
    if (r.status !== 0 && !(m && Number(m[2]) > 0)) failed++;
    const ui = ['test/e2e/harness.test.mjs', 'test/e2e/panel-ui.mjs', 'test/e2e/smoke.test.mjs'].filter((f) => existsSync(join(root, f)));
    if (ui.length) {
      const u = run('node', ['--test', '--test-reporter=spec', '--test-concurrency=1', ...ui]);
      countNodeTest(u);
    }
    continue;
  }
  const files = testFiles(g);
  if (files.length === 0) continue;
  console.log(`\n=== ${g} (${files.length} files) ===`);
  const r = run('node', ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files]);
  countNodeTest(r);
}
console.log(`\nall tests: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
if (failed) console.log(`temporary files of this run kept in ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
