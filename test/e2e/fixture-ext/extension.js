// Throwaway extension for the e2e harness self-test (test/e2e/run.mjs --ext test/e2e/fixture-ext).
// Command hipPorterFixture.markKernels: finds `__global__` function names in the active editor,
// inserts one comment line at the top naming them (unsaved edit), shows a notification, and
// returns { kernels: string[] } to the caller of executeCommand.
'use strict';
const vscode = require('vscode');

/** Names of `__global__` functions in CUDA text (a rough regex; good enough for the fixture file). */
function kernelNames(text) {
  const names = [];
  const re = /__global__\s+(?:[\w:<>]+\s+)+?(\w+)\s*\(/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) names.push(m[1]);
  return names;
}

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('hipPorterFixture.markKernels', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) throw new Error('HIP Porter fixture: no active editor');
      const kernels = kernelNames(editor.document.getText());
      const comment = `// fixture: ${kernels.length} kernel(s): ${kernels.join(', ')}`;
      const ok = await editor.edit((b) => b.insert(new vscode.Position(0, 0), comment + '\n'));
      if (!ok) throw new Error('HIP Porter fixture: edit was rejected');
      // Not awaited: the promise settles only when the user dismisses the notification.
      void vscode.window.showInformationMessage(`HIP Porter fixture: found ${kernels.length} kernel(s): ${kernels.join(', ')}`);
      return { kernels };
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
