/**
 * `hip-porter port` never loses or silently changes a user's file (issue 18 items 1-6, issue 13
 * items 1, 4, 5): real-path checks of `--out`, in-place writes through symlinks that keep mode,
 * owner and hard links, read-only files refused (as user nobody: root ignores modes), a failed
 * multi-file write leaves nothing, symlinked `.cu` files ported once, only regular files read, a
 * parse budget, one input file is not a tree, impossible outputs fail at once, and plain C++ passes
 * through `--stdout`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PARSE_BUDGET_MS } from '../../src/cli/port';
import { initParser } from '../../src/core/parse';
import { cli, type Run } from './cli-run';

/** Running as root: the unprivileged runs go through `setpriv` as nobody (root ignores permission bits). */
const IS_ROOT = process.getuid?.() === 0;
/** `chown` as root; a no-op for a normal user (who cannot give files away, and already is unprivileged). */
function own(path: string, uid: number, gid: number): void {
  if (IS_ROOT) chownSync(path, uid, gid);
}
/** The command line that runs `argv` as an unprivileged user: nobody under root, else the current user. */
const unprivileged = (argv: string[]): [string, string[]] => (IS_ROOT ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...argv]] : [argv[0]!, argv.slice(1)]);


const ROOT = resolve(__dirname, '../..');
/** Runs the CLI from source as user nobody (root bypasses permission bits). */
function cliAsNobody(...argv: string[]): Run {
  const [cmd, args] = unprivileged([process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...argv]);
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const CU = '#include <cuda_runtime.h>\n__global__ void k(float* p) { p[threadIdx.x] = 0; }\nint main() { float* d; cudaMalloc(&d, 4); }\n';
const CUH = '#pragma once\n#include <cuda_runtime.h>\ninline void sync() { cudaDeviceSynchronize(); }\n';
const tmp = (p = 'hp-safe-'): string => mkdtempSync(join(tmpdir(), p));
const read = (p: string): string => readFileSync(p, 'utf8');

before(async () => {
  await initParser();
});

describe('--out and the input tree compared by real paths (18.1)', () => {
  test('--out through a symlink to the input folder is refused; nothing is written', async () => {
    const d = tmp();
    mkdirSync(join(d, 'p'));
    writeFileSync(join(d, 'p/a.cu'), CU);
    writeFileSync(join(d, 'p/h.cuh'), CUH);
    symlinkSync('p', join(d, 'o'));
    const r = await cli('port', join(d, 'p'), '--out', join(d, 'o'));
    assert.equal(r.code, 2);
    assert.match(r.err, /inside the input tree .*resolves to/);
    assert.deepEqual(readdirSync(join(d, 'p')).sort(), ['a.cu', 'h.cuh']);
    assert.equal(read(join(d, 'p/h.cuh')), CUH);
  });

  test('--out whose subfolder is a symlink back into the input is refused per file', async () => {
    const d = tmp();
    mkdirSync(join(d, 'p'));
    writeFileSync(join(d, 'p/h.cuh'), CUH);
    mkdirSync(join(d, 'out'));
    symlinkSync(join(d, 'p'), join(d, 'out/sub')); // out/sub/h.cuh is the input itself
    const r = await cli('port', join(d, 'p/h.cuh'), join(d, 'p/h.cuh'), '--out', join(d, 'out/sub'));
    assert.equal(r.code, 2);
    assert.match(r.err, /refusing to overwrite the input/);
    assert.equal(read(join(d, 'p/h.cuh')), CUH);
  });
});

describe('--in-place (18.2)', () => {
  test('writes through a symlink (the link stays), keeps mode 640 and hard links, keeps a .prehip backup', async () => {
    const d = tmp();
    writeFileSync(join(d, 'real.cu'), CU);
    chmodSync(join(d, 'real.cu'), 0o640);
    symlinkSync('real.cu', join(d, 'link.cu'));
    linkSync(join(d, 'real.cu'), join(d, 'hard.cu.bak'));
    const r = await cli('port', join(d, 'link.cu'), '--in-place');
    assert.equal(r.code, 0, r.err);
    assert.ok(lstatSync(join(d, 'link.cu')).isSymbolicLink());
    assert.match(read(join(d, 'real.cu')), /hipMalloc/);
    assert.match(read(join(d, 'hard.cu.bak')), /hipMalloc/, 'the hard link sees the new content');
    assert.equal(statSync(join(d, 'real.cu')).mode & 0o777, 0o640);
    assert.equal(read(join(d, 'real.cu.prehip')), CU);
    assert.match(r.err, /originals kept as \*\.prehip/);
  });

  test('--no-backup keeps no copy; no temporary file is left', async () => {
    const d = tmp();
    writeFileSync(join(d, 'a.cu'), CU);
    const r = await cli('port', join(d, 'a.cu'), '--in-place', '--no-backup');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readdirSync(d), ['a.cu']);
  });

  test('as a normal user: a read-only file is refused with a clear message, nothing changes', () => {
    const d = tmp();
    chmodSync(d, 0o777);
    writeFileSync(join(d, 'a.cu'), CU);
    writeFileSync(join(d, 'ro.cu'), CU);
    for (const f of ['a.cu', 'ro.cu']) own(join(d, f), 65534, 65534);
    chmodSync(join(d, 'ro.cu'), 0o444);
    const r = cliAsNobody('port', d, '--in-place');
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /ro\.cu: read-only file \(mode 444\); refusing to overwrite it.*nothing was written/);
    assert.equal(read(join(d, 'a.cu')), CU, 'the writable file is not changed either: one transaction');
    assert.equal(read(join(d, 'ro.cu')), CU);
    assert.deepEqual(readdirSync(d).sort(), ['a.cu', 'ro.cu']);
  });

  test('as a normal user: mode and group of a file are kept', () => {
    const d = tmp();
    chmodSync(d, 0o777);
    writeFileSync(join(d, 'a.cu'), CU);
    own(join(d, 'a.cu'), 65534, 0); // group root, which nobody is not in
    chmodSync(join(d, 'a.cu'), 0o640);
    const r = cliAsNobody('port', join(d, 'a.cu'), '--in-place');
    assert.equal(r.code, 0, r.err);
    const st = statSync(join(d, 'a.cu'));
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(st.gid, IS_ROOT ? 0 : process.getgid!());
    assert.match(read(join(d, 'a.cu')), /hipMalloc/);
  });
});

