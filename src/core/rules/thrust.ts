/**
 * Thrust (family `api`): Thrust's CUDA system namespace becomes rocThrust's. Run by the api rule
 * (./api.ts), whose codes (HP101) it reports.
 */
import { isPunct, nextCode, prevCode } from '../lexer';
import type { RuleContext } from './types';

/**
 * `thrust::cuda::par` → `thrust::hip::par`: rocThrust names its system namespace hip (Thrust's
 * CUDA backend is thrust::cuda / thrust::cuda_cub). Only the `cuda` directly qualified by `thrust::`.
 */
export function thrustCudaNamespace(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('cuda')) {
    if (!isPunct(t, nextCode(t, i), '::')) continue;
    const p = prevCode(t, i);
    if (p < 0 || !isPunct(t, p, '::')) continue;
    const q = prevCode(t, p);
    if (q < 0 || t.text.slice(t.start[q], t.end[q]) !== 'thrust') continue;
    ctx.report({
      code: 'HP101',
      message: 'thrust::cuda:: → thrust::hip:: (rocThrust\'s system namespace)',
      start: t.start[i]!,
      end: t.end[i]!,
      status: 'supported',
      library: 'thrust',
      cuda: 'thrust::cuda',
      hip: 'thrust::hip',
      fix: ctx.fix('Use thrust::hip', [{ start: t.start[i]!, end: t.end[i]!, newText: 'hip' }], true),
      docs: 'https://rocm.docs.amd.com/projects/rocThrust/en/latest/',
    });
  }
}
