// The agent side panel in the real VS Code workbench (code-server 1.100 + headless Debian Chromium,
// driven like a user with Playwright): the API key is set through the command palette and its
// password input box, `hipPorter.agent.baseURL` points at a loopback Messages API server started in
// this process (test/agent/fake-messages-server.ts), "HIP Porter: Port File to HIP" runs from the
// palette; the panel shows the streamed text, the tool call and the usage; one hunk is accepted by
// clicking its button, Write is clicked, and the .hip file on disk holds exactly that change.
// Run (after node scripts/build.mjs): node --test test/e2e/panel-ui.mjs
// Screenshots (dark theme): test-results/panel/*.png
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openWorkbench, palette, quickOpen, startCodeServer, waitForAnimations, waitForWorkbench } from '../../scripts/e2e/code-server.mjs';
import { setupCodeServer } from '../../scripts/e2e/setup-code-server.mjs';
import * as esbuild from 'esbuild';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The TypeScript helpers this test needs (the loopback Messages API server and the hunk model),
 * bundled by esbuild into one ES module and imported, so the file runs under plain `node --test`
 * as well as with `--import tsx`.
 */
async function loadHelpers() {
  const dir = mkdtempSync(join(tmpdir(), 'hip-porter-panel-helpers-'));
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, `export { FakeMessagesServer, turn } from ${JSON.stringify(join(repoRoot, 'test/agent/fake-messages-server.ts'))};\nexport { applySelection, computeHunks } from ${JSON.stringify(join(repoRoot, 'src/extension/hunks.ts'))};\n`);
  const out = join(dir, 'helpers.mjs');
  await esbuild.build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning', absWorkingDir: repoRoot });
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const { FakeMessagesServer, turn, applySelection, computeHunks } = await loadHelpers();
const shots = join(repoRoot, 'test-results', 'panel');
const KEY = 'sk-ant-panel-ui-SECRET';
const REPLACE = '// warp_vote.hip - ported to HIP (wave64-aware review by the agent)';

