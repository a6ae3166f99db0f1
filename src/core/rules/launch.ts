/**
 * Launch hazards (family `launch`):
 * - HP501 `__launch_bounds__(max, minBlocks)`: CUDA's second argument is the minimum number of
 *   resident blocks per multiprocessor; HIP reads it as the minimum number of warps per execution
 *   unit (HIP C++ language extensions, "__launch_bounds__" / "Porting from CUDA
 *   __launch_bounds__", DOCS.launchBounds). A third (cluster) argument does not exist in HIP.
 *   Severity by consequence (issue 16): information. The second argument is an occupancy hint in
 *   both (the compiler limits registers so that many warps/blocks can be resident); read with the
 *   other meaning it changes register allocation and so speed, never results, and the first
 *   argument (the block-size limit a launch must respect) means the same in both. With a third
 *   argument (a cluster size HIP lacks) the line does not compile: error.
 * - HP502 a kernel of this file launched with a literal block size over 256 and no
 *   `__launch_bounds__` on its definition. hip-clang compiles a kernel without launch bounds for
 *   a default maximum block size (`--gpu-max-threads-per-block`, added in LLVM D71221): measured
 *   with hipcc 5.2 (clang 15) the default is 1024 (`.max_flat_workgroup_size: 1024` in the code
 *   object), while older hip-clang releases defaulted to 256, where such a launch fails. Stating
 *   the bound keeps the launch valid everywhere and lets the compiler budget registers for it.
 * - HP503 dynamic parallelism: a `<<<>>>` launch inside `__global__`/`__device__` code. HIP does
 *   not support it (HIP C++ language extensions, "__global__", DOCS.globalFunctions).
 */
import { Tok, PP, callArguments, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { functionOfToken, isDeviceFunction, isIdent, tokenText } from './util';

export const LAUNCH_CODES: readonly RuleCode[] = [
  { code: 'HP501', family: 'launch', defaultSeverity: 'information', title: '__launch_bounds__ second argument means min warps per EU in HIP', docs: DOCS.launchBounds },
  { code: 'HP502', family: 'launch', defaultSeverity: 'information', title: 'Block size over 256 without __launch_bounds__', docs: DOCS.launchBounds },
  { code: 'HP503', family: 'launch', defaultSeverity: 'error', title: 'Dynamic parallelism (kernel launch from device code) is not supported by HIP', docs: DOCS.globalFunctions },
];

export const launchRule: Rule = {
  id: 'launch',
  family: 'launch',
  codes: LAUNCH_CODES,
  run(ctx) {
    launchBounds(ctx);
    launches(ctx);
  },
};

function launchBounds(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('__launch_bounds__')) {
    if (t.pp[i] !== PP.None) continue;
    const open = nextCode(t, i);
    if (!isPunct(t, open, '(')) continue;
    const call = callArguments(t, open);
    if (!call || call.args.length < 2) continue;
    const [a1] = call.args[1]!;
    const last = call.args[call.args.length - 1]!;
    if (a1 > last[1]) continue;
    const s = t.start[a1]!;
    const e = t.end[last[1]]!;
    const arg = t.text.slice(s, e);
    const third = call.args.length > 2 ? ' (and HIP has no third, cluster argument)' : '';
    ctx.report({
      code: 'HP501',
      severity: third ? 'error' : 'information',
      message: `__launch_bounds__ second argument '${arg}' is min blocks per multiprocessor in CUDA but min warps per execution unit in HIP${third}: recompute it for AMD or drop it`,
      start: s,
      end: e,
      status: 'hazard',
      cuda: '__launch_bounds__',
      hip: '__launch_bounds__',
      fix: ctx.fix('Drop the second __launch_bounds__ argument', [{ start: t.end[call.args[0]![1]]!, end: e, newText: '' }], false),
    });
  }
}

function isTriple(t: Tokens, i: number, s: string): boolean {
  return t.kind[i] === Tok.Punct && t.end[i]! - t.start[i]! === 3 && t.text.startsWith(s, t.start[i]!);
}

