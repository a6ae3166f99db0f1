/**
 * mappings/overrides.json (issue 13, item 17): every correction of the HIPIFY tables carries its
 * version and its source, the loader applies it, and the installed ROCm 5.2 headers agree: every
 * override whose HIP name exists in 5.2 compiles with the real hipcc (one generated TU), and every
 * override whose HIP name is newer than 5.2 is undeclared there (a second TU, one error per name).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Mappings, hipAvailableIn, type MappingEntry, type MappingOverride } from '../../src/core/mappings';

const REPO = resolve(__dirname, '..', '..');
const MAPPINGS = join(REPO, 'mappings');
const overrides = (JSON.parse(readFileSync(join(MAPPINGS, 'overrides.json'), 'utf8')) as { overrides: MappingOverride[] }).overrides;
const m = Mappings.fromDir(MAPPINGS);

/** The entries an override applies to (every library holding the name, or its own library). */
function entriesOf(o: MappingOverride): MappingEntry[] {
  return m.getAll(o.cuda).filter((e) => !o.library || e.library === o.library);
}

/** One use of HIP name `hip` of kind `kind` that only compiles when the name is declared. */
function use(e: MappingEntry, n: number): { global?: string; device?: string } {
  if (e.kind === 'type') return { global: `using hp_t${n} = ${e.hip};` };
  if (e.kind === 'enum') return { global: `static const auto hp_v${n} = ${e.hip};` };
  // a using-declaration names a function, an overload set or a template, and fails when undeclared
  return { device: `  using ::${e.hip};` };
}

function tu(entries: readonly MappingEntry[]): string {
  const globals: string[] = [];
  const device: string[] = [];
  entries.forEach((e, n) => {
    const u = use(e, n);
    if (u.global) globals.push(u.global);
    if (u.device) device.push(u.device);
  });
  return ['#include <hip/hip_runtime.h>', '#include <hip/hip_fp16.h>', '#include <hip/hip_complex.h>', '#include <hip/library_types.h>', ...globals, 'namespace hp_probe {', ...device, '}', ''].join('\n');
}

function hipcc(file: string): { status: number | null; stderr: string } {
  const r = spawnSync('hipcc', ['--offload-arch=gfx90a', '-std=c++17', '-ferror-limit=0', '-c', file, '-o', `${file}.o`], {
    env: { ...process.env, HIP_PLATFORM: 'amd' },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr };
}

test('every override names its source and reason, and the loader applies it', () => {
  assert.ok(overrides.length >= 40);
  const seen = new Set<string>();
  for (const o of overrides) {
    assert.ok(!seen.has(o.cuda), `${o.cuda}: one override per name`);
    seen.add(o.cuda);
    assert.ok(o.reason.length > 20, `${o.cuda}: reason`);
    assert.match(o.source, /\/usr\/include\/hip\/|\/usr\/lib\/llvm-\d+\/lib\/clang\/|ROCm\/(clr|HIP|rocm-systems|rocBLAS)|CHANGELOG|https:\/\//, `${o.cuda}: source names a header or a document`);
    if (o.hip) assert.ok(o.hipAdded, `${o.cuda}: a HIP name comes with the version it appeared in`);
    const es = entriesOf(o);
    assert.ok(es.length >= 1, `${o.cuda}: applied to an entry`);
    for (const e of es) {
      assert.equal(e.override?.source, o.source, o.cuda);
      if (o.hip !== undefined) assert.equal(e.hip, o.hip, o.cuda);
      if (o.hipAdded !== undefined && o.hip !== null) assert.equal(e.hipVersions.added, o.hipAdded, o.cuda);
    }
  }
  // the issue's own examples
  assert.equal(m.get('make_half2')?.hip, 'make_half2');
  assert.equal(m.get('nv_bfloat16')?.hip, '__hip_bfloat16');
  assert.equal(m.get('__nv_bfloat162')?.hip, '__hip_bfloat162');
  assert.equal(m.get('htanh_approx')?.hip, null);
  assert.equal(m.get('__match_any_sync')?.hipVersions.added, '7.0.0');
});

test('a malformed override is refused with a message naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-ov-'));
  try {
    writeFileSync(join(dir, 'device.json'), readFileSync(join(MAPPINGS, 'device.json')));
    writeFileSync(join(dir, 'overrides.json'), JSON.stringify({ overrides: [{ cuda: 'make_half2', hip: 'make_half2', reason: 'no source given here' }] }));
    assert.throws(() => Mappings.fromDir(dir), /overrides\.json: override 0 \(make_half2\): needs a "reason" and a "source"/);
    writeFileSync(join(dir, 'overrides.json'), JSON.stringify({ overrides: [{ cuda: 'notInAnyTable', hip: 'x', hipAdded: '6.0.0', reason: 'a name no table lists', source: 'https://example.org' }] }));
    assert.throws(() => Mappings.fromDir(dir), /notInAnyTable: no table lists it, so it needs a "library"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with hipcc: overrides available in ROCm 5.2 compile; newer ones are undeclared there', () => {
  // the HIP names an override sets (a ROC-only override leaves the table's HIP name, checked elsewhere)
  const entries = overrides.filter((o) => o.hip || o.hipAdded).flatMap((o) => entriesOf(o)).filter((e) => e.hip);
  const in52 = entries.filter((e) => hipAvailableIn(e, '5.2'));
  const newer = entries.filter((e) => !hipAvailableIn(e, '5.2'));
  assert.ok(in52.some((e) => e.hip === 'make_half2') && in52.some((e) => e.hip === 'HIP_R_16F'));
  assert.ok(newer.some((e) => e.hip === '__hip_bfloat16') && newer.some((e) => e.hip === '__shfl_down_sync'));
  const dir = mkdtempSync(join(tmpdir(), 'hp-ov-cc-'));
  try {
    const ok = join(dir, 'in52.hip');
    writeFileSync(ok, tu(in52));
    const r = hipcc(ok);
    assert.equal(r.status, 0, `${tu(in52)}\n${r.stderr}`);
    const bad = join(dir, 'newer.hip');
    const names = [...new Set(newer.map((e) => e.hip!))];
    writeFileSync(bad, tu(newer));
    const b = hipcc(bad);
    assert.notEqual(b.status, 0);
    for (const n of names) assert.match(b.stderr, new RegExp(`undeclared identifier '${n}'|unknown type name '${n}'|no member named '${n}'`), `${n} should not exist in ROCm 5.2`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
