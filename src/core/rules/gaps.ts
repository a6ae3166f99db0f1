/**
 * Gaps (family `api`): CUDA names with no HIP equivalent (HP104), HIP equivalents the target ROCm
 * lacks (HP105), cooperative-groups members (HP109) and device-property fields (HP108) the target
 * lacks, reported **one finding
 * per file and cause**, with every other place as a related span (issue 16, "signal above noise").
 *
 * A cause is one piece of work for the porter, however many names and uses it spans:
 * - `driver`: the file's CUDA driver-API names with no HIP equivalent (a dynamic-loading shim such
 *   as cuda-samples' matrixMulDynlinkJIT declares 65 of them; the fix is one rewrite onto the HIP
 *   module API, or dropping the shim);
 * - `target` (HP105): the file's names the target ROCm lacks (bf16 names before ROCm 5.7,
 *   hipBLAS compute types before 6.0, ...): one fix, raise the target to the newest release they
 *   need, or rewrite them; each related place names the release its name needs;
 * - `prop` (HP108): the file's `cudaDeviceProp` fields hipDeviceProp_t of ROCm 5.x lacks;
 * - `cg`: the file's cooperative-groups members the target lacks;
 * - `half-shuffle`: warp shuffles of `__half` values the target has no overload for;
 * - otherwise each name is its own cause (as before: one finding per file and name).
 *
 * Uses in a preprocessor branch hip-clang does not compile for AMD (`#ifndef __HIP_PLATFORM_AMD__`,
 * `#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800`, `#if defined OCML_BASIC_ROUNDED_OPERATIONS`,
 * see ./preprocessor.ts) cannot fail the AMD build: they form causes of their own at information
 * severity, saying which branch AMD compiles instead (HIP code that compiles with hipcc got 16
 * false HP104 errors from `__fadd_rd` & co. in such a branch).
 *
 * A `target` group whose every name is of a too-new included header's library and needs no later
 * release than that header (bf16
 * names beside `#include <cuda_bf16.h>` before ROCm 5.7) is that include's consequence: the include
 * already fails (HP111, an error) and one fix, the newer target, solves both. The group is then
 * information, naming the include (llm.c at ROCm 5.2 reported each such file twice). Likewise a
 * `cg` group in a file that includes a too-new `cooperative_groups/` header (`reduce.h`, `scan.h`:
 * ROCm 7.0): the include already fails, and the members are the same piece of work.
 *
 * The PTX cache-hint intrinsics (`__stcs`, `__stcg`, `__ldcs`, ...) are one cause per file: one fix.
 *
 * Severity: HP104 and HP109 are errors (the name does not compile for any AMD target); HP105 is an
 * error too, by consequence: the target's HIP headers do not declare the name, so the file does not
 * compile for that target (it was a warning, which understated it).
 *
 * The rule reads identifiers and directive lines anywhere in the file, so it has `file` scope; its
 * signature keeps it from re-running after edits of items holding neither a directive nor a name
 * that can be a gap for the last run's target.
 */
import { PP, Tok, isPunct, prevCode, type Tokens } from '../lexer';
import { compareVersions, hipAvailableIn, rocAvailableIn, type Mappings } from '../mappings';
import type { RelatedSpan } from '../findings';
import { DOCS, type ReportedFinding, type Rule, type RuleCode, type RuleContext } from './types';
import { CG_NAMES, cooperativeGroupsGaps } from './cooperative-groups';
import { DEVICE_MISSING_IN_52, DEVICE_PROP_MISSING_BEFORE_6, HALF_SHUFFLE_NAMES, SPECIAL_NAMES, devicePropGaps, deviceFunctionGaps, halfShuffles, nameFindings } from './api';
import { headerShipsAfter } from './headers';
import { conditionals, directiveText, relevantItemText, skippedOnAmd, takenInstead, type Branch } from './preprocessor';

/** Codes of {@link gapsRule}. */
export const GAP_CODES: readonly RuleCode[] = [
  { code: 'HP104', family: 'api', defaultSeverity: 'error', title: 'CUDA API with no HIP equivalent', docs: DOCS.hipifyTables },
  { code: 'HP105', family: 'api', defaultSeverity: 'error', title: 'HIP equivalent not available in the target ROCm version', docs: DOCS.hipifyTables },
  { code: 'HP109', family: 'api', defaultSeverity: 'error', title: 'Cooperative-groups API the target ROCm does not have', docs: DOCS.porting },
  { code: 'HP108', family: 'api', defaultSeverity: 'error', title: 'cudaDeviceProp field that hipDeviceProp_t of the target ROCm lacks', docs: DOCS.porting },
];

