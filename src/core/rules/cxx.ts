/**
 * C++ that nvcc accepts and hip-clang rejects (family `cxx`). (HP701, `register`, is {@link registerRule} at the end of this file.)
 * - HP702 user definitions of what HIP's vector-type header already defines
 *   (hip/amd_detail/amd_hip_vector_types.h, HIP 5.2): `make_<type><n>` helpers are
 *   `static inline __host__ __device__` functions there, so a user definition is a redefinition
 *   error; compound assignment (`+=`, ...) and `++`/`--` are `__host__ __device__` members of
 *   HIP_vector_type, so a free `__host__ __device__` user operator makes every use ambiguous (both
 *   verified with hipcc 5.2); a `__device__`-only or host-only one compiles and wins overload
 *   resolution (clang prefers the caller's own execution space), so it is information only. Binary operators
 *   (`+`, `*`, `==`, ...) are templates in HIP: a user's non-template still compiles and wins
 *   overload resolution, so those are reported as redundant only (information).
 * - HP703 a `__global__`/`__device__` function calling a function of the same file that is
 *   defined without `__device__` (and is not constexpr): hip-clang rejects the call in device
 *   compilation. Reported at the call; fix (offered): add `__host__ __device__` to the callee.
 *   Functions are found by tokens (namespace-scope definitions only; class members are left
 *   out); with a tree, each call is confirmed to be a call expression. A call's finding depends
 *   on definitions anywhere in the file, so HP703 is a separate rule of scope `file`
 *   ({@link cxxHostCallsRule}); HP702 is local.
 */
import { PP, callArguments, isPunct, nextCode, prevCode, Tok, type Tokens } from '../lexer';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { conditionals, directiveText, relevantItemText, skippedOnAmd, takenInstead } from './preprocessor';
import { ancestor, deviceMacroNames, fnSpace, functionContaining, isIdent, namespaceFunctions, paramsCloseBefore, tokenText, type FnDef } from './util';

export const CXX_CODES: readonly RuleCode[] = [
  { code: 'HP702', family: 'cxx', defaultSeverity: 'error', title: 'Vector-type operator or helper that HIP already defines', docs: DOCS.vectorTypes },
  { code: 'HP703', family: 'cxx', defaultSeverity: 'warning', title: 'Host function called from device code', docs: DOCS.languageExtensions },
];

