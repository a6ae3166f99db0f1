#!/usr/bin/env node
// `npm run package`: builds minified bundles (node scripts/build.mjs --minify) and packages the
// extension with @vscode/vsce (offline, --no-dependencies: the esbuild bundles need no
// node_modules) into dist-vsix/hip-porter-<version>.vsix. Then checks the VSIX: under 10 MB and
// holding only dist/, media/, syntaxes/ and the manifest files (package.json, README.md,
// CHANGELOG.md, LICENSE) next to vsce's own [Content_Types].xml and extension.vsixmanifest.
// Prints its size and file count. Usage: node scripts/package-vsix.mjs [--no-build]
// Exit code 1 when building, packaging or a check fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Upper bound on the VSIX size in bytes (issue 6: "a VSIX under 10 MB"). */
export const MAX_VSIX_BYTES = 10 * 1024 * 1024;

/** Paths (inside the VSIX's `extension/` folder) allowed to ship: folders end with '/'. */
const ALLOWED = ['dist/', 'media/', 'syntaxes/', 'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt'];
/** Files vsce adds at the top of every VSIX. */
const VSCE_OWN = ['[Content_Types].xml', 'extension.vsixmanifest'];

/**
 * Lists the entries of a zip archive with Debian's `zipinfo -1` (package `unzip`).
 * @param {string} file path of the archive
 * @returns {string[]} entry names as stored (forward slashes), directories included
 * @throws Error when zipinfo fails
 */
export function zipEntries(file) {
  const r = spawnSync('zipinfo', ['-1', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`zipinfo not available (apt-get install unzip): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`zipinfo -1 ${file} failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/**
 * Checks a VSIX's entries against the allow-list.
 * @param {string[]} entries zip entry names
 * @returns {string[]} the entries that must not be there (empty when all is well)
 */
export function unexpectedEntries(entries) {
  return entries.filter((e) => {
    if (e.endsWith('/')) return false;
    if (VSCE_OWN.includes(e)) return false;
    if (!e.startsWith('extension/')) return true;
    const rel = e.slice('extension/'.length);
    // vsce stores README.md and CHANGELOG.md lower-cased.
    return !ALLOWED.some((a) => (a.endsWith('/') ? rel.startsWith(a) : rel.toLowerCase() === a.toLowerCase()));
  }).concat(entries.filter((e) => e.endsWith('.map') || e.endsWith('.ts')));
}

/**
 * @typedef {object} PackagedVsix
 * @property {string} path absolute path of the .vsix
 * @property {number} bytes its size in bytes
 * @property {number} fileCount number of files in it (directories not counted)
 * @property {string[]} files the file entries
 * @property {number} ms wall-clock time of build + package in milliseconds
 */

/**
 * Builds (minified) and packages the extension, then verifies size and contents.
 * @param {{ build?: boolean, quiet?: boolean }} [options] build: run scripts/build.mjs --minify first
 *   (default true); quiet: do not echo vsce's output (default false)
 * @returns {PackagedVsix}
 * @throws Error when the build or vsce fails, the VSIX is 10 MB or larger, or it holds files outside the allow-list
 */
export function packageVsix(options = {}) {
  const t0 = Date.now();
  const stdio = options.quiet ? 'pipe' : 'inherit';
  if (options.build ?? true) {
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--minify'], { cwd: root, stdio, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`node scripts/build.mjs --minify failed (${b.status ?? b.signal})${b.stderr ? `:\n${b.stderr}` : ''}`);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const outDir = join(root, 'dist-vsix');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `${pkg.name}-${pkg.version}.vsix`);
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const args = [vsce, 'package', '--no-dependencies', '--out', out];
  // Without a LICENSE file vsce asks on the terminal whether to continue; the report names the gap.
  const hasLicense = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(root, f)));
  if (!hasLicense) args.push('--skip-license');
  // Relative links and images in README.md (e.g. media/screenshots/*.png) need an absolute base,
  // which vsce derives only for GitHub/GitLab repositories: give it one from package.json.
  const repo = String(pkg.repository?.url ?? pkg.repository ?? '').replace(/\.git$/, '');
  if (repo && !/github\.com|gitlab\.com/.test(repo)) args.push('--baseContentUrl', `${repo}/blob/main`, '--baseImagesUrl', `${repo}/raw/main`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', stdio, stdio], encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`vsce package failed (${r.status ?? r.signal})${r.stderr ? `:\n${r.stdout}${r.stderr}` : ''}`);
  if (!hasLicense) console.warn('package-vsix: no LICENSE file in the repository; packaged with --skip-license');
  const bytes = statSync(out).size;
  const files = zipEntries(out).filter((e) => !e.endsWith('/'));
  const bad = unexpectedEntries(files);
  if (bad.length) throw new Error(`${relative(root, out)} holds files that must not ship:\n  ${bad.join('\n  ')}`);
  if (bytes >= MAX_VSIX_BYTES) throw new Error(`${relative(root, out)} is ${(bytes / 1048576).toFixed(2)} MB, over the 10 MB limit`);
  return { path: out, bytes, fileCount: files.length, files, ms: Date.now() - t0 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const v = packageVsix({ build: !process.argv.includes('--no-build') });
    console.log(`\n${relative(root, v.path)}: ${(v.bytes / 1048576).toFixed(2)} MB (${v.bytes} bytes), ${v.fileCount} files, ${(v.ms / 1000).toFixed(1)} s`);
    const top = new Map();
    for (const f of v.files) {
      const k = f.startsWith('extension/') ? f.slice(10).split('/')[0] : f;
      top.set(k, (top.get(k) ?? 0) + 1);
    }
    console.log([...top].map(([k, n]) => `  ${k}${n > 1 ? `  (${n} files)` : ''}`).join('\n'));
  } catch (e) {
    console.error(`package-vsix: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