/** One use of a gap: a finding as the per-name checks produce it, and the cause it belongs to. */
interface Use {
  f: ReportedFinding;
  name: string;
  cause: string;
  /** For HP105: the ROCm release that has the name. */
  needs?: string;
  /** The branch hip-clang skips that holds the use, if any. */
  skipped: Branch | undefined;
}

/** What the signature needs from the last run: the options a name's gap status depends on. */
interface GapState {
  target: string;
  roc: boolean;
}

/** Names whose uses the rule reads besides the mapped ones (device gaps, half shuffles and their types, cooperative groups). */
const EXTRA_NAMES: ReadonlySet<string> = new Set([
  ...DEVICE_MISSING_IN_52.keys(),
  ...HALF_SHUFFLE_NAMES,
  'half',
  '__half',
  'half2',
  '__half2',
  ...CG_NAMES,
  'cooperative_groups',
  ...DEVICE_PROP_MISSING_BEFORE_6.keys(),
]);

/**
 * Mapped names whose HIP name is the CUDA name: a gap only where the target lacks it (bf16
 * functions before ROCm 5.7, `__hmax`/`__hmin` before 5.5); the warp `*_sync` functions and
 * `__syncwarp` are the warp rules' (./warp.ts), which know the opt-in macro and the 64-bit mask.
 */
function sameNameGap(name: string): boolean {
  return !/_sync$/.test(name) && name !== '__syncwarp';
}

/** True when identifier `name` may be a gap for the state's options (conservative: may say true for a name that is not). */
function mayBeGap(mappings: Mappings, name: string, s: GapState | undefined): boolean {
  if (EXTRA_NAMES.has(name)) return true;
  const e = mappings.get(name);
  if (!e || (e.hip === name && !sameNameGap(name))) return false;
  if (!s) return true;
  if (!e.hip || e.hipVersions.experimental || !hipAvailableIn(e, s.target)) return true;
  return s.roc && !!e.roc && !rocAvailableIn(e, s.target);
}

/** Signature of tokens `[first, end)`: their text when they hold a directive or a possible gap name, else empty. */
function gapsSignature(t: Tokens, first: number, end: number, mappings: Mappings, state?: unknown): string {
  const s = state as GapState | undefined;
  return relevantItemText(t, first, end, (i) => t.kind[i] === Tok.Directive || (t.kind[i] === Tok.Ident && mayBeGap(mappings, t.text.slice(t.start[i], t.end[i]), s)));
}

/**
 * PTX cache-operator load/store intrinsics (CUDA C++ Programming Guide, "Load Functions Using Cache
 * Hints" / "Store Functions Using Cache Hints"): HIP declares none of them; one fix for all (plain
 * loads/stores, or clang's `__builtin_nontemporal_load/store` for the streaming ones).
 */
const CACHE_HINT_NAMES = new Set(['__ldcg', '__ldca', '__ldcs', '__ldlu', '__ldcv', '__stwb', '__stcg', '__stcs', '__stwt']);

/** The cause of an HP104/HP105 use of mapped name `name` (see the module comment). */
function causeOf(code: string, name: string, library: string | undefined): string {
  if (code === 'HP104' && library === 'driver') return 'driver';
  if (code === 'HP104' && CACHE_HINT_NAMES.has(name)) return 'cache-hint';
  if (code === 'HP105') return 'target';
  return `name ${name}`;
}

