/**
 * The write transaction of src/core/safe-write.ts on real files: staging before any commit, no
 * temporary file left, in-place writes through symlinks that keep mode, owner and hard links,
 * read-only files refused (checked as the unprivileged user `nobody`, since root ignores modes),
 * `.prehip` backups, and impossible folders failing at once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkWritableDir, mkdirp, sameRealFile, writeFilesTransaction, WriteTransactionError } from '../../src/core/safe-write';

/** Running as root: the unprivileged runs go through `setpriv` as nobody (root ignores permission bits). */
const IS_ROOT = process.getuid?.() === 0;
/** `chown` as root; a no-op for a normal user (who cannot give files away, and already is unprivileged). */
function own(path: string, uid: number, gid: number): void {
  if (IS_ROOT) chownSync(path, uid, gid);
}
/** The command line that runs `argv` as an unprivileged user: nobody under root, else the current user. */
const unprivileged = (argv: string[]): [string, string[]] => (IS_ROOT ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...argv]] : [argv[0]!, argv.slice(1)]);

const tmp = (): string => mkdtempSync(join(tmpdir(), 'hp-sw-'));
const SAFE_WRITE = resolve(__dirname, '../../src/core/safe-write.ts');

/** Runs `code` (an async function body with `sw` = the safe-write module) as user nobody; returns its stdout JSON. */
function asNobody(code: string): unknown {
  const script = `import(${JSON.stringify(SAFE_WRITE)}).then(async (m) => { const sw = m.default ?? m; const out = await (async () => { ${code} })(); process.stdout.write(JSON.stringify(out)); });`;
  const [cmd, argv] = unprivileged([process.execPath, '--import', 'tsx', '-e', script]);
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    cwd: resolve(__dirname, '../..'),
  });
  assert.equal(r.status, 0, `as nobody: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('writeFilesTransaction', () => {
  test('a folder in the way fails before anything is written; no temporary file is left', () => {
    const d = tmp();
    mkdirSync(join(d, 'b.hip'));
    assert.throws(
      () => writeFilesTransaction([{ path: join(d, 'a.hip'), data: 'A' }, { path: join(d, 'b.hip'), data: 'B' }, { path: join(d, 'sub/c.hip'), data: 'C' }]),
      (e: unknown) => e instanceof WriteTransactionError && e.written.length === 0 && /b\.hip.*not a regular file.*nothing was written/.test(e.message),
    );
    assert.deepEqual(readdirSync(d), ['b.hip']);
  });

  test('a failure while staging removes staged files and the folders it created', () => {
    const d = tmp();
    writeFileSync(join(d, 'blocker'), 'x'); // a file where a folder is needed
    assert.throws(
      () => writeFilesTransaction([{ path: join(d, 'new/a.hip'), data: 'A' }, { path: join(d, 'blocker/b.hip'), data: 'B' }]),
      (e: unknown) => e instanceof WriteTransactionError && e.written.length === 0,
    );
    assert.deepEqual(readdirSync(d).sort(), ['blocker']);
  });

  test('all files committed, parents created, Buffer and string data', () => {
    const d = tmp();
    const r = writeFilesTransaction([{ path: join(d, 'x/y/a.hip'), data: 'héllo' }, { path: join(d, 'b.bin'), data: Buffer.from([0, 1, 255]) }]);
    assert.deepEqual(r.written, [join(d, 'x/y/a.hip'), join(d, 'b.bin')]);
    assert.equal(readFileSync(join(d, 'x/y/a.hip'), 'utf8'), 'héllo');
    assert.deepEqual([...readFileSync(join(d, 'b.bin'))], [0, 1, 255]);
    assert.deepEqual(readdirSync(d).sort(), ['b.bin', 'x']);
  });

  test('the same file named twice (through a symlink) is refused', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.cu'), 'old');
    symlinkSync('a.cu', join(d, 'l.cu'));
    assert.throws(() => writeFilesTransaction([{ path: join(d, 'a.cu'), data: '1', mode: 'replace' }, { path: join(d, 'l.cu'), data: '2', mode: 'replace' }]), /same file/);
    assert.equal(readFileSync(join(d, 'a.cu'), 'utf8'), 'old');
  });

  test('create refuses to write through a symlink', () => {
    const d = tmp();
    writeFileSync(join(d, 'input.cu'), 'keep');
    symlinkSync('input.cu', join(d, 'out.hip'));
    assert.throws(() => writeFilesTransaction([{ path: join(d, 'out.hip'), data: 'x' }]), /symbolic link/);
    assert.equal(readFileSync(join(d, 'input.cu'), 'utf8'), 'keep');
  });
});

describe('in-place replace', () => {
  test('through a symlink to the real file; the link stays a link; mode 640 kept; .prehip backup', () => {
    const d = tmp();
    writeFileSync(join(d, 'real.cu'), 'cuda');
    chmodSync(join(d, 'real.cu'), 0o640);
    symlinkSync('real.cu', join(d, 'link.cu'));
    const r = writeFilesTransaction([{ path: join(d, 'link.cu'), data: 'hip', mode: 'replace' }]);
    assert.deepEqual(r.written, [join(d, 'real.cu')]);
    assert.ok(lstatSync(join(d, 'link.cu')).isSymbolicLink());
    assert.equal(readFileSync(join(d, 'real.cu'), 'utf8'), 'hip');
    assert.equal(statSync(join(d, 'real.cu')).mode & 0o777, 0o640);
    assert.equal(readFileSync(join(d, 'real.cu.prehip'), 'utf8'), 'cuda');
    assert.deepEqual(readdirSync(d).sort(), ['link.cu', 'real.cu', 'real.cu.prehip']);
  });

  test('hard links keep sharing the new content; backup: false leaves no backup', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.cu'), 'cuda');
    linkSync(join(d, 'a.cu'), join(d, 'b.cu'));
    const ino = statSync(join(d, 'a.cu')).ino;
    const r = writeFilesTransaction([{ path: join(d, 'a.cu'), data: 'hip!', mode: 'replace' }], { backup: false });
    assert.deepEqual(r.backups, []);
    assert.equal(statSync(join(d, 'a.cu')).ino, ino);
    assert.equal(readFileSync(join(d, 'b.cu'), 'utf8'), 'hip!');
    assert.equal(statSync(join(d, 'a.cu')).nlink, 2);
    assert.deepEqual(readdirSync(d).sort(), ['a.cu', 'b.cu']);
  });

  test('the owner is kept (root writing a file of nobody)', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.cu'), 'cuda');
    own(join(d, 'a.cu'), 65534, 65534);
    writeFilesTransaction([{ path: join(d, 'a.cu'), data: 'hip', mode: 'replace' }]);
    const st = statSync(join(d, 'a.cu'));
    assert.equal(st.uid, IS_ROOT ? 65534 : process.getuid!());
    assert.equal(st.gid, IS_ROOT ? 65534 : process.getgid!());
  });

  test('as a normal user: a read-only file is refused with a clear message and left alone', () => {
    const d = tmp();
    chmodSync(d, 0o777);
    writeFileSync(join(d, 'ro.cu'), 'cuda');
    writeFileSync(join(d, 'rw.cu'), 'cuda');
    own(join(d, 'ro.cu'), 65534, 65534);
    own(join(d, 'rw.cu'), 65534, 65534);
    chmodSync(join(d, 'ro.cu'), 0o444);
    const out = asNobody(`try { sw.writeFilesTransaction([{ path: ${JSON.stringify(join(d, 'rw.cu'))}, data: 'hip', mode: 'replace' }, { path: ${JSON.stringify(join(d, 'ro.cu'))}, data: 'hip', mode: 'replace' }]); return 'written'; } catch (e) { return { message: e.message, written: e.written }; }`) as { message: string; written: string[] };
    assert.match(out.message, /ro\.cu: read-only file \(mode 444\); refusing/);
    assert.deepEqual(out.written, []);
    assert.equal(readFileSync(join(d, 'ro.cu'), 'utf8'), 'cuda');
    assert.equal(readFileSync(join(d, 'rw.cu'), 'utf8'), 'cuda');
    assert.deepEqual(readdirSync(d).sort(), ['ro.cu', 'rw.cu']);
  });

  test('as a normal user: a file of another user that is group-writable keeps its owner and mode', () => {
    const d = tmp();
    chmodSync(d, 0o777);
    writeFileSync(join(d, 'shared.cu'), 'cuda');
    own(join(d, 'shared.cu'), 0, 65534);
    chmodSync(join(d, 'shared.cu'), 0o664);
    const out = asNobody(`return sw.writeFilesTransaction([{ path: ${JSON.stringify(join(d, 'shared.cu'))}, data: 'hip', mode: 'replace' }], { backup: false });`) as { written: string[] };
    assert.deepEqual(out.written, [join(d, 'shared.cu')]);
    const st = statSync(join(d, 'shared.cu'));
    assert.equal(readFileSync(join(d, 'shared.cu'), 'utf8'), 'hip');
    assert.equal(st.uid, IS_ROOT ? 0 : process.getuid!());
    assert.equal(st.mode & 0o777, 0o664);
  });
});

describe('folders', () => {
  test('impossible folders fail at once (Node recursive mkdir spins on /proc)', () => {
    const t0 = Date.now();
    assert.throws(() => mkdirp('/proc/nope/deeper'), /cannot create folder \/proc\/nope\/deeper/);
    assert.match(checkWritableDir('/proc/nope') ?? '', /cannot create folder/);
    const d = tmp();
    writeFileSync(join(d, 'file'), '');
    assert.match(checkWritableDir(join(d, 'file/sub')) ?? '', /not a (folder|directory)/);
    assert.ok(Date.now() - t0 < 2000);
  });

  test('checkWritableDir leaves nothing behind', () => {
    const d = tmp();
    assert.equal(checkWritableDir(join(d, 'a/b')), undefined);
    assert.ok(!existsSync(join(d, 'a')));
  });

  test('as a normal user: a folder without write permission is reported', () => {
    const d = tmp();
    chmodSync(d, IS_ROOT ? 0o755 : 0o555);
    const out = asNobody(`return sw.checkWritableDir(${JSON.stringify(join(d, 'out'))}) ?? null;`) as string | null;
    assert.match(out ?? '', /permission denied/);
  });
});

describe('sameRealFile (the extension refuses a sibling target that links to the source)', () => {
  test('a link and its target are the same file; missing files never are', () => {
    const d = tmp();
    writeFileSync(join(d, 'foo.cu'), 'x');
    symlinkSync('foo.cu', join(d, 'foo.hip'));
    writeFileSync(join(d, 'bar.hip'), 'y');
    assert.equal(sameRealFile(join(d, 'foo.hip'), join(d, 'foo.cu')), true);
    assert.equal(sameRealFile(join(d, 'bar.hip'), join(d, 'foo.cu')), false);
    assert.equal(sameRealFile(join(d, 'none.hip'), join(d, 'foo.cu')), false);
  });
});
