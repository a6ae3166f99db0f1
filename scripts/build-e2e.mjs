// Bundles the in-host e2e suite: test/e2e/suite/index.ts and every test/e2e/suite/*.test.ts into
// dist-test/e2e/<name>.js, CommonJS for Node 20, with `vscode` and `mocha` left external (the
// extension host provides `vscode`; mocha resolves from the repo's node_modules). dist-test/ is a
// build output and must be git-ignored.
// Usage: node scripts/build-e2e.mjs
// Then:  node test/e2e/run.mjs --suite dist-test/e2e/index.js --workspace test/e2e/workspace-hp
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suiteDir = join(root, 'test', 'e2e', 'suite');
const outdir = join(root, 'dist-test', 'e2e');

// Entry points: index.ts and the *.test.ts files; other .ts files there are helpers they import.
const entries = readdirSync(suiteDir).filter((f) => f === 'index.ts' || f.endsWith('.test.ts'));
// Start clean so a deleted test file does not linger as a stale bundle that index.js would pick up.
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

await esbuild.build({
  absWorkingDir: root,
  entryPoints: entries.map((f) => join(suiteDir, f)),
  outdir,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
  // Same as scripts/build.mjs: web-tree-sitter's ESM build reads import.meta.url, which a CJS bundle
  // lacks; give it the bundle's own URL so suites can import the engine (e.g. translate) directly.
  define: { 'import.meta.url': '__hipPorterImportMetaUrl' },
  banner: { js: "var __hipPorterImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
console.log(`built ${entries.length} e2e suite file(s) into dist-test/e2e/`);
