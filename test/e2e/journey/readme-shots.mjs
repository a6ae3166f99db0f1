// Copies a few smoke screenshots into media/screenshots/ for the README, cropped to the part that
// matters (at full 1280x800 resolution: crisp text compresses better than scaled text) with
// headless Debian Chromium and quantized with pngquant (Debian package), so each PNG stays under 150 KB.
// Usage: node test/e2e/journey/readme-shots.mjs [resultsDir]   (after demo-vscode --smoke)
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/e2e/code-server.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Smoke screenshot -> README name and crop rectangle in pixels of the 1280x800 original
 * (x, y: top-left corner; w, h: size).
 */
export const README_SHOTS = {
  '1-diagnostics.png': { to: 'diagnostics.png', crop: { x: 348, y: 35, w: 932, h: 745 } },
  '4-port-agent.png': { to: 'agent-panel.png', crop: { x: 0, y: 0, w: 1280, h: 800 } },
  '5a-decided.png': { to: 'review-hunks.png', crop: { x: 0, y: 0, w: 1280, h: 800 } },
  '6-build.png': { to: 'build-errors.png', crop: { x: 348, y: 35, w: 932, h: 745 } },
};
/** Upper bound per PNG in bytes. */
export const MAX_SHOT_BYTES = 150 * 1024;

/**
 * Crops each selected screenshot (README_SHOTS) and writes it as PNG.
 * @param {string} resultsDir folder holding the smoke screenshots
 * @param {string} [outDir] default media/screenshots
 * @returns {Promise<Array<{ file: string, bytes: number, width: number, height: number }>>}
 * @throws Error when a screenshot is missing or a crop is 150 KB or larger
 */
export async function exportReadmeShots(resultsDir, outDir = join(repoRoot, 'media', 'screenshots')) {
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const out = [];
  try {
    for (const [from, { to, crop }] of Object.entries(README_SHOTS)) {
      const data = readFileSync(join(resultsDir, from)).toString('base64');
      const page = await browser.newPage({ viewport: { width: crop.w, height: crop.h } });
      await page.setContent(`<html><body style="margin:0;overflow:hidden"><img id="s" style="position:absolute;left:${-crop.x}px;top:${-crop.y}px;width:1280px;height:800px" src="data:image/png;base64,${data}"></body></html>`);
      await page.locator('#s').evaluate((img) => img.decode());
      const file = join(outDir, to);
      await page.screenshot({ path: file });
      await page.close();
      // 256-colour palette PNG (Debian package pngquant); UI screenshots lose nothing visible.
      const q = spawnSync('pngquant', ['--force', '--skip-if-larger', '--quality=65-95', '--speed=1', '--output', file, file], { encoding: 'utf8' });
      if (q.error) throw new Error(`pngquant not available (apt-get install pngquant): ${q.error.message}`);
      if (q.status !== 0 && q.status !== 98 && q.status !== 99) throw new Error(`pngquant failed on ${to} (${q.status}): ${q.stderr}`);
      const bytes = statSync(file).size;
      if (bytes >= MAX_SHOT_BYTES) throw new Error(`${to} is ${bytes} bytes, over ${MAX_SHOT_BYTES}: crop it more`);
      out.push({ file, bytes, width: crop.w, height: crop.h });
    }
  } finally {
    await browser.close();
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const shots = await exportReadmeShots(process.argv[2] ?? join(repoRoot, 'test-results', 'smoke'));
  for (const s of shots) console.log(`${s.file.slice(repoRoot.length + 1)}  ${s.width}x${s.height}, ${(s.bytes / 1024).toFixed(0)} KB`);
}
