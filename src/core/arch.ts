/**
 * AMD GPU targets (`--offload-arch` names) and their wavefront width.
 *
 * Facts:
 * - GCN and CDNA GPUs (gfx7, gfx8, gfx9: gfx906, gfx908, gfx90a, gfx940..gfx942, gfx950) execute
 *   64-lane wavefronts; RDNA GPUs (gfx10, gfx11, gfx12: gfx1030, gfx1100, gfx1201, ...) execute
 *   32-lane wavefronts by default (wave64 only with `-mwavefrontsize64`). Sources: LLVM
 *   "User Guide for AMDGPU Backend" (llvm.org/docs/AMDGPUUsage.html, processor table and the
 *   `wavefrontsize64` target feature) and AMD "HIP programming model" (rocm.docs.amd.com,
 *   HIP/en/latest/understand/programming_model.html: "warpSize ... 64 on CDNA, 32 on RDNA").
 * - hip-clang defines `__GFX9__` (resp. `__GFX10__`, `__GFX11__`, `__GFX12__`) in the device
 *   compilation for each target, which gives a per-architecture compile-time width.
 */

/** The default targets a port is judged on: one CDNA (wave64) and one RDNA (wave32) GPU. */
export const DEFAULT_OFFLOAD_ARCH: readonly string[] = ['gfx90a', 'gfx1030'];

/** A wavefront width in lanes. */
export type WaveSize = 32 | 64;

/**
 * `gfx` target names with optional feature suffixes (`gfx90a:xnack+`) and the generic targets of
 * LLVM 19+ (`gfx9-generic`, `gfx10-3-generic`, `gfx11-generic`, `gfx12-generic`).
 */
const ARCH_RE = /^gfx(?:[0-9]{1,2}[0-9a-f]{2}|[0-9]{1,2}(?:-[0-9])?-generic)(?::[a-z0-9-]+[+-])*$/i;

/**
 * Wavefront width of an `--offload-arch` name: 64 for gfx7/gfx8/gfx9 (GCN, CDNA), 32 for gfx10,
 * gfx11, gfx12 (RDNA). Feature suffixes after `:` are ignored. Returns undefined for a name that
 * is not an AMD `gfx` target (e.g. `sm_80`).
 */
export function waveSizeOf(arch: string): WaveSize | undefined {
  const m = /^gfx([0-9]+)/i.exec(arch.trim());
  if (!m) return undefined;
  const digits = m[1]!;
  // gfx900..gfx90c, gfx940..: the generation is the leading digit for 3-digit names, the leading
  // two for 4-digit ones (gfx1030); generic names carry the generation alone (gfx9-generic)
  const generic = /-generic/i.test(arch);
  const gen = generic ? Number(digits) : digits.length >= 4 ? Number(digits.slice(0, 2)) : Number(digits[0]);
  if (gen >= 10) return 32;
  if (gen >= 7) return 64;
  return undefined;
}

/** The wavefront widths of a list of targets (unknown names count as neither). */
export function waveSizesOf(archs: readonly string[]): Set<WaveSize> {
  const out = new Set<WaveSize>();
  for (const a of archs) {
    const w = waveSizeOf(a);
    if (w) out.add(w);
  }
  return out;
}

/**
 * Parses an `--offload-arch` list: an array of names, or one string separated by commas,
 * semicolons (CMake's list form) or spaces (`"gfx90a,gfx1030"`, `"gfx90a;gfx1030"`). Blank items are dropped. `problems` names every item that is not an AMD
 * `gfx` target (those are dropped from `archs`); never throws.
 */
export function parseOffloadArchList(v: readonly string[] | string): { archs: string[]; problems: string[] } {
  const items = (typeof v === 'string' ? v.split(/[,;\s]+/) : [...v]).map((s) => s.trim()).filter((s) => s !== '');
  const archs: string[] = [];
  const problems: string[] = [];
  for (const a of items) {
    if (ARCH_RE.test(a) && waveSizeOf(a)) archs.push(a);
    else problems.push(`'${a}' is not an AMD GPU target (expected a name like gfx90a, gfx942, gfx1030, gfx1100)`);
  }
  return { archs, problems };
}

/** "wave64 (gfx90a)" / "wave32 (gfx1030, gfx1100)": the configured targets of one width, for messages. */
export function describeWave(w: WaveSize, archs: readonly string[]): string {
  const names = archs.filter((a) => waveSizeOf(a) === w);
  if (names.length) return `wave${w} (${names.join(', ')})`;
  return w === 64 ? 'wave64 (CDNA, gfx9)' : 'wave32 (RDNA, gfx10-gfx12)';
}
