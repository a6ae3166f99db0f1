/**
 * Issue 4 in the real VS Code workbench: "Port File to HIP" opens a diff of the original against
 * the in-memory proposal; hunks accepted/rejected through the commands decide exactly what is
 * written; one undo reverts the write; a target changed on disk is not overwritten without
 * confirmation; with an API key and `hipPorter.agent.baseURL` pointing at a loopback Messages API
 * server (test/agent/fake-messages-server.ts, started here in the extension host), the agent's edit
 * reaches the proposal, the diff and the panel. Works in a temp folder inside the workspace, removed
 * afterwards; the key and the setting are cleared at the end.
 * Run: node scripts/build.mjs && node scripts/build-e2e.mjs &&
 *      node test/e2e/run.mjs --suite dist-test/e2e/index.js --workspace test/e2e/workspace-hp
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activeExtension, extensionContext, waitFor } from './host';
import { execFileSync } from 'node:child_process';
import { applySelection, computeHunks } from '../../../src/extension/hunks';
import type { ApplyResult, ReviewSnapshot } from '../../../src/extension/diff-review';
import { FakeMessagesServer, turn } from '../../agent/fake-messages-server';

const PROPOSAL_SCHEME = 'hip-porter-proposal';
const KEY = 'sk-ant-e2e-port-SECRET';

let tmp: string;
let extPath: string;

function diffTabs(): vscode.TabInputTextDiff[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .map((t) => t.input)
    .filter((i): i is vscode.TabInputTextDiff => i instanceof vscode.TabInputTextDiff && i.modified.scheme === PROPOSAL_SCHEME);
}

/** Copies a fixture into the temp folder; returns its URI. */
function fixture(name: string, as = name): vscode.Uri {
  const p = join(tmp, as);
  writeFileSync(p, readFileSync(join(extPath, 'test', 'fixtures', 'cuda', name)));
  return vscode.Uri.file(p);
}

/**
 * The engine's deterministic translation of a file, from the built CLI (`hip-porter port --stdout`,
 * the same engine in its own process) with the window's settings.
 */
