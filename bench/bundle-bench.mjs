#!/usr/bin/env node
// What each bundle carries and how long the extension bundle takes to load, without VS Code:
// builds src/extension/main.ts and src/server/main.ts with esbuild's metafile (plain and minified),
// prints bytes per source area (src/core, src/core/build, src/agent, node_modules packages...) and
// whether the engine (tree-sitter, mappings, translate, analyze) is inside the extension bundle,
// then loads dist/extension.js N times in fresh Node processes with a stand-in for the `vscode`
// module (an object whose every property is a no-op) and prints the median require() time in ms.
// The in-editor activation time is bench/extension-bench.mjs (needs code-server).
// Run: node scripts/build.mjs && node bench/bundle-bench.mjs [--runs N]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runsIdx = process.argv.indexOf('--runs');
const RUNS = runsIdx >= 0 ? Number(process.argv[runsIdx + 1]) : 5;

/** Engine modules that must stay out of the extension bundle (the language server runs them). */
export const ENGINE_INPUTS = [/node_modules\/web-tree-sitter\//, /src\/core\/translate\.ts$/, /src\/core\/analyze\.ts$/, /src\/core\/mappings\.ts$/, /src\/core\/rules\//, /src\/core\/parse\.ts$/];

/** Source area of a bundle input path: the npm package, or the src/ folder. */
function area(path) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1];
  const s = /^src\/((?:core\/build)|[^/]+)/.exec(path);
  return s ? `src/${s[1]}` : path;
}

async function measure(entry, minify) {
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    minify,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    absWorkingDir: root,
    outfile: 'out.js',
    logLevel: 'silent',
    define: { 'import.meta.url': '__u' },
  });
  const out = Object.values(r.metafile.outputs)[0];
  const byArea = new Map();
  for (const [path, v] of Object.entries(out.inputs)) byArea.set(area(path), (byArea.get(area(path)) ?? 0) + v.bytesInOutput);
  const engine = Object.keys(out.inputs).filter((p) => ENGINE_INPUTS.some((re) => re.test(p)));
  return { bytes: out.bytes, byArea: [...byArea].sort((a, b) => b[1] - a[1]), engine };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const [name, entry] of [['extension', 'src/extension/main.ts'], ['server', 'src/server/main.ts']]) {
  const plain = await measure(entry, false);
  const min = await measure(entry, true);
  console.log(`${name}: ${kb(plain.bytes)} plain, ${kb(min.bytes)} minified; engine modules inside: ${plain.engine.length}`);
  for (const [a, b] of plain.byArea.slice(0, 12)) console.log(`  ${a.padEnd(40)} ${kb(b).padStart(12)}`);
}

const bundle = join(root, 'dist', 'extension.js');
if (!existsSync(bundle)) {
  console.log('dist/extension.js missing: run node scripts/build.mjs for the load time');
} else {
  // A fresh process per run; `vscode` resolves to a Proxy whose properties are callable no-ops.
  const probe = `
const Module = require('node:module');
const load = Module._load;
const get = (t, k) => (k === 'then' ? undefined : stub);
// esbuild's __toESM reads names through the module's prototype: give it one that answers every name.
const proto = new Proxy({}, { get });
const stub = new Proxy(function () {}, { get, apply: () => stub, construct: () => stub, getPrototypeOf: () => proto });
Module._load = function (req, ...rest) { return req === 'vscode' ? stub : load.call(this, req, ...rest); };
const t0 = process.hrtime.bigint();
require(${JSON.stringify(bundle)});
console.log(Number(process.hrtime.bigint() - t0) / 1e6);`;
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`load probe failed: ${r.stderr}`);
    times.push(Number(r.stdout.trim()));
  }
  times.sort((a, b) => a - b);
  console.log(`dist/extension.js require(): median ${times[Math.floor(times.length / 2)].toFixed(1)} ms over ${RUNS} runs (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)})`);
}