function launches(ctx: RuleContext): void {
  const t = ctx.tokens;
  const { kind, start, end, text } = t;
  for (let i = ctx.firstToken; i < ctx.endToken; i++) {
    if (kind[i] !== Tok.Punct || end[i]! - start[i]! !== 3 || text.charCodeAt(start[i]!) !== 60) continue; // '<<<'
    let close = -1;
    for (let j = i + 1; j < t.count; j++) {
      if (isTriple(t, j, '>>>')) {
        close = j;
        break;
      }
      if (isPunct(t, j, ';')) break;
    }
    if (close < 0) continue;
    const kernelTok = kernelName(t, i);
    // HP503: launch inside device code
    const fn = functionOfToken(ctx, i);
    if (fn) {
      const sp = fn;
      if (isDeviceFunction(ctx, sp)) {
        const s = kernelTok >= 0 ? t.start[kernelTok]! : t.start[i]!;
        ctx.report({
          code: 'HP503',
          message: `kernel launch from ${sp.global ? '__global__' : '__device__'} code (dynamic parallelism): HIP does not support it; launch from the host, or restructure (e.g. loop inside the kernel, or cooperative groups)`,
          start: s,
          end: t.end[close]!,
          status: 'unsupported',
          cuda: '<<<>>>',
        });
      }
    }
    // HP502: block size
    const cfg = splitArgs(t, i + 1, close - 1);
    if (cfg.length < 2 || kernelTok < 0) continue;
    const [b0, b1] = cfg[1]!;
    // the block argument must be a literal, a name or dim3(...) before the constant table is worth building
    const size = blockSize(ctx, b0, b1);
    if (size === undefined || size <= 256) continue;
    const def = kernelDefinition(ctx, tokenText(t, kernelTok));
    if (!def || def.hasBounds) continue;
    ctx.report({
      code: 'HP502',
      message: `block size ${size} > 256 and ${tokenText(t, kernelTok)} has no __launch_bounds__: older hip-clang compiled kernels for at most 256 threads (launch fails there; ROCm 5.x defaults to 1024); add __launch_bounds__(${size}) to the kernel`,
      start: t.start[b0]!,
      end: t.end[b1]!,
      status: 'hazard',
      cuda: '__launch_bounds__',
      hip: `__launch_bounds__(${size})`,
      fix: ctx.fix(`Add __launch_bounds__(${size}) to ${tokenText(t, kernelTok)}`, [{ start: def.nameStart, end: def.nameStart, newText: `__launch_bounds__(${size}) ` }], false),
    });
  }
}

/** The kernel's name token before `<<<` (skipping template arguments), or -1. */
function kernelName(t: Tokens, lt: number): number {
  let j = prevCode(t, lt);
  if (isPunct(t, j, '>')) {
    let depth = 0;
    for (; j >= 0; j--) {
      if (isPunct(t, j, '>')) depth++;
      else if (isPunct(t, j, '>>')) depth += 2;
      else if (isPunct(t, j, '<') && --depth === 0) break;
      if (isPunct(t, j, ';')) return -1;
    }
    j = prevCode(t, j);
  }
  return isIdent(t, j) ? j : -1;
}

/** Splits tokens `[a, b]` at top-level commas. */
function splitArgs(t: Tokens, a: number, b: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let s = a;
  for (let j = a; j <= b; j++) {
    if (t.kind[j] !== Tok.Punct) continue;
    const c = t.text[t.start[j]!];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push([s, j - 1]);
      s = j + 1;
    }
  }
  if (s <= b) out.push([s, b]);
  return out;
}

/**
 * The value of an integer constant `name` of this file: `#define NAME 512` or `NAME = 512;`
 * (e.g. `const int NAME = 512;`), found anywhere in the file through
 * {@link RuleContext.fileIdentsNamed}; undefined when unknown.
 */
function constantValue(ctx: RuleContext, name: string): number | undefined {
  const t = ctx.tokens;
  for (const i of ctx.fileIdentsNamed(name, { before: 1, after: 3 })) {
    const p = prevCode(t, i);
    const n = nextCode(t, i);
    if (t.pp[i] === PP.Define && t.kind[p] === Tok.Directive && t.kind[n] === Tok.Number && t.pp[nextCode(t, n)] !== PP.Define) return intValue(tokenText(t, n));
    if (t.pp[i] === PP.None && isIdent(t, p) && isPunct(t, n, '=')) {
      const v = nextCode(t, n);
      if (t.kind[v] === Tok.Number && isPunct(t, nextCode(t, v), ';')) return intValue(tokenText(t, v));
    }
  }
  return undefined;
}

function intValue(s: string): number | undefined {
  const c = s.replace(/[uUlL]+$/, '');
  if (/^[1-9][0-9]*$/.test(c)) return Number(c);
  if (/^0[xX][0-9a-fA-F]+$/.test(c)) return Number.parseInt(c.slice(2), 16);
  return undefined;
}

/** The thread count of a block argument `[a, b]`: a literal, a constant, `dim3(x, y, z)` or a dim3 variable declared with literals. */
function blockSize(ctx: RuleContext, a: number, b: number): number | undefined {
  const t = ctx.tokens;
  const value = (i: number): number | undefined => (t.kind[i] === Tok.Number ? intValue(tokenText(t, i)) : isIdent(t, i) ? constantValue(ctx, tokenText(t, i)) : undefined);
  if (a === b) {
    const v = value(a);
    if (v !== undefined) return v;
    if (isIdent(t, a)) return dim3Variable(ctx, tokenText(t, a), value);
    return undefined;
  }
  if (isIdent(t, a, 'dim3') && isPunct(t, a + 1, '(')) return productOf(t, a + 1, value);
  return undefined;
}

