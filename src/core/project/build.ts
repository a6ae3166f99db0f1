/**
 * How to build a ported project: `make` (with `HIP=1` when the Makefile has HIP Porter's switch)
 * or CMake configure + build (with `-DUSE_HIP=ON` when CMakeLists.txt has the option). Pure:
 * returns the commands; src/cli/project-build.ts runs them here or on a ROCm box.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One command of a project build, run in `cwd` (relative to the project root, '' = the root). */
export interface ProjectBuildStep {
  command: string;
  args: string[];
  cwd: string;
}

/** Options of {@link projectBuildSteps}. */
export interface ProjectBuildOptions {
  /** AMD targets; when given they override the build's own list (HIP_OFFLOAD_ARCH / CMAKE_HIP_ARCHITECTURES). */
  offloadArch?: readonly string[];
  /** CMake build directory relative to the root (default `build-hip`). */
  buildDir?: string;
  /** Parallel jobs (default 2). */
  jobs?: number;
}

/** The build system of a project and the commands that build it for AMD GPUs. */
export interface ProjectBuildPlan {
  system: 'cmake' | 'make';
  /** True when the build has HIP Porter's single-source switch (the commands turn it on). */
  switched: boolean;
  steps: ProjectBuildStep[];
}

/**
 * Plans the build of the project in `root`. CMake when `root/CMakeLists.txt` is a top-level project
 * (it calls `project()`), make when a GNUmakefile/makefile/Makefile exists. When both exist, the one
 * HIP Porter switched (`option(USE_HIP` / `ifeq ($(HIP),1)`) wins, else CMake. A CMakeLists.txt
 * without `project()` is a fragment that a parent tree includes (CMake refuses to configure it on
 * its own), so a Makefile beside it is used instead. Throws an Error with a user-facing message when
 * there is neither, or only such a fragment.
 */
export function projectBuildSteps(root: string, o: ProjectBuildOptions = {}): ProjectBuildPlan {
  const jobs = String(o.jobs ?? 2);
  const cm = join(root, 'CMakeLists.txt');
  const cmText = existsSync(cm) ? readFileSync(cm, 'utf8') : undefined;
  const cmTopLevel = cmText !== undefined && /^[ \t]*project[ \t]*\(/im.test(cmText);
  const cmSwitched = cmText !== undefined && /option\s*\(\s*USE_HIP\b/.test(cmText);
  const mk = ['GNUmakefile', 'makefile', 'Makefile'].map((n) => join(root, n)).find((p) => existsSync(p));
  const mkSwitched = mk !== undefined && /^ifeq \(\$\(HIP\),1\)/m.test(readFileSync(mk, 'utf8'));
  const useCMake = cmTopLevel && (mk === undefined || cmSwitched || !mkSwitched);
  if (useCMake) {
    const b = o.buildDir ?? 'build-hip';
    const defs = [...(cmSwitched ? ['-DUSE_HIP=ON'] : []), ...(o.offloadArch?.length ? [`-DCMAKE_HIP_ARCHITECTURES=${o.offloadArch.join(';')}`] : [])];
    return {
      system: 'cmake',
      switched: cmSwitched,
      steps: [
        { command: 'cmake', args: ['-S', '.', '-B', b, ...defs], cwd: '' },
        { command: 'cmake', args: ['--build', b, '-j', jobs], cwd: '' },
      ],
    };
  }
  if (mk) {
    const vars = [...(mkSwitched ? ['HIP=1'] : []), ...(o.offloadArch?.length ? [`HIP_OFFLOAD_ARCH=${o.offloadArch.join(' ')}`] : [])];
    return { system: 'make', switched: mkSwitched, steps: [{ command: 'make', args: ['-j', jobs, ...vars], cwd: '' }] };
  }
  if (cmText !== undefined) throw new Error(`${root}: CMakeLists.txt has no project() call, so it is part of a larger CMake tree: build that tree's top-level folder`);
  throw new Error(`${root}: no CMakeLists.txt or Makefile to build`);
}
