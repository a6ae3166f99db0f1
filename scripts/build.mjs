// Bundles every entry point with esbuild and copies the runtime assets (tree-sitter wasm, mappings)
// next to the bundles, where src/core/assets.ts finds them at run time.
// Usage: node scripts/build.mjs [--watch] [--minify]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const minify = process.argv.includes('--minify');
mkdirSync(dist, { recursive: true });

/** Node entry points: [source, output name]. Missing sources are skipped so the build works while features land. */
const nodeEntries = [
  ['src/cli/main.ts', 'cli'],
  // The CLI's agent (Anthropic SDK included), loaded by cli.js only for `port --agent`.
  ['src/cli/agent-command.ts', 'cli-agent'],
  // `hip-porter validate` (ajv, output readers), loaded by cli.js only for that command.
  ['src/cli/validate-command.ts', 'cli-validate'],
  ['src/server/main.ts', 'server'],
  ['src/extension/main.ts', 'extension'],
  // The agent library on its own, loaded by the extension on first use (src/extension/agent-loader.ts).
  ['src/agent/index.ts', 'agent'],
].filter(([src]) => existsSync(join(root, src)));

const common = {
  bundle: true,
  sourcemap: true,
  minify,
  logLevel: 'warning',
  absWorkingDir: root,
};

/**
 * Keeps `require('./agent-command')` in src/cli/agent-bridge.ts and `require('./validate-command')`
 * in src/cli/main.ts as run-time requires of the separate bundles `./cli-agent.js` and
 * `./cli-validate.js`, so cli.js does not carry (nor parse at every start) the agent or the validator.
 */
const lazyCliAgent = {
  name: 'lazy-cli-agent',
  setup(build) {
    build.onResolve({ filter: /^\.\/agent-command$/ }, (args) =>
      args.importer.replace(/\\/g, '/').endsWith('src/cli/agent-bridge.ts') ? { path: './cli-agent.js', external: true } : undefined,
    );
    build.onResolve({ filter: /^\.\/validate-command$/ }, (args) =>
      args.importer.replace(/\\/g, '/').endsWith('src/cli/main.ts') ? { path: './cli-validate.js', external: true } : undefined,
    );
  },
};

await esbuild.build({
  ...common,
  plugins: [lazyCliAgent],
  entryPoints: Object.fromEntries(nodeEntries.map(([src, out]) => [out, src])),
  outdir: dist,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // web-tree-sitter's ESM build reads import.meta.url, which a CJS bundle lacks: give it the bundle's own URL.
  define: { 'import.meta.url': '__hipPorterImportMetaUrl' },
  banner: { js: "var __hipPorterImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
});

if (existsSync(join(root, 'src/webview/panel/main.ts'))) {
  await esbuild.build({
    ...common,
    entryPoints: { webview: 'src/webview/panel/main.ts' },
    outdir: dist,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
}

if (existsSync(join(root, 'src/webview/validate-report/main.ts'))) {
  await esbuild.build({
    ...common,
    entryPoints: { 'validate-report': 'src/webview/validate-report/main.ts' },
    outdir: dist,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
}

// Runtime assets, found relative to the bundle (see src/core/assets.ts).
cpSync(join(root, 'node_modules/web-tree-sitter/tree-sitter.wasm'), join(dist, 'tree-sitter.wasm'));
cpSync(join(root, 'node_modules/tree-sitter-cuda/tree-sitter-cuda.wasm'), join(dist, 'tree-sitter-cuda.wasm'));
mkdirSync(join(dist, 'mappings'), { recursive: true });
for (const f of readdirSync(join(root, 'mappings'))) {
  if (f.endsWith('.json')) cpSync(join(root, 'mappings', f), join(dist, 'mappings', f));
}
console.log(`built ${nodeEntries.map(([, o]) => o).join(', ')} into dist/`);