const VECTOR_TYPE = /^(?:u?char|u?short|u?int|u?long|u?longlong|float|double)[1-4]$/;
const COMPOUND = new Set(['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);
const BINARY = new Set(['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>', '==', '!=']);
const INC_DEC = new Set(['++', '--']);

/**
 * HP702. Each finding depends on its own definition, and on the preprocessor branch holding it: a
 * definition in a branch hip-clang does not compile for AMD (`#ifdef __NVCC__`, as HeCBench's
 * lr-cuda guards its float2/float4 `operator+=`) cannot clash with HIP's, so it is information
 * naming the branch AMD compiles. The branch structure comes from directive lines anywhere in the
 * file: `file` scope, with a signature covering directive lines and the items that define
 * `operator`s or `make_<type>` helpers.
 */
export const cxxRule: Rule = {
  id: 'cxx',
  family: 'cxx',
  scope: 'file',
  codes: CXX_CODES.filter((c) => c.code === 'HP702'),
  signature: (t, first, end) => relevantItemText(t, first, end, (i) => t.kind[i] === Tok.Directive || (t.kind[i] === Tok.Ident && (tokenText(t, i) === 'operator' || MAKE_NAME_SET.has(tokenText(t, i))))),
  run(ctx) {
    let cs: ReturnType<typeof conditionals> | undefined;
    const branchAware: RuleContext = {
      ...ctx,
      report: (f) => {
        cs ??= conditionals(ctx);
        const skipped = skippedOnAmd(cs, f.start);
        if (!skipped || f.severity === 'information') return ctx.report(f);
        const instead = takenInstead(cs, skipped);
        ctx.report({
          ...f,
          severity: 'information',
          message: `in a branch hip-clang does not compile for AMD (${directiveText(ctx.tokens, skipped)}${instead ? `; AMD compiles the ${directiveText(ctx.tokens, instead)} branch instead` : ''}), so it cannot clash with HIP's: ${f.message}`,
          related: [...(f.related ?? []), { start: ctx.tokens.start[skipped.dir]!, end: ctx.tokens.end[skipped.dir]!, message: 'the branch condition, false for hip-clang on AMD' }],
        });
      },
    };
    vectorOperators(branchAware);
    makeHelpers(branchAware);
  },
};

/**
 * HP703, host functions called from device code. Scope `file`: whether a call is reported depends
 * on every definition and `__device__` prototype of the callee and on device-specifier macros
 * anywhere in the file; one pass over the file's braces (shared with the local rules in a full
 * analysis through the {@link namespaceFunctions} cache).
 */
/**
 * HP703's signature of tokens `[first, end)` (see {@link Rule.signature}). Outside function bodies
 * every token (declarations, prototypes, specifiers and macros as written: the function table the
 * rule builds, including where its fix inserts `__host__ __device__`, comes from them); every
 * preprocessor-line token (device-specifier macros, `#ifndef __CUDACC__` host-only regions);
 * braces (function extents); and inside function bodies, execution-space keywords and the
 * occurrences of the names the rule can report.
 *
 * `state` is the set of those names from the last run ({@link HostCallsState}): the host functions
 * of the file, which the parts outside bodies and the preprocessor lines decide. For each of their
 * occurrences in a body: the tokens back to the statement start (at most 10, where the rule looks
 * for `__device__` or a device macro) and whether a `(` follows. Calls of any other name cannot be
 * reported, so typing in them does not re-run the rule. Without a state (the rule has not run on
 * this document), every identifier in a body counts that way.
 */
function hostCallsSignature(t: Tokens, first: number, end: number, _mappings?: unknown, state?: unknown): string {
  const reportable = state instanceof Set ? (state as HostCallsState) : undefined;
  const parts: string[] = [];
  // brace depth inside a function body, 0 outside one
  let body = 0;
  for (let i = first; i < end; i++) {
    const k = t.kind[i];
    if (k === Tok.Comment) continue;
    if (t.pp[i] !== PP.None) {
      parts.push(tokenText(t, i));
      continue;
    }
    if (k === Tok.Punct) {
      const c = t.text.charCodeAt(t.start[i]!);
      if (c === 123) {
        if (body > 0 || paramsCloseBefore(t, i) >= 0) body++;
        parts.push('{');
      } else if (c === 125) {
        if (body > 0) body--;
        parts.push('}');
      } else if (body === 0) parts.push(tokenText(t, i));
      continue;
    }
    if (body === 0) {
      parts.push(tokenText(t, i));
      continue;
    }
    if (k !== Tok.Ident) continue;
    const name = tokenText(t, i);
    if (SPACE_WORDS.has(name)) {
      parts.push(name);
      continue;
    }
    if (reportable && !reportable.has(name)) continue;
    let stmt = `${name}${isPunct(t, nextCode(t, i), '(') ? '(' : ''}`;
    for (let j = prevCode(t, i), n = 0; j >= 0 && n < 10; j = prevCode(t, j), n++) {
      const w = tokenText(t, j);
      stmt = `${w} ${stmt}`;
      if (w === ';' || w === '{' || w === '}' || w === '(' || w === '=') break;
    }
    parts.push(stmt);
  }
  return parts.join('\u0001');
}

/** Keywords followed by `(` that are not calls. */
const NOT_CALLS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'catch', 'decltype', 'alignof', 'alignas', 'static_assert', 'noexcept', 'typeid', '__launch_bounds__', '__attribute__', '__declspec', 'defined']);

/** Words that set or hint at a function's execution space. */
const SPACE_WORDS = new Set(['__device__', '__global__', '__host__', '__forceinline__', 'constexpr', '__noinline__']);

export const cxxHostCallsRule: Rule = {
  id: 'cxx-host-calls',
  family: 'cxx',
  scope: 'file',
  signature: hostCallsSignature,
  codes: CXX_CODES.filter((c) => c.code === 'HP703'),
  run(ctx) {
    hostCalls(ctx);
  },
};

/** Specifier words that are neither an execution space nor a macro. */
const PLAIN_SPECIFIERS = new Set(['__forceinline__', '__inline__', '__noinline__', '__restrict__']);

/**
 * The execution space written before the `operator` keyword at token `i` (back to the previous
 * `;`, brace or directive): `both` for `__host__ __device__`, `macro` when an upper-case macro may
 * stand for it, `one` for `__device__` alone or no space (host). Why it matters (checked with
 * hipcc 5.2, --offload-arch=gfx90a): HIP_vector_type's compound operators are `__host__ __device__`
 * members; a free user operator with the same space makes every use ambiguous, while a
 * `__device__`-only (or host-only) one compiles, because clang's CUDA/HIP overload resolution
 * prefers a callee of the caller's own space over a `__host__ __device__` one (HeCBench's nbnxm-hip
 * keeps `inline __device__ void operator+=(float4&, float4)` and builds).
 */
