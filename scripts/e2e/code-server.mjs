// Starts code-server (the real VS Code 1.100.3 workbench + Node extension host) on a free loopback
// port with private state, installs VSIX files into it, and opens its workbench in headless Debian
// Chromium through playwright-core. Used by scripts/e2e/launcher.mjs and the UI-driven e2e tests.
// Requires: node scripts/e2e/setup-code-server.mjs (run first), Debian packages chromium + ripgrep.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CODE_SERVER_ENTRY } from './setup-code-server.mjs';

/** Debian's Chromium; playwright-core ships no browser of its own. */
export const CHROMIUM_PATH = process.env.HIP_PORTER_E2E_CHROMIUM || '/usr/bin/chromium';

/** Chromium flags for a quiet headless run in a container (no sandbox as root, no GPU, no network chatter). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * User settings every test window starts with: no welcome/walkthrough editors, no git prompt about
 * the repository around the fixture workspace, no update or experiment traffic. Tests can add more
 * through startCodeServer's `settings` option.
 */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'git.openRepositoryInParentFolders': 'never',
  'git.autoRepositoryDetection': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
};

/** Cleanups still owed at process exit: every started server and browser registers one here. */
const pendingCleanups = new Set();
let exitHooksInstalled = false;

/** Makes sure code-server / Chromium never outlive this Node process (normal exit, Ctrl+C, SIGTERM). */
function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const cleanup of pendingCleanups) cleanup.sync();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      for (const cleanup of pendingCleanups) cleanup.sync();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

/**
 * Lists the descendants of a process (children, grandchildren, ...) by reading /proc (Linux).
 * Processes that started their own session (e.g. terminal shells under node-pty) are found too,
 * which a process-group kill would miss.
 * @param {number} rootPid
 * @returns {number[]} descendant pids, parents before children; empty when /proc is unavailable
 */
export function descendantPids(rootPid) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 (ppid) follows the ")" that closes the command name, which may itself contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // the process exited while we looked
    }
  }
  const out = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = /** @type {number} */ (queue.shift());
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Sends a signal to a process group, to the root and to every descendant; ignores processes already gone.
 * @returns {number[]} the pids signalled (root first) */
function signalTree(pid, signal) {
  const targets = [pid, ...descendantPids(pid)];
  try {
    process.kill(-pid, signal);
  } catch {
    // no such group (already gone, or not a group leader)
  }
  for (const target of targets) {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  }
  return targets;
}

/** True while `pid` exists and is not a zombie (a zombie has exited; only its parent's reaping is pending). */
export function isAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * SIGKILLs a whole process tree and waits until none of it is alive.
 * @param {number} pid root of the tree
 * @param {number} timeoutMs bound on the wait
 * @param {number[]} [known] pids seen in the tree earlier (a snapshot taken before the root exited,
 *   since orphans are re-parented and no longer found under the root)
 * @returns {Promise<number[]>} pids still alive when the bound passed (normally empty)
 */
