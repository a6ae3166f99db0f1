import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  byteColumnToUtf16,
  configToBuildSettings,
  diagnosticRange,
  diagnosticSeverity,
  expandTilde,
  groupByFile,
  substituteOutput,
  taskJsonToDefinition,
  taskJsonToPlan,
  toTerminalText,
} from '../../src/extension/build-settings';
import { BuildError, hipccArgs, type BuildDiagnostic } from '../../src/core/build';
import { cfg } from './build-config-fixture';

const WS = '/home/u/proj';
const FILE = join(WS, 'src', 'saxpy.hip');


test('configToBuildSettings maps the manifest defaults and cleans values', () => {
  const s = configToBuildSettings(cfg(), '/home/u');
  assert.equal(s.hipccPath, 'hipcc');
  assert.deepEqual(s.offloadArchs, ['gfx90a', 'gfx1030']);
  assert.deepEqual(s.env, { HIP_PLATFORM: 'amd' });
  assert.equal(s.sync, 'closure');
  assert.equal(s.remoteHost, '');
  assert.equal(s.remoteDir, '~/hip-porter-builds');
  assert.equal(s.link, false);
  assert.equal(s.timeoutSec, 600);

  const t = configToBuildSettings(
    cfg({
      hipccPath: '  ',
      offloadArch: [' gfx942 ', '', 'gfx1100'],
      extraFlags: ['-O3', ' '],
      sync: false,
      remoteHost: ' gpu-box ',
      remoteDir: '',
      sshConfigFile: '~/.ssh/rocm_config',
      runCommand: ' ./${fileBasenameNoExtension} ',
      link: true,
      buildAfterAccept: true,
    }),
    '/home/u',
  );
  assert.equal(t.hipccPath, 'hipcc', 'blank path falls back to the default');
  assert.deepEqual(t.offloadArchs, ['gfx942', 'gfx1100']);
  assert.deepEqual(t.extraFlags, ['-O3']);
  assert.equal(t.sync, 'off');
  assert.equal(t.remoteHost, 'gpu-box');
  assert.equal(t.remoteDir, '.cache/hip-porter/build', 'blank remote dir falls back to the engine default');
  assert.equal(t.sshConfigFile, '/home/u/.ssh/rocm_config');
  assert.equal(t.runCommand, './${fileBasenameNoExtension}');
  assert.equal(t.link, true);
  assert.equal(t.buildAfterAccept, true);
});

test('expandTilde only touches a leading ~', () => {
  assert.equal(expandTilde('~', '/h'), '/h');
  assert.equal(expandTilde('~/a/b', '/h'), '/h/a/b');
  assert.equal(expandTilde('/x/~/y', '/h'), '/x/~/y');
  assert.equal(expandTilde('~other/x', '/h'), '~other/x');
});

test('taskJsonToDefinition renames manifest fields and defaults link from the settings', () => {
  assert.deepEqual(taskJsonToDefinition({ type: 'hipcc', file: '${file}', hipcc: '/opt/rocm/bin/hipcc' }, { link: true }), {
    type: 'hipcc',
    link: true,
    files: ['${file}'],
    hipccPath: '/opt/rocm/bin/hipcc',
  });
  assert.equal(taskJsonToDefinition({ type: 'hipcc', link: false }, { link: true }).link, false);
  assert.equal(taskJsonToDefinition({ type: 'hipcc', remote: '' }, { link: false }).remote, 'local', 'empty remote forces a local build');
  assert.equal(taskJsonToDefinition({ type: 'hipcc' }, { link: false }).files, undefined);
});

test('plan: ${file} from the active editor, settings archs, include dirs relative to the workspace', () => {
  const s = configToBuildSettings(cfg({ offloadArch: ['gfx90a', 'gfx942'], includeDirs: ['include', '/opt/inc', '${fileDirname}/gen'], extraFlags: ['-O2'] }));
  const plan = taskJsonToPlan({ type: 'hipcc', file: '${file}' }, s, { currentFile: FILE, workspaceFolder: WS });
  assert.deepEqual(plan.request.sources, [FILE]);
  assert.deepEqual(plan.request.includeDirs, [join(WS, 'include'), '/opt/inc', join(WS, 'src', 'gen')]);
  assert.equal(plan.remote, undefined);
  assert.equal(plan.label, 'hipcc saxpy.hip (gfx90a,gfx942)');
  assert.deepEqual(hipccArgs(plan.request), [
    '--offload-arch=gfx90a',
    '--offload-arch=gfx942',
    '-c',
    '-std=c++17',
    `-I${join(WS, 'include')}`,
    '-I/opt/inc',
    `-I${join(WS, 'src', 'gen')}`,
    '-O2',
    '-o',
    join(WS, 'src', 'saxpy.o'),
    FILE,
  ]);
  assert.equal(plan.request.env?.HIP_PLATFORM, 'amd');
  assert.equal(plan.timeoutMs, 600_000);
});

