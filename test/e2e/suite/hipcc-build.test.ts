/**
 * Issue 5 in the real VS Code workbench (code-server 1.100 + headless Chromium) with the real Debian
 * hipcc: the `hipcc` task (provided, and resolved from a tasks.json-style definition) runs in its
 * pseudoterminal, its errors land in Problems (source `hipcc`) on the right line and column, the next
 * build clears them, hipPorter.build returns the build's record, and terminating the task cancels it.
 * Fixtures: test/e2e/workspace-hp/build/{broken,fixed}.hip, copied into a temporary folder of the
 * workspace that is deleted afterwards.
 * Run: node scripts/build.mjs && node scripts/build-e2e.mjs &&
 *      HIP_PORTER_E2E_GREP='hipcc task' node test/e2e/run.mjs --suite dist-test/e2e/index.js --workspace test/e2e/workspace-hp
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { BuildRecord } from '../../../src/extension/hipcc-task';
import { activeExtension, extensionContext, waitFor } from './host';

/** Upper bound for one hipcc run in the test host (a compile takes ~2 s here). */
const BUILD_TIMEOUT_MS = 40_000;

const folder = (): vscode.WorkspaceFolder => {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder open');
  return f;
};

const buildDiags = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'hipcc');

/** Runs a task and resolves with the exit code VS Code reports for its process (bounded). */
function runTask(task: vscode.Task, afterStart?: (e: vscode.TaskExecution) => void): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    let execution: vscode.TaskExecution | undefined;
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`task "${task.name}" did not end within ${BUILD_TIMEOUT_MS} ms`));
    }, BUILD_TIMEOUT_MS);
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name !== task.name || e.execution.task.definition.type !== 'hipcc') return;
      if (execution && e.execution !== execution) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e.exitCode);
    });
    vscode.tasks.executeTask(task).then((x) => {
      execution = x;
      afterStart?.(x);
    }, reject);
  });
}

interface BuildsState {
  last: Map<string, BuildRecord>;
  running: Set<string>;
}

/** The extension's build state (`features.builds`, see src/extension/hipcc-task.ts). */
async function buildsService(): Promise<BuildsState> {
  return (await extensionContext()).features.builds;
}

/** The extension's record of the last build of `file`, as text for assertion messages. */
async function lastBuild(file: string): Promise<string> {
  const r = (await buildsService()).last.get(file);
  if (!r) return 'no build recorded';
  return `exit ${r.exitCode}; ${r.error ? `error: ${r.error.message}` : ''} ${r.result ? `output: ${r.result.output}` : ''}; command: ${JSON.stringify(r.plan.request)}`;
}

/** `.vscode/tasks.json` of the workspace as it was before the test (undefined = absent). */
let savedTasksJson: Buffer | undefined;
let tasksJsonWritten = false;
const tasksJsonPath = (): string => join(folder().uri.fsPath, '.vscode', 'tasks.json');

function writeTasksJson(content: unknown): void {
  if (!tasksJsonWritten) savedTasksJson = existsSync(tasksJsonPath()) ? readFileSync(tasksJsonPath()) : undefined;
  tasksJsonWritten = true;
  mkdirSync(join(folder().uri.fsPath, '.vscode'), { recursive: true });
  writeFileSync(tasksJsonPath(), JSON.stringify(content, null, 2) + '\n');
}

/** Puts tasks.json back byte for byte (or removes it when there was none). */
function restoreTasksJson(): void {
  if (!tasksJsonWritten) return;
  if (savedTasksJson) writeFileSync(tasksJsonPath(), savedTasksJson);
  else rmSync(tasksJsonPath(), { force: true });
  tasksJsonWritten = false;
}

