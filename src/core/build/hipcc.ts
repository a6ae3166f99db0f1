/**
 * The hipcc command line: what to compile and how, as plain data ({@link BuildRequest}), and its
 * translation into an argument array ({@link hipccArgs}) and an environment ({@link buildEnv}).
 * No process is started here except by {@link detectHipVersion}.
 *
 * hipcc is AMD's compiler driver (a Perl wrapper over clang on ROCm 5.x). With
 * `HIP_PLATFORM=amd` it compiles for AMD GPUs; `--offload-arch=<gfx>` picks the GPU targets.
 * Source: https://rocm.docs.amd.com/projects/HIPCC/en/latest/env.html and
 * https://clang.llvm.org/docs/HIPSupport.html (`--offload-arch`).
 */
import { DEFAULT_OFFLOAD_ARCH } from '../arch';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, extname, join } from 'node:path';
import { BuildError } from './errors';

/** hipcc executable used when none is configured (looked up on PATH). */
export const DEFAULT_HIPCC = 'hipcc';
/** GPU targets used when none are configured: gfx90a (CDNA2, wave64) and gfx1030 (RDNA2, wave32), see src/core/arch.ts. */
export const DEFAULT_OFFLOAD_ARCHS: readonly string[] = DEFAULT_OFFLOAD_ARCH;
/** How to install hipcc on Debian/Ubuntu; used in "hipcc not found" messages. */
export const HIPCC_INSTALL_HINT =
  'Install it (Debian/Ubuntu: `apt-get install hipcc libamdhip64-dev`; or ROCm from https://rocm.docs.amd.com) ' +
  'or set the hipcc path setting (e.g. /opt/rocm/bin/hipcc).';

/**
 * One hipcc invocation, as plain data (JSON-serialisable; the VS Code task provider, the CLI and
 * the remote runner all build one of these).
 *
 * Paths may be absolute or relative to `cwd`; they are passed to hipcc as given.
 */
export interface BuildRequest {
  /** Source files to compile (.hip, .cpp, .cu with `-x hip` in `extraFlags`, ...). At least one. */
  sources: string[];
  /** hipcc executable: a name looked up on PATH or a path. Default {@link DEFAULT_HIPCC}. */
  hipccPath?: string;
  /** GPU targets, one `--offload-arch=` each, e.g. `gfx90a`, `gfx942`, `gfx1100`. Default {@link DEFAULT_OFFLOAD_ARCHS}. An empty array emits none. */
  offloadArchs?: string[];
  /** Extra flags appended after the generated ones, verbatim (e.g. `-O3`, `-std=c++17`). */
  extraFlags?: string[];
  /** Include directories, one `-I` each, in order. */
  includeDirs?: string[];
  /** Preprocessor definitions `NAME` or `NAME=VALUE`, one `-D` each. */
  defines?: string[];
  /**
   * Environment additions/overrides for hipcc. `HIP_PLATFORM=amd` is always set unless this
   * map sets `HIP_PLATFORM` itself.
   */
  env?: Record<string, string>;
  /** Output file (`-o`). Default: see {@link defaultOutputPath}. */
  output?: string;
  /** `true`: compile and link an executable; `false` (default): compile only (`-c`), producing an object. */
  link?: boolean;
  /** Working directory for hipcc (local runs). Default: the current process directory. */
  cwd?: string;
  /**
   * C++ standard for `-std=`, e.g. `c++17`, `c++20`, `gnu++17`. Default {@link DEFAULT_CXX_STANDARD};
   * `''` passes no `-std=` (hipcc's own default, C++11 for the clang of ROCm 5.2). Ignored when
   * `extraFlags` already carry a `-std=`/`--std=` (the user's flag wins). See {@link cxxStandardFlag}.
   */
  cxxStandard?: string;
}

/**
 * C++ standard a build uses unless the project or the user asks for another: C++17, nvcc's
 * default since CUDA 11 (https://docs.nvidia.com/cuda/cuda-compiler-driver-nvcc/ , option
 * `--std`: "default c++17"). hipcc from ROCm 5.2 (Debian `hipcc` 5.2.3) defaults to C++11 and
 * rejects `auto` return types and `if constexpr` without it.
 */
export const DEFAULT_CXX_STANDARD = 'c++17';

/** True when `flags` already choose a language standard (`-std=X`, `--std=X`, or `--std X`). */
export function hasStdFlag(flags: readonly string[]): boolean {
  return flags.some((f) => /^--?std(=|$)/.test(f));
}

/**
 * The `-std=` flag {@link hipccArgs} adds for `req`: `-std=<req.cxxStandard>` (default
 * {@link DEFAULT_CXX_STANDARD}), or `undefined` when `req.extraFlags` carry their own `-std`
 * or `req.cxxStandard` is `''`.
 */
