/**
 * runRemoteCommand (src/core/build/remote-command.ts), stopped before the remote shell has announced
 * its pid: over the shared ControlMaster connection the master holds the client's pipes, so the
 * stop must still find and kill the remote command, or the call waits for it to end. Real sshd on
 * loopback (sshd-harness.ts); the "remote" box is this machine, so /proc shows what is left.
 * Run: node --import tsx --test test/build/remote-command-early-cancel.test.ts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { runRemoteCommand, type SshTarget } from '../../src/core/build';
import { startSshd, type SshdHarness } from './sshd-harness';
import { waitFor } from './helpers';

let h: SshdHarness;
let target: SshTarget;

before(async () => {
  h = await startSshd();
  target = { host: 'rocm-test', sshConfigFile: h.sshConfigFile, controlDir: h.controlDir };
  // Warm the shared connection, as a session that already built or ran something has it.
  assert.equal((await runRemoteCommand('true', target, h.dir)).exitCode, 0);
});

after(async () => {
  await h?.stop();
});

function sleeps(secs: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8') === `sleep\0${secs}\0` && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
      } catch {
        return false;
      }
    })
    .map(Number);
}

// The window between the session starting and the pid marker arriving lasts a few hundred ms
// under load; stops at several delays land in it (before the fix, such a stop waited the command out).
for (const how of ['abort', 'timeout'] as const) {
  test(`${how} during session start-up (no pid marker yet) still kills the remote command, promptly`, async () => {
    for (const delay of [1, 40, 90, 160, 300, 600]) {
      const secs = String(20 + delay / 1000 + (how === 'abort' ? 0 : 0.5));
      const ac = new AbortController();
      const timer = how === 'abort' ? setTimeout(() => ac.abort(), delay) : undefined;
      const t0 = performance.now();
      const r = await runRemoteCommand(`sleep ${secs} > /dev/null 2>&1 < /dev/null`, target, h.dir, how === 'abort' ? { signal: ac.signal } : { timeoutMs: delay });
      clearTimeout(timer);
      const ms = performance.now() - t0;
      assert.equal(r.stoppedBy, how, `delay ${delay} ms`);
      assert.ok(ms < 12_000, `stopped ${delay} ms after the start: returned after ${ms.toFixed(0)} ms, not after the command's ${secs} s`);
      await waitFor(() => sleeps(secs).length === 0, `the remote sleep ${secs} to be gone`, 10_000);
    }
  });
}
