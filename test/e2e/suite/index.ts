/**
 * Entry point of the in-host e2e suite (bundled to dist-test/e2e/index.js by scripts/build-e2e.mjs):
 * the VS Code extension host calls `run()`, which runs every `*.test.js` bundled next to it with
 * mocha through test/e2e/host-runner.js. Resolves when all pass, rejects otherwise.
 * Environment: HIP_PORTER_E2E_GREP (optional) runs only tests whose full title matches it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runMochaSuite } from './host';

/** Runs the suite; called by VS Code's test host. */
export function run(): Promise<unknown> {
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => join(__dirname, f));
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js files next to ${__filename}`));
  const grep = process.env['HIP_PORTER_E2E_GREP'];
  return runMochaSuite({ files, timeoutMs: 60_000, ...(grep ? { grep } : {}) });
}