test('plan: task fields override the settings; relative file, output variables, comma archs, link', () => {
  const s = configToBuildSettings(cfg({ extraFlags: ['-O2'], outputPath: 'out/${fileBasenameNoExtension}.o' }));
  const plan = taskJsonToPlan(
    { type: 'hipcc', file: 'src/saxpy.hip', offloadArch: 'gfx1100, gfx942', flags: ['-O3', '-g'], link: true, output: 'bin/${fileBasenameNoExtension}', hipcc: '/opt/rocm/bin/hipcc' },
    s,
    { currentFile: FILE, workspaceFolder: WS },
  );
  assert.deepEqual(plan.request.sources, [FILE]);
  assert.deepEqual(plan.request.offloadArchs, ['gfx1100', 'gfx942']);
  assert.deepEqual(plan.request.extraFlags, ['-O3', '-g']);
  assert.equal(plan.request.output, join(WS, 'bin', 'saxpy'));
  assert.equal(plan.request.link, true);
  assert.equal(plan.request.hipccPath, '/opt/rocm/bin/hipcc');
  assert.ok(!hipccArgs(plan.request).includes('-c'));

  const fromSetting = taskJsonToPlan({ type: 'hipcc', file: '${file}' }, s, { currentFile: FILE, workspaceFolder: WS });
  assert.equal(fromSetting.request.output, join(WS, 'out', 'saxpy.o'));
});

test('plan: remote host from the settings, overridden or forced local by the task', () => {
  const s = configToBuildSettings(cfg({ remoteHost: 'gpu-box', sync: false, sshConfigFile: '~/.ssh/cfg' }), '/home/u');
  const remote = taskJsonToPlan({ type: 'hipcc', file: '${file}' }, s, { currentFile: FILE, workspaceFolder: WS });
  assert.equal(remote.remote?.host, 'gpu-box');
  assert.equal(remote.remote?.remoteDir, '~/hip-porter-builds');
  assert.equal(remote.remote?.sync, 'none');
  assert.equal(remote.remote?.localRoot, WS, 'the remote tree mirrors the workspace');
  assert.equal(remote.remote?.sshConfigFile, '/home/u/.ssh/cfg');
  assert.match(remote.label, / on gpu-box$/);

  const other = taskJsonToPlan({ type: 'hipcc', file: '${file}', remote: 'mi300', remoteDir: '/scratch/b' }, s, { currentFile: FILE, workspaceFolder: WS });
  assert.equal(other.remote?.host, 'mi300');
  assert.equal(other.remote?.remoteDir, '/scratch/b');

  const local = taskJsonToPlan({ type: 'hipcc', file: '${file}', remote: '' }, s, { currentFile: FILE, workspaceFolder: WS });
  assert.equal(local.remote, undefined);
});

test('plan: ${file} without an active file is a usage error', () => {
  assert.throws(
    () => taskJsonToPlan({ type: 'hipcc', file: '${file}' }, configToBuildSettings(cfg()), { workspaceFolder: WS }),
    (e: unknown) => e instanceof BuildError && e.code === 'usage' && /no current file/.test(e.message),
  );
});

test('byteColumnToUtf16 converts clang byte columns on non-ASCII lines', () => {
  const line = '  float é = 1; // 😀 x';
  assert.equal(byteColumnToUtf16(line, 1), 0);
  assert.equal(byteColumnToUtf16(line, 9), 8, 'é starts at byte 8 (0-based)');
  assert.equal(byteColumnToUtf16(line, 11), 9, 'the character after é: bytes 8-9 are é');
  assert.equal(byteColumnToUtf16(line, 10), 8, 'inside é maps to é');
  const x = line.lastIndexOf('x');
  const xByte = Buffer.byteLength(line.slice(0, x), 'utf8');
  assert.equal(byteColumnToUtf16(line, xByte + 1), x, 'after a 4-byte emoji (2 UTF-16 units)');
  assert.equal(byteColumnToUtf16(line, 500), line.length);
});

