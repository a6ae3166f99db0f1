// UI-driven smoke test of the e2e harness: real code-server workbench in headless Debian Chromium,
// driven only through the keyboard and the DOM like a user would (no in-host suite). Proves the path
// later UI journeys use: Quick Open a .cu file, run a palette command, read a notification.
// Run: node --test test/e2e/ui-smoke.mjs   (or: node test/e2e/ui-smoke.mjs)
// Screenshots: test-results/e2e/ui-smoke-*.png
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isAlive, openWorkbench, palette, quickOpen, startCodeServer, waitForAnimations, waitForWorkbench } from '../../scripts/e2e/code-server.mjs';
import { setupCodeServer } from '../../scripts/e2e/setup-code-server.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workspace = join(repoRoot, 'test', 'e2e', 'workspace');
const fixtureExt = join(repoRoot, 'test', 'e2e', 'fixture-ext');
const shots = join(repoRoot, 'test-results', 'e2e');

test('UI smoke: Quick Open a .cu file and run a palette command in code-server', { timeout: 120_000 }, async () => {
  setupCodeServer();
  mkdirSync(shots, { recursive: true });
  const server = await startCodeServer({ folder: workspace });
  /** @type {Awaited<ReturnType<typeof openWorkbench>> | undefined} */
  let workbench;
  try {
    workbench = await openWorkbench({ url: server.url, folder: workspace, extensionDevelopmentPath: fixtureExt });
    const { page } = workbench;
    await waitForWorkbench(page);
    assert.match(await page.title(), /Extension Development Host/);

    // Quick Open (Ctrl+P) finds the file through the workbench's file search (ripgrep).
    await page.locator('.monaco-workbench .part.editor').click();
    await quickOpen(page, 'saxpy.cu');
    const editorLines = page.locator('.editor-instance .monaco-editor .view-lines');
    await editorLines.filter({ hasText: '__global__ void saxpy' }).waitFor({ timeout: 15_000 });
    // The status bar names the built-in language of .cu files.
    await page.locator('#status\\.editor\\.mode', { hasText: 'CUDA C++' }).waitFor({ timeout: 15_000 });
    // Only the file we opened: DEFAULT_SETTINGS keeps welcome pages and walkthroughs away.
    assert.deepEqual(await page.locator('.tabs-container .tab').allInnerTexts(), ['saxpy.cu']);
    await page.screenshot({ path: join(shots, 'ui-smoke-1-opened.png') });

    await palette(page, 'HIP Porter Fixture: Mark Kernels');
    const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'HIP Porter fixture: found 1 kernel(s): saxpy' });
    await toast.waitFor({ state: 'visible', timeout: 15_000 });
    await editorLines.filter({ hasText: '// fixture: 1 kernel(s): saxpy' }).waitFor({ timeout: 10_000 });
    await waitForAnimations(page, '.notifications-toasts');
    await page.screenshot({ path: join(shots, 'ui-smoke-2-command.png') });
    assert.equal(await toast.count(), 1);
  } catch (err) {
    if (workbench) await workbench.page.screenshot({ path: join(shots, 'ui-smoke-failure.png') }).catch(() => {});
    throw err;
  } finally {
    await workbench?.close();
    await server.stop();
  }
  assert.equal(isAlive(server.pid), false, 'code-server is gone after stop()');
});
