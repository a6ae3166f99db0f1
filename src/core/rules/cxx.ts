/**
 * C++ that nvcc accepts and hip-clang rejects (family `cxx`). (HP701, `register`, is in rewrites.ts.)
 * - HP702 user definitions of what HIP's vector-type header already defines
 *   (hip/amd_detail/amd_hip_vector_types.h, HIP 5.2): `make_<type><n>` helpers are
 *   `static inline __host__ __device__` functions there, so a user definition is a redefinition
 *   error; compound assignment (`+=`, ...) and `++`/`--` are members of HIP_vector_type, so a free
 *   user operator makes every use ambiguous (both verified with hipcc 5.2). Binary operators
 *   (`+`, `*`, `==`, ...) are templates in HIP: a user's non-template still compiles and wins
 *   overload resolution, so those are reported as redundant only (information).
 * - HP703 a `__global__`/`__device__` function calling a function of the same file that is
 *   defined without `__device__` (and is not constexpr): hip-clang rejects the call in device
 *   compilation. Reported at the call; fix (offered): add `__host__ __device__` to the callee.
 */
import { PP, callArguments, isPunct, nextCode, prevCode, Tok } from '../lexer';
import type { SyntaxNode } from '../parse';
import { DOCS, type Rule, type RuleCode, type RuleContext } from './types';
import { ancestor, deviceMacroNames, functionSpace, isIdent, tt, type FunctionSpace } from './util';

export const CXX_CODES: readonly RuleCode[] = [
  { code: 'HP702', family: 'cxx', defaultSeverity: 'error', title: 'Vector-type operator or helper that HIP already defines', docs: DOCS.vectorTypes },
  { code: 'HP703', family: 'cxx', defaultSeverity: 'warning', title: 'Host function called from device code', docs: DOCS.languageExtensions },
];

