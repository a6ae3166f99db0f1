#!/usr/bin/env node
// A stand-in for the VS Code desktop executable, for @vscode/test-electron's runTests(): it accepts
// the desktop command line runTests builds, runs the same thing in code-server + headless Chromium,
// and exits with the test run's exit code. Use it as `vscodeExecutablePath` (through the shell
// wrapper scripts/e2e/code-launcher, which spawn() can execute directly).
//
// Understood flags (both `--flag=value` and `--flag value`):
//   --extensionDevelopmentPath=<dir>  (repeatable) extension(s) to load as under development
//   --extensionTestsPath=<file|dir>   in-host suite whose run() VS Code calls
//   --extensions-dir=<dir>            installed extensions (e.g. a VSIX installed with installVsix())
//   --disable-extensions              use an empty private extensions folder instead
//   <folder or file>                  what to open (a folder as the workspace, a file on its own)
// Ignored (no meaning here): --user-data-dir (every run gets a fresh private one so runs never share
// state), --no-sandbox, --disable-gpu-sandbox, --disable-updates, --skip-welcome,
// --skip-release-notes, --disable-workspace-trust (always on), --new-window, --locale, and any other flag.
//
// Environment:
//   HIP_PORTER_E2E_TIMEOUT_MS  overall bound in ms (default 600000 = 10 min); on expiry: screenshot, exit 1
//   HIP_PORTER_E2E_REPORT      report file the in-host suite writes (default test-results/e2e/host-report.txt)
//   HIP_PORTER_E2E_RESULT      JSON counts the in-host suite writes (default test-results/e2e/host-result.json)
//   Everything else (e.g. runTests' extensionTestsEnv) is passed to code-server and so to the extension host.
// Output: the suite's report and counts on stdout; on failure a screenshot, the page console and the
// code-server log tail in test-results/e2e/. Exit code: the workbench's (0 pass, non-zero fail),
// 1 on timeout or harness error, 2 on bad usage.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWorkbench, startCodeServer, waitForWorkbench } from './code-server.mjs';
import { setupCodeServer } from './setup-code-server.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Folder for screenshots, logs and the in-host report. */
export const RESULTS_DIR = join(repoRoot, 'test-results', 'e2e');

/**
 * @typedef {object} LaunchOptions
 * @property {string[]} extensionDevelopmentPath absolute extension folders (may be empty)
 * @property {string | undefined} extensionTestsPath absolute path of the in-host suite
 * @property {string | undefined} extensionsDir absolute extensions folder, if given
 * @property {boolean} disableExtensions --disable-extensions was given
 * @property {string | undefined} folder absolute folder to open
 * @property {string | undefined} file absolute file to open
 * @property {string[]} ignored flags that were accepted but have no effect here
 */

/**
 * Parses a VS Code desktop command line (as built by @vscode/test-electron's runTests) into launch options.
 * Relative paths resolve against `cwd`.
 * @param {string[]} argv arguments after the executable
 * @param {string} [cwd] default process.cwd()
 * @returns {LaunchOptions}
 */
export function parseDesktopArgs(argv, cwd = process.cwd()) {
  /** @type {LaunchOptions} */
  const out = { extensionDevelopmentPath: [], extensionTestsPath: undefined, extensionsDir: undefined, disableExtensions: false, folder: undefined, file: undefined, ignored: [] };
  const takesValue = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'extensions-dir', 'user-data-dir', 'locale', 'log', 'inspect-extensions', 'inspect-brk-extensions']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      const target = resolve(cwd, arg);
      let isDir = false;
      try {
        isDir = statSync(target).isDirectory();
      } catch {
        isDir = false;
      }
      if (isDir) out.folder ??= target;
      else out.file ??= target;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    let value = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined && takesValue.has(name) && i + 1 < argv.length) value = argv[++i];
    switch (name) {
      case 'extensionDevelopmentPath':
        if (value) out.extensionDevelopmentPath.push(resolve(cwd, value));
        break;
      case 'extensionTestsPath':
        if (value) out.extensionTestsPath = resolve(cwd, value);
        break;
      case 'extensions-dir':
        if (value) out.extensionsDir = resolve(cwd, value);
        break;
      case 'disable-extensions':
        out.disableExtensions = true;
        break;
      default:
        out.ignored.push(arg);
    }
  }
  return out;
}

