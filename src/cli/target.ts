/**
 * The one rule for the ROCm version a CLI run targets, shared by `scan` and `port` so their
 * numbers agree with what the installed compiler accepts:
 * 1. `--target-rocm V` when given;
 * 2. else the HIP version of the installed hipcc, when one is found (see `installedHipVersion`:
 *    `hip/hip_version.h` beside it, nothing is run);
 * 3. else {@link DEFAULT_TARGET_ROCM}.
 * Every report prints the choice and why ({@link describeTarget}).
 */
import { installedHipVersion } from '../core/build/index';
import { DEFAULT_TARGET_ROCM } from '../core/findings';

/** A resolved target and where it came from. */
export interface TargetChoice {
  /** ROCm/HIP version as `major.minor[.patch]`, e.g. `5.2`, `6.2.0`. */
  rocm: string;
  /** `option`: --target-rocm; `hipcc`: the installed hipcc's HIP version; `default`: neither. */
  source: 'option' | 'hipcc' | 'default';
  /** Human detail: the hipcc and header the version was read from, or why the default applies. */
  detail: string;
}

/**
 * Resolves the target (see the module comment). `explicit` is the `--target-rocm` value;
 * `env` supplies PATH, HIP_PATH and ROCM_PATH for the hipcc lookup. Never throws.
 */
export function resolveTargetRocm(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): TargetChoice {
  if (explicit) return { rocm: explicit, source: 'option', detail: '--target-rocm' };
  const hip = installedHipVersion(env);
  if (hip) return { rocm: hip.version, source: 'hipcc', detail: `the installed hipcc, ${hip.hipcc}` };
  return { rocm: DEFAULT_TARGET_ROCM, source: 'default', detail: 'the default: no hipcc found on PATH, HIP_PATH or ROCM_PATH' };
}

/** The choice for options that were not resolved by the CLI (direct callers of runScan/runPort). */
export function targetOfOptions(o: { targetRocm?: string | undefined; target?: TargetChoice | undefined }): TargetChoice {
  if (o.target) return o.target;
  return o.targetRocm ? { rocm: o.targetRocm, source: 'option', detail: '--target-rocm' } : { rocm: DEFAULT_TARGET_ROCM, source: 'default', detail: 'the default' };
}

/** One line: `ROCm 5.2 (from the installed hipcc, /usr/bin/hipcc; --target-rocm V to change)`. */
export function describeTarget(t: TargetChoice): string {
  if (t.source === 'option') return `ROCm ${t.rocm} (from --target-rocm)`;
  return `ROCm ${t.rocm} (from ${t.detail}; --target-rocm V to change)`;
}