export async function killTreeAndWait(pid, timeoutMs = 5000, known = []) {
  const targets = new Set(signalTree(pid, 'SIGKILL'));
  for (const other of known) {
    if (targets.has(other)) continue;
    targets.add(other);
    for (const p of [other, ...descendantPids(other)]) {
      targets.add(p);
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = [...targets].filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    // Poll interval while the kernel tears the processes down.
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Finds a free TCP port on 127.0.0.1 by binding port 0 and closing the socket.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Copy of the environment without variables that would make code-server talk to an outer VS Code. */
function cleanEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  }
  return { ...env, ...extra };
}

/**
 * Creates the private folders code-server writes to (XDG data/config, TMPDIR) under `base`.
 * @returns {Record<string, string>} environment variables pointing at them, plus EXTENSIONS_GALLERY='{}'
 */
function privateEnv(base) {
  const dirs = { XDG_DATA_HOME: join(base, 'xdg-data'), XDG_CONFIG_HOME: join(base, 'xdg-config'), TMPDIR: join(base, 'tmp') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return { ...dirs, EXTENSIONS_GALLERY: '{}' };
}

/**
 * Waits until `GET <url>/healthz` answers 200.
 * @param {string} url base URL, e.g. http://127.0.0.1:4711
 * @param {number} timeoutMs give up after this many milliseconds
 * @param {() => string | undefined} failed returns a reason when waiting is pointless (server exited)
 * @throws Error on timeout or when `failed()` reports a reason
 */
async function waitForHealthz(url, timeoutMs, failed) {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    const reason = failed();
    if (reason) throw new Error(reason);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
      lastError = `HTTP ${response.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    // Poll interval between health probes (not a wait for a result: the loop ends on the condition).
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms (${lastError})`);
}

/**
 * @typedef {object} CodeServer
 * @property {string} url base URL without trailing slash, e.g. http://127.0.0.1:4711
 * @property {number} port TCP port on 127.0.0.1
 * @property {string} baseDir private folder holding this server's state (removed by stop() unless kept)
 * @property {string} logFile code-server's combined stdout/stderr
 * @property {number} pid process id of code-server's main process
 * @property {() => Promise<void>} stop kills code-server and every process it started; idempotent
 */

/**
 * Starts code-server on a free loopback port with private state and no authentication.
 * @param {object} options
 * @param {string} [options.folder] absolute folder to open by default (the URL's ?folder= wins)
 * @param {string} [options.extensionsDir] extensions folder (default: a fresh private one)
 * @param {string} [options.userDataDir] user-data folder (default: a fresh private one)
 * @param {Record<string, string>} [options.env] extra environment for code-server and its extension host
 * @param {Record<string, unknown>} [options.settings] user settings merged over DEFAULT_SETTINGS
 *   (written to <userDataDir>/User/settings.json unless that file already exists)
 * @param {number} [options.startTimeoutMs] bound on waiting for /healthz, default 30000
 * @param {boolean} [options.keepState] keep the private folder after stop() (for debugging), default false
 * @returns {Promise<CodeServer>}
 * @throws Error when code-server is not installed, exits early or is not healthy in time (the process is killed first)
 */
export async function startCodeServer(options = {}) {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed (${CODE_SERVER_ENTRY} missing): run node scripts/e2e/setup-code-server.mjs`);
  }
  installExitHooks();
  const baseDir = mkdtempSync(join(tmpdir(), 'hip-porter-code-server-'));
  const userDataDir = options.userDataDir ?? join(baseDir, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(baseDir, 'extensions');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settingsFile)) {
    mkdirSync(dirname(settingsFile), { recursive: true });
    writeFileSync(settingsFile, JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2) + '\n');
  }
  const configFile = join(baseDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');
  const logFile = join(baseDir, 'code-server.log');
  const port = await freePort();
  const args = [
    CODE_SERVER_ENTRY,
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
  if (options.folder) args.push(resolve(options.folder));
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    env: cleanEnv({ ...privateEnv(baseDir), ...options.env }),
    stdio: ['ignore', logFd, logFd],
    detached: true, // own process group, so stop() can signal the whole tree at once
  });
  closeSync(logFd);
  const pid = /** @type {number} */ (child.pid);
  /** @type {string | undefined} */
  let exitReason;
  child.once('exit', (code, signal) => {
    exitReason = `code-server exited early (${code ?? signal}); log: ${logFile}\n${tail(logFile)}`;
  });

  let stopped = false;
  const cleanup = {
    sync() {
      if (stopped) return;
      stopped = true;
      signalTree(pid, 'SIGKILL');
      if (!options.keepState) rmSync(baseDir, { recursive: true, force: true });
    },
  };
  pendingCleanups.add(cleanup);

  const stop = async () => {
    if (stopped) return;
    // Straight SIGKILL: the state is throwaway, and a graceful shutdown only adds seconds.
    // The tree includes the extension host, pty host and anything they started (e.g. hipcc tasks).
    const survivors = await killTreeAndWait(pid, 5000);
    if (survivors.length > 0) console.error(`[e2e] code-server processes still alive after SIGKILL: ${survivors.join(' ')}`);
    pendingCleanups.delete(cleanup);
    cleanup.sync();
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthz(url, options.startTimeoutMs ?? 30_000, () => exitReason);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, baseDir, logFile, pid, stop };
}

/** Last lines of a text file, for error messages; empty string when unreadable. */
function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Installs a VSIX into an extensions folder with code-server's CLI (installing from a folder does not work).
 * @param {string} vsixPath path of a .vsix built with `@vscode/vsce package`
 * @param {string} extensionsDir extensions folder later passed to startCodeServer
 * @returns {string} code-server's output
 * @throws Error when the install fails
 */
export function installVsix(vsixPath, extensionsDir) {
  const base = mkdtempSync(join(tmpdir(), 'hip-porter-vsix-'));
  try {
    mkdirSync(extensionsDir, { recursive: true });
    const result = spawnSync(process.execPath, [
      CODE_SERVER_ENTRY,
      '--user-data-dir', join(base, 'user-data'),
      '--extensions-dir', resolve(extensionsDir),
      '--force',
      '--install-extension', resolve(vsixPath),
    ], { env: cleanEnv(privateEnv(base)), encoding: 'utf8', timeout: 120_000 });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`installing ${vsixPath} failed (${result.status ?? result.signal}):\n${output}`);
    return output;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/**
 * Builds the workbench URL that opens `folder` (or `file`) and, optionally, loads an extension under
 * development and runs an in-host test suite. Paths become `vscode-remote://127.0.0.1:<port><abs path>`.
 * @param {object} options
 * @param {string} options.url code-server base URL
 * @param {string} [options.folder] absolute folder to open
 * @param {string} [options.file] absolute file to open (as `openFile`)
 * @param {string | string[]} [options.extensionDevelopmentPath] extension folder(s)
 * @param {string} [options.extensionTestsPath] suite module (a file exporting run(), or a folder with index.js)
 * @returns {string}
 */
export function workbenchUrl(options) {
  const base = new URL(options.url);
  const remote = (p) => `vscode-remote://${base.host}${resolve(p)}`;
  /** @type {[string, string][]} */
  const payload = [];
  const devPaths = [options.extensionDevelopmentPath ?? []].flat();
  for (const p of devPaths) payload.push(['extensionDevelopmentPath', remote(p)]);
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remote(options.extensionTestsPath)]);
  if (options.file) payload.push(['openFile', remote(options.file)]);
  const query = new URLSearchParams();
  if (options.folder) query.set('folder', resolve(options.folder));
  else query.set('ew', 'true'); // empty window instead of the last opened folder
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `${base.origin}/?${query.toString()}`;
}

