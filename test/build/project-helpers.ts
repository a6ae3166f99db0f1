/**
 * Shared steps of the project-port tests: port a fixture project with the real CLI, build it with
 * the real toolchain (make/hipcc, CMake's HIP language, nvcc 13 compile-only), and read the code
 * objects of a fat binary.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { main } from '../../src/cli/main';
import { initParser } from '../../src/core/parse';

/** Absolute path of a fixture project under test/fixtures/projects/. */
export function fixtureProject(name: string): string {
  return join(__dirname, '..', 'fixtures', 'projects', name);
}

/** A fresh scratch directory. */
export function scratch(tag: string): string {
  return mkdtempSync(join(tmpdir(), `hp-project-${tag}-`));
}

/** Copies the fixture to a scratch directory (builds write objects beside the sources). */
export function copyOfFixture(name: string): string {
  const dir = join(scratch(name + '-orig'), name);
  cpSync(fixtureProject(name), dir, { recursive: true });
  return dir;
}

/** Runs `hip-porter port <args>` in-process; returns exit code and captured output. */
export async function port(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  await initParser();
  let out = '';
  let err = '';
  const code = await main(['port', ...args], { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

/** Runs a command; fails the test with its output when it exits non-zero. Returns stdout+stderr. */
export function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const all = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed in ${cwd}:\n${all.slice(-4000)}`);
  return all;
}

/**
 * The AMD code objects in a HIP fat binary: the offload-bundle entry ids
 * (`hipv4-amdgcn-amd-amdhsa--gfx90a`) found in its `.hip_fatbin` section. Checks the section
 * exists with llvm-objdump (Debian llvm-15).
 */
export function fatbinArchs(binary: string): string[] {
  const headers = execFileSync(objdump(), ['-h', binary], { encoding: 'utf8' });
  assert.match(headers, /\.hip_fatbin/, `${binary} has no .hip_fatbin section`);
  const text = readFileSync(binary).toString('latin1');
  return [...new Set([...text.matchAll(/hipv4-amdgcn-amd-amdhsa--(gfx[0-9a-z]+)/g)].map((m) => m[1]!))].sort();
}

function objdump(): string {
  for (const c of ['/usr/bin/llvm-objdump-15', '/usr/lib/llvm-15/bin/llvm-objdump', '/usr/bin/llvm-objdump']) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return 'llvm-objdump';
}

/** Project-relative paths of the files under `dir` with one of the extensions. */
export function filesWith(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!/^build-|^CMakeFiles$/.test(e.name)) walk(p);
      } else if (exts.some((x) => e.name.endsWith(x))) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** `nvcc -ptx -arch=sm_80` of one source (include dirs relative to `root`); returns the PTX. */
export function nvccPtx(root: string, file: string, includeDirs: string[] = []): string {
  const outFile = join(scratch('ptx'), 'out.ptx');
  run('nvcc', ['-ptx', '-arch=sm_80', '-std=c++17', ...includeDirs.map((d) => `-I${join(root, d)}`), join(root, file), '-o', outFile], root);
  return readFileSync(outFile, 'utf8');
}

/** `make -n` (dry run) of a tree with the tree's path replaced by `<root>`, one command per line. */
export function makeDryRun(root: string, args: string[] = []): string {
  return run('make', ['-n', '-B', ...args], root).split(root).join('<root>');
}

/** CMake configure + build; returns the build directory. */
export function cmakeBuild(root: string, defs: string[], env: Record<string, string> = {}): string {
  const b = join(root, 'build-' + Math.random().toString(36).slice(2, 8));
  run('cmake', ['-S', root, '-B', b, ...defs], root, env);
  run('cmake', ['--build', b, '-j', '2'], root, env);
  return b;
}

/** The compile commands CMake would run, from compile_commands.json, with paths normalised. */
export function compileCommands(buildDir: string, root: string): string[] {
  const cc = JSON.parse(readFileSync(join(buildDir, 'compile_commands.json'), 'utf8')) as Array<{ command: string; file: string }>;
  return cc.map((c) => c.command.split(buildDir).join('<build>').split(root).join('<root>')).sort();
}

/**
 * CMake configure outcome (exit status and the `CMake Error` messages without line numbers and
 * paths), for comparing two trees whose configure is expected to behave the same.
 */
export function cmakeConfigureOutcome(root: string, defs: string[]): { status: number | null; errors: string } {
  const b = join(root, 'build-' + Math.random().toString(36).slice(2, 8));
  const r = spawnSync('cmake', ['-S', root, '-B', b, ...defs], { cwd: root, encoding: 'utf8' });
  const all = `${r.stdout ?? ''}${r.stderr ?? ''}`.split(b).join('<build>').split(root).join('<root>');
  const at = all.indexOf('CMake Error');
  const errors = at < 0 ? '' : all.slice(at).replace(/CMakeLists\.txt:\d+/g, 'CMakeLists.txt:N').replace(/\s+/g, ' ');
  return { status: r.status, errors };
}