export function cxxStandardFlag(req: BuildRequest): string | undefined {
  if (hasStdFlag(req.extraFlags ?? [])) return undefined;
  const std = req.cxxStandard ?? DEFAULT_CXX_STANDARD;
  return std === '' ? undefined : `-std=${std}`;
}

/** The hipcc executable a request will run. */
export function hipccPathOf(req: BuildRequest): string {
  return req.hipccPath && req.hipccPath.trim() !== '' ? req.hipccPath : DEFAULT_HIPCC;
}

/**
 * Where the output goes when `req.output` is not set: compile-only of one source `dir/foo.hip`
 * gives `dir/foo.o`; linking gives `dir/foo` (named after the first source). Compile-only of
 * several sources returns `undefined` (no `-o`: clang writes one object per source into the cwd).
 */
export function defaultOutputPath(req: BuildRequest): string | undefined {
  if (req.output) return req.output;
  const first = req.sources[0];
  if (first === undefined) return undefined;
  const stem = basename(first, extname(first));
  const dir = dirname(first);
  if (req.link) return dir === '.' ? stem : join(dir, stem);
  if (req.sources.length > 1) return undefined;
  return dir === '.' ? `${stem}.o` : join(dir, `${stem}.o`);
}

/**
 * The hipcc argument array for `req` (without the executable itself), in this order:
 * `--offload-arch=` per arch, `-c` unless linking, `-std=` (see {@link cxxStandardFlag}), `-I` per include dir, `-D` per define, the extra
 * flags, `-o OUTPUT` (see {@link defaultOutputPath}), then the sources. Never a shell string: pass
 * it to `spawn` directly, or quote each element with `shellQuote` for a remote shell.
 *
 * @throws BuildError `usage` when there is no source, or when an explicit output is combined with
 *   compile-only of several sources (clang rejects `-o` with several outputs).
 */
export function hipccArgs(req: BuildRequest): string[] {
  if (req.sources.length === 0) throw new BuildError('usage', 'No source file to build.');
  if (!req.link && req.sources.length > 1 && req.output) {
    throw new BuildError('usage', 'Cannot set one output file when compiling several sources without linking; drop the output or link.');
  }
  const args: string[] = [];
  for (const arch of req.offloadArchs ?? DEFAULT_OFFLOAD_ARCHS) {
    if (arch.trim() !== '') args.push(`--offload-arch=${arch.trim()}`);
  }
  if (!req.link) args.push('-c');
  const std = cxxStandardFlag(req);
  if (std !== undefined) args.push(std);
  for (const dir of req.includeDirs ?? []) args.push(`-I${dir}`);
  for (const def of req.defines ?? []) args.push(`-D${def}`);
  args.push(...(req.extraFlags ?? []));
  const out = defaultOutputPath(req);
  if (out !== undefined) args.push('-o', out);
  // A source named like an option (`-o/x.hip`) must reach hipcc as a file: `./`-prefix relative paths.
  args.push(...req.sources.map(asOperand));
  return args;
}

/** A path hipcc cannot take for an option: absolute ones as they are, relative ones `./`-prefixed when they start with `-`. */
export function asOperand(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

/**
 * The environment additions for hipcc: `HIP_PLATFORM=amd` (unless `req.env` sets HIP_PLATFORM),
 * then `req.env`. This is only the delta; local runs merge it over `process.env`, remote runs send
 * only this delta (through `env NAME=VALUE` on the remote side).
 */
export function buildEnvDelta(req: BuildRequest): Record<string, string> {
  const delta: Record<string, string> = { HIP_PLATFORM: 'amd' };
  for (const [k, v] of Object.entries(req.env ?? {})) delta[k] = v;
  return delta;
}

/** `base` (default `process.env`) with {@link buildEnvDelta} applied on top. */
export function buildEnv(req: BuildRequest, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, ...buildEnvDelta(req) };
}

/**
 * Extracts the HIP version from `hipcc --version` output, whose first line on ROCm 5.x reads
 * `HIP version: 5.2.21153-0`. Returns `major.minor.patch` (`"5.2.21153"`; the `-0` build suffix is
 * dropped) or `undefined` when no such line is present.
 */
export function parseHipVersion(text: string): string | undefined {
  const m = /HIP version:\s*(\d+(?:\.\d+){1,2})/i.exec(text);
  return m?.[1];
}

/**
 * Runs `<hipccPath> --version` with `HIP_PLATFORM=amd` and returns the HIP version
 * (see {@link parseHipVersion}).
 *
 * @param hipccPath executable name or path; default {@link DEFAULT_HIPCC}.
 * @param timeoutMs kill hipcc after this many milliseconds (default 20000).
 * @throws BuildError `hipcc-not-found` (with install advice) when the executable does not exist,
 *   `timeout`, or `hipcc-failed` when it ran but printed no HIP version.
 */
