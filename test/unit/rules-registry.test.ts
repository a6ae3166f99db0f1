import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES, CODE_INFO } from '../../src/core/rules/index';

test('rule registry: ids are unique and every code belongs to exactly one rule (the incremental contract)', () => {
  const ids = ALL_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate rule ids: ${ids.join(', ')}`);
  const owner = new Map<string, string>();
  for (const rule of ALL_RULES) {
    for (const c of rule.codes) {
      assert.ok(!owner.has(c.code), `${c.code} is declared by both ${owner.get(c.code)} and ${rule.id}`);
      owner.set(c.code, rule.id);
    }
  }
  for (const code of owner.keys()) assert.ok(CODE_INFO.has(code), code);
});

test('rule registry: the families of DESIGN.md have their own files, and no catch-all rewrites file is left', () => {
  const files = new Set(readdirSync(join(__dirname, '../../src/core/rules')));
  for (const family of ['api', 'headers', 'launch', 'warp', 'arch', 'asm', 'memory', 'libraries', 'cxx', 'runtime', 'cub', 'thrust', 'cooperative-groups']) {
    assert.ok(files.has(`${family}.ts`), `src/core/rules/${family}.ts`);
  }
  assert.ok(!files.has('rewrites.ts'));
});