/** Words for a cause of several names, for the group's message. */
function causeWords(cause: string, target: string, needs: string | undefined): { what: string; todo: string } {
  if (cause === 'target') return { what: `names ROCm ${target} lacks`, todo: needs ? `ROCm ${needs} has them all (each related place names what it needs): target it, or rewrite them` : 'target a newer ROCm, or rewrite them' };
  if (cause === 'prop') return { what: `cudaDeviceProp fields hipDeviceProp_t of ROCm ${target} lacks`, todo: 'ROCm 6.0 has them; each related place says what to use instead' };
  if (cause === 'driver') return { what: 'CUDA driver-API names with no HIP equivalent', todo: 'rewrite this driver-API code by hand (the HIP module API: hipModuleLoad, hipModuleGetFunction, hipModuleLaunchKernel) or drop it' };
  if (cause === 'cache-hint') return { what: 'cache-hinted load/store intrinsics HIP does not declare', todo: 'use plain loads and stores (or __builtin_nontemporal_load/__builtin_nontemporal_store for the streaming ones)' };
  if (cause === 'cg') return { what: `cooperative-groups members ROCm ${target} lacks`, todo: 'rewrite them (each related place says with what)' };
  if (cause === 'half-shuffle') return { what: `warp shuffles of half values ROCm ${target} has no overload for`, todo: 'shuffle their bits instead (each related place says how)' };
  const v = /^rocm (.*)$/.exec(cause)?.[1];
  if (v) return { what: `names whose HIP equivalents need ROCm ${v}`, todo: `target ROCm ${v} or later, or rewrite them` };
  return { what: 'names with no HIP equivalent', todo: 'rewrite this code by hand' };
}

/**
 * HP104/HP105/HP109 (see the module comment): collects every use the per-name checks find, groups
 * them by file and cause, and reports one finding per group at its first use.
 */
export const gapsRule: Rule = {
  id: 'gaps',
  family: 'api',
  scope: 'file',
  codes: GAP_CODES,
  signature: gapsSignature,
  run(ctx) {
    const t = ctx.tokens;
    const target = ctx.options.targetRocm;
    ctx.setSignatureState({ target, roc: ctx.options.libraryTarget === 'roc' } satisfies GapState);
    const uses: Array<Omit<Use, 'skipped'>> = [];
    // mapped names: the per-name finding of the api rule's tables, placed at each non-member use
    for (const [name, occurrences] of ctx.identIndex()) {
      const e = ctx.mappings.get(name);
      if (!e || (e.hip === name && !sameNameGap(name)) || SPECIAL_NAMES.has(name)) continue;
      // the common case, a name with a HIP equivalent in the target, is the api rule's (cheap test first)
      if (e.hip && e.library !== 'dnn' && !e.hipVersions.experimental && hipAvailableIn(e, target)) continue;
      let tpl: ReturnType<typeof nameFindings>[number]['finding'] | undefined;
      for (const i of occurrences) {
        const p = prevCode(t, i);
        if (p >= 0 && (isPunct(t, p, '.') || isPunct(t, p, '->'))) continue;
        if (!tpl) {
          const fs = nameFindings(ctx, e, name);
          const g = fs.length === 1 ? fs[0]!.finding : undefined;
          // cuDNN names are the cudnn rule's (HP114)
          if (!g || (g.code !== 'HP104' && g.code !== 'HP105') || (g.code === 'HP104' && e.library === 'dnn')) break;
          tpl = g;
        }
        const f: ReportedFinding = { ...tpl, start: t.start[i]!, end: t.end[i]! };
        uses.push({ f, name, cause: causeOf(tpl.code, name, e.library), needs: tpl.code === 'HP105' ? e.hipVersions.added : undefined });
      }
    }
    // the structural checks: device functions and half shuffles the target lacks, cooperative groups
    const collect = (cause: (f: ReportedFinding) => string): RuleContext => ({ ...ctx, report: (f) => uses.push({ f, name: f.cuda ?? '', cause: cause(f) }) }) as RuleContext;
    deviceFunctionGaps(collect((f) => `name ${f.cuda}`));
    halfShuffles(collect(() => 'half-shuffle'));
    cooperativeGroupsGaps(collect(() => 'cg'));
    devicePropGaps(collect(() => 'prop'));
    if (!uses.length) return;
    const cs = conditionals(ctx);
    const groups = new Map<string, Use[]>();
    for (const u of uses) {
      const skipped = skippedOnAmd(cs, u.f.start);
      // uses in one branch AMD skips are one piece of information, whatever their causes
      const key = skipped ? `${u.f.code}\u0000skipped ${skipped.dir}` : `${u.f.code}\u0000${u.cause}`;
      const g = groups.get(key);
      const x = { ...u, skipped };
      if (g) g.push(x);
      else groups.set(key, [x]);
    }
    // read only when a group can follow from a header (a token scan of the whole file)
    let headers: TooNewHeader[] | undefined;
    const tooNew = (): TooNewHeader[] => (headers ??= tooNewHeaders(ctx));
    for (const list of groups.values()) report(ctx, list, tooNew);
  },
};

