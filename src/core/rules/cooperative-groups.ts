/**
 * Cooperative groups (family `api`): the cooperative-groups API missing in the target. Run by the
 * gaps rule (./gaps.ts), which reports its code (HP109) once per file.
 */
import { PP, isPunct, nextCode, prevCode } from '../lexer';
import { compareVersions } from '../mappings';
import type { RuleContext } from './types';

/**
 * Cooperative-groups members and functions that ROCm 5.2's hip_cooperative_groups.h lacks (checked
 * against /usr/include/hip/amd_detail/amd_hip_cooperative_groups.h of Debian's libamdhip64-dev 5.2).
 * `member`: called as `.name(`; otherwise used as `name` after `cg::`/`cooperative_groups::` or bare.
 */
const CG_MISSING_IN_52: ReadonlyMap<string, { member: boolean; instead: string }> = new Map([
  ['meta_group_rank', { member: true, instead: 'thread_rank() / size() of the parent block tile, e.g. threadIdx.x / tile.size() for a 1-D block' }],
  ['meta_group_size', { member: true, instead: '(parent group size) / tile.size()' }],
  ['num_threads', { member: true, instead: 'size()' }],
  ['dim_threads', { member: true, instead: 'blockDim' }],
  ['labeled_partition', { member: false, instead: 'a hand-written partition with __ballot and __popcll' }],
  ['binary_partition', { member: false, instead: 'a hand-written partition with __ballot and __popcll' }],
  ['block_tile_memory', { member: false, instead: 'nothing (tiles up to the wavefront size need no extra memory)' }],
  ['reduce', { member: false, instead: 'a shuffle loop over the tile (tile.shfl_down)' }],
  ['inclusive_scan', { member: false, instead: 'a shuffle loop over the tile (tile.shfl_up)' }],
  ['exclusive_scan', { member: false, instead: 'a shuffle loop over the tile (tile.shfl_up)' }],
]);

/** The cooperative-groups names {@link cooperativeGroupsGaps} reads. */
export const CG_NAMES: readonly string[] = [...CG_MISSING_IN_52.keys()];

/** HP109: cooperative-groups API missing in the target (only for ROCm ≤ 5.2, where it was checked). */
export function cooperativeGroupsGaps(ctx: RuleContext): void {
  if (compareVersions(ctx.options.targetRocm, '5.3') >= 0) return;
  if (!ctx.fileHas('cooperative_groups')) return;
  const t = ctx.tokens;
  const aliases = new Set(['cooperative_groups', 'cg']);
  for (const [name, { member, instead }] of CG_MISSING_IN_52) {
    for (const i of ctx.identsNamed(name)) {
      if (t.pp[i] !== PP.None) continue;
      const p = prevCode(t, i);
      const n = nextCode(t, i);
      if (member) {
        if (p < 0 || !(isPunct(t, p, '.') || isPunct(t, p, '->')) || !isPunct(t, n, '(')) continue;
      } else {
        if (!isPunct(t, p, '::')) continue;
        const q = prevCode(t, p);
        if (q < 0 || !aliases.has(t.text.slice(t.start[q], t.end[q]))) continue;
      }
      ctx.report({
        code: 'HP109',
        message: `cooperative groups: ${name} is not in ROCm ${ctx.options.targetRocm}'s hip_cooperative_groups.h; use ${instead}`,
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'unsupported',
        library: 'device',
        cuda: `cooperative_groups::${name}`,
      });
    }
  }
}

