/**
 * CUB (family `api`): `cub::` qualifiers follow the header rewrite to hipCUB. Run by the api rule
 * (./api.ts), whose codes (HP101) it reports.
 */
import { Tok, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import type { RuleContext } from './types';

/**
 * `cub::X` → `hipcub::X` (and `using namespace cub;`): the headers rule rewrites <cub/...> to
 * <hipcub/hipcub.hpp>, whose API lives in namespace hipcub, so the qualifier must follow or the
 * port cannot compile. Source: hipCUB documentation (namespace hipcub mirrors cub). Skipped in a
 * file that itself defines `namespace cub` (CUB's own sources) and for `x::cub::` / `.cub::`.
 */
export function cubNamespace(ctx: RuleContext): void {
  const t = ctx.tokens;
  const occ = ctx.identsNamed('cub');
  if (!occ.length) return;
  // the file (any top-level item) defines namespace cub (or an alias): leave it alone
  for (const i of ctx.fileIdentsNamed('cub', { before: 2, after: 0 })) if (namespaceCub(t, i) === 'defines') return;
  const uses: number[] = [];
  for (const i of occ) {
    const p = prevCode(t, i);
    const kind = namespaceCub(t, i);
    if (kind === 'using') {
      uses.push(i);
      continue;
    }
    if (!isPunct(t, nextCode(t, i), '::')) continue;
    if (p >= 0 && (isPunct(t, p, '.') || isPunct(t, p, '->'))) continue;
    if (p >= 0 && isPunct(t, p, '::') && t.kind[prevCode(t, p)] === Tok.Ident) continue;
    uses.push(i);
  }
  for (const i of uses) {
    const s = t.start[i]!;
    const e = t.end[i]!;
    ctx.report({
      code: 'HP101',
      message: 'cub:: → hipcub:: (CUB, hipCUB namespace)',
      start: s,
      end: e,
      status: 'supported',
      library: 'cub',
      cuda: 'cub',
      hip: 'hipcub',
      fix: ctx.fix('Replace with hipcub', [{ start: s, end: e, newText: 'hipcub' }], true),
      docs: 'https://rocm.docs.amd.com/projects/hipCUB/en/latest/',
    });
  }
}

/** `cub` at token `i` after `namespace`: `using namespace cub` or a definition/alias of namespace cub; undefined otherwise. */
function namespaceCub(t: Tokens, i: number): 'using' | 'defines' | undefined {
  const p = prevCode(t, i);
  if (p < 0 || t.text.slice(t.start[p], t.end[p]) !== 'namespace') return undefined;
  const pp = prevCode(t, p);
  return pp >= 0 && t.text.slice(t.start[pp], t.end[pp]) === 'using' ? 'using' : 'defines';
}