describe('a failed write leaves nothing half-done (18.3)', () => {
  test('a folder named b.hip in the output: exit 2, no output and no temporary file', async () => {
    const d = tmp();
    const src = join(d, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'a.cu'), CU);
    writeFileSync(join(src, 'b.cu'), CU);
    writeFileSync(join(src, 'c.cu'), CU);
    const out = join(d, 'out');
    mkdirSync(join(out, 'b.hip'), { recursive: true });
    const r = await cli('port', src, '--out', out);
    assert.equal(r.code, 2);
    assert.match(r.err, /b\.hip: exists and is not a regular file \(a folder\); nothing was written/);
    assert.deepEqual(readdirSync(out), ['b.hip']);
  });
});

describe('symlinked files in a tree (18.4)', () => {
  test('a symlinked .cu is ported; two links to one file port it once', async () => {
    const d = tmp();
    const src = join(d, 'src');
    mkdirSync(src);
    writeFileSync(join(d, 'common.cu'), CU);
    symlinkSync('../common.cu', join(src, 'l1.cu'));
    symlinkSync('../common.cu', join(src, 'l2.cu'));
    writeFileSync(join(src, 'main.cu'), CU);
    symlinkSync('main.cu', join(src, 'alias.cu'));
    symlinkSync('missing.cu', join(src, 'dangling.cu'));
    const out = join(d, 'out');
    const r = await cli('port', src, '--out', out, '--json');
    assert.equal(r.code, 1, 'the dangling link is reported as skipped');
    assert.match(r.err, /dangling\.cu: symbolic link to a missing file/);
    const report = JSON.parse(r.out) as { files: Array<{ input: string }> };
    assert.deepEqual(report.files.map((f) => f.input.split('/').pop()).sort(), ['l1.cu', 'main.cu']);
    assert.deepEqual(readdirSync(out).sort(), ['l1.hip', 'main.hip']);
  });
});

