/**
 * The pure model of the Port Project review (src/extension/project-model.ts): plan files → reviews
 * (renames, generated files, existing targets), the review tree (groups, files, hunks, report),
 * and what an apply writes over several files from the per-hunk decisions. Uses a real plan of a
 * fixture project (planProjectPort) besides hand-made ones.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { initParser } from '../../src/core/parse';
import { planProjectPort } from '../../src/core/project/plan';
import { computeHunks, type HunkDecision } from '../../src/extension/hunks';
import { aggregate, plannedWrites, projectEntries, projectTree, PROJECT_TASK_JSON_KEYS, remoteWorkDir, type ProjectNode, type ReviewedFile } from '../../src/extension/project-model';
import type { PortProjectResult, WireProjectFile } from '../../src/shared/lsp-protocol';

const ROOT = join(__dirname, '..', '..');
const MULTI = join(ROOT, 'test', 'fixtures', 'projects', 'make-multi');

const EMPTY_REPORT: PortProjectResult['report'] = { mode: 'copy', offloadArch: ['gfx90a'], buildSystem: [], tus: [], buildUnresolved: [], skipped: [] };

function file(path: string, after: string, from?: string, before?: string, kind: WireProjectFile['kind'] = 'source'): WireProjectFile {
  return { path, after, kind, findings: [], ...(from !== undefined ? { from } : {}), ...(before !== undefined ? { before } : {}) };
}

/** A reviewed file with every hunk decided by `decide(index)`. */
function reviewed(id: string, entry: ReturnType<typeof projectEntries>[number], decide: (i: number) => HunkDecision): ReviewedFile {
  const hunks = computeHunks(entry.original, entry.proposal);
  return { reviewId: id, entry, hunks, decisions: new Map(hunks.map((h, i) => [h.id, decide(i)])) };
}

function find(nodes: readonly ProjectNode[], pred: (n: ProjectNode) => boolean): ProjectNode | undefined {
  for (const n of nodes) {
    if (pred(n)) return n;
    const c = n.type === 'hunk' ? undefined : find(n.children, pred);
    if (c) return c;
  }
  return undefined;
}

describe('projectEntries', () => {
  it('maps renamed, in-place and generated files to sources, targets and originals', () => {
    const plan = {
      root: '/p/',
      files: [
        file('src/k.hip', 'hip k\n', 'src/k.cu', 'cuda k\n'),
        file('inc/c.cuh', 'hip c\n', 'inc/c.cuh', 'cuda c\n', 'header'),
        file('hip_compat.h', '#pragma once\n', undefined, undefined, 'compat'),
        file('Makefile', 'same\n', 'Makefile', 'same\n', 'build'),
      ],
    };
    const e = projectEntries(plan, new Map([['/p/inc/c.cuh', 'cuda c\n']]));
    assert.deepEqual(
      e.map((x) => [x.path, x.source, x.target, x.original, x.originalInMemory, x.creates, x.replacesOther]),
      [
        ['src/k.hip', '/p/src/k.cu', '/p/src/k.hip', 'cuda k\n', false, true, false],
        ['inc/c.cuh', '/p/inc/c.cuh', '/p/inc/c.cuh', 'cuda c\n', false, false, false],
        ['hip_compat.h', '/p/hip_compat.h', '/p/hip_compat.h', '', true, true, false],
      ],
      'an unchanged file (Makefile) gets no review',
    );
  });

  it('diffs a generated file against an existing target and flags a renamed file that replaces another', () => {
    const plan = { root: '/p', files: [file('hip_compat.h', 'new\n', undefined, undefined, 'compat'), file('k.hip', 'ported\n', 'k.cu', 'cuda\n')] };
    const e = projectEntries(plan, new Map([['/p/hip_compat.h', 'old\n'], ['/p/k.hip', 'hand-written\n']]));
    assert.equal(e[0]!.original, 'old\n');
    assert.equal(e[0]!.creates, false);
    assert.equal(e[0]!.replacesOther, false, 'the diff itself shows what changes');
    assert.equal(e[1]!.original, 'cuda\n', 'a rename is reviewed against the CUDA source');
    assert.equal(e[1]!.replacesOther, true);
    const same = projectEntries({ root: '/p', files: [file('hip_compat.h', 'new\n', undefined, undefined, 'compat')] }, new Map([['/p/hip_compat.h', 'new\n']]));
    assert.deepEqual(same, [], 'a generated file identical to the existing one is not reviewed');
  });
});

