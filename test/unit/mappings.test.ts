/**
 * Tests for the CUDA→HIP mappings: the generator (scripts/gen-mappings.mjs) against the HIPIFY
 * tables in mappings/hipify-tables (in the repository), the committed mappings/*.json, and the loader
 * (src/core/mappings.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  LIBRARIES,
  Mappings,
  compareVersions,
  hipAvailableIn,
  rocAvailableIn,
  type LibraryId,
  type MappingEntry,
} from '../../src/core/mappings';

const REPO = resolve(__dirname, '..', '..');
const MAPPINGS = join(REPO, 'mappings');
const TABLES = join(REPO, 'mappings', 'hipify-tables');
const GEN = join(REPO, 'scripts', 'gen-mappings.mjs');

/** Table files of each library, picked by file-name pattern (independent of the generator's list). */
const TABLE_PATTERNS: Record<LibraryId, RegExp> = {
  runtime: /^CUDA_Runtime_API/,
  driver: /^CUDA_Driver_API/,
  device: /^CUDA_Device_API/,
  blas: /^CUBLAS_API/,
  rand: /^CURAND_API/,
  fft: /^CUFFT_API/,
  sparse: /^CUSPARSE_API/,
  solver: /^CUSOLVER_API/,
  dnn: /^CUDNN_API/,
  cub: /^CUB_API/,
  rtc: /^CUDA_RTC_API/,
  complex: /^cuComplex_API/,
};

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'hip-porter-mappings-'));
}

const m = Mappings.fromDir(MAPPINGS);

function entry(name: string): MappingEntry {
  const e = m.get(name);
  assert.ok(e, `${name} should be mapped`);
  return e;
}

