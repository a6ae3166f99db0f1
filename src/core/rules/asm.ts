/**
 * Inline PTX (family `asm`, code HP401). hip-clang compiles inline assembly for the AMDGPU ISA,
 * so PTX in `asm(...)` does not compile for AMD (HIP C++ language extensions, "In-line assembly",
 * DOCS.inlineAsm). The finding explains the PTX idioms it recognises and names the HIP intrinsic
 * that replaces them (HIP 5.2 headers: `__lane_id`, `__shfl*`, `__ldg`, `clock64`, `wall_clock64`,
 * `__bitextract_u32`, `__bitinsert_u32`, `__byte_perm`, `__ballot`, `__threadfence*`).
 *
 * Host-side assembly (x86 `rdtsc`, `pause`, ...) is left alone: a statement is PTX when its
 * template has PTX opcodes/registers, or when it sits in a `__device__`/`__global__` function.
 *
 * PTX in a preprocessor branch hip-clang never compiles for AMD (`#if defined(__CUDA_ARCH__)`,
 * `#if __CUDA_ARCH__ >= 800`, `#ifdef __PTX__`, `#ifndef __HIP_PLATFORM_AMD__`, see
 * ./preprocessor.ts) is not an error: it is reported as information naming the branch AMD compiles
 * instead. That depends on directive lines anywhere in the file, so the rule has `file` scope (it
 * only walks the `asm` keywords, and reads the directives only when the file has PTX).
 */
import { isPunct, nextCode, callArguments, Tok } from '../lexer';
import { DOCS, type Rule, type RuleCode } from './types';
import { functionOfToken, isDeviceFunction, isIdent, tokenText } from './util';
import { conditionals, directiveText, identIn, relevantItemText, skippedOnAmd, takenInstead } from './preprocessor';

export const ASM_CODES: readonly RuleCode[] = [
  { code: 'HP401', family: 'asm', defaultSeverity: 'error', title: 'Inline PTX assembly (no HIP equivalent)', docs: DOCS.inlineAsm },
];

/** PTX idiom → what it does and the HIP replacement. */
const IDIOMS: ReadonlyArray<[RegExp, string]> = [
  [/%laneid/, 'reads the lane index: use __lane_id()'],
  [/%warpid/, 'reads the hardware warp slot (not stable): use threadIdx.x / warpSize'],
  [/%(?:clock64|clock)\b/, 'reads the SM clock: use clock64() (or wall_clock64() for a constant-rate timer)'],
  [/%globaltimer/, 'reads the global timer: use wall_clock64()'],
  [/%smid/, 'reads the SM id: use __smid() (on AMD its values can exceed multiProcessorCount - 1)'],
  [/\bshfl\./, 'warp shuffle: use __shfl / __shfl_up / __shfl_down / __shfl_xor'],
  [/\bvote\./, 'warp vote: use __ballot / __any / __all (64-bit masks)'],
  [/\bld\.global\.nc\b|\bld\.global\.nc\./, 'read-only (non-coherent) global load: use __ldg(ptr) or a plain load'],
  [/\bbfe\./, 'bit-field extract: use __bitextract_u32 or shifts and masks'],
  [/\bbfi\./, 'bit-field insert: use __bitinsert_u32 or shifts and masks'],
  [/\bprmt\./, 'byte permute: use __byte_perm(x, y, s)'],
  [/\bmembar\.|\bfence\./, 'memory fence: use __threadfence_block / __threadfence / __threadfence_system'],
  [/\bcvta\./, 'address-space conversion: not needed in HIP (generic pointers); remove it'],
  [/\b(?:w?mma|ldmatrix)\./, 'tensor-core matrix multiply: no HIP equivalent; use rocWMMA or the MFMA builtins'],
  [/\bcp\.async\b/, 'asynchronous global→shared copy: no HIP equivalent; use ordinary loads into __shared__ memory'],
  [/\bbrev\./, 'bit reverse: use __brev'],
  [/\bpopc\./, 'population count: use __popc / __popcll'],
  [/\bclz\./, 'count leading zeros: use __clz / __clzll'],
  [/\batom\.|\bred\./, 'atomic operation: use atomicAdd & co.'],
  [/\bbar\.sync\b|\bbarrier\./, 'barrier: use __syncthreads()'],
];
const PTX_LOOK = /\b(?:mov|add|sub|mul|mad|fma|ld|st|cvt|setp|selp|and|or|xor|not|shl|shr|shf|lop3|min|max|abs|neg|div|rem|rcp|sqrt|ex2|lg2|bar|atom|red|cvta|prmt|bfe|bfi|vote|shfl|membar|fence|mma|wmma|ldmatrix|cp|isspacep|activemask|match|redux|trap|brkpt|nanosleep)\.[a-z0-9]|\.reg\s*\.|%%[a-z]|%(?:tid|ntid|ctaid|laneid|warpid|clock)/;

