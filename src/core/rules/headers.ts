/**
 * Header rules (family `headers`): rewrites `#include`s through `mappings/headers.json`, CUDA
 * include guards to their HIP ones, and adds the HIP runtime include that hipcc, unlike nvcc, does
 * not add implicitly.
 *
 * Source of facts: AMD HIPIFY's `docs/tables` (see ../../../mappings and SOURCE.md), and the HIP
 * porting guide for the implicit-include difference.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tok, PP, isPunct, nextCode, prevCode, type Tokens } from '../lexer';
import { compareVersions, type HeaderEntry, type Mappings } from '../mappings';
import { SPECIAL_NAMES } from './api';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';

export const HEADER_CODES: readonly RuleCode[] = [
  { code: 'HP110', family: 'rename', defaultSeverity: 'hint', title: 'CUDA header with a HIP equivalent', docs: DOCS.porting },
  { code: 'HP111', family: 'headers', defaultSeverity: 'warning', title: 'CUDA header with no HIP equivalent', docs: DOCS.porting },
  { code: 'HP112', family: 'headers', defaultSeverity: 'information', title: 'HIP runtime include missing (nvcc adds cuda_runtime.h implicitly, hipcc does not)', docs: DOCS.porting },
  { code: 'HP113', family: 'headers', defaultSeverity: 'warning', title: "CUDA header's include guard tested to detect the header (never defined under HIP)", docs: DOCS.porting },
];

/**
 * Include-guard (or header-identifying) macros of CUDA headers that real code tests with `#ifdef`
 * to learn whether a header was included (e.g. cuda-samples' helper_cuda.h defines checkCudaErrors
 * only `#ifdef __DRIVER_TYPES_H__`). Value: the guard of the HIP header the CUDA header is ported
 * to, or null when no HIP guard could be checked. Sources: the guards of the ROCm 5.2 headers in
 * /usr/include/hip, /usr/include/hiprand/hiprand.h, /usr/include/hipsparse/hipsparse.h (Debian
 * libamdhip64-dev, libhiprand-dev, libhipsparse-dev 5.2) and hipBLAS's hipblas.h (`HIPBLAS_H`).
 */
export const CUDA_HEADER_GUARDS: ReadonlyMap<string, string | null> = new Map([
  ['__DRIVER_TYPES_H__', 'HIP_INCLUDE_HIP_DRIVER_TYPES_H'],
  ['__CUDA_RUNTIME_H__', 'HIP_INCLUDE_HIP_HIP_RUNTIME_H'],
  ['__CUDA_RUNTIME_API_H__', 'HIP_INCLUDE_HIP_HIP_RUNTIME_API_H'],
  ['__cuda_cuda_h__', 'HIP_INCLUDE_HIP_HIP_RUNTIME_H'],
  ['__CUDA_FP16_H__', 'HIP_INCLUDE_HIP_HIP_FP16_H'],
  ['CU_COMPLEX_H_', 'HIP_INCLUDE_HIP_HIP_COMPLEX_H'],
  ['CURAND_H_', 'HIPRAND_H_'],
  ['CUSPARSEAPI', '_HIPSPARSE_H_'],
  ['CUSPARSE_H_', '_HIPSPARSE_H_'],
  ['CUBLAS_API_H_', 'HIPBLAS_H'],
  ['CUBLAS_V2_H_', 'HIPBLAS_H'],
  ['_CUFFT_H_', null],
  ['CUSOLVER_COMMON_H_', null],
  ['CUSOLVERDN_H_', null],
]);

/** Tokens whose presence means the file needs the HIP runtime header once ported. */
const RUNTIME_MARKERS = new Set([
  '__global__',
  '__device__',
  '__host__',
  '__shared__',
  '__constant__',
  '__managed__',
  '__launch_bounds__',
  'threadIdx',
  'blockIdx',
  'blockDim',
  'gridDim',
  'warpSize',
  '__syncthreads',
  '__syncthreads_count',
  '__syncthreads_and',
  '__syncthreads_or',
  '__threadfence',
  '__threadfence_block',
  'dim3',
  'atomicAdd',
  'atomicCAS',
  'atomicExch',
  'atomicMax',
  'atomicMin',
  '__ldg',
]);

/**
 * Execution-space keywords: hip-clang defines them itself for every `-x hip` compile (clang's
 * __clang_hip_runtime_wrapper.h, pre-included by the driver), so a header whose only CUDA-isms are
 * these needs no HIP include of its own (and one added there can reach a TU after the TU's own
 * macros, e.g. `#define T int`, and break HIP's templates).
 */
