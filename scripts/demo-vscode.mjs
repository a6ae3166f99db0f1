#!/usr/bin/env node
// The VS Code part of `npm run demo` (scripts/demo.mjs runs it after the CLI part, passing its
// arguments through). Packages the VSIX (scripts/package-vsix.mjs), installs exactly that file
// into a private code-server extensions folder with --install-extension, copies
// samples/nbody-lab to a scratch folder (the demo never writes into samples/), and starts
// code-server (VS Code 1.100.3) on it.
//   default   prints the local URL to open in a browser and waits for Ctrl+C, then stops
//             code-server (the scratch copy stays in demo-out/vscode/nbody-lab for a look).
//   --smoke   headless: Debian Chromium (dark theme, 1280x800) driven by Playwright through the
//             six-step journey in test/e2e/journey/journey.mjs, one screenshot per step in
//             test-results/smoke/, summary.json with each step's pass/fail and timing.
//             Exit 0 only if every step passed.
// Options: --no-package (reuse dist-vsix/*.vsix), --results DIR, --update-screenshots (after a
// passing smoke run: refresh media/screenshots/*.png for the README; needs Debian pngquant).
// Requires: node scripts/e2e/setup-code-server.mjs (run here when needed), Debian chromium,
// ripgrep, unzip (zipinfo) and, for step 6, hipcc (HIP_PLATFORM=amd).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { installVsix, openWorkbench, startCodeServer, waitForWorkbench } from './e2e/code-server.mjs';
import { setupCodeServer, CODE_SERVER_VERSION } from './e2e/setup-code-server.mjs';
import { packageVsix } from './package-vsix.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sample = join(root, 'samples', 'nbody-lab');
/** Private extensions folder of the demo (git-ignored with .vscode-test/); reinstalled with --force each run. */
export const DEMO_EXTENSIONS_DIR = join(root, '.vscode-test', 'demo-extensions');

/** User settings of the demo window: dark theme, no auto-save, DOM terminal renderer (readable by the smoke run). */
export const DEMO_SETTINGS = {
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.preferredDarkColorTheme': 'Default Dark Modern',
  'window.autoDetectColorScheme': true,
  'files.autoSave': 'off',
  'terminal.integrated.gpuAcceleration': 'off',
  'editor.minimap.enabled': false,
  'workbench.editor.enablePreview': false,
};

/**
 * Packages the VSIX (unless `reuse`) and installs it into `extensionsDir` with code-server's
 * --install-extension, then checks the installed copy came from it.
 * @param {{ reuse?: boolean, extensionsDir?: string }} [o]
 * @returns {{ vsix: string, bytes: number, fileCount: number, installedDir: string, packageMs: number, installMs: number }}
 * @throws Error when packaging or installing fails, or the installed extension is not the packaged version
 */
