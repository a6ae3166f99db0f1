/**
 * Small helpers for the build tests: temp dirs, hipcc presence, process-group inspection via /proc.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hp-${prefix}-`));
}

/** Throws (failing the test) with install advice when hipcc is not on PATH. */
export function requireHipcc(): void {
  try {
    execFileSync('hipcc', ['--version'], { env: { ...process.env, HIP_PLATFORM: 'amd' }, stdio: 'pipe' });
  } catch (e) {
    throw new Error(`hipcc is required for the build tests and was not found/runnable (${(e as Error).message}). Install it: apt-get install hipcc libamdhip64-dev`);
  }
}

/** `{pid, comm}` of every live process whose process group is `pgid` (Linux /proc). */
export function processesInGroup(pgid: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] = state, [1] = ppid, [2] = pgrp
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push({ pid: Number(name), comm });
  }
  return out;
}

/** Resolves when `cond()` is true, polling every `everyMs`; rejects after `timeoutMs` with `what`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A HIP source with `n` kernels that takes a few seconds to compile at -O3 (for cancel tests). */
export function heavySource(n: number): string {
  const lines = ['#include <hip/hip_runtime.h>'];
  for (let i = 0; i < n; i++) {
    lines.push(`__global__ void k${i}(float* p, int n) { for (int j = 0; j < n; ++j) p[j] = p[j] * ${i}.5f + __sinf(p[j] + ${i}); }`);
  }
  return lines.join('\n') + '\n';
}