/** Product of the argument values of the call whose `(` is `open`, or undefined if one is not a known integer. */
function productOf(t: Tokens, open: number, value: (i: number) => number | undefined): number | undefined {
  const call = callArguments(t, open);
  if (!call || !call.args.length) return undefined;
  let p = 1;
  for (const [x, y] of call.args) {
    if (x !== y) return undefined;
    const v = value(x);
    if (v === undefined) return undefined;
    p *= v;
  }
  return p;
}

/** `dim3 name(16, 32)`, `dim3 name = dim3(...)`, `dim3 name{...}` or `dim3 name = 512;`: the first such declaration in the file. */
function dim3Variable(ctx: RuleContext, name: string, value: (i: number) => number | undefined): number | undefined {
  const t = ctx.tokens;
  for (const i of ctx.fileIdentsNamed(name)) {
    if (!isIdent(t, prevCode(t, i), 'dim3')) continue;
    let j = nextCode(t, i);
    if (isPunct(t, j, '=')) {
      j = nextCode(t, j);
      if (isIdent(t, j, 'dim3')) j = nextCode(t, j);
      else if (isPunct(t, nextCode(t, j), ';')) return value(j);
    }
    if (isPunct(t, j, '(') || isPunct(t, j, '{')) {
      if (isPunct(t, j, '{')) {
        // braces: read numbers until '}'
        let p = 1;
        for (let k = j + 1; k < t.count && !isPunct(t, k, '}'); k++) {
          if (isPunct(t, k, ',')) continue;
          const v = value(k);
          if (v === undefined) return undefined;
          p *= v;
        }
        return p;
      }
      return productOf(t, j, value);
    }
    return undefined;
  }
  return undefined;
}

/**
 * The `__global__` definition of `name` anywhere in this file (read through
 * {@link RuleContext.fileIdentsNamed}: the kernel is usually defined in another top-level item than
 * its launch): where its name starts and whether it has launch bounds.
 */
function kernelDefinition(ctx: RuleContext, name: string): { nameStart: number; hasBounds: boolean } | undefined {
  const t = ctx.tokens;
  for (const i of ctx.fileIdentsNamed(name)) {
    if (!isPunct(t, nextCode(t, i), '(') && !isPunct(t, nextCode(t, i), '<')) continue;
    let global = false;
    let bounds = false;
    for (let j = prevCode(t, i), n = 0; j >= 0 && n < 24; j = prevCode(t, j), n++) {
      if (isPunct(t, j, ';') || isPunct(t, j, '}') || isPunct(t, j, '{')) break;
      if (isIdent(t, j, '__global__')) global = true;
      else if (isIdent(t, j, '__launch_bounds__')) bounds = true;
    }
    if (!global) continue;
    // a prototype `__global__ void k(...);` is not the definition: find the body
    const call = callArguments(t, nextCode(t, i));
    if (call && !isPunct(t, nextCode(t, call.close), '{')) {
      if (bounds) return { nameStart: t.start[i]!, hasBounds: true };
      continue;
    }
    return { nameStart: t.start[i]!, hasBounds: bounds };
  }
  return undefined;
}

// ---- triple-chevron launches rewritten to hipLaunchKernelGGL (HP120) ----

/** Codes of {@link kernelLaunchRule}. */
export const KERNEL_LAUNCH_CODES: readonly RuleCode[] = [
  { code: 'HP120', family: 'launch', defaultSeverity: 'hint', title: 'Kernel launch rewritten to hipLaunchKernelGGL', docs: DOCS.kernelLaunch },
];

/** With `kernelLaunch: hip`, `k<<<g, b, s, st>>>(args)` → `hipLaunchKernelGGL(k, g, b, s, st, args)` (HP120). */
export const kernelLaunchRule: Rule = {
  id: 'kernel-launch',
  family: 'launch',
  codes: KERNEL_LAUNCH_CODES,
  run(ctx) {
    if (ctx.options.kernelLaunch === 'hip') kernelLaunches(ctx);
  },
};