describe('hipcc task, build diagnostics, build command', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let uri: vscode.Uri;
  const fixture = (name: string): string => join(folder().uri.fsPath, 'build', name);

  before(async () => {
    await activeExtension();
    dir = mkdtempSync(join(folder().uri.fsPath, 'hp-build-e2e-'));
    file = join(dir, 'scale.hip');
    copyFileSync(fixture('broken.hip'), file);
    uri = vscode.Uri.file(file);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
    restoreTasksJson();
  });

  it('the provided task builds the active file; hipcc errors appear on the right line and column', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const tasks = await vscode.tasks.fetchTasks({ type: 'hipcc' });
    const task = tasks.find((t) => t.name === 'Build current file with hipcc');
    assert.ok(task, `provided task missing; got ${tasks.map((t) => t.name).join(', ')}`);
    assert.equal(task.definition['file'], '${file}');
    assert.equal(task.group?.id, vscode.TaskGroup.Build.id);

    const code = await runTask(task);
    assert.equal(code, 1, 'hipcc exits with 1 on a compile error');
    const diags = await waitFor(() => (buildDiags(uri).length > 0 ? buildDiags(uri) : undefined), { what: 'hipcc diagnostics', timeoutMs: 10_000 });
    const err = diags.find((d) => d.message.includes("use of undeclared identifier 'scaleOne'"));
    assert.ok(err, `expected the undeclared-identifier error; got ${diags.map((d) => d.message).join(' | ')}`);
    assert.equal(err.severity, vscode.DiagnosticSeverity.Error);
    // fixture line 7, column 3 (1-based, clang) -> 0-based line 6, character 2; the range covers `scaleOne`.
    assert.deepEqual([err.range.start.line, err.range.start.character, err.range.end.line, err.range.end.character], [6, 2, 6, 10]);
    assert.equal(doc.getText(err.range), 'scaleOne');
    assert.equal(diags.filter((d) => d.message.includes('scaleOne')).length, 1, 'each error once (hipcc repeats it per compilation; no second publisher)');
    // The analysis diagnostics (language server) are a different source and are untouched by builds.
    assert.ok(vscode.languages.getDiagnostics(uri).every((d) => d.source !== 'hipcc' || d.message.includes('scaleOne')));
  });

  it('after the fix, a tasks.json task (resolved by the provider) builds: exit 0, diagnostics cleared, object file written', async () => {
    writeFileSync(file, readFileSync(fixture('fixed.hip')));
    const rel = relative(folder().uri.fsPath, dir);
    const label = `e2e: build ${rel}/scale.hip`; // unique per run, so a stale tasks.json is never mistaken for ours
    writeTasksJson({
      version: '2.0.0',
      tasks: [{ label, type: 'hipcc', file: `\${workspaceFolder}/${rel}/scale.hip`, output: `\${workspaceFolder}/${rel}/out-scale.o`, offloadArch: ['gfx90a'] }],
    });
    const task = await waitFor(async () => (await vscode.tasks.fetchTasks({ type: 'hipcc' })).find((t) => t.name === label), { what: 'the tasks.json task', timeoutMs: 15_000 });
    assert.ok(task.execution instanceof vscode.CustomExecution, 'resolveTask gave it the pseudoterminal execution');
    const code = await runTask(task);
    assert.equal(code, 0, `build failed: ${await lastBuild(file)}`);
    await waitFor(() => buildDiags(uri).length === 0, { what: 'build diagnostics cleared', timeoutMs: 10_000 });
    const out = join(dir, 'out-scale.o');
    assert.ok(existsSync(out), `${out} was not produced`);
    assert.ok(readFileSync(out).subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])), 'the output is an ELF object');
  });

  it('hipPorter.build builds the given file and returns the record; a failed build is recorded for the agent', async () => {
    copyFileSync(fixture('broken.hip'), file);
    const rec = (await vscode.commands.executeCommand('hipPorter.build', uri)) as BuildRecord | undefined;
    assert.ok(rec, 'the command returns the build record');
    assert.equal(rec.exitCode, 1);
    assert.deepEqual(rec.files, [file]);
    const d = rec.result?.diagnostics.find((x) => x.message.includes('scaleOne'));
    assert.ok(d);
    assert.deepEqual([d.file, d.line, d.column, d.severity], [file, 7, 3, 'error']);
    assert.equal(buildDiags(uri).filter((x) => x.message.includes('scaleOne')).length, 1, 'published once');
  });

  it('the run command runs after a successful build, in the source folder, with ${output} substituted; its exit code ends the task', async () => {
    writeFileSync(file, readFileSync(fixture('fixed.hip')));
    const settingsPath = join(folder().uri.fsPath, '.vscode', 'settings.json');
    const saved = existsSync(settingsPath) ? readFileSync(settingsPath) : undefined;
    try {
      await vscode.workspace.getConfiguration('hipPorter').update('build.runCommand', 'test -s "${output}" && test -f scale.hip && exit 7', vscode.ConfigurationTarget.Workspace);
      const rec = (await vscode.commands.executeCommand('hipPorter.build', uri)) as BuildRecord | undefined;
      assert.equal(rec?.exitCode, 0, 'the build itself succeeded');
      const task = (await vscode.tasks.fetchTasks({ type: 'hipcc' })).find((t) => t.name === 'Build current file with hipcc');
      assert.ok(task);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      assert.equal(await runTask(task), 7, 'exit 7 only when the object exists and the command ran beside the source');
    } finally {
      if (saved) writeFileSync(settingsPath, saved);
      else rmSync(settingsPath, { force: true });
      await waitFor(() => vscode.workspace.getConfiguration('hipPorter').get<string>('build.runCommand') === '', { what: 'runCommand setting restored' });
      copyFileSync(fixture('broken.hip'), file);
    }
  });

  it('terminating the task cancels the build (recorded as cancelled, 130) and publishes nothing', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const task = (await vscode.tasks.fetchTasks({ type: 'hipcc' })).find((t) => t.name === 'Build current file with hipcc');
    assert.ok(task);
    // Terminate once the build is running.
    const builds = await buildsService();
    const code = await runTask(task, (x) => void waitFor(() => builds.running.has(file), { what: 'build started' }).then(() => x.terminate()));
    // VS Code reports no exit code for a terminated custom execution; the build's own record says what happened.
    assert.equal(code, undefined);
    const rec = await waitFor(async () => {
      const r = (await buildsService()).last.get(file);
      return r?.error ? r : undefined;
    }, { what: 'the cancelled build recorded' });
    assert.equal((rec.error as { code?: string }).code, 'cancelled', rec.error?.message);
    assert.equal(rec.exitCode, 130, 'cancelled builds end like Ctrl+C');
    assert.equal(buildDiags(uri).length, 0, 'the cancelled build added no diagnostics');
  });
});
