/**
 * Host-side warp constants that size a launch or a buffer for kernels that mean the wavefront
 * (issue 16, class 1: "host-side warp constants used for launch geometry or buffer sizing").
 *
 * `#define WARP_SIZE 32` (or `constexpr int kWarp = 32`, or 64) used on the host in a launch
 * configuration (`<<<grid, block, smem>>>`, `hipLaunchKernelGGL`/`cudaLaunchKernel` geometry), or
 * in an allocation or copy size (`cudaMalloc`, `cudaMemcpy`, `cudaMemset`, `malloc`, ...), directly
 * or through a variable of the same host function initialised from it, is wrong on AMD when a
 * kernel of the file treats a warp as the wavefront:
 * - a kernel groups lanes by the same constant *and* uses an operation spanning the whole
 *   wavefront in that function (a vote, ballot, or an absolute-lane shuffle with the default width): the constant means the wavefront width there, so it must become
 *   per-architecture in device code (HP201/HP208's fix: 64 under `__GFX9__`, else 32), while the
 *   host compilation, which defines no `__GFX9__`, keeps 32: host and device disagree on wave64;
 * - a kernel divides by, or takes lanes modulo, HIP's `warpSize` (64 on wave64 GPUs, 32 on wave32
 *   ones): the host sized per 32 (or 64) lanes, the device works per wavefront.
 * Only kernels launched by the same host function count (`k<<<…>>>`, `hipLaunchKernelGGL(k, …)`).
 * Either way the block holds a different number of wavefronts than the host sized for (on wave64:
 * half the per-warp slots are written, or twice the lanes per warp index; on wave32 with a 64
 * constant: twice as many wavefronts as slots, an overflow).
 *
 * Fix: the host reads the device's width at run time (`hipDeviceProp_t::warpSize`, or
 * `hipDeviceGetAttribute(&w, hipDeviceAttributeWarpSize, device)`; HIP runtime API reference,
 * "hipDeviceAttribute_t"), never a build-wide `-DWARP_SIZE=64`, which is wrong for one of the
 * architectures of a fat binary. The offered fix (never automatic) declares the width once at the
 * top of the host function and uses it in place of the constant's launch/size uses.
 *
 * Quiet: a warp-named constant used only as a tile or block dimension by kernels that neither
 * group lanes by it with cross-lane operations nor divide by `warpSize`.
 *
 * The rule reads the whole file (host and kernels are different top-level items), so its scope is
 * `file`; its signature is the text of the items that hold a warp-size name, a cross-lane
 * operation or `warpSize` (no other item can change a finding).
 */
