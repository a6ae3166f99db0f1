/**
 * Pure adapters between the extension's build settings / tasks.json entries and the build engine
 * (src/core/build): config snapshot → {@link ExtensionBuildSettings}, `hipcc` task definition (the
 * manifest's shape) → {@link BuildPlan}, clang diagnostic position → 0-based editor range.
 * No 'vscode' import, so everything here is unit-tested under plain node (test/unit/build-settings.test.ts).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_BUILD_SETTINGS,
  taskDefinitionToBuildPlan,
  type BuildDiagnostic,
  type BuildPlan,
  type BuildSettings,
  type HipccTaskDefinition,
  type PlanContext,
} from '../core/build';

/**
 * The `hipPorter.build.*` values as the typed config class (src/extension/config.ts) exposes them.
 * Any object with these fields works (tests pass plain objects).
 */
export interface BuildConfigLike {
  hipccPath: string;
  offloadArch: string[];
  extraFlags: string[];
  includeDirs: string[];
  buildEnv: Record<string, string>;
  outputPath: string;
  link: boolean;
  remoteHost: string;
  remoteDir: string;
  /** `true`: copy the file and its `#include "..."` closure to the remote box; `false`: copy nothing. */
  sync: boolean;
  sshConfigFile: string;
  buildAfterAccept: boolean;
  runCommand: string;
  /** Compile time limit in seconds (`hipPorter.build.timeoutSec`); absent or not a positive number = engine default (600). */
  timeoutSec?: number;
  /** ssh ConnectTimeout in seconds (`hipPorter.build.connectTimeoutSec`); absent or not a positive number = engine default (10). */
  connectTimeoutSec?: number;
}

/** Engine settings plus the extension-only default for linking (the engine takes `link` per task). */
export interface ExtensionBuildSettings extends BuildSettings {
  /** Default of a task's `link` (`hipPorter.build.link`). */
  link: boolean;
}

/**
 * A `hipcc` task as contributed in package.json `taskDefinitions` (what users write in tasks.json):
 * the engine's {@link HipccTaskDefinition} with three user-facing differences, mapped by
 * {@link taskJsonToDefinition}: one `file` (the engine takes `files`), `hipcc` for the executable
 * (`hipccPath`), and `sync` also as a boolean (`true` = `closure`, `false` = `off`). Every field but
 * `type` is optional here; VS Code itself enforces the manifest's `required`. test/unit/manifest.test.ts
 * keeps the manifest's properties equal to these keys.
 */
export type HipccTaskJson = Omit<HipccTaskDefinition, 'files' | 'hipccPath' | 'sync'> & {
  /** Source file, absolute or workspace-relative; `${file}` = the active editor's file. */
  file?: string;
  /** hipcc executable. */
  hipcc?: string;
  /** What to copy to the remote box: `closure` (true), `folder`, or nothing (`off`, false); default the `hipPorter.build.sync` setting. */
  sync?: boolean | NonNullable<HipccTaskDefinition['sync']>;
};

/** Every key of {@link HipccTaskJson} (a Record, so the compiler insists on all of them). */
const TASK_JSON_KEYS: Record<Exclude<keyof HipccTaskJson, 'type'>, true> = {
  file: true,
  offloadArch: true,
  flags: true,
  includeDirs: true,
  output: true,
  link: true,
  remote: true,
  remoteDir: true,
  hipcc: true,
  defines: true,
  env: true,
  sync: true,
};

/** The keys of {@link HipccTaskJson}, as package.json `taskDefinitions` lists its properties. */
export const HIPCC_TASK_JSON_KEYS = Object.keys(TASK_JSON_KEYS) as ReadonlyArray<keyof typeof TASK_JSON_KEYS>;

