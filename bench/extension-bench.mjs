#!/usr/bin/env node
// Extension cost: bundle sizes (dist/extension.js, agent.js, server.js, webview.js, cli.js; plain and
// minified; target: JS bundles together under 2 MB without the wasm), the VSIX size, and the
// activation time of the installed VSIX in the real VS Code (code-server 1.100.3): open a .cu file
// and read the "HIP Porter <version> activated in N ms" line the extension writes to its log
// output channel (<user-data>/logs/.../hip-porter.hip-porter/HIP Porter.log), over 3 fresh
// windows (target: under 150 ms). Prints a table; writes bench/results/extension.json.
// Run: node bench/extension-bench.mjs [--runs N]   (leaves dist/ minified, as packaged)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWorkbench, startCodeServer, waitForWorkbench } from '../scripts/e2e/code-server.mjs';
import { setupCodeServer } from '../scripts/e2e/setup-code-server.mjs';
import { DEMO_EXTENSIONS_DIR, DEMO_SETTINGS, packageAndInstall, prepareWorkspace } from '../scripts/demo-vscode.mjs';
import { quickOpen } from '../test/e2e/journey/journey.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLES = ['extension.js', 'agent.js', 'server.js', 'webview.js', 'cli.js'];
const runsIdx = process.argv.indexOf('--runs');
const RUNS = runsIdx >= 0 ? Number(process.argv[runsIdx + 1]) : 3;

/** Sizes in bytes of the JS bundles in dist/ (missing ones as 0). */
function bundleSizes() {
  return Object.fromEntries(BUNDLES.map((b) => [b, existsSync(join(root, 'dist', b)) ? statSync(join(root, 'dist', b)).size : 0]));
}

/** Files under `dir` (recursive) whose path satisfies `pred`. */
function findFiles(dir, pred) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))).filter(pred);
}

/**
 * One fresh window: code-server with the installed VSIX, open rng.cu, wait for the activation line.
 * @returns {Promise<{ activationMs: number }>} the extension's own measurement (activate() start to
 *   end, in ms); the log file itself is flushed with a delay, so wall-clock to its line says little
 */
async function activationRun(workspace) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'hip-porter-bench-ud-'));
  const server = await startCodeServer({ folder: workspace, extensionsDir: DEMO_EXTENSIONS_DIR, userDataDir, settings: DEMO_SETTINGS });
  let wb;
  try {
    wb = await openWorkbench({ url: server.url, folder: workspace, viewport: { width: 1280, height: 800 } });
    await waitForWorkbench(wb.page);
    await wb.page.locator('.monaco-workbench .part.editor').click();
    await quickOpen(wb.page, 'rng.cu');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const log = findFiles(join(userDataDir, 'logs'), (f) => f.endsWith('HIP Porter.log')).map((f) => readFileSync(f, 'utf8')).join('\n');
      const m = /HIP Porter \S+ activated in (\d+) ms/.exec(log);
      if (m) return { activationMs: Number(m[1]) };
      if (Date.now() > deadline) throw new Error('no "activated in" line in the HIP Porter log within 60 s');
      // Poll interval for the log file written by the extension host.
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await wb?.close();
    await server.stop();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (b.status !== 0) process.exit(1);
const plain = bundleSizes();
setupCodeServer();
const inst = packageAndInstall(); // builds with --minify, packages, installs into the demo extensions folder
const minified = bundleSizes();
const wasm = ['tree-sitter.wasm', 'tree-sitter-cuda.wasm'].reduce((s, f) => s + statSync(join(root, 'dist', f)).size, 0);

const scratch = mkdtempSync(join(tmpdir(), 'hip-porter-bench-'));
const workspace = join(scratch, 'nbody-lab');
prepareWorkspace(workspace);
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) runs.push(await activationRun(workspace));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const sum = (o) => Object.values(o).reduce((a, x) => a + x, 0);
console.log('\nBundle            plain        minified');
for (const f of BUNDLES) console.log(`${f.padEnd(16)}  ${kb(plain[f]).padStart(10)}  ${kb(minified[f]).padStart(10)}`);
const ext = (o) => o['extension.js'] + o['agent.js'] + o['server.js'] + o['webview.js'];
console.log(`${'extension total'.padEnd(16)}  ${kb(ext(plain)).padStart(10)}  ${kb(ext(minified)).padStart(10)}   extension + agent + server + webview (target < 2048 KB: ${ext(minified) < 2 * 1048576 ? 'met' : 'NOT met'})`);
console.log(`${'with cli.js'.padEnd(16)}  ${kb(sum(plain)).padStart(10)}  ${kb(sum(minified)).padStart(10)}   all five (cli.js ships in the npm package, not the VSIX)`);
console.log(`${'wasm (2 files)'.padEnd(16)}  ${kb(wasm).padStart(10)}`);
console.log(`VSIX              ${(inst.bytes / 1048576).toFixed(2)} MB, ${inst.fileCount} files (limit 10 MB)`);
const acts = runs.map((r) => r.activationMs).sort((x, y) => x - y);
console.log(`\nActivation (installed VSIX, code-server 1.100.3, open rng.cu), ${RUNS} fresh windows:`);
runs.forEach((r, i) => console.log(`  run ${i + 1}: activate() ${r.activationMs} ms`));
console.log(`  median ${acts[Math.floor(acts.length / 2)]} ms, max ${acts[acts.length - 1]} ms (target < 150 ms: ${acts[acts.length - 1] < 150 ? 'met' : 'NOT met'})`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'extension.json'), JSON.stringify({ plain, minified, wasm, vsixBytes: inst.bytes, vsixFiles: inst.fileCount, runs }, null, 2) + '\n');
