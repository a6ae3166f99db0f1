// ESLint (flat config): the import walls of DESIGN.md, checked by a machine.
// - no `vscode` in src/core, src/agent, src/server, src/shared, src/webview (they run outside VS Code);
// - no Node built-ins in src/webview (it runs in the webview's browser);
// - src/cli and src/extension reach src/core/build and src/agent only through their index.ts.
// Run: npx eslint .   (also a step of `npm test` and of .ci/run)
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const NO_VSCODE = { name: 'vscode', message: 'this folder runs outside VS Code: no vscode import (see DESIGN.md)' };
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));
const THROUGH_INDEX = {
  group: ['**/core/build/*', '!**/core/build/index', '**/agent/*', '!**/agent/index'],
  message: 'import src/core/build and src/agent through their index.ts',
};

/** `no-restricted-imports` for a folder: names and patterns banned there. */
const restrict = (files, { paths = [], patterns = [] }) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'dist-vsix/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
  },
  restrict(['src/core/**/*.ts', 'src/agent/**/*.ts', 'src/server/**/*.ts', 'src/shared/**/*.ts'], { paths: [NO_VSCODE] }),
  restrict(['src/webview/**/*.ts'], {
    paths: [NO_VSCODE, ...NODE_BUILTINS.map((name) => ({ name, message: 'the webview runs in a browser: no Node built-ins' }))],
    patterns: [{ group: ['node:*'], message: 'the webview runs in a browser: no Node built-ins' }],
  }),
  restrict(['src/cli/**/*.ts', 'src/extension/**/*.ts'], { patterns: [THROUGH_INDEX] }),
);
