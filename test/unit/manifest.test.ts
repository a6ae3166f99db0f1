/**
 * The extension manifest (package.json `contributes`, `activationEvents`, icons) against the code:
 * the command table, the settings table (src/shared/settings.ts) with the server's normaliser and
 * the extension's config class, the HIP grammar and language configuration.
 * src/extension/*.ts import 'vscode', which does not exist outside VS Code, so their sources are
 * read as text and parsed with regular expressions.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODE_INFO } from '../../src/core/rules/index';
import { HIPCC_TASK_JSON_KEYS } from '../../src/extension/build-settings';
import { normalizeSettings } from '../../src/server/settings';
import { readSetting, SETTING_KEYS, SETTINGS } from '../../src/shared/settings';

const root = join(__dirname, '..', '..');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');
const manifest = JSON.parse(read('package.json')) as {
  activationEvents: string[];
  icon: string;
  contributes: {
    commands: Array<{ command: string; title: string }>;
    menus: Record<string, Array<{ command?: string }>>;
    configuration: { properties: Record<string, { default?: unknown; type?: string }> };
    languages: Array<{ id: string; extensions?: string[]; configuration?: string; icon?: { light: string; dark: string } }>;
    grammars: Array<{ language: string; scopeName: string; path: string }>;
    viewsContainers: { activitybar: Array<{ id: string; icon: string }> };
  };
};

/** The `hipPorter.*` ids in the COMMANDS object literal of src/extension/commands.ts. */
function commandTable(): string[] {
  const src = read('src/extension/commands.ts');
  const body = /export const COMMANDS = \{([\s\S]*?)\} as const;/.exec(src)?.[1];
  assert.ok(body, 'COMMANDS object literal found in commands.ts');
  return [...body.matchAll(/:\s*'(hipPorter\.[A-Za-z]+)'/g)].map((m) => m[1]!);
}

/** Every `this.get('<key>')` in src/extension/config.ts (its getters). */
function configReads(): string[] {
  const src = read('src/extension/config.ts');
  return [...src.matchAll(/this\.get\('([\w.]+)'\)/g)].map((m) => m[1]!);
}

test('the command table equals contributes.commands', () => {
  const table = commandTable();
  assert.ok(table.length > 0);
  assert.equal(new Set(table).size, table.length, 'no command id twice in COMMANDS');
  assert.deepEqual([...table].sort(), manifest.contributes.commands.map((c) => c.command).sort());
  for (const c of manifest.contributes.commands) assert.match(c.command, /^hipPorter\.[a-z][A-Za-z]*$/, 'ids are hipPorter.camelCase');
});

test('menus only name contributed commands', () => {
  const ids = new Set(manifest.contributes.commands.map((c) => c.command));
  for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
    for (const item of items) if (item.command) assert.ok(ids.has(item.command), `${menu}: ${item.command}`);
  }
});

test('package.json contributes exactly the settings table: same keys, types, defaults and constraints', () => {
  const props = manifest.contributes.configuration.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(props).sort(), SETTING_KEYS.map((k) => `hipPorter.${k}`).sort());
  for (const key of SETTING_KEYS) {
    const { description: _d, markdownDescription: _m, enumDescriptions: _e, ...schema } = props[`hipPorter.${key}`]!;
    assert.deepEqual(schema, JSON.parse(JSON.stringify(SETTINGS[key].schema)), `hipPorter.${key}`);
  }
});

test('the extension config class has a getter for every setting it reads, and reads only table keys', () => {
  const reads = new Set(configReads());
  for (const key of SETTING_KEYS) {
    if (SETTINGS[key].readers.includes('extension')) assert.ok(reads.has(key), `config.ts reads hipPorter.${key}`);
  }
  for (const key of reads) assert.ok((SETTING_KEYS as string[]).includes(key), `${key} is in the settings table`);
});

test('the server normaliser reads every server row of the table with its default, and the table defaults pass their own checks', () => {
  const { settings, problems } = normalizeSettings({});
  assert.deepEqual(problems, []);
  for (const key of SETTING_KEYS) {
    const row = SETTINGS[key];
    assert.deepEqual(readSetting(key, row.schema.default), { value: row.schema.default, problems: [] }, `default of ${key} is valid`);
    if (!row.readers.includes('server')) continue;
    const field = (row.engine ?? key) as keyof typeof settings;
    assert.deepEqual(settings[field], row.schema.default, `server default of ${key}`);
  }
  // Nested (as VS Code sends dotted keys) and flat forms both reach the server.
  assert.equal(normalizeSettings({ port: { libraryTarget: 'roc' } }).settings.libraryTarget, 'roc');
  assert.equal(normalizeSettings({ 'port.kernelLaunch': 'hip' }).settings.kernelLaunch, 'hip');
  const bad = normalizeSettings({ port: { libraryTarget: 'rocm', experimental: 'yes' }, maxFileSizeMB: 0 });
  assert.equal(bad.settings.libraryTarget, 'hip');
  assert.equal(bad.settings.experimental, false);
  assert.equal(bad.settings.maxFileSizeMB, 5);
  assert.deepEqual(bad.problems.map((p) => p.split(':')[0]).sort(), ['hipPorter.maxFileSizeMB', 'hipPorter.port.experimental', 'hipPorter.port.libraryTarget']);
});

