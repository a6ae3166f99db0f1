/**
 * Remote builds through a real OpenSSH server (test-owned sshd on a free loopback port, see
 * sshd-harness.ts) and the real hipcc on the "remote" side (this same machine).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRemoteBuild, listFolderFiles, type RemoteTarget } from '../../src/core/build/remote-runner';
import { listSshHosts, sshMasterRunning, closeSshConnection } from '../../src/core/build/ssh';
import { BuildError } from '../../src/core/build/errors';
import { startSshd, type SshdHarness } from './sshd-harness';
import { buildCommand } from '../../src/cli/build-command';
import { heavySource, requireHipcc, tempDir, waitFor } from './helpers';

let h: SshdHarness;
let src: string; // local project dir
let target: RemoteTarget;

before(async () => {
  requireHipcc();
  h = await startSshd();
  src = tempDir('proj');
  mkdirSync(join(src, 'include'));
  writeFileSync(join(src, 'helper.h'), '#pragma once\n#include "include/inner.h"\ninline __device__ int twice(int x) { return 2 * x + INNER; }\n');
  writeFileSync(join(src, 'include', 'inner.h'), '#pragma once\n#define INNER 1\n#include "../helper.h"\n'); // include cycle on purpose
  writeFileSync(join(src, 'main.hip'), '#include <hip/hip_runtime.h>\n#include "helper.h"\n__global__ void k(int *p, int unused) { p[0] = twice(3); }\n');
  writeFileSync(join(src, 'unrelated.txt'), 'not part of the build\n');
  target = { host: 'rocm-test', sshConfigFile: h.sshConfigFile, controlDir: h.controlDir, remoteDir: join(h.dir, 'remote'), localRoot: src };
});

after(async () => {
  await h?.stop();
});

test('listSshHosts lists the Host aliases of an ssh config (following Include)', async () => {
  assert.deepEqual(await listSshHosts(h.sshConfigFile), ['rocm-test', 'rocm-closed']);
  const inc = join(h.dir, 'with-include.config');
  writeFileSync(inc, `Include "${h.wrongKeyConfigFile}"\nHost box1 box2 *.lab !bad\n  HostName x\nHost *\n  User y\n`);
  assert.deepEqual(await listSshHosts(inc), ['rocm-test', 'box1', 'box2']);
  assert.deepEqual(await listSshHosts(join(h.dir, 'no-such-config')), []);
});

test('first and second build: closure synced with rsync, output streamed, object built, second reuses the connection', async () => {
  const chunks: string[] = [];
  const first = await runRemoteBuild({ sources: [join(src, 'main.hip')], extraFlags: ['-Wall', '-Wextra'] }, target, { onOutput: (c) => chunks.push(c) });
  assert.equal(first.exitCode, 0, first.output);
  assert.equal(first.transfer, 'rsync');
  assert.deepEqual(first.syncedFiles.sort(), ['helper.h', 'include/inner.h', 'main.hip']);
  assert.equal(readFileSync(join(h.dir, 'remote', 'include', 'inner.h'), 'utf8'), readFileSync(join(src, 'include', 'inner.h'), 'utf8'));
  assert.equal(existsSync(join(h.dir, 'remote', 'unrelated.txt')), false, 'only the include closure is copied');
  assert.ok(existsSync(join(h.dir, 'remote', 'main.o')), 'object produced remotely');
  assert.equal(first.outputPath, join(h.dir, 'remote', 'main.o'));
  assert.match(chunks.join(''), /unused parameter 'unused'/, 'hipcc output streamed');
  const w = first.diagnostics.find((d) => d.flag === '-Wunused-parameter');
  assert.equal(w?.file, join(src, 'main.hip'), 'warning mapped to the local file');
  assert.equal(await sshMasterRunning(target), true, 'ControlMaster is up after the first build');

  const logins = (): number => (h.log().match(/Accepted publickey for /g) ?? []).length;
  assert.equal(logins(), 1, 'the first build opened exactly one SSH connection for prepare, rsync and compile');
  const loginsBefore = logins();
  const second = await runRemoteBuild({ sources: [join(src, 'main.hip')], extraFlags: ['-Wall', '-Wextra'] }, target);
  assert.equal(logins(), loginsBefore, 'the second build (3 ssh sessions: prepare, rsync, compile) opened no new SSH connection');
  assert.equal(second.exitCode, 0);
  const fmt = (r: typeof first): string =>
    `total ${r.durationMs.toFixed(0)} ms (connect+prepare ${r.timings.prepareMs.toFixed(0)}, sync ${r.timings.syncMs.toFixed(0)}, compile ${r.timings.compileMs.toFixed(0)})`;
  console.log(`remote build 1: ${fmt(first)}`);
  console.log(`remote build 2: ${fmt(second)}`);
  // The shared connection saves the TCP + key exchange + authentication of every ssh step.
  assert.ok(second.timings.prepareMs < first.timings.prepareMs, `second connect ${second.timings.prepareMs} ms should beat first ${first.timings.prepareMs} ms`);
});

test('broken file: diagnostics mapped back to the LOCAL path and line', async () => {
  const dir = join(src, 'broken');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oops.h'), '#pragma once\n\ninline __device__ int f(int a) { return a + missing_name; }\n');
  writeFileSync(join(dir, 'bad.hip'), '#include <hip/hip_runtime.h>\n#include "oops.h"\n__global__ void k(int *p) {\n  p[0] = f(1) + also_missing;\n}\n');
  const r = await runRemoteBuild({ sources: [join(dir, 'bad.hip')] }, target);
  assert.notEqual(r.exitCode, 0);
  const inHeader = r.diagnostics.find((d) => /missing_name/.test(d.message));
  assert.ok(inHeader, r.output);
  assert.equal(inHeader.file, join(dir, 'oops.h'));
  assert.equal(inHeader.line, 3);
  assert.equal(inHeader.column, 'inline __device__ int f(int a) { return a + '.length + 1);
  assert.equal(inHeader.severity, 'error');
  assert.deepEqual(inHeader.includedFrom, [{ file: join(dir, 'bad.hip'), line: 2 }]);
  const inMain = r.diagnostics.find((d) => /also_missing/.test(d.message));
  assert.equal(inMain?.file, join(dir, 'bad.hip'));
  assert.equal(inMain?.line, 4);
});

test('tar fallback (forced) copies the closure and builds', async () => {
  const t = { ...target, transfer: 'tar' as const, remoteDir: join(h.dir, 'remote-tar') };
  const r = await runRemoteBuild({ sources: [join(src, 'main.hip')] }, t);
  assert.equal(r.exitCode, 0, r.output);
  assert.equal(r.transfer, 'tar');
  assert.ok(existsSync(join(h.dir, 'remote-tar', 'include', 'inner.h')));
  assert.ok(existsSync(join(h.dir, 'remote-tar', 'main.o')));
  // auto mode falls back to tar when the local rsync is missing
  const chunks: string[] = [];
  const auto = await runRemoteBuild({ sources: [join(src, 'main.hip')] }, { ...target, rsyncPath: '/nonexistent/rsync', remoteDir: join(h.dir, 'remote-auto') }, { onOutput: (c) => chunks.push(c) });
  assert.equal(auto.exitCode, 0, auto.output);
  assert.equal(auto.transfer, 'tar');
  assert.match(chunks.join(''), /rsync not installed locally; copying with tar over ssh/);
});

test('folder sync honours .gitignore', async () => {
  const proj = tempDir('folder');
  mkdirSync(join(proj, 'build'));
  mkdirSync(join(proj, 'sub'));
  writeFileSync(join(proj, '.gitignore'), 'build/\n*.log\n');
  writeFileSync(join(proj, 'sub', '.gitignore'), 'secret.txt\n');
  writeFileSync(join(proj, 'build', 'old.o'), 'x');
  writeFileSync(join(proj, 'run.log'), 'x');
  writeFileSync(join(proj, 'sub', 'secret.txt'), 'x');
  writeFileSync(join(proj, 'sub', 'keep.txt'), 'x');
  writeFileSync(join(proj, 'a.hip'), '#include <hip/hip_runtime.h>\n__global__ void k(int *p) { p[0] = 1; }\n');
  assert.deepEqual(await listFolderFiles(proj), ['.gitignore', 'a.hip', 'sub/.gitignore', 'sub/keep.txt']);
  const remoteDir = join(h.dir, 'remote-folder');
  const r = await runRemoteBuild({ sources: [join(proj, 'a.hip')] }, { ...target, localRoot: proj, remoteDir, sync: 'folder' });
  assert.equal(r.exitCode, 0, r.output);
  assert.ok(existsSync(join(remoteDir, 'sub', 'keep.txt')));
  assert.equal(existsSync(join(remoteDir, 'sub', 'secret.txt')), false);
  assert.equal(existsSync(join(remoteDir, 'build')), false);
});

test('cancel kills the remote compile too', async () => {
  const proj = tempDir('rcancel');
  writeFileSync(join(proj, 'heavy.hip'), heavySource(300));
  const remoteDir = join(h.dir, 'remote-cancel');
  const inRemoteDir = (): number[] =>
    readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .filter((n) => {
        try {
          return readlinkSync(`/proc/${n}/cwd`) === remoteDir && !/\) Z /.test(readFileSync(`/proc/${n}/stat`, 'utf8'));
        } catch {
          return false;
        }
      })
      .map(Number);
  const ac = new AbortController();
  const run = runRemoteBuild({ sources: [join(proj, 'heavy.hip')], extraFlags: ['-O3'] }, { ...target, localRoot: proj, remoteDir }, { signal: ac.signal });
  await waitFor(() => existsSync(remoteDir) && inRemoteDir().length >= 3, 'the remote hipcc tree', 30_000);
  ac.abort();
  await assert.rejects(run, (e: unknown) => e instanceof BuildError && e.code === 'cancelled');
  await waitFor(() => inRemoteDir().length === 0, 'remote hipcc processes to be gone', 5000);
});

test('unreachable port: clear error within 10 s', async () => {
  const t0 = Date.now();
  await assert.rejects(runRemoteBuild({ sources: [join(src, 'main.hip')] }, { ...target, host: 'rocm-closed' }), (e: unknown) => {
    assert.ok(e instanceof BuildError);
    assert.equal(e.code, 'unreachable');
    assert.match(e.message, /Cannot reach rocm-closed: connection refused/);
    return true;
  });
  const ms = Date.now() - t0;
  console.log(`unreachable reported in ${ms} ms`);
  assert.ok(ms < 10_000);
});

test('wrong key: clear auth error within 10 s', async () => {
  const t0 = Date.now();
  await assert.rejects(runRemoteBuild({ sources: [join(src, 'main.hip')] }, { ...target, sshConfigFile: h.wrongKeyConfigFile }), (e: unknown) => {
    assert.ok(e instanceof BuildError);
    assert.equal(e.code, 'auth');
    assert.match(e.message, /Authentication to rocm-test was refused \(.*Permission denied/);
    assert.match(e.message, /ssh-agent|IdentityFile/);
    return true;
  });
  const ms = Date.now() - t0;
  console.log(`auth failure reported in ${ms} ms`);
  assert.ok(ms < 10_000);
});

test('remote dir not writable and remote hipcc missing give clear errors', async () => {
  await assert.rejects(runRemoteBuild({ sources: [join(src, 'main.hip')] }, { ...target, remoteDir: '/proc/hip-porter-test' }), (e: unknown) => {
    assert.ok(e instanceof BuildError);
    assert.equal(e.code, 'not-writable');
    assert.match(e.message, /remote work dir \/proc\/hip-porter-test on rocm-test cannot be created or written/);
    return true;
  });
  await assert.rejects(runRemoteBuild({ sources: [join(src, 'main.hip')], hipccPath: 'hipcc-not-installed' }, target), (e: unknown) => {
    assert.ok(e instanceof BuildError);
    assert.equal(e.code, 'hipcc-not-found');
    assert.match(e.message, /hipcc not found on rocm-test/);
    assert.match(e.message, /apt-get install hipcc libamdhip64-dev/);
    return true;
  });
});

test('CLI: hip-porter build --remote through the ssh config alias, JSON out', async () => {
  let out = '';
  let err = '';
  const cliTarget = { host: 'rocm-test', sshConfigFile: h.sshConfigFile }; // CLI uses the default control dir
  try {
    const code = await buildCommand(
      [join(src, 'main.hip'), '--remote', 'rocm-test', '--ssh-config', h.sshConfigFile, '--remote-dir', join(h.dir, 'remote-cli'), '--local-root', src, '--transfer', 'tar', '--json'],
      { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s) },
    );
    assert.equal(code, 0, out + err);
    const j = JSON.parse(out) as { remote: { transfer: string; remoteDir: string; syncedFiles: string[] } };
    assert.equal(j.remote.transfer, 'tar');
    assert.equal(j.remote.remoteDir, join(h.dir, 'remote-cli'));
    assert.ok(existsSync(join(h.dir, 'remote-cli', 'main.o')));
  } finally {
    await closeSshConnection(cliTarget);
  }
  assert.equal(await sshMasterRunning(cliTarget), false);
});

test('CLI: a remote build prints errors with the LOCAL absolute paths, exactly like a local build', async () => {
  const dir = join(src, 'paths');
  mkdirSync(join(dir, 'inc'), { recursive: true });
  writeFileSync(join(dir, 'inc', 'bits.h'), '#pragma once\ninline __device__ int g(int a) { return a * not_declared; }\n');
  writeFileSync(join(dir, 'k.hip'), '#include <hip/hip_runtime.h>\n#include "bits.h"\n__global__ void k(int *p) {\n  p[0] = g(2) + nope;\n}\n');
  const run = async (remote: boolean): Promise<string> => {
    let err = '';
    const extra = remote ? ['--remote', 'rocm-test', '--ssh-config', h.sshConfigFile, '--remote-dir', join(h.dir, 'remote-paths'), '--local-root', src] : [];
    const code = await buildCommand([join(dir, 'k.hip'), '-I', join(dir, 'inc'), ...extra], { stdout: (s: string) => void (err += s), stderr: (s: string) => void (err += s) });
    assert.equal(code, 1, err);
    return err;
  };
  const cliTarget = { host: 'rocm-test', sshConfigFile: h.sshConfigFile };
  let remoteOut: string;
  try {
    remoteOut = await run(true);
  } finally {
    await closeSshConnection(cliTarget);
  }
  const localOut = await run(false);
  // "file:line:col: error:" and "In file included from file:line:" locations, in order.
  const locations = (text: string): string[] => [...text.matchAll(/^(?:In file included from )?(\S+?:\d+(?::\d+)?)[:,] ?(?:error|$)/gm)].map((m) => m[1]!);
  const want = [`${join(dir, 'k.hip')}:2`, `${join(dir, 'inc', 'bits.h')}:2:45`, `${join(dir, 'k.hip')}:4:17`];
  assert.deepEqual([...new Set(locations(localOut))], want, localOut);
  assert.deepEqual([...new Set(locations(remoteOut))], want, remoteOut);
  assert.doesNotMatch(remoteOut, /^(k\.hip|paths\/k\.hip|inc\/bits\.h):/m, 'no remote-relative path');
  assert.ok(!remoteOut.includes(join(h.dir, 'remote-paths')), 'no remote absolute path');
});

test('closeSshConnection stops the shared connection', async () => {
  assert.equal(await sshMasterRunning(target), true);
  assert.equal(await closeSshConnection(target), true);
  assert.equal(await sshMasterRunning(target), false);
});