const VECTOR_TYPE = /^(?:u?char|u?short|u?int|u?long|u?longlong|float|double)[1-4]$/;
const MAKE_VECTOR = /^make_(?:u?char|u?short|u?int|u?long|u?longlong|float|double)[1-4]$/;
const COMPOUND = new Set(['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);
const BINARY = new Set(['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>', '==', '!=']);
const INC_DEC = new Set(['++', '--']);

export const cxxRule: Rule = {
  id: 'cxx',
  family: 'cxx',
  codes: CXX_CODES,
  run(ctx) {
    vectorOperators(ctx);
    makeHelpers(ctx);
    hostCalls(ctx);
  },
};

function vectorOperators(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (const i of ctx.identsNamed('operator')) {
    if (t.pp[i] !== PP.None) continue;
    // the operator symbol: adjacent punctuation up to '('
    let j = nextCode(t, i);
    let op = '';
    while (j >= 0 && t.kind[j] === Tok.Punct && !isPunct(t, j, '(') && op.length < 4) {
      op += tt(t, j);
      j = nextCode(t, j);
    }
    if (!op || !isPunct(t, j, '(')) continue;
    const call = callArguments(t, j);
    if (!call) continue;
    const params = call.args.filter(([a, b]) => a <= b);
    const vecParam = params.find(([a, b]) => {
      for (let k = a; k <= b; k++) if (t.kind[k] === Tok.Ident && VECTOR_TYPE.test(tt(t, k))) return true;
      return false;
    });
    if (!vecParam) continue;
    let vec = '';
    for (let k = vecParam[0]; k <= vecParam[1]; k++) if (t.kind[k] === Tok.Ident && VECTOR_TYPE.test(tt(t, k))) vec = tt(t, k);
    const free = params.length === 2 || (INC_DEC.has(op) && params.length === 1);
    if (!free) continue;
    let severity: 'error' | 'information';
    let message: string;
    if (COMPOUND.has(op) || INC_DEC.has(op)) {
      severity = 'error';
      message = `operator${op} for ${vec}: HIP's vector types already define it as a member, so every use becomes ambiguous under hip-clang; remove this definition`;
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

function makeHelpers(ctx: RuleContext): void {
  const t = ctx.tokens;
  for (let i = 0; i < t.count; i++) {
    if (t.kind[i] !== Tok.Ident || t.pp[i] !== PP.None) continue;
    const s = t.start[i]!;
    if (t.text.charCodeAt(s) !== 109 || t.end[i]! - s < 11 || t.end[i]! - s > 17) continue; // 'm', make_xxxN
    const name = tt(t, i);
    if (!MAKE_VECTOR.test(name)) continue;
    const p = prevCode(t, i);
    if (!isIdent(t, p) || tt(t, p) === 'return') continue;
    const open = nextCode(t, i);
    if (!isPunct(t, open, '(')) continue;
    const call = callArguments(t, open);
    if (!call || !isPunct(t, nextCode(t, call.close), '{')) continue;
    const fn = ancestor(ctx.nodeAt(s, t.end[i]!), new Set(['function_definition']));
    const fix =
      fn && !fn.hasError
        ? ctx.fix(`Remove this ${name} (HIP defines it)`, [{ start: fn.startIndex, end: fn.endIndex, newText: '' }], false)
        : undefined;
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
}

/** A function defined in this file, with its execution space. */
interface FnDef {
  node: SyntaxNode;
  space: FunctionSpace;
}

/** Function definitions at namespace scope (top level, namespaces, `extern "C"`, templates); not class members. */
function topLevelFunctions(root: SyntaxNode, out: SyntaxNode[], depth = 0): void {
  if (depth > 8) return;
  for (const c of root.namedChildren) {
    if (!c) continue;
    if (c.type === 'function_definition') out.push(c);
    else if (c.type === 'template_declaration' || c.type === 'linkage_specification' || c.type === 'namespace_definition' || c.type === 'declaration_list') topLevelFunctions(c, out, depth + 1);
    else if ((c.type === 'preproc_ifdef' || c.type === 'preproc_if' || c.type === 'preproc_else' || c.type === 'preproc_elif') && depth < 8) topLevelFunctions(c, out, depth + 1);
  }
}

function functionName(fn: SyntaxNode): SyntaxNode | undefined {
  let d = fn.childForFieldName('declarator');
  for (let n = 0; d && n < 6; n++) {
    if (d.type === 'identifier') return d;
    if (d.type === 'qualified_identifier' || d.type === 'operator_name' || d.type === 'destructor_name') return undefined;
    d = d.childForFieldName('declarator');
  }
  return undefined;
}

function hostCalls(ctx: RuleContext): void {
  const tree = ctx.tree;
  if (!tree) return;
  const t = ctx.tokens;
  // cheap exit: no device code in this file
  if (!ctx.identsNamed('__global__').length && !ctx.identsNamed('__device__').length) return;
  const macros = deviceMacroNames(ctx);
  const fns: SyntaxNode[] = [];
  topLevelFunctions(tree.rootNode, fns);
  const host = new Map<string, FnDef>();
  const notHost = new Set<string>();
  const device: FnDef[] = [];
  for (const fn of fns) {
    const nameNode = functionName(fn);
    const space = functionSpace(ctx, fn, macros);
    if (space.global || space.device) device.push({ node: fn, space });
    if (!nameNode) continue;
    const name = nameNode.text;
    if (space.device || space.global || space.constexpr || space.unknownMacro || fn.hasError) notHost.add(name);
    else if (!host.has(name)) host.set(name, { node: fn, space });
  }
  if (!device.length || !host.size) return;
  for (const [name, def] of host) {
    if (notHost.has(name)) continue;
    // a prototype with __device__ elsewhere (e.g. `__device__ int f(int);`) makes it device too
    let declaredDevice = false;
    for (const i of ctx.identsNamed(name)) {
      for (let j = prevCode(t, i), n = 0; j >= 0 && n < 10; j = prevCode(t, j), n++) {
        if (isPunct(t, j, ';') || isPunct(t, j, '}') || isPunct(t, j, '{') || isPunct(t, j, '(') || isPunct(t, j, '=')) break;
        if (isIdent(t, j, '__device__') || macros.has(tt(t, j))) declaredDevice = true;
      }
    }
    if (declaredDevice) continue;
    for (const i of ctx.identsNamed(name)) {
      const open = nextCode(t, i);
      if (!isPunct(t, open, '(')) continue;
      const p = prevCode(t, i);
      if (isPunct(t, p, '.') || isPunct(t, p, '->')) continue;
      const s = t.start[i]!;
      const caller = device.find((d) => d.node.startIndex <= s && s < d.node.endIndex);
      if (!caller || caller.node === def.node) continue;
      const body = caller.node.childForFieldName('body');
      if (!body || s < body.startIndex) continue;
      const node = ctx.nodeAt(s, t.end[i]!);
      if (!node || node.parent?.type !== 'call_expression') continue;
      const insertAt = def.node.startIndex;
      ctx.report({
        code: 'HP703',
        message: `${name} is a host function (defined without __device__) called from ${caller.space.global ? '__global__' : '__device__'} code: hip-clang rejects the call; mark ${name} __host__ __device__`,
        start: s,
        end: t.end[i]!,
        status: 'hazard',
        cuda: name,
        fix: ctx.fix(`Add __host__ __device__ to ${name}`, [{ start: insertAt, end: insertAt, newText: '__host__ __device__ ' }], false),
      });
    }
  }
}
