/**
 * Memory and type hazards (family `memory`):
 * - HP504 texture and surface references (`texture<float, 1, cudaReadModeElementType> tex;`,
 *   `surface<void, 2> s;` and fetches through them): removed in CUDA 12 and deprecated in HIP;
 *   port to texture/surface objects (HIP C++ language extensions, "Texture functions", DOCS.textures).
 * - HP505 `__threadfence_system()`: supported, but on AMD it only orders accesses to memory the
 *   host sees coherently (fine-grained / coherent host allocations); with default coarse-grained
 *   device memory the host may not see the writes until the kernel ends (HIP "Coherence control",
 *   DOCS.coherence).
 * - HP507 `half2` `.x`/`.y` member access: in HIP 5.2 `__half2::x`/`y` are `unsigned short` raw
 *   bits (hip/amd_detail/amd_hip_fp16.h), in CUDA they are `__half`; use `__low2half`/`__high2half`.
 * - HP508 `nvcuda::wmma` / `wmma::` fragments: no HIP equivalent; rocWMMA (DOCS.warpMatrix).
 * (HP506, symbols without HIP_SYMBOL, is {@link symbolsRule} at the end of this file.)
 */
import { Tok, PP, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { isIdent, tokenText } from './util';
import { callArguments } from '../lexer';
import { tokenRange } from './util';

export const MEMORY_CODES: readonly RuleCode[] = [
  { code: 'HP504', family: 'memory', defaultSeverity: 'warning', title: 'Texture or surface reference (removed in CUDA 12, deprecated in HIP)', docs: DOCS.textures },
  { code: 'HP505', family: 'memory', defaultSeverity: 'information', title: '__threadfence_system needs coherent host memory on AMD', docs: DOCS.coherence },
  { code: 'HP507', family: 'memory', defaultSeverity: 'warning', title: 'half2 .x/.y member access (raw bits in HIP)', docs: DOCS.languageExtensions },
  { code: 'HP508', family: 'memory', defaultSeverity: 'error', title: 'WMMA tensor-core fragments (no HIP equivalent; rocWMMA)', docs: DOCS.warpMatrix },
  { code: 'HP513', family: 'memory', defaultSeverity: 'warning', title: 'Linear filtering of a 3D texture (rejected on gfx90a)', docs: DOCS.textures },
  { code: 'HP514', family: 'memory', defaultSeverity: 'warning', title: '2D pitched texture with a pitch computed by hand (must be a multiple of texturePitchAlignment)', docs: DOCS.textures },
];

const FETCHES = new Set([
  'tex1Dfetch', 'tex1D', 'tex2D', 'tex3D', 'tex1DLayered', 'tex2DLayered', 'texCubemap', 'texCubemapLayered', 'tex2Dgather', 'tex1DLod', 'tex2DLod', 'tex3DLod', 'tex1DGrad', 'tex2DGrad', 'tex3DGrad',
  'surf1Dread', 'surf1Dwrite', 'surf2Dread', 'surf2Dwrite', 'surf3Dread', 'surf3Dwrite', 'surf1DLayeredread', 'surf1DLayeredwrite', 'surf2DLayeredread', 'surf2DLayeredwrite',
]);

export const memoryRule: Rule = {
  id: 'memory',
  family: 'memory',
  codes: MEMORY_CODES,
  run(ctx) {
    textureRefs(ctx);
    fences(ctx);
    half2Members(ctx);
    wmma(ctx);
    textureObjects(ctx);
  },
};

/** Calls and names that make a texture three-dimensional. */
const THREE_D = ['cudaMalloc3DArray', 'hipMalloc3DArray', 'cudaTextureType3D', 'hipTextureType3D'];

/**
 * Texture-object creation that fails on AMD (issue 16, class 9). Source: ROCm clr,
 * hipamd/src/hip_texture.cpp, ihipCreateTextureObject (ROCm 5.x-6.x):
 * - HP513: a texture on an array with depth > 0 and `filterMode == hipFilterModeLinear` returns
 *   hipErrorNotSupported on gfx90a ("doesn't support 3D linear filter"). Reported at
 *   `.filterMode = cudaFilterModeLinear` when the file allocates or declares a 3D texture (read
 *   file-wide); warning when gfx90a is a configured target, information otherwise.
 * - HP514: a `hipResourceTypePitch2D` resource whose `pitchInBytes` is not a multiple of the
 *   device's `texturePitchAlignment` returns hipErrorInvalidValue. Reported where the pitch is
 *   computed by hand from an element size (`.pitchInBytes = w * sizeof(float)`, the last argument
 *   of `cudaBindTexture2D`): a value that met NVIDIA's alignment need not meet AMD's. The
 *   alignment's value per GPU is not stated in the HIP docs, so the message names no number.
 */
function textureObjects(ctx: RuleContext): void {
  const t = ctx.tokens;
  const gfx90a = ctx.options.offloadArch.some((a) => /^gfx90a(?::|$)/.test(a));
  for (const name of ['cudaFilterModeLinear', 'hipFilterModeLinear']) {
    for (const i of ctx.identsNamed(name)) {
      if (t.pp[i] !== PP.None) continue;
      const eq = prevCode(t, i);
      const field = prevCode(t, eq);
      if (!isPunct(t, eq, '=') || !isIdent(t, field, 'filterMode')) continue;
      let threeD = -1;
      for (const d of THREE_D) {
        const uses = ctx.fileIdentsNamed(d, { before: 0, after: 0 });
        if (uses.length && (threeD < 0 || uses[0]! < threeD)) threeD = uses[0]!;
      }
      if (threeD < 0) continue;
      ctx.report({
        code: 'HP513',
        message: `linear filtering with an array that has a depth in this file (3D, layered or cubemap, cudaMalloc3DArray): hipCreateTextureObject returns hipErrorNotSupported for such an array with hipFilterModeLinear on gfx90a${gfx90a ? ' (a configured target)' : ''}; filter in the kernel (8 point reads) or use point filtering there`,
        severity: gfx90a ? 'warning' : 'information',
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'hazard',
        cuda: name,
        related: [{ start: t.start[threeD]!, end: t.end[threeD]!, message: '3D texture here' }],
      });
    }
  }
  const handPitch = (a: number, b: number): boolean => {
    for (let k = a; k < b; k++) if (isIdent(t, k, 'sizeof')) return true;
    return false;
  };
  for (const i of ctx.identsNamed('pitchInBytes')) {
    const eq = nextCode(t, i);
    if (!isPunct(t, eq, '=') || !isPunct(t, prevCode(t, i), '.')) continue;
    let end = eq;
    while (end < ctx.endToken && !isPunct(t, end, ';')) end++;
    if (!handPitch(eq, end)) continue;
    reportPitch(ctx, i, t.text.slice(t.end[eq]!, t.start[end]!).trim());
  }
  for (const name of ['cudaBindTexture2D', 'hipBindTexture2D']) {
    for (const i of ctx.identsNamed(name)) {
      const open = nextCode(t, i);
      if (!isPunct(t, open, '(')) continue;
      let depth = 0;
      let lastComma = -1;
      let close = open;
      for (; close < ctx.endToken; close++) {
        if (isPunct(t, close, '(')) depth++;
        else if (isPunct(t, close, ')') && --depth === 0) break;
        else if (depth === 1 && isPunct(t, close, ',')) lastComma = close;
      }
      if (lastComma < 0 || !handPitch(lastComma, close)) continue;
      reportPitch(ctx, i, t.text.slice(t.end[lastComma]!, t.start[close]!).trim());
    }
  }
}

function reportPitch(ctx: RuleContext, i: number, pitch: string): void {
  const t = ctx.tokens;
  ctx.report({
    code: 'HP514',
    message: `2D pitched texture with a hand-computed pitch (${pitch}): on AMD the texture is rejected (hipErrorInvalidValue) unless the pitch is a multiple of hipDeviceProp_t::texturePitchAlignment; allocate with hipMallocPitch and pass the pitch it returns`,
    start: t.start[i]!,
    end: t.end[i]!,
    status: 'hazard',
  });
}

/**
 * HP504 at texture/surface reference declarations of the window, and at fetches through a
 * reference declared anywhere in the file (references are namespace-scope variables, so the
 * declarations are read through {@link RuleContext.fileIdentsNamed} when the window has a fetch).
 */
function textureRefs(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const kw of ['texture', 'surface']) {
    for (const i of ctx.identsNamed(kw)) {
      const name = referenceName(t, i);
      if (name < 0) continue;
      ctx.report({
        code: 'HP504',
        message: `${kw} reference '${tokenText(t, name)}': removed in CUDA 12 and deprecated in HIP; port to ${kw} objects (hip${kw === 'texture' ? 'TextureObject_t' : 'SurfaceObject_t'}, hipCreate${kw === 'texture' ? 'Texture' : 'Surface'}Object)`,
        start: t.start[i]!,
        end: t.end[name]!,
        status: 'deprecated',
        cuda: kw,
        hip: kw === 'texture' ? 'hipTextureObject_t' : 'hipSurfaceObject_t',
      });
    }
  }
  let refs: Set<string> | undefined;
  for (const f of FETCHES) {
    for (const i of ctx.identsNamed(f)) {
      const open = nextCode(t, i);
      if (!isPunct(t, open, '(')) continue; // tex1Dfetch<T>(obj, i) is the object API
      const arg = nextCode(t, open);
      if (!isIdent(t, arg)) continue;
      if (!refs) {
        refs = new Set();
        for (const kw of ['texture', 'surface']) {
          for (const k of ctx.fileIdentsNamed(kw)) {
            const name = referenceName(t, k);
            if (name >= 0) refs.add(tokenText(t, name));
          }
        }
      }
      if (!refs.has(tokenText(t, arg))) continue;
      ctx.report({
        code: 'HP504',
        message: `${f} through texture reference '${tokenText(t, arg)}': texture references are removed in CUDA 12 and deprecated in HIP; use a texture object (${f.startsWith('surf') ? f : `${f}<T>`}(obj, …))`,
        start: t.start[i]!,
        end: t.end[arg]!,
        status: 'deprecated',
        cuda: f,
      });
    }
  }
}

