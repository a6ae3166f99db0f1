/**
 * From user intent to a runnable build, without VS Code: the build settings as a plain interface,
 * the `hipcc` task definition (tasks.json), and the pure mapping of both onto a {@link BuildPlan}
 * ({@link taskDefinitionToBuildPlan}) that {@link runBuildPlan} executes locally or over SSH.
 * The VS Code task provider and the CLI are thin adapters over these functions.
 */
import { isAbsolute, relative, resolve, dirname, basename, extname, sep } from 'node:path';
import { BuildError } from './errors';
import { projectCxxStandard } from './cxx-standard';
import { DEFAULT_HIPCC, DEFAULT_OFFLOAD_ARCHS, hasStdFlag, type BuildRequest } from './hipcc';
import { runLocalBuild, type BuildResult, type RunOptions } from './local-runner';
import { DEFAULT_REMOTE_DIR, runRemoteBuild, type RemoteBuildResult, type RemoteTarget } from './remote-runner';

/**
 * Build settings (the `hipPorter.build.*` configuration, read by the extension's config class).
 * Every field has a default in {@link DEFAULT_BUILD_SETTINGS}.
 */
export interface BuildSettings {
  /** hipcc executable (name on PATH or path; on the remote box when `remoteHost` is set). */
  hipccPath: string;
  /** `--offload-arch` targets, e.g. `gfx90a`, `gfx942`, `gfx1100`. */
  offloadArchs: string[];
  /** Extra hipcc flags, verbatim. */
  extraFlags: string[];
  /** `-I` directories; relative ones are relative to the workspace folder. Variables allowed (see {@link substituteVariables}). */
  includeDirs: string[];
  /** Environment for hipcc; `HIP_PLATFORM=amd` is added unless set here. */
  env: Record<string, string>;
  /** Output path; '' = default (`foo.o` next to `foo.hip`, or `foo` when linking). Variables allowed. */
  outputPath: string;
  /** ssh Host alias of the ROCm box; '' = build on this machine. */
  remoteHost: string;
  /** Remote work dir (absolute or relative to the remote home). */
  remoteDir: string;
  /** What to copy to the remote: the file and its `#include "..."` closure, the whole workspace folder (honouring .gitignore), or nothing. */
  sync: 'closure' | 'folder' | 'off';
  /** Build automatically after a proposal is accepted. */
  buildAfterAccept: boolean;
  /** Command to run after a successful build ('' = none); variables allowed (e.g. `${output}`). */
  runCommand: string;
  /** ssh config file (`ssh -F`); '' = ssh's default lookup (~/.ssh/config). */
  sshConfigFile: string;
  /** ssh ConnectTimeout in seconds. */
  connectTimeoutSec: number;
  /** Compile time limit in seconds. */
  timeoutSec: number;
}

/** Defaults for {@link BuildSettings}. */
export const DEFAULT_BUILD_SETTINGS: Readonly<BuildSettings> = Object.freeze({
  hipccPath: DEFAULT_HIPCC,
  offloadArchs: [...DEFAULT_OFFLOAD_ARCHS],
  extraFlags: [],
  includeDirs: [],
  env: { HIP_PLATFORM: 'amd' },
  outputPath: '',
  remoteHost: '',
  remoteDir: DEFAULT_REMOTE_DIR,
  sync: 'closure',
  buildAfterAccept: false,
  runCommand: '',
  sshConfigFile: '',
  connectTimeoutSec: 10,
  timeoutSec: 600,
});

/**
 * A `hipcc` task in tasks.json (`"type": "hipcc"`). Every field is optional and overrides the
 * corresponding setting; strings may use `${file}`, `${workspaceFolder}`, ... (see {@link substituteVariables}).
 */
