/**
 * Findings on build files (family `build`, codes HP8xx): every edit the Make and CMake migration
 * makes, and every line it kept without understanding it.
 */

/** One build-file finding. Lines are 1-based; `before`/`after` are whole logical lines or commands. */
export interface BuildFinding {
  /**
   * HP801 compiler, HP802 GPU architectures, HP803 flag mapped, HP804 flag dropped, HP805 library,
   * HP806 CUDA source renamed, HP807 build switch / prologue added, HP810 CMake language,
   * HP811 CMake architectures, HP812 CMake package/targets, HP813 CMake CUDA variable or property,
   * HP819 kept, not understood (needs a person).
   */
  code: string;
  family: 'build';
  severity: 'information' | 'warning';
  /** Project-relative path of the build file, forward slashes. */
  file: string;
  /** 1-based line of the edit in the original file. */
  line: number;
  message: string;
  /** The original text of the edited logical line/command ('' for an insertion). */
  before: string;
  /** Its replacement. */
  after: string;
}

/** The port mode: copy (`.cu` → `.hip` tree, HIP-only build) or single-source (CUDA files kept, `HIP=1`/`USE_HIP` switch). */
export type PortMode = 'copy' | 'single-source';

/** Options shared by the Make and CMake migrations. */
export interface BuildMigrationOptions {
  mode: PortMode;
  /** AMD offload architectures, e.g. `['gfx90a', 'gfx1030']`. */
  offloadArch: readonly string[];
  /** Project-relative path of the build file (for findings). */
  file: string;
  /** Path from the build file's directory to the project root, '' or e.g. `../..` (forward slashes). */
  toRoot: string;
  /** Compat header file name, single-source mode only (default `hip_compat.h`). */
  compatHeader: string;
  /** Project-relative paths of C/C++ files (not `.cu`) that use CUDA: compiled as HIP under the switch. */
  cudaCxxFiles: string[];
  /**
   * Make only: the project's Make files set `CC` to a C++ compiler (`CC := g++`), so a `$(CC)`
   * compile recipe is a C++ compile (as one whose rule or recipe names `.cpp`/`.cc`/`.cxx` sources).
   */
  ccIsCxx?: boolean;
  /** Target ROCm version (`--target-rocm`, e.g. `5.2`), for toolchain-dependent warnings; absent: none. */
  targetRocm?: string;
}

/** Result of a build-file migration. */
export interface BuildMigration {
  text: string;
  findings: BuildFinding[];
}

/** 1-based line number of a UTF-16 offset in `text`. */
export function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
