#!/usr/bin/env node
// One-time setup used by `npm test` and `npm run demo`: installs npm dependencies (from the lock
// file, npm registry only) and, when running as root, the Debian packages the tests use.
// Idempotent and quick when everything is present. Usage: node scripts/setup.mjs [--no-apt]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages and the command each provides (checked with `command -v` / a path). */
const APT = [
  ['hipcc', '/usr/bin/hipcc'],
  ['libamdhip64-dev', '/usr/include/hip/hip_runtime.h'],
  ['libhiprand-dev', '/usr/include/hiprand/hiprand.h'],
  ['librocrand-dev', '/usr/include/rocrand/rocrand.h'],
  ['libhipsparse-dev', '/usr/include/hipsparse/hipsparse.h'],
  ['librocprim-dev', '/usr/include/rocprim/rocprim.hpp'],
  // CMake's HIP language (project builds): its packages and the tools
  ['libamd-comgr-dev', '/usr/lib/x86_64-linux-gnu/cmake/amd_comgr'],
  ['libhsa-runtime-dev', '/usr/lib/x86_64-linux-gnu/cmake/hsa-runtime64'],
  ['rocm-device-libs', '/usr/lib/cmake/AMDDeviceLibs'],
  ['cmake', '/usr/bin/cmake'],
  ['make', '/usr/bin/make'],
  ['llvm-15', '/usr/bin/llvm-objdump-15'],
  ['openssh-server', '/usr/sbin/sshd'],
  ['openssh-client', '/usr/bin/ssh'],
  ['rsync', '/usr/bin/rsync'],
  ['chromium', '/usr/bin/chromium'],
  ['ripgrep', '/usr/bin/rg'],
  ['unzip', '/usr/bin/zipinfo'],
  ['libkrb5-dev', '/usr/include/krb5.h'],
];

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function aptInstall() {
  const missing = APT.filter(([, p]) => !existsSync(p)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || process.argv.includes('--no-apt')) {
    log(`missing Debian packages: ${missing.join(' ')}`);
    log(`install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
    return;
  }
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

function npmInstall() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.hip-porter-lock-stamp');
  const want = existsSync(lock) ? String(statSync(lock).mtimeMs) + ':' + readFileSync(lock, 'utf8').length : 'none';
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('npm ci (npm registry only)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    log('npm ci failed');
    process.exit(r.status ?? 1);
  }
  writeFileSync(stamp, want);
}

aptInstall();
npmInstall();