export interface HipccTaskDefinition {
  type: 'hipcc';
  /** Sources; default `["${file}"]` (the active editor's file). */
  files?: string[];
  /** `--offload-arch` list (an array, or one comma-separated string). */
  offloadArch?: string[] | string;
  /** Extra flags (replace the setting's). */
  flags?: string[];
  includeDirs?: string[];
  defines?: string[];
  output?: string;
  /** Link an executable instead of compiling to an object. */
  link?: boolean;
  /** ssh Host alias; `""` or `"local"` forces a local build whatever the setting says. */
  remote?: string;
  remoteDir?: string;
  sync?: 'closure' | 'folder' | 'off';
  hipccPath?: string;
  env?: Record<string, string>;
}

/** Values for variables in settings and task definitions. All paths absolute and local. */
export interface PlanContext {
  /** The active editor's file (`${file}`), if any. */
  currentFile?: string;
  /** The workspace folder (`${workspaceFolder}`), base for relative paths. Default: `cwd`. */
  workspaceFolder?: string;
  /** Base for relative paths when there is no workspace folder. Default `process.cwd()`. */
  cwd?: string;
}

/** Something that can run: the hipcc request, plus the remote target when building over SSH. */
export interface BuildPlan {
  request: BuildRequest;
  /** Absent for local builds. */
  remote?: RemoteTarget;
  /** Short human label, e.g. `hipcc main.hip (gfx90a) on rocm-box`. */
  label: string;
  /** `BuildSettings.timeoutSec` in milliseconds. */
  timeoutMs: number;
}

/**
 * Replaces `${file}`, `${fileDirname}`, `${fileBasename}`, `${fileBasenameNoExtension}`,
 * `${fileExtname}`, `${workspaceFolder}`, `${cwd}` and `${env:NAME}` in `text` (the VS Code task
 * variable names, https://code.visualstudio.com/docs/reference/variables-reference).
 * @throws BuildError `usage` when a `${file...}` variable is used with no current file.
 */
export function substituteVariables(text: string, ctx: PlanContext): string {
  const cwd = ctx.cwd ?? process.cwd();
  return text.replace(/\$\{([A-Za-z]+)(?::([^}]*))?\}/g, (whole, name: string, arg: string | undefined) => {
    const file = ctx.currentFile;
    const needFile = (): string => {
      if (!file) throw new BuildError('usage', `\${${name}} is used but there is no current file; open a HIP file or list the files in the task.`);
      return file;
    };
    switch (name) {
      case 'file':
        return needFile();
      case 'fileDirname':
        return dirname(needFile());
      case 'fileBasename':
        return basename(needFile());
      case 'fileBasenameNoExtension':
        return basename(needFile(), extname(needFile()));
      case 'fileExtname':
        return extname(needFile());
      case 'workspaceFolder':
        return ctx.workspaceFolder ?? cwd;
      case 'cwd':
        return cwd;
      case 'env':
        return process.env[arg ?? ''] ?? '';
      default:
        return whole;
    }
  });
}