/** Expands a leading `~` / `~/` to the home directory (ssh config paths are often written so). */
export function expandTilde(p: string, home: string = homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

function cleanList(list: readonly unknown[] | undefined): string[] {
  return (list ?? []).filter((s): s is string => typeof s === 'string').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Maps a config snapshot onto the engine's settings. Empty strings fall back to the engine's
 * defaults for `hipccPath` and `remoteDir`; list entries are trimmed and empty ones dropped;
 * `sync: false` becomes `'off'`, `true` `'closure'`; `sshConfigFile` has `~` expanded (the engine
 * resolves relative paths against the workspace folder). `timeoutSec` / `connectTimeoutSec` are
 * used when they are positive numbers, else the engine defaults apply.
 */
export function configToBuildSettings(c: BuildConfigLike, home: string = homedir()): ExtensionBuildSettings {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.buildEnv ?? {})) if (typeof v === 'string' && k.trim() !== '') env[k.trim()] = v;
  return {
    ...DEFAULT_BUILD_SETTINGS,
    hipccPath: c.hipccPath.trim() || DEFAULT_BUILD_SETTINGS.hipccPath,
    offloadArchs: cleanList(c.offloadArch),
    extraFlags: cleanList(c.extraFlags),
    includeDirs: cleanList(c.includeDirs),
    env,
    outputPath: c.outputPath.trim(),
    remoteHost: c.remoteHost.trim(),
    remoteDir: c.remoteDir.trim() || DEFAULT_BUILD_SETTINGS.remoteDir,
    sync: c.sync ? 'closure' : 'off',
    sshConfigFile: c.sshConfigFile.trim() ? expandTilde(c.sshConfigFile.trim(), home) : '',
    buildAfterAccept: c.buildAfterAccept,
    runCommand: c.runCommand.trim(),
    link: c.link,
    timeoutSec: positive(c.timeoutSec) ?? DEFAULT_BUILD_SETTINGS.timeoutSec,
    connectTimeoutSec: positive(c.connectTimeoutSec) ?? DEFAULT_BUILD_SETTINGS.connectTimeoutSec,
  };
}

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Maps a tasks.json `hipcc` entry onto the engine's {@link HipccTaskDefinition}: `file` → `files`,
 * `hipcc` → `hipccPath`, `link` defaulting to the `hipPorter.build.link` setting, `sync` as a
 * boolean like the setting (`true` = `closure`, `false` = `off`) or the engine's names; `defines`
 * trimmed, empty ones dropped; `env` string values only. Fields that are absent stay absent (the
 * settings then apply).
 */
export function taskJsonToDefinition(def: Partial<HipccTaskJson>, s: Pick<ExtensionBuildSettings, 'link'>): HipccTaskDefinition {
  const out: HipccTaskDefinition = { type: 'hipcc', link: def.link ?? s.link };
  if (typeof def.file === 'string' && def.file.trim() !== '') out.files = [def.file.trim()];
  if (def.offloadArch !== undefined) out.offloadArch = def.offloadArch;
  if (def.flags) out.flags = def.flags;
  if (def.includeDirs) out.includeDirs = def.includeDirs;
  if (def.output) out.output = def.output;
  if (def.remote !== undefined) out.remote = def.remote.trim() === '' ? 'local' : def.remote.trim();
  if (def.remoteDir) out.remoteDir = def.remoteDir;
  if (def.hipcc) out.hipccPath = def.hipcc;
  if (Array.isArray(def.defines)) out.defines = cleanList(def.defines);
  if (def.env && typeof def.env === 'object') {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(def.env)) if (typeof v === 'string' && k.trim() !== '') env[k.trim()] = v;
    out.env = env;
  }
  if (def.sync !== undefined) out.sync = def.sync === true ? 'closure' : def.sync === false ? 'off' : def.sync;
  return out;
}

/**
 * tasks.json entry + settings → runnable plan (see `taskDefinitionToBuildPlan` in
 * src/core/build/plan.ts for variables and path rules).
 * @throws BuildError `usage` when no file is given and there is no current file, or a variable cannot be resolved.
 */
