// Loads the TypeScript helpers of the smoke journey (loopback model, hunk model) by bundling
// test/e2e/journey/model-script.ts with esbuild into a temporary ES module and importing it, so the
// journey runs under plain `node` (no tsx loader needed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * @returns {Promise<typeof import('./model-script.ts')>} startJourneyModel, FakeMessagesServer, computeHunks, applySelection
 */
export async function loadJourneyHelpers() {
  const dir = mkdtempSync(join(tmpdir(), 'hip-porter-journey-'));
  const out = join(dir, 'journey-helpers.mjs');
  try {
    await esbuild.build({
      entryPoints: [join(repoRoot, 'test/e2e/journey/model-script.ts')],
      outfile: out,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      absWorkingDir: repoRoot,
    });
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