function specifierSpace(t: Tokens, i: number): 'both' | 'macro' | 'one' {
  let host = false;
  let device = false;
  let macro = false;
  for (let k = prevCode(t, i), n = 0; k >= 0 && n < 24; k = prevCode(t, k), n++) {
    if (t.kind[k] === Tok.Directive || t.pp[k] !== PP.None || isPunct(t, k, ';') || isPunct(t, k, '{') || isPunct(t, k, '}')) break;
    if (t.kind[k] !== Tok.Ident) continue;
    const w = tokenText(t, k);
    if (w === '__host__') host = true;
    else if (w === '__device__') device = true;
    else if (!PLAIN_SPECIFIERS.has(w) && /^[A-Z_][A-Z0-9_]+$/.test(w)) macro = true;
  }
  return host && device ? 'both' : macro ? 'macro' : 'one';
}

function vectorOperators(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('operator')) {
    if (t.pp[i] !== PP.None) continue;
    // the operator symbol: adjacent punctuation up to '('
    let j = nextCode(t, i);
    let op = '';
    while (j >= 0 && t.kind[j] === Tok.Punct && !isPunct(t, j, '(') && op.length < 4) {
      op += tokenText(t, j);
      j = nextCode(t, j);
    }
    if (!op || !isPunct(t, j, '(')) continue;
    const call = callArguments(t, j);
    if (!call) continue;
    const params = call.args.filter(([a, b]) => a <= b);
    const vecParam = params.find(([a, b]) => {
      for (let k = a; k <= b; k++) if (t.kind[k] === Tok.Ident && VECTOR_TYPE.test(tokenText(t, k))) return true;
      return false;
    });
    if (!vecParam) continue;
    let vec = '';
    for (let k = vecParam[0]; k <= vecParam[1]; k++) if (t.kind[k] === Tok.Ident && VECTOR_TYPE.test(tokenText(t, k))) vec = tokenText(t, k);
    const free = params.length === 2 || (INC_DEC.has(op) && params.length === 1);
    if (!free) continue;
    let severity: 'error' | 'information';
    let message: string;
    if (COMPOUND.has(op) || INC_DEC.has(op)) {
      const space = specifierSpace(t, i);
      if (space === 'one') {
        severity = 'information';
        message = `operator${op} for ${vec}: HIP's vector types already define it as a __host__ __device__ member; this __device__-only or host-only definition still compiles (hip-clang prefers the caller's own execution space) and takes precedence, but can be removed`;
      } else {
        severity = 'error';
        message = `operator${op} for ${vec}: HIP's vector types already define it as a __host__ __device__ member, so every use becomes ambiguous under hip-clang${space === 'macro' ? ' (when the specifier macro expands to __host__ __device__)' : ''}; remove this definition`;
      }
    } else if (BINARY.has(op)) {
      severity = 'information';
      message = `operator${op} for ${vec}: HIP's vector types already define it (hip/amd_detail/amd_hip_vector_types.h); this definition still compiles and takes precedence, but can be removed`;
    } else continue;
    ctx.report({
      code: 'HP702',
      message,
      severity,
      start: t.start[i]!,
      end: t.start[j]!,
      status: 'hazard',
      cuda: `operator${op}`,
      hip: `operator${op}`,
    });
  }
}

/** Every `make_<type><n>` helper HIP defines (hip/amd_detail/amd_hip_vector_types.h). */
const MAKE_NAMES: readonly string[] = ['char', 'uchar', 'short', 'ushort', 'int', 'uint', 'long', 'ulong', 'longlong', 'ulonglong', 'float', 'double'].flatMap((b) =>
  [1, 2, 3, 4].map((n) => `make_${b}${n}`),
);
/** {@link MAKE_NAMES} as a set, for the rule's signature. */
const MAKE_NAME_SET: ReadonlySet<string> = new Set(MAKE_NAMES);

function makeHelpers(ctx: RuleContext): void {
  for (const name of MAKE_NAMES) for (const i of ctx.identsNamed(name)) makeHelper(ctx, i, name);
}