/** Reads a text file, or undefined when it does not exist. */
function readIfExists(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Runs one launch: code-server + Chromium, waits for the test host to exit (or the timeout), prints
 * the suite's report, and always stops both processes.
 * @param {LaunchOptions} options
 * @returns {Promise<number>} process exit code
 */
export async function launch(options) {
  const timeoutMs = Number(process.env.HIP_PORTER_E2E_TIMEOUT_MS) || 600_000;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const reportFile = resolve(process.env.HIP_PORTER_E2E_REPORT || join(RESULTS_DIR, 'host-report.txt'));
  const resultFile = resolve(process.env.HIP_PORTER_E2E_RESULT || join(RESULTS_DIR, 'host-result.json'));
  rmSync(reportFile, { force: true });
  rmSync(resultFile, { force: true });

  setupCodeServer({ quiet: true });
  const t0 = Date.now();
  /** @type {Awaited<ReturnType<typeof startCodeServer>> | undefined} */
  let server;
  /** @type {Awaited<ReturnType<typeof openWorkbench>> | undefined} */
  let workbench;
  let code = 1;
  let failure = '';
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timedOut = new Promise((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
  /** Starts everything and resolves with the test host's exit code, or 'crash'. */
  const session = async () => {
    server = await startCodeServer({
      folder: options.folder,
      extensionsDir: options.disableExtensions ? undefined : options.extensionsDir,
      env: { HIP_PORTER_E2E_REPORT: reportFile, HIP_PORTER_E2E_RESULT: resultFile },
    });
    console.log(`[e2e] code-server ${server.url} ready in ${Date.now() - t0} ms`);
    workbench = await openWorkbench({
      url: server.url,
      folder: options.folder,
      file: options.file,
      extensionDevelopmentPath: options.extensionDevelopmentPath,
      extensionTestsPath: options.extensionTestsPath,
    });
    const page = workbench.page;
    const crashed = new Promise((r) => page.once('crash', () => r('crash')));
    if (!options.extensionTestsPath) {
      await waitForWorkbench(page, { folderOpen: Boolean(options.folder) });
      console.log(`[e2e] workbench open at ${page.url()} (no --extensionTestsPath: waiting until killed or ${timeoutMs} ms)`);
    }
    return Promise.race([workbench.automationExit, crashed]);
  };
  try {
    // The bound covers server start, page load and the suite. Should it expire while a start is still
    // pending, whatever starts later is killed by code-server.mjs's exit hooks when we exit.
    const outcome = await Promise.race([session(), timedOut]);
    if (typeof outcome === 'number') {
      code = outcome;
      console.log(`[e2e] test host exited with code ${code} after ${Date.now() - t0} ms`);
    } else {
      code = 1;
      failure = outcome === 'timeout' ? `timed out after ${timeoutMs} ms (HIP_PORTER_E2E_TIMEOUT_MS)` : 'the browser page crashed';
    }
  } catch (err) {
    code = 1;
    failure = err instanceof Error ? err.stack ?? err.message : String(err);
  } finally {
    clearTimeout(timer);
    const report = readIfExists(reportFile);
    const result = readIfExists(resultFile);
    if (report) console.log(`[e2e] in-host report (${reportFile}):\n${report}`);
    if (result) {
      try {
        const counts = JSON.parse(result);
        console.log(`[e2e] in-host counts: ${counts.passes} passing, ${counts.failures} failing, ${counts.pending} pending`);
        if (code === 0 && counts.failures > 0) code = 1;
      } catch {
        console.log(`[e2e] unreadable ${resultFile}`);
      }
    }
    if (code !== 0) {
      if (failure) console.error(`[e2e] FAILED: ${failure}`);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      if (workbench) {
        const shot = join(RESULTS_DIR, `launcher-failure-${stamp}.png`);
        try {
          await workbench.page.screenshot({ path: shot, timeout: 10_000 });
          console.error(`[e2e] screenshot: ${shot}`);
        } catch (err) {
          console.error(`[e2e] no screenshot: ${err instanceof Error ? err.message : err}`);
        }
        const consoleFile = join(RESULTS_DIR, `launcher-failure-${stamp}-console.log`);
        writeFileSync(consoleFile, workbench.consoleLines.join('\n') + '\n');
        console.error(`[e2e] browser console: ${consoleFile}`);
      }
      if (server && existsSync(server.logFile)) {
        const logCopy = join(RESULTS_DIR, `launcher-failure-${stamp}-code-server.log`);
        copyFileSync(server.logFile, logCopy);
        console.error(`[e2e] code-server log: ${logCopy}`);
      }
    }
    await workbench?.close();
    await server?.stop();
    console.log(`[e2e] launcher done in ${Date.now() - t0} ms (exit code ${code})`);
  }
  return code;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const options = parseDesktopArgs(process.argv.slice(2));
  if (!options.folder && !options.file && options.extensionDevelopmentPath.length === 0 && !options.extensionTestsPath) {
    console.error('usage: launcher.mjs [--extensionDevelopmentPath=<dir>] [--extensionTestsPath=<file>] [--extensions-dir=<dir>] [folder|file]');
    process.exit(2);
  }
  const code = await launch(options);
  process.exit(code);
}
