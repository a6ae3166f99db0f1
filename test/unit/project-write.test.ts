/**
 * The project port writes through the safe-write transaction (src/cli/project-port.ts →
 * src/core/safe-write.ts): a failure midway leaves nothing half-written, `--in-place` keeps
 * `.prehip` backups (and writes through symlinks), and `--out` may not resolve into the project.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { initParser } from '../../src/core/parse';
import { main } from '../../src/cli/main';

const fixture = join(__dirname, '..', 'fixtures', 'projects', 'make-multi');

async function port(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(['port', ...args], { stdout: () => undefined, stderr: (s) => void (err += s) });
  return { code, err };
}

function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out.push(relative(dir, p) + '/');
        walk(p);
      } else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

let scratch: string;
before(async () => {
  await initParser();
  scratch = mkdtempSync(join(tmpdir(), 'hp-project-write-'));
});

describe('project port: transactional writes', () => {
  test('copy mode: a folder where an output file must go fails the port and writes nothing', async () => {
    const out = join(scratch, 'out-blocked');
    mkdirSync(join(out, 'src', 'kernels', 'sum.hip'), { recursive: true });
    const before = tree(out);
    const r = await port(fixture, '--out', out);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /cannot write the ported project: .*sum\.hip/);
    assert.deepEqual(tree(out), before, 'no file was written and no temporary file is left');
    // The same port into a fresh folder succeeds: the failure came from the blocked path only.
    const ok = await port(fixture, '--out', join(scratch, 'out-ok'));
    assert.equal(ok.code, 0, ok.err);
    assert.ok(existsSync(join(scratch, 'out-ok', 'src', 'kernels', 'sum.hip')));
    assert.ok(!tree(join(scratch, 'out-ok')).some((p) => p.endsWith('.tmp')));
  });

  test('single-source --in-place keeps .prehip backups and writes through a symlinked Makefile', async () => {
    const proj = join(scratch, 'inplace');
    cpSync(fixture, proj, { recursive: true });
    const original = readFileSync(join(proj, 'Makefile'), 'utf8');
    // The Makefile is a symlink to a shared file: the rewrite goes to the real file.
    mkdirSync(join(scratch, 'shared'));
    renameSync(join(proj, 'Makefile'), join(scratch, 'shared', 'Makefile'));
    symlinkSync(join(scratch, 'shared', 'Makefile'), join(proj, 'Makefile'));
    const r = await port(proj, '--single-source', '--in-place');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /originals kept as \*\.prehip/);
    assert.ok(lstatSync(join(proj, 'Makefile')).isSymbolicLink(), 'the symlink stays a symlink');
    const real = readFileSync(join(scratch, 'shared', 'Makefile'), 'utf8');
    assert.notEqual(real, original);
    assert.match(real, /HIP/);
    assert.equal(readFileSync(join(scratch, 'shared', 'Makefile.prehip'), 'utf8'), original);
    assert.ok(existsSync(join(proj, 'hip_compat.h')));
    assert.ok(!tree(proj).some((p) => p.endsWith('.tmp')));
  });

  test('single-source --in-place --no-backup keeps no .prehip', async () => {
    const proj = join(scratch, 'inplace-nobackup');
    cpSync(fixture, proj, { recursive: true });
    const r = await port(proj, '--single-source', '--in-place', '--no-backup');
    assert.equal(r.code, 0, r.err);
    assert.ok(!tree(proj).some((p) => p.endsWith('.prehip')));
    assert.match(readFileSync(join(proj, 'Makefile'), 'utf8'), /HIP/);
  });

  test('--out that resolves into the project through a symlink is refused before any write', async () => {
    const proj = join(scratch, 'guarded');
    cpSync(fixture, proj, { recursive: true });
    const link = join(scratch, 'link-into-project');
    symlinkSync(join(proj, 'src'), link);
    const before = tree(proj);
    const r = await port(proj, '--out', join(link, 'ported'));
    assert.equal(r.code, 2);
    assert.match(r.err, /inside the project .*resolves to/);
    assert.deepEqual(tree(proj), before);
  });
});