/** `name<<<g, b[, s[, st]]>>>(args)` → `hipLaunchKernelGGL(name, g, b, s, st, args)`. */
function kernelLaunches(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (let i = ctx.firstToken; i < ctx.endToken; i++) {
    if (t.kind[i] !== Tok.Punct || t.end[i]! - t.start[i]! !== 3 || !t.text.startsWith('<<<', t.start[i]!)) continue;
    // find the matching >>>
    let close = -1;
    for (let j = i + 1; j < t.count; j++) {
      if (t.kind[j] === Tok.Punct && t.end[j]! - t.start[j]! === 3 && t.text.startsWith('>>>', t.start[j]!)) {
        close = j;
        break;
      }
      if (isPunct(t, j, ';')) break;
    }
    if (close < 0) continue;
    const open = nextCode(t, close);
    if (!isPunct(t, open, '(')) continue;
    const call = callArguments(t, open);
    if (!call) continue;
    const nameStart = kernelNameStart(t, i);
    if (nameStart < 0) continue;
    const nameEnd = t.end[prevCode(t, i)]!;
    const kernel = t.text.slice(t.start[nameStart], nameEnd);
    const cfgCount = splitTopLevel(t.text.slice(t.end[i], t.start[close])).length;
    if (cfgCount < 2 || cfgCount > 4) continue;
    const templated = kernel.includes('<');
    const hasArgs = call.close > nextCode(t, open);
    // Small edits around the user's own tokens, so renames inside the configuration and the
    // arguments still apply: `k<<<g, b>>>(x)` → `hipLaunchKernelGGL(k, g, b, 0, 0, x)`.
    const pad = ', 0'.repeat(4 - cfgCount);
    const edits = [
      { start: t.start[nameStart]!, end: t.start[nameStart]!, newText: templated ? 'hipLaunchKernelGGL(HIP_KERNEL_NAME(' : 'hipLaunchKernelGGL(' },
      { start: nameEnd, end: t.end[i]!, newText: templated ? '), ' : ', ' },
      { start: t.start[close]!, end: t.end[open]!, newText: pad + (hasArgs ? ', ' : '') },
    ];
    // hipify-clang's form: the grid and block dimensions as dim3(...) (an int converts, a dim3 is copied)
    for (const [a, b] of configArgs(t, i, close).slice(0, 2)) {
      if (t.text.slice(t.start[a], t.end[a]) === 'dim3' && (isPunct(t, nextCode(t, a), '(') || isPunct(t, nextCode(t, a), '{'))) continue;
      edits.push({ start: t.start[a]!, end: t.start[a]!, newText: 'dim3(' }, { start: t.end[b]!, end: t.end[b]!, newText: ')' });
    }
    ctx.report({
      code: 'HP120',
      message: `Kernel launch ${kernel}<<<…>>> → hipLaunchKernelGGL`,
      start: t.start[nameStart]!,
      end: t.end[call.close]!,
      status: 'supported',
      hip: 'hipLaunchKernelGGL',
      fix: ctx.fix('Use hipLaunchKernelGGL', edits, true),
    });
    i = call.close;
  }
}

/**
 * Token ranges `[first, last]` of the comma-separated arguments between `<<<` (token `lt`) and
 * `>>>` (token `gt`); commas nested in (), [] or {} do not split. Empty arguments are left out.
 */
function configArgs(t: Tokens, lt: number, gt: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let first = -1;
  let last = -1;
  for (let j = lt + 1; j < gt; j++) {
    if (t.kind[j] === Tok.Comment) continue;
    if (depth === 0 && isPunct(t, j, ',')) {
      if (first >= 0) out.push([first, last]);
      first = last = -1;
      continue;
    }
    if (isPunct(t, j, '(') || isPunct(t, j, '[') || isPunct(t, j, '{')) depth++;
    else if (isPunct(t, j, ')') || isPunct(t, j, ']') || isPunct(t, j, '}')) depth--;
    if (first < 0) first = j;
    last = j;
  }
  if (first >= 0) out.push([first, last]);
  return out;
}

/** First token of the kernel expression before `<<<` at token `lt`: `ns::kernel<T, 4>`; -1 if none. */
function kernelNameStart(t: Tokens, lt: number): number {
  let j = prevCode(t, lt);
  if (j < 0) return -1;
  if (isPunct(t, j, '>')) {
    let depth = 0;
    for (; j >= 0; j--) {
      if (isPunct(t, j, '>')) depth++;
      else if (isPunct(t, j, '>>')) depth += 2;
      else if (isPunct(t, j, '<')) {
        depth--;
        if (depth === 0) break;
      }
    }
    j = prevCode(t, j);
  }
  if (j < 0 || t.kind[j] !== Tok.Ident) return -1;
  let first = j;
  for (;;) {
    const p = prevCode(t, first);
    if (p >= 0 && isPunct(t, p, '::')) {
      const q = prevCode(t, p);
      if (q >= 0 && t.kind[q] === Tok.Ident) {
        first = q;
        continue;
      }
      first = p;
    }
    break;
  }
  return first;
}

/** Splits a launch configuration at top-level commas. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}