async function expectedTranslation(file: string): Promise<string> {
  const c = vscode.workspace.getConfiguration('hipPorter');
  const args = [join(extPath, 'dist', 'cli.js'), 'port', '--stdout', '--target-rocm', c.get<string>('targetRocm')!, '--kernel-launch', c.get<string>('port.kernelLaunch')!, '--library-target', c.get<string>('port.libraryTarget')!];
  if (c.get('port.experimental')) args.push('--experimental');
  if (c.get('includeComments')) args.push('--include-comments');
  return execFileSync(process.execPath, [...args, file], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}

async function proposalText(s: ReviewSnapshot): Promise<string> {
  return (await vscode.workspace.openTextDocument(vscode.Uri.parse(s.proposalUri))).getText();
}

describe('Port File to HIP (review and write)', function () {
  this.timeout(60_000);

  before(async () => {
    const ext = await activeExtension();
    extPath = ext.extensionPath;
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    tmp = join(folder, `port-review-tmp-${process.pid}`);
    mkdirSync(tmp, { recursive: true });
    await vscode.commands.executeCommand('hipPorter.clearApiKey');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('hipPorter.clearApiKey');
    await vscode.workspace.getConfiguration('hipPorter').update('agent.baseURL', undefined, vscode.ConfigurationTarget.Global);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('without a key, the deterministic proposal opens in a diff; accepted hunks are written; one undo reverts', async () => {
    const src = fixture('runtime_memory.cu');
    const original = readFileSync(src.fsPath, 'utf8');
    const t0 = Date.now();
    const snap = (await vscode.commands.executeCommand('hipPorter.portFile', src)) as ReviewSnapshot;
    const ms = Date.now() - t0;
    assert.ok(snap, 'the command returns the review');
    const tab = await waitFor(() => diffTabs().find((d) => d.modified.toString() === snap.proposalUri), { what: 'the diff editor' });
    assert.equal(tab.original.toString(), src.toString(), 'left side is the CUDA file');
    assert.match(tab.modified.path, /runtime_memory\.hip$/);
    const proposal = await proposalText(snap);
    assert.equal(proposal, await expectedTranslation(src.fsPath), 'proposal = translate(original)');
    assert.ok(!existsSync(src.fsPath.replace(/\.cu$/, '.hip')), 'nothing written before accepting');

    const hunks = computeHunks(original, proposal);
    assert.deepEqual(snap.hunks.map((h) => h.id), hunks.map((h) => h.id));
    // CodeLens on the proposal side: Accept and Reject per hunk, carrying the hunk id.
    const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', vscode.Uri.parse(snap.proposalUri))) as vscode.CodeLens[];
    const accepts = lenses.filter((l) => l.command?.command === 'hipPorter.acceptHunk');
    assert.deepEqual(accepts.map((l) => l.command!.arguments![0]), hunks.map((h) => h.id));
    assert.deepEqual(accepts.map((l) => l.range.start.line), hunks.map((h) => h.proposalStart));
    assert.equal(lenses.filter((l) => l.command?.command === 'hipPorter.rejectHunk').length, hunks.length);
    assert.ok(hunks.length >= 4, `${hunks.length} hunks`);
    const accepted = new Set<string>();
    for (const [i, h] of hunks.entries()) {
      if (i % 2 === 0) {
        await vscode.commands.executeCommand('hipPorter.acceptHunk', h.id);
        accepted.add(h.id);
      } else await vscode.commands.executeCommand('hipPorter.rejectHunk', h.id);
    }
    const res = (await vscode.commands.executeCommand('hipPorter.applyProposal')) as ApplyResult;
    assert.equal(res.written, true, JSON.stringify(res));
    const target = src.fsPath.replace(/\.cu$/, '.hip');
    const expected = applySelection(original, hunks, accepted);
    assert.notEqual(expected, original);
    assert.notEqual(expected, proposal);
    assert.equal(readFileSync(target, 'utf8'), expected, 'the written file has exactly the accepted changes');
    assert.equal(diffTabs().length, 0, 'the review diff is closed after writing');

    // One undo in the target editor reverts the whole write.
    const editor = await waitFor(() => (vscode.window.activeTextEditor?.document.uri.fsPath === target ? vscode.window.activeTextEditor : undefined), { what: 'the target editor' });
    await vscode.commands.executeCommand('undo');
    await waitFor(() => editor.document.isClosed || editor.document.getText() === '', { what: 'undo to revert the write' });
    if (!editor.document.isClosed) {
      // Undone content is unsaved; save it so the file on disk matches.
      await editor.document.save();
      assert.equal(readFileSync(target, 'utf8'), '');
    }
    console.log(`port-review: port command to diff (no agent, ${original.split('\n').length} lines): ${ms} ms`);
  });

  it('a target changed on disk after the proposal is not overwritten without confirmation', async () => {
    const src = fixture('streams_events.cu');
    const target = src.fsPath.replace(/\.cu$/, '.hip');
    writeFileSync(target, '// old port\n');
    const snap = (await vscode.commands.executeCommand('hipPorter.portFile', src)) as ReviewSnapshot;
    const proposal = await proposalText(snap);
    await vscode.commands.executeCommand('hipPorter.acceptAll');
    writeFileSync(target, '// someone else changed this\n');
    const refused = (await vscode.commands.executeCommand('hipPorter.applyProposal', { ifTargetChanged: 'cancel' })) as ApplyResult;
    assert.deepEqual([refused.written, refused.reason], [false, 'target-changed']);
    assert.equal(readFileSync(target, 'utf8'), '// someone else changed this\n');
    assert.ok(diffTabs().some((d) => d.modified.toString() === snap.proposalUri), 'the review stays open');
    const overwritten = (await vscode.commands.executeCommand('hipPorter.applyProposal', { ifTargetChanged: 'overwrite' })) as ApplyResult;
    assert.equal(overwritten.written, true);
    assert.equal(readFileSync(target, 'utf8'), proposal, 'with "Overwrite", every accepted change is written');
  });

  it('with a key, the agent edit from a loopback Messages API reaches the proposal, the diff and the panel', async () => {
    const server = await FakeMessagesServer.start(KEY);
    try {
      await vscode.workspace.getConfiguration('hipPorter').update('agent.baseURL', server.url, vscode.ConfigurationTarget.Global);
      assert.equal(await vscode.commands.executeCommand('hipPorter.setApiKey', KEY), true);
      const src = fixture('warp_vote.cu');
      const det = await expectedTranslation(src.fsPath);
      const search = det.split('\n')[0]!;
      assert.equal(det.split(search).length, 2, 'the first line is unique');
      const replace = '// warp_vote.hip - ported to HIP (wave64-aware review by the agent)';
      server.enqueue(
        {
          kind: 'stream',
          events: turn({
            text: 'Reviewing the warp vote code for wave64.',
            tools: [{ id: 'tu_1', name: 'edit_proposal', input: { search, replace, reason: 'Name the HIP file in its header comment.', finding_ids: [] } }],
            usage: { input: 1200, output: 80, cacheWrite: 2000 },
          }),
        },
        { kind: 'stream', events: turn({ tools: [{ id: 'tu_2', name: 'finish', input: { summary: 'Header comment updated.' } }], usage: { input: 200, output: 20, cacheRead: 2000 } }) },
      );
      const snap = (await vscode.commands.executeCommand('hipPorter.portFile', src)) as ReviewSnapshot;
      assert.deepEqual(server.problems, []);
      assert.equal(server.requests.length, 2);
      assert.equal(server.pending, 0);
      const proposal = await proposalText(snap);
      assert.equal(proposal, det.replace(search, replace), 'proposal = deterministic translation + the agent edit');
      await waitFor(() => diffTabs().find((d) => d.modified.toString() === snap.proposalUri), { what: 'the diff editor' });
      const ctx = await extensionContext();
      const state = ctx.features.panel.state();
      assert.equal(state.status, 'complete');
      assert.equal(state.summary, 'Header comment updated.');
      assert.ok(state.transcript.some((t) => t.kind === 'text' && t.text.includes('Reviewing the warp vote code')));
      assert.ok(state.transcript.some((t) => t.kind === 'tool' && t.name === 'edit_proposal' && t.ok === true));
      assert.ok(state.usage && state.usage.outputTokens === 100 && state.usage.requests === 2);
      assert.ok(state.hunks.some((h) => h.reason?.includes('Name the HIP file')), 'the agent reason is attached to its hunk');
      assert.ok(!JSON.stringify(state).includes(KEY), 'the key never reaches the panel state');
      await vscode.commands.executeCommand('hipPorter.rejectAll');
      const none = (await vscode.commands.executeCommand('hipPorter.applyProposal')) as ApplyResult;
      assert.deepEqual([none.written, none.reason], [false, 'nothing-accepted']);
      assert.ok(!existsSync(src.fsPath.replace(/\.cu$/, '.hip')), 'rejecting everything writes nothing');
    } finally {
      await server.close();
    }
  });
});