test('the hipcc task definition in package.json has exactly the keys of HipccTaskJson', () => {
  const defs = (manifest.contributes as unknown as { taskDefinitions: Array<{ type: string; properties: Record<string, unknown> }> }).taskDefinitions;
  const hipcc = defs.find((d) => d.type === 'hipcc');
  assert.ok(hipcc);
  assert.deepEqual(Object.keys(hipcc.properties).sort(), [...HIPCC_TASK_JSON_KEYS].sort());
});

test('activation only on cuda-cpp and hip documents (commands activate by themselves)', () => {
  assert.deepEqual([...manifest.activationEvents].sort(), ['onLanguage:cuda-cpp', 'onLanguage:hip']);
});

test('the hip language: grammar and language configuration parse and match the manifest', () => {
  const hip = manifest.contributes.languages.find((l) => l.id === 'hip');
  assert.ok(hip);
  assert.deepEqual(hip.extensions, ['.hip']);
  const grammarEntry = manifest.contributes.grammars.find((g) => g.language === 'hip');
  assert.ok(grammarEntry);
  const grammar = JSON.parse(read(grammarEntry.path)) as { scopeName: string; patterns: Array<{ include?: string }>; repository: Record<string, unknown>; injections?: Record<string, unknown> };
  assert.equal(grammar.scopeName, 'source.hip');
  assert.equal(grammarEntry.scopeName, 'source.hip');
  // HIP patterns first, then VS Code's built-in C++ grammar.
  assert.deepEqual(grammar.patterns.map((p) => p.include), ['#hip', 'source.cpp']);
  // Every #reference resolves inside the repository.
  const text = read(grammarEntry.path);
  for (const m of text.matchAll(/"include":\s*"#([\w-]+)"/g)) assert.ok(m[1]! in grammar.repository, `#${m[1]} defined`);
  assert.ok(grammar.injections && 'L:source.hip -comment -string' in grammar.injections);
  for (const name of ['__global__', '__launch_bounds__', 'threadIdx', 'hipLaunchKernelGGL', 'HIP_', '<<<', '>>>', 'warpSize', '__managed__']) {
    assert.ok(text.includes(name), `grammar mentions ${name}`);
  }
  const conf = JSON.parse(read(hip.configuration!)) as { comments: { lineComment: string; blockComment: [string, string] }; brackets: string[][]; autoClosingPairs: unknown[] };
  assert.equal(conf.comments.lineComment, '//');
  assert.deepEqual(conf.comments.blockComment, ['/*', '*/']);
  assert.ok(conf.brackets.length >= 3 && conf.autoClosingPairs.length >= 3);
  for (const p of [hip.icon!.light, hip.icon!.dark]) assert.ok(existsSync(join(root, p)), p);
});

test('icons: activity bar SVG is monochrome 24x24 in currentColor; extension icon is a 128x128 PNG', () => {
  const bar = manifest.contributes.viewsContainers.activitybar[0]!;
  const svg = read(bar.icon);
  assert.match(svg, /viewBox="0 0 24 24"/);
  assert.match(svg, /currentColor/);
  assert.doesNotMatch(svg, /#[0-9a-fA-F]{3,6}\b/, 'no fixed colours');
  assert.match(read('media/hip-file.svg'), /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const png = readFileSync(join(root, manifest.icon));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 128, 'width');
  assert.equal(png.readUInt32BE(20), 128, 'height');
});

test('README documents every rule code the engine can report', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const missing = [...CODE_INFO.keys()].filter((c) => c !== 'HP999' && !readme.includes(`| ${c} |`));
  assert.deepEqual(missing, []);
});

test('untrusted workspaces cannot set the settings that run or feed commands (ssh config, hipcc flags)', () => {
  const m = JSON.parse(read('package.json')) as { capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } };
  const restricted = new Set(m.capabilities.untrustedWorkspaces.restrictedConfigurations);
  for (const k of ['hipPorter.build.hipccPath', 'hipPorter.build.env', 'hipPorter.build.runCommand', 'hipPorter.build.sshConfigFile', 'hipPorter.build.extraFlags', 'hipPorter.agent.baseURL']) {
    assert.ok(restricted.has(k), k);
  }
});
