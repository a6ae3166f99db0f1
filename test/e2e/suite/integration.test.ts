/**
 * The three build/agent/review features working together in the real workbench, with the real
 * Debian hipcc and the real SDK against a loopback Messages API server
 * (test/agent/fake-messages-server.ts, started here in the extension host):
 * a broken `.hip` file is built (hipcc errors in Problems), "Ask Agent to Fix Build Errors" sends the
 * build output to the agent service, the scripted model edits the failing line, checks it with
 * `compile_proposal` (a real hipcc compile of a hidden copy beside the source, removed afterwards)
 * and finishes; the fix opens in the review, is applied through `hipPorter.applyProposal`'s
 * automation options, and with `hipPorter.build.buildAfterAccept` on the file is built again and the
 * hipcc diagnostics clear. Works in a uniquely named temp folder of the workspace (other runs may
 * share the workspace), removed afterwards; the key and the settings are cleared at the end.
 * Run: node scripts/build.mjs && node scripts/build-e2e.mjs &&
 *      HIP_PORTER_E2E_GREP=integration node test/e2e/run.mjs --suite dist-test/e2e/index.js --workspace test/e2e/workspace-hp
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BuildRecord } from '../../../src/extension/hipcc-task';
import type { ApplyResult, ReviewSnapshot } from '../../../src/extension/diff-review';
import { FakeMessagesServer, turn } from '../../agent/fake-messages-server';
import { activeExtension, extensionContext, waitFor } from './host';

const KEY = 'sk-ant-e2e-integration-SECRET';
/** Upper bound for one hipcc build in the test host (a compile takes ~2-4 s here). */
const BUILD_TIMEOUT_MS = 45_000;

const buildDiags = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'hipcc');

async function builds(): Promise<{ last: Map<string, BuildRecord> }> {
  return (await extensionContext()).features.builds;
}

/** Text of every tool_result block the model was sent in a request body. */
function toolResults(body: { messages: Array<{ content: unknown }> }): string[] {
  const out: string[] = [];
  for (const m of body.messages) {
    if (!Array.isArray(m.content)) continue;
    for (const b of m.content as Array<{ type: string; content?: unknown }>) {
      if (b.type !== 'tool_result') continue;
      out.push(typeof b.content === 'string' ? b.content : JSON.stringify(b.content));
    }
  }
  return out;
}