import { Tok, PP, callArguments, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import type { RelatedSpan, TextEdit } from '../findings';
import { describeWave, waveSizesOf, type WaveSize } from '../arch';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { functionContaining, isDeviceFunction, isIdent, namespaceFunctions, tokenText, type FnDef } from './util';
import { relevantItemText } from './preprocessor';
import { ABSOLUTE_SHUFFLES, CROSS_LANE, LITERALS, WAVE_WIDE, WARP_SIZE_NAME, definedConstantAt, isLaneArithmeticOperand, type Constant } from './warp';

/** Codes of {@link warpHostRule}. */
export const WARP_HOST_CODES: readonly RuleCode[] = [
  {
    code: 'HP209',
    family: 'warp',
    defaultSeverity: 'warning',
    title: 'Host warp constant sizes a launch or buffer for kernels that work per wavefront (read hipDeviceAttributeWarpSize)',
    docs: DOCS.warpSize,
  },
];

/** Launch calls: the 0-based indices of their arguments that are geometry (grid, block) or the dynamic shared-memory byte count. */
const LAUNCH_CALLS: Readonly<Record<string, readonly number[]>> = {
  hipLaunchKernelGGL: [1, 2, 3],
  cudaLaunchKernel: [1, 2, 4],
  hipLaunchKernel: [1, 2, 4],
  cudaLaunchCooperativeKernel: [1, 2, 4],
  hipLaunchCooperativeKernel: [1, 2, 4],
};
/** Allocation and copy calls: every argument is a size or a pointer. */
const SIZE_CALLS = new Set([
  'cudaMalloc', 'cudaMallocManaged', 'cudaMallocHost', 'cudaHostAlloc', 'cudaMallocAsync', 'cudaMemcpy', 'cudaMemcpyAsync', 'cudaMemset', 'cudaMemsetAsync',
  'cudaMemcpyToSymbol', 'cudaMemcpyFromSymbol', 'hipMalloc', 'hipMallocManaged', 'hipHostMalloc', 'hipMemcpy', 'hipMemcpyAsync', 'hipMemset', 'hipMemsetAsync',
  'malloc', 'calloc',
]);

export const warpHostRule: Rule = {
  id: 'warp-host',
  family: 'warp',
  scope: 'file',
  codes: WARP_HOST_CODES,
  signature: (t, first, end) => relevantItemText(t, first, end, (i) => relevantToken(t, i)),
  run(ctx) {
    const constants = fileConstants(ctx);
    if (!constants.size) return;
    const fns = namespaceFunctions(ctx);
    if (!fns.length) return;
    const meaning = deviceMeaning(ctx, fns, constants);
    if (!meaning.size) return;
    // host functions holding a use of a constant (from the identifier index, not a token walk)
    const hosts = new Map<FnDef, number[]>();
    for (const name of constants.keys()) {
      for (const k of ctx.identsNamed(name)) {
        if (ctx.tokens.pp[k] !== PP.None) continue;
        const fn = functionContaining(fns, k);
        if (!fn || fn.close >= ctx.tokens.count || isDeviceFunction(ctx, fn)) continue;
        const list = hosts.get(fn);
        if (list) list.push(k);
        else hosts.set(fn, [k]);
      }
    }
    for (const [fn, occurrences] of hosts) hostFunction(ctx, fn, occurrences.sort((a, b) => a - b), constants, meaning);
  },
};

/** Token `i` is a warp-size name, `warpSize` or a cross-lane operation (what an item must hold to matter). */
function relevantToken(t: Tokens, i: number): boolean {
  if (t.kind[i] !== Tok.Ident) return false;
  const s = t.text.slice(t.start[i], t.end[i]);
  return s === 'warpSize' || WARP_SIZE_NAME.test(s) || CROSS_LANE.includes(s);
}

/**
 * Warp-size constants defined once (one width) in the file, by name; an all-caps warp-size name
 * used here but defined in none of its lines (`WARP_SIZE` from a header) counts as 32, the CUDA
 * warp width, with `numTok` -1.
 */
function fileConstants(ctx: RuleContext): Map<string, Constant> {
  const t = ctx.tokens;
  const out = new Map<string, Constant>();
  const mixed = new Set<string>();
  const external = new Set<string>();
  for (const [name, list] of ctx.identIndex()) {
    if (name === 'warpSize' || !WARP_SIZE_NAME.test(name)) continue;
    // an all-caps macro name never defined or declared here: from a header (CUDA's warp, 32)
    if (/^[A-Z][A-Z0-9_]*$/.test(name) && list.every((k) => !declaredAt(t, k))) external.add(name);
    for (const k of list) {
      const n = nextCode(t, k);
      const num = t.kind[n] === Tok.Number ? n : isPunct(t, n, '=') && t.kind[nextCode(t, n)] === Tok.Number ? nextCode(t, n) : -1;
      if (num < 0) continue;
      const lit = LITERALS[tokenText(t, num).replace(/[uUlL]+$/, '').toLowerCase()];
      if (!lit || lit.what !== 'size') continue;
      const c = definedConstantAt(t, num, lit.width);
      if (!c || c.name !== name) continue;
      const known = out.get(name);
      if (known && known.value !== c.value) mixed.add(name);
      else if (!known) out.set(name, c);
    }
  }
  // defined with both widths (`#if __GFX9__ … 64 #else … 32`): already per architecture
  for (const n of mixed) out.delete(n);
  for (const n of external) if (!out.has(n) && !mixed.has(n)) out.set(n, { name: n, value: 32, numTok: -1, macro: true });
  return out;
}

/** Token `k` is declared or defined here: `#define K`, `int K`, `K = …` at a declaration, a parameter. */
function declaredAt(t: Tokens, k: number): boolean {
  const p = prevCode(t, k);
  if (p < 0) return false;
  if (t.kind[p] === Tok.Directive) return true;
  if (t.kind[p] !== Tok.Ident) return false;
  const w = tokenText(t, p);
  return w !== 'return' && w !== 'case' && w !== 'sizeof';
}

/** Why a kernel's warp is the wavefront: the place to show, and what it does there. */
interface Meaning {
  start: number;
  end: number;
  message: string;
}

/**
 * What each kernel (device function) of the file does with the width: by function name, then by
 * constant name (`warpSize`: the kernel divides by HIP's warpSize, which concerns every host
 * constant). Only the first place per name is kept.
 */
function deviceMeaning(ctx: RuleContext, fns: readonly FnDef[], constants: ReadonlyMap<string, Constant>): Map<string, Map<string, Meaning>> {
  const t = ctx.tokens;
  // whole-wavefront operations and lane groupings, by device function (from the identifier index)
  const cross = new Map<FnDef, string>();
  for (const name of [...WAVE_WIDE, ...ABSOLUTE_SHUFFLES]) {
    for (const k of ctx.identsNamed(name)) {
      const fn = functionContaining(fns, k);
      if (!fn || cross.has(fn) || t.pp[k] !== PP.None || !isPunct(t, nextCode(t, k), '(') || !wholeWavefront(t, k, name)) continue;
      if (isDeviceFunction(ctx, fn)) cross.set(fn, name);
    }
  }
  const all = new Map<string, Map<string, Meaning>>();
  for (const name of ['warpSize', ...constants.keys()]) {
    for (const k of ctx.identsNamed(name)) {
      if (t.pp[k] !== PP.None || !isLaneArithmeticOperand(t, k)) continue;
      const fn = functionContaining(fns, k);
      if (!fn || !isDeviceFunction(ctx, fn)) continue;
      const out = all.get(fn.name) ?? new Map<string, Meaning>();
      if (out.has(name)) continue;
      const op = cross.get(fn);
      if (name === 'warpSize') {
        out.set(name, { start: t.start[k]!, end: t.end[k]!, message: `${fn.name} works per wavefront with HIP's warpSize here (64 on wave64 GPUs, 32 on wave32 ones)` });
      } else if (op) {
        out.set(name, { start: t.start[k]!, end: t.end[k]!, message: `${fn.name} groups lanes by ${name} with ${op} here: ${name} is the wavefront width in device code` });
      } else continue;
      all.set(fn.name, out);
    }
  }
  return all;
}

/** Names of the kernels `fn` launches (`k<<<…>>>`, `k<T><<<…>>>`, the first argument of a launch call). */
function launchedKernels(t: Tokens, fn: FnDef): Set<string> {
  const out = new Set<string>();
  for (let k = fn.open + 1; k < fn.close; k++) {
    if (isTriple(t, k, '<<<')) {
      let p = prevCode(t, k);
      // `k<float><<<…>>>`: skip the template arguments
      if (isPunct(t, p, '>')) {
        for (let d = 0; p > fn.open; p = prevCode(t, p)) {
          if (isPunct(t, p, '>')) d++;
          else if (isPunct(t, p, '<') && --d === 0) break;
        }
        p = prevCode(t, p);
      }
      if (isIdent(t, p)) out.add(tokenText(t, p));
    } else if (t.kind[k] === Tok.Ident && LAUNCH_CALLS[tokenText(t, k)] && isPunct(t, nextCode(t, k), '(')) {
      const a = nextCode(t, nextCode(t, k));
      if (isIdent(t, a)) out.add(tokenText(t, a));
    }
  }
  return out;
}

/**
 * Call `name` at token `k` spans the whole wavefront: a vote, ballot or lane mask, or a shuffle
 * that reads an absolute lane with the default width (a relative shuffle reduction, or any
 * shuffle with an explicit width, stays inside a logical warp of the constant's width).
 */
function wholeWavefront(t: Tokens, k: number, name: string): boolean {
  if (WAVE_WIDE.includes(name)) return true;
  if (!ABSOLUTE_SHUFFLES.includes(name)) return false;
  const call = callArguments(t, nextCode(t, k));
  return !!call && call.args.length < (name.endsWith('_sync') ? 4 : 3);
}

/** A host use of a constant: the token, and where it takes effect (a launch or a size call). */
interface HostUse {
  tok: number;
  /** Token to show for the launch/size call when the use is through a variable. */
  via?: number;
  /** Where it takes effect: a launch configuration or an allocation/copy size. */
  what: 'launch' | 'size';
}

/** HP209 for one host function (see the module comment). */
function hostFunction(ctx: RuleContext, fn: FnDef, occurrences: readonly number[], constants: ReadonlyMap<string, Constant>, meaning: ReadonlyMap<string, ReadonlyMap<string, Meaning>>): void {
  const t = ctx.tokens;
  const uses: HostUse[] = [];
  const byVar = new Map<string, number[]>();
  for (const k of occurrences) {
    const where = effectAt(t, k, fn);
    if (where) {
      uses.push({ tok: k, what: where.what });
      continue;
    }
    // `int threads = WARP_SIZE * 4;`, `dim3 block(WARP_SIZE, 4);`: the variable's later uses count
    const v = declaredVariable(t, k, fn);
    if (v) {
      const list = byVar.get(v);
      if (list) list.push(k);
      else byVar.set(v, [k]);
    }
  }
  if (byVar.size) {
    for (let k = fn.open + 1; k < fn.close; k++) {
      if (t.kind[k] !== Tok.Ident) continue;
      const from = byVar.get(tokenText(t, k));
      if (!from || from.some((f) => f >= k)) continue;
      const where = effectAt(t, k, fn);
      if (!where) continue;
      for (const f of from) if (!uses.some((u) => u.tok === f)) uses.push({ tok: f, via: k, what: where.what });
    }
  }
  if (!uses.length) return;
  uses.sort((a, b) => a.tok - b.tok);
  const first = uses[0]!;
  const c = constants.get(tokenText(t, first.tok))!;
  // only the kernels this function launches count
  let why: Meaning | undefined;
  for (const k of launchedKernels(t, fn)) {
    const m = meaning.get(k);
    why = m?.get(c.name) ?? m?.get('warpSize');
    if (why) break;
  }
  if (!why) return;
  const breaks: WaveSize = c.value === 32 ? 64 : 32;
  const waves = waveSizesOf(ctx.options.offloadArch);
  const archs = ctx.options.offloadArch;
  const related: RelatedSpan[] = [
    ...(c.numTok >= 0 ? [{ start: t.start[c.numTok]!, end: t.end[c.numTok]!, message: `${c.name} is defined as ${c.value} here` }] : []),
    { start: why.start, end: why.end, message: why.message },
  ];
  const shown = c.numTok >= 0 ? `${c.name} (${c.value})` : `${c.name} (defined outside this file; 32, the CUDA warp, assumed)`;
  for (const u of uses.slice(1, 6)) related.push({ start: t.start[u.tok]!, end: t.end[u.tok]!, message: `${c.name} also sizes ${u.what === 'launch' ? 'the launch' : 'a buffer'} here` });
  if (first.via !== undefined) related.push({ start: t.start[first.via]!, end: t.end[first.via]!, message: `${tokenText(t, first.via)} (from ${c.name}) ${first.what === 'launch' ? 'configures the launch' : 'sizes the buffer'} here` });
  const consequence =
    breaks === 64
      ? `on ${describeWave(64, archs)} GPUs a wavefront has 64 lanes, so the block holds half as many wavefronts as the host sized for (per-warp slots left unwritten, lanes past 31 of each warp unaccounted)`
      : `on ${describeWave(32, archs)} GPUs a wavefront has 32 lanes, so the block holds twice as many wavefronts as the host sized for (per-wavefront slots overflow)`;
  const hip = isHipText(ctx);
  const fix = hostFix(ctx, fn, uses, hip);
  ctx.report({
    code: 'HP209',
    severity: waves.has(breaks) ? 'warning' : 'information',
    message: `host code sizes ${first.what === 'launch' ? 'a launch' : 'a buffer'} by ${shown} while the kernels work per wavefront: ${consequence}; read the device's width at run time (hipDeviceProp_t::warpSize, hipDeviceGetAttribute(…, hipDeviceAttributeWarpSize, device)), not a build-wide -D${c.name}`,
    start: t.start[first.tok]!,
    end: t.end[first.tok]!,
    status: 'hazard',
    library: 'runtime',
    cuda: c.name,
    hip: 'hipDeviceAttributeWarpSize',
    related,
    ...(fix ? { fix } : {}),
  });
}

/** True when the file already speaks HIP (the fix then inserts HIP names, else CUDA ones the port renames). */
function isHipText(ctx: RuleContext): boolean {
  return ['hipMalloc', 'hipLaunchKernelGGL', 'hipGetDevice', 'hipDeviceGetAttribute', 'hipMemcpy', 'hipDeviceSynchronize'].some((n) => ctx.fileHas(n));
}

/** The quick-fix: declare the device's warp width at the top of `fn` and use it for every host use. */
function hostFix(ctx: RuleContext, fn: FnDef, uses: readonly HostUse[], hip: boolean): ReturnType<RuleContext['fix']> | undefined {
  const t = ctx.tokens;
  if (ctx.identsNamed('hp_warp_size').length) return undefined;
  const [dev, attr, get] = hip ? ['hipGetDevice', 'hipDeviceAttributeWarpSize', 'hipDeviceGetAttribute'] : ['cudaGetDevice', 'cudaDevAttrWarpSize', 'cudaDeviceGetAttribute'];
  const eol = ctx.eol;
  const edits: TextEdit[] = [
    {
      start: t.end[fn.open]!,
      end: t.end[fn.open]!,
      newText: `${eol}  int hp_warp_size = 32; // the device's wavefront width (64 on wave64 GPUs, 32 on wave32 ones)${eol}  { int hp_device = 0; ${dev}(&hp_device); ${get}(&hp_warp_size, ${attr}, hp_device); }`,
    },
  ];
  for (const u of uses) edits.push({ start: t.start[u.tok]!, end: t.end[u.tok]!, newText: 'hp_warp_size' });
  return ctx.fix(`Read the device's warp size (${attr}) in ${fn.name}`, edits, false);
}

/**
 * Where token `k` of host function `fn` takes effect: in a launch configuration (`<<<…>>>` of its
 * statement, the geometry arguments of a launch call) or in the arguments of an allocation/copy
 * call; undefined otherwise.
 */
function effectAt(t: Tokens, k: number, fn: FnDef): { what: 'launch' | 'size' } | undefined {
  const [a, b] = statementBounds(t, k, fn);
  // `<<< … k … >>>`
  let open = -1;
  for (let j = k - 1; j >= a; j--) {
    if (isTriple(t, j, '<<<')) {
      open = j;
      break;
    }
    if (isTriple(t, j, '>>>')) break;
  }
  if (open >= 0) {
    for (let j = k + 1; j <= b; j++) if (isTriple(t, j, '>>>')) return { what: 'launch' };
  }
  // innermost enclosing call whose name is a launch or size call
  let depth = 0;
  for (let j = k - 1; j >= a; j--) {
    if (t.kind[j] !== Tok.Punct) continue;
    if (isPunct(t, j, ')')) depth++;
    else if (isPunct(t, j, '(')) {
      if (depth > 0) {
        depth--;
        continue;
      }
      const name = prevCode(t, j);
      if (!isIdent(t, name)) continue;
      const n = tokenText(t, name);
      if (SIZE_CALLS.has(n)) return { what: 'size' };
      const geo = LAUNCH_CALLS[n];
      if (geo) {
        const call = callArguments(t, j);
        const idx = call ? call.args.findIndex(([x, y]) => k >= x && k <= y) : -1;
        if (idx >= 0 && geo.includes(idx)) return { what: 'launch' };
        return undefined;
      }
    }
  }
  return undefined;
}

/** First and last token of the statement holding `k` inside `fn`'s body: between `;`, `{` or `}` (at most 200 tokens each way). */
function statementBounds(t: Tokens, k: number, fn: FnDef): [number, number] {
  const stop = (j: number): boolean => t.kind[j] === Tok.Punct && (isPunct(t, j, ';') || isPunct(t, j, '{') || isPunct(t, j, '}'));
  let a = k;
  for (let j = k - 1, n = 0; j > fn.open && n < 200 && !stop(j); j--, n++) a = j;
  let b = k;
  for (let j = k + 1, n = 0; j < fn.close && n < 200 && !stop(j); j++, n++) b = j;
  return [a, b];
}

function isTriple(t: Tokens, j: number, s: '<<<' | '>>>'): boolean {
  return t.kind[j] === Tok.Punct && t.end[j]! - t.start[j]! === 3 && t.text.startsWith(s, t.start[j]!);
}

/**
 * The variable a declaration statement holding token `k` initialises (`T v = … k …;`,
 * `dim3 v(… k …);`, `v = … k …;`), or undefined.
 */
function declaredVariable(t: Tokens, k: number, fn: FnDef): string | undefined {
  const [a] = statementBounds(t, k, fn);
  for (let j = a; j < k; j++) {
    if (!isIdent(t, j)) continue;
    const n = nextCode(t, j);
    if (n > k) return undefined;
    if ((isPunct(t, n, '=') && !isPunct(t, nextCode(t, n), '=')) || (isPunct(t, n, '(') && isIdent(t, prevCode(t, j)))) {
      const prev = prevCode(t, j);
      // `a.b = …` / `a->b = …` members are not followed
      if (prev >= 0 && (isPunct(t, prev, '.') || isPunct(t, prev, '->'))) return undefined;
      return tokenText(t, j);
    }
  }
  return undefined;
}
