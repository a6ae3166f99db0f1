/**
 * Behaviour that compiles under HIP and differs on AMD at run time (fault classes of the HIP
 * porting work; facts from the HIP documentation cited per code):
 * - HP307 (arch, warning) `__smid()`: the id of the compute unit running the block; on AMD it
 *   reads the hardware CU id (`s_getreg` HW_ID, hip/amd_detail/amd_device_functions.h), whose
 *   values are not dense and can exceed `multiProcessorCount - 1`, so per-SM pools indexed by it
 *   overflow. Source: HIP C++ language extensions, "__smid" (DOCS.languageExtensions).
 * - HP306 (arch, information) numerics that differ: `__fsqrt_rn` (correctly rounded on NVIDIA,
 *   not guaranteed so on gfx90a), `__fdividef` / `__expf`-style fast intrinsics compared for exact
 *   equality. HIP math: "Floating-point intrinsics" (rocm.docs.amd.com, HIP reference, math API).
 * - HP608 (libraries, warning) one CUB/hipCUB `TempStorage` reused by two block collectives with
 *   no `__syncthreads()` between them: the second collective overwrites what slower wavefronts
 *   still read (CUB documents the barrier; on wave64 a 64-thread block is a single wavefront, so
 *   code that "worked" with two warps on NVIDIA races differently). Source: hipCUB/CUB
 *   BlockReduce documentation ("a subsequent __syncthreads() is needed to reuse temp_storage").
 *
 * All `local`: each finding depends on its own function only.
 */
import { Tok, isPunct, nextCode, prevCode } from '../lexer';
import { DOCS, type Rule, type RuleCode } from './types';
import { functionOfToken, isIdent, tt } from './util';

export const RUNTIME_CODES: readonly RuleCode[] = [
  { code: 'HP306', family: 'arch', defaultSeverity: 'information', title: 'Floating-point intrinsic whose result differs on AMD', docs: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/math_api.html' },
  { code: 'HP307', family: 'arch', defaultSeverity: 'warning', title: '__smid() indexes per-SM storage (AMD CU ids exceed multiProcessorCount)', docs: DOCS.languageExtensions },
  { code: 'HP608', family: 'libraries', defaultSeverity: 'warning', title: 'CUB TempStorage reused by two collectives without __syncthreads()', docs: DOCS.hipCub },
];

/** Intrinsics whose AMD result may differ from NVIDIA's, with what differs. */
const NUMERICS: Readonly<Record<string, string>> = {
  __fsqrt_rn: 'is correctly rounded on NVIDIA but not guaranteed to be on AMD (gfx90a computes it with a faster sequence)',
  __fdividef: 'is an approximate division whose error differs between NVIDIA and AMD',
  __frcp_rn: 'is correctly rounded on NVIDIA but not guaranteed to be on AMD',
  __fdiv_rn: 'is correctly rounded on NVIDIA but not guaranteed to be on AMD',
};

export const runtimeRule: Rule = {
  id: 'runtime',
  family: 'arch',
  codes: RUNTIME_CODES,
  run(ctx) {
    const t = ctx.tokens;
    for (const i of ctx.identsNamed('__smid')) {
      if (!isPunct(t, nextCode(t, i), '(')) continue;
      ctx.report({
        code: 'HP307',
        message: '__smid() returns the hardware compute-unit id: on AMD GPUs the ids are not dense and can exceed multiProcessorCount - 1, so storage indexed by it overflows; size it by the largest id or give each block its own slot',
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'hazard',
        library: 'device',
        cuda: '__smid',
      });
    }
    for (const [name, what] of Object.entries(NUMERICS)) {
      for (const i of ctx.identsNamed(name)) {
        if (!isPunct(t, nextCode(t, i), '(')) continue;
        ctx.report({
          code: 'HP306',
          message: `${name} ${what}: results compared bit for bit with an NVIDIA run can differ; compare with a tolerance, or use the plain operator (hip-clang also contracts a*b+c into FMA by default, -ffp-contract=fast; build with -ffp-contract=on for nvcc-like results)`,
          start: t.start[i]!,
          end: t.end[i]!,
          status: 'hazard',
          library: 'device',
          cuda: name,
        });
      }
    }
    tempStorage(ctx);
  },
};

/**
 * HP608: `__shared__ typename BlockReduce::TempStorage ts;` then `BlockReduce(ts).Sum(a)` and
 * `BlockReduce(ts).Sum(b)` in the same function with no `__syncthreads()` (or `__syncthreads_*`,
 * `cg::sync`, `.sync()`) between the two constructions.
 */
function tempStorage(ctx: Parameters<Rule['run']>[0]): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('TempStorage')) {
    // `… TempStorage name ;` (optionally `name[...]`)
    const v = nextCode(t, i);
    if (!isIdent(t, v)) continue;
    const after = nextCode(t, v);
    if (!isPunct(t, after, ';')) continue;
    const fn = functionOfToken(ctx, i);
    if (!fn) continue;
    const name = tt(t, v);
    // constructions `X(name)` / `X<…>(name)` in the function, in order
    const uses: number[] = [];
    for (const k of ctx.identsNamed(name)) {
      if (k <= v || k >= fn.close) continue;
      const open = prevCode(t, k);
      const close = nextCode(t, k);
      if (!isPunct(t, open, '(') || !isPunct(t, close, ')')) continue;
      const callee = prevCode(t, open);
      if (!isIdent(t, callee) && !isPunct(t, callee, '>')) continue;
      if (!isPunct(t, nextCode(t, close), '.')) continue;
      uses.push(k);
    }
    for (let u = 1; u < uses.length; u++) {
      const a = uses[u - 1]!;
      const b = uses[u]!;
      if (barrierBetween(t, a, b)) continue;
      ctx.report({
        code: 'HP608',
        message: `TempStorage '${name}' is reused by a second block collective with no __syncthreads() since the first: threads still reading the first result race with the second; on wave64 GPUs a 64-thread block is one wavefront and the race shows differently than on NVIDIA; add __syncthreads() between them`,
        start: t.start[b]!,
        end: t.end[b]!,
        status: 'hazard',
        library: 'cub',
        cuda: name,
        related: [{ start: t.start[a]!, end: t.end[a]!, message: `first collective using '${name}'` }],
        fix: ctx.fix('Add __syncthreads() before the second collective', [{ start: statementStart(t, b), end: statementStart(t, b), newText: `__syncthreads();${ctx.eol}` + indentOf(t.text, statementStart(t, b)) }], false),
      });
    }
  }
}

