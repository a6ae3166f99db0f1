// Runs mocha test files inside the VS Code extension host and writes the outcome to files, because
// in code-server the extension host's console only reaches the browser log.
// Used by the `run()` of every in-host suite (test/e2e/fixture-suite/index.js, test/e2e/suite/index.js).
// Plain CommonJS on purpose: the extension host require()s the suite directly (or a bundle of it).
//
// Environment (set by scripts/e2e/launcher.mjs; both optional):
//   HIP_PORTER_E2E_REPORT  path of a human-readable report (one line per test, failures with stack)
//   HIP_PORTER_E2E_RESULT  path of a JSON summary: { tests, passes, failures, pending, durationMs, failed: [{ title, error }] }
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * The Mocha class whatever the installed major: mocha <= 11 exports the class itself, mocha 12 is
 * an ES module whose require() namespace carries it as `Mocha` / `default`.
 */
function mochaClass() {
  const mod = require('mocha');
  return mod.Mocha || mod.default || mod;
}

/** Writes `text` to `file` (creating its folder); does nothing when `file` is empty/undefined. */
function writeIfSet(file, text) {
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * Runs the given mocha files (BDD interface) in this process and records the outcome.
 * @param {object} options
 * @param {string[]} options.files absolute paths of CommonJS (or ESM) test files
 * @param {number} [options.timeoutMs] per-test timeout in milliseconds, default 30000
 * @param {string} [options.grep] only run tests whose full title matches this regular expression
 * @returns {Promise<{ tests: number, passes: number, failures: number, pending: number, durationMs: number }>}
 *   resolves when every test passed; rejects with an Error naming the failure count otherwise
 *   (VS Code then ends the test run with exit code 1)
 */
async function runMochaSuite(options) {
  const Mocha = mochaClass();
  const lines = [];
  const failed = [];
  /** Mocha reporter (constructed by mocha with the runner before anything runs) that records results. */
  function Collector(runner) {
    let depth = 0;
    const indent = () => '  '.repeat(depth);
    runner.on('suite', (suite) => {
      if (!suite.title) return;
      lines.push(`${indent()}${suite.title}`);
      depth++;
    });
    runner.on('suite end', (suite) => {
      if (suite.title) depth--;
    });
    runner.on('pass', (test) => lines.push(`${indent()}ok   ${test.title} (${test.duration ?? 0} ms)`));
    runner.on('pending', (test) => lines.push(`${indent()}skip ${test.title}`));
    runner.on('fail', (test, err) => {
      lines.push(`${indent()}FAIL ${test.title}`);
      failed.push({ title: test.fullTitle(), error: err && err.stack ? String(err.stack) : String(err) });
    });
  }
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: options.timeoutMs ?? 30000, reporter: Collector });
  if (options.grep) mocha.grep(new RegExp(options.grep));
  for (const file of options.files) mocha.addFile(file);
  await mocha.loadFilesAsync();

  const started = Date.now();
  const counts = await new Promise((resolve) => {
    const runner = mocha.run(() => {
      const stats = runner.stats || {};
      resolve({ tests: stats.tests ?? 0, passes: stats.passes ?? 0, failures: stats.failures ?? failed.length, pending: stats.pending ?? 0 });
    });
  });
  const summary = { ...counts, durationMs: Date.now() - started };

  let report = lines.join('\n') + '\n\n';
  report += `${summary.passes} passing, ${summary.failures} failing, ${summary.pending} pending (${summary.durationMs} ms)\n`;
  for (const [i, f] of failed.entries()) report += `\n${i + 1}) ${f.title}\n${f.error}\n`;
  writeIfSet(process.env.HIP_PORTER_E2E_REPORT, report);
  writeIfSet(process.env.HIP_PORTER_E2E_RESULT, JSON.stringify({ ...summary, failed }, null, 2) + '\n');
  console.log(report);

  if (summary.failures > 0) throw new Error(`${summary.failures} of ${summary.tests} in-host test(s) failed`);
  return summary;
}

/**
 * Waits until `predicate()` returns a truthy value, checking every `intervalMs`; for conditions
 * the VS Code API offers no event for (e.g. an extension becoming active).
 * @param {() => any} predicate
 * @param {{ timeoutMs?: number, intervalMs?: number, what?: string }} [options] timeoutMs default 10000, intervalMs default 50
 * @returns {Promise<any>} the truthy value
 * @throws Error naming `what` when the timeout passes
 */
async function waitFor(predicate, options = {}) {
  const deadline = Date.now() + (options.timeoutMs ?? 10000);
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

module.exports = { runMochaSuite, waitFor };