/** The name token of the reference declared by `texture<...> name` / `surface<...> name` at token `i`, or -1. */
function referenceName(t: Tokens, i: number): number {
  if (t.pp[i] !== PP.None) return -1;
  const p = prevCode(t, i);
  if (isPunct(t, p, '.') || isPunct(t, p, '->') || isPunct(t, p, '::')) return -1;
  const lt = nextCode(t, i);
  if (!isPunct(t, lt, '<')) return -1;
  let depth = 0;
  let gt = -1;
  for (let j = lt; j < t.count && j < lt + 40; j++) {
    if (isPunct(t, j, '<')) depth++;
    else if (isPunct(t, j, '>')) depth--;
    else if (isPunct(t, j, '>>')) depth -= 2;
    else if (isPunct(t, j, ';') || isPunct(t, j, '{')) break;
    if (depth <= 0) {
      gt = j;
      break;
    }
  }
  if (gt < 0) return -1;
  let name = nextCode(t, gt);
  while (isPunct(t, name, '&') || isPunct(t, name, '*')) name = nextCode(t, name);
  return isIdent(t, name) ? name : -1;
}

function fences(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('__threadfence_system')) {
    if (!isPunct(t, nextCode(t, i), '(')) continue;
    ctx.report({
      code: 'HP505',
      message: '__threadfence_system: on AMD the host sees the writes only in coherent memory (hipHostMalloc with hipHostMallocCoherent, or fine-grained allocations); with default coarse-grained memory they become visible at kernel end',
      start: t.start[i]!,
      end: t.end[i]!,
      status: 'hazard',
      library: 'device',
      cuda: '__threadfence_system',
      hip: '__threadfence_system',
    });
  }
}