const ASM_KEYWORDS: ReadonlySet<string> = new Set(['asm', '__asm__', '__asm']);

export const asmRule: Rule = {
  id: 'asm',
  family: 'asm',
  codes: ASM_CODES,
  scope: 'file',
  // findings change only with an item holding inline assembly or a preprocessor line (#if chains, device macros)
  signature: (t, first, end) => relevantItemText(t, first, end, (i) => t.kind[i] === Tok.Directive || identIn(t, i, ASM_KEYWORDS)),
  run(ctx) {
    const t = ctx.tokens;
    for (const kw of ['asm', '__asm__', '__asm']) {
      for (const i of ctx.identsNamed(kw)) {
        let j = nextCode(t, i);
        while (isIdent(t, j) && /^(?:volatile|__volatile__|__volatile|goto|inline)$/.test(tokenText(t, j))) j = nextCode(t, j);
        if (!isPunct(t, j, '(')) continue;
        const call = callArguments(t, j);
        let end = call ? t.end[call.close]! : t.end[j]!;
        if (!call) {
          // half-typed: read the template up to the end of the statement
          for (let k = j + 1; k < t.count && k < j + 60; k++) {
            if (isPunct(t, k, ';') || isPunct(t, k, '{') || isPunct(t, k, '}')) break;
            end = t.end[k]!;
          }
        }
        let code = '';
        for (let k = j + 1; k < t.count && t.start[k]! < end; k++) {
          if (t.kind[k] === Tok.String) code += t.text.slice(t.start[k]! + 1, t.end[k]! - 1);
          else if (isPunct(t, k, ':')) break;
        }
        let ptx = PTX_LOOK.test(code);
        if (!ptx) {
          const fn = functionOfToken(ctx, i);
          ptx = !!fn && isDeviceFunction(ctx, fn);
        }
        if (!ptx) continue;
        const known = IDIOMS.filter(([re]) => re.test(code)).map(([, what]) => what);
        const snippet = code.replace(/\\n|\\t|\s+/g, ' ').trim().slice(0, 60);
        const cs = conditionals(ctx);
        const skipped = skippedOnAmd(cs, t.start[i]!);
        if (skipped) {
          const instead = takenInstead(cs, skipped);
          ctx.report({
            code: 'HP401',
            severity: 'information',
            message: `inline PTX "${snippet}" sits in a branch AMD never compiles (${directiveText(t, skipped)}): ${
              instead ? `hip-clang compiles the ${directiveText(t, instead)} branch instead` : 'hip-clang compiles no replacement for it, so check that the code is right without it'
            }`,
            start: t.start[i]!,
            end,
            status: 'hazard',
            cuda: 'asm',
            related: [{ start: t.start[skipped.dir]!, end: t.end[skipped.dir]!, message: 'the branch condition, false for hip-clang on AMD' }, ...(instead ? [{ start: t.start[instead.dir]!, end: t.end[instead.dir]!, message: 'the branch AMD compiles' }] : [])],
          });
          continue;
        }
        ctx.report({
          code: 'HP401',
          message: known.length
            ? `inline PTX "${snippet}" does not compile for AMD: it ${known.join('; it ')}`
            : `inline PTX "${snippet}" does not compile for AMD (hip-clang assembles AMDGPU ISA): rewrite it with HIP intrinsics or plain C++`,
          start: t.start[i]!,
          end,
          status: 'unsupported',
          cuda: 'asm',
        });
      }
    }
  },
};

