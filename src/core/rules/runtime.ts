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
import { Tok, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { DOCS, type Rule, type RuleCode } from './types';
import { functionOfToken, isIdent, tokenText } from './util';
import { identIn, relevantItemText } from './preprocessor';

export const RUNTIME_CODES: readonly RuleCode[] = [
  { code: 'HP306', family: 'arch', defaultSeverity: 'information', title: 'Floating-point intrinsic whose result differs on AMD', docs: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/math_api.html' },
  { code: 'HP307', family: 'arch', defaultSeverity: 'warning', title: '__smid() indexes per-SM storage (AMD CU ids exceed multiProcessorCount)', docs: DOCS.languageExtensions },
  { code: 'HP608', family: 'libraries', defaultSeverity: 'warning', title: 'CUB TempStorage reused by two collectives without __syncthreads()', docs: DOCS.hipCub },
  { code: 'HP512', family: 'memory', defaultSeverity: 'warning', title: 'Neighbour read past the bound the kernel checks (faults on AMD)', docs: DOCS.porting },
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
    neighbourReads(ctx);
  },
};

/**
 * HP512: in a device function that checks an index against a bound (`if (i < n)`, `if (i >= n)
 * return`), a subscript `a[i + c]` / `a[i - c]` (c = 1..3) that the checks do not cover: no
 * `n - c` style upper check for `+`, no `i > 0` / `i >= c` lower check for `-`, no `min`/`max`/
 * `?:` clamp in the statement. Such a stencil read runs one element past the buffer at the edge;
 * NVIDIA's allocation granularity often hides it, on AMD the read can fault (porting experience,
 * e.g. the fault classes of AMD's agent-driven ports; HIP porting guide on memory faults).
 */
function neighbourReads(ctx: Parameters<Rule['run']>[0]): void {
  const t = ctx.tokens;
  for (let k = ctx.firstToken; k < ctx.endToken; k++) {
    if (t.kind[k] !== Tok.Punct || !isPunct(t, k, '[')) continue;
    const v = nextCode(t, k);
    const op = nextCode(t, v);
    const c = nextCode(t, op);
    const close = nextCode(t, c);
    if (!isIdent(t, v) || !(isPunct(t, op, '+') || isPunct(t, op, '-')) || t.kind[c] !== Tok.Number || !isPunct(t, close, ']')) continue;
    const cv = Number(tokenText(t, c));
    if (!(cv >= 1 && cv <= 3)) continue;
    // a read, not a store: `a[i + 1] = …` writes (a store past the end is caught by the same guard logic, but leave it)
    const after = nextCode(t, close);
    if (isPunct(t, after, '=') && !isPunct(t, nextCode(t, after), '=')) continue;
    const fn = functionOfToken(ctx, k);
    if (!fn || !(fn.global || fn.device)) continue;
    const name = tokenText(t, v);
    const plus = isPunct(t, op, '+');
    // the checks on `name` before this read in the function
    let upper = -1;
    let covered = false;
    for (let j = fn.open + 1; j < k; j++) {
      if (!isIdent(t, j, 'if')) continue;
      const open = nextCode(t, j);
      if (!isPunct(t, open, '(')) continue;
      let depth = 0;
      let end = open;
      for (let q = open; q >= 0 && q < k; q = nextCode(t, q)) {
        if (isPunct(t, q, '(')) depth++;
        else if (isPunct(t, q, ')') && --depth === 0) {
          end = q;
          break;
        }
      }
      const cond = t.text.slice(t.end[open], t.start[end]).replace(/\s+/g, ' ');
      const re = (x: string): RegExp => new RegExp(x.replace(/N/g, name.replace(/\W/g, '')));
      if (!re('\\bN\\b').test(cond)) continue;
      if (re('\\bN\\s*<=?|\\bN\\s*>=').test(cond) || re('>=?\\s*N\\b').test(cond)) upper = j;
      if (plus ? /-\s*\d/.test(cond) || re('\\bN\\s*\\+\\s*\\d').test(cond) : re('\\bN\\s*>\\s*\\d|\\bN\\s*>=\\s*[1-9]|\\b\\d+\\s*<\\s*N\\b').test(cond)) covered = true;
    }
    if (upper < 0 || covered) continue;
    // clamped in the statement
    let clamped = false;
    for (let q = prevCode(t, k), n = 0; q >= 0 && n < 40; q = prevCode(t, q), n++) {
      if (isPunct(t, q, ';') || isPunct(t, q, '{') || isPunct(t, q, '}')) break;
      if (isPunct(t, q, '?') || isIdent(t, q, 'min') || isIdent(t, q, 'max') || isIdent(t, q, 'clamp')) clamped = true;
    }
    if (clamped) continue;
    const sub = t.text.slice(t.start[v], t.end[c]);
    ctx.report({
      code: 'HP512',
      message: `'[${sub}]' reads ${plus ? 'past the last' : 'before the first'} element the kernel's bound check on '${name}' allows: NVIDIA's allocation padding often hides the stray read, on AMD it can fault; ${plus ? `check ${name} + ${cv} against the bound` : `check ${name} >= ${cv}`} or clamp the index`,
      start: t.start[v]!,
      end: t.end[c]!,
      status: 'hazard',
      cuda: sub,
      related: [{ start: t.start[upper]!, end: t.end[nextCode(t, upper)]!, message: `the bound check on '${name}'` }],
    });
  }
}

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
    const name = tokenText(t, v);
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
function barrierBetween(t: Tokens, a: number, b: number): boolean {
  for (let k = a + 1; k < b; k++) {
    if (t.kind[k] !== Tok.Ident) continue;
    const s = tokenText(t, k);
    if (s.startsWith('__syncthreads') || s === 'sync' || s === '__barrier_sync' || s === 'barrier_sync') {
      if (isPunct(t, nextCode(t, k), '(')) return true;
    }
  }
  return false;
}

/** Offset of the first token of the statement holding token `i` (after the previous `;`, `{` or `}` outside brackets). */
function statementStart(t: Tokens, i: number): number {
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
  // items that enqueue a callback, or define (or mention) a function the last run saw used as one
  signature: (t, first, end, _m, state) => {
    const names = new Set([...Object.keys(CALLBACK_APIS), ...((state as string[] | undefined) ?? [])]);
    return relevantItemText(t, first, end, (i) => identIn(t, i, names));
  },
  run(ctx) {
    const t = ctx.tokens;
    const callbacks: string[] = [];
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
          cbName = `'${tokenText(t, a)}'`;
          callbacks.push(tokenText(t, a));
          body = definitionBody(ctx, tokenText(t, a));
        }
        if (!body) continue;
        const bad = runtimeCallIn(ctx, body[0], body[1]);
        if (!bad) continue;
        ctx.report({
          code: 'HP510',
          message: `host callback ${cbName} passed to ${api} ${bad.what}: on ROCm stream callbacks run on the runtime's own thread and a HIP call from there can deadlock; record the work and do it on a host thread after the stream synchronizes`,
          start: t.start[arg[0]]!,
          end: t.end[arg[1]]!,
          status: 'hazard',
          library: 'runtime',
          cuda: api,
          related: [{ start: t.start[bad.tok]!, end: t.end[bad.tok]!, message: bad.what }],
        });
      }
    }
    ctx.setSignatureState(callbacks);
  },
};

