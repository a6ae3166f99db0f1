/**
 * The C++ standard a CUDA project asks for, read from its build files, so that `hip-porter build`
 * compiles a ported file the way nvcc compiled the original.
 *
 * Recognised (first match walking up from the source's folder, stopping at a `.git` folder or
 * after {@link MAX_LEVELS} levels):
 * - `CMakeLists.txt`: `CMAKE_CUDA_STANDARD N`, `CUDA_STANDARD N`, `cuda_std_N` (the CUDA language
 *   standard wins), else `CMAKE_CXX_STANDARD N`, `CXX_STANDARD N`, `cxx_std_N`
 *   (https://cmake.org/cmake/help/v3.25/prop_tgt/CUDA_STANDARD.html, .../CXX_STANDARD.html,
 *   .../manual/cmake-compile-features.7.html);
 * - `Makefile`, `makefile`, `GNUmakefile`: a `-std=c++NN` / `--std=c++NN` / `-std=gnu++NN` flag.
 * When one file names several standards, the highest is taken.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** How many folders above the source's own are searched at most. */
export const MAX_LEVELS = 6;

/** A standard found in a project file. */
export interface ProjectCxxStandard {
  /** Value for `-std=`, e.g. `c++17`, `gnu++14`. */
  standard: string;
  /** Absolute path of the build file it came from. */
  source: string;
}

const MAX_BUILD_FILE_BYTES = 2 * 1024 * 1024;

function readSmall(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > MAX_BUILD_FILE_BYTES) return undefined;
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

function highest(values: number[]): number | undefined {
  // C++98/03 sort below 11: 98 → -2, 03 → 3.
  const rank = (v: number): number => (v === 98 ? -2 : v);
  return values.length === 0 ? undefined : values.reduce((a, b) => (rank(b) > rank(a) ? b : a));
}

function numbers(text: string, re: RegExp): number[] {
  return [...text.matchAll(re)].map((m) => Number(m[1]));
}

/**
 * The standard named by CMake source `text` (comments stripped), as `c++NN`, or `undefined`.
 * CUDA-language settings win over C++ ones.
 */
export function cmakeCxxStandard(text: string): string | undefined {
  const t = text.replace(/#.*$/gm, '');
  const cuda = highest([...numbers(t, /\b(?:CMAKE_)?CUDA_STANDARD\s+"?(\d{2})\b/g), ...numbers(t, /\bcuda_std_(\d{2})\b/g)]);
  const cxx = highest([...numbers(t, /\b(?:CMAKE_)?CXX_STANDARD\s+"?(\d{2})\b/g), ...numbers(t, /\bcxx_std_(\d{2})\b/g)]);
  const n = cuda ?? cxx;
  return n === undefined ? undefined : `c++${String(n).padStart(2, '0')}`;
}

/** The standard of a `-std=` flag in Makefile `text` (comments stripped), e.g. `c++14`, `gnu++17`, or `undefined`. */
export function makefileCxxStandard(text: string): string | undefined {
  const t = text.replace(/(^|[^\\])#.*$/gm, '$1');
  const found = [...t.matchAll(/(?:^|[\s='"(,])--?std[= ](c|gnu)\+\+(\d{2})\b/g)].map((m) => ({ dialect: m[1]!, n: Number(m[2]) }));
  const n = highest(found.map((f) => f.n));
  if (n === undefined) return undefined;
  const f = found.find((x) => x.n === n)!;
  return `${f.dialect}++${String(n).padStart(2, '0')}`;
}

/**
 * Looks for the C++ standard of the project that contains `sourceFile` (absolute path), see the
 * module comment for what is read. Reads at most {@link MAX_LEVELS}+1 folders' build files;
 * unreadable or larger-than-2-MB files are ignored. Returns `undefined` when no build file names one.
 */
export function projectCxxStandard(sourceFile: string): ProjectCxxStandard | undefined {
  let dir = dirname(sourceFile);
  for (let level = 0; level <= MAX_LEVELS; level++) {
    const cmake = join(dir, 'CMakeLists.txt');
    const cm = readSmall(cmake);
    const fromCmake = cm === undefined ? undefined : cmakeCxxStandard(cm);
    if (fromCmake) return { standard: fromCmake, source: cmake };
    for (const name of ['GNUmakefile', 'makefile', 'Makefile']) {
      const mk = join(dir, name);
      const text = readSmall(mk);
      const std = text === undefined ? undefined : makefileCxxStandard(text);
      if (std) return { standard: std, source: mk };
    }
    if (existsSync(join(dir, '.git'))) return undefined;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}
