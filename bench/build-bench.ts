/**
 * Build overhead: the same HIP file (a kernel file that includes a local header) built with the
 * local hipcc and through a loopback OpenSSH server (the test sshd harness: real sshd, real
 * ssh/rsync/tar, real hipcc on the "remote" side), first and second build each. The difference
 * between remote and local is the cost of ssh + sync; the first remote build also pays for
 * opening the shared ControlMaster connection.
 *
 * Run: node --import tsx bench/build-bench.ts [--rounds N]   (or via bench/run-all.mjs)
 * Needs: hipcc (HIP_PLATFORM=amd), /usr/sbin/sshd, ssh, rsync, tar; runs as root in CI.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runLocalBuild } from '../src/core/build/local-runner';
import { runRemoteBuild, type RemoteTarget } from '../src/core/build/remote-runner';
import { closeSshConnection } from '../src/core/build/ssh';
import { startSshd } from '../test/build/sshd-harness';
import { tempDir } from '../test/build/helpers';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Math.max(2, Number(process.argv[roundsArg + 1])) : 2;

interface Row {
  run: string;
  total: number;
  connect?: number;
  sync?: number;
  compile: number;
}

async function main(): Promise<void> {
  const proj = tempDir('bench');
  writeFileSync(join(proj, 'helper.h'), '#pragma once\ninline __device__ float axpy(float a, float x, float y) { return a * x + y; }\n');
  writeFileSync(
    join(proj, 'saxpy.hip'),
    [
      '#include <hip/hip_runtime.h>',
      '#include "helper.h"',
      '__global__ void saxpy(int n, float a, const float *x, float *y) {',
      '  int i = blockIdx.x * blockDim.x + threadIdx.x;',
      '  if (i < n) y[i] = axpy(a, x[i], y[i]);',
      '}',
      '',
    ].join('\n'),
  );
  const req = { sources: [join(proj, 'saxpy.hip')], cwd: proj };
  const rows: Row[] = [];

  for (let i = 1; i <= rounds; i++) {
    const r = await runLocalBuild(req);
    if (r.exitCode !== 0) throw new Error(r.output);
    rows.push({ run: `local #${i}`, total: r.durationMs, compile: r.durationMs });
  }

  const h = await startSshd();
  try {
    for (const transfer of ['rsync', 'tar'] as const) {
      const remoteDir = join(h.dir, `remote-${transfer}`);
      mkdirSync(remoteDir, { recursive: true });
      // A fresh control dir per transfer so that each "#1" really opens a new connection.
      const controlDir = join(h.dir, `cm-${transfer}`);
      mkdirSync(controlDir, { mode: 0o700 });
      const target: RemoteTarget = { host: 'rocm-test', sshConfigFile: h.sshConfigFile, controlDir, remoteDir, localRoot: proj, transfer };
      try {
        for (let i = 1; i <= rounds; i++) {
          const r = await runRemoteBuild(req, target);
          if (r.exitCode !== 0) throw new Error(r.output);
          rows.push({ run: `remote ${transfer} #${i}`, total: r.durationMs, connect: r.timings.prepareMs, sync: r.timings.syncMs, compile: r.timings.compileMs });
        }
      } finally {
        await closeSshConnection(target);
      }
    }
  } finally {
    await h.stop();
  }

  const localAvg = rows.filter((r) => r.run.startsWith('local')).reduce((s, r) => s + r.total, 0) / rounds;
  const f = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(0)).padStart(9);
  console.log(`build-bench: same file (saxpy.hip + helper.h), hipcc --offload-arch=gfx90a -c, ${rounds} builds each; times in ms`);
  console.log(`${'run'.padEnd(16)}${'total'.padStart(9)}${'connect'.padStart(9)}${'sync'.padStart(9)}${'compile'.padStart(9)}${'vs local'.padStart(10)}`);
  for (const r of rows) {
    console.log(`${r.run.padEnd(16)}${f(r.total)}${f(r.connect)}${f(r.sync)}${f(r.compile)}${`${r.total - localAvg >= 0 ? '+' : ''}${(r.total - localAvg).toFixed(0)}`.padStart(10)}`);
  }
  console.log('connect = ssh round trip that prepares the remote dir (opens the ControlMaster on #1); compile includes one ssh session.');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
