/**
 * runRemoteCommand (src/core/build/remote-command.ts) through a real OpenSSH server (test-owned sshd on
 * a free loopback port, see sshd-harness.ts): output streamed and the pid marker hidden, the remote
 * exit code carried back, the remote working directory, cancel and time limit stopping the REMOTE
 * process (checked in /proc: the "remote" box is this machine), and ssh failures as BuildErrors.
 * Run: node --import tsx --test test/build/remote-command.test.ts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { runRemoteCommand, REMOTE_RUN_PID_MARK, BuildError, type SshTarget } from '../../src/core/build';
import { startSshd, type SshdHarness } from './sshd-harness';
import { waitFor } from './helpers';

let h: SshdHarness;
let target: SshTarget;

before(async () => {
  h = await startSshd();
  target = { host: 'rocm-test', sshConfigFile: h.sshConfigFile, controlDir: h.controlDir };
});

after(async () => {
  await h?.stop();
});

/** pids of live (non-zombie) processes whose command line is exactly `argv`. */
function processesWithArgv(argv: string[]): number[] {
  const want = argv.join('\0');
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0$/, '');
      if (cmd !== want) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

test('output is streamed in order without the pid marker, the exit code is carried, cwd is the remote dir', async () => {
  const dir = join(h.dir, 'run dir');
  mkdirSync(dir);
  const chunks: Array<{ chunk: string; stream: string }> = [];
  const t0 = performance.now();
  const r = await runRemoteCommand('echo out-one; echo err-one >&2; pwd; exit 7', target, dir, { onOutput: (chunk, stream) => chunks.push({ chunk, stream }) });
  const ms = performance.now() - t0;
  assert.equal(r.exitCode, 7);
  assert.equal(r.stoppedBy, undefined);
  assert.ok(r.remotePid > 0, 'the remote shell announced its pid');
  const stdout = chunks.filter((c) => c.stream === 'stdout').map((c) => c.chunk).join('');
  const stderr = chunks.filter((c) => c.stream === 'stderr').map((c) => c.chunk).join('');
  assert.equal(stdout, `out-one\n${realpathSync(dir)}\n`);
  assert.equal(stderr, 'err-one\n');
  assert.ok(!r.output.includes(REMOTE_RUN_PID_MARK), 'the marker never reaches the output');
  assert.ok(!chunks.some((c) => c.chunk.includes(REMOTE_RUN_PID_MARK)));
  console.log(`remote run (first connection): ${ms.toFixed(0)} ms`);

  const ok = await runRemoteCommand('true', target, dir);
  assert.equal(ok.exitCode, 0);
  assert.equal(ok.output, '');
});

test('a missing remote cwd fails in the remote shell (non-zero exit, message), not as an ssh error', async () => {
  const r = await runRemoteCommand('echo should-not-run', target, join(h.dir, 'no such dir'));
  assert.notEqual(r.exitCode, 0);
  assert.equal(r.remotePid, 0);
  assert.ok(!r.output.includes('should-not-run'));
  assert.match(r.output, /no such dir/i);
});

test('cancel kills the remote process: no sleep left behind', async () => {
  // A unique duration, so only our own sleep matches.
  const secs = String(4000 + (process.pid % 1000));
  let seen = '';
  const ac = new AbortController();
  const run = runRemoteCommand(`echo started; sleep ${secs}; echo never`, target, h.dir, {
    signal: ac.signal,
    onOutput: (c) => (seen += c),
  });
  await waitFor(() => seen.includes('started') && processesWithArgv(['sleep', secs]).length === 1, 'the remote sleep to run', 15_000);
  const t0 = performance.now();
  ac.abort();
  const r = await run;
  const ms = performance.now() - t0;
  assert.equal(r.stoppedBy, 'abort');
  assert.equal(r.exitCode, null);
  assert.ok(!r.output.includes('never'));
  await waitFor(() => processesWithArgv(['sleep', secs]).length === 0, 'the remote sleep to be gone', 5000);
  console.log(`remote run cancelled in ${ms.toFixed(0)} ms`);
});

test('the time limit stops the remote process too', async () => {
  const secs = String(5000 + (process.pid % 1000));
  const r = await runRemoteCommand(`sleep ${secs}`, target, h.dir, { timeoutMs: 1500 });
  assert.equal(r.stoppedBy, 'timeout');
  await waitFor(() => processesWithArgv(['sleep', secs]).length === 0, 'the remote sleep to be gone', 5000);
});

test('ssh failures are BuildErrors: refused connection, wrong key', async () => {
  await assert.rejects(runRemoteCommand('true', { ...target, host: 'rocm-closed' }, '/'), (e: unknown) => e instanceof BuildError && e.code === 'unreachable');
  await assert.rejects(runRemoteCommand('true', { ...target, sshConfigFile: h.wrongKeyConfigFile }, '/'), (e: unknown) => e instanceof BuildError && e.code === 'auth');
});
