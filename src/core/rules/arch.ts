/**
 * Architecture checks (family `arch`): compute-capability tests on device properties.
 * AMD devices report `major`/`minor` of their own (e.g. gfx90a reports 9.0), so NVIDIA feature
 * thresholds like `prop.major >= 7` select the wrong path. HIP's porting guide
 * ("Identifying architecture features", DOCS.archFeatures) tells to test `gcnArchName` or the
 * `hipDeviceProp_t::arch` feature flags (`hasSharedInt32Atomics`, `hasWarpShuffle`, ...) instead.
 * `__CUDA_ARCH__` comparisons are HP302 ({@link cudaArchRule} at the end of this file).
 *
 * Codes: HP303; HP305 (rule `arch-guards`): a kernel or device function whose whole body sits in
 * a preprocessor branch hip-clang never compiles for AMD (`#if __CUDA_ARCH__ >= 530` without a
 * non-empty `#else`): on AMD it compiles to an empty body (lc0's HIP port met this in
 * fp16_kernels: `SE_Layer_NHWC` under `#if __CUDA_ARCH__ >= 530`).
 */
import { PP, Tok, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { isDeviceFunction, isIdent, namespaceFunctions, tokenText, type FnDef } from './util';
import { branchTaken, conditionals, directiveText, relevantItemText, takenInstead, type Branch } from './preprocessor';

export const ARCH_CODES: readonly RuleCode[] = [
  { code: 'HP303', family: 'arch', defaultSeverity: 'warning', title: 'Compute-capability check on device properties (meaningless on AMD)', docs: DOCS.archFeatures },
];

export const ARCH_GUARD_CODES: readonly RuleCode[] = [
  { code: 'HP305', family: 'arch', defaultSeverity: 'error', title: 'Kernel body only in a branch AMD never compiles (empty kernel on AMD)', docs: DOCS.identifyingHip },
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

/**
 * HP303, severity by consequence (issue 16). A test on `major`/`minor` of a device-properties
 * variable is judged with its threshold ({@link judgeCcTest}): when every NVIDIA GPU CUDA 13
 * supports (sm_75 and later) gets the same outcome, and every configured `--offload-arch` GPU (as
 * the compute capability it reports, {@link reportedComputeCapability}) gets that outcome too, the
 * test only rejects legacy GPUs (`major < 2`, `(major << 4) + minor < 0x35`, `major < 7`): AMD
 * takes the path every current NVIDIA GPU takes, information. A test that tells current NVIDIA
 * generations apart (`major >= 9`: gfx90a reports 9, the Hopper collision; `major >= 8` for TF32,
 * `major * 10 + minor >= 80`) picks one generation's path on AMD, and one that cannot be read
 * (other names in it, `switch`, a value stored for later): warning, as before. One finding
 * per file, at the first test that is a warning (all legacy: at the first test, as information).
 */
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
          if (isIdent(t, j)) props.add(tokenText(t, j));
        }
      }
      return props;
    };
    /** A reported `recv.major` / `recv.minor` at token `i` (field token). */
    const check = (i: number): boolean => {
      const dot = prevCode(t, i);
      if (!isPunct(t, dot, '.') && !isPunct(t, dot, '->')) return false;
      const recv = prevCode(t, dot);
      return isIdent(t, recv) && propVars().has(tokenText(t, recv)) && inCheck(t, recv, i);
    };
    // One finding per file for each kind of check (a file often tests the capability in many
    // places; the first is reported, the others are its related information). The checks are
    // read file-wide through fileIdentsNamed, so an edit to any of them re-runs the rule.
    const inWindow = (i: number): boolean => i >= ctx.firstToken && i < ctx.endToken;
    const message = 'compute-capability check: AMD GPUs report their own major/minor (gfx90a and gfx94x report 9, the same as Hopper sm_90; gfx1030 reports 10), so NVIDIA thresholds pick NVIDIA-only paths on AMD; test gcnArchName or the arch.hasXxx feature flags';
    if (ctx.identsNamed('major').length || ctx.identsNamed('minor').length) {
      // whole statements: the test's threshold decides its severity (see HP303 below)
      const majors = ctx.fileIdentsNamed('major').filter(check);
      // a `.minor` within a few tokens after a reported `.major` (`major * 10 + minor`) is the same check
      const minors = ctx.fileIdentsNamed('minor').filter(check).filter((m) => !majors.some((j) => m > j && m - j < 10));
      const all = [...majors, ...minors].sort((x, y) => x - y);
      const verdicts = new Map(all.map((k) => [k, judgeCcTest(t, k, ctx.options.offloadArch)] as const));
      // the finding sits at the first test that matters (all legacy: at the first test, as information)
      const first = all.find((k) => verdicts.get(k)!.kind !== 'legacy') ?? all[0];
      if (first !== undefined && inWindow(first)) {
        const recv = prevCode(t, prevCode(t, first));
        const dot = prevCode(t, first);
        const others = all.filter((k) => k !== first);
        const more = others.length;
        const v = verdicts.get(first)!;
        const legacy = v.kind === 'legacy';
        ctx.report({
          code: 'HP303',
          message: legacy
            ? `${tokenText(t, recv)}${tokenText(t, dot)}${tokenText(t, first)} compute-capability check with the same outcome on every GPU CUDA 13 supports and on every configured AMD GPU (${ctx.options.offloadArch.join(', ')}): AMD takes the path current NVIDIA GPUs take (it only rejects legacy GPUs); for feature tests use gcnArchName or the arch.hasXxx flags${more ? ` (${more} more such check${more === 1 ? '' : 's'} in this file, see related)` : ''}`
            : `${tokenText(t, recv)}${tokenText(t, dot)}${tokenText(t, first)} ${message}${v.amd ? `; this test is ${v.amd}` : ''}${more ? ` (${more} more such check${more === 1 ? '' : 's'} in this file, see related)` : ''}`,
          severity: legacy ? 'information' : 'warning',
          start: t.start[recv]!,
          end: t.end[first]!,
          status: 'hazard',
          library: 'runtime',
          cuda: tokenText(t, first),
          hip: 'gcnArchName',
          ...(more
            ? {
                related: others.slice(0, 20).map((k) => ({
                  start: t.start[prevCode(t, prevCode(t, k))]!,
                  end: t.end[k]!,
                  message: verdicts.get(k)!.kind === 'legacy' ? 'another compute-capability check (a legacy threshold every configured AMD GPU passes like current NVIDIA GPUs)' : 'another compute-capability check',
                })),
              }
            : {}),
        });
      }
    }
    if (CC_ATTRS.some((a) => ctx.identsNamed(a).length)) {
      // the statement: the `&var` the query fills (judgeAttrQueries follows the variable's uses)
      const all = CC_ATTRS.flatMap((a) => ctx.fileIdentsNamed(a)).sort((x, y) => x - y);
      const first = all[0];
      if (first !== undefined && inWindow(first)) {
        const a = tokenText(t, first);
        const more = all.length - 1;
        const v = judgeAttrQueries(ctx, all);
        const legacy = v.kind === 'legacy';
        ctx.report({
          code: 'HP303',
          severity: legacy ? 'information' : 'warning',
          message: legacy
            ? `${a}: the compute capability read here is only displayed, or tested with the same outcome on every GPU CUDA 13 supports and on every configured AMD GPU (${ctx.options.offloadArch.join(', ')}), so AMD takes the path current NVIDIA GPUs take; AMD GPUs report their own values (gfx90a: 9.0, gfx1030: 10.3)${more ? ` (${more} more in this file, see related)` : ''}`
            : `${a}: AMD GPUs report their own compute capability (gfx90a and gfx94x report major 9, like Hopper); NVIDIA thresholds are meaningless there, query hipDeviceProp_t::gcnArchName or feature attributes instead${v.amd ? `; the test is ${v.amd}` : ''}${more ? ` (${more} more in this file, see related)` : ''}`,
          start: t.start[first]!,
          end: t.end[first]!,
          status: 'hazard',
          library: 'runtime',
          cuda: a,
          hip: 'gcnArchName',
          ...(more ? { related: all.slice(1, 21).map((k) => ({ start: t.start[k]!, end: t.end[k]!, message: 'another compute-capability query' })) } : {}),
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
  if (isPunct(t, p, '(') && isIdent(t, prevCode(t, p)) && ['switch', 'if'].includes(tokenText(t, prevCode(t, p)))) return true;
  return false;
}

/**
 * The compute capability an AMD GPU reports as `hipDeviceProp_t::major`/`minor` for an
 * `--offload-arch` name: its ISA version's major and minor (gfx90a → 9.0, gfx942 → 9.4, gfx1030 →
 * 10.3, gfx1100 → 11.0; the last hex digit is the stepping). Source: ROCm/clr
 * hipamd/src/hip_device.cpp (`deviceProps.major = isa().versionMajor()`, `minor = versionMinor()`)
 * and the processor table of LLVM's AMDGPU user guide. Undefined for generic or unknown names.
 */
export function reportedComputeCapability(arch: string): [number, number] | undefined {
  const m = /^gfx([0-9]{1,2})([0-9a-f])([0-9a-f])(?::|$)/i.exec(arch.trim());
  return m ? [Number(m[1]), Number.parseInt(m[2]!, 16)] : undefined;
}

/**
 * Compute capabilities of the NVIDIA GPUs CUDA 13.0 compiles for (`nvcc --list-gpu-arch` of CUDA
 * 13.0.88: compute_75 .. compute_121; CUDA 13 dropped Maxwell, Pascal and Volta): a check whose
 * outcome is the same for all of them only tells apart GPUs no current CUDA supports.
 */
const NVIDIA_CC: ReadonlyArray<[number, number]> = [
  [7, 5], [8, 0], [8, 6], [8, 7], [8, 8], [8, 9], [9, 0], [10, 0], [10, 3], [11, 0], [12, 0], [12, 1],
];

/**
 * Evaluates a compute-capability test written with `M` (major) and `m` (minor): integers (decimal
 * or hex), `! - * / + - << >> < > <= >= == != && || ( )`. Returns a function of (major, minor),
 * or undefined when the text holds anything else or no comparison (then the test cannot be judged).
 */
export function ccPredicate(expr: string): ((major: number, minor: number) => boolean) | undefined {
  const toks = expr.match(/0[xX][0-9a-fA-F]+|\d+[uUlL]*|<<|>>|<=|>=|==|!=|&&|\|\||[Mm]|[-+*/<>!()]|\S/g) ?? [];
  if (!toks.length || !toks.some((x) => /^(?:<|>|<=|>=|==|!=)$/.test(x))) return undefined;
  if (toks.some((x) => !/^(?:0[xX][0-9a-fA-F]+|\d+[uUlL]*|<<|>>|<=|>=|==|!=|&&|\|\||[Mm]|[-+*/<>!()])$/.test(x))) return undefined;
  const LEVELS: ReadonlyArray<readonly string[]> = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/']];
  return (M, m) => {
    let p = 0;
    let bad = false;
    const unary = (): number => {
      const x = toks[p++];
      if (x === '!') return unary() ? 0 : 1;
      if (x === '-') return -unary();
      if (x === '(') {
        const v = level(0);
        if (toks[p++] !== ')') bad = true;
        return v;
      }
      if (x === 'M') return M;
      if (x === 'm') return m;
      if (x !== undefined && /^\d|^0[xX]/.test(x)) return Number.parseInt(x.replace(/[uUlL]+$/, ''), /^0[xX]/.test(x) ? 16 : 10);
      bad = true;
      return 0;
    };
    const level = (k: number): number => {
      if (k === LEVELS.length) return unary();
      let l = level(k + 1);
      while (p < toks.length && LEVELS[k]!.includes(toks[p]!)) {
        const op = toks[p++]!;
        const r = level(k + 1);
        // prettier-ignore
        l = op === '||' ? +(!!l || !!r) : op === '&&' ? +(!!l && !!r) : op === '==' ? +(l === r) : op === '!=' ? +(l !== r)
          : op === '<' ? +(l < r) : op === '>' ? +(l > r) : op === '<=' ? +(l <= r) : op === '>=' ? +(l >= r)
          : op === '<<' ? l << r : op === '>>' ? l >> r : op === '+' ? l + r : op === '-' ? l - r : op === '*' ? l * r : r ? Math.trunc(l / r) : 0;
      }
      return l;
    };
    const v = level(0);
    if (bad || p !== toks.length) throw new Error('not a compute-capability test');
    return v !== 0;
  };
}

/** How a compute-capability test behaves on AMD: `legacy` (same outcome as every GPU CUDA 13 supports), `splits` (it tells NVIDIA generations apart), or `unknown`. */
interface CcVerdict {
  kind: 'legacy' | 'splits' | 'unknown';
  /** For `splits`: e.g. "true on gfx90a (9.0), gfx1030 (10.3)". */
  amd?: string;
}

/** `recv.major` / `recv->minor` → M / m. */
function propSubst(text: string): string {
  return text.replace(/[A-Za-z_]\w*\s*(?:\.|->)\s*major\b/g, 'M').replace(/[A-Za-z_]\w*\s*(?:\.|->)\s*minor\b/g, 'm');
}

/** Calls whose arguments only display a value (a use there decides no path). */
const DISPLAY_CALL = /print|log|format|puts|cout|cerr|str/i;

/**
 * Judges the variables a compute-capability attribute query fills (`cudaDeviceGetAttribute(&major,
 * cudaDevAttrComputeCapabilityMajor, dev)`, the driver API's `cuDeviceGetAttribute`): every use of
 * them in the file is a test judged like {@link judgeCcTest} (the variable as M or m), a display
 * argument (`printf("%d.%d", major, minor)`), or unknown (stored, passed on, combined: then the test
 * cannot be followed). `legacy` when every test is legacy and nothing is unknown (also when the
 * values are only displayed).
 */
function judgeAttrQueries(ctx: RuleContext, queries: readonly number[]): CcVerdict {
  const t = ctx.tokens;
  const vars = new Map<string, 'M' | 'm'>();
  for (const k of queries) {
    const comma = prevCode(t, k);
    const v = prevCode(t, comma);
    const amp = prevCode(t, v);
    if (!isPunct(t, comma, ',') || !isIdent(t, v) || !isPunct(t, amp, '&')) return { kind: 'unknown' };
    vars.set(tokenText(t, v), /MINOR|Minor$/.test(tokenText(t, k)) ? 'm' : 'M');
  }
  const subst = (text: string): string => {
    let out = text;
    for (const [name, as] of vars) out = out.replace(new RegExp(`\\b${name}\\b`, 'g'), as);
    return out;
  };
  let result: CcVerdict = { kind: 'legacy' };
  for (const name of vars.keys()) {
    for (const i of ctx.fileIdentsNamed(name)) {
      const p = prevCode(t, i);
      // the query's own `&major`, and declarations (`int major = 0;`)
      if (isPunct(t, p, '&') || (isIdent(t, p) && /^(?:int|unsigned|long|short|auto|const)$/.test(tokenText(t, p)))) continue;
      // a write (`major = 0`, `int major = 0, minor = 0;`, `int major, minor;`): decides nothing
      const n = nextCode(t, i);
      if ((isPunct(t, n, '=') && !isPunct(t, nextCode(t, n), '=')) || (isPunct(t, p, ',') && (isPunct(t, n, ',') || isPunct(t, n, ';')))) continue;
      const v = judgeCcTest(t, i, ctx.options.offloadArch, subst);
      if (v.kind === 'splits') return v;
      if (v.kind === 'legacy') continue;
      // a display argument: the nearest unmatched `(` belongs to a printing call, or a stream `<<`
      let depth = 0;
      let callee = '';
      for (let k = p, n = 0; k >= 0 && n < 40; k = prevCode(t, k), n++) {
        if (isPunct(t, k, ')')) depth++;
        else if (isPunct(t, k, '(')) {
          if (depth-- === 0) {
            const c = prevCode(t, k);
            callee = isIdent(t, c) ? tokenText(t, c) : '';
            break;
          }
        } else if (depth === 0 && (isPunct(t, k, ';') || isPunct(t, k, '{') || isPunct(t, k, '}'))) break;
      }
      const stream = tokenText(t, p) === '<<' || tokenText(t, nextCode(t, i)) === '<<';
      if (DISPLAY_CALL.test(callee) || stream) continue;
      result = { kind: 'unknown' };
    }
  }
  return result;
}

/**
 * Judges the test around the `.major`/`.minor` field at token `f` (receiver `recv`): the
 * expression from the enclosing `(`, `=`, `return`, `,` or statement start to the matching end,
 * with `recv.major`/`recv.minor` as M/m. Reads only tokens of that statement.
 */
function judgeCcTest(t: Tokens, f: number, archs: readonly string[], subst: (text: string) => string = propSubst): CcVerdict {
  let a = f;
  let depth = 0;
  for (let k = prevCode(t, f), n = 0; k >= 0 && n < 60; k = prevCode(t, k), n++) {
    if (isPunct(t, k, ')')) depth++;
    else if (isPunct(t, k, '(')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (isPunct(t, k, ';') || isPunct(t, k, '{') || isPunct(t, k, '}') || isPunct(t, k, ',') || isPunct(t, k, '?') || isIdent(t, k, 'return'))) break;
    else if (depth === 0 && isPunct(t, k, '=') && !['=', '<', '>', '!'].some((o) => isPunct(t, prevCode(t, k), o)) && !isPunct(t, nextCode(t, k), '=')) break;
    a = k;
  }
  let b = f;
  depth = 0;
  for (let k = nextCode(t, f), n = 0; k >= 0 && n < 60; k = nextCode(t, k), n++) {
    if (isPunct(t, k, '(')) depth++;
    else if (isPunct(t, k, ')')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (isPunct(t, k, ';') || isPunct(t, k, '{') || isPunct(t, k, '}') || isPunct(t, k, ',') || isPunct(t, k, '?') || isPunct(t, k, ':'))) break;
    b = k;
  }
  const pred = ccPredicate(subst(t.text.slice(t.start[a], t.end[b])));
  if (!pred) return { kind: 'unknown' };
  try {
    const nv = new Set(NVIDIA_CC.map(([M, m]) => pred(M, m)));
    const amd = archs.map((x) => [x, reportedComputeCapability(x)] as const).filter((x): x is readonly [string, [number, number]] => !!x[1]);
    if (!amd.length) return { kind: 'unknown' };
    const outcomes = amd.map(([x, [M, m]]) => ({ x, M, m, v: pred(M, m) }));
    if (nv.size === 1 && outcomes.every((o) => o.v === [...nv][0])) return { kind: 'legacy' };
    return { kind: 'splits', amd: outcomes.map((o) => `${o.v} on ${o.x} (${o.M}.${o.m})`).join(', ') };
  } catch {
    return { kind: 'unknown' };
  }
}

/**
 * HP305: a `__global__`/`__device__` function whose every statement sits in a preprocessor branch
 * hip-clang never compiles for AMD (./preprocessor.ts), with no code in the branch AMD takes
 * instead. `file` scope: the branch structure is read from directive lines anywhere in the file
 * (only the chains AMD skips are looked at).
 */
export const archGuardsRule: Rule = {
  id: 'arch-guards',
  family: 'arch',
  codes: ARCH_GUARD_CODES,
  scope: 'file',
  // a body can only be hidden by directives inside it, so only items holding a preprocessor line matter
  signature: (t, first, end) => relevantItemText(t, first, end, (i) => t.kind[i] === Tok.Directive),
  run(ctx) {
    const t = ctx.tokens;
    // cheap exit: only `#if`s that name a macro AMD never defines can hide a body
    if (!['__CUDA_ARCH__', '__PTX__', '__NVCC__', '__HIP_PLATFORM_NVIDIA__', '__HIP_PLATFORM_NVCC__', '__HIP_PLATFORM_AMD__'].some((n) => ctx.identsNamed(n).length)) return;
    for (const [hidden, fn] of hiddenBodies(ctx)) {
      const what = fn.global ? 'kernel' : 'device function';
      ctx.report({
        code: 'HP305',
        message: `${what} '${fn.name}' has its whole body under ${directiveText(t, hidden)}, which hip-clang never takes for AMD${/__CUDA_ARCH__/.test(hidden.cond) ? ' (it does not define __CUDA_ARCH__)' : ''}: on AMD it compiles to an empty body and silently does nothing`,
        start: t.start[hidden.dir]!,
        end: hidden.bodyStart - 1 > t.start[hidden.dir]! ? Math.min(hidden.bodyStart - 1, t.text.length) : t.end[hidden.dir]!,
        status: 'hazard',
        cuda: fn.name,
        related: [{ start: t.start[fn.nameTok]!, end: t.end[fn.nameTok]!, message: `the ${what} whose body is lost on AMD` }],
        ...guardFix(ctx, hidden),
      });
    }
  },
};

/**
 * The `__global__`/`__device__` functions of the file whose whole body sits in preprocessor
 * branches hip-clang never takes for AMD, by the branch that hides them (HP305; HP302 leaves the
 * error to it). Reads directive lines and function bodies.
 */
function hiddenBodies(ctx: RuleContext): Map<Branch, FnDef> {
  const t = ctx.tokens;
  const out = new Map<Branch, FnDef>();
  const cs = conditionals(ctx);
  if (!cs.chains.some((c) => c.branches.some((b) => b.amd === false))) return out;
  // bodies of the branches AMD never takes, sorted by start (a token inside one is never compiled)
  const skipped = cs.chains
    .flatMap((c) => c.branches)
    .filter((b) => branchTaken(cs, b) === false)
    .sort((x, y) => x.bodyStart - y.bodyStart);
  for (const fn of namespaceFunctions(ctx)) {
    if (fn.close >= t.count || !isDeviceFunction(ctx, fn)) continue;
    const from = t.start[fn.open]!;
    const to = t.start[fn.close]!;
    // branches whose directive sits inside this body (a function wrapped whole in a file-level
    // #if is not compiled at all on AMD: a missing kernel, not an empty one)
    const near = skipped.filter((b) => t.start[b.dir]! > from && b.bodyStart < to && b.end > from);
    if (!near.length) continue;
    let code = 0;
    let hidden: Branch | undefined;
    let compiled = false;
    for (let k = fn.open + 1; k < fn.close; k++) {
      if (t.kind[k] === Tok.Comment || t.kind[k] === Tok.Directive || t.pp[k] !== PP.None) continue;
      code++;
      const o = t.start[k]!;
      const b = near.find((x) => o >= x.bodyStart && o < x.end);
      if (!b) {
        compiled = true;
        break;
      }
      hidden ??= b;
    }
    if (compiled || !code || !hidden) continue;
    if (!out.has(hidden)) out.set(hidden, fn);
  }
  return out;
}

/** `#if COND` → `#if defined(__HIP_PLATFORM_AMD__) || (COND)` (CUDA keeps its behaviour, AMD compiles the body). */
function guardFix(ctx: RuleContext, b: Branch): { fix?: ReturnType<RuleContext['fix']> } {
  const t = ctx.tokens;
  if (b.kind !== 'if' && b.kind !== 'ifdef') return {};
  const cond = b.kind === 'ifdef' ? `defined(${b.cond.split(/\s+/)[0]})` : `(${b.cond})`;
  const lineEnd = t.text.indexOf('\n', t.end[b.dir]!);
  const end = lineEnd < 0 ? t.text.length : t.text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
  if (t.text.slice(t.end[b.dir], end).includes('\\')) return {};
  return { fix: ctx.fix('Compile the body on AMD too', [{ start: t.start[b.dir]!, end, newText: `#if defined(__HIP_PLATFORM_AMD__) || ${cond}` }], false) };
}

// ---- __CUDA_ARCH__ and CUDA toolkit version macros (HP301, HP302, HP304) ----

/** Codes of {@link cudaArchRule}. */
export const CUDA_ARCH_CODES: readonly RuleCode[] = [
  { code: 'HP301', family: 'arch', defaultSeverity: 'information', title: '__CUDA_ARCH__ used to detect device compilation', docs: DOCS.identifyingHip },
  { code: 'HP304', family: 'arch', defaultSeverity: 'warning', title: 'CUDA toolkit version macro (undefined under HIP)', docs: DOCS.identifyingHip },
];

/** `#ifdef __CUDA_ARCH__` / `defined(__CUDA_ARCH__)` → `__HIP_DEVICE_COMPILE__` (HP301) and CUDA toolkit version macros (HP304) reported; numeric `__CUDA_ARCH__` comparisons (HP302) are {@link cudaArchBranchRule}'s. */
export const cudaArchRule: Rule = {
  id: 'cuda-arch',
  family: 'arch',
  codes: CUDA_ARCH_CODES,
  run(ctx) {
    cudaArch(ctx);
    cudaVersionMacros(ctx);
  },
};

/**
 * HP301: `defined(__CUDA_ARCH__)` / `#ifdef __CUDA_ARCH__` → `__HIP_DEVICE_COMPILE__`, an auto-fix the
 * translator applies. Severity by consequence (issue 16): information. After the rewrite the test
 * means what it meant under nvcc (true in the device pass only), so nothing goes wrong on AMD once
 * ported; the branch that pass compiles is judged by HP302/HP305 and the asm rule.
 */
function cudaArch(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('__CUDA_ARCH__')) {
    const s = t.start[i]!;
    const e = t.end[i]!;
    const p = prevCode(t, i);
    const pp = prevCode(t, p);
    const existence =
      t.pp[i] === PP.Ifdef ||
      (p >= 0 && t.kind[p] === Tok.Ident && t.text.slice(t.start[p], t.end[p]) === 'defined') ||
      (p >= 0 && isPunct(t, p, '(') && pp >= 0 && t.text.slice(t.start[pp], t.end[pp]) === 'defined');
    if (existence) {
      ctx.report({
        code: 'HP301',
        message: 'hip-clang does not define __CUDA_ARCH__ on AMD: use __HIP_DEVICE_COMPILE__ to detect device compilation',
        start: s,
        end: e,
        status: 'hazard',
        cuda: '__CUDA_ARCH__',
        hip: '__HIP_DEVICE_COMPILE__',
        fix: ctx.fix('Use __HIP_DEVICE_COMPILE__', [{ start: s, end: e, newText: '__HIP_DEVICE_COMPILE__' }], true),
      });
    }
  }
}

/** True when `__CUDA_ARCH__` at token `i` is an existence test (`#ifdef`, `defined X`, `defined(X)`): HP301, not a comparison. */
function archExistenceTest(t: Tokens, i: number): boolean {
  const p = prevCode(t, i);
  const pp = prevCode(t, p);
  return (
    t.pp[i] === PP.Ifdef ||
    (p >= 0 && t.kind[p] === Tok.Ident && t.text.slice(t.start[p], t.end[p]) === 'defined') ||
    (p >= 0 && isPunct(t, p, '(') && pp >= 0 && t.text.slice(t.start[pp], t.end[pp]) === 'defined')
  );
}

/** Codes of {@link cudaArchBranchRule}. */
export const CUDA_ARCH_BRANCH_CODES: readonly RuleCode[] = [
  { code: 'HP302', family: 'arch', defaultSeverity: 'warning', title: '__CUDA_ARCH__ compute-capability comparison', docs: DOCS.identifyingHip },
];

/** True when `[a, b)` of `text` holds code (anything but whitespace and comments). */
function hasCode(text: string, a: number, b: number): boolean {
  return /\S/.test(text.slice(a, b).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''));
}

/**
 * HP302, numeric `__CUDA_ARCH__` comparisons, severity by consequence (issue 16). hip-clang leaves
 * `__CUDA_ARCH__` undefined, so in `#if` it is 0 (./preprocessor.ts):
 * - the comparison's branch is compiled on AMD (`#if __CUDA_ARCH__ < 530`): AMD takes the path of
 *   GPUs older than the threshold: warning;
 * - it is skipped and AMD compiles a non-empty `#elif`/`#else` of the same chain: that is the
 *   fallback every other NVIDIA architecture uses, so the code is portable as written:
 *   information, naming the branch AMD compiles (llm.c's `#if __CUDA_ARCH__ == 800 || ... #else
 *   #define MAX_1024_THREADS_BLOCKS 1`);
 * - it is skipped and nothing replaces it (no `#else`, or an empty one): the code is dropped on
 *   AMD: warning; information when what is dropped is a whole kernel or device-function body,
 *   which HP305 reports as an error (one finding for the cause; lc0's fp16_kernels had both);
 * - elsewhere (in code, or an undecidable condition): warning, as before.
 * The chain's other branches can sit in other top-level items, so the rule has `file` scope; its
 * signature keeps it from re-running after edits of items without a directive or `__CUDA_ARCH__`.
 */
export const cudaArchBranchRule: Rule = {
  id: 'cuda-arch-branch',
  family: 'arch',
  scope: 'file',
  codes: CUDA_ARCH_BRANCH_CODES,
  signature: (t, first, end) => relevantItemText(t, first, end, (i) => t.kind[i] === Tok.Directive || (t.kind[i] === Tok.Ident && tokenText(t, i) === '__CUDA_ARCH__')),
  run(ctx) {
    const t = ctx.tokens;
    const uses = ctx.identsNamed('__CUDA_ARCH__').filter((i) => !archExistenceTest(t, i));
    if (!uses.length) return;
    const cs = conditionals(ctx);
    const advice = 'test features instead (__HIP_PLATFORM_AMD__, __gfx90a__, __has_builtin)';
    const done = new Set<Branch>();
    let hidden: Map<Branch, FnDef> | undefined;
    const byDirective = new Map<number, Branch>();
    for (const c of cs.chains) for (const x of c.branches) byDirective.set(x.dir, x);
    for (const i of uses) {
      let b: Branch | undefined;
      if (t.pp[i] === PP.If) {
        // the directive token of the line holding this use
        let d = i;
        while (d > 0 && t.kind[d] !== Tok.Directive) d--;
        b = byDirective.get(d);
      }
      // one finding per condition (`__CUDA_ARCH__ == 800 || __CUDA_ARCH__ >= 900` is one test)
      if (b && done.has(b)) continue;
      if (b) done.add(b);
      const taken = b ? branchTaken(cs, b) : undefined;
      const instead = b && taken === false ? takenInstead(cs, b) : undefined;
      const portable = !!instead && hasCode(t.text, instead.bodyStart, instead.end);
      const dir = b ? directiveText(t, b) : '';
      // a whole kernel body dropped is HP305's error: one finding for the cause
      const emptied = b && taken === false && !portable ? (hidden ??= hiddenBodies(ctx)).get(b) : undefined;
      const message = emptied
        ? `__CUDA_ARCH__ compute-capability check (${dir}): undefined on AMD (0), so the whole body of '${emptied.name}' is dropped on AMD (reported as HP305, an error); ${advice}`
        : taken === true
          ? `__CUDA_ARCH__ compute-capability check (${dir}): undefined on AMD (0), so hip-clang compiles this branch, meant for GPUs below the threshold; ${advice}`
          : taken === false && portable
            ? `__CUDA_ARCH__ compute-capability check (${dir}): undefined on AMD (0), so hip-clang compiles the ${directiveText(t, instead!)} branch instead, the fallback every other NVIDIA architecture uses; ${advice} if AMD should take the fast path`
            : taken === false
              ? `__CUDA_ARCH__ compute-capability check (${dir}): undefined on AMD (0), so this branch is dropped on AMD and nothing replaces it; ${advice}`
              : `__CUDA_ARCH__ compute-capability check: undefined on AMD (evaluates to 0, so the fallback branch is taken); ${advice}`;
      ctx.report({
        code: 'HP302',
        message,
        severity: (taken === false && portable) || emptied ? 'information' : 'warning',
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'hazard',
        cuda: '__CUDA_ARCH__',
        related: instead ? [{ start: t.start[instead.dir]!, end: t.end[instead.dir]!, message: 'the branch AMD compiles' }] : undefined,
      });
    }
  },
};

/** CUDA toolkit version macros: undefined under hip-clang, so `#if CUDART_VERSION >= 11000` silently takes the old branch. */
const CUDA_VERSION_MACROS = ['CUDART_VERSION', 'CUDA_VERSION', '__CUDACC_VER_MAJOR__', '__CUDACC_VER_MINOR__', '__NVCC__'];

/**
 * HP304, severity by consequence. In an `#if`/`#elif`/`#ifdef` condition the macro picks a branch,
 * and under hipcc it picks the "old/absent CUDA" one, which may compute differently: warning, once
 * per file and cause (the toolkit-version macros are one cause, `__NVCC__` another: each is one fix
 * for the whole file), at the first such condition, the others as related spans (read file-wide, so
 * an edit adding or removing one re-runs this over the whole file; lc0's network_cuda.cc had four). In a `#define` it only matters where that macro is used: information. In code
 * (`CUDART_VERSION / 1000`) it is an undeclared identifier wherever hipcc compiles that code (the
 * HIP headers for AMD define none of these names; only hip/nvidia_detail/nvidia_hip_runtime_api.h
 * reads CUDART_VERSION): warning, once per file and macro at the first such use, the others as
 * related spans (the uses are read file-wide with their statements, so an edit adding or removing one
 * re-runs this over the whole file).
 */
function cudaVersionMacros(ctx: RuleContext): void {
  const t = ctx.tokens;
  // conditions: one warning per file and cause (the toolkit-version macros are one cause, __NVCC__ another)
  for (const group of [CUDA_VERSION_MACROS.filter((n) => n !== '__NVCC__'), ['__NVCC__']]) {
    if (!group.some((n) => ctx.identsNamed(n).some((i) => t.pp[i] === PP.If || t.pp[i] === PP.Ifdef))) continue;
    const conds = group
      .flatMap((n) => ctx.fileIdentsNamed(n))
      .filter((i) => t.pp[i] === PP.If || t.pp[i] === PP.Ifdef)
      .sort((a, b) => a - b);
    const first = conds[0];
    if (first === undefined || first < ctx.firstToken || first >= ctx.endToken) continue;
    const name = tokenText(t, first);
    const branch = name === '__NVCC__' ? 'not nvcc' : 'old/absent CUDA';
    const related = conds.slice(1).map((i) => ({ start: t.start[i]!, end: t.end[i]!, message: `${tokenText(t, i)}: another check that takes its "${branch}" branch under hipcc` }));
    ctx.report({
      code: 'HP304',
      message: `${name} is not defined when compiling with hipcc: this check takes its "${branch}" branch${related.length ? ` (${related.length} more such check${related.length === 1 ? '' : 's'} in this file, listed as related)` : ''}; test HIP_VERSION or __HIP_PLATFORM_AMD__ instead`,
      start: t.start[first]!,
      end: t.end[first]!,
      status: 'hazard',
      severity: 'warning',
      cuda: name,
      related: related.length ? related : undefined,
    });
  }
  for (const name of CUDA_VERSION_MACROS) {
    const inWindow = ctx.identsNamed(name);
    if (!inWindow.length) continue;
    let codeUseHere = false;
    for (const i of inWindow) {
      const pp = t.pp[i];
      if (pp === PP.None) {
        codeUseHere = true;
        continue;
      }
      if (pp === PP.If || pp === PP.Ifdef) continue;
      ctx.report({
        code: 'HP304',
        message: `${name} is not defined when compiling with hipcc: code expanding this line sees it undefined; test HIP_VERSION or __HIP_PLATFORM_AMD__ instead`,
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'hazard',
        severity: 'information',
        cuda: name,
      });
    }
    if (!codeUseHere) continue;
    const uses = ctx.fileIdentsNamed(name).filter((i) => t.pp[i] === PP.None);
    const first = uses[0];
    if (first === undefined || first < ctx.firstToken || first >= ctx.endToken) continue;
    const related = uses.slice(1).map((i) => ({ start: t.start[i]!, end: t.end[i]!, message: `${name} used again here` }));
    ctx.report({
      code: 'HP304',
      message: `${name} is not defined when compiling with hipcc: where this code is compiled it is an undeclared identifier${related.length ? ` (${related.length} more use${related.length === 1 ? '' : 's'} in this file, listed as related)` : ''}; use HIP_VERSION (hip/hip_version.h) instead`,
      start: t.start[first]!,
      end: t.end[first]!,
      status: 'hazard',
      severity: 'warning',
      cuda: name,
      related: related.length ? related : undefined,
    });
  }
}
