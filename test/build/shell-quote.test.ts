/**
 * shellQuote / rsyncRshQuote checked against a real POSIX shell (/bin/sh, dash on Debian) and bash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { shellQuote, shellJoin, rsyncRshQuote } from '../../src/core/build/shell-quote';

/** Runs `printf '%s\0' <quoted args>` in `shell` and returns the words it received. */
function roundTrip(shell: string, args: string[]): string[] {
  const r = spawnSync(shell, ['-c', `printf '%s\\0' ${shellJoin(args)}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

test('shellQuote: fixed cases', () => {
  assert.equal(shellQuote('abc-1.2/x_y'), 'abc-1.2/x_y');
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('a b'), "'a b'");
  assert.equal(shellQuote('$HOME'), "'$HOME'");
  assert.equal(rsyncRshQuote("/tmp/a b'c"), "'/tmp/a b''c'");
  const tricky = ['', ' ', "'", '"', '\\', '$(id)', '`id`', '*', '~', 'a\nb', '-n', '!x', '#c', ';', '&&', '|', '>', 'ü∂😀', '--offload-arch=gfx90a'];
  assert.deepEqual(roundTrip('/bin/sh', tricky), tricky);
  assert.deepEqual(roundTrip('bash', tricky), tricky);
});

test('shellQuote: any NUL-free string survives /bin/sh unchanged (property)', () => {
  const words = fc.sample(fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\0')), 300);
  words.push(...fc.sample(fc.string({ unit: 'binary', maxLength: 8 }).filter((s) => !s.includes('\0') && !/[\ud800-\udfff]/.test(s)), 200));
  assert.deepEqual(roundTrip('/bin/sh', words), words);
});
