/**
 * Single-source host-side warp width (test/fixtures/projects/make-warphost): the launch block size
 * and a cudaMalloc size computed from `#define WARP_SIZE 32` read hipDeviceProp_t::warpSize on AMD
 * (HIP_PORTER_HOST_WARP), the `static const` use stays a finding; `make HIP=1` builds both archs
 * and the host code calls hipDeviceGetAttribute; without the switch `make -n` and the PTX are the
 * original ones.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyOfFixture, fatbinArchs, makeDryRun, nvccPtx, port, run, scratch } from './project-helpers';

const NAME = 'make-warphost';

describe('project port: make-warphost', { concurrency: true }, () => {
  test('single-source: launch geometry and buffer size read the device warp width; builds both archs', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'ss');
    const r = await port(src, '--single-source', '--out', out, '--json');
    assert.equal(r.code, 0, r.err);
    const cu = readFileSync(join(out, 'rowsum.cu'), 'utf8');
    assert.match(cu, /cudaMalloc\(&partial, rows \* HIP_PORTER_HOST_WARP\(WARP_SIZE\) \* sizeof\(float\)\);/);
    assert.match(cu, /<<<rows \/ warps_per_block, warps_per_block \* HIP_PORTER_HOST_WARP\(WARP_SIZE\)>>>/);
    assert.match(cu, /static const int kLanes = WARP_SIZE;/); // a constant: not rewritten
    assert.match(cu, /__shared__ float lanes\[4 \* WARP_SIZE\];/); // device code: the guarded define
    const plan = JSON.parse(r.out) as { files: Array<{ path: string; findings: Array<{ code: string; line: number; status: string }> }> };
    const fixed = plan.files.find((f) => f.path === 'rowsum.cu')!.findings.filter((f) => f.code === 'HP830' && f.status === 'auto-fixed');
    assert.deepEqual(fixed.map((f) => f.line), [24, 25]); // lines of the original file
    run('make', ['HIP=1'], out);
    assert.deepEqual(fatbinArchs(join(out, 'rowsum')), ['gfx1030', 'gfx90a']);
    assert.match(execFileSync('nm', ['-u', join(out, 'rowsum')], { encoding: 'utf8' }), /hipDeviceGetAttribute/);
  });

  test('single-source, switch off: make -n and PTX equal the original', async () => {
    const src = copyOfFixture(NAME);
    const out = join(scratch(NAME), 'off');
    assert.equal((await port(src, '--single-source', '--out', out)).code, 0);
    assert.equal(makeDryRun(out), makeDryRun(src));
    assert.equal(nvccPtx(out, 'rowsum.cu'), nvccPtx(src, 'rowsum.cu'));
  });
});
