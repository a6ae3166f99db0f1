/**
 * GNU Make: a small tokenizer (logical lines with backslash continuations, comments, conditionals,
 * `define` blocks, variable assignments, rules, recipe lines) and the CUDA → HIP migration of a
 * Makefile in copy or single-source mode. No npm Make parser is maintained (checked npm for
 * "makefile parser" packages: the few there are unmaintained and drop formatting), so this one keeps
 * every byte it does not change.
 *
 * Facts: GNU Make manual 4.3, "Splitting Long Lines", "Conditional Parts of Makefiles" (conditionals
 * may sit inside a recipe), "Command line overrides" (`make HIP=1` reaches sub-makes).
 */
import { posix } from 'node:path';
import { mapNvccWords, isNvccWord, type FlagNote } from './flags';
import { compareVersions } from '../mappings';
import type { BuildFinding, BuildMigration, BuildMigrationOptions } from './build-findings';

/** Kinds of logical Make lines. */
export type MakeLineKind = 'blank' | 'comment' | 'conditional' | 'define' | 'assignment' | 'rule' | 'recipe' | 'directive' | 'other';

/** One logical line (physical lines joined by backslash continuations). */
export interface MakeLine {
  kind: MakeLineKind;
  /** UTF-16 offset of its first character in the file text. */
  start: number;
  /** UTF-16 offset just past its last character, line end excluded. */
  end: number;
  /** `text.slice(start, end)`. */
  text: string;
  /** 1-based line number of its first physical line. */
  line: number;
  /** The line end that follows (`\n`, `\r\n` or '' at end of file). */
  eol: string;
  /** Assignments: variable name, operator, and the value's offsets within `text` (comment excluded). */
  assign?: { name: string; op: string; valueStart: number; valueEnd: number };
  /** Offset within `text` where a `#` comment starts (non-recipe lines), or -1. */
  commentAt: number;
}

const ASSIGN = /^(\s*(?:(?:export|override|private)\s+)*)([A-Za-z0-9_.\-/]+)\s*(\?=|:::=|::=|:=|\+=|!=|=)/;

/** Splits a Makefile into logical lines. Pure; never throws. */
export function tokenizeMake(text: string): MakeLine[] {
  const out: MakeLine[] = [];
  let pos = 0;
  let line = 1;
  let inRule = false;
  let defineDepth = 0;
  while (pos < text.length) {
    let end = pos;
    let physical = 1;
    for (;;) {
      const nl = text.indexOf('\n', end);
      const lineEnd = nl === -1 ? text.length : nl;
      const content = text.slice(end, lineEnd).replace(/\r$/, '');
      const bs = /\\+$/.exec(content)?.[0].length ?? 0;
      if (bs % 2 === 1 && nl !== -1) {
        end = nl + 1;
        physical++;
        continue;
      }
      end = lineEnd;
      break;
    }
    let textEnd = end;
    if (textEnd > pos && text[textEnd - 1] === '\r') textEnd--;
    const eol = end >= text.length ? '' : text[textEnd] === '\r' ? '\r\n' : '\n';
    const t = text.slice(pos, textEnd);
    const ml: MakeLine = { kind: 'other', start: pos, end: textEnd, text: t, line, eol, commentAt: -1 };
    if (defineDepth > 0) {
      ml.kind = 'define';
      if (/^\s*endef\b/.test(t)) defineDepth--;
      else if (/^\s*(?:(?:export|override)\s+)*define\b/.test(t)) defineDepth++;
    } else if (t.startsWith('\t') && inRule) {
      ml.kind = 'recipe';
    } else if (/^\s*$/.test(t)) {
      ml.kind = 'blank';
    } else if (/^\s*#/.test(t)) {
      ml.kind = 'comment';
    } else {
      ml.commentAt = findComment(t);
      const code = ml.commentAt >= 0 ? t.slice(0, ml.commentAt) : t;
      if (/^\s*(ifeq|ifneq|ifdef|ifndef|else|endif)\b/.test(code)) ml.kind = 'conditional';
      else if (/^\s*(?:(?:export|override)\s+)*define\b/.test(code)) {
        ml.kind = 'define';
        defineDepth = 1;
        inRule = false;
      } else if (/^\s*(-?include|sinclude|vpath|export|unexport|undefine)\b/.test(code) && !ASSIGN.test(code)) {
        ml.kind = 'directive';
      } else {
        const a = ASSIGN.exec(code);
        if (a) {
          ml.kind = 'assignment';
          let vs = a[0].length;
          while (vs < code.length && /[ \t]/.test(code[vs]!)) vs++;
          let ve = code.length;
          while (ve > vs && /\s/.test(code[ve - 1]!)) ve--;
          ml.assign = { name: a[2]!, op: a[3]!, valueStart: vs, valueEnd: ve };
          inRule = false;
        } else if (/:/.test(stripRefs(code))) {
          ml.kind = 'rule';
          inRule = true;
        }
      }
    }
    out.push(ml);
    line += physical;
    pos = end < text.length ? end + 1 : end;
  }
  return out;
}