describe('projectTree', () => {
  it('groups files by kind with per-file and per-hunk decisions, and lists the report', () => {
    const [src, hdr, gen] = projectEntries(
      { root: '/p', files: [file('a.hip', 'x\nB\nz\nD\n', 'a.cu', 'x\nb\nz\nd\n'), file('h.cuh', 'H\n', 'h.cuh', 'h\n', 'header'), file('hip_compat.h', 'c\n', undefined, undefined, 'compat')] },
      new Map([['/p/h.cuh', 'h\n']]),
    );
    const files = [reviewed('r1', src!, (i) => (i === 0 ? 'accepted' : 'rejected')), reviewed('r2', hdr!, () => 'accepted'), reviewed('r3', gen!, () => 'pending')];
    const report: PortProjectResult['report'] = {
      ...EMPTY_REPORT,
      tus: [{ file: 'a.cu', headers: ['h.cuh'], blocking: [{ code: 'HP301', line: 3, column: 1, message: 'no HIP equivalent', status: 'unsupported', file: 'h.cuh' }], hazards: [], unparsed: [] }],
      buildUnresolved: [{ code: 'HP819', family: 'build', file: 'Makefile', line: 7, message: 'kept: unknown nvcc flag -foo' } as never],
    };
    const tree = projectTree(files, report);
    assert.deepEqual(tree.map((n) => n.label), ['Sources', 'Headers', 'Compat header', 'Report']);
    const a = find(tree, (n) => n.type === 'file' && n.label === 'a.hip');
    assert.ok(a && a.type === 'file');
    assert.equal(a.decision, 'mixed');
    assert.match(a.description, /from a\.cu/);
    assert.match(a.description, /2 changes · 1 accepted, 1 rejected/);
    assert.deepEqual(a.children.map((h) => (h.type === 'hunk' ? [h.label, h.decision, h.proposalLine] : [])), [
      ['line 2: b → B', 'accepted', 1],
      ['line 4: d → D', 'rejected', 3],
    ]);
    const g = find(tree, (n) => n.type === 'file' && n.label === 'hip_compat.h');
    assert.ok(g && g.type === 'file' && /new/.test(g.description) && g.decision === 'pending');
    assert.equal((tree[1] as { decision: string }).decision, 'accepted');
    const rep = tree[3]!;
    assert.ok(rep.type === 'note');
    assert.equal(rep.children.length, 2);
    const tu = find(tree, (n) => n.id === 'tu:a.cu:0');
    assert.ok(tu && tu.type === 'note' && tu.file === 'h.cuh' && tu.line === 3);
  });

  it('aggregates decisions', () => {
    assert.equal(aggregate([]), 'pending');
    assert.equal(aggregate(['accepted', 'accepted']), 'accepted');
    assert.equal(aggregate(['accepted', 'pending']), 'mixed');
  });
});

describe('plannedWrites over several files', () => {
  it('writes exactly the accepted hunks of each file; creates new targets; skips files with nothing accepted', () => {
    const [a, b, c] = projectEntries(
      { root: '/p', files: [file('a.hip', '1\nTWO\n3\nFOUR\n', 'a.cu', '1\ntwo\n3\nfour\n'), file('Makefile', 'CC=hipcc\n', 'Makefile', 'CC=nvcc\n', 'build'), file('c.cuh', 'C\n', 'c.cuh', 'c\n', 'header')] },
      new Map([['/p/Makefile', 'CC=nvcc\n'], ['/p/c.cuh', 'c\n']]),
    );
    const files = [reviewed('r1', a!, (i) => (i === 1 ? 'accepted' : 'rejected')), reviewed('r2', b!, () => 'accepted'), reviewed('r3', c!, () => 'pending')];
    assert.deepEqual(plannedWrites(files, false), [
      { path: 'a.hip', target: '/p/a.hip', op: 'create', text: '1\ntwo\n3\nFOUR\n', accepted: 1 },
      { path: 'Makefile', target: '/p/Makefile', op: 'replace', text: 'CC=hipcc\n', accepted: 1 },
      { path: 'c.cuh', target: '/p/c.cuh', op: 'skip', accepted: 0 },
    ]);
    assert.deepEqual(plannedWrites(files, true)[2], { path: 'c.cuh', target: '/p/c.cuh', op: 'replace', text: 'C\n', accepted: 1 }, 'undecided hunks taken when asked');
  });

  it('accepting every hunk of a real plan writes the plan; rejecting every hunk writes nothing', async () => {
    await initParser();
    const plan = planProjectPort(MULTI, { mode: 'copy', offloadArch: ['gfx90a', 'gfx1030'] });
    const existing = new Map<string, string>();
    for (const f of plan.files) if (f.from === f.path) existing.set(`${MULTI}/${f.path}`, readFileSync(join(MULTI, f.path), 'utf8'));
    const entries = projectEntries(plan, existing);
    assert.ok(entries.length >= 4, 'sources, the shared header and the Makefile');
    const all = plannedWrites(entries.map((e, i) => reviewed(`r${i}`, e, () => 'accepted')), false);
    for (const w of all) assert.equal(w.text, plan.files.find((f) => f.path === w.path)!.after, w.path);
    assert.deepEqual(new Set(all.map((w) => w.op)), new Set(['create', 'replace']), '.hip files are created, the header and Makefile replaced');
    assert.ok(plannedWrites(entries.map((e, i) => reviewed(`r${i}`, e, () => 'rejected')), true).every((w) => w.op === 'skip'));
  });
});

describe('Build Project task definition', () => {
  it('package.json declares the hipProject task with the keys the task reads', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { taskDefinitions: Array<{ type: string; properties: Record<string, unknown> }> } };
    const def = manifest.contributes.taskDefinitions.find((d) => d.type === 'hipProject');
    assert.ok(def);
    assert.deepEqual(Object.keys(def.properties).sort(), [...PROJECT_TASK_JSON_KEYS].sort());
  });

  it('maps the remote work directory setting to a path under the remote home', () => {
    assert.equal(remoteWorkDir('~/hip-porter-builds'), 'hip-porter-builds/projects');
    assert.equal(remoteWorkDir('/scratch/me/'), '/scratch/me/projects');
    assert.equal(remoteWorkDir(''), '.cache/hip-porter/projects');
  });
});
