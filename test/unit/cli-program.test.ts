/**
 * The CLI's one commander program (src/cli/program.ts): `build` declares the options of both of
 * its modes and picks the mode after parsing (one directory: project build; files: hipcc build),
 * rejecting the other mode's options with a usage error (exit 2), before anything runs.
 * Run: node --import tsx --test test/unit/cli-program.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, DEFAULT_VALIDATE_CONFIG } from '../../src/cli/program';
import { parseBuildArgs } from '../../src/cli/build-command';
import { DEFAULT_CONFIG_PATH } from '../../src/core/validate';
import { cli } from './cli-run';

/** A project directory with a Makefile and one HIP file beside it. */
function project(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-program-'));
  writeFileSync(join(dir, 'Makefile'), 'all:\n\thipcc -c k.hip\n');
  const file = join(dir, 'k.hip');
  writeFileSync(file, '#include <hip/hip_runtime.h>\n__global__ void k(int *p) { p[0] = 1; }\n');
  return { dir, file };
}

test('build --help lists the options of both modes, and the top-level help lists every command', async () => {
  const r = await cli('build', '--help');
  assert.equal(r.code, 0);
  // hipcc build of files
  for (const flag of ['--local-root <dir>', '--sync <mode>', '--transfer <tool>', '--hipcc <path>', '-I <dir>', '-D <def>', '-o <out>', '--link', '--timeout <sec>', '--connect-timeout <sec>', '--json']) {
    assert.ok(r.out.includes(flag), `build --help lacks ${flag}`);
  }
  // project build of a directory
  assert.match(r.out, /-j, --jobs <n> +\(directory\) parallel jobs/);
  // both
  for (const flag of ['--remote <host>', '--remote-dir <dir>', '--ssh-config <file>', '--offload-arch <list>']) assert.ok(r.out.includes(flag), flag);
  assert.match(r.out, /\.cache\/hip-porter\/projects for a directory/);
  const top = await cli('--help');
  assert.equal(top.code, 0);
  for (const c of ['port [options] <paths...>', 'scan [options] <paths...>', 'build [options] <files...>', 'validate [options]']) assert.ok(top.out.includes(c), c);
  const v = await cli('validate', '--help');
  assert.equal(v.code, 0);
  for (const flag of ['--config <file>', '--reference <host>', '--candidate <host>', '--case <name>', '--report-md <file>', '--report-json <file>']) assert.ok(v.out.includes(flag), flag);
});

test('build picks the mode after parsing: a directory is a project build, files a hipcc build', () => {
  const { dir, file } = project();
  const p = parseBuildArgs([dir, '--remote', 'box', '-j', '4'], '/w');
  assert.equal(p.kind, 'project');
  if (p.kind === 'project') {
    assert.equal(p.dir, dir);
    assert.equal(p.flags.jobs, '4');
    assert.equal(p.flags.remote, 'box');
    assert.equal(p.flags.remoteDir, undefined, 'the project default is applied when it runs, not the files one');
  }
  const f = parseBuildArgs([file, '--', '-O3'], '/w');
  assert.equal(f.kind, 'run');
  if (f.kind === 'run') {
    assert.deepEqual(f.plan.request.sources, [file]);
    assert.deepEqual(f.plan.request.extraFlags, ['-O3']);
    assert.deepEqual(f.plan.request.offloadArchs, ['gfx90a', 'gfx1030'], 'files default to the default offload archs');
  }
  const line = parseCommandLine(['build', dir], { stdout: () => undefined, stderr: () => undefined });
  assert.equal(line.command === 'build' && line.build.mode, 'project');
});

test('an option of the other build mode is a usage error (exit 2) and runs nothing', async () => {
  const { dir, file } = project();
  const filesOnly: string[][] = [['--link'], ['--json'], ['-I', 'inc'], ['-Iinc'], ['--hipcc', '/nope/hipcc'], ['--sync', 'folder'], ['--timeout', '5'], ['-o', 'app']];
  for (const extra of filesOnly) {
    const r = await cli('build', dir, ...extra);
    assert.equal(r.code, 2, extra.join(' '));
    assert.match(r.err, /^hip-porter build: .* to a build of HIP source files, not to a project directory/, extra.join(' '));
    assert.match(r.err, /Run `hip-porter build --help` for usage\./);
    assert.equal(r.out, '', 'nothing ran');
  }
  const flags = await cli('build', dir, '--', '-O3');
  assert.equal(flags.code, 2);
  assert.match(flags.err, /hipcc flags after -- apply to a build of HIP source files/);
  const jobs = await cli('build', file, '--jobs', '4');
  assert.equal(jobs.code, 2);
  assert.match(jobs.err, /^hip-porter build: --jobs applies to a project directory, not to HIP source files/);
  const both = await cli('build', dir, file);
  assert.equal(both.code, 2);
  assert.match(both.err, /give one project directory, or HIP source files, not both/);
  // Options both modes take are accepted with a directory (the usage check passes; --remote-dir without --remote is fine there).
  assert.equal(parseBuildArgs([dir, '--offload-arch', 'gfx942', '--remote-dir', 'x']).kind, 'project');
});

test('validate: the program states the default config path core reads', () => {
  assert.equal(DEFAULT_VALIDATE_CONFIG, DEFAULT_CONFIG_PATH);
});
