/**
 * What a validation adds over the runs themselves, for a case with one big float32 output
 * (default 100 MB = 26,214,400 elements). Both sides run on this machine (built with g++); the
 * candidate scales every element by (1 + 1e-7), so every element takes the full compare path (bits
 * differ, within tolerance): the worst case for the comparison.
 *
 * Prints: the four program runs alone (2 per side, spawned directly), the whole validation, the
 * difference (what validating adds: the run script, moving outputs, the self-checks of each side
 * and the cross comparison), the comparison time and throughput, and the peak RSS of this process.
 * With `--remote`, both sides are boxes behind a test sshd on loopback (test/build/sshd-harness.ts):
 * the project is synced and built there, and each run's output comes back with rsync, so the
 * difference also holds the ssh sessions and the transfer of 4 × the output.
 * Usage: node bench/run-all.mjs validate-bench [-- --mb 100 --chunk-mb 4 --remote]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareArrayFiles, resolveConfig, runDir, runValidation } from '../src/core/validate';
import { startSshd, type SshdHarness } from '../test/build/sshd-harness';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const mb = arg('mb', 100);
const chunkMb = arg('chunk-mb', 4);
const n = Math.floor((mb * 1024 * 1024) / 4);
const remote = process.argv.includes('--remote');

const SRC = `
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>
int main(int argc, char** argv) {
  size_t n = std::strtoull(argv[1], nullptr, 10);
  std::vector<float> a(n);
  for (size_t i = 0; i < n; ++i) {
    float x = std::sin(0.001f * (float)(i % 100003)) + 2.0f;
#ifdef SIDE_CANDIDATE
    x *= 1.0f + 1e-7f;
#endif
    a[i] = x;
  }
  FILE* f = std::fopen("out.bin", "wb");
  std::fwrite(a.data(), sizeof(float), n, f);
  std::fclose(f);
  std::printf("wrote %zu floats\\n", n);
  return 0;
}
`;

void (async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-validate-bench-'));
  try {
    writeFileSync(join(dir, 'gen.cpp'), SRC);
    for (const [side, flags] of [['ref', []], ['cand', ['-DSIDE_CANDIDATE']]] as const) {
      mkdirSync(join(dir, side));
      execFileSync('g++', ['-O2', ...flags, '-o', join(dir, side, 'gen'), join(dir, 'gen.cpp')]);
    }
    // The runs alone: each side twice, as the validation runs them.
    const t0 = performance.now();
    for (const side of ['ref', 'ref', 'cand', 'cand']) {
      const r = spawnSync(join(dir, side, 'gen'), [String(n)], { cwd: join(dir, side), stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`gen failed in ${side}`);
    }
    const bare = performance.now() - t0;
    rmSync(join(dir, 'ref', 'out.bin'));
    rmSync(join(dir, 'cand', 'out.bin'));

    let h: SshdHarness | undefined;
    const sides = { reference: { dir: 'ref' } as Record<string, unknown>, candidate: { dir: 'cand' } as Record<string, unknown> };
    if (remote) {
      h = await startSshd();
      for (const [name, flags] of [['reference', ''], ['candidate', ' -DSIDE_CANDIDATE']] as const) {
        sides[name] = { host: 'rocm-test', sshConfigFile: h.sshConfigFile, dir: '.', remoteDir: join(h.dir, name), build: `g++ -O2${flags} -o gen gen.cpp` };
      }
    }
    const config = resolveConfig(
      {
        ...sides,
        tolerance: { rel: 1e-6 },
        outDir: 'results',
        cases: [{ name: 'big', command: './gen', args: [String(n)], outputs: [{ file: 'out.bin', format: 'raw', dtype: 'float32' }, { stdout: true, format: 'text' }] }],
      },
      dir,
    );
    const rss0 = process.memoryUsage().rss;
    const t1 = performance.now();
    const report = await runValidation(config, { chunkBytes: chunkMb * 1024 * 1024, ...(h ? { controlDir: h.controlDir } : {}) });
    const total = performance.now() - t1 - report.timings.prepareMs;
    await h?.stop();
    const c = report.cases[0]!;
    const big = c.outputs[0]!;
    if (c.verdict !== 'pass' || big.stats!.bitDifferences < n / 2) throw new Error(`unexpected result: ${c.verdict} ${c.reasons.join('; ')}`);
    // Each comparison on its own, wall and CPU time (CPU is steadier on a shared machine).
    const timed = async (a: string, b: string): Promise<string> => {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      await compareArrayFiles(a, b, { format: 'raw', dtype: 'float32' }, config.cases[0]!.outputs[0]!.tolerance, chunkMb * 1024 * 1024);
      const cpu = process.cpuUsage(c0);
      return `${((performance.now() - w0) / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU`;
    };
    const out0 = (side: 'reference' | 'candidate', run: number): string => join(runDir(config, side, 'big', run), 'out0');
    const selfCheck = await timed(out0('reference', 1), out0('reference', 2));
    const cross = await timed(out0('reference', 1), out0('candidate', 1));
    const maxRss = process.resourceUsage().maxRSS / 1024;
    const compared = (3 * mb) / (big.compareMs / 1000); // 2 self-checks + 1 cross comparison, MB of one side
    console.log(`sides: ${remote ? 'two boxes over ssh on loopback (sync + build not counted: ' + (report.timings.prepareMs / 1000).toFixed(2) + ' s; fetching outputs ' + (report.timings.fetchMs / 1000).toFixed(2) + ' s)' : 'this machine'}`);
    console.log(`output: ${mb} MB float32 (${n} elements), ${big.stats!.bitDifferences} differ in their bits (within tolerance), chunk ${chunkMb} MiB`);
    console.log(`programs alone (2 runs per side, spawned directly): ${(bare / 1000).toFixed(2)} s`);
    console.log(`validation in all (without building): ${(total / 1000).toFixed(2)} s (programs inside it: ${(report.timings.runMs / 1000).toFixed(2)} s)`);
    console.log(`added by validating: ${((total - bare) / 1000).toFixed(2)} s over the bare runs; comparing ${(big.compareMs / 1000).toFixed(2)} s for 3 comparisons (2 self-checks + reference vs candidate), ${compared.toFixed(0)} MB/s per side`);
    console.log(`one self-check (identical runs, chunk memcmp): ${selfCheck}; reference vs candidate (every element differs): ${cross}`);
    console.log(`peak RSS of the process: ${maxRss.toFixed(0)} MB (${(rss0 / 1048576).toFixed(0)} MB before the validation; one output is ${mb} MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();
