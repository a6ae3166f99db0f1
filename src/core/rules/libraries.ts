/**
 * Library hazards (family `libraries`): one finding per library per file, at its first use
 * (identifier, `ns::` qualifier or `#include`), naming the ROCm library to install, plus the
 * specific cuDNN layout and math-type spots. Per-call renames and unsupported names are the api
 * rule's (HP101-HP107).
 *
 * Note on installation: Debian packages only libhiprand-dev, libhipsparse-dev and librocprim-dev
 * of these; rocThrust, hipCUB, MIOpen, RCCL, rocWMMA and composable_kernel come from ROCm's own
 * packages, so messages say "install ROCm's … package".
 *
 * Codes: HP601 cuDNN → MIOpen, HP602 NHWC layout, HP603 math type, HP604 Thrust → rocThrust,
 * HP605 CUB → hipCUB, HP606 NCCL → RCCL, HP607 CUTLASS (none).
 *
 * Severity by consequence (issue 16): HP601-HP603 are information. The cuDNN code they point at
 * does not compile for AMD until it is ported to MIOpen by hand, and that is already one error per
 * file (HP114, ./api.ts, which lists every cuDNN use); these are advice for that port (what to
 * install and link, the layout and math-type calls to rethink), not a second consequence on a
 * configured GPU. They were warnings: 11 of lc0's CUDA backend's 52 errors + warnings repeated the
 * cuDNN cause.
 *
 * Scope `file`: "first use in the file", the CUB fix over every `cub::` of the file and the cuDNN
 * spots (reported only when cuDNN is used somewhere) all depend on the whole file. One pass over
 * the tokens with a character prefilter, stopping once every library has been seen.
 */