test('diagnosticRange: 1-based clang position to a 0-based token range', () => {
  const line = '  hipMallocc(&p, n);';
  assert.deepEqual(diagnosticRange(12, 3, line), { line: 11, startCharacter: 2, endCharacter: 12 }, 'identifier');
  assert.deepEqual(diagnosticRange(12, 13, line), { line: 11, startCharacter: 12, endCharacter: 13 }, 'punctuation: one character');
  assert.deepEqual(diagnosticRange(3, 7, 'int a = bé;'), { line: 2, startCharacter: 6, endCharacter: 7 });
  assert.deepEqual(diagnosticRange(3, 9, 'int a = bé;'), { line: 2, startCharacter: 8, endCharacter: 9 }, 'é is not an identifier character here');
  assert.deepEqual(diagnosticRange(1, 99, 'ab'), { line: 0, startCharacter: 2, endCharacter: 2 }, 'past the end: clamped');
});

test('diagnosticRange: unknown column, unknown line, unreadable file', () => {
  assert.deepEqual(diagnosticRange(5, 0, '    return x;'), { line: 4, startCharacter: 4, endCharacter: 13 }, 'whole line from its first non-blank');
  assert.deepEqual(diagnosticRange(5, 0, '   '), { line: 4, startCharacter: 0, endCharacter: 3 });
  assert.deepEqual(diagnosticRange(0, 0, '#include <hip/hip_runtime.h>'), { line: 0, startCharacter: 0, endCharacter: 28 }, 'linker message: first line');
  assert.deepEqual(diagnosticRange(0, 0), { line: 0, startCharacter: 0, endCharacter: 0 });
  assert.deepEqual(diagnosticRange(7, 4), { line: 6, startCharacter: 3, endCharacter: 4 }, 'no text: byte column taken as is');
  assert.deepEqual(diagnosticRange(7, 0), { line: 6, startCharacter: 0, endCharacter: 0 });
});

function diag(over: Partial<BuildDiagnostic>): BuildDiagnostic {
  return { file: FILE, line: 1, column: 1, severity: 'error', message: 'm', notes: [], includedFrom: [], source: 'compiler', ...over };
}

test('groupByFile: file-less and non-local diagnostics land on the first source at an unknown line', () => {
  const header = join(WS, 'src', 'k.h');
  const g = groupByFile(
    [
      diag({ line: 3, column: 5 }),
      diag({ file: header, line: 2, column: 1, severity: 'warning' }),
      diag({ file: undefined, line: 0, column: 0, message: 'undefined symbol: foo', source: 'linker' }),
      diag({ file: '/opt/rocm/include/hip/x.h', line: 9, column: 2, message: 'in system header' }),
    ],
    FILE,
    (f) => f.startsWith(WS),
  );
  assert.deepEqual([...g.keys()], [FILE, header]);
  const main = g.get(FILE)!;
  assert.equal(main.length, 3);
  assert.deepEqual([main[0]!.line, main[0]!.column], [3, 5]);
  assert.deepEqual([main[1]!.line, main[1]!.message], [0, 'undefined symbol: foo']);
  assert.deepEqual([main[2]!.line, main[2]!.column, main[2]!.message], [0, 0, '/opt/rocm/include/hip/x.h:9: in system header']);
  assert.equal(g.get(header)![0]!.severity, 'warning');
});

test('severity, ${output} and terminal line breaks', () => {
  assert.equal(diagnosticSeverity({ severity: 'error' }), 'error');
  assert.equal(diagnosticSeverity({ severity: 'warning' }), 'warning');
  assert.equal(diagnosticSeverity({ severity: 'note' }), 'information');
  assert.equal(diagnosticSeverity({ severity: 'remark' }), 'information');
  assert.equal(substituteOutput('${output} --n ${output}', '/b/a.out'), '/b/a.out --n /b/a.out');
  assert.equal(substituteOutput('${output}', undefined), '${output}');
  assert.equal(toTerminalText('a\nb\r\nc\n'), 'a\r\nb\r\nc\r\n');
});