/** Polls a condition on the file system (bounded), for effects outside the browser. */
async function until(cond, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('agent panel: streamed run, tool call, click Accept on a hunk, Write', { timeout: 180_000 }, async () => {
  for (const f of ['dist/extension.js', 'dist/webview.js', 'dist/cli.js']) {
    assert.ok(existsSync(join(repoRoot, f)), `${f} missing: run node scripts/build.mjs`);
  }
  setupCodeServer();
  mkdirSync(shots, { recursive: true });
  const workspace = mkdtempSync(join(tmpdir(), 'hip-porter-panel-ws-'));
  const src = join(workspace, 'warp_vote.cu');
  cpSync(join(repoRoot, 'test/fixtures/cuda/warp_vote.cu'), src);
  writeFileSync(join(workspace, 'README.txt'), 'panel test workspace\n');
  const original = readFileSync(src, 'utf8');
  // The same engine's deterministic output, from the built CLI (default settings).
  const det = execFileSync(process.execPath, [join(repoRoot, 'dist/cli.js'), 'port', '--stdout', src], { encoding: 'utf8' });
  const search = det.split('\n')[0];
  const proposal = det.replace(search, REPLACE);

  const model = await FakeMessagesServer.start(KEY);
  model.enqueue(
    {
      kind: 'stream',
      events: turn({
        text: 'Reviewing the warp vote code for 64-lane wavefronts. The header comment should name the HIP file.',
        tools: [{ id: 'tu_1', name: 'edit_proposal', input: { search, replace: REPLACE, reason: 'Name the HIP file in its header comment.', finding_ids: [] } }],
        usage: { input: 1800, output: 120, cacheWrite: 2400 },
      }),
    },
    { kind: 'stream', events: turn({ text: 'Done.', tools: [{ id: 'tu_2', name: 'finish', input: { summary: 'Updated the header comment; the warp findings need a human decision.' } }], usage: { input: 300, output: 40, cacheRead: 2400 } }) },
  );
  const server = await startCodeServer({
    folder: workspace,
    settings: { 'window.autoDetectColorScheme': true, 'workbench.preferredDarkColorTheme': 'Default Dark Modern', 'workbench.colorTheme': 'Default Dark Modern', 'hipPorter.agent.baseURL': model.url, 'files.autoSave': 'off' },
  });
  /** @type {Awaited<ReturnType<typeof openWorkbench>> | undefined} */
  let wb;
  try {
    wb = await openWorkbench({ url: server.url, folder: workspace, extensionDevelopmentPath: repoRoot });
    const { page } = wb;
    await page.emulateMedia({ colorScheme: 'dark' });
    await waitForWorkbench(page);
    // Open the .cu file (Quick Open) so the extension activates and the port command has a target.
    await page.locator('.monaco-workbench .part.editor').click();
    await quickOpen(page, 'warp_vote.cu');
    // Dark theme: headless Chromium reports a light colour scheme, which this workbench follows
    // (autoDetectColorScheme); emulate a dark system scheme and check the workbench turned dark.
    await page.waitForFunction(() => document.querySelector('.monaco-workbench')?.classList.contains('vs-dark'), null, { timeout: 15_000 });

    // The key through the palette and a password input box.
    await palette(page, 'HIP Porter: Set Anthropic API Key');
    const keyBox = page.locator('.quick-input-widget .quick-input-box input[type="password"]');
    await keyBox.waitFor({ state: 'visible', timeout: 15_000 });
    await keyBox.fill(KEY);
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: 'API key saved' }).waitFor({ timeout: 10_000 });

    // Port from the palette, with the CUDA editor active.
    await page.locator('.tabs-container .tab', { hasText: 'warp_vote.cu' }).click();
    await palette(page, 'HIP Porter: Port File to HIP');

    // The panel: outer webview iframe, then the inner active frame holding our document.
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await panel.locator('#run-status', { hasText: 'Complete' }).waitFor({ timeout: 30_000 });
    await panel.locator('.item.text', { hasText: 'Reviewing the warp vote code for 64-lane wavefronts.' }).waitFor({ timeout: 10_000 });
    const tool = panel.locator('.item.tool[data-tool="edit_proposal"]');
    await tool.waitFor({ timeout: 10_000 });
    assert.match(await tool.innerText(), /Name the HIP file in its header comment\./);
    assert.match(await tool.innerText(), /ok/);
    assert.match(await panel.locator('#usage').innerText(), /out 160 .*2 request\(s\)/);
    assert.ok(model.problems.length === 0, model.problems.join('\n'));

    // The diff editor opened beside it.
    await page.locator('.tabs-container .tab', { hasText: 'warp_vote.cu ↔ warp_vote.hip' }).waitFor({ timeout: 15_000 });
    const hunks = computeHunks(original, proposal);
    const rows = panel.locator('li.hunk');
    await rows.first().waitFor({ timeout: 10_000 });
    assert.equal(await rows.count(), hunks.length, 'one row per hunk');
    assert.match(await rows.first().innerText(), /Name the HIP file/, 'the agent reason is shown with its hunk');
    await waitForAnimations(page, '.notifications-toasts');
    await page.screenshot({ path: join(shots, '1-run-finished.png') });

    // Accept the first hunk by clicking, then Write; leave the undecided ones out in the modal.
    await rows.first().locator('button', { hasText: 'Accept' }).click();
    await rows.first().locator('button[aria-pressed="true"]', { hasText: 'Accepted' }).waitFor({ timeout: 10_000 });
    await panel.locator('h2', { hasText: '1 accepted' }).waitFor({ timeout: 5000 });
    // Keyboard: the focused button keeps its focus across the re-render.
    assert.equal(await rows.first().locator('button:focus').count(), 1);
    await page.screenshot({ path: join(shots, '2-hunk-accepted.png') });
    await panel.locator('button[data-key="write"]').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10_000 });
    assert.match(await dialog.innerText(), /neither accepted nor rejected/);
    await page.screenshot({ path: join(shots, '3-undecided-dialog.png') });
    await dialog.locator('a.monaco-button, button', { hasText: 'Leave Them Out' }).first().click();

    const target = join(workspace, 'warp_vote.hip');
    const expected = applySelection(original, hunks, new Set([hunks[0].id]));
    await until(() => existsSync(target) && readFileSync(target, 'utf8') === expected, 'warp_vote.hip with exactly the accepted hunk');
    await page.locator('.tabs-container .tab.active', { hasText: 'warp_vote.hip' }).waitFor({ timeout: 10_000 });
    await panel.locator('#app', { hasNotText: 'Changes (' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(shots, '4-written.png') });
  } catch (err) {
    if (wb) await wb.page.screenshot({ path: join(shots, 'failure.png') }).catch(() => {});
    if (wb) writeFileSync(join(shots, 'failure-console.log'), wb.consoleLines.join('\n'));
    throw err;
  } finally {
    await wb?.close();
    await server.stop();
    await model.close();
    rmSync(workspace, { recursive: true, force: true });
  }
});