/** Offset of an unescaped `#` outside `$(...)`, or -1. */
function findComment(t: string): number {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '$' && (t[i + 1] === '(' || t[i + 1] === '{')) {
      depth++;
      i++;
    } else if ((c === ')' || c === '}') && depth > 0) depth--;
    else if (c === '#' && depth === 0) return i;
  }
  return -1;
}

function stripRefs(s: string): string {
  let prev;
  do {
    prev = s;
    s = s.replace(/\$\([^()]*\)|\$\{[^{}]*\}/g, '');
  } while (s !== prev);
  return s;
}

/**
 * Project-relative folders whose sources the Makefile `file` (project-relative, forward slashes)
 * can compile: its own folder, and the folders named by relative paths in its rule and recipe
 * lines once simple variables are expanded (`../../$(SRC_DIR)/%/%.cpp` → `src`). Variables come
 * from the Makefile's assignments and from the Make files it includes (`include ../../common.mk`,
 * read through `read`: project-relative path → text, undefined when not a project file); values
 * that reference unknown variables stay unexpanded, and a path that leaves the project (`../`
 * past the root) or still holds a variable reference names no folder. Pure; never throws.
 */
export function makeSourceDirs(text: string, file: string, read: (projectPath: string) => string | undefined): string[] {
  const dir = posix.dirname(file);
  const vars = new Map<string, string>();
  const lines: MakeLine[] = [];
  const seen = new Set<string>();
  const load = (t: string, f: string, depth: number): void => {
    if (seen.has(f) || depth > 4) return;
    seen.add(f);
    for (const l of tokenizeMake(t)) {
      const code = l.commentAt >= 0 ? l.text.slice(0, l.commentAt) : l.text;
      if (l.kind === 'assignment' && l.assign && l.assign.op !== '+=' && l.assign.op !== '!=') {
        if (!(l.assign.op === '?=' && vars.has(l.assign.name))) vars.set(l.assign.name, code.slice(l.assign.valueStart, l.assign.valueEnd));
      } else if (l.kind === 'directive') {
        const inc = /^\s*-?(?:include|sinclude)\s+(.+)$/.exec(code);
        // include paths are relative to make's folder: the Makefile's own
        for (const w of inc ? expand(inc[1]!).split(/\s+/).filter(Boolean) : []) {
          const p = posix.normalize(posix.join(dir, w));
          const it = p.startsWith('..') || w.includes('$') ? undefined : read(p);
          if (it !== undefined) load(it, p, depth + 1);
        }
      } else if (f === file && (l.kind === 'rule' || l.kind === 'recipe')) lines.push(l);
    }
  };
  const expand = (s: string): string => {
    for (let i = 0; i < 10 && /\$[({][A-Za-z0-9_.\-]+[)}]/.test(s); i++) {
      const next = s.replace(/\$[({]([A-Za-z0-9_.\-]+)[)}]/g, (m, n: string) => vars.get(n) ?? m);
      if (next === s) break;
      s = next;
    }
    return s;
  };
  load(text, file, 0);
  const dirs = new Set<string>([dir]);
  for (const l of lines) {
    for (const w of expand(l.text).split(/[\s:;=]+/)) {
      if (!w.includes('/') || w.startsWith('/') || w.startsWith('-')) continue;
      const lit = w.slice(0, w.search(/[%*?[$]|$/));
      const at = lit.endsWith('/') ? lit.slice(0, -1) : posix.dirname(lit);
      if (!at || at === '.') continue;
      const p = posix.normalize(posix.join(dir, at));
      if (!p.startsWith('..') && !p.startsWith('/')) dirs.add(p);
    }
  }
  return [...dirs];
}

/** `.cu` (not `.cuh`) as a word suffix: `main.cu`, `%.cu`, `$(SRC:.cu=.o)`. */
const CU_SUFFIX = /\.cu(?![A-Za-z0-9_])/g;

/**
 * Migrates one Makefile. Copy mode: nvcc → hipcc with the offload-arch list, nvcc flags and CUDA
 * libraries mapped, `.cu` names → `.hip`. Single-source mode: every changed logical line becomes
 * `ifeq ($(HIP),1)` mapped `else` original `endif`, so without `HIP=1` make sees the original
 * text; hipcc force-includes the compat header. With `o.targetRocm` older than 5.5, a `-std=c++20`
 * (or later) line gets an HP815 warning (clang 15 and older crash on C++20 HIP code that
 * instantiates libstdc++ 12 containers, llvm/llvm-project#62017). A prologue defines `HIP_OFFLOAD_ARCH` (overridable:
 * `make HIP_OFFLOAD_ARCH="gfx90a gfx942"`). Returns the text unchanged (no findings) when the
 * Makefile has nothing CUDA. Pure; never throws.
 */
export function migrateMakefile(text: string, o: BuildMigrationOptions): BuildMigration {
  const lines = tokenizeMake(text);
  const findings: BuildFinding[] = [];
  const single = o.mode === 'single-source';
  const compiler = single ? 'hipcc $(HIP_ARCH_FLAGS) $(HIP_COMPAT_FLAGS)' : 'hipcc $(HIP_ARCH_FLAGS)';
  const pieces: string[] = [];
  let pos = 0;
  let any = false;
  const dir = posix.dirname(o.file);
  // Makefile-relative paths (`../../src/a.cpp` for a Makefile beside the sources' parent); a Makefile
  // with nothing CUDA (a CPU-only build of the same sources) reaches only the files of its folder
  const mentionsCuda = /nvcc|cuda/i.test(text);
  const cudaCxx = o.cudaCxxFiles.filter((f) => mentionsCuda || dir === '.' || f.startsWith(dir + '/')).map((f) => posix.relative(dir, f));
  let ruleText = '';
  const cxxVars = new Set<string>();
  for (const l of lines) {
    if (l.kind === 'rule') ruleText = l.text;
    else if (l.kind !== 'recipe' && l.kind !== 'conditional' && l.kind !== 'comment' && l.kind !== 'blank') ruleText = '';
    let newText: string | undefined;
    let notes: FlagNote[] = [];
    let renamed = false;
    if (l.kind === 'assignment' || l.kind === 'recipe' || l.kind === 'rule' || (l.kind === 'directive' && !single)) {
      const codeEnd = l.commentAt >= 0 ? l.commentAt : l.text.length;
      const vs = l.assign ? l.assign.valueStart : l.kind === 'recipe' ? 1 : 0;
      const ve = l.assign ? l.assign.valueEnd : codeEnd;
      const value = l.text.slice(vs, ve);
      let mapped = value;
      if (l.kind !== 'rule' && l.kind !== 'directive') {
        const m = mapNvccWords(value, { compiler, arch: '' });
        mapped = m.text;
        notes = m.notes;
      }
      if (l.kind === 'recipe' && cudaCxx.length && /(^|\s)-c(\s|$)/.test(mapped)) {
        // a C++ compile: under the HIP build the C++ files that use CUDA go through hipcc -x hip;
        // `$(CC)` counts when it compiles C++ sources (rule or recipe names them, or CC := g++)
        const ccCompilesCxx = o.ccIsCxx || CXX_SOURCE.test(ruleText + '\n' + value);
        for (const v of ccCompilesCxx ? ['CXX', 'CC'] : ['CXX']) {
          const ref = new RegExp(`\\$[({]${v}[)}]`, 'g');
          if (!ref.test(mapped)) continue;
          mapped = mapped.replace(ref, `$(HIP_PORTER_${v})`);
          cxxVars.add(v);
          const list = cudaCxx.length > 4 ? `${cudaCxx.slice(0, 4).join(', ')} and ${cudaCxx.length - 4} more` : cudaCxx.join(', ');
          notes.push({ from: `$(${v})`, to: `$(HIP_PORTER_${v})`, kind: 'compiler', why: `C++ sources that use CUDA, directly or through the project headers they include (${list}), are compiled with hipcc -x hip; the other C++ sources keep $(${v})` });
        }
      }
      if (!single && CU_SUFFIX.test(mapped)) {
        mapped = mapped.replace(CU_SUFFIX, '.hip');
        renamed = true;
      }
      CU_SUFFIX.lastIndex = 0;
      if (mapped !== value) newText = l.text.slice(0, vs) + mapped + l.text.slice(ve);
    }
    if (newText === undefined) {
      if (l.kind !== 'comment' && l.kind !== 'define' && /\bnvcc\b|-arch[= ]sm_|-gencode/.test(l.commentAt >= 0 ? l.text.slice(0, l.commentAt) : l.text)) {
        findings.push({ code: 'HP819', family: 'build', severity: 'warning', file: o.file, line: l.line, message: `kept as is, not understood: ${firstLine(l.text)}`, before: l.text, after: l.text });
      }
      continue;
    }
    any = true;
    const after = single && l.kind !== 'rule' ? wrapSwitch(l, newText) : newText;
    for (const n of notes) {
      const code = n.kind === 'compiler' ? 'HP801' : n.kind === 'arch' ? 'HP802' : n.kind === 'library' ? 'HP805' : n.kind === 'dropped' ? 'HP804' : 'HP803';
      findings.push({ code, family: 'build', severity: 'information', file: o.file, line: l.line, message: n.why, before: l.text, after });
    }
    if (renamed) findings.push({ code: 'HP806', family: 'build', severity: 'information', file: o.file, line: l.line, message: 'CUDA sources follow their rename: .cu → .hip', before: l.text, after });
    pieces.push(text.slice(pos, l.start), after);
    pos = l.end;
  }
  if (!any) return { text, findings };
  const cxx20 = o.targetRocm && compareVersions(o.targetRocm, '5.5') < 0 ? lines.find((l) => l.kind !== 'comment' && l.kind !== 'define' && CXX20_STD.test(l.commentAt >= 0 ? l.text.slice(0, l.commentAt) : l.text)) : undefined;
  if (cxx20) {
    findings.push({
      code: 'HP815', family: 'build', severity: 'warning', file: o.file, line: cxx20.line,
      message: `C++20 under hipcc with ROCm ${o.targetRocm}: clang 15 and older (ROCm 5.4.3 ships clang 15; Debian's ROCm 5.2 hipcc uses clang 15) crashes ("clang frontend command failed due to signal") on HIP sources in C++20 mode that instantiate libstdc++ 12 containers of class types such as std::map (llvm/llvm-project#62017, fixed in LLVM 16): build with a ROCm whose clang is 16 or newer, or keep those sources C++17`,
      before: cxx20.text, after: cxx20.text,
    });
  }
  pieces.push(text.slice(pos));
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const prologue = makePrologue(o, eol, cxxVars.size ? cudaCxx : [], [...cxxVars]);
  findings.unshift({
    code: 'HP807', family: 'build', severity: 'information', file: o.file, line: 1,
    message: single
      ? 'build switch added: `make HIP=1` builds for AMD GPUs (HIP_OFFLOAD_ARCH), plain `make` is the original CUDA build'
      : `hipcc settings added: HIP_OFFLOAD_ARCH ?= ${o.offloadArch.join(' ')}`,
    before: '', after: prologue,
  });
  return { text: prologue + pieces.join(''), findings };
}

function firstLine(s: string): string {
  const l = s.split('\n')[0]!;
  return l.length > 100 ? l.slice(0, 100) + '…' : l;
}

/** `ifeq ($(HIP),1)` new `else` old `endif`, no tab before the directives (valid inside recipes too). */
function wrapSwitch(l: MakeLine, newText: string): string {
  const e = l.eol || '\n';
  return `ifeq ($(HIP),1)${e}${newText}${e}else${e}${l.text}${e}endif`;
}

/** `-std=c++20` and later (`c++2a`, `gnu++20`, `c++23`, `c++2b`, `c++26`, `c++2c`). */
const CXX20_STD = /(^|\s)-std=(?:c|gnu)\+\+(?:2[0a-c]|23|26)(?=\s|$)/;

/** A C++ source name or pattern (`main.cpp`, `%.cc`, `$(SRC:.cxx=.o)`). */
const CXX_SOURCE = /\.(?:cpp|cc|cxx|c\+\+|C)(?![A-Za-z0-9_])/;

/**
 * The prologue. `cudaCxx`: C++ files (Makefile-relative) that use CUDA and are compiled by a
 * `$(CXX)` (or C++ `$(CC)`) recipe: `HIP_PORTER_CXX` / `HIP_PORTER_CC` (one per name in `vars`)
 * is hipcc `-x hip` for them (matched on `$<`, the rule's first prerequisite, both sides made
 * absolute so `./a.cpp` and `../../src/a.cpp` match) and `$(CXX)` / `$(CC)` for every other file.
 */
function makePrologue(o: BuildMigrationOptions, eol: string, cudaCxx: string[], vars: string[] = []): string {
  const rootExpr = o.toRoot ? `$(abspath $(dir $(lastword $(MAKEFILE_LIST)))${o.toRoot})` : `$(abspath $(dir $(lastword $(MAKEFILE_LIST))))`;
  const common = [
    `HIP_OFFLOAD_ARCH ?= ${o.offloadArch.join(' ')}`,
    'HIP_ARCH_FLAGS := $(foreach a,$(HIP_OFFLOAD_ARCH),--offload-arch=$(a))',
    'export HIP_PLATFORM := amd',
  ];
  const cxx = (compat: string): string[] =>
    cudaCxx.length
      ? [
          `HIP_PORTER_CUDA_CXX := ${cudaCxx.join(' ')}`,
          ...vars.map((v) => `HIP_PORTER_${v} = $(if $(filter $(abspath $(HIP_PORTER_CUDA_CXX)),$(abspath $<)),hipcc $(HIP_ARCH_FLAGS)${compat} -x hip,$(${v}))`),
        ]
      : [];
  if (o.mode === 'copy') {
    return ['# HIP Porter: built with hipcc for the AMD GPUs in HIP_OFFLOAD_ARCH (make HIP_OFFLOAD_ARCH="gfx90a gfx1100")', ...common, ...cxx(''), '', ''].join(eol);
  }
  return [
    '# HIP Porter: `make HIP=1` builds for AMD GPUs with hipcc (HIP_OFFLOAD_ARCH); plain `make` is the original CUDA build',
    'ifeq ($(HIP),1)',
    ...common,
    `HIP_PORTER_ROOT := ${rootExpr}`,
    `HIP_COMPAT_FLAGS := -include $(HIP_PORTER_ROOT)/${o.compatHeader} -I$(HIP_PORTER_ROOT)/${compatDirName(o.compatHeader)}`,
    ...cxx(' $(HIP_COMPAT_FLAGS)'),
    'endif',
    '',
    '',
  ].join(eol);
}

/** Directory of forwarding headers (`cuda_runtime.h` → the compat header) beside the compat header. */
export function compatDirName(compatHeader: string): string {
  return compatHeader.replace(/\.[^.]*$/, '') + '_include';
}

export { isNvccWord };