export function packageAndInstall(o = {}) {
  const extensionsDir = o.extensionsDir ?? DEMO_EXTENSIONS_DIR;
  const t0 = Date.now();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  let vsix;
  if (o.reuse && existsSync(join(root, 'dist-vsix', `${pkg.name}-${pkg.version}.vsix`))) {
    const path = join(root, 'dist-vsix', `${pkg.name}-${pkg.version}.vsix`);
    vsix = { path, bytes: readFileSync(path).length, fileCount: NaN };
  } else {
    vsix = packageVsix({ quiet: true });
  }
  const packageMs = Date.now() - t0;
  const t1 = Date.now();
  installVsix(vsix.path, extensionsDir);
  const installMs = Date.now() - t1;
  const id = `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase();
  const installedDir = join(extensionsDir, readdirSync(extensionsDir).find((d) => d.toLowerCase() === id) ?? id);
  if (!existsSync(join(installedDir, 'dist', 'extension.js'))) throw new Error(`the VSIX did not install to ${installedDir}`);
  const installed = JSON.parse(readFileSync(join(installedDir, 'package.json'), 'utf8'));
  if (installed.version !== pkg.version) throw new Error(`installed version ${installed.version}, packaged ${pkg.version}`);
  return { vsix: vsix.path, bytes: vsix.bytes, fileCount: vsix.fileCount, installedDir, packageMs, installMs };
}

/**
 * Copies the sample project to `dest` (replacing it). For the smoke journey the headers (*.cuh)
 * are then ported in place with the CLI, as a user would before building single files: a ported
 * .hip includes them, and hipcc has no cuda_runtime.h.
 * @param {string} dest absolute folder (never inside samples/)
 * @param {{ portHeaders?: boolean }} [o]
 */
export function prepareWorkspace(dest, o = {}) {
  if (relative(sample, dest).startsWith('..') === false) throw new Error(`refusing to write into ${sample}`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dirname(dest), { recursive: true });
  cpSync(sample, dest, { recursive: true });
  if (o.portHeaders) {
    const headers = readdirSync(dest).filter((f) => f.endsWith('.cuh')).map((f) => join(dest, f));
    execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), 'port', '--in-place', '--no-backup', ...headers], { stdio: 'pipe' });
  }
}

/** Waits for Ctrl+C (or SIGTERM); the code-server harness kills its processes on those signals. */
function waitForInterrupt() {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => {}, 1 << 30);
    for (const s of ['SIGINT', 'SIGTERM']) {
      process.prependOnceListener(s, () => {
        clearInterval(keepAlive);
        console.log('\nstopping code-server…');
        resolve(undefined);
      });
    }
  });
}

/**
 * The smoke journey: package + install, scratch workspace, code-server, Chromium, six steps.
 * @param {{ resultsDir?: string, reuseVsix?: boolean, log?: (m: string) => void }} [o]
 * @returns {Promise<{ ok: boolean, summaryFile: string, summary: any }>}
 */
export async function runSmoke(o = {}) {
  const log = o.log ?? ((m) => console.log(m));
  const t0 = Date.now();
  const results = o.resultsDir ?? join(root, 'test-results', 'smoke');
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });
  const timings = {};
  let t = Date.now();
  setupCodeServer();
  timings.setupMs = Date.now() - t;
  const inst = packageAndInstall({ reuse: o.reuseVsix });
  timings.packageMs = inst.packageMs;
  timings.installMs = inst.installMs;
  log(`VSIX ${relative(root, inst.vsix)} (${(inst.bytes / 1048576).toFixed(2)} MB) installed into ${relative(root, inst.installedDir)} (package ${(inst.packageMs / 1000).toFixed(1)} s, install ${(inst.installMs / 1000).toFixed(1)} s)`);

  const scratch = mkdtempSync(join(tmpdir(), 'hip-porter-smoke-'));
  const workspace = join(scratch, 'nbody-lab');
  prepareWorkspace(workspace, { portHeaders: true });
  const userDataDir = join(scratch, 'user-data');
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  const { loadJourneyHelpers } = await import('../test/e2e/journey/load.mjs');
  const { runJourney } = await import('../test/e2e/journey/journey.mjs');
  const helpers = await loadJourneyHelpers();

  /** @type {any[]} */
  let steps = [];
  let fatal;
  t = Date.now();
  const server = await startCodeServer({ folder: workspace, extensionsDir: DEMO_EXTENSIONS_DIR, userDataDir, settings: DEMO_SETTINGS });
  timings.codeServerStartMs = Date.now() - t;
  /** @type {Awaited<ReturnType<typeof openWorkbench>> | undefined} */
  let wb;
  try {
    t = Date.now();
    wb = await openWorkbench({ url: server.url, folder: workspace, viewport: { width: 1280, height: 800 } });
    const { page } = wb;
    await page.emulateMedia({ colorScheme: 'dark' });
    await waitForWorkbench(page);
    await page.waitForFunction(() => document.querySelector('.monaco-workbench')?.classList.contains('vs-dark'), null, { timeout: 15_000 });
    if (/Extension Development Host/.test(await page.title())) throw new Error('the window runs an extension under development, not the installed VSIX');
    timings.workbenchMs = Date.now() - t;
    await page.locator('.monaco-workbench .part.editor').click();
    steps = await runJourney({ page, workspace, settingsFile, shots: results, cli: join(root, 'dist', 'cli.js'), helpers, log });
    // The extension that ran is the installed VSIX: its log names the version and the host loaded it from the extensions folder.
    const hostLog = findFiles(join(userDataDir, 'logs'), (f) => f.endsWith('exthost.log')).map((f) => readFileSync(f, 'utf8')).join('\n');
    timings.extensionFrom = /hip-porter\.hip-porter/i.test(hostLog) ? relative(root, inst.installedDir) : 'unknown';
  } catch (e) {
    fatal = e instanceof Error ? e.stack ?? e.message : String(e);
    log(`smoke: ${fatal}`);
    if (wb) await wb.page.screenshot({ path: join(results, 'failure.png') }).catch(() => {});
  } finally {
    if (wb) writeFileSync(join(results, 'browser-console.log'), wb.consoleLines.join('\n'));
    await wb?.close();
    try {
      cpSync(server.logFile, join(results, 'code-server.log'));
      for (const f of findFiles(join(userDataDir, 'logs'), (p) => /HIP Porter\.log$|exthost\.log$/.test(p))) cpSync(f, join(results, f.split('/').slice(-2).join('-')));
    } catch {
      // logs are a convenience for debugging
    }
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const ok = !fatal && steps.length === 6 && steps.every((s) => s.ok);
  const summary = {
    ok,
    totalMs: Date.now() - t0,
    codeServer: CODE_SERVER_VERSION,
    vsix: { path: relative(root, inst.vsix), bytes: inst.bytes },
    timings,
    steps,
    ...(fatal ? { error: fatal } : {}),
  };
  const summaryFile = join(results, 'summary.json');
  writeFileSync(summaryFile, JSON.stringify(summary, null, 2) + '\n');
  log(`smoke: ${steps.filter((s) => s.ok).length}/6 steps passed in ${(summary.totalMs / 1000).toFixed(1)} s; ${relative(root, summaryFile)}`);
  return { ok, summaryFile, summary };
}

/** Files under `dir` (recursive) whose path satisfies `pred`; empty when `dir` does not exist. */
function findFiles(dir, pred) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))).filter(pred);
}

/** Interactive demo: code-server on the sample until Ctrl+C. */
async function runInteractive(args) {
  setupCodeServer();
  const inst = packageAndInstall({ reuse: args.includes('--no-package') });
  console.log(`VSIX ${relative(root, inst.vsix)} (${(inst.bytes / 1048576).toFixed(2)} MB) installed into ${relative(root, inst.installedDir)}`);
  const workspace = join(root, 'demo-out', 'vscode', 'nbody-lab');
  prepareWorkspace(workspace);
  const server = await startCodeServer({
    folder: workspace,
    extensionsDir: DEMO_EXTENSIONS_DIR,
    settings: { ...DEMO_SETTINGS, 'workbench.welcomePage.walkthroughs.openOnInstall': true },
  });
  const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
  console.log(`\nHIP Porter in VS Code (code-server ${CODE_SERVER_VERSION}) on a copy of the sample: ${relative(root, workspace)}`);
  console.log(`\n  Open in your browser:  ${url}\n`);
  console.log('  Try: open rng.cu or reduce.cu (squiggles, Problems), hover a CUDA name, Ctrl+. for a quick-fix,');
  console.log('  "HIP Porter: Port File to HIP" from the command palette (F1), then "HIP Porter: Build with hipcc".');
  console.log('  First steps: Help > Get Started > "Get started with HIP Porter".');
  console.log('\nCtrl+C stops code-server.');
  await waitForInterrupt();
  await server.stop();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--smoke')) {
      const ri = args.indexOf('--results');
      const r = await runSmoke({ reuseVsix: args.includes('--no-package'), ...(ri >= 0 ? { resultsDir: args[ri + 1] } : {}) });
      if (r.ok && args.includes('--update-screenshots')) {
        const { exportReadmeShots } = await import('../test/e2e/journey/readme-shots.mjs');
        for (const s of await exportReadmeShots(dirname(r.summaryFile))) console.log(`README screenshot ${relative(root, s.file)}: ${s.width}x${s.height}, ${(s.bytes / 1024).toFixed(0)} KB`);
      }
      process.exit(r.ok ? 0 : 1);
    } else {
      await runInteractive(args);
      process.exit(0);
    }
  } catch (e) {
    console.error(`demo-vscode: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(1);
  }
}
