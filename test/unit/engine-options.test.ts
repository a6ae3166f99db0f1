/**
 * The one parser of engine options (src/core/engine-options.ts) that the server's settings, the
 * custom requests and the extension's config class share, and the defaults the engine fills in.
 */
import { DEFAULT_OFFLOAD_ARCH } from '../../src/core/arch';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveOptions } from '../../src/core/analyze';
import { DEFAULT_ENGINE_OPTIONS, ENGINE_OPTION_KEYS, parseEngineOption, parseEngineOptions, pickEngineOptions, resolveEngineOptions } from '../../src/core/engine-options';
import { DEFAULT_TARGET_ROCM } from '../../src/core/findings';

test('valid values pass (versions trimmed, JSON numbers as versions), others are named', () => {
  assert.deepEqual(parseEngineOptions({ targetRocm: ' 5.7 ', includeComments: true, kernelLaunch: 'hip', libraryTarget: 'roc', experimental: false, other: 1 }), {
    options: { targetRocm: '5.7', includeComments: true, kernelLaunch: 'hip', libraryTarget: 'roc', experimental: false },
    problems: [],
  });
  assert.deepEqual(parseEngineOptions({ targetRocm: 6.2 }).options, { targetRocm: '6.2' });
  const bad = parseEngineOptions({ targetRocm: '6.x', includeComments: 'yes', kernelLaunch: 'chevron', libraryTarget: 'rocm', experimental: 1 }, '--');
  assert.deepEqual(bad.options, {});
  assert.deepEqual(
    bad.problems.map((p) => p.split(':')[0]),
    ['--targetRocm', '--includeComments', '--kernelLaunch', '--libraryTarget', '--experimental'],
  );
  assert.match(bad.problems[3]!, /expected "hip" or "roc", got "rocm"/);
  assert.deepEqual(parseEngineOptions(undefined), { options: {}, problems: [] });
  assert.deepEqual(parseEngineOptions('roc', 'options.').problems, ['options: expected an object, got string']);
  assert.deepEqual(parseEngineOptions([1]).problems, ['engine options: expected an object, got an array']);
  assert.deepEqual(parseEngineOption('targetRocm', -1), { problem: 'expected a version like "6.2", got -1' });
});

test('defaults: one place, used by analyze; pick keeps only engine keys', () => {
  assert.deepEqual(resolveEngineOptions(), { targetRocm: DEFAULT_TARGET_ROCM, includeComments: false, kernelLaunch: 'keep', libraryTarget: 'hip', experimental: false, offloadArch: DEFAULT_OFFLOAD_ARCH });
  assert.deepEqual(resolveOptions({ libraryTarget: 'roc' }), { ...DEFAULT_ENGINE_OPTIONS, libraryTarget: 'roc' });
  const wide = { ...resolveEngineOptions({ kernelLaunch: 'hip' }), severity: {}, exclude: ['x'] };
  assert.deepEqual(Object.keys(pickEngineOptions(wide)).sort(), [...ENGINE_OPTION_KEYS].sort());
});
