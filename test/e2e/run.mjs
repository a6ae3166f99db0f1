#!/usr/bin/env node
// Runs an in-host VS Code test suite through the standard entry point, @vscode/test-electron's
// runTests(), with our code-server launcher standing in for the VS Code executable (the desktop
// build cannot be downloaded here). On a machine with real VS Code,
// the same suite runs with runTests() minus `vscodeExecutablePath`.
//
// Usage: node test/e2e/run.mjs [--ext <extension dir>] [--suite <suite index.js or dir>] [--workspace <dir>]
//   --ext        extension under development; default: the repo root (package.json main ./dist/extension.js,
//                so build first: node scripts/build.mjs)
//   --suite      in-host suite; default: test/e2e/suite/index.js (see "Suite layout" below)
//   --workspace  folder opened in the window; default: test/e2e/workspace
// Harness self-test: node test/e2e/run.mjs --ext test/e2e/fixture-ext --suite test/e2e/fixture-suite
// Exit code: 0 when every in-host test passed, otherwise non-zero. Report: test-results/e2e/host-report.txt.
//
// Suite layout (what an in-host suite must look like):
//   - The extension host require()s it, so it is plain CommonJS JavaScript or a CommonJS bundle
//     (e.g. TypeScript sources under test/e2e/suite/ bundled by esbuild into dist-test/e2e/index.js,
//     format cjs, platform node, external ['vscode', 'mocha']).
//   - It exports `run(): Promise<void>`; resolve = pass, reject = fail. Use runMochaSuite() from
//     test/e2e/host-runner.js, which runs mocha test files and writes the report/counts files named by
//     HIP_PORTER_E2E_REPORT / HIP_PORTER_E2E_RESULT (set by the launcher) that the launcher prints.
//   - Test files use mocha's BDD globals (describe/it) and require('vscode'); they wait for events or
//     conditions with bounded timeouts (host-runner's waitFor), never for fixed sleeps.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { setupCodeServer } from '../../scripts/e2e/setup-code-server.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const launcher = join(repoRoot, 'scripts', 'e2e', 'code-launcher');

/**
 * Resolves the suite argument to the module file VS Code will load: a directory means its index.js.
 * @param {string} suite path relative to the repo root or absolute
 * @returns {string} absolute file path
 * @throws Error when the file does not exist
 */
function suiteModule(suite) {
  let file = resolve(repoRoot, suite);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.js');
  if (!existsSync(file)) throw new Error(`in-host suite not found: ${file}`);
  return file;
}

/**
 * Checks that the extension folder has a manifest and that its `main` file exists.
 * @param {string} dir absolute extension folder
 * @throws Error naming what is missing (and, for the repo itself, the build command)
 */
function checkExtension(dir) {
  const manifestPath = join(dir, 'package.json');
  if (!existsSync(manifestPath)) throw new Error(`not an extension folder (no package.json): ${dir}`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.main && !existsSync(resolve(dir, manifest.main))) {
    const hint = dir === repoRoot ? ' (run: node scripts/build.mjs)' : '';
    throw new Error(`extension entry ${resolve(dir, manifest.main)} does not exist${hint}`);
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      ext: { type: 'string', default: '.' },
      suite: { type: 'string', default: 'test/e2e/suite/index.js' },
      workspace: { type: 'string', default: 'test/e2e/workspace' },
    },
  });
  const t0 = Date.now();
  // runTests() puts its default --extensions-dir under <cwd>/.vscode-test (git-ignored in the repo root).
  process.chdir(repoRoot);
  const setup = setupCodeServer();
  console.log(`[e2e] code-server ${setup.installed ? 'installed' : 'present'} (${(setup.ms / 1000).toFixed(setup.installed ? 1 : 3)} s)`);
  const extensionDevelopmentPath = resolve(repoRoot, values.ext);
  checkExtension(extensionDevelopmentPath);
  const extensionTestsPath = suiteModule(values.suite);
  const workspace = resolve(repoRoot, values.workspace);
  try {
    await runTests({
      vscodeExecutablePath: launcher,
      extensionDevelopmentPath,
      extensionTestsPath,
      launchArgs: [workspace],
      // Same Node for the launcher as for this script; everything here also reaches the extension host.
      extensionTestsEnv: { HIP_PORTER_E2E_NODE: process.execPath },
    });
    console.log(`[e2e] passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    console.error(`[e2e] failed after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${err instanceof Error ? err.message : err}`);
    return typeof err?.code === 'number' && err.code !== 0 ? err.code : 1;
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
