/**
 * The import walls of eslint.config.mjs, run through ESLint's own API on small sources placed (by
 * file path) in each folder: what each folder may not import, and what stays allowed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');
let eslint: ESLint;

/** The messages ESLint reports for `code` as if it were the file `path` (relative to the repo). */
async function problems(path: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(root, path) });
  return r!.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('import walls (eslint.config.mjs)', () => {
  before(() => {
    eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.mjs') });
  });

  it('no vscode in core, agent, server, shared and webview (type-only imports included); allowed in the extension', async () => {
    for (const dir of ['src/core', 'src/agent', 'src/server', 'src/shared', 'src/webview']) {
      const p = await problems(`${dir}/probe.ts`, "import * as vscode from 'vscode';\nexport const x = vscode;\n");
      assert.equal(p.length, 1, `${dir}: ${p.join(' | ')}`);
      assert.match(p[0]!, /no-restricted-imports: .*no vscode import/);
      assert.equal((await problems(`${dir}/probe.ts`, "import type * as vscode from 'vscode';\nexport type X = vscode.Uri;\n")).length, 1, `${dir}: type-only`);
    }
    assert.deepEqual(await problems('src/extension/probe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n"), []);
  });

  it('no Node built-ins in the webview, with or without the node: prefix', async () => {
    for (const spec of ['node:fs', 'fs', 'path', 'node:crypto', 'child_process']) {
      const p = await problems('src/webview/panel/probe.ts', `import * as m from '${spec}';\nexport const x = m;\n`);
      assert.equal(p.length, 1, `${spec}: ${p.join(' | ')}`);
      assert.match(p[0]!, /browser: no Node built-ins/);
    }
    assert.deepEqual(await problems('src/webview/panel/probe.ts', "import { reduce } from '../protocol';\nexport const x = reduce;\n"), []);
    assert.deepEqual(await problems('src/extension/probe.ts', "import * as fs from 'node:fs';\nexport const x = fs;\n"), []);
  });

  it('the CLI and the extension reach core/build and agent only through index.ts', async () => {
    for (const dir of ['src/cli', 'src/extension']) {
      for (const spec of ['../core/build/plan', '../core/build/ssh', '../agent/loop', '../agent/types']) {
        const p = await problems(`${dir}/probe.ts`, `import * as m from '${spec}';\nexport const x = m;\n`);
        assert.equal(p.length, 1, `${dir} ${spec}: ${p.join(' | ')}`);
        assert.match(p[0]!, /through their index\.ts/);
      }
      for (const spec of ['../core/build/index', '../core/build', '../agent/index', '../core/files']) {
        assert.deepEqual(await problems(`${dir}/probe.ts`, `import * as m from '${spec}';\nexport const x = m;\n`), [], `${dir} ${spec}`);
      }
    }
    assert.deepEqual(await problems('src/server/probe.ts', "import * as m from '../core/build/plan';\nexport const x = m;\n"), [], 'other folders may import build modules directly');
  });
});