test('regenerating the JSON reproduces the committed files byte for byte', () => {
  const out = tmp();
  try {
    writeFileSync(join(out, 'headers.json'), '{"headers": []}\n');
    execFileSync(process.execPath, [GEN, '--tables', TABLES, '--out', out], { stdio: 'pipe' });
    const generated = readdirSync(out).filter((f) => f !== 'headers.json').sort();
    assert.deepEqual(generated, LIBRARIES.map((l) => `${l}.json`).sort());
    for (const f of generated) {
      assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(MAPPINGS, f))), `${f} differs from the committed mappings/${f}`);
    }
    assert.equal(readFileSync(join(out, 'headers.json'), 'utf8'), '{"headers": []}\n', 'generator must leave headers.json alone');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('--check passes on the committed files and names a changed file', () => {
  const ok = spawnSync(process.execPath, [GEN, '--check', '--tables', TABLES, '--out', MAPPINGS], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const out = tmp();
  try {
    for (const f of readdirSync(MAPPINGS).filter((n) => n.endsWith('.json'))) copyFileSync(join(MAPPINGS, f), join(out, f));
    const rtc = join(out, 'rtc.json');
    writeFileSync(rtc, readFileSync(rtc, 'utf8').replace('hiprtcCompileProgram', 'hiprtcCompileProgramX'));
    const bad = spawnSync(process.execPath, [GEN, '--check', '--tables', TABLES, '--out', out], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /rtc\.json/);
    assert.doesNotMatch(bad.stderr, /runtime\.json/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('every table row is kept: entry counts equal the markdown row counts', () => {
  const tableFiles = readdirSync(TABLES).filter((f) => f.endsWith('.md') && f !== 'SOURCE.md');
  let total = 0;
  for (const lib of LIBRARIES) {
    const files = tableFiles.filter((f) => TABLE_PATTERNS[lib].test(f));
    assert.ok(files.length >= 1, `no table for ${lib}`);
    const names = new Set<string>();
    for (const f of files) {
      const rows = readFileSync(join(TABLES, f), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('|`'));
      for (const r of rows) names.add(r.split('|')[1]!);
    }
    const json = JSON.parse(readFileSync(join(MAPPINGS, `${lib}.json`), 'utf8')) as { count: number; entries: unknown[]; sources: string[] };
    assert.equal(json.count, names.size, `${lib}: count`);
    assert.equal(json.entries.length, names.size, `${lib}: entries`);
    const created = m.byLibrary(lib).filter((e) => e.override && !names.has('`' + e.cuda + '`')).length;
    assert.equal(m.byLibrary(lib).length, names.size + created, `${lib}: loader (table rows + names only overrides.json adds)`);
    assert.deepEqual([...json.sources].sort(), [...files].sort(), `${lib}: sources`);
    total += names.size + created;
  }
  assert.equal(m.all().length, total);
});

test('generated files put one entry per line, sorted by CUDA name', () => {
  for (const lib of LIBRARIES) {
    const text = readFileSync(join(MAPPINGS, `${lib}.json`), 'utf8');
    assert.ok(text.endsWith('}\n'));
    const lines = text.split('\n').filter((l) => l.startsWith('    {"cuda":'));
    assert.equal(lines.length, m.byLibrary(lib).filter((e) => !e.section.endsWith('(hand-checked)')).length, lib);
    const names = m.byLibrary(lib).map((e) => e.cuda);
    assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }
});

test('spot checks against facts in the HIPIFY tables', () => {
  const malloc = entry('cudaMalloc');
  assert.equal(malloc.hip, 'hipMalloc');
  assert.equal(malloc.library, 'runtime');
  assert.equal(malloc.kind, 'function');
  assert.equal(malloc.section, 'Memory Management');

  const ts = entry('cudaThreadSynchronize');
  assert.equal(ts.hip, 'hipDeviceSynchronize');
  assert.equal(ts.cudaVersions.deprecated, '10.0');
  assert.equal(ts.section, 'Thread Management [DEPRECATED]');

  // the table says HIP has no __shfl_down_sync; overrides.json corrects it (ROCm 7.0 by default)
  const shfl = entry('__shfl_down_sync');
  assert.equal(shfl.library, 'device');
  assert.equal(shfl.hip, '__shfl_down_sync');
  assert.deepEqual(shfl.hipVersions, { experimental: false, added: '7.0.0' });
  assert.match(shfl.override?.note ?? '', /HIP_ENABLE_WARP_SYNC_BUILTINS/);

  const sgemm = entry('cublasSgemm_v2');
  assert.equal(sgemm.hip, 'hipblasSgemm');
  assert.equal(sgemm.roc, 'rocblas_sgemm');
  assert.equal(sgemm.rocVersions.added, '1.5.0');

  const conv = entry('cudnnConvolutionForward');
  assert.equal(conv.library, 'dnn');
  assert.equal(conv.roc, 'miopenConvolutionForward');
  assert.equal(conv.cudaVersions.deprecated, '9.0.0');

  assert.equal(entry('curandCreateGenerator').roc, 'rocrand_create_generator');
  assert.equal(entry('cusparseCreate').roc, 'rocsparse_create_handle');
  assert.equal(entry('cuCaddf').library, 'complex');
  assert.equal(entry('nvrtcCreateProgram').cudaVersions.changed, '8.0');
  assert.equal(entry('cudaMemcpyHostToDevice').kind, 'enum');
  assert.equal(entry('cudaStream_t').kind, 'type');
  assert.equal(entry('CUBLAS_OP_N').kind, 'enum');
  assert.equal(entry('CUB_MAX').kind, 'define');
  assert.equal(entry('CUDA_MEMCPY2D').kind, 'type');
  // experimental E column (6.3.0 in these tables)
  assert.ok(m.all().some((e) => e.hipVersions.experimental === true));
  // names listed in two libraries: runtime wins over driver
  assert.deepEqual(m.getAll('CUstream_st').map((e) => e.library), ['runtime', 'driver']);
  assert.equal(entry('CUstream_st').library, 'runtime');
  assert.equal(m.get('notACudaName'), undefined);
  assert.deepEqual(m.getAll('notACudaName'), []);
});

test('isHipName knows HIP and ROC names, not CUDA-only ones', () => {
  assert.ok(m.isHipName('hipMalloc'));
  assert.ok(m.isHipName('rocblas_sgemm'));
  assert.ok(m.isHipName('miopenCreate'));
  assert.ok(!m.isHipName('cudaMalloc'));
});

test('compareVersions and availability by ROCm release', () => {
  assert.equal(compareVersions('5.2', '5.2.0'), 0);
  assert.ok(compareVersions('5.2', '5.3.0') < 0);
  assert.ok(compareVersions('10.0', '9.2') > 0);
  const limit = entry('cudaDeviceSetLimit');
  assert.equal(limit.hip, 'hipDeviceSetLimit');
  assert.equal(limit.hipVersions.added, '5.3.0');
  assert.equal(hipAvailableIn(limit, '5.2'), false);
  assert.equal(hipAvailableIn(limit, '5.3'), true);
  assert.equal(hipAvailableIn(limit, '6.2'), true);
  assert.equal(hipAvailableIn(entry('__shfl_down_sync'), '6.2'), false);
  const noAdded: MappingEntry = { ...limit, hipVersions: { experimental: false } };
  assert.equal(hipAvailableIn(noAdded, '1.0'), true);
  const removed: MappingEntry = { ...limit, hipVersions: { added: '1.0.0', removed: '6.0.0', experimental: false } };
  assert.equal(hipAvailableIn(removed, '5.7'), true);
  assert.equal(hipAvailableIn(removed, '6.0'), false);
  assert.equal(rocAvailableIn(entry('cublasSgemm_v2'), '5.2'), true);
  assert.equal(rocAvailableIn(entry('cudaMalloc'), '6.2'), false);
});

test('header lookups: exact first, then the longest prefix', () => {
  assert.equal(m.header('cuda_runtime.h')?.hip, 'hip/hip_runtime.h');
  assert.equal(m.header('cuda.h')?.hip, 'hip/hip_runtime.h');
  assert.equal(m.header('cuda_runtime_api.h')?.hip, 'hip/hip_runtime_api.h');
  assert.equal(m.header('device_launch_parameters.h')?.hip, 'hip/hip_runtime.h');
  assert.equal(m.header('cuda_fp16.h')?.hip, 'hip/hip_fp16.h');
  assert.equal(m.header('curand.h')?.hip, 'hiprand/hiprand.h');
  assert.equal(m.header('curand_kernel.h')?.hip, 'hiprand/hiprand_kernel.h');
  assert.equal(m.header('cusparse.h')?.hip, 'hipsparse/hipsparse.h');
  assert.equal(m.header('cooperative_groups.h')?.hip, 'hip/hip_cooperative_groups.h');
  assert.equal(m.header('nvrtc.h')?.hip, 'hip/hiprtc.h');
  assert.equal(m.header('cublas_v2.h')?.hip, 'hipblas/hipblas.h');
  assert.equal(m.header('cufft.h')?.hip, 'hipfft/hipfft.h');
  const dnn = m.header('cudnn.h');
  assert.equal(dnn?.hip, 'miopen/miopen.h');
  assert.ok(dnn?.note);
  // exact beats prefix: cub/cub.cuh has its own entry, cub/block/... falls back to the cub/ prefix
  assert.equal(m.header('cub/cub.cuh')?.prefix, undefined);
  assert.equal(m.header('cub/block/block_reduce.cuh')?.prefix, true);
  assert.equal(m.header('thrust/device_vector.h')?.hip, 'thrust/');
  assert.equal(m.header('sm_61_intrinsics.h')?.hip, 'hip/hip_runtime.h');
  assert.equal(m.header('mma.h')?.hip, null);
  assert.equal(m.header('cutlass/gemm/device/gemm.h')?.hip, null);
  assert.equal(m.header('stdio.h'), undefined);
  for (const h of m.headers()) assert.match(h.docs, /^https:\/\//, h.cuda);
});

test('loadDefault finds the repository mappings and caches them', () => {
  const a = Mappings.loadDefault();
  assert.equal(a, Mappings.loadDefault());
  assert.equal(a.all().length, m.all().length);
});

test('bad JSON gives an error naming the file', () => {
  const dir = tmp();
  try {
    copyFileSync(join(MAPPINGS, 'rtc.json'), join(dir, 'rtc.json'));
    writeFileSync(join(dir, 'broken.json'), '{"library": "blas", "entries": [');
    assert.throws(() => Mappings.fromDir(dir), (err: Error) => err.message.includes(join(dir, 'broken.json')) && /bad JSON/.test(err.message));
    writeFileSync(join(dir, 'broken.json'), '{"something": 1}');
    assert.throws(() => Mappings.fromDir(dir), /broken\.json/);
    rmSync(join(dir, 'broken.json'));
    const only = Mappings.fromDir(dir);
    assert.equal(only.get('nvrtcCreateProgram')?.hip, 'hiprtcCreateProgram');
    assert.deepEqual(only.byLibrary('runtime'), []);
    assert.equal(only.header('cuda.h'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the HIPIFY tables and their MIT licence live in the repository; --check with no arguments reads them there', () => {
  const licence = readFileSync(join(TABLES, 'LICENSE'), 'utf8');
  assert.match(licence, /^Copyright \(c\) 2024 Advanced Micro Devices, Inc\./);
  assert.match(licence, /Permission is hereby granted, free of charge/);
  assert.match(readFileSync(join(TABLES, 'SOURCE.md'), 'utf8'), /\b[0-9a-f]{40}\b/);
  // run from another working directory, without --tables/--out: the defaults are the repository's own folders
  const cwd = tmp();
  try {
    const r = spawnSync(process.execPath, [GEN, '--check'], { encoding: 'utf8', cwd });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /mappings up to date \(12 files\)/);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