const EXECUTION_SPACE_KEYWORDS = new Set(['__global__', '__device__', '__host__', '__shared__', '__constant__']);

/** Libraries whose HIP names are declared by hip/hip_runtime.h (others come with their own header). */
const RUNTIME_LIBS = new Set(['runtime', 'driver', 'device', 'complex']);

const runtimeHipNameCache = new WeakMap<Mappings, Set<string>>();

/**
 * HIP names declared by hip/hip_runtime.h (targets of runtime/driver/device/complex rows), so an
 * already-ported file asks for the include exactly when its CUDA original did (idempotency).
 */
function runtimeHipNames(m: Mappings): Set<string> {
  let s = runtimeHipNameCache.get(m);
  if (!s) {
    s = new Set();
    for (const e of m.all()) if (e.hip && RUNTIME_LIBS.has(e.library) && e.hip !== e.cuda) s.add(e.hip);
    runtimeHipNameCache.set(m, s);
  }
  return s;
}

/**
 * Include rewriting and the missing HIP runtime include. Scope `file`: the runtime include is
 * reported at the first include of the file when any runtime name occurs anywhere, a CUDA header's
 * rewrite depends on `extern "C"` blocks and on which includes come first. One pass over the
 * tokens (identifiers are looked at only until the first runtime marker).
 */
/**
 * True when identifier `name` makes a file need the HIP runtime header (a runtime/driver/device
 * API name, CUDA or HIP, or a device built-in), as the headers rule decides it.
 */
function isRuntimeMarker(name: string, mappings: Mappings): boolean {
  if (RUNTIME_MARKERS.has(name) || (SPECIAL_NAMES.has(name) && name !== '__CUDA_ARCH__')) return true;
  const e = mappings.get(name);
  return (e !== undefined && RUNTIME_LIBS.has(e.library)) || runtimeHipNames(mappings).has(name);
}

/**
 * The headers rule's signature of tokens `[first, end)` (see {@link Rule.signature}): every token
 * on a preprocessor line, braces, `extern` and `"C"` (the `extern "C"` blocks), and
 * whether any token makes the file need the HIP runtime. The rule only asks whether the file has
 * such a token anywhere (HP112), so only the item's gaining its first or losing its last one can
 * change that: a count would make every keystroke inside a CUDA call name re-run the rule.
 */
function headersSignature(t: Tokens, first: number, end: number, mappings: Mappings): string {
  const parts: string[] = [];
  // marker: any token that needs the runtime; more: one that is not an execution-space keyword
  let marker = false;
  let more = false;
  for (let i = first; i < end; i++) {
    const k = t.kind[i];
    if (k === Tok.Comment) continue;
    if (t.pp[i] !== PP.None || k === Tok.Directive || k === Tok.HeaderName) {
      parts.push(t.text.slice(t.start[i], t.end[i]));
      continue;
    }
    if (k === Tok.Punct) {
      const c = t.text.charCodeAt(t.start[i]!);
      if (c === 123 || c === 125) parts.push(c === 123 ? '{' : '}');
      else if (!more && t.end[i]! - t.start[i]! === 3 && t.text.startsWith('<<<', t.start[i]!)) marker = more = true;
    } else if (k === Tok.String) {
      if (t.text.startsWith('"C"', t.start[i]!)) parts.push('"C"');
    } else if (k === Tok.Ident) {
      const name = t.text.slice(t.start[i], t.end[i]);
      if (name === 'extern') parts.push(name);
      else if (!more && isRuntimeMarker(name, mappings)) {
        marker = true;
        if (!EXECUTION_SPACE_KEYWORDS.has(name)) more = true;
      }
    }
  }
  return `${marker ? 1 : 0}${more ? 1 : 0}\u0001${parts.join('\u0001')}`;
}

