/**
 * Parses hipcc (clang) and linker output into structured diagnostics, and maps remote paths in
 * them back to local files.
 *
 * Recognised lines (format documented at https://clang.llvm.org/docs/UsersManual.html#formatting-of-diagnostics):
 * - `file:line:col: error|warning|note|remark|fatal error: message [-Wflag]` (column optional);
 * - `In file included from a.hip:2:` and its `                 from b.h:3:` continuation lines;
 * - driver messages `clang: error: ...`, `hipcc: error: ...`;
 * - linker messages without line info: `ld.lld: error: undefined symbol: f` (with its
 *   `>>> referenced by x.hip:5` lines as notes), GNU ld `/usr/bin/ld: cannot find -lfoo`,
 *   `x.hip:(.text+0x2): undefined reference to 'f()'` (preceded by `ld: x.o: in function 'main':`).
 * - CMake's own messages (cmake 3.25 `cmMessenger` format): `CMake Error at FILE:LINE (command):`,
 *   `CMake Error in FILE:`, `CMake Warning (dev) at FILE:LINE (command):`, `CMake Error: text`, with the
 *   indented lines that follow as the message (up to the next blank or unindented line).
 * Source snippet and caret lines and the `N errors generated` summaries are skipped.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { posix } from 'node:path';

/** Severity as clang prints it (`fatal error` is `error` with `fatal: true`). */
export type BuildSeverity = 'error' | 'warning' | 'note' | 'remark';

/** Where an included file was included from (`In file included from FILE:LINE:`), 1-based line. */
export interface IncludeSite {
  file: string;
  line: number;
}

/** One compiler, driver or linker diagnostic. */
export interface BuildDiagnostic {
  /**
   * File as printed by the tool (relative paths are relative to the compiler's working directory),
   * or resolved against `cwd` when {@link parseDiagnostics} got one. `undefined` for driver and
   * linker messages that name no source file.
   */
  file: string | undefined;
  /** 1-based line; 0 when the tool gave no line (linker and driver messages). */
  line: number;
  /** 1-based column in the tool's units (clang counts bytes); 0 when none was given. */
  column: number;
  severity: BuildSeverity;
  /** `true` for clang's `fatal error:` (compilation stopped there). */
  fatal?: boolean;
  /** Message text without the location, severity and `[-W...]` suffix. */
  message: string;
  /** Warning option from the `[-Wflag]` suffix, e.g. `-Wunused-parameter` (without `-Werror,`). */
  flag?: string;
  /** `note:` lines that followed this diagnostic (and lld's `>>>` lines), in order. */
  notes: BuildDiagnostic[];
  /** The include chain printed before the diagnostic, nearest includer first, the main file last. */
  includedFrom: IncludeSite[];
  /** Which tool said it. */
  source: 'compiler' | 'driver' | 'linker' | 'cmake';
}

/** Options for {@link parseDiagnostics}. */
export interface ParseOptions {
  /** Resolve relative file paths against this (local) directory. */
  cwd?: string;
}

const CLANG_RE = /^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning|note|remark): (.*)$/;
const INCLUDED_FIRST_RE = /^In file included from (.+):(\d+)[:,]$/;
const INCLUDED_MORE_RE = /^\s+from (.+):(\d+)[:,]$/;
const DRIVER_RE = /^(?:clang(?:\+\+)?(?:-\d+)?|hipcc|clang-offload-bundler|lld|ld\.lld|\S*\/ld\.lld): (fatal error|error|warning|note): (.*)$/;
const GNU_LD_RE = /^(?:\S*\/)?ld(?:\.bfd|\.gold)?: (.*)$/;
const LD_SECTION_RE = /^(.+?):\(([^)]+)\): (.*)$/;
const LLD_REF_RE = /^>>> (?:referenced by|defined at) /;
const LLD_REF_LOC_RE = /^>>> (?:referenced by|defined at) ([^\s:()]+):(\d+)\b/;
const FLAG_RE = /\s\[(-W[^\]]*)\]$/;
const CMAKE_RE = /^CMake (Error|Warning|Deprecation Warning|Deprecation Error)(?: \(dev\))?(?: (?:at|in) (.+?)(?::(\d+))?(?: \(([^)]*)\))?)?:(?: (.*))?$/;