import { Tok, PP, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { tokenText } from './util';

export const LIBRARY_CODES: readonly RuleCode[] = [
  { code: 'HP601', family: 'libraries', defaultSeverity: 'information', title: 'cuDNN used: MIOpen is not 1:1', docs: DOCS.miopen },
  { code: 'HP602', family: 'libraries', defaultSeverity: 'information', title: 'cuDNN NHWC tensor layout (MIOpen mainly supports NCHW)', docs: DOCS.miopen },
  { code: 'HP603', family: 'libraries', defaultSeverity: 'information', title: 'cuDNN math-type setting with no MIOpen equivalent', docs: DOCS.miopen },
  { code: 'HP604', family: 'libraries', defaultSeverity: 'information', title: 'Thrust used: needs rocThrust', docs: DOCS.rocThrust },
  { code: 'HP605', family: 'libraries', defaultSeverity: 'information', title: 'CUB used: port to hipCUB', docs: DOCS.hipCub },
  { code: 'HP606', family: 'libraries', defaultSeverity: 'information', title: 'NCCL used: needs RCCL', docs: DOCS.rccl },
  { code: 'HP607', family: 'libraries', defaultSeverity: 'error', title: 'CUTLASS used: no HIP equivalent', docs: DOCS.composableKernel },
];

interface Lib {
  code: string;
  /** Matches the identifier of a use (for namespaces: followed by `::`). */
  ident: (name: string) => boolean;
  namespace: boolean;
  /** Header path prefixes that count as a use. */
  headers: RegExp;
  message: string;
  library: string;
  hip: string;
  status: 'unsupported' | 'hazard';
}

const LIBS: readonly Lib[] = [
  {
    code: 'HP601',
    ident: (n) => /^cudnn[A-Z]/.test(n),
    namespace: false,
    headers: /^cudnn/,
    message: "cuDNN → MIOpen: not 1:1 (different descriptors, algorithm search, workspace handling; mainly NCHW); port by hand, install ROCm's miopen-hip package and link -lMIOpen",
    library: 'dnn',
    hip: 'MIOpen',
    status: 'hazard',
  },
  {
    code: 'HP604',
    ident: (n) => n === 'thrust',
    namespace: true,
    headers: /^thrust\//,
    message: "Thrust → rocThrust: same thrust:: namespace and headers, but it is a separate library: install ROCm's rocthrust package (with rocprim) and compile with hipcc",
    library: 'thrust',
    hip: 'rocThrust',
    status: 'hazard',
  },
  {
    code: 'HP605',
    ident: (n) => n === 'cub',
    namespace: true,
    headers: /^cub\//,
    message: "CUB → hipCUB: use the hipcub:: namespace and <hipcub/hipcub.hpp>; install ROCm's hipcub package (with rocprim)",
    library: 'cub',
    hip: 'hipCUB',
    status: 'hazard',
  },
  {
    code: 'HP606',
    ident: (n) => /^nccl[A-Z]/.test(n),
    namespace: false,
    headers: /^nccl\.h$/,
    message: "NCCL → RCCL: same nccl* API; include <rccl/rccl.h>, link -lrccl and install ROCm's rccl package",
    library: 'nccl',
    hip: 'RCCL',
    status: 'hazard',
  },
  {
    code: 'HP607',
    ident: (n) => n === 'cutlass',
    namespace: true,
    headers: /^cutlass\//,
    message: "CUTLASS has no HIP port: rewrite with composable_kernel or rocWMMA (install ROCm's composablekernel-dev or rocwmma-dev package), or use hipBLASLt/rocBLAS for plain GEMMs",
    library: 'cutlass',
    hip: 'composable_kernel',
    status: 'unsupported',
  },
];

const NHWC = new Set(['CUDNN_TENSOR_NHWC', 'CUDNN_TENSOR_NCHW_VECT_C']);
const MATH = new Set(['cudnnSetConvolutionMathType', 'cudnnGetConvolutionMathType', 'cudnnSetRNNMatrixMathType', 'CUDNN_TENSOR_OP_MATH', 'CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION', 'CUDNN_FMA_MATH', 'CUDNN_DEFAULT_MATH']);

/**
 * The libraries rule's signature of tokens `[first, end)` (see {@link Rule.signature}): header
 * names, and every identifier that may name one of the libraries (cudnn*, cub, cutlass, nccl*,
 * thrust, the cuDNN layout and math-type names) with the tokens around it.
 */
function librariesSignature(t: Tokens, first: number, end: number): string {
  const parts: string[] = [];
  for (let i = first; i < end; i++) {
    const k = t.kind[i];
    if (k === Tok.HeaderName) {
      parts.push(tokenText(t, i));
      continue;
    }
    if (k !== Tok.Ident) continue;
    const s0 = t.start[i]!;
    const c0 = t.text.charCodeAt(s0);
    const c1 = t.text.charCodeAt(s0 + 1);
    const name = (c0 === 99 && c1 === 117) || (c0 === 110 && c1 === 99) || (c0 === 116 && c1 === 104) || c0 === 67 ? tokenText(t, i) : '';
    if (!name) continue;
    if (c0 === 67 && !NHWC.has(name) && !MATH.has(name)) continue;
    if (c0 === 99 && !/^(?:cudnn|cub$|cutlass$)/.test(name)) continue;
    if (c0 === 110 && !/^nccl[A-Z]/.test(name)) continue;
    if (c0 === 116 && name !== 'thrust') continue;
    parts.push(`${tokenText(t, prevCode(t, i))} ${name} ${tokenText(t, nextCode(t, i))} ${t.pp[i]}`);
  }
  return parts.join('\u0001');
}

export const librariesRule: Rule = {
  id: 'libraries',
  family: 'libraries',
  scope: 'file',
  signature: librariesSignature,
  codes: LIBRARY_CODES,
  run(ctx) {
    const t = ctx.tokens;
    const first = new Map<Lib, number>();
    let pending = LIBS.length;
    for (let i = 0; i < t.count && pending > 0; i++) {
      const k = t.kind[i];
      if (k === Tok.HeaderName) {
        const raw = tokenText(t, i);
        const path = raw.slice(1, -1);
        for (const lib of LIBS) {
          if (!first.has(lib) && lib.headers.test(path)) {
            first.set(lib, i);
            pending--;
          }
        }
        continue;
      }
      if (k !== Tok.Ident || t.pp[i] === PP.Include) continue;
      const s0 = t.start[i]!;
      // cheap prefilter without allocating: cu(dnn|b|tlass), nc(cl), th(rust)
      const c0 = t.text.charCodeAt(s0);
      const c1 = t.text.charCodeAt(s0 + 1);
      if (!((c0 === 99 && c1 === 117) || (c0 === 110 && c1 === 99) || (c0 === 116 && c1 === 104))) continue;
      // `cu` names: only cudnn*, cub and cutlass can match (skips the many cuda* names)
      if (c0 === 99 && t.text.charCodeAt(s0 + 2) === 100 && t.text.charCodeAt(s0 + 3) !== 110) continue;
      const name = tokenText(t, i);
      for (const lib of LIBS) {
        if (first.has(lib) || !lib.ident(name)) continue;
        if (lib.namespace && !isPunct(t, nextCode(t, i), '::')) continue;
        const p = prevCode(t, i);
        if (isPunct(t, p, '.') || isPunct(t, p, '->') || (isPunct(t, p, '::') && !lib.namespace)) continue;
        first.set(lib, i);
        pending--;
      }
    }
    for (const [lib, i] of first) {
      ctx.report({
        code: lib.code,
        message: lib.message,
        start: t.start[i]!,
        end: t.end[i]!,
        status: lib.status,
        library: lib.library,
        cuda: tokenText(t, i),
        hip: lib.hip,
        ...(lib.code === 'HP605' ? { fix: cubFix(ctx) } : {}),
      });
    }
    if (!first.has(LIBS[0]!)) return;
    for (const n of NHWC) {
      for (const i of ctx.identsNamed(n)) {
        ctx.report({
          code: 'HP602',
          message: `${n}: MIOpen works mainly in NCHW (NHWC only for some convolution and batch-norm paths); transpose the data to NCHW or check MIOpen's layout support for this operation`,
          start: t.start[i]!,
          end: t.end[i]!,
          status: 'hazard',
          library: 'dnn',
          cuda: n,
          hip: 'miopenTensorNCHW',
        });
      }
    }
    for (const n of MATH) {
      for (const i of ctx.identsNamed(n)) {
        ctx.report({
          code: 'HP603',
          message: `${n}: MIOpen has no math-type (tensor-op) setting; it picks the kernels itself: drop this call and check precision with miopenSetConvolutionAttribute where needed`,
          start: t.start[i]!,
          end: t.end[i]!,
          status: 'unsupported',
          library: 'dnn',
          cuda: n,
        });
      }
    }
  },
};

/** Quick-fix (not automatic) for CUB: every `cub::` qualifier → `hipcub::` in the file. */
function cubFix(ctx: RuleContext): import('../findings').Fix {
  const t = ctx.tokens;
  const edits = [];
  for (const i of ctx.identsNamed('cub')) {
    if (!isPunct(t, nextCode(t, i), '::')) continue;
    const p = prevCode(t, i);
    if (isPunct(t, p, '.') || isPunct(t, p, '->')) continue;
    if (isPunct(t, p, '::') && t.kind[prevCode(t, p)] === Tok.Ident) continue; // some_ns::cub::
    edits.push({ start: t.start[i]!, end: t.end[i]!, newText: 'hipcub' });
  }
  return ctx.fix('Use the hipcub:: namespace everywhere in this file', edits, false);
}