export const headersRule: Rule = {
  id: 'headers',
  family: 'headers',
  signature: headersSignature,
  scope: 'file',
  codes: HEADER_CODES,
  run(ctx) {
    const t = ctx.tokens;
    let hasRuntimeInclude = false;
    // some token needs the runtime; some token other than an execution-space keyword needs it
    let needsRuntime = false;
    let needsMore = false;
    // offset of the first include that brings in hip/hip_runtime.h (as written or once rewritten)
    let firstRuntimeAt = -1;
    let firstRuntimeTok = -1;
    let externC: Array<[number, number]> | undefined;
    // ROCm 5.2's hip_cooperative_groups.h uses hipBlockDim_z & co. without including
    // hip_runtime.h, so it fails to compile unless the runtime header comes first
    let cgBeforeRuntime = false;
    // conditional blocks: a stack of block ids (#else/#elif open a new id), so an include is a
    // duplicate only of one in the same block or an enclosing one, never of one in a sibling branch
    const blocks: number[] = [];
    let blockCount = 0;
    let blockPath = '';
    /** HIP include path → block path and line number of its first #include (rewritten or written). */
    const included = new Map<string, { block: string; line: number }>();
    const lineOf = (off: number): number => {
      let n = 1;
      for (let j = t.text.indexOf('\n'); j !== -1 && j < off; j = t.text.indexOf('\n', j + 1)) n++;
      return n;
    };
    /** Records an include of `hipPath`; returns the line of an earlier one that makes this one a duplicate. */
    const seen = (hipPath: string, at: number): number | undefined => {
      const prev = included.get(hipPath);
      if (prev && (blockPath === prev.block || blockPath.startsWith(prev.block + '/') || prev.block === '')) return prev.line;
      if (!prev) included.set(hipPath, { block: blockPath, line: lineOf(at) });
      return undefined;
    };
    for (let i = 0; i < t.count; i++) {
      const k = t.kind[i];
      if (k === Tok.Directive) {
        const d = t.text.slice(t.start[i]! + 1, t.end[i]).trim();
        if (d === 'if' || d === 'ifdef' || d === 'ifndef') blocks.push(++blockCount);
        else if (d === 'else' || d === 'elif' || d === 'elifdef' || d === 'elifndef') {
          blocks.pop();
          blocks.push(++blockCount);
        } else if (d === 'endif') blocks.pop();
        else continue;
        blockPath = blocks.join('/');
        continue;
      }
      if (k === Tok.HeaderName) {
        const raw = t.text.slice(t.start[i], t.end[i]);
        const path = raw.slice(1, raw.endsWith('>') || raw.endsWith('"') ? -1 : undefined);
        // a header name also follows `__has_include(` in #if lines: a test, not an include
        const isInclude = t.pp[i] === PP.Include;
        if (path === 'hip/hip_runtime.h') {
          if (isInclude) {
            if (!hasRuntimeInclude) {
              firstRuntimeAt = t.start[i]!;
              firstRuntimeTok = i;
            }
            hasRuntimeInclude = true;
            seen(path, t.start[i]!);
          }
          continue;
        }
        if (path === 'hip/hip_cooperative_groups.h' && isInclude && !hasRuntimeInclude) cgBeforeRuntime = true;
        const h = ctx.mappings.header(path);
        if (!h) continue;
        if (raw.startsWith('"') && (externC ??= externCBlocks(t)).some(([a, b]) => a < i && i < b)) {
          // C++ headers such as hip_runtime.h cannot be included inside `extern "C" { }`, and the
          // CUDA headers could not be either: a quoted "cuda.h" there is the project's own header
          // (darknet's src/cuda.h), so it stays as written.
          continue;
        }
        // a quoted include that resolves next to the file is the project's own header (the
        // preprocessor searches the includer's directory first): neither rewritten nor counted
        if (raw.startsWith('"') && ctx.options.sourcePath && localFileExists(dirname(ctx.options.sourcePath), path)) continue;
        if (h.hip === 'hip/hip_runtime.h' && isInclude) {
          if (!hasRuntimeInclude) {
            firstRuntimeAt = t.start[i]!;
            firstRuntimeTok = i;
          }
          hasRuntimeInclude = true;
        }
        // --library-target roc: the ROCm library's own header (rocblas/rocblas.h for cublas_v2.h)
        const useRoc = ctx.options.libraryTarget === 'roc' && !!h.roc;
        const hipPath = useRoc ? h.roc! : h.hip ? portedHeaderPath(h.cuda, h.hip, path, h.prefix === true) : null;
        if (hipPath === 'hip/hip_cooperative_groups.h' && isInclude && !hasRuntimeInclude) cgBeforeRuntime = true;
        if (hipPath && headerShipsAfter(h, ctx.options.targetRocm)) {
          // an error by consequence: the target's HIP has no such header, so the include fails
          ctx.report({
            code: 'HP111',
            message: `${path}: its HIP equivalent <${hipPath}> first ships in ROCm ${h.hipAdded}; target is ROCm ${ctx.options.targetRocm}${h.note ? ` (${h.note})` : ''}`,
            start: t.start[i]!,
            end: t.end[i]!,
            severity: isInclude ? 'error' : 'warning',
            status: 'unsupported',
            library: h.library,
            cuda: path,
            hip: hipPath,
            docs: h.docs,
            fix: ctx.fix(`Include <${hipPath}> (ROCm ${h.hipAdded}+)`, [{ start: t.start[i]!, end: t.end[i]!, newText: `<${hipPath}>` }], false),
          });
        } else if (hipPath && hipPath !== path) {
          // the include keeps its quote style: "cuda_runtime.h" → "hip/hip_runtime.h"
          const newText = raw.startsWith('"') ? `"${hipPath}"` : `<${hipPath}>`;
          const dupLine = isInclude ? seen(hipPath, t.start[i]!) : undefined;
          const line = dupLine === undefined ? undefined : includeLine(t, i);
          if (dupLine !== undefined && line) {
            // cuda.h + cuda_runtime.h: one hip/hip_runtime.h, the second include line goes
            ctx.report({
              code: 'HP110',
              message: `#include ${raw} → removed: ${newText} is already included on line ${dupLine}${h.note ? ` (${h.note})` : ''}`,
              start: t.start[i]!,
              end: t.end[i]!,
              status: 'supported',
              library: h.library,
              cuda: path,
              hip: hipPath,
              docs: h.docs,
              fix: ctx.fix(`Remove the duplicate include of ${newText}`, [{ start: line.start, end: line.end, newText: '' }], true),
            });
            continue;
          }
          ctx.report({
            code: 'HP110',
            message: `${isInclude ? '#include ' : '__has_include('}${raw} → ${isInclude ? '#include ' : '__has_include('}${newText}${h.note ? ` (${h.note})` : ''}`,
            start: t.start[i]!,
            end: t.end[i]!,
            status: 'supported',
            library: h.library,
            cuda: path,
            hip: hipPath,
            docs: h.docs,
            fix: ctx.fix(`Include ${newText}`, [{ start: t.start[i]!, end: t.end[i]!, newText }], true),
          });
        } else if (!h.hip) {
          ctx.report({
            code: 'HP111',
            message: `${path} has no HIP equivalent${h.note ? `: ${h.note}` : ''}`,
            start: t.start[i]!,
            end: t.end[i]!,
            status: 'unsupported',
            library: h.library,
            cuda: path,
            docs: h.docs,
          });
        }
        continue;
      }
      if (needsMore) continue;
      if (k === Tok.Ident) {
        const name = t.text.slice(t.start[i], t.end[i]);
        if (isRuntimeMarker(name, ctx.mappings)) {
          needsRuntime = true;
          if (!EXECUTION_SPACE_KEYWORDS.has(name)) needsMore = true;
        }
      } else if (k === Tok.Punct && t.end[i]! - t.start[i]! === 3 && t.text.startsWith('<<<', t.start[i]!)) {
        needsRuntime = needsMore = true;
      }
    }
    headerGuards(ctx);
    // a header needs the include only for more than the execution-space keywords (-x hip has those)
    const needed = ctx.options.header ? needsMore : needsRuntime;
    const { at, newLineBefore } = insertionPoint(ctx);
    // nvcc includes cuda_runtime.h before any user code: in a translation unit whose runtime include
    // comes after user code (a project header that uses assert in __device__ code, a #define),
    // hip/hip_runtime.h is added first as well
    // (system headers such as <cstdio> before it are harmless and stay)
    const late =
      !ctx.options.header &&
      needed &&
      hasRuntimeInclude &&
      firstRuntimeAt > at &&
      /\S/.test(stripComments(t.text.slice(at, t.text.lastIndexOf('\n', firstRuntimeAt) + 1)).replace(/^[ \t]*#[ \t]*include[ \t]*<[^>\n]*>[ \t]*$/gm, ''));
    if (!cgBeforeRuntime && !late && (!needed || hasRuntimeInclude)) return;
    const line = `#include <hip/hip_runtime.h>${ctx.eol}`;
    ctx.report({
      code: 'HP112',
      message: cgBeforeRuntime
        ? 'hip/hip_cooperative_groups.h (ROCm 5.x) needs hip/hip_runtime.h included before it (it uses hipBlockDim_x & co.): add #include <hip/hip_runtime.h> first'
        : late
          ? 'nvcc includes cuda_runtime.h before any user code, but here the HIP runtime header comes after other code (headers included before it see no HIP declarations, e.g. the device-side assert): add #include <hip/hip_runtime.h> first'
          : 'hipcc does not include hip/hip_runtime.h implicitly (nvcc includes cuda_runtime.h before any user code): add #include <hip/hip_runtime.h> at the top, before any other code',
      start: at,
      end: at,
      status: 'supported',
      library: 'runtime',
      hip: 'hip/hip_runtime.h',
      fix: ctx.fix(
        'Add #include <hip/hip_runtime.h>',
        [
          { start: at, end: at, newText: newLineBefore ? ctx.eol + line : line },
          // the later include of the runtime header goes (one HIP header, included once)
          ...(late && firstRuntimeTok >= 0 ? [includeLine(t, firstRuntimeTok)].filter((x) => x !== undefined).map((x) => ({ ...x, newText: '' })) : []),
        ],
        true,
      ),
    });
  },
};

/** `text` with its comments blanked (a rough strip for "is there code between these offsets"). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
}

/** Whether `name` (a quoted include's path) names a file in directory `dir`; false on any error. */
function localFileExists(dir: string, name: string): boolean {
  try {
    return existsSync(join(dir, name));
  } catch {
    return false;
  }
}

/**
 * The whole line of the `#include` whose header name is token `i` (offsets `[start, end)`, the
 * line break included), when nothing but the directive, blanks and comments is on it; undefined
 * otherwise (e.g. a line continued with a backslash).
 */
function includeLine(t: Tokens, i: number): { start: number; end: number } | undefined {
  const start = t.text.lastIndexOf('\n', t.start[i]! - 1) + 1;
  const nl = t.text.indexOf('\n', t.end[i]!);
  const end = nl < 0 ? t.text.length : nl + 1;
  const rest = t.text.slice(t.end[i]!, nl < 0 ? t.text.length : nl);
  if (!/^\s*(?:\/\/.*|\/\*.*?\*\/\s*)?$/.test(rest) || rest.trimEnd().endsWith('\\')) return undefined;
  if (!/^\s*#\s*include\s*$/.test(t.text.slice(start, t.start[i]!))) return undefined;
  return { start, end };
}

/**
 * Where the HIP runtime include goes: first in the file, before any other code (so that a user
 * macro such as `#define T int` can never reach HIP's own headers), i.e. the start of the first
 * line holding code after the leading comment block and a BOM, or right after an include guard
 * (`#ifndef G` + `#define G`, or `#pragma once`) that opens the file. When that line starts inside
 * a multi-line block comment, the include goes right after the comment on a line of its own
 * (`newLineBefore`).
 * @returns `at`: UTF-16 offset into the text where the include line is inserted.
 */
export function insertionPoint(ctx: RuleContext): { at: number; newLineBefore: boolean } {
  const t = ctx.tokens;
  const bom = t.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let anchor = nextCode(t, -1);
  if (anchor < 0) return { at: bom, newLineBefore: false };
  const guardEnd = includeGuardEnd(t, anchor);
  if (guardEnd !== undefined) {
    anchor = nextCode(t, guardEnd.lastToken);
    if (anchor < 0) return guardEnd.lineEnd < 0 ? { at: t.text.length, newLineBefore: true } : { at: guardEnd.lineEnd + 1, newLineBefore: false };
  }
  const off = t.start[anchor]!;
  const lineStart = Math.max(bom, t.text.lastIndexOf('\n', off - 1) + 1);
  const before = anchor - 1;
  if (before >= 0 && t.kind[before] === Tok.Comment && t.start[before]! < lineStart && t.end[before]! > lineStart) {
    return { at: t.end[before]!, newLineBefore: true };
  }
  return { at: lineStart, newLineBefore: false };
}

/**
 * When the code of a file opens with an include guard (`#pragma once`, or `#ifndef G` followed by
 * `#define G`), the last token of that guard and the offset of the line break ending it (-1 at
 * the end of the text); undefined otherwise. `first` is the first code token.
 */
function includeGuardEnd(t: Tokens, first: number): { lastToken: number; lineEnd: number } | undefined {
  const word = (j: number): string => (j < 0 ? '' : t.text.slice(t.start[j], t.end[j]).replace(/^#\s*/, ''));
  const lineLast = (j: number): { lastToken: number; lineEnd: number } => {
    const lineEnd = t.text.indexOf('\n', t.start[j]!);
    let last = j;
    for (let k = j + 1; k < t.count && (lineEnd < 0 || t.start[k]! < lineEnd); k++) last = k;
    return { lastToken: last, lineEnd };
  };
  if (t.kind[first] !== Tok.Directive) return undefined;
  const d = word(first);
  if (d === 'pragma' && word(nextCode(t, first)) === 'once') return lineLast(first);
  if (d !== 'ifndef') return undefined;
  const g = nextCode(t, first);
  const def = nextCode(t, g);
  if (g < 0 || def < 0 || t.kind[def] !== Tok.Directive || word(def) !== 'define' || word(nextCode(t, def)) !== word(g)) return undefined;
  return lineLast(def);
}

/**
 * Token-index ranges `[open, close]` of the `extern "C" { ... }` blocks of a file, from one forward
 * pass over the (non-preprocessor) braces. An unclosed block extends to the end of the text.
 */
function externCBlocks(t: Tokens): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const stack: Array<number> = []; // open-brace token, or -1 for braces that are not extern "C"
  for (let j = 0; j < t.count; j++) {
    if (t.kind[j] !== Tok.Punct || t.pp[j] !== PP.None) continue;
    if (isPunct(t, j, '{')) {
      const s = prevCode(t, j);
      const e = s >= 0 ? prevCode(t, s) : -1;
      const isC = s >= 0 && t.kind[s] === Tok.String && t.text.slice(t.start[s], t.end[s]) === '"C"' && e >= 0 && t.text.slice(t.start[e], t.end[e]) === 'extern';
      stack.push(isC ? j : -1);
    } else if (isPunct(t, j, '}')) {
      const o = stack.pop();
      if (o !== undefined && o >= 0) out.push([o, j]);
    }
  }
  for (const o of stack) if (o >= 0) out.push([o, t.count]);
  return out;
}

/**
 * HP113: `#ifdef __DRIVER_TYPES_H__` and friends, i.e. a CUDA header's include guard used to ask
 * "was this header included?". Under HIP the guard is never defined, so the guarded code silently
 * disappears (cuda-samples' checkCudaErrors). In `#ifdef`/`#ifndef`/`defined(...)` the guard is
 * replaced by the guard of the HIP header the CUDA header is ported to.
 */
function headerGuards(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const [guard, hipGuard] of CUDA_HEADER_GUARDS) {
    for (const i of ctx.identsNamed(guard)) {
      const pp = t.pp[i];
      if (pp !== PP.Ifdef && pp !== PP.If) continue;
      if (pp === PP.If) {
        const p = prevCode(t, i);
        const q = p >= 0 && isPunct(t, p, '(') ? prevCode(t, p) : p;
        if (q < 0 || t.text.slice(t.start[q], t.end[q]) !== 'defined') continue;
      }
      const s = t.start[i]!;
      const e = t.end[i]!;
      ctx.report({
        code: 'HP113',
        message: hipGuard
          ? `${guard} is the include guard of a CUDA header and is never defined under HIP; tested here to detect that header, so use the ported header's guard ${hipGuard}`
          : `${guard} is the include guard of a CUDA header and is never defined under HIP: the code it guards disappears; test the HIP library's own macro instead`,
        start: s,
        end: e,
        status: hipGuard ? 'supported' : 'hazard',
        cuda: guard,
        ...(hipGuard ? { hip: hipGuard, fix: ctx.fix(`Use ${hipGuard}`, [{ start: s, end: e, newText: hipGuard }], true) } : {}),
      });
    }
  }
}

/**
 * The HIP include path for `path` matched by a header entry. Whole-path entries give their HIP path.
 * A prefix entry whose HIP side ends in `/` (thrust/) maps the prefix only and keeps the rest of the
 * path, with CUDA-specific subdirectories moved to their HIP ones (rocThrust ships
 * thrust/system/hip/ where Thrust has thrust/system/cuda/); other prefix entries (cub/, sm_) name one
 * replacement header.
 */
/**
 * The ROCm release that first ships the HIP equivalent of CUDA header `h`, when that is later than
 * `target` (so `#include` of it fails there: HP111's error case); undefined otherwise. The release
 * comes from the header tables and mappings/overrides.json (`hipAdded`).
 */
export function headerShipsAfter(h: HeaderEntry, target: string): string | undefined {
  return h.hipAdded && compareVersions(target, h.hipAdded) < 0 ? h.hipAdded : undefined;
}

export function portedHeaderPath(cudaPrefix: string, hip: string, path: string, prefix: boolean): string {
  if (!prefix || !hip.endsWith('/')) return hip;
  const rest = path.startsWith(cudaPrefix) ? path.slice(cudaPrefix.length) : path;
  return (hip + rest).replace(/(^|\/)system\/cuda\//, '$1system/hip/');
}