function splitFlag(message: string): { message: string; flag?: string } {
  const m = FLAG_RE.exec(message);
  if (!m) return { message };
  const opts = m[1]!.split(',').map((s) => s.trim());
  const flag = opts.find((o) => o.startsWith('-W') && o !== '-Werror') ?? opts[0]!;
  return { message: message.slice(0, m.index), flag };
}

function severityOf(word: string): { severity: BuildSeverity; fatal?: boolean } {
  if (word === 'fatal error') return { severity: 'error', fatal: true };
  return { severity: word as BuildSeverity };
}

/**
 * Parses tool output (stdout and stderr, any mix of `\n` / `\r\n`) into diagnostics in output
 * order. `note:` lines attach to the preceding error/warning; exact duplicates (hipcc repeats a
 * diagnostic for the host and each device compilation) are dropped.
 */
export function parseDiagnostics(output: string, options: ParseOptions = {}): BuildDiagnostic[] {
  const out: BuildDiagnostic[] = [];
  const seen = new Set<string>();
  let includeStack: IncludeSite[] = [];
  let last: BuildDiagnostic | undefined; // last top-level diagnostic, for notes
  let lastWasDuplicate = false;
  let ldContext: string | undefined;
  let prevWasInclude = false;
  const fix = (file: string): string => (options.cwd && !isAbsolute(file) ? resolve(options.cwd, file) : file);

  const push = (d: BuildDiagnostic): void => {
    if (d.severity === 'note' && last) {
      if (!lastWasDuplicate) last.notes.push(d);
      return;
    }
    const key = JSON.stringify([d.file, d.line, d.column, d.severity, d.message, d.includedFrom]);
    lastWasDuplicate = seen.has(key);
    last = d;
    if (!lastWasDuplicate) {
      seen.add(key);
      out.push(d);
    }
  };

  let cmakeOpen: BuildDiagnostic | undefined; // a CMake message still taking its indented lines
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    let m: RegExpExecArray | null;
    if (cmakeOpen) {
      if (/^\s+\S/.test(line)) {
        cmakeOpen.message += (cmakeOpen.message ? ' ' : '') + line.trim();
        continue;
      }
      const d = cmakeOpen;
      cmakeOpen = undefined;
      push(d);
      if (line === '') continue;
    }
    if ((m = CMAKE_RE.exec(line))) {
      const kind = m[1]!;
      cmakeOpen = {
        file: m[2] !== undefined ? fix(m[2]) : undefined,
        line: m[3] !== undefined ? Number(m[3]) : 0,
        column: 0,
        severity: /Error/.test(kind) ? 'error' : 'warning',
        message: [m[4] ? `${m[4]}:` : '', m[5] ?? ''].filter(Boolean).join(' '),
        notes: [],
        includedFrom: [],
        source: 'cmake',
      };
      continue;
    }
    if ((m = INCLUDED_FIRST_RE.exec(line))) {
      // clang prints one such line per level, outermost first; gcc prints one then `from` lines.
      const site = { file: fix(m[1]!), line: Number(m[2]) };
      includeStack = prevWasInclude ? [site, ...includeStack] : [site];
      prevWasInclude = true;
      continue;
    }
    prevWasInclude = false;
    if (includeStack.length > 0 && (m = INCLUDED_MORE_RE.exec(line))) {
      includeStack.push({ file: fix(m[1]!), line: Number(m[2]) });
      continue;
    }
    if ((m = CLANG_RE.exec(line))) {
      const { severity, fatal } = severityOf(m[4]!);
      const { message, flag } = splitFlag(m[5]!);
      const d: BuildDiagnostic = {
        file: fix(m[1]!),
        line: Number(m[2]),
        column: m[3] ? Number(m[3]) : 0,
        severity,
        message,
        notes: [],
        includedFrom: severity === 'note' ? [] : includeStack,
        source: 'compiler',
      };
      if (fatal) d.fatal = true;
      if (flag) d.flag = flag;
      includeStack = [];
      push(d);
      continue;
    }
    if ((m = DRIVER_RE.exec(line))) {
      const isLinker = /ld/.test(line.slice(0, line.indexOf(':')));
      const { severity, fatal } = severityOf(m[1]!);
      const d: BuildDiagnostic = {
        file: undefined,
        line: 0,
        column: 0,
        severity,
        message: m[2]!,
        notes: [],
        includedFrom: [],
        source: isLinker ? 'linker' : 'driver',
      };
      if (fatal) d.fatal = true;
      push(d);
      continue;
    }
    if (LLD_REF_RE.test(line) && last && last.source === 'linker') {
      const loc = LLD_REF_LOC_RE.exec(line);
      push({ file: loc ? fix(loc[1]!) : undefined, line: loc ? Number(loc[2]) : 0, column: 0, severity: 'note', message: line.slice(4), notes: [], includedFrom: [], source: 'linker' });
      continue;
    }
    if ((m = GNU_LD_RE.exec(line))) {
      const text = m[1]!;
      if (/: in function [`'].*[`']:$/.test(text)) {
        ldContext = text.replace(/:$/, '');
        continue;
      }
      const warn = /^warning: /.exec(text);
      push({ file: undefined, line: 0, column: 0, severity: warn ? 'warning' : 'error', message: warn ? text.slice(warn[0].length) : text, notes: [], includedFrom: [], source: 'linker' });
      continue;
    }
    if ((m = LD_SECTION_RE.exec(line)) && !/^\s/.test(line)) {
      const d: BuildDiagnostic = { file: fix(m[1]!), line: 0, column: 0, severity: 'error', message: m[3]!, notes: [], includedFrom: [], source: 'linker' };
      if (ldContext) d.notes.push({ file: undefined, line: 0, column: 0, severity: 'note', message: ldContext, notes: [], includedFrom: [], source: 'linker' });
      push(d);
      continue;
    }
  }
  if (cmakeOpen) push(cmakeOpen);
  return out;
}

