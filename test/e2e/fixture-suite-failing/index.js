// In-host suite that must FAIL: test/e2e/harness.test.mjs runs it to prove a failing in-host test
// turns into a non-zero exit code, a report naming the failure, and a screenshot.
'use strict';
const path = require('node:path');
const { runMochaSuite } = require('../host-runner.js');

/** Entry point VS Code's extension host calls; rejects because one test fails on purpose. */
function run() {
  return runMochaSuite({ files: [path.join(__dirname, 'failing.test.js')], timeoutMs: 30000 });
}

module.exports = { run };
