/**
 * The engine options (what changes a translation or a finding) and their one parser. The CLI's
 * flags, the language server's `hipPorter.*` settings and the custom requests' `options` all go
 * through {@link parseEngineOptions}, and every engine entry point fills in defaults with
 * {@link resolveEngineOptions}, so a finding gets the same fix whichever face asks.
 */
import { DEFAULT_OFFLOAD_ARCH, parseOffloadArchList } from './arch';
import { DEFAULT_TARGET_ROCM, type EngineOptions } from './findings';

export type { EngineOptions } from './findings';

/** Engine options with every key filled in. */
export type ResolvedEngineOptions = Required<EngineOptions>;

/** The names of the engine options, in the order the settings UI lists them. */
export const ENGINE_OPTION_KEYS = ['targetRocm', 'includeComments', 'kernelLaunch', 'libraryTarget', 'experimental', 'offloadArch'] as const satisfies ReadonlyArray<keyof EngineOptions>;

/** A ROCm version as users write it: `major`, `major.minor` or `major.minor.patch` (digits only). */
export const ROCM_VERSION_RE = /^\d+(\.\d+){0,2}$/;

/** Defaults: target ROCm {@link DEFAULT_TARGET_ROCM}, no comments, keep `<<<>>>`, hip* library names, no experimental mappings, offload archs {@link DEFAULT_OFFLOAD_ARCH} (one wave64 and one wave32 GPU). */
export const DEFAULT_ENGINE_OPTIONS: Readonly<ResolvedEngineOptions> = Object.freeze({
  targetRocm: DEFAULT_TARGET_ROCM,
  includeComments: false,
  kernelLaunch: 'keep',
  libraryTarget: 'hip',
  experimental: false,
  offloadArch: DEFAULT_OFFLOAD_ARCH,
});

/** Fills in every missing key with {@link DEFAULT_ENGINE_OPTIONS}. Never throws; does not validate (see {@link parseEngineOptions}). */
export function resolveEngineOptions(o: EngineOptions = {}): ResolvedEngineOptions {
  return {
    targetRocm: o.targetRocm ?? DEFAULT_ENGINE_OPTIONS.targetRocm,
    includeComments: o.includeComments ?? DEFAULT_ENGINE_OPTIONS.includeComments,
    kernelLaunch: o.kernelLaunch ?? DEFAULT_ENGINE_OPTIONS.kernelLaunch,
    libraryTarget: o.libraryTarget ?? DEFAULT_ENGINE_OPTIONS.libraryTarget,
    experimental: o.experimental ?? DEFAULT_ENGINE_OPTIONS.experimental,
    offloadArch: o.offloadArch && o.offloadArch.length ? o.offloadArch : DEFAULT_ENGINE_OPTIONS.offloadArch,
  };
}

/** The engine options of `o` alone (a wider object such as the server's settings), every key kept. */
export function pickEngineOptions(o: ResolvedEngineOptions): ResolvedEngineOptions {
  return { targetRocm: o.targetRocm, includeComments: o.includeComments, kernelLaunch: o.kernelLaunch, libraryTarget: o.libraryTarget, experimental: o.experimental, offloadArch: o.offloadArch };
}

/**
 * Checks one engine option value from outside (a setting, a CLI flag, a request's params).
 * `targetRocm` accepts a version string ({@link ROCM_VERSION_RE}, trimmed) or a finite number
 * (`6.2` as JSON); the booleans only `true`/`false`; the enums only their words.
 * @returns the value, or `problem`: what was expected, for a message naming the key
 */
export function parseEngineOption<K extends keyof EngineOptions>(key: K, value: unknown): { value: Required<EngineOptions>[K] } | { problem: string } {
  type V = { value: Required<EngineOptions>[K] };
  switch (key) {
    case 'targetRocm':
      if (typeof value === 'string' && ROCM_VERSION_RE.test(value.trim())) return { value: value.trim() } as V;
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return { value: String(value) } as V;
      return { problem: `expected a version like "6.2", got ${JSON.stringify(value)}` };
    case 'includeComments':
    case 'experimental':
      if (typeof value === 'boolean') return { value } as V;
      return { problem: `expected true or false, got ${JSON.stringify(value)}` };
    case 'kernelLaunch':
      if (value === 'keep' || value === 'hip') return { value } as V;
      return { problem: `expected "keep" or "hip", got ${JSON.stringify(value)}` };
    case 'libraryTarget':
      if (value === 'hip' || value === 'roc') return { value } as V;
      return { problem: `expected "hip" or "roc", got ${JSON.stringify(value)}` };
    case 'offloadArch': {
      if (typeof value !== 'string' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) return { problem: `expected a list of AMD GPU targets, got ${JSON.stringify(value)}` };
      const { archs, problems } = parseOffloadArchList(value as string | string[]);
      if (problems.length) return { problem: problems.join('; ') };
      if (!archs.length) return { problem: 'expected at least one AMD GPU target (e.g. gfx90a, gfx1030)' };
      return { value: archs } as unknown as V;
    }
    default:
      return { problem: `unknown engine option` };
  }
}

/**
 * Reads engine options from an untrusted object (JSON from the wire, parsed flags): keeps the keys
 * of {@link ENGINE_OPTION_KEYS} whose values {@link parseEngineOption} accepts, ignores other keys,
 * and lists each rejected value in `problems` as `<label><key>: <why>`. Absent keys stay absent
 * (layer the result over defaults or settings). Never throws.
 * @param raw anything; a non-object yields `{}` and one problem (undefined and null yield none)
 * @param label prefix of problem messages, e.g. `hipPorter.` or `--`
 */
export function parseEngineOptions(raw: unknown, label = ''): { options: EngineOptions; problems: string[] } {
  const options: EngineOptions = {};
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { options, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { options, problems: [`${label.replace(/\.$/, '') || 'engine options'}: expected an object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`] };
  const r = raw as Record<string, unknown>;
  for (const key of ENGINE_OPTION_KEYS) {
    if (r[key] === undefined) continue;
    const p = parseEngineOption(key, r[key]);
    if ('problem' in p) problems.push(`${label}${key}: ${p.problem}`);
    else (options as Record<string, unknown>)[key] = p.value;
  }
  return { options, problems };
}
