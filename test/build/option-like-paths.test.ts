/**
 * A source whose name looks like an option (issue 18 item 9) reaches the real hipcc as a file:
 * `-o/x.hip` would otherwise be read as "-o /x.hip" (an output path) and the source dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hipccArgs } from '../../src/core/build/hipcc';
import { runLocalBuild } from '../../src/core/build/local-runner';

test('hipccArgs passes option-like relative sources as ./-prefixed paths', () => {
  const args = hipccArgs({ sources: ['-o/x.hip', 'ok.hip', '/abs/-y.hip'], link: true });
  assert.deepEqual(args.slice(-3), ['./-o/x.hip', 'ok.hip', '/abs/-y.hip']);
});

test('the real hipcc compiles a source named -o/x.hip', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-optpath-'));
  mkdirSync(join(dir, '-o'));
  writeFileSync(join(dir, '-o', 'x.hip'), '#include <hip/hip_runtime.h>\n__global__ void k(int* p) { p[threadIdx.x] = 1; }\n');
  const r = await runLocalBuild({ sources: ['-o/x.hip'], cwd: dir, offloadArchs: ['gfx90a'] });
  assert.equal(r.exitCode, 0, r.output);
  assert.ok(existsSync(join(dir, '-o', 'x.o')), 'the object lands beside the source');
  assert.ok(!existsSync('/x.hip'));
});