export function taskJsonToPlan(def: Partial<HipccTaskJson>, s: ExtensionBuildSettings, ctx: PlanContext): BuildPlan {
  const { link: _link, ...engine } = s;
  return taskDefinitionToBuildPlan(taskJsonToDefinition(def, s), engine, ctx);
}

/** A range in editor coordinates: 0-based line, UTF-16 code-unit columns, end exclusive, on one line. */
export interface LineRange {
  line: number;
  startCharacter: number;
  endCharacter: number;
}

/**
 * UTF-16 column of clang's 1-based byte column `column1` on `lineText` (clang counts bytes of the
 * UTF-8 line: https://clang.llvm.org/docs/UsersManual.html#cmdoption-fdiagnostics-column-unit).
 * A column inside a multi-byte character maps to that character; past the end maps to the end.
 */
export function byteColumnToUtf16(lineText: string, column1: number): number {
  const bytes = Buffer.from(lineText, 'utf8');
  const want = Math.max(0, column1 - 1);
  if (want >= bytes.length) return lineText.length;
  let b = 0;
  for (let i = 0; i < lineText.length; i++) {
    if (b >= want) return i;
    const cp = lineText.codePointAt(i)!;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (b + size > want) return i; // inside this character
    b += size;
    if (cp >= 0x10000) i++; // surrogate pair: two UTF-16 units
  }
  return lineText.length;
}

/**
 * Editor range for a clang position. Inputs: `line1` 1-based (0 = unknown), `column1` 1-based byte
 * column (0 = unknown), `lineText` the text of that line without its line break (undefined when the
 * file could not be read).
 * - unknown line → line 0, the whole first line (0..its length; 0..0 without text);
 * - unknown column → the whole line from its first non-blank character;
 * - otherwise → from the column to the end of the identifier or number starting there, else one
 *   character; clamped to the line. Without text, the byte column is taken as the UTF-16 column.
 */
export function diagnosticRange(line1: number, column1: number, lineText?: string): LineRange {
  if (!(line1 >= 1)) return { line: 0, startCharacter: 0, endCharacter: lineText?.length ?? 0 };
  const line = line1 - 1;
  if (lineText === undefined) {
    const start = Math.max(0, column1 - 1);
    return { line, startCharacter: start, endCharacter: column1 >= 1 ? start + 1 : start };
  }
  if (!(column1 >= 1)) {
    const first = lineText.search(/\S/);
    return { line, startCharacter: first < 0 ? 0 : first, endCharacter: lineText.length };
  }
  const start = byteColumnToUtf16(lineText, column1);
  if (start >= lineText.length) return { line, startCharacter: lineText.length, endCharacter: lineText.length };
  const word = /[A-Za-z0-9_]+/y;
  word.lastIndex = start;
  const m = word.exec(lineText);
  return { line, startCharacter: start, endCharacter: m ? start + m[0].length : start + 1 };
}

/** Editor severity for a build diagnostic (VS Code's DiagnosticSeverity names, lower-case). */
export function diagnosticSeverity(d: Pick<BuildDiagnostic, 'severity'>): 'error' | 'warning' | 'information' {
  return d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'information';
}

/**
 * Groups top-level diagnostics by local file (absolute paths as the engine gives them). Those that
 * name no file (driver and linker messages), and those on files that do not exist locally
 * (`exists(file) === false`, e.g. a remote system header), go to `fallbackFile` (the build's first
 * source) with their location moved to "unknown" and the original file named in the message.
 */
export function groupByFile(diags: readonly BuildDiagnostic[], fallbackFile: string, exists: (file: string) => boolean): Map<string, BuildDiagnostic[]> {
  const out = new Map<string, BuildDiagnostic[]>();
  const add = (f: string, d: BuildDiagnostic): void => {
    const list = out.get(f);
    if (list) list.push(d);
    else out.set(f, [d]);
  };
  for (const d of diags) {
    if (d.file !== undefined && exists(d.file)) add(d.file, d);
    else {
      const where = d.file !== undefined ? `${d.file}${d.line > 0 ? `:${d.line}` : ''}: ` : '';
      add(fallbackFile, { ...d, file: fallbackFile, line: 0, column: 0, message: `${where}${d.message}` });
    }
  }
  return out;
}