function mapOne(file: string | undefined, remoteDir: string, localDir: string): string | undefined {
  if (file === undefined) return undefined;
  const root = posix.normalize(remoteDir).replace(/\/+$/, '');
  if (posix.isAbsolute(file)) {
    const norm = posix.normalize(file);
    if (norm === root) return localDir;
    if (norm.startsWith(root + '/')) return join(localDir, ...norm.slice(root.length + 1).split('/'));
    return file; // a remote system header: nothing local to point at
  }
  return join(localDir, ...posix.normalize(file).split('/'));
}

/**
 * Returns a copy of `diag` whose file paths (also in notes and include sites) that lie under the
 * remote directory `remoteDir` (POSIX, absolute), or are relative (taken as relative to
 * `remoteDir`, the remote compiler's working directory), point into `localDir` instead. Remote
 * paths outside `remoteDir` (e.g. `/opt/rocm/include/...`) are kept as they are.
 */
export function mapRemotePath(diag: BuildDiagnostic, remoteDir: string, localDir: string): BuildDiagnostic {
  return {
    ...diag,
    file: mapOne(diag.file, remoteDir, localDir),
    notes: diag.notes.map((n) => mapRemotePath(n, remoteDir, localDir)),
    includedFrom: diag.includedFrom.map((s) => ({ file: mapOne(s.file, remoteDir, localDir)!, line: s.line })),
  };
}

/** Counts diagnostics by severity (top-level only, notes excluded). */
export function countBySeverity(diags: readonly BuildDiagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diags) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
  }
  return { errors, warnings };
}