/**
 * HP507 at `.x`/`.y` of a variable declared with a half2 type anywhere in the file (by name, as
 * declarations may sit in another function or at namespace scope: read through
 * {@link RuleContext.fileIdentsNamed}, only once the window has a member access).
 */
function half2Members(ctx: RuleContext): void {
  const t = ctx.tokens;
  let vars: Set<string> | undefined;
  for (const field of ['x', 'y']) {
    for (const i of ctx.identsNamed(field)) {
      const dot = prevCode(t, i);
      if (!isPunct(t, dot, '.') && !isPunct(t, dot, '->')) continue;
      const v = prevCode(t, dot);
      if (!isIdent(t, v)) continue;
      vars ??= half2Variables(ctx);
      if (!vars.size) return;
      if (!vars.has(tokenText(t, v))) continue;
      reportHalf2Member(ctx, i, dot, v, field);
    }
  }
}

/** Names declared with a half2 type (`half2 a, b;`, parameters) in the whole file. */
function half2Variables(ctx: RuleContext): Set<string> {
  const t = ctx.tokens;
  const vars = new Set<string>();
  for (const ty of ['half2', '__half2', 'nv_bfloat162', '__nv_bfloat162']) {
    for (const i of ctx.fileIdentsNamed(ty)) {
      let j = nextCode(t, i);
      while (isPunct(t, j, '*') || isPunct(t, j, '&') || isIdent(t, j, 'const') || isIdent(t, j, '__restrict__')) j = nextCode(t, j);
      if (!isIdent(t, j)) continue;
      const after = nextCode(t, j);
      if (isPunct(t, after, '(') && !isPunct(t, prevCode(t, i), '(') && !isPunct(t, prevCode(t, i), ',')) continue; // a function returning half2
      vars.add(tokenText(t, j));
      // `half2 a, b;`
      for (let k = after; isPunct(t, k, ',') && isIdent(t, nextCode(t, k)); k = nextCode(t, nextCode(t, k))) vars.add(tokenText(t, nextCode(t, k)));
    }
  }
  return vars;
}