/** True when a block barrier call sits between tokens `a` and `b`. */
function barrierBetween(t: Parameters<typeof tt>[0], a: number, b: number): boolean {
  for (let k = a + 1; k < b; k++) {
    if (t.kind[k] !== Tok.Ident) continue;
    const s = tt(t, k);
    if (s.startsWith('__syncthreads') || s === 'sync' || s === '__barrier_sync' || s === 'barrier_sync') {
      if (isPunct(t, nextCode(t, k), '(')) return true;
    }
  }
  return false;
}

/** Offset of the first token of the statement holding token `i` (after the previous `;`, `{` or `}` outside brackets). */
function statementStart(t: Parameters<typeof tt>[0], i: number): number {
  let depth = 0;
  let j = i;
  for (let k = prevCode(t, i), n = 0; k >= 0 && n < 400; k = prevCode(t, k), n++) {
    if (isPunct(t, k, ')') || isPunct(t, k, ']')) depth++;
    else if (isPunct(t, k, '(') || isPunct(t, k, '[')) depth--;
    else if (depth <= 0 && (isPunct(t, k, ';') || isPunct(t, k, '{') || isPunct(t, k, '}'))) break;
    j = k;
  }
  return t.start[j]!;
}

/** The whitespace before offset `o` on its line. */
function indentOf(text: string, o: number): string {
  const ls = text.lastIndexOf('\n', o - 1) + 1;
  const m = /^[ \t]*/.exec(text.slice(ls, o));
  return m ? m[0] : '';
}

