/**
 * A private OpenSSH server for the remote build tests and the bench: fresh host and user keys,
 * its own sshd_config on a free 127.0.0.1 port (public-key login only, for the current user,
 * which is root in CI), and client configs with `Host` aliases:
 * - `rocm-test` (right key) in `sshConfigFile` (its directory name contains a space and a quote,
 *   to exercise the quoting of `ssh -F` inside rsync's `-e`);
 * - `rocm-test` with a key the server does not know, in `wrongKeyConfigFile`;
 * - `rocm-closed` pointing at a loopback port nobody listens on, in `sshConfigFile`.
 * Start it with {@link startSshd}; `stop()` closes the shared connections and kills sshd.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { closeSshConnection } from '../../src/core/build/ssh';

/** A running test sshd. */
export interface SshdHarness {
  dir: string;
  port: number;
  /** Config with `rocm-test` and `rocm-closed`. */
  sshConfigFile: string;
  /** Config where `rocm-test` uses a key the server does not accept. */
  wrongKeyConfigFile: string;
  /** Private ControlMaster socket dir for the tests. */
  controlDir: string;
  /** sshd's stderr so far (for failure messages). */
  log: () => string;
  stop: () => Promise<void>;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hip-porter-test', '-f', file], { stdio: 'pipe' });
}

/** Starts sshd and resolves once it logs that it is listening (bounded: 15 s). */
export async function startSshd(): Promise<SshdHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-sshd-'));
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'id_user'));
  keygen(join(dir, 'id_wrong'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_user.pub')));
  const port = await freePort();
  const closedPort = await freePort();
  const user = userInfo().username;
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'MaxStartups 100',
      'MaxSessions 100',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  const cfgDir = join(dir, "client cfg'q");
  mkdirSync(cfgDir);
  const common = (key: string): string[] => [
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    `  User ${user}`,
    `  IdentityFile "${join(dir, key)}"`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile "${join(dir, 'known_hosts')}"`,
    '  StrictHostKeyChecking accept-new',
    '  LogLevel ERROR',
  ];
  const sshConfigFile = join(cfgDir, 'config');
  writeFileSync(sshConfigFile, ['Host rocm-test', ...common('id_user'), '', 'Host rocm-closed', '  HostName 127.0.0.1', `  Port ${closedPort}`, '  LogLevel ERROR', ''].join('\n'));
  const wrongKeyConfigFile = join(dir, 'wrong.config');
  writeFileSync(wrongKeyConfigFile, ['Host rocm-test', ...common('id_wrong'), ''].join('\n'));
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  // ControlMaster sockets: a Unix socket path is limited to ~104 bytes and ssh adds the 40-hex %C
  // plus a random suffix, so this folder lives directly in /tmp whatever TMPDIR is (npm test sets a
  // longer one); mkdtemp makes it 0700, as ssh requires
  const controlDir = mkdtempSync('/tmp/hpcm-');

  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start listening within 15 s:\n${log}`)), 15_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start /usr/sbin/sshd (install openssh-server): ${e.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}:\n${log}`));
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      log += d;
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.removeAllListeners('exit');

  const stop = async (): Promise<void> => {
    await closeSshConnection({ host: 'rocm-test', sshConfigFile, controlDir });
    await closeSshConnection({ host: 'rocm-test', sshConfigFile: wrongKeyConfigFile, controlDir });
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await exited;
    }
    rmSync(controlDir, { recursive: true, force: true });
  };
  return { dir, port, sshConfigFile, wrongKeyConfigFile, controlDir, log: () => log, stop };
}
