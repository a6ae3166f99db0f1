#!/usr/bin/env node
// Runs the benchmarks (`npm run bench`): bundles each bench/*.ts with esbuild (as the shipped
// bundles are built, so numbers match what users run) and runs it, then the .mjs benches.
// Usage: node bench/run-all.mjs [name ...]   e.g. node bench/run-all.mjs engine-bench -- --lines 200000
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(here, 'results', '.build');
mkdirSync(out, { recursive: true });
const sep = process.argv.indexOf('--');
const names = (sep >= 0 ? process.argv.slice(2, sep) : process.argv.slice(2)).filter(Boolean);
const passThrough = sep >= 0 ? process.argv.slice(sep + 1) : [];
const all = readdirSync(here).filter((f) => /\.(ts|mjs)$/.test(f) && f !== 'run-all.mjs');
const chosen = names.length ? all.filter((f) => names.some((n) => f.startsWith(n))) : all;
// assets the engine finds beside its bundle
cpSync(join(root, 'dist'), out, { recursive: true, filter: (s) => !s.endsWith('.js') && !s.endsWith('.map') });
let failed = 0;
for (const f of chosen) {
  let file = join(here, f);
  if (f.endsWith('.ts')) {
    const outfile = join(out, f.replace(/\.ts$/, '.js'));
    await esbuild.build({
      entryPoints: [file],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      define: { 'import.meta.url': '__u' },
      banner: { js: "var __u = require('url').pathToFileURL(__filename).href;" },
      logLevel: 'warning',
    });
    file = outfile;
  }
  console.log(`\n### ${f}`);
  const r = spawnSync('node', [file, ...passThrough], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