/**
 * @typedef {object} Workbench
 * @property {import('playwright-core').Browser} browser headless Chromium; close it (or call close()) when done
 * @property {import('playwright-core').Page} page the workbench page
 * @property {Promise<number>} automationExit resolves with the exit code the workbench reports through
 *   window.codeAutomationExit (only happens when an extensionTestsPath suite finishes)
 * @property {string[]} consoleLines the page's console messages so far ("[type] text")
 * @property {() => Promise<void>} close closes the browser; idempotent
 */

/**
 * Launches headless Debian Chromium and opens the workbench.
 * @param {object} options
 * @param {string} options.url code-server base URL (from startCodeServer)
 * @param {string} [options.folder] absolute folder to open
 * @param {string} [options.file] absolute file to open
 * @param {string | string[]} [options.extensionDevelopmentPath] extension folder(s) to load as under development
 * @param {string} [options.extensionTestsPath] in-host suite to run (then the window exits via codeAutomationExit)
 * @param {boolean} [options.headless] default true
 * @param {{ width: number, height: number }} [options.viewport] CSS pixels, default 1400x900
 * @returns {Promise<Workbench>}
 */
export async function openWorkbench(options) {
  installExitHooks();
  // Private XDG folders: otherwise Chromium's crash handler creates ~/.config/chromium/Crash Reports.
  const browserHome = mkdtempSync(join(tmpdir(), 'hip-porter-chromium-'));
  /** @type {import('playwright-core').Browser} */
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: options.headless ?? true,
      args: CHROMIUM_ARGS,
      env: { ...cleanEnv({}), XDG_CONFIG_HOME: join(browserHome, 'config'), XDG_CACHE_HOME: join(browserHome, 'cache') },
    });
  } catch (err) {
    rmSync(browserHome, { recursive: true, force: true });
    throw err;
  }
  const browserPid = browser.process?.()?.pid;
  let closed = false;
  const cleanup = {
    sync() {
      if (closed) return;
      closed = true;
      if (browserPid) signalTree(browserPid, 'SIGKILL');
      rmSync(browserHome, { recursive: true, force: true });
    },
  };
  pendingCleanups.add(cleanup);
  const close = async () => {
    if (closed) return;
    const known = browserPid ? [browserPid, ...descendantPids(browserPid)] : [];
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    await Promise.race([browser.close().catch(() => {}), new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
    if (browserPid) {
      const survivors = await killTreeAndWait(browserPid, 5000, known);
      if (survivors.length > 0) console.error(`[e2e] Chromium processes still alive after SIGKILL: ${survivors.join(' ')}`);
    }
    pendingCleanups.delete(cleanup);
    cleanup.sync();
  };
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    const page = await context.newPage();
    /** @type {string[]} */
    const consoleLines = [];
    page.on('console', (msg) => consoleLines.push(`[${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));
    /** @type {(code: number) => void} */
    let resolveExit = () => {};
    const automationExit = new Promise((r) => { resolveExit = r; });
    // Must be registered before the workbench loads: it checks for the function when the test host exits.
    await page.exposeFunction('codeAutomationExit', (code) => {
      resolveExit(typeof code === 'number' ? code : Number(code) || 0);
    });
    await page.goto(workbenchUrl(options), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    return { browser, page, automationExit, consoleLines, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Waits until the workbench is usable: the workbench, activity bar, status bar and editor area are
 * rendered and, when a folder is open, the Explorer shows its first entry (which means the remote
 * file system is connected). A DOM condition with a bounded timeout, not a sleep.
 * @param {import('playwright-core').Page} page
 * @param {{ timeoutMs?: number, folderOpen?: boolean }} [options] timeoutMs default 60000; folderOpen default true
 * @throws Error (Playwright TimeoutError) when the condition does not hold in time
 */
export async function waitForWorkbench(page, options = {}) {
  const timeout = options.timeoutMs ?? 60_000;
  await page.waitForFunction((folderOpen) => {
    const q = (s) => document.querySelector(s);
    if (!q('.monaco-workbench .part.activitybar') || !q('.monaco-workbench .part.statusbar') || !q('.monaco-workbench .part.editor')) return false;
    if (!folderOpen) return true;
    return q('.monaco-workbench .explorer-folders-view .monaco-list-row') !== null;
  }, options.folderOpen ?? true, { timeout, polling: 100 });
}

/**
 * Waits until no CSS animation or transition is running inside the elements matching `selector`
 * (e.g. a notification still fading in), so a screenshot shows the settled state.
 * @param {import('playwright-core').Page} page
 * @param {string} selector CSS selector; elements that do not exist count as settled
 * @param {number} [timeoutMs] default 5000
 * @throws Error (Playwright TimeoutError) when animations keep running past the timeout
 */
export async function waitForAnimations(page, selector, timeoutMs = 5000) {
  await page.waitForFunction((sel) => [...document.querySelectorAll(sel)]
    .every((el) => el.getAnimations({ subtree: true }).every((a) => a.playState !== 'running')), selector, { timeout: timeoutMs, polling: 50 });
}

/**
 * Runs a palette command by its label (F1, type, wait for the row, Enter).
 * @param {import('playwright-core').Page} page
 * @param {string} label e.g. "HIP Porter: Port File to HIP"
 */
export async function palette(page, label) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
  // Two attempts: a key press that lands while the workbench moves focus (an editor opening, a
  // hover closing) can be lost; the second attempt starts from a closed quick input.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${label}`);
      await row.waitFor({ timeout: 10_000 });
      break;
    } catch (e) {
      const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts().catch(() => []);
      if (attempt === 2) throw new Error(`palette: "${label}" not found (rows: ${rows.slice(0, 5).join(' | ') || 'none'}): ${e instanceof Error ? e.message.split('\n')[0] : e}`);
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/**
 * Opens a file with Quick Open (Ctrl+P) and waits for its tab to be active.
 * @param {import('playwright-core').Page} page
 * @param {string} name file name as typed and shown in the tab
 */
export async function quickOpen(page, name) {
  await page.keyboard.press('Control+P');
  const qi = page.locator('.quick-input-widget .quick-input-box input');
  await qi.waitFor({ state: 'visible', timeout: 10_000 });
  await qi.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
}