describe('integration: build errors -> agent fix -> review -> build after accept', function () {
  this.timeout(120_000);
  let dir: string;
  let file: string;
  let uri: vscode.Uri;
  let server: FakeMessagesServer | undefined;

  before(async () => {
    await activeExtension();
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    dir = mkdtempSync(join(folder, `hp-integration-${process.pid}-`));
    file = join(dir, 'scale.hip');
    copyFileSync(join(folder, 'build', 'broken.hip'), file);
    uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('hipPorter.clearApiKey');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('hipPorter.clearApiKey');
    const c = vscode.workspace.getConfiguration('hipPorter');
    await c.update('agent.baseURL', undefined, vscode.ConfigurationTarget.Global);
    await c.update('build.buildAfterAccept', undefined, vscode.ConfigurationTarget.Global);
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fixBuildErrors sends the build output to the agent; the accepted fix is written and rebuilt; hipcc diagnostics clear', async () => {
    // 1. The broken file fails to build; its error is in Problems.
    const failed = (await vscode.commands.executeCommand('hipPorter.build', uri)) as BuildRecord | undefined;
    assert.equal(failed?.exitCode, 1, 'the fixture does not compile');
    await waitFor(() => buildDiags(uri).some((d) => d.message.includes("'scaleOne'")), { what: 'the hipcc error in Problems', timeoutMs: 10_000 });

    // 2. The scripted model: fix the line, compile the proposal, finish.
    server = await FakeMessagesServer.start(KEY);
    const c = vscode.workspace.getConfiguration('hipPorter');
    await c.update('agent.baseURL', server.url, vscode.ConfigurationTarget.Global);
    await c.update('build.buildAfterAccept', true, vscode.ConfigurationTarget.Global);
    assert.equal(await vscode.commands.executeCommand('hipPorter.setApiKey', KEY), true);
    const broken = readFileSync(file, 'utf8');
    const search = '  scaleOne(x, i, a);\n';
    const replace = '  (void)0; // scaleOne does not exist; the loop below scales x[i]\n';
    assert.equal(broken.split(search).length, 2, 'the failing line is unique');
    server.enqueue(
      {
        kind: 'stream',
        events: turn({
          text: 'scaleOne is not declared anywhere; the kernel already scales x[i] itself.',
          tools: [{ id: 'tu_1', name: 'edit_proposal', input: { search, replace, reason: 'Remove the call to the undeclared scaleOne.', finding_ids: [] } }],
          usage: { input: 900, output: 60 },
        }),
      },
      { kind: 'stream', events: turn({ tools: [{ id: 'tu_2', name: 'compile_proposal', input: {} }], usage: { input: 300, output: 10 } }) },
      { kind: 'stream', events: turn({ tools: [{ id: 'tu_3', name: 'finish', input: { summary: 'Removed the undeclared call; it compiles.' } }], usage: { input: 300, output: 15 } }) },
    );

    // 3. Ask the agent; the review opens with the fix, targeting the file itself.
    const t0 = Date.now();
    const snap = (await vscode.commands.executeCommand('hipPorter.fixBuildErrors', uri)) as ReviewSnapshot | undefined;
    const fixMs = Date.now() - t0;
    assert.deepEqual(server.problems, []);
    assert.ok(snap, 'a review was opened');
    assert.equal(server.requests.length, 3);
    assert.equal(server.pending, 0);
    assert.match(JSON.stringify(server.requests[0]!.body.messages), /use of undeclared identifier 'scaleOne'/, 'the model got the build output');
    const compiled = toolResults(server.requests[2]!.body).find((t) => t.includes('Compiled') || t.includes('Compile failed'));
    assert.ok(compiled, 'the compile_proposal result reached the model');
    assert.match(compiled, /Compiled without errors/, `compile_proposal: ${compiled}`);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.hip-porter-proposal-')), [], 'the temporary proposal copies were removed');
    assert.equal(snap.target, uri.toString(), 'a build fix is written back to the file itself');
    assert.equal(snap.source, uri.toString());
    const proposal = (await vscode.workspace.openTextDocument(vscode.Uri.parse(snap.proposalUri))).getText();
    assert.equal(proposal, broken.replace(search, replace), 'proposal = current text + the agent edit');
    assert.equal(readFileSync(file, 'utf8'), broken, 'nothing written before accepting');
    assert.ok(snap.hunks.length >= 1);

    // 4. Accept and write through the automation options; the write triggers a build (buildAfterAccept).
    const before = (await builds()).last.get(file);
    await vscode.commands.executeCommand('hipPorter.acceptAll', snap.id);
    const res = (await vscode.commands.executeCommand('hipPorter.applyProposal', { review: snap.id, undecided: 'exclude', ifTargetChanged: 'cancel' })) as ApplyResult;
    assert.equal(res.written, true, JSON.stringify(res));
    assert.equal(readFileSync(file, 'utf8'), proposal, 'the fix is on disk');
    const t1 = Date.now();
    const rebuilt = await waitFor(async () => {
      const r = (await builds()).last.get(file);
      return r && r !== before ? r : undefined;
    }, { what: 'the build after accept', timeoutMs: BUILD_TIMEOUT_MS });
    assert.equal(rebuilt.exitCode, 0, rebuilt.result?.output ?? rebuilt.error?.message);
    await waitFor(() => buildDiags(uri).length === 0, { what: 'hipcc diagnostics cleared', timeoutMs: 10_000 });
    console.log(`integration: fixBuildErrors (3 model turns + compile_proposal) ${fixMs} ms; build after accept done ${Date.now() - t1} ms after the write`);
  });
});
