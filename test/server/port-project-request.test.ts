/**
 * `hipPorter/portProject` over the real server process (`node dist/server.js --stdio`): the plan
 * of a fixture project in both modes, compared with the in-process engine (planProjectPort is the
 * oracle), nothing written to the tree, and clear errors for bad params.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { initParser } from '../../src/core/parse';
import { planProjectPort } from '../../src/core/project/plan';
import { PortProjectRequest, type PortProjectResult } from '../../src/shared/lsp-protocol';
import { LspClient, ROOT } from './lsp-client';

const MULTI = join(ROOT, 'test', 'fixtures', 'projects', 'make-multi');
const HOSTONLY = join(ROOT, 'test', 'fixtures', 'projects', 'make-hostonly');

/** path → mtime and size of every file under `dir`, to prove nothing was written. */
function treeState(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    const st = statSync(p);
    out.set(p, `${st.mtimeMs}:${st.size}`);
  }
  return out;
}

describe('hipPorter/portProject over stdio', () => {
  let c: LspClient;
  before(async () => {
    await initParser();
    c = LspClient.spawn();
    c.config = { targetRocm: '6.2' };
    await c.initialize();
  });
  after(async () => {
    assert.equal(await c.stop(), 0);
  });

  it('plans a copy-mode port of a Make project like the engine does, writing nothing', async () => {
    const before = treeState(MULTI);
    const r = await c.conn.sendRequest<PortProjectResult>(PortProjectRequest.method, { folder: pathToFileURL(MULTI).href, mode: 'copy', offloadArch: ['gfx90a', 'gfx1030'] });
    const oracle = planProjectPort(MULTI, { mode: 'copy', offloadArch: ['gfx90a', 'gfx1030'], targetRocm: '6.2' });
    assert.equal(r.root, MULTI);
    assert.deepEqual(
      r.files.map((f) => [f.path, f.from, f.kind]),
      oracle.files.map((f) => [f.path, f.from, f.kind]),
    );
    const paths = r.files.map((f) => f.path).sort();
    assert.ok(paths.includes('src/main.hip') && paths.includes('src/kernels/saxpy.hip'), `renamed sources: ${paths.join(', ')}`);
    assert.ok(paths.includes('include/common.cuh'), 'the shared header is translated in place');
    const mk = r.files.find((f) => f.path === 'Makefile');
    assert.ok(mk && mk.kind === 'build' && mk.before !== undefined);
    assert.equal(mk.after, oracle.files.find((f) => f.path === 'Makefile')!.after);
    assert.match(mk.after, /^HIP_OFFLOAD_ARCH \?= gfx90a gfx1030$/m, 'the requested offload archs reach the Makefile');
    assert.doesNotMatch(mk.after, /-arch=sm_80/);
    assert.ok(mk.findings.length > 0, 'every build-file edit is a finding');
    const main = r.files.find((f) => f.path === 'src/main.hip')!;
    assert.equal(main.from, 'src/main.cu');
    assert.match(main.after, /hip/);
    assert.equal(main.after, oracle.files.find((f) => f.path === 'src/main.hip')!.after);
    assert.deepEqual(r.report.offloadArch, ['gfx90a', 'gfx1030']);
    assert.deepEqual(r.report.buildSystem, ['make']);
    assert.equal(r.report.tus.length, 3);
    assert.ok(r.ms >= 0);
    assert.deepEqual(treeState(MULTI), before, 'the request writes nothing');
  });

  it('plans a single-source port with a named compat header; host-only C++ stays untouched', async () => {
    const r = await c.conn.sendRequest<PortProjectResult>(PortProjectRequest.method, { folder: pathToFileURL(HOSTONLY).href, mode: 'single-source', compatHeader: 'port_compat.h' });
    const compat = r.files.filter((f) => f.kind === 'compat');
    assert.ok(compat.some((f) => f.path === 'port_compat.h' && f.from === undefined && f.before === undefined), `compat files: ${compat.map((f) => f.path).join(', ')}`);
    assert.ok(!r.files.some((f) => f.kind === 'source' || f.kind === 'header'), 'single-source keeps every CUDA source as it is');
    assert.ok(!r.files.some((f) => f.path === 'main.cpp' || f.path === 'host/table.cpp'), 'host-only C++ is not in the plan');
    const mk = r.files.find((f) => f.path === 'Makefile');
    assert.ok(mk, 'the Makefile gets the HIP=1 switch');
    assert.match(mk.after, /HIP/);
    assert.match(mk.after, /port_compat\.h/);
    assert.equal(r.report.mode, 'single-source');
  });

  it('answers bad params with a clear error', async () => {
    await assert.rejects(c.conn.sendRequest(PortProjectRequest.method, { folder: pathToFileURL(join(MULTI, 'nope')).href, mode: 'copy' }), /is not a folder/);
    await assert.rejects(c.conn.sendRequest(PortProjectRequest.method, { folder: 'untitled:x', mode: 'copy' }), /must be a file: URI/);
    await assert.rejects(c.conn.sendRequest(PortProjectRequest.method, { folder: pathToFileURL(MULTI).href, mode: 'hipify' }), /copy or single-source/);
    await assert.rejects(c.conn.sendRequest(PortProjectRequest.method, { folder: pathToFileURL(MULTI).href, mode: 'copy', offloadArch: ['sm_80'] }), /AMD targets/);
    await assert.rejects(c.conn.sendRequest(PortProjectRequest.method, { folder: pathToFileURL(MULTI).href, mode: 'copy', compatHeader: '../x.h' }), /header file name/);
    await assert.rejects(c.conn.sendRequest(PortProjectRequest.method, { folder: pathToFileURL(MULTI).href, mode: 'copy', options: { targetRocm: 'seven' } }), /targetRocm/);
  });
});