/** Reports HP507 at `v.field` (tokens `v`, `dot`, `i`). */
function reportHalf2Member(ctx: RuleContext, i: number, dot: number, v: number, field: string): void {
  const t = ctx.tokens;
  const n = nextCode(t, i);
  const written = isPunct(t, n, '=') && !isPunct(t, nextCode(t, n), '=');
  const fn = field === 'x' ? '__low2half' : '__high2half';
  const base = tokenText(t, v) + (isPunct(t, dot, '->') ? '' : '');
  const arg = isPunct(t, dot, '->') ? `*${base}` : base;
  ctx.report({
    code: 'HP507',
    message: written
      ? `${tokenText(t, v)}${tokenText(t, dot)}${field} = …: in HIP __half2::${field} is the raw 16-bit pattern (unsigned short), not a __half; build the pair with __halves2half2(lo, hi)`
      : `${tokenText(t, v)}${tokenText(t, dot)}${field}: in HIP __half2::${field} is the raw 16-bit pattern (unsigned short), not a __half; use ${fn}(${arg})`,
    start: t.start[v]!,
    end: t.end[i]!,
    status: 'hazard',
    library: 'device',
    cuda: `.${field}`,
    hip: written ? '__halves2half2' : fn,
    ...(written ? {} : { fix: ctx.fix(`Use ${fn}(${arg})`, [{ start: t.start[v]!, end: t.end[i]!, newText: `${fn}(${arg})` }], false) }),
  });
}

/** HP508 once per file, at the first `wmma::`/`nvcuda::` of the file (read through {@link RuleContext.fileIdentsNamed}). */
function wmma(ctx: RuleContext): void {
  const t = ctx.tokens;
  let first = -1;
  for (const n of ['wmma', 'nvcuda']) {
    for (const i of ctx.fileIdentsNamed(n, { before: 1, after: 1 })) {
      if (t.kind[i] !== Tok.Ident || t.pp[i] !== PP.None) continue;
      if (!isPunct(t, nextCode(t, i), '::') && !isIdent(t, prevCode(t, i), 'namespace')) continue;
      if (first < 0 || i < first) first = i;
      break;
    }
  }
  if (first < 0) return;
  ctx.report({
    code: 'HP508',
    message: 'WMMA (nvcuda::wmma) tensor-core fragments have no HIP equivalent: port to rocWMMA (rocwmma:: namespace, similar fragment API; install ROCm\'s rocwmma package) or the MFMA builtins',
    start: t.start[first]!,
    end: t.end[first]!,
    status: 'unsupported',
    library: 'device',
    cuda: 'nvcuda::wmma',
    hip: 'rocwmma',
    docs: DOCS.rocWmma,
  });
}

