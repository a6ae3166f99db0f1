/**
 * Architecture checks (family `arch`): compute-capability tests on device properties.
 * AMD devices report `major`/`minor` of their own (e.g. gfx90a reports 9.0), so NVIDIA feature
 * thresholds like `prop.major >= 7` select the wrong path. HIP's porting guide
 * ("Identifying architecture features", DOCS.archFeatures) tells to test `gcnArchName` or the
 * `hipDeviceProp_t::arch` feature flags (`hasSharedInt32Atomics`, `hasWarpShuffle`, ...) instead.
 * `__CUDA_ARCH__` comparisons are HP302 (rewrites.ts).
 *
 * Code: HP303.
 */
import { isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { DOCS, type Rule, type RuleCode } from './types';
import { isIdent, tt } from './util';

export const ARCH_CODES: readonly RuleCode[] = [
  { code: 'HP303', family: 'arch', defaultSeverity: 'warning', title: 'Compute-capability check on device properties (meaningless on AMD)', docs: DOCS.archFeatures },
];

const PROP_TYPES = ['cudaDeviceProp', 'hipDeviceProp_t', 'cudaDeviceProp_t'];
const CC_ATTRS = [
  'cudaDevAttrComputeCapabilityMajor',
  'cudaDevAttrComputeCapabilityMinor',
  'hipDeviceAttributeComputeCapabilityMajor',
  'hipDeviceAttributeComputeCapabilityMinor',
  'CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR',
  'CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR',
];

export const archRule: Rule = {
  id: 'arch',
  family: 'arch',
  codes: ARCH_CODES,
  run(ctx) {
    const t = ctx.tokens;
    // variables (and pointers/references) of a device-properties type, declared anywhere in the
    // file (a global, another function: names are matched file-wide), read once the window has a `.major`/`.minor`
    let props: Set<string> | undefined;
    const propVars = (): Set<string> => {
      if (props) return props;
      props = new Set<string>();
      for (const ty of PROP_TYPES) {
        for (const i of ctx.fileIdentsNamed(ty, { before: 0, after: 12 })) {
          let j = nextCode(t, i);
          while (j >= 0 && (isPunct(t, j, '*') || isPunct(t, j, '&') || isIdent(t, j, 'const'))) j = nextCode(t, j);
          if (isIdent(t, j)) props.add(tt(t, j));
        }
      }
      return props;
    };
    /** A reported `recv.major` / `recv.minor` at token `i` (field token). */
    const check = (i: number): boolean => {
      const dot = prevCode(t, i);
      if (!isPunct(t, dot, '.') && !isPunct(t, dot, '->')) return false;
      const recv = prevCode(t, dot);
      return isIdent(t, recv) && propVars().has(tt(t, recv)) && inCheck(t, recv, i);
    };
    // a `.minor` right after the file's last reported `.major` (`major * 10 + minor`) is not reported twice
    let lastMajor: number | undefined;
    const lastMajorInFile = (): number => {
      if (lastMajor !== undefined) return lastMajor;
      const all = ctx.fileIdentsNamed('major', { before: 5, after: 2 });
      lastMajor = -100;
      for (let k = all.length - 1; k >= 0; k--) {
        if (check(all[k]!)) {
          lastMajor = all[k]!;
          break;
        }
      }
      return lastMajor;
    };
    for (const field of ['major', 'minor']) {
      for (const i of ctx.identsNamed(field)) {
        if (!check(i)) continue;
        const recv = prevCode(t, prevCode(t, i));
        const dot = prevCode(t, i);
        if (field === 'minor') {
          const last = lastMajorInFile();
          if (i - last < 10 && i > last) continue;
        }
        ctx.report({
          code: 'HP303',
          message: `${tt(t, recv)}${tt(t, dot)}${field} compute-capability check: AMD GPUs report their own major/minor (gfx90a → 9.0), so NVIDIA thresholds pick the wrong path; test gcnArchName or the arch.hasXxx feature flags`,
          start: t.start[recv]!,
          end: t.end[i]!,
          status: 'hazard',
          library: 'runtime',
          cuda: `${field}`,
          hip: 'gcnArchName',
        });
      }
    }
    for (const a of CC_ATTRS) {
      for (const i of ctx.identsNamed(a)) {
        ctx.report({
          code: 'HP303',
          message: `${a}: AMD GPUs report their own compute capability (gfx90a → 9.0); NVIDIA thresholds are meaningless there, query hipDeviceProp_t::gcnArchName or feature attributes instead`,
          start: t.start[i]!,
          end: t.end[i]!,
          status: 'hazard',
          library: 'runtime',
          cuda: a,
          hip: 'gcnArchName',
        });
      }
    }
  },
};

/** True when `recv.field` (tokens `recv`..`f`) is compared or combined arithmetically (`>= 7`, `* 10 + minor`). */
function inCheck(t: Tokens, recv: number, f: number): boolean {
  const n = nextCode(t, f);
  const p = prevCode(t, recv);
  const ops = ['<', '>', '!', '*', '+', '?'];
  for (const o of ops) if (isPunct(t, n, o) || isPunct(t, p, o)) return true;
  if (isPunct(t, n, '=') && isPunct(t, nextCode(t, n), '=')) return true;
  if (isPunct(t, p, '=') && ['=', '<', '>', '!'].some((o) => isPunct(t, prevCode(t, p), o))) return true;
  // `switch (prop.major)` and `if (prop.major)`
  if (isPunct(t, p, '(') && isIdent(t, prevCode(t, p)) && ['switch', 'if'].includes(tt(t, prevCode(t, p)))) return true;
  return false;
}
