// One passing and one deliberately failing test (see index.js).
'use strict';
const assert = require('node:assert/strict');
const vscode = require('vscode');

describe('harness failure path', () => {
  it('sees the real vscode API', () => {
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
  });

  it('fails on purpose', () => {
    assert.equal(vscode.workspace.workspaceFolders?.length, 42, 'deliberate failure');
  });
});