// ---- symbol APIs (HP506) ----

/** Codes of {@link symbolsRule}. */
export const SYMBOL_CODES: readonly RuleCode[] = [
  { code: 'HP506', family: 'memory', defaultSeverity: 'warning', title: 'Symbol API without HIP_SYMBOL', docs: DOCS.symbols },
];

/**
 * Symbol arguments of `cudaMemcpyToSymbol` & co. wrapped in `HIP_SYMBOL` (HP506). Severity by
 * consequence (issue 16): the wrap is an auto-fix the translator applies and the call is correct
 * after it (HIP_SYMBOL(x) is the symbol's address, what HIP's `const void* symbol` parameter takes;
 * ROCm 5.2's hip_runtime_api.h also has `template <class T> hipMemcpyToSymbol(const T& symbol, ...)`
 * overloads), so it is information. A symbol named by a string literal stays an error: HIP would
 * copy to the literal's own address, and the fix is not automatic.
 */
export const symbolsRule: Rule = {
  id: 'symbols',
  family: 'memory',
  codes: SYMBOL_CODES,
  run(ctx) {
    symbols(ctx);
  },
};

/** Symbol APIs and the 0-based index of their symbol argument (CUDA and HIP spellings). */
const SYMBOL_ARG: Record<string, number> = {
  cudaMemcpyToSymbol: 0,
  cudaMemcpyToSymbolAsync: 0,
  cudaMemcpyFromSymbol: 1,
  cudaMemcpyFromSymbolAsync: 1,
  cudaGetSymbolAddress: 1,
  cudaGetSymbolSize: 1,
  hipMemcpyToSymbol: 0,
  hipMemcpyToSymbolAsync: 0,
  hipMemcpyFromSymbol: 1,
  hipMemcpyFromSymbolAsync: 1,
  hipGetSymbolAddress: 1,
  hipGetSymbolSize: 1,
};

function symbols(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const [name, argIndex] of Object.entries(SYMBOL_ARG)) {
    for (const i of ctx.identsNamed(name)) {
      const open = nextCode(t, i);
      if (!isPunct(t, open, '(')) continue;
      const call = callArguments(t, open);
      if (!call || call.args.length <= argIndex) continue;
      const [a0, a1] = call.args[argIndex]!;
      if (a0 > a1) continue;
      const arg = tokenRange(t, a0, a1);
      if (/^HIP_SYMBOL\s*\(/.test(arg.text)) continue;
      // a string literal symbol name (removed in CUDA 5.0): HIP would copy to the string's own address
      if (t.kind[a0] === Tok.String) {
        const inner = arg.text.length >= 2 ? arg.text.slice(1, -1) : '';
        const ident = /^[A-Za-z_]\w*$/.test(inner) && a0 === a1;
        ctx.report({
          code: 'HP506',
          severity: 'error',
          message: `${name} with the symbol named by a string (${arg.text}): removed in CUDA 5.0, and HIP's template would copy to the string literal's own address; pass the symbol itself${ident ? `: HIP_SYMBOL(${inner})` : ''}`,
          start: arg.start,
          end: arg.end,
          status: 'hazard',
          library: 'runtime',
          cuda: name,
          hip: 'HIP_SYMBOL',
          ...(ident ? { fix: ctx.fix(`Use HIP_SYMBOL(${inner})`, [{ start: arg.start, end: arg.end, newText: `HIP_SYMBOL(${inner})` }], false) } : {}),
        });
        continue;
      }
      ctx.report({
        code: 'HP506',
        severity: 'information',
        message: `${name}: pass the symbol through HIP_SYMBOL(${arg.text}) (HIP takes the symbol's address, CUDA the symbol itself)`,
        start: arg.start,
        end: arg.end,
        status: 'hazard',
        library: 'runtime',
        cuda: name,
        hip: 'HIP_SYMBOL',
        fix: ctx.fix(`Wrap in HIP_SYMBOL(${arg.text})`, [
          { start: arg.start, end: arg.start, newText: 'HIP_SYMBOL(' },
          { start: arg.end, end: arg.end, newText: ')' },
        ], true),
      });
    }
  }
}