/** An include of a CUDA header whose HIP equivalent ships in a later ROCm than the target (HP111). */
interface TooNewHeader {
  /** Token index of the header name. */
  tok: number;
  path: string;
  /** The ROCm release that ships the HIP equivalent. */
  added: string;
  /** The header's library in HIPIFY's tables (`device` for cuda_bf16.h). */
  library: string | undefined;
}

/** The file's `#include`s of CUDA headers whose HIP equivalent the target ROCm lacks (HP111's case). */
function tooNewHeaders(ctx: RuleContext): TooNewHeader[] {
  const t = ctx.tokens;
  const out: TooNewHeader[] = [];
  for (let i = 0; i < t.count; i++) {
    if (t.kind[i] !== Tok.HeaderName || t.pp[i] !== PP.Include) continue;
    const raw = t.text.slice(t.start[i], t.end[i]);
    const path = raw.slice(1, -1);
    const h = ctx.mappings.header(path);
    const added = h?.hip ? headerShipsAfter(h, ctx.options.targetRocm) : undefined;
    if (added) out.push({ tok: i, path, added, library: h!.library });
  }
  return out;
}

/** Reports one group of uses (same code, cause and skipped branch): at its first use, the others related. */
function report(ctx: RuleContext, list: Use[], tooNew: () => readonly TooNewHeader[]): void {
  const t = ctx.tokens;
  list.sort((a, b) => a.f.start - b.f.start);
  const first = list[0]!;
  const names = [...new Set(list.map((u) => u.name))];
  const seen = new Set<string>([first.name]);
  const related: RelatedSpan[] = [];
  for (const u of list.slice(1)) {
    // the first use of each further name carries its own advice; repeats say so
    const msg = seen.has(u.name) ? `${u.name} used again here` : u.f.message;
    seen.add(u.name);
    related.push({ start: u.f.start, end: u.f.end, message: msg, cuda: u.name });
  }
  let message: string;
  if (names.length === 1) {
    const more = related.length ? ` (${related.length} more use${related.length === 1 ? '' : 's'} in this file, listed as related)` : '';
    message = first.f.message + more;
  } else {
    const needs = list.map((u) => u.needs).filter((v): v is string => !!v).sort(compareVersions).pop();
    const w = causeWords(first.cause, ctx.options.targetRocm, needs);
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
    message = `${names.length} ${w.what} (${shown}) at ${list.length} places in this file (listed as related): ${w.todo}. Here: ${first.f.message}`;
  }
  let severity = first.f.severity;
  const needsAll = list.map((u) => u.needs).filter((v): v is string => !!v).sort(compareVersions).pop();
  const root = first.skipped
    ? undefined
    : first.cause === 'target' && needsAll
      ? tooNew().find((h) => compareVersions(needsAll, h.added) <= 0 && list.every((u) => u.f.library === h.library))
      : first.cause === 'cg'
        ? tooNew().find((h) => h.path.startsWith('cooperative_groups/'))
        : undefined;
  if (root) {
    const ships = first.cause === 'cg' ? `ROCm ${root.added} ships it; the members below are the same piece of work, porting this file's cooperative groups` : `ROCm ${root.added} ships it and these names`;
    message = `follows from #include <${root.path}> (HP111: the target ROCm ${ctx.options.targetRocm} has no such header; ${ships}): ${message}`;
    severity = 'information';
    related.push({ start: t.start[root.tok]!, end: t.end[root.tok]!, message: `#include <${root.path}>: the cause, an error` });
  }
  if (first.skipped) {
    const cs = conditionals(ctx);
    const instead = takenInstead(cs, first.skipped);
    message = `in a branch hip-clang does not compile for AMD (${directiveText(t, first.skipped)}${instead ? `; AMD compiles the ${directiveText(t, instead)} branch instead` : ''}), so it cannot fail the AMD build: ${message}`;
    severity = 'information';
    related.push({ start: t.start[first.skipped.dir]!, end: t.end[first.skipped.dir]!, message: 'the branch condition, false for hip-clang on AMD' });
  }
  ctx.report({
    code: first.f.code,
    message,
    start: first.f.start,
    end: first.f.end,
    status: first.f.status,
    severity,
    library: first.f.library,
    cuda: first.f.cuda ?? first.name,
    hip: names.length === 1 ? first.f.hip : undefined,
    docs: first.f.docs,
    related: related.length ? related : undefined,
  });
}

