/**
 * nvcc command-line flags → hipcc (hip-clang) flags, one whitespace-separated word at a time.
 *
 * Facts: nvcc options from the CUDA Compiler Driver NVCC manual (docs.nvidia.com/cuda/
 * cuda-compiler-driver-nvcc, "Command Option Summary"); hip-clang options from the HIP
 * programming guide ("Compiler options", rocm.docs.amd.com/projects/HIP, ROCm 5.2) and clang's
 * Options.td (`-fgpu-rdc`, `-ffast-math`, `--offload-arch`, `-fgpu-default-stream`). Library
 * names from the ROCm 5.2 Debian packages (libamdhip64, libhiprand, libhipsparse, ...).
 */

/** What happened to one nvcc word. */
export interface FlagNote {
  /** The nvcc text as written (one or two words). */
  from: string;
  /** Its replacement ('' when dropped). */
  to: string;
  /** `compiler`, `arch`, `mapped`, `dropped`, `library`. */
  kind: 'compiler' | 'arch' | 'mapped' | 'dropped' | 'library';
  /** One line for the user. */
  why: string;
}

/** Result of {@link mapNvccWords}. */
export interface MappedFlags {
  /** The text with every recognised word replaced; whitespace between kept words is kept. */
  text: string;
  notes: FlagNote[];
}

/** Options of {@link mapNvccWords}. */
export interface FlagMapOptions {
  /** Replacement of a word that names nvcc (`nvcc`, `/usr/local/cuda/bin/nvcc`). */
  compiler: string;
  /**
   * Replacement of the first architecture option of the text (`-arch=sm_80`, `-gencode ...`);
   * later ones are dropped. '' drops them all (the architectures come from elsewhere).
   */
  arch: string;
}

const LIBS: Record<string, string> = {
  cudart: 'amdhip64',
  cudart_static: 'amdhip64',
  cublas: 'hipblas',
  cublasLt: 'hipblaslt',
  curand: 'hiprand',
  cufft: 'hipfft',
  cusparse: 'hipsparse',
  cusolver: 'hipsolver',
  nvToolsExt: 'roctx64',
};

/** Words dropped outright: nvcc-only with no hip-clang meaning. */
const DROP1 = new Set([
  '--expt-relaxed-constexpr', '-expt-relaxed-constexpr', '--extended-lambda', '-extended-lambda', '--expt-extended-lambda',
  '-expt-extended-lambda', '-lineinfo', '--generate-line-info', '-Wno-deprecated-gpu-targets', '--resource-usage', '-res-usage',
  '--keep', '-keep', '-rdc=false', '--relocatable-device-code=false', '-lcuda', '-lnvrtc', '--use-local-env', '--forward-unknown-to-host-compiler',
]);
/** Options whose value is the next word (or after `=`), dropped with it. */
const DROP2 = new Set(['-Xptxas', '--ptxas-options', '-maxrregcount', '--maxrregcount', '-ccbin', '--compiler-bindir', '-cudart', '--cudart', '-Xnvlink', '--nvlink-options', '-Xcudafe', '--cudafe-options', '-t', '--threads']);
const ARCH2 = new Set(['-arch', '--gpu-architecture', '-gencode', '--generate-code', '-code', '--gpu-code']);
const SIMPLE: Record<string, string> = {
  '-use_fast_math': '-ffast-math',
  '--use_fast_math': '-ffast-math',
  '-rdc=true': '-fgpu-rdc',
  '--relocatable-device-code=true': '-fgpu-rdc',
  '-dc': '-fgpu-rdc -c',
  '--device-c': '-fgpu-rdc -c',
  '-G': '-g',
  '--device-debug': '-g',
  '--compile': '-c',
  '--default-stream=per-thread': '-fgpu-default-stream=per-thread',
  '-default-stream=per-thread': '-fgpu-default-stream=per-thread',
  '-x=cu': '-x hip',
};