export function detectHipVersion(hipccPath: string = DEFAULT_HIPCC, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(hipccPath, ['--version'], {
      env: { ...process.env, HIP_PLATFORM: 'amd' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new BuildError('timeout', `\`${hipccPath} --version\` did not finish within ${timeoutMs} ms.`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(hipccSpawnError(hipccPath, err));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const v = parseHipVersion(out);
      if (v) resolve(v);
      else reject(new BuildError('hipcc-failed', `\`${hipccPath} --version\` exited with ${code} and printed no "HIP version:" line.`, { output: out }));
    });
  });
}

/** Turns a spawn error for hipcc into a {@link BuildError} with install advice for ENOENT/EACCES. */
export function hipccSpawnError(hipccPath: string, err: NodeJS.ErrnoException): BuildError {
  if (err.code === 'ENOENT') {
    return new BuildError('hipcc-not-found', `hipcc not found: \`${hipccPath}\` does not exist or is not on PATH. ${HIPCC_INSTALL_HINT}`);
  }
  if (err.code === 'EACCES') {
    return new BuildError('hipcc-not-found', `hipcc at \`${hipccPath}\` is not executable (EACCES). ${HIPCC_INSTALL_HINT}`);
  }
  return new BuildError('hipcc-failed', `Could not start \`${hipccPath}\`: ${err.message}`);
}

/** The HIP installation behind a hipcc, as found by {@link installedHipVersion}. */
export interface InstalledHip {
  /** `major.minor` of HIP, e.g. `5.2` (the ROCm release it belongs to). */
  version: string;
  /** The hipcc found (absolute path, as found on PATH or under HIP_PATH/ROCM_PATH). */
  hipcc: string;
  /** The `hip/hip_version.h` the version was read from. */
  header: string;
}

/**
 * `major.minor` from the text of a `hip/hip_version.h` (`#define HIP_VERSION_MAJOR 5`,
 * `#define HIP_VERSION_MINOR 2`; the header is generated by HIP's CMake build, e.g. Debian
 * `libamdhip64-dev` 5.2.3 ships /usr/include/hip/hip_version.h), or `undefined`.
 */
export function parseHipVersionHeader(text: string): string | undefined {
  const major = /#\s*define\s+HIP_VERSION_MAJOR\s+(\d+)/.exec(text)?.[1];
  const minor = /#\s*define\s+HIP_VERSION_MINOR\s+(\d+)/.exec(text)?.[1];
  return major !== undefined && minor !== undefined ? `${major}.${minor}` : undefined;
}

function isExecutableFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The HIP version of the local installation, without running anything (hipcc is a Perl script
 * that takes 0.1–0.5 s to start): the hipcc named by `hipccPath` (default: `$HIP_PATH/bin/hipcc`,
 * `$ROCM_PATH/bin/hipcc`, else `hipcc` on `PATH`), its real path's prefix (`/usr` for
 * `/usr/bin/hipcc`, `/opt/rocm-6.2.0` for `/opt/rocm/bin/hipcc`), and that prefix's
 * `include/hip/hip_version.h` (also `$HIP_PATH/include/hip/hip_version.h`). Returns `undefined`
 * when no hipcc or no readable version header is found. Never throws.
 */
export function installedHipVersion(env: NodeJS.ProcessEnv = process.env, hipccPath?: string): InstalledHip | undefined {
  const roots = [env['HIP_PATH'], env['ROCM_PATH']].filter((r): r is string => !!r && r.trim() !== '');
  let hipcc: string | undefined;
  if (hipccPath && hipccPath.includes('/')) hipcc = isExecutableFile(hipccPath) ? hipccPath : undefined;
  else {
    const name = hipccPath && hipccPath.trim() !== '' ? hipccPath : DEFAULT_HIPCC;
    const dirs = [...roots.map((r) => join(r, 'bin')), ...(env['PATH'] ?? '').split(delimiter).filter(Boolean)];
    hipcc = dirs.map((d) => join(d, name)).find(isExecutableFile);
  }
  if (!hipcc) return undefined;
  let real = hipcc;
  try {
    real = realpathSync(hipcc);
  } catch {
    // keep the path as found
  }
  const candidates = [
    join(dirname(dirname(real)), 'include', 'hip', 'hip_version.h'),
    join(dirname(dirname(hipcc)), 'include', 'hip', 'hip_version.h'),
    ...roots.map((r) => join(r, 'include', 'hip', 'hip_version.h')),
  ];
  for (const header of candidates) {
    if (!existsSync(header)) continue;
    try {
      const version = parseHipVersionHeader(readFileSync(header, 'utf8'));
      if (version) return { version, hipcc, header };
    } catch {
      // unreadable: try the next one
    }
  }
  return undefined;
}