/** HP702 when token `i` (`make_<type><n>`) names a function being defined. */
function makeHelper(ctx: RuleContext, i: number, name: string): void {
  const t = ctx.tokens;
  if (t.pp[i] !== PP.None) return;
  const s = t.start[i]!;
  const p = prevCode(t, i);
  if (!isIdent(t, p) || tokenText(t, p) === 'return') return;
  const open = nextCode(t, i);
  if (!isPunct(t, open, '(')) return;
  const call = callArguments(t, open);
  if (!call || !isPunct(t, nextCode(t, call.close), '{')) return;
  // Only HIP's own signature (n scalar parameters) is a redefinition; other overloads such as
  // cuda-samples' helper_math.h make_float3(float s) / make_float3(float4 a) coexist (hipcc 5.2).
  const width = Number(name.slice(-1));
  if (call.args.length !== width) return;
  for (const [a0, a1] of call.args) {
    for (let k = a0; k <= a1; k++) if (isIdent(t, k) && VECTOR_TYPE.test(tokenText(t, k))) return;
  }
  const fn = ancestor(ctx.nodeAt(s, t.end[i]!), FUNCTION_DEFINITION);
  const fix = fn && !fn.hasError ? ctx.fix(`Remove this ${name} (HIP defines it)`, [{ start: fn.startIndex, end: fn.endIndex, newText: '' }], false) : undefined;
  ctx.report({
    code: 'HP702',
    message: `${name} is already defined by HIP (hip_runtime.h, static inline __host__ __device__): hip-clang reports a redefinition; remove this helper`,
    start: s,
    end: t.end[i]!,
    status: 'hazard',
    cuda: name,
    hip: name,
    ...(fix ? { fix } : {}),
  });
}

const FUNCTION_DEFINITION: ReadonlySet<string> = new Set(['function_definition']);

/**
 * What HP703 records for its signature ({@link RuleContext.setSignatureState}): the names of the
 * file's host functions that device code calling them would be reported for (empty when the file
 * has no device or no host functions).
 */
export type HostCallsState = ReadonlySet<string>;

function hostCalls(ctx: RuleContext): void {
  const t = ctx.tokens;
  const reportable = new Set<string>();
  ctx.setSignatureState(reportable satisfies HostCallsState);
  // cheap exit: no device code in this file
  if (!ctx.identsNamed('__global__').length && !ctx.identsNamed('__device__').length) return;
  const macros = deviceMacroNames(ctx);
  const fns = namespaceFunctions(ctx);
  const host = new Map<string, FnDef>();
  const notHost = new Set<string>();
  const device: FnDef[] = [];
  let hostOnly: Array<[number, number]> | undefined;
  const isMacro = (w: string): boolean => macros.has(w);
  for (const fn of fns) {
    const space = fnSpace(fn, isMacro);
    if (fn.global || space.device) device.push(fn);
    if (fn.global || space.device || space.unsure) notHost.add(fn.name);
    // a host fallback compiled only without the CUDA/HIP compiler (`#ifndef __CUDACC__`, as in
    // cuda-samples' helper_math.h) is not what device code calls under hipcc
    else if ((hostOnly ??= mayHaveHostOnlyRegions(ctx) ? hostOnlyRegions(t) : []).some(([a, b]) => a < fn.nameTok && fn.nameTok < b)) continue;
    else if (!host.has(fn.name)) host.set(fn.name, fn);
  }
  if (!device.length || !host.size) return;
  for (const [name, def] of host) {
    if (notHost.has(name)) continue;
    reportable.add(name);
    // a prototype with __device__ elsewhere (e.g. `__device__ int f(int);`) makes it device too
    let declaredDevice = false;
    const uses = ctx.identsNamed(name);
    for (const i of uses) {
      for (let j = prevCode(t, i), n = 0; j >= 0 && n < 10; j = prevCode(t, j), n++) {
        if (isPunct(t, j, ';') || isPunct(t, j, '}') || isPunct(t, j, '{') || isPunct(t, j, '(') || isPunct(t, j, '=')) break;
        if (isIdent(t, j, '__device__') || macros.has(tokenText(t, j))) declaredDevice = true;
      }
    }
    if (declaredDevice) continue;
    for (const i of uses) {
      if (NOT_CALLS.has(name) || !isPunct(t, nextCode(t, i), '(')) continue;
      const p = prevCode(t, i);
      if (isPunct(t, p, '.') || isPunct(t, p, '->')) continue;
      if (isPunct(t, p, '::') && isIdent(t, prevCode(t, p))) continue; // ns::name is another function
      const caller = functionContaining(device, i);
      if (!caller || caller === def) continue;
      if (ctx.tree) {
        const node = ctx.nodeAt(t.start[i]!, t.end[i]!);
        if (!node || node.parent?.type !== 'call_expression') continue;
      }
      ctx.report({
        code: 'HP703',
        message: `${name} is a host function (defined without __device__) called from ${caller.global ? '__global__' : '__device__'} code: hip-clang rejects the call; mark ${name} __host__ __device__`,
        start: t.start[i]!,
        end: t.end[i]!,
        status: 'hazard',
        cuda: name,
        fix: ctx.fix(`Add __host__ __device__ to ${name}`, [{ start: def.insertAt, end: def.insertAt, newText: '__host__ __device__ ' }], false),
      });
    }
  }
}

