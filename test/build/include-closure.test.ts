/**
 * includeClosure: quoted includes relative to the including file, then include dirs; angled
 * includes only via include dirs; cycles; comments; missing headers reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { includeClosure, scanIncludes } from '../../src/core/build/include-closure';
import { tempDir } from './helpers';

test('scanIncludes skips commented-out includes', () => {
  assert.deepEqual(scanIncludes('#include "a.h"\n// #include "b.h"\n/* #include "c.h"\n*/ # include <d.h>\n'), [
    { name: 'a.h', quoted: true },
    { name: 'd.h', quoted: false },
  ]);
});

test('closure follows quoted includes, include dirs and angled project headers; cycles are safe', async () => {
  const d = tempDir('closure');
  mkdirSync(join(d, 'src'));
  mkdirSync(join(d, 'inc', 'lib'), { recursive: true });
  writeFileSync(join(d, 'src', 'main.hip'), '#include <hip/hip_runtime.h>\n#include "local.h"\n#include "lib/api.h"\n#include <lib/angled.h>\n#include "nowhere.h"\n');
  writeFileSync(join(d, 'src', 'local.h'), '#include "local.h"\n#include "../inc/lib/api.h"\n');
  writeFileSync(join(d, 'inc', 'lib', 'api.h'), '#include "detail.h"\n');
  writeFileSync(join(d, 'inc', 'lib', 'detail.h'), '#include "api.h"\n');
  writeFileSync(join(d, 'inc', 'lib', 'angled.h'), '');
  const c = await includeClosure(['src/main.hip'], ['inc'], d);
  assert.deepEqual(c.files, [
    join(d, 'src', 'main.hip'),
    join(d, 'src', 'local.h'),
    join(d, 'inc', 'lib', 'api.h'),
    join(d, 'inc', 'lib', 'angled.h'),
    join(d, 'inc', 'lib', 'detail.h'),
  ]);
  assert.deepEqual(c.missing, [`${join(d, 'src', 'main.hip')}: nowhere.h`]);
  await assert.rejects(includeClosure(['src/none.hip'], [], d), /ENOENT/);
});
