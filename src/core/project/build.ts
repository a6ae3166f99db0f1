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
 * Plans the build of the project in `root`: CMake when a top-level CMakeLists.txt exists, else
 * make when a Makefile/makefile/GNUmakefile does. Throws an Error with a user-facing message when
 * there is neither.
 */
export function projectBuildSteps(root: string, o: ProjectBuildOptions = {}): ProjectBuildPlan {
  const jobs = String(o.jobs ?? 2);
  const cm = join(root, 'CMakeLists.txt');
  if (existsSync(cm)) {
    const switched = /option\s*\(\s*USE_HIP\b/.test(readFileSync(cm, 'utf8'));
    const b = o.buildDir ?? 'build-hip';
    const defs = [...(switched ? ['-DUSE_HIP=ON'] : []), ...(o.offloadArch?.length ? [`-DCMAKE_HIP_ARCHITECTURES=${o.offloadArch.join(';')}`] : [])];
    return {
      system: 'cmake',
      switched,
      steps: [
        { command: 'cmake', args: ['-S', '.', '-B', b, ...defs], cwd: '' },
        { command: 'cmake', args: ['--build', b, '-j', jobs], cwd: '' },
      ],
    };
  }
  const mk = ['GNUmakefile', 'makefile', 'Makefile'].map((n) => join(root, n)).find((p) => existsSync(p));
  if (mk) {
    const switched = /^ifeq \(\$\(HIP\),1\)/m.test(readFileSync(mk, 'utf8'));
    const vars = [...(switched ? ['HIP=1'] : []), ...(o.offloadArch?.length ? [`HIP_OFFLOAD_ARCH=${o.offloadArch.join(' ')}`] : [])];
    return { system: 'make', switched, steps: [{ command: 'make', args: ['-j', jobs, ...vars], cwd: '' }] };
  }
  throw new Error(`${root}: no CMakeLists.txt or Makefile to build`);
}