function within(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function archList(v: string[] | string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : v.split(',');
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Maps a task definition and the settings onto a build plan. Pure apart from reading
 * `process.env` for `${env:...}` and `process.cwd()` as the last-resort base directory.
 *
 * Paths: sources, include dirs and output become absolute (relative ones are resolved against
 * the workspace folder). The remote `localRoot` is the workspace folder when every source is
 * inside it (so the remote tree mirrors the workspace), else the runner's default.
 *
 * @throws BuildError `usage` when there is nothing to build or a variable cannot be resolved.
 */
export function taskDefinitionToBuildPlan(def: Partial<HipccTaskDefinition>, settings: Partial<BuildSettings>, ctx: PlanContext = {}): BuildPlan {
  const s: BuildSettings = { ...DEFAULT_BUILD_SETTINGS, ...settings };
  const base = ctx.workspaceFolder ?? ctx.cwd ?? process.cwd();
  const sub = (t: string): string => substituteVariables(t, ctx);
  const abs = (t: string): string => resolve(base, sub(t));

  const files = (def.files && def.files.length > 0 ? def.files : ['${file}']).map(abs);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...s.env, ...(def.env ?? {}) })) env[k] = sub(v);
  const request: BuildRequest = {
    sources: files,
    hipccPath: def.hipccPath ?? s.hipccPath,
    offloadArchs: archList(def.offloadArch) ?? s.offloadArchs,
    extraFlags: (def.flags ?? s.extraFlags).map(sub),
    includeDirs: (def.includeDirs ?? s.includeDirs).map(abs),
    defines: (def.defines ?? []).map(sub),
    env,
    link: def.link ?? false,
    cwd: base,
  };
  const out = def.output ?? s.outputPath;
  if (out) request.output = abs(out);

  const host = def.remote !== undefined ? (def.remote === 'local' ? '' : def.remote) : s.remoteHost;
  const archs = (request.offloadArchs ?? []).join(',');
  const names = files.map((f) => basename(f)).join(' ');
  const plan: BuildPlan = {
    request,
    label: `hipcc ${names}${archs ? ` (${archs})` : ''}${host ? ` on ${host}` : ''}`,
    timeoutMs: s.timeoutSec * 1000,
  };
  if (host) {
    const sync = def.sync ?? s.sync;
    const remote: RemoteTarget = {
      host,
      remoteDir: def.remoteDir ?? s.remoteDir,
      sync: sync === 'off' ? 'none' : sync,
      connectTimeoutSec: s.connectTimeoutSec,
    };
    if (s.sshConfigFile) remote.sshConfigFile = abs(s.sshConfigFile);
    if (files.every((f) => within(base, f))) remote.localRoot = base;
    else if (sync === 'folder') throw new BuildError('usage', `Folder sync needs every source inside ${base}.`);
    plan.remote = remote;
  }
  return plan;
}

/**
 * Settles the C++ standard of `req` (a copy is returned, `req` is not changed): the user's `-std`
 * in `extraFlags` or an explicit `req.cxxStandard` stay; otherwise the project's own
 * (see {@link projectCxxStandard}, searched from the first source, resolved against `req.cwd`),
 * else nothing (hipccArgs then adds the default `-std=c++17`). `note` says where a project
 * standard came from, for the build log.
 */
export function withProjectCxxStandard(req: BuildRequest): { request: BuildRequest; note?: string } {
  if (req.cxxStandard !== undefined || hasStdFlag(req.extraFlags ?? []) || req.sources.length === 0) return { request: req };
  const found = projectCxxStandard(resolve(req.cwd ?? process.cwd(), req.sources[0]!));
  if (!found) return { request: req };
  return { request: { ...req, cxxStandard: found.standard }, note: `-std=${found.standard} (from ${found.source})` };
}

/**
 * Runs a plan: {@link runRemoteBuild} when it has a remote target, else {@link runLocalBuild}.
 * The C++ standard is settled first ({@link withProjectCxxStandard}; a project standard is
 * announced as a `[hip-porter]` line on the stderr output). Same errors as the runners.
 */
export function runBuildPlan(plan: BuildPlan, opts: RunOptions = {}): Promise<BuildResult | RemoteBuildResult> {
  const o: RunOptions = { timeoutMs: plan.timeoutMs, ...opts };
  const { request, note } = withProjectCxxStandard(plan.request);
  if (note) opts.onOutput?.(`[hip-porter] ${note}\n`, 'stderr');
  return plan.remote ? runRemoteBuild(request, plan.remote, o) : runLocalBuild(request, o);
}

/** True when `r` came from a remote build. */
export function isRemoteResult(r: BuildResult): r is RemoteBuildResult {
  return 'remoteDir' in r;
}

/** `sep`-joined relative display path of `p` under `root`, or `p` itself when outside. */
export function displayPath(root: string, p: string): string {
  return within(root, p) ? relative(root, p).split(sep).join('/') || '.' : p;
}
