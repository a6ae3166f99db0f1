#!/usr/bin/env node
// Installs code-server 4.100.3 (= VS Code 1.100.3) from the npm registry into the git-ignored
// folder .vscode-test/code-server-4.100.3/, so the e2e tests can run the real workbench offline.
// Usage: node scripts/e2e/setup-code-server.mjs [--force]
//
// Why these steps:
// - VS Code desktop cannot be downloaded here; code-server from npm + Debian chromium can.
// - code-server's install scripts must run (its postinstall builds lib/vscode's native modules and,
//   as root, demands --unsafe-perm), while the repo's .npmrc says ignore-scripts=true. The install therefore runs with its cwd in
//   the install folder, which has its own throwaway package.json, so npm treats that folder as the
//   project and never reads the repo's .npmrc; --ignore-scripts=false is passed as well.
// - node-pty's postinstall runs `npx node-gyp`; ~/.npmrc may say yes=false, so npm_config_yes=true.
// - npm_config_nodedir=/usr builds native modules against the local Node headers (no download).
// - @vscode/ripgrep@1.15.11's postinstall downloads rg from GitHub unless an archive is already in
//   its cache folder under os.tmpdir(); we put Debian's /usr/bin/rg there as that archive.
//
// Debian prerequisites: libkrb5-dev (native `kerberos` module), ripgrep, chromium. When one is
// missing the script names the `apt-get install` needed and exits 1; when running as root with
// CI=true it installs them itself with apt-get.
//
// Idempotent: when the marker file and the key files exist it returns at once (no npm, no apt).
// Exit codes: 0 ready, 1 prerequisite missing or install failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** code-server release to install; 4.100.3 bundles VS Code 1.100.3, the last whose engines allow Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';
/** @vscode/ripgrep version that code-server 4.100.3's lib/vscode depends on; names its download cache folder. */
const VSCODE_RIPGREP_VERSION = '1.15.11';
/** ripgrep release @vscode/ripgrep 1.15.11 downloads (its `VERSION` constant). */
const RIPGREP_RELEASE = 'v13.0.0-10';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Absolute path of the install folder (git-ignored via .vscode-test/). */
export const INSTALL_DIR = join(repoRoot, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
/** Absolute path of the code-server package root inside INSTALL_DIR. */
export const CODE_SERVER_ROOT = join(INSTALL_DIR, 'node_modules', 'code-server');
/** Absolute path of the script to run with `node` to start code-server. */
export const CODE_SERVER_ENTRY = join(CODE_SERVER_ROOT, 'out', 'node', 'entry.js');
/** Absolute path of the rg binary the workbench's search uses; its presence proves the ripgrep postinstall ran. */
export const CODE_SERVER_RG = join(CODE_SERVER_ROOT, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
const MARKER = join(INSTALL_DIR, '.hip-porter-installed.json');

/** Debian packages the e2e tests need, with a file that proves each is installed (cheap check, no dpkg call). */
const PREREQUISITES = [
  { pkg: 'libkrb5-dev', probe: '/usr/include/krb5.h' },
  { pkg: 'ripgrep', probe: '/usr/bin/rg' },
  { pkg: 'chromium', probe: '/usr/bin/chromium' },
];

/** Target triple of the musl rg archive @vscode/ripgrep looks for on this CPU (Linux only). */
function ripgrepTarget() {
  switch (process.arch) {
    case 'x64': return 'x86_64-unknown-linux-musl';
    case 'arm64': return 'aarch64-unknown-linux-musl';
    default: throw new Error(`setup-code-server: unsupported CPU architecture ${process.arch}`);
  }
}

/** True when everything is already installed (marker with the right version, entry script, rg binary). */
function isInstalled() {
  if (!existsSync(MARKER) || !existsSync(CODE_SERVER_ENTRY) || !existsSync(CODE_SERVER_RG)) return false;
  try {
    return JSON.parse(readFileSync(MARKER, 'utf8')).version === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

/** Checks the Debian prerequisites; installs them with apt-get when root and CI=true, else throws with the command to run. */
function ensurePrerequisites() {
  const missing = PREREQUISITES.filter((p) => !existsSync(p.probe)).map((p) => p.pkg);
  if (missing.length === 0) return;
  const cmd = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && process.env.CI === 'true') {
    console.log(`setup-code-server: installing Debian packages: ${missing.join(' ')}`);
    run('apt-get', ['update'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    run('apt-get', cmd.split(' ').slice(1), { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return;
  }
  throw new Error(`setup-code-server: missing Debian packages: ${missing.join(', ')}.\n  Run: sudo ${cmd}\n  (or run this script as root with CI=true to let it install them)`);
}

/** Runs a command, inheriting stdio; throws when it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`setup-code-server: \`${command} ${args.join(' ')}\` exited with ${result.status ?? result.signal}`);
}

/**
 * Puts a tar.gz holding Debian's rg (named `rg`) where @vscode/ripgrep's postinstall looks for its
 * download cache: `<os.tmpdir()>/vscode-ripgrep-cache-<version>/ripgrep-<release>-<target>.tar.gz`.
 * @returns the archive's absolute path
 */
function ensureRipgrepArchive() {
  const cacheDir = join(tmpdir(), `vscode-ripgrep-cache-${VSCODE_RIPGREP_VERSION}`);
  const archive = join(cacheDir, `ripgrep-${RIPGREP_RELEASE}-${ripgrepTarget()}.tar.gz`);
  if (existsSync(archive)) return archive;
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'hip-porter-rg-'));
  try {
    copyFileSync('/usr/bin/rg', join(staging, 'rg'));
    const partial = `${archive}.partial`;
    run('tar', ['-czf', partial, '-C', staging, 'rg']);
    run('mv', ['-f', partial, archive]);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return archive;
}

/** Installs code-server into INSTALL_DIR with npm, then verifies the key files and writes the marker. */
function install() {
  mkdirSync(INSTALL_DIR, { recursive: true });
  rmSync(MARKER, { force: true });
  writeFileSync(
    join(INSTALL_DIR, 'package.json'),
    JSON.stringify({
      name: 'hip-porter-e2e-code-server',
      private: true,
      description: 'Throwaway install of code-server for HIP Porter e2e tests (written by scripts/e2e/setup-code-server.mjs)',
      dependencies: { 'code-server': CODE_SERVER_VERSION },
    }, null, 2) + '\n',
  );
  const env = {
    ...process.env,
    npm_config_yes: 'true',
    npm_config_nodedir: '/usr',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  // --unsafe-perm: npm >= 7 ignores it (and warns "Unknown cli config"), but it still sets
  // npm_config_unsafe_perm=true for the scripts, and code-server's postinstall.sh refuses to run as
  // root without that. (npm < 7 also needs it to keep root for the scripts.)
  const args = ['install', '--ignore-scripts=false', '--unsafe-perm', '--no-audit', '--no-fund', '--no-package-lock'];
  run('npm', args, { cwd: INSTALL_DIR, env });
  for (const file of [CODE_SERVER_ENTRY, CODE_SERVER_RG]) {
    if (!existsSync(file)) throw new Error(`setup-code-server: install finished but ${file} is missing`);
  }
  writeFileSync(MARKER, JSON.stringify({ version: CODE_SERVER_VERSION, installedAt: new Date().toISOString() }) + '\n');
}

/**
 * Makes sure code-server is installed and usable; fast no-op when it already is.
 * @param {{ force?: boolean, quiet?: boolean }} [options] force: reinstall even when installed
 * @returns {{ entry: string, installed: boolean, ms: number }} entry script path; whether an install ran; elapsed wall-clock milliseconds
 * @throws Error when a Debian prerequisite is missing (and cannot be installed) or npm fails
 */
export function setupCodeServer(options = {}) {
  const t0 = performance.now();
  if (!options.force && isInstalled()) {
    return { entry: CODE_SERVER_ENTRY, installed: false, ms: performance.now() - t0 };
  }
  ensurePrerequisites();
  const archive = ensureRipgrepArchive();
  if (!options.quiet) console.log(`setup-code-server: rg archive ready at ${archive}`);
  if (!options.quiet) console.log(`setup-code-server: installing code-server ${CODE_SERVER_VERSION} into ${INSTALL_DIR} ...`);
  install();
  return { entry: CODE_SERVER_ENTRY, installed: true, ms: performance.now() - t0 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const result = setupCodeServer({ force: process.argv.includes('--force') });
    const secs = (result.ms / 1000).toFixed(result.installed ? 1 : 3);
    console.log(result.installed
      ? `setup-code-server: installed code-server ${CODE_SERVER_VERSION} in ${secs} s`
      : `setup-code-server: code-server ${CODE_SERVER_VERSION} already installed (checked in ${secs} s)`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