export const CALLBACK_CODES: readonly RuleCode[] = [
  { code: 'HP510', family: 'launch', defaultSeverity: 'warning', title: 'Stream host callback calls the runtime API (deadlocks on ROCm)', docs: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/hip_runtime_api/modules/stream_management.html' },
];

/** Calls that enqueue a host function, with the index of the callback argument. */
const CALLBACK_APIS: Readonly<Record<string, number>> = {
  cudaLaunchHostFunc: 1,
  cudaStreamAddCallback: 1,
  cuLaunchHostFunc: 1,
  cuStreamAddCallback: 1,
  hipLaunchHostFunc: 1,
  hipStreamAddCallback: 1,
};

/**
 * HP510: the callback given to `cudaLaunchHostFunc` / `cudaStreamAddCallback` (a function defined
 * in this file, or a lambda) calls a runtime or driver API (`cudaFree`, `cudaEventDestroy`, …) or
 * `delete`s an object (whose destructor may). HIP's documentation of `hipStreamAddCallback` /
 * `hipLaunchHostFunc`: the callback must not call HIP APIs; on ROCm it runs on the runtime's own
 * thread, and a runtime call there can deadlock. `file` scope: the callback's body may be anywhere
 * in the file (the rule only looks when the file enqueues a host function).
 */
export const hostCallbackRule: Rule = {
  id: 'host-callbacks',
  family: 'launch',
  codes: CALLBACK_CODES,
  scope: 'file',
  run(ctx) {
    const t = ctx.tokens;
    for (const [api, argIndex] of Object.entries(CALLBACK_APIS)) {
      for (const i of ctx.identsNamed(api)) {
        const open = nextCode(t, i);
        if (!isPunct(t, open, '(')) continue;
        const call = callArgs(t, open);
        const arg = call?.[argIndex];
        if (!arg) continue;
        let [a, b] = arg;
        while (a < b && (isPunct(t, a, '&') || isPunct(t, a, '(') )) a = nextCode(t, a);
        let body: [number, number] | undefined;
        let cbName = '(a lambda)';
        const lambdaOpen = findToken(t, a, b, '{');
        if (lambdaOpen >= 0) body = [lambdaOpen, matching(t, lambdaOpen, b)];
        else if (isIdent(t, a)) {
          cbName = `'${tt(t, a)}'`;
          body = definitionBody(ctx, tt(t, a));
        }
        if (!body) continue;
        const bad = runtimeCallIn(ctx, body[0], body[1]);
        if (!bad) continue;
        const line = t.text.slice(0, t.start[bad.tok]).split('\n').length;
        ctx.report({
          code: 'HP510',
          message: `host callback ${cbName} passed to ${api} ${bad.what} (line ${line}): on ROCm stream callbacks run on the runtime's own thread and a HIP call from there can deadlock; record the work and do it on a host thread after the stream synchronizes`,
          start: t.start[arg[0]]!,
          end: t.end[arg[1]]!,
          status: 'hazard',
          library: 'runtime',
          cuda: api,
          related: [{ start: t.start[bad.tok]!, end: t.end[bad.tok]!, message: bad.what }],
        });
      }
    }
  },
};

/** Argument token ranges of the call whose `(` is at `open` (depth-aware), or undefined when unbalanced. */
function callArgs(t: Parameters<typeof tt>[0], open: number): Array<[number, number]> | undefined {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let start = nextCode(t, open);
  for (let k = open; k < t.count; k = nextCode(t, k)) {
    if (k < 0) return undefined;
    if (isPunct(t, k, '(') || isPunct(t, k, '[') || isPunct(t, k, '{')) depth++;
    else if (isPunct(t, k, ')') || isPunct(t, k, ']') || isPunct(t, k, '}')) {
      depth--;
      if (depth === 0) {
        if (start >= 0 && start < k) out.push([start, prevCode(t, k)]);
        return out;
      }
    } else if (depth === 1 && isPunct(t, k, ',')) {
      out.push([start, prevCode(t, k)]);
      start = nextCode(t, k);
    }
  }
  return undefined;
}

function findToken(t: Parameters<typeof tt>[0], a: number, b: number, p: string): number {
  for (let k = a; k >= 0 && k <= b; k = nextCode(t, k)) if (isPunct(t, k, p)) return k;
  return -1;
}

/** The `}` matching the `{` at `open` (or `limit`). */
function matching(t: Parameters<typeof tt>[0], open: number, limit: number): number {
  let depth = 0;
  for (let k = open; k >= 0 && k < t.count; k = nextCode(t, k)) {
    if (isPunct(t, k, '{')) depth++;
    else if (isPunct(t, k, '}') && --depth === 0) return k;
  }
  return limit;
}

/** The body `[{, }]` of function `name` defined in this file, or undefined. */
function definitionBody(ctx: Parameters<Rule['run']>[0], name: string): [number, number] | undefined {
  const t = ctx.tokens;
  for (const k of ctx.identsNamed(name)) {
    const open = nextCode(t, k);
    if (!isPunct(t, open, '(')) continue;
    const args = callArgs(t, open);
    if (!args) continue;
    // the `)` closing the parameter list, then (past qualifiers) `{`
    let close = open;
    let depth = 0;
    for (let j = open; j >= 0 && j < t.count; j = nextCode(t, j)) {
      if (isPunct(t, j, '(')) depth++;
      else if (isPunct(t, j, ')') && --depth === 0) {
        close = j;
        break;
      }
    }
    let n = nextCode(t, close);
    while (isIdent(t, n) && /^(?:const|noexcept|override|final)$/.test(tt(t, n))) n = nextCode(t, n);
    if (!isPunct(t, n, '{')) continue;
    return [n, matching(t, n, t.count - 1)];
  }
  return undefined;
}

/** The first runtime/driver API call or `delete` in tokens `[a, b]`. */
function runtimeCallIn(ctx: Parameters<Rule['run']>[0], a: number, b: number): { tok: number; what: string } | undefined {
  const t = ctx.tokens;
  for (let k = a; k >= 0 && k <= b; k = nextCode(t, k)) {
    if (t.kind[k] !== Tok.Ident) continue;
    const s = tt(t, k);
    if (s === 'delete') return { tok: k, what: 'deletes an object (a destructor that frees device memory or events calls the runtime)' };
    if (!/^(?:cuda|hip|cu)[A-Z]/.test(s) || !isPunct(t, nextCode(t, k), '(')) continue;
    const m = ctx.mappings.get(s);
    if ((m && (m.library === 'runtime' || m.library === 'driver')) || /^hip[A-Z]/.test(s)) return { tok: k, what: `calls ${s}` };
  }
  return undefined;
}