describe('only regular files are read (18.5)', () => {
  test('a FIFO or a device as input: clear message, exit 2, nothing blocks', async () => {
    const d = tmp();
    execFileSync('mkfifo', [join(d, 'pipe.cu')]);
    const r = await cli('port', join(d, 'pipe.cu'), '--stdout');
    assert.equal(r.code, 2);
    assert.match(r.err, /pipe\.cu: not a regular file or folder \(a FIFO\)/);
    const z = await cli('scan', '/dev/zero');
    assert.equal(z.code, 2);
    assert.match(z.err, /\/dev\/zero: not a regular file or folder \(a character device\)/);
  });

  test('a symlink to /dev/zero inside a tree is not read', async () => {
    const d = tmp();
    writeFileSync(join(d, 'a.cu'), CU);
    symlinkSync('/dev/zero', join(d, 'zero.cu'));
    const r = await cli('port', d, '--out', join(tmp(), 'o'));
    assert.equal(r.code, 0, r.err);
  });
});

describe('parse budget (18.6)', () => {
  const saved = { ...PARSE_BUDGET_MS };
  after(() => Object.assign(PARSE_BUDGET_MS, saved));
  test('a file whose parse runs over the budget is translated by token, with a warning naming it', async () => {
    Object.assign(PARSE_BUDGET_MS, { base: 0, perMiB: 0 });
    const d = tmp();
    const table = `static const unsigned t[] = {${Array.from({ length: 20000 }, (_, i) => `f(${i}, cudaMalloc(`).join(' ')}};\n`;
    writeFileSync(join(d, 'crc.cu'), `#include <cuda_runtime.h>\n${table}void g() { cudaFree(0); }\n`);
    const r = await cli('port', join(d, 'crc.cu'), '--stdout');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /warning: .*crc\.cu: parsing took over 0\.0 s; translated at token level/);
    assert.match(r.out, /hipFree\(0\)/);
    assert.match(r.out, /#include <hip\/hip_runtime\.h>/);
  });
});

describe('first use (issue 13 items 1, 4, 5)', () => {
  test('`port kernel.cu --out ported/` in the file\'s folder works: one file is not a tree', async () => {
    const d = tmp();
    writeFileSync(join(d, 'kernel.cu'), CU);
    const cwd = process.cwd();
    process.chdir(d);
    try {
      const r = await cli('port', 'kernel.cu', '--out', 'ported/');
      assert.equal(r.code, 0, r.err);
    } finally {
      process.chdir(cwd);
    }
    assert.match(read(join(d, 'ported/kernel.hip')), /hipMalloc/);
    assert.equal(read(join(d, 'kernel.cu')), CU);
  });

  test('impossible or unwritable --out fails at once with a clear message', async () => {
    const d = tmp();
    writeFileSync(join(d, 'x.cu'), CU);
    const t0 = performance.now();
    const r = await cli('port', join(d, 'x.cu'), '--out', '/proc/nope');
    assert.equal(r.code, 2);
    assert.match(r.err, /^hip-porter: --out \/proc\/nope: cannot create folder \/proc\/nope/);
    assert.ok(performance.now() - t0 < 3000);
    chmodSync(d, IS_ROOT ? 0o755 : 0o555); // the unprivileged user may read x.cu but not write in d
    const ro = cliAsNobody('port', join(d, 'x.cu'), '--out', join(d, 'out'));
    assert.equal(ro.code, 2);
    assert.match(ro.err, /permission denied/);
    assert.ok(!existsSync(join(d, 'out')));
  });

  test('--stdout on a plain C++ file prints it unchanged, exit 0, with a note; a folder without CUDA stays an error', async () => {
    const d = tmp();
    const cpp = '#include <vector>\nint main() { std::vector<int> v; return (int)v.size(); }\n';
    writeFileSync(join(d, 'plain.cpp'), cpp);
    const r = await cli('port', join(d, 'plain.cpp'), '--stdout');
    assert.equal(r.code, 0);
    assert.equal(r.out, cpp);
    assert.match(r.err, /note: .*plain\.cpp: no CUDA found, nothing to port \(printed unchanged\)/);
    const same = await cli('port', join(d, 'plain.cpp'), '--out', d);
    assert.equal(same.code, 0, same.err);
    assert.equal(read(join(d, 'plain.cpp')), cpp, 'copying it onto itself is skipped');
    const out = await cli('port', join(d, 'plain.cpp'), '--out', join(d, 'o'));
    assert.equal(out.code, 0, out.err);
    assert.equal(read(join(d, 'o', 'plain.cpp')), cpp);
    const dir = await cli('port', d, '--stdout');
    assert.equal(dir.code, 1);
    assert.match(dir.err, /no CUDA files found/);
  });
});