/**
 * Replaces `${output}` (the build's output file) in a run command, then the VS Code variables of
 * `substituteVariables` are handled by the caller. `output` undefined leaves `${output}` as is.
 */
export function substituteOutput(command: string, output: string | undefined): string {
  return output === undefined ? command : command.split('${output}').join(output);
}

/** Converts bare `\n` line breaks to `\r\n` for a terminal (existing `\r\n` stay as they are). */
export function toTerminalText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** Default cap of {@link summarizeProposalBuild}'s text, in UTF-16 code units (the agent caps again at 12,000). */
export const PROPOSAL_BUILD_SUMMARY_MAX_CHARS = 6000;

/**
 * What the agent's `compile_proposal` tool is told about a compile of the proposal: one line with
 * hipcc's exit code and the error/warning counts, then one line per error/warning
 * (`NAME:LINE:COL: severity: message [-Wflag]`, clang's 1-based line and byte column) with its notes
 * indented below; when hipcc failed without any parsed diagnostic, the tail of its raw output.
 * Every occurrence of the temporary file's path (`tempFile`, absolute) and of its base name is
 * replaced by `displayName` (e.g. the source's workspace-relative path), so the model sees the
 * file it is editing. Whole diagnostics are kept while they fit in `maxChars` (UTF-16 code units; a
 * first one longer than that is cut), the rest counted in a closing `[... N more diagnostic(s)]` line.
 * @param r hipcc's exit code, parsed diagnostics (absolute local paths) and raw output
 */
export function summarizeProposalBuild(
  r: { exitCode: number; diagnostics: readonly BuildDiagnostic[]; output: string },
  tempFile: string,
  displayName: string,
  maxChars: number = PROPOSAL_BUILD_SUMMARY_MAX_CHARS,
): string {
  const tempBase = tempFile.slice(Math.max(tempFile.lastIndexOf('/'), tempFile.lastIndexOf('\\')) + 1);
  const rename = (t: string): string => t.split(tempFile).join(displayName).split(tempBase).join(displayName);
  const where = (d: BuildDiagnostic): string => {
    if (d.file === undefined) return '';
    const name = d.file === tempFile ? displayName : rename(d.file);
    return `${name}${d.line > 0 ? `:${d.line}${d.column > 0 ? `:${d.column}` : ''}` : ''}: `;
  };
  const main = r.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
  const errors = main.filter((d) => d.severity === 'error').length;
  const warnings = main.length - errors;
  const head = `hipcc exited with ${r.exitCode}: ${errors} error(s), ${warnings} warning(s).`;
  const blocks = main.map((d) => {
    const lines = [`${where(d)}${d.fatal ? 'fatal error' : d.severity}: ${rename(d.message)}${d.flag ? ` [${d.flag}]` : ''}`];
    for (const n of d.notes) lines.push(`  ${where(n)}note: ${rename(n.message)}`);
    return lines.join('\n');
  });
  if (blocks.length === 0 && r.exitCode !== 0) {
    const raw = rename(r.output.trim());
    const room = Math.max(0, maxChars - head.length - 40);
    blocks.push(raw.length > room ? `[... output cut]\n${raw.slice(raw.length - room)}` : raw);
  }
  let out = head;
  let shown = 0;
  for (const b of blocks) {
    const reserve = shown + 1 < blocks.length ? 40 : 0; // room for the "more" line
    if (out.length + 1 + b.length + reserve <= maxChars) {
      out += `\n${b}`;
      shown++;
      continue;
    }
    if (shown === 0) {
      out += `\n${b.slice(0, Math.max(0, maxChars - out.length - 1 - reserve - 6))} [...]`;
      shown++;
    }
    break;
  }
  if (shown < blocks.length) out += `\n[... ${blocks.length - shown} more diagnostic(s)]`;
  return out;
}
