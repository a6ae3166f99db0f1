// In-host suite for the harness self-test: loaded by the VS Code extension host as
// --extensionTestsPath (see test/e2e/run.mjs --ext test/e2e/fixture-ext --suite test/e2e/fixture-suite).
// VS Code calls run() and waits for its promise: resolve = pass (exit 0), reject = fail (exit 1).
'use strict';
const path = require('node:path');
const { runMochaSuite } = require('../host-runner.js');

/** Entry point VS Code's extension host calls. */
function run() {
  return runMochaSuite({ files: [path.join(__dirname, 'fixture.test.js')], timeoutMs: 30000 });
}

module.exports = { run };
