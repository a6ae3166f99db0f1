/**
 * Issue 15 §4 in the real VS Code workbench: "Port Project to HIP" on a copy of a fixture project
 * (test/fixtures/projects/make-multi, make-hostonly) asks the language server for the plan, writes
 * nothing before accept, opens one review per changed file (sources, the shared header, the
 * Makefile, the compat header), per-file and per-hunk decisions through the Project Port view's
 * commands decide exactly what is written, and the write is one edit; "Build Project" (the
 * `hipProject` task) builds the accepted port with make and the real Debian hipcc for gfx90a and
 * gfx1030, and a broken source puts its error in Problems on the local file.
 * The expected texts come from the built CLI (`hip-porter port DIR --out`, the same engine in its
 * own process).
 * Run: node scripts/build.mjs && node scripts/build-e2e.mjs &&
 *      HIP_PORTER_E2E_GREP='Port Project' node test/e2e/run.mjs --suite dist-test/e2e/index.js --workspace test/e2e/workspace-hp
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { applySelection, computeHunks } from '../../../src/extension/hunks';
import type { ApplyResult, ReviewSnapshot } from '../../../src/extension/diff-review';
import type { PortProjectOutcome } from '../../../src/extension/project-port';
import type { ProjectBuildOutcome } from '../../../src/extension/project-task';
import { activeExtension, waitFor } from './host';

const PROPOSAL_SCHEME = 'hip-porter-proposal';
const ARCHS = ['gfx90a', 'gfx1030'];

let extPath: string;
let tmp: string;

/** Copies a fixture project into the temp folder of the workspace; returns its URI. */
function project(name: string, as = name): vscode.Uri {
  const dest = join(tmp, as);
  cpSync(join(extPath, 'test', 'fixtures', 'projects', name), dest, { recursive: true });
  return vscode.Uri.file(dest);
}

