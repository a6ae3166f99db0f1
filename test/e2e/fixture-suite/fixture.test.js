// Proves the e2e harness: a .cu file opens as `cuda-cpp` in the real workbench, the extension under
// development activates on onLanguage:cuda-cpp, and its command runs against the real editor API.
'use strict';
const assert = require('node:assert/strict');
const vscode = require('vscode');
const { waitFor } = require('../host-runner.js');

const EXTENSION_ID = 'hip-porter.hip-porter-e2e-fixture';

describe('e2e harness (fixture extension in code-server)', () => {
  /** @type {vscode.TextEditor} */
  let editor;

  it('runs in the web workbench with the fixture workspace open', () => {
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    assert.equal(folders[0].name, 'workspace');
  });

  it('opens saxpy.cu as cuda-cpp', async () => {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'saxpy.cu');
    const document = await vscode.workspace.openTextDocument(uri);
    editor = await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'cuda-cpp');
    assert.match(document.getText(), /__global__ void saxpy/);
  });

  it('activates the fixture extension on onLanguage:cuda-cpp', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded as the extension under development`);
    // No API event announces activation; poll the flag with a bound.
    await waitFor(() => extension.isActive, { timeoutMs: 10000, what: `${EXTENSION_ID} to activate` });
  });

  it('runs hipPorterFixture.markKernels and edits the document', async () => {
    const result = await vscode.commands.executeCommand('hipPorterFixture.markKernels');
    assert.deepEqual(result, { kernels: ['saxpy'] });
    assert.equal(editor.document.lineAt(0).text, '// fixture: 1 kernel(s): saxpy');
    assert.equal(editor.document.isDirty, true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    assert.equal(editor.document.isDirty, false);
  });
});