/** Argument token ranges of the call whose `(` is at `open` (depth-aware), or undefined when unbalanced. */
function callArgs(t: Tokens, open: number): Array<[number, number]> | undefined {
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

function findToken(t: Tokens, a: number, b: number, p: string): number {
  for (let k = a; k >= 0 && k <= b; k = nextCode(t, k)) if (isPunct(t, k, p)) return k;
  return -1;
}

/** The `}` matching the `{` at `open` (or `limit`). */
function matching(t: Tokens, open: number, limit: number): number {
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
    while (isIdent(t, n) && /^(?:const|noexcept|override|final)$/.test(tokenText(t, n))) n = nextCode(t, n);
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
    const s = tokenText(t, k);
    if (s === 'delete') return { tok: k, what: 'deletes an object (a destructor that frees device memory or events calls the runtime)' };
    if (!/^(?:cuda|hip|cu)[A-Z]/.test(s) || !isPunct(t, nextCode(t, k), '(')) continue;
    const m = ctx.mappings.get(s);
    if ((m && (m.library === 'runtime' || m.library === 'driver')) || /^hip[A-Z]/.test(s)) return { tok: k, what: `calls ${s}` };
  }
  return undefined;
}

export const FRESH_MEMORY_CODES: readonly RuleCode[] = [
  { code: 'HP509', family: 'memory', defaultSeverity: 'warning', title: 'Fresh device memory read or accumulated before anything writes it', docs: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/hip_runtime_api/modules/memory_management.html' },
];

const ALLOCATORS = ['cudaMalloc', 'cudaMallocAsync', 'cudaMallocManaged'];
const INITIALISERS = /^cuda(?:Memset|Memcpy)(?:2D|3D)?(?:Async)?$|^cudaMemcpy(?:To|From)Symbol(?:Async)?$/;
const ACCUMULATE_ATOMICS = /^atomic(?:Add|Sub|Max|Min|Or|And|Xor|Inc|Dec)(?:_system|_block)?$/;

/**
 * HP509: in one host block, memory from `cudaMalloc(&p, n)` whose first use is a kernel launch
 * (kernel defined in this file) that only accumulates into the matching parameter (`q[i] += …`,
 * `atomicAdd(&q[i], …)`, no plain store `q[i] = …`), or a copy *from* `p` to the host. cudaMalloc
 * does not initialise memory (CUDA and HIP runtime API references); NVIDIA drivers often hand out
 * zeroed pages, while ROCm's allocator reuses memory, so the bug shows on AMD. A use the rule
 * cannot follow (another call, pointer arithmetic, an unknown kernel) ends the search quietly.
 * `file` scope: the kernel's body may be anywhere in the file.
 */
export const freshMemoryRule: Rule = {
  id: 'fresh-memory',
  family: 'memory',
  codes: FRESH_MEMORY_CODES,
  scope: 'file',
  // items with an allocation (its uses are in the same block), or mentioning a kernel the last run followed
  signature: (t, first, end, _m, state) => {
    const names = new Set([...ALLOCATORS, ...((state as string[] | undefined) ?? [])]);
    return relevantItemText(t, first, end, (i) => identIn(t, i, names));
  },
  run(ctx) {
    const t = ctx.tokens;
    const kernels = new Set<string>();
    FOLLOWED.set(ctx, kernels);
    for (const alloc of ALLOCATORS) {
      for (const i of ctx.identsNamed(alloc)) {
        const open = nextCode(t, i);
        if (!isPunct(t, open, '(')) continue;
        const args = callArgs(t, open);
        if (!args || args.length < 2) continue;
        const [a0, b0] = args[0]!;
        let p = -1;
        for (let k = a0; k >= 0 && k <= b0; k = nextCode(t, k)) if (isIdent(t, k) && isPunct(t, prevCode(t, k), '&')) p = k;
        if (p < 0) continue;
        const name = tokenText(t, p);
        const end = blockEnd(t, i);
        const hit = firstUse(ctx, name, nextCode(t, args[args.length - 1]![1]), end);
        if (!hit) continue;
        const [s1, e1] = args[1]!;
        const size = t.text.slice(t.start[s1], t.end[e1]);
        const stmtEnd = statementEnd(t, i);
        ctx.report({
          code: 'HP509',
          message: `${name} from ${alloc} ${hit.what} before anything writes it: ${alloc} does not zero memory, and on AMD a fresh allocation often holds stale data where NVIDIA handed out zeroed pages; cudaMemset it first`,
          start: t.start[hit.tok]!,
          end: t.end[hit.tok]!,
          status: 'hazard',
          library: 'runtime',
          cuda: name,
          related: [{ start: t.start[i]!, end: t.end[i]!, message: `allocated here, not initialised` }, ...(hit.related ? [hit.related] : [])],
          ...(stmtEnd >= 0
            ? { fix: ctx.fix(`Zero ${name} after allocating it`, [{ start: t.end[stmtEnd]!, end: t.end[stmtEnd]!, newText: ` cudaMemset(${name}, 0, ${size});` }], false) }
            : {}),
        });
      }
    }
    ctx.setSignatureState([...kernels]);
  },
};

/** Per run: the kernel names whose definitions the rule looked up (its signature state). */
const FOLLOWED = new WeakMap<object, Set<string>>();

/** Token index of the `}` closing the block that holds token `i` (or the last token). */
function blockEnd(t: Tokens, i: number): number {
  let depth = 0;
  for (let k = i; k >= 0 && k < t.count; k = nextCode(t, k)) {
    if (isPunct(t, k, '{')) depth++;
    else if (isPunct(t, k, '}') && --depth < 0) return k;
  }
  return t.count - 1;
}

/** Token index of the `;` ending the statement that holds token `i`, or -1. */
function statementEnd(t: Tokens, i: number): number {
  let depth = 0;
  for (let k = i; k >= 0 && k < t.count; k = nextCode(t, k)) {
    if (isPunct(t, k, '(') || isPunct(t, k, '[')) depth++;
    else if (isPunct(t, k, ')') || isPunct(t, k, ']')) depth--;
    else if (depth <= 0 && isPunct(t, k, ';')) return k;
    else if (isPunct(t, k, '{') || isPunct(t, k, '}')) return -1;
  }
  return -1;
}

interface Use {
  tok: number;
  what: string;
  related?: { start: number; end: number; message: string };
}

/** The first use of pointer `name` in tokens `[from, end)` when it reads uninitialised memory; undefined otherwise (initialised, or not followed). */
function firstUse(ctx: Parameters<Rule['run']>[0], name: string, from: number, end: number): Use | undefined {
  const t = ctx.tokens;
  for (let k = from; k >= 0 && k < end; k = nextCode(t, k)) {
    if (!isIdent(t, k, name)) continue;
    // the call or launch this use is an argument of
    const ctxCall = enclosingCall(t, k);
    if (!ctxCall) return undefined;
    const { callee, argIndex, launch } = ctxCall;
    const fn = tokenText(t, callee);
    if (!launch) {
      if (INITIALISERS.test(fn)) {
        if (argIndex === 0) return undefined;
        // copied to the host before anything wrote it (a device-to-device copy of scratch data is left alone)
        if (/^cudaMemcpy(?:Async)?$/.test(fn) && argIndex === 1) {
          const close = statementEnd(t, k);
          if (close >= 0 && /cudaMemcpyDeviceToHost/.test(t.text.slice(t.start[k], t.end[close]))) return { tok: k, what: `is copied to the host by ${fn}` };
        }
      }
      return undefined;
    }
    // a kernel launch: follow the kernel when it is defined in this file
    const kernel = kernelParam(ctx, fn, argIndex);
    if (!kernel) return undefined;
    const acc = accumulatesOnly(ctx, kernel.body, kernel.param);
    if (!acc) return undefined;
    const how = ACCUMULATE_ATOMICS.test(tokenText(t, acc)) ? tokenText(t, acc) : `a compound assignment to ${kernel.param}`;
    return { tok: k, what: `is accumulated into by kernel '${fn}' (${how})`, related: { start: t.start[acc]!, end: t.end[acc]!, message: `'${kernel.param}' accumulated into, never stored first` } };
  }
  return undefined;
}

/** The call (`f(…)`) or kernel launch (`k<<<…>>>(…)`) whose argument list holds token `k` at depth 1, with the argument index. */
function enclosingCall(t: Tokens, k: number): { callee: number; argIndex: number; launch: boolean } | undefined {
  let depth = 0;
  let argIndex = 0;
  for (let j = prevCode(t, k), n = 0; j >= 0 && n < 200; j = prevCode(t, j), n++) {
    if (isPunct(t, j, ')') || isPunct(t, j, ']')) depth++;
    else if (isPunct(t, j, '[')) depth--;
    else if (isPunct(t, j, '(')) {
      if (depth === 0) {
        const c = prevCode(t, j);
        if (c >= 0 && t.kind[c] === Tok.Punct && t.text.slice(t.end[c]! - 3, t.end[c]!) === '>>>') {
          // walk back to `<<<` and the kernel name
          for (let q = c, m = 0; q >= 0 && m < 80; q = prevCode(t, q), m++) {
            if (t.kind[q] === Tok.Punct && t.text.startsWith('<<<', t.start[q]!)) {
              const nameTok = prevCode(t, q);
              return isIdent(t, nameTok) ? { callee: nameTok, argIndex, launch: true } : undefined;
            }
          }
          return undefined;
        }
        return isIdent(t, c) ? { callee: c, argIndex, launch: false } : undefined;
      }
      depth--;
    } else if (depth === 0 && isPunct(t, j, ',')) argIndex++;
    else if (depth === 0 && (isPunct(t, j, ';') || isPunct(t, j, '{') || isPunct(t, j, '}'))) return undefined;
  }
  return undefined;
}

/** The `index`-th parameter name of `__global__` function `name` defined in this file, and its body. */
function kernelParam(ctx: Parameters<Rule['run']>[0], name: string, index: number): { param: string; body: [number, number] } | undefined {
  const t = ctx.tokens;
  FOLLOWED.get(ctx)?.add(name);
  for (const k of ctx.identsNamed(name)) {
    const open = nextCode(t, k);
    if (!isPunct(t, open, '(')) continue;
    const params = callArgs(t, open);
    if (!params) continue;
    let close = params.length ? nextCode(t, params[params.length - 1]![1]) : nextCode(t, open);
    if (!isPunct(t, close, ')')) continue;
    let b = nextCode(t, close);
    while (isIdent(t, b) && /^(?:const|noexcept)$/.test(tokenText(t, b))) b = nextCode(t, b);
    if (!isPunct(t, b, '{')) continue;
    const p = params[index];
    if (!p) return undefined;
    // the parameter's name: the last identifier of its declaration (before a default value)
    let pname = '';
    for (let q = p[0]; q >= 0 && q <= p[1]; q = nextCode(t, q)) {
      if (isPunct(t, q, '=')) break;
      if (isIdent(t, q)) pname = tokenText(t, q);
    }
    close = matching(t, b, t.count - 1);
    return pname ? { param: pname, body: [b, close] } : undefined;
  }
  return undefined;
}

/** Token of the first accumulation into `param` in `[a, b]` when the body never stores to it plainly; undefined otherwise. */
function accumulatesOnly(ctx: Parameters<Rule['run']>[0], body: [number, number], param: string): number | undefined {
  const t = ctx.tokens;
  let acc: number | undefined;
  for (let k = body[0]; k >= 0 && k <= body[1]; k = nextCode(t, k)) {
    if (t.kind[k] !== Tok.Ident) continue;
    const s = tokenText(t, k);
    if (ACCUMULATE_ATOMICS.test(s) && isPunct(t, nextCode(t, k), '(')) {
      let q = nextCode(t, nextCode(t, k));
      if (isPunct(t, q, '&')) q = nextCode(t, q);
      if (isIdent(t, q, param)) acc ??= k;
      continue;
    }
    if (s !== param) continue;
    // the first argument of an accumulating atomic (already counted above)
    let pa = prevCode(t, k);
    if (isPunct(t, pa, '&')) pa = prevCode(t, pa);
    if (isPunct(t, pa, '(') && ACCUMULATE_ATOMICS.test(tokenText(t, prevCode(t, pa)))) continue;
    // `param[…] op= …` / `*param op= …` / `param[…] = …`
    let n = nextCode(t, k);
    if (isPunct(t, n, '[')) {
      let depth = 0;
      for (; n >= 0 && n <= body[1]; n = nextCode(t, n)) {
        if (isPunct(t, n, '[')) depth++;
        else if (isPunct(t, n, ']') && --depth === 0) break;
      }
      n = nextCode(t, n);
    }
    if (isPunct(t, n, '=') && !isPunct(t, nextCode(t, n), '=')) {
      const before = t.text[t.start[n]! - 1];
      if (before && '+-*/|&^'.includes(before) && t.kind[prevCode(t, n)] === Tok.Punct && t.end[prevCode(t, n)] === t.start[n]) acc ??= k;
      else return undefined; // a plain store initialises it
    } else if ((isPunct(t, n, '+') || isPunct(t, n, '-') || isPunct(t, n, '|') || isPunct(t, n, '&') || isPunct(t, n, '^') || isPunct(t, n, '*')) && isPunct(t, nextCode(t, n), '=') && t.end[n] === t.start[nextCode(t, n)]) {
      acc ??= k;
    } else if (isPunct(t, prevCode(t, k), '&') || (!isPunct(t, prevCode(t, k), '*') && !isPunct(t, nextCode(t, k), '['))) {
      // passed on whole or its address taken (a helper may store to it): not followed
      return undefined;
    }
  }
  return acc;
}