/** The CLI's port of `dir` (copy mode unless `singleSource`), written to a fresh directory outside the workspace. */
function cliPort(dir: string, singleSource = false): string {
  const out = mkdtempSync(join(tmpdir(), 'hp-e2e-project-'));
  rmSync(out, { recursive: true, force: true });
  const c = vscode.workspace.getConfiguration('hipPorter');
  execFileSync(
    process.execPath,
    [join(extPath, 'dist', 'cli.js'), 'port', dir, '--out', out, '--offload-arch', ARCHS.join(','), '--target-rocm', c.get<string>('targetRocm')!, '--kernel-launch', c.get<string>('port.kernelLaunch')!, '--library-target', c.get<string>('port.libraryTarget')!, ...(singleSource ? ['--single-source'] : [])],
    { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
  );
  return out;
}

function diffTabs(): vscode.TabInputTextDiff[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .map((t) => t.input)
    .filter((i): i is vscode.TabInputTextDiff => i instanceof vscode.TabInputTextDiff && i.modified.scheme === PROPOSAL_SCHEME);
}

const hipccPresent = (): boolean => {
  try {
    execFileSync('hipcc', ['--version'], { stdio: 'ignore', env: { ...process.env, HIP_PLATFORM: 'amd' } });
    return true;
  } catch {
    return false;
  }
};

describe('Port Project to HIP (project review) and Build Project', function () {
  this.timeout(180_000);

  before(async () => {
    const ext = await activeExtension();
    extPath = ext.extensionPath;
    tmp = join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, `project-port-tmp-${process.pid}`);
    mkdirSync(tmp, { recursive: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('copy mode: nothing written before accept; per-file and per-hunk decisions decide exactly what one apply writes', async () => {
    const proj = project('make-multi');
    const root = proj.fsPath;
    const makefile0 = readFileSync(join(root, 'Makefile'), 'utf8');
    const header0 = readFileSync(join(root, 'include', 'common.cuh'), 'utf8');
    const out = (await vscode.commands.executeCommand('hipPorter.portProject', proj, { mode: 'copy', offloadArch: ARCHS })) as PortProjectOutcome;
    assert.ok(out, 'the command returns the opened reviews');
    const paths = out.files.map((f) => f.path).sort();
    assert.ok(paths.includes('Makefile') && paths.includes('src/main.hip') && paths.includes('include/common.cuh'), paths.join(', '));
    assert.ok(!existsSync(join(root, 'src', 'main.hip')), 'nothing written before accept');
    assert.equal(readFileSync(join(root, 'Makefile'), 'utf8'), makefile0);
    assert.equal(out.files.find((f) => f.path === 'src/main.hip')!.source, join(root, 'src', 'main.cu'));
    const cli = cliPort(root); // the oracle, from the untouched tree

    const byPath = (p: string) => out.files.find((f) => f.path === p)!;
    // Decisions: everything accepted, then the whole header rejected (file node) and the Makefile's first hunk rejected (hunk node).
    await vscode.commands.executeCommand('hipPorter.projectAccept');
    await vscode.commands.executeCommand('hipPorter.projectReject', { type: 'file', reviewId: byPath('include/common.cuh').reviewId });
    const mk = (await vscode.commands.executeCommand('hipPorter.reviewDiff', byPath('Makefile').reviewId)) as ReviewSnapshot;
    const tab = await waitFor(() => diffTabs().find((d) => d.modified.toString() === mk.proposalUri), { what: 'the Makefile diff' });
    assert.equal(tab.original.fsPath, join(root, 'Makefile'), 'left side: the Makefile on disk');
    assert.ok(mk.hunks.length >= 2, `${mk.hunks.length} Makefile hunks`);
    await vscode.commands.executeCommand('hipPorter.projectReject', { type: 'hunk', reviewId: mk.id, hunkId: mk.hunks[0]!.id });

    const results = (await vscode.commands.executeCommand('hipPorter.projectApply', { undecided: 'exclude' })) as ApplyResult[];
    assert.ok(results.every((r) => r.written), JSON.stringify(results));
    assert.equal(results.length, out.files.length - 1, 'every file but the rejected header, in one apply');

    try {
      for (const f of out.files) {
        if (f.path === 'include/common.cuh' || f.path === 'Makefile') continue;
        assert.equal(readFileSync(f.target, 'utf8'), readFileSync(join(cli, f.path), 'utf8'), `${f.path} = the CLI's port`);
      }
      const mkProposal = readFileSync(join(cli, 'Makefile'), 'utf8');
      const hunks = computeHunks(makefile0, mkProposal);
      const expected = applySelection(makefile0, hunks, new Set(hunks.slice(1).map((h) => h.id)));
      assert.equal(readFileSync(join(root, 'Makefile'), 'utf8'), expected, 'the Makefile has every hunk but the rejected one');
    } finally {
      rmSync(cli, { recursive: true, force: true });
    }
    assert.equal(readFileSync(join(root, 'include', 'common.cuh'), 'utf8'), header0, 'the rejected header is untouched');
    assert.ok(existsSync(join(root, 'src', 'main.cu')), 'copy mode keeps the CUDA sources');
    assert.equal(diffTabs().length, 0, 'the written reviews are closed');
  });

  it('single-source: the compat header is reviewed against nothing (in memory), host-only C++ is not touched, discard writes nothing', async () => {
    const proj = project('make-hostonly', 'hostonly-ss');
    const root = proj.fsPath;
    const out = (await vscode.commands.executeCommand('hipPorter.portProject', proj, { mode: 'single-source', compatHeader: 'hp_compat.h', offloadArch: ARCHS })) as PortProjectOutcome;
    const compat = out.files.find((f) => f.path === 'hp_compat.h');
    assert.ok(compat && compat.creates, out.files.map((f) => f.path).join(', '));
    assert.ok(!out.files.some((f) => f.path.endsWith('.cpp')), 'host-only C++ stays untouched');
    assert.ok(!out.files.some((f) => f.path.endsWith('.cu')), 'single-source keeps the CUDA sources');
    const snap = (await vscode.commands.executeCommand('hipPorter.reviewDiff', compat.reviewId)) as ReviewSnapshot;
    const tab = await waitFor(() => diffTabs().find((d) => d.modified.toString() === snap.proposalUri), { what: 'the compat header diff' });
    assert.equal(tab.original.scheme, PROPOSAL_SCHEME, 'a generated file is diffed against an in-memory empty original');
    assert.equal((await vscode.workspace.openTextDocument(tab.original)).getText(), '');
    await vscode.commands.executeCommand('hipPorter.projectDiscard');
    assert.ok(!existsSync(join(root, 'hp_compat.h')), 'discarding writes nothing');
    await waitFor(() => (diffTabs().length === 0 ? true : undefined), { what: 'the project diffs to close' });
    assert.equal(await vscode.commands.executeCommand('hipPorter.projectApply', { undecided: 'include' }), undefined, 'after discard there is nothing to apply');
    assert.ok(!existsSync(join(root, 'hp_compat.h')));
  });

  it('Build Project builds the accepted port with make for gfx90a and gfx1030; an error lands in Problems on the local file', async function () {
    if (!hipccPresent()) throw new Error('hipcc is not on PATH (Debian: apt-get install hipcc)');
    await vscode.workspace.getConfiguration('hipPorter').update('build.offloadArch', ARCHS, vscode.ConfigurationTarget.Global);
    try {
      const proj = project('make-multi', 'multi-build');
      const root = proj.fsPath;
      await vscode.commands.executeCommand('hipPorter.portProject', proj, { mode: 'copy' });
      await vscode.commands.executeCommand('hipPorter.projectAccept');
      const written = (await vscode.commands.executeCommand('hipPorter.projectApply', { undecided: 'include' })) as ApplyResult[];
      assert.ok(written.length > 0 && written.every((r) => r.written));
      const ok = (await vscode.commands.executeCommand('hipPorter.buildProject', proj)) as ProjectBuildOutcome;
      assert.deepEqual([ok.exitCode, ok.system, ok.errors], [0, 'make', 0], JSON.stringify(ok));
      const bin = readFileSync(join(root, 'app')).toString('latin1');
      for (const a of ARCHS) assert.ok(bin.includes(`hipv4-amdgcn-amd-amdhsa--${a}`), `the fat binary holds a ${a} code object`);

      const saxpy = join(root, 'src', 'kernels', 'saxpy.hip');
      writeFileSync(saxpy, readFileSync(saxpy, 'utf8').replace(/\}\s*$/, '}\nint broken() { return undeclared_name; }\n'));
      const bad = (await vscode.commands.executeCommand('hipPorter.buildProject', proj)) as ProjectBuildOutcome;
      assert.notEqual(bad.exitCode, 0);
      assert.ok(bad.errors >= 1, JSON.stringify(bad));
      const diags = await waitFor(() => {
        const d = vscode.languages.getDiagnostics(vscode.Uri.file(saxpy)).filter((x) => x.source === 'hipcc' && /undeclared_name/.test(x.message));
        return d.length ? d : undefined;
      }, { what: 'the build error in Problems' });
      const lines = readFileSync(saxpy, 'utf8').split('\n');
      assert.match(lines[diags[0]!.range.start.line]!, /undeclared_name/, 'on the line of the error in the local file');
    } finally {
      await vscode.workspace.getConfiguration('hipPorter').update('build.offloadArch', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