/**
 * True when `w` names the nvcc driver (`nvcc`, a path ending in `/nvcc`), also quoted
 * (`"/usr/local/cuda/bin/nvcc"`, `'nvcc'`: Make passes the quotes to the shell, which drops them).
 */
export function isNvccWord(w: string): boolean {
  const u = unquote(w);
  return u === 'nvcc' || /\/nvcc$/.test(u);
}

/**
 * Maps the nvcc words of `text` (a Make variable value, a recipe line, or CMake arguments)
 * to hip-clang words. Words that are only Make/CMake references (`$(X)`, `${X}`) are kept; an
 * option with a reference as its value (`-arch=$(SM)`) is mapped like any other. Pure.
 */
export function mapNvccWords(text: string, o: FlagMapOptions): MappedFlags {
  const lead = /^\s*/.exec(text)![0];
  const trail = text.length > lead.length ? /\s*$/.exec(text)![0] : '';
  const body = text.slice(lead.length, text.length - trail.length);
  const parts = body === '' ? [] : body.split(/(\s+)/); // even indexes: words, odd: whitespace
  const notes: FlagNote[] = [];
  let archDone = false;
  const kept: Array<{ text: string; sep: string }> = [];
  const next = (i: number): string | undefined => parts[i + 2];
  for (let i = 0; i < parts.length; i += 2) {
    const w = parts[i]!;
    let rep: string | undefined; // undefined: keep
    let eat = 0; // extra words consumed
    const eq = w.indexOf('=');
    const head = eq > 0 ? w.slice(0, eq) : w;
    if (isNvccWord(w)) {
      rep = o.compiler;
      notes.push({ from: w, to: rep, kind: 'compiler', why: `nvcc → ${o.compiler.split(' ')[0]}` });
    } else if (ARCH2.has(head) || /^-arch=|^--gpu-architecture=|^-gencode=|^--generate-code=/.test(w)) {
      if (eq < 0 && next(i) !== undefined) eat = 1;
      rep = archDone ? '' : o.arch;
      archDone = true;
      const from = eat ? `${w} ${next(i)}` : w;
      notes.push({ from, to: rep, kind: 'arch', why: rep ? `CUDA architecture → ${rep}` : 'CUDA architecture dropped: the AMD targets come from the offload-arch list' });
    } else if (SIMPLE[w] !== undefined) {
      rep = SIMPLE[w];
      notes.push({ from: w, to: rep, kind: 'mapped', why: `${w} → ${rep}` });
    } else if (w === '-x' && next(i) === 'cu') {
      rep = '-x hip';
      eat = 1;
      notes.push({ from: '-x cu', to: rep, kind: 'mapped', why: '-x cu → -x hip' });
    } else if ((w === '-rdc' || w === '--relocatable-device-code') && (next(i) === 'true' || next(i) === 'false')) {
      rep = next(i) === 'true' ? '-fgpu-rdc' : '';
      eat = 1;
      notes.push({ from: `${w} ${next(i)}`, to: rep, kind: rep ? 'mapped' : 'dropped', why: rep ? 'relocatable device code → -fgpu-rdc' : 'dropped (the default)' });
    } else if ((w === '--default-stream' || w === '-default-stream') && next(i) !== undefined) {
      rep = next(i) === 'per-thread' ? '-fgpu-default-stream=per-thread' : '';
      eat = 1;
      notes.push({ from: `${w} ${next(i)}`, to: rep, kind: rep ? 'mapped' : 'dropped', why: `--default-stream ${next(i)}` });
    } else if (head === '-Xcompiler' || head === '--compiler-options') {
      const v = eq > 0 ? w.slice(eq + 1) : next(i);
      if (eq < 0) eat = 1;
      if (v !== undefined) {
        rep = unquote(v).split(',').filter(Boolean).join(' ');
        notes.push({ from: eq > 0 ? w : `${w} ${v}`, to: rep, kind: 'mapped', why: 'host-compiler options are passed to hip-clang directly' });
      }
    } else if (head === '-Xlinker' || head === '--linker-options') {
      const v = eq > 0 ? w.slice(eq + 1) : next(i);
      if (eq < 0) eat = 1;
      if (v !== undefined) {
        rep = `-Wl,${unquote(v)}`;
        notes.push({ from: eq > 0 ? w : `${w} ${v}`, to: rep, kind: 'mapped', why: 'linker options → -Wl,' });
      }
    } else if (DROP1.has(w)) {
      rep = '';
      notes.push({ from: w, to: '', kind: 'dropped', why: `${w} has no hip-clang equivalent (dropped)` });
    } else if (DROP2.has(head)) {
      if (eq < 0 && next(i) !== undefined) eat = 1;
      rep = '';
      const from = eat ? `${w} ${next(i)}` : w;
      notes.push({ from, to: '', kind: 'dropped', why: `${from} is nvcc/ptxas-only (dropped)` });
    } else if (/^--std=/.test(w)) {
      rep = w.slice(1);
      notes.push({ from: w, to: rep, kind: 'mapped', why: `${w} → ${rep}` });
    } else if (/^-l/.test(w) && LIBS[w.slice(2)] !== undefined) {
      rep = `-l${LIBS[w.slice(2)]}`;
      notes.push({ from: w, to: rep, kind: 'library', why: `${w} → ${rep}` });
    } else if (/^-I./.test(w) && isCudaToolkitInclude(unquote(w.slice(2)))) {
      rep = '';
      notes.push({ from: w, to: '', kind: 'dropped', why: `${w}: CUDA toolkit include directory (dropped: under hipcc its headers would shadow HIP's, e.g. vector_types.h; the compat headers stand in for the CUDA ones)` });
    } else if (/^-L\S*cuda/i.test(w)) {
      rep = '';
      notes.push({ from: w, to: '', kind: 'dropped', why: `${w}: CUDA library directory (dropped)` });
    }
    i += 2 * eat;
    const sep = parts[i + 1] ?? '';
    if (rep === undefined) kept.push({ text: w, sep });
    else if (rep !== '') kept.push({ text: rep, sep });
    else if (next(i) === '\\' && kept.length > 0 && kept[kept.length - 1]!.text === '\\') i += 2; // no empty continuation line
  }
  // a continuation backslash may not end the text
  while (kept.length > 0 && kept[kept.length - 1]!.text === '\\') kept.pop();
  const mid = kept.map((k, idx) => k.text + (idx < kept.length - 1 ? k.sep : '')).join('');
  return { text: lead + mid + trail, notes };
}

/**
 * True when `dir` (an `-I` value) is the CUDA toolkit's include directory: `/usr/local/cuda/include`,
 * `/usr/local/cuda-12.4/include`, `/opt/cuda/include`, or a toolkit-root variable followed by
 * `/include` (`$(CUDA_DIR)/include`, `${CUDA_HOME}/include`, `$(CUDA_PATH)/include`,
 * `$(CUDA_INSTALL_PATH)/include`, `$(CUDA_ROOT)/include`). A project folder that merely has "cuda" in
 * its name (`-I../cuda_kernels/include`, `-Isrc/cuda/include`) is not. Pure.
 */
export function isCudaToolkitInclude(dir: string): boolean {
  const d = dir.replace(/\/+$/, '');
  return /^(\/usr\/local|\/opt)\/cuda(-[\d.]+)?\/include$/.test(d) || /^\$[({](CUDA|CUDA_DIR|CUDA_HOME|CUDA_PATH|CUDA_ROOT|CUDA_INSTALL_PATH|CUDA_TOOLKIT_ROOT_DIR|CUDATOOLKIT_HOME)[)}]\/include$/.test(d);
}

function unquote(s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.endsWith(s[0]) ? s.slice(1, -1) : s;
}