/** The macros that tell device compilation (or the CUDA/HIP compiler) apart. */
const DEVICE_COMPILER_NAMES: ReadonlySet<string> = new Set(['__CUDACC__', '__HIPCC__', '__NVCC__', '__HIP__', '__CUDA_ARCH__', '__HIP_DEVICE_COMPILE__']);

/**
 * False when no `#ifndef`/`#if` line of the file tests one of {@link DEVICE_COMPILER_NAMES}
 * (then {@link hostOnlyRegions} finds none): looked up in the identifier index instead of a scan
 * of every token.
 */
function mayHaveHostOnlyRegions(ctx: RuleContext): boolean {
  const t = ctx.tokens;
  for (const name of DEVICE_COMPILER_NAMES) {
    for (const i of ctx.identsNamed(name)) {
      if (t.pp[i] !== PP.Ifdef && t.pp[i] !== PP.If) continue;
      // `#ifndef NAME`, or a `!` shortly before it on the line (`#if !defined(NAME)`)
      for (let j = i - 1, n = 0; j >= 0 && n < 4 && t.pp[j] === t.pp[i]; j--, n++) {
        if (t.kind[j] === Tok.Directive) {
          if (tokenText(t, j).includes('ifndef')) return true;
          break;
        }
        if (isPunct(t, j, '!')) return true;
      }
    }
  }
  return false;
}

/**
 * Token-index ranges of code compiled only when the CUDA/HIP compiler is absent: the body of
 * `#ifndef __CUDACC__` / `#if !defined(__CUDACC__)` (and the HIP spellings) up to its `#else`,
 * `#elif` or `#endif`. Linear in the directives of the file.
 */
function hostOnlyRegions(t: import('../lexer').Tokens): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const stack: Array<{ hostOnly: boolean; from: number }> = [];
  const kind = t.kind;
  for (let i = 0, n = t.count; i < n; i++) {
    if (kind[i] !== Tok.Directive) continue;
    const d = t.text.slice(t.start[i]! + 1, t.end[i]).trim();
    if (d === 'if' || d === 'ifdef' || d === 'ifndef') {
      const a = nextCode(t, i);
      const b = nextCode(t, a);
      const c = nextCode(t, b);
      const e = nextCode(t, c);
      const name = (k: number): string => (k >= 0 && t.pp[k] === t.pp[i] ? tokenText(t, k) : '');
      const negated =
        (d === 'ifndef' && DEVICE_COMPILER_NAMES.has(name(a))) ||
        (d === 'if' && name(a) === '!' && name(b) === 'defined' && (DEVICE_COMPILER_NAMES.has(name(c)) || (name(c) === '(' && DEVICE_COMPILER_NAMES.has(name(e)))));
      stack.push({ hostOnly: negated, from: i });
    } else if (d === 'else' || d === 'elif' || d === 'endif') {
      const top = stack[stack.length - 1];
      if (top?.hostOnly) {
        out.push([top.from, i]);
        top.hostOnly = false;
      }
      if (d === 'endif') stack.pop();
    }
  }
  return out;
}

// ---- the 'register' storage class (HP701) ----

/** Codes of {@link registerRule}. */
export const REGISTER_CODES: readonly RuleCode[] = [
  { code: 'HP701', family: 'cxx', defaultSeverity: 'warning', title: "'register' storage class (removed in C++17, rejected by hip-clang)", docs: DOCS.porting },
];

/** The `register` storage class removed (HP701). */
export const registerRule: Rule = {
  id: 'register',
  family: 'cxx',
  codes: REGISTER_CODES,
  run(ctx) {
    registerKeyword(ctx);
  },
};

function registerKeyword(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('register')) {
    if (t.pp[i] !== PP.None) continue;
    const s = t.start[i]!;
    let e = t.end[i]!;
    while (e < t.text.length && (t.text[e] === ' ' || t.text[e] === '\t')) e++;
    ctx.report({
      code: 'HP701',
      message: "'register' storage class: removed in C++17 and rejected by hip-clang; remove it (the compiler allocates registers anyway)",
      start: s,
      end: t.end[i]!,
      status: 'hazard',
      cuda: 'register',
      fix: ctx.fix("Remove 'register'", [{ start: s, end: e, newText: '' }], true),
    });
  }
}
