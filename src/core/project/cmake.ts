/**
 * CMake: a tokenizer for the CMake language (command invocations; quoted, bracket and unquoted
 * arguments; line and bracket comments; generator expressions stay inside their argument) and the
 * CUDA → HIP migration of a CMakeLists.txt in copy or single-source mode. No maintained npm CMake
 * parser keeps source offsets (checked the registry), so this one is ours; untouched bytes are kept.
 *
 * Facts: cmake-language(7) (CMake 3.25: "Command Invocations", "Bracket Argument", "Comments");
 * cmake-compile-features(7) (`hip_std_17`); CMake HIP language support (3.21+:
 * `CMAKE_HIP_ARCHITECTURES`, `HIP_ARCHITECTURES`, `.hip` sources are HIP); ROCm 5.2 CMake packages
 * (`hip::host`, `hip::device`, `hip::hiprand`, `roc::hipsparse`, `roc::hipblas`, `hip::hipfft`,
 * `roc::hipsolver` as exported by /usr/lib/x86_64-linux-gnu/cmake/<pkg>/<pkg>-targets.cmake).
 */
import { mapNvccWords } from './flags';
import { lineAt, type BuildFinding, type BuildMigration, type BuildMigrationOptions } from './build-findings';

/** One argument of a command. Offsets are UTF-16 offsets into the file text. */
export interface CMakeArg {
  kind: 'unquoted' | 'quoted' | 'bracket';
  /** The raw text including quotes/brackets. */
  raw: string;
  /** The text without quotes/brackets (escapes and variables not evaluated). */
  value: string;
  start: number;
  end: number;
}

/** One command invocation `name(args)`. */
export interface CMakeCommand {
  /** Lower-cased command name. */
  name: string;
  /** Offset of the name's first character. */
  start: number;
  /** Offset just past the closing parenthesis. */
  end: number;
  /** Offset of the first character of the line the command starts on (for indentation). */
  lineStart: number;
  args: CMakeArg[];
}

/** Parses CMake text into its command invocations. Pure; unbalanced input ends the scan quietly. */
export function tokenizeCMake(text: string): CMakeCommand[] {
  const cmds: CMakeCommand[] = [];
  let i = 0;
  const n = text.length;
  const bracketClose = (at: number): { close: string; open: number } | undefined => {
    const m = /^\[(=*)\[/.exec(text.slice(at, at + 64));
    return m ? { close: `]${m[1]}]`, open: m[0].length } : undefined;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '#') {
      const b = bracketClose(i + 1);
      if (b) {
        const e = text.indexOf(b.close, i + 1 + b.open);
        i = e === -1 ? n : e + b.close.length;
      } else {
        const e = text.indexOf('\n', i);
        i = e === -1 ? n : e;
      }
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 128));
    if (!id) {
      i++;
      continue;
    }
    let j = i + id[0].length;
    while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
    if (text[j] !== '(') {
      i = j;
      continue;
    }
    const lineStart = text.lastIndexOf('\n', i - 1) + 1;
    const cmd: CMakeCommand = { name: id[0].toLowerCase(), start: i, end: n, lineStart, args: [] };
    j++;
    let depth = 0;
    while (j < n) {
      const ch = text[j]!;
      if (/\s/.test(ch)) {
        j++;
        continue;
      }
      if (ch === '#') {
        const b = bracketClose(j + 1);
        if (b) {
          const e = text.indexOf(b.close, j + 1 + b.open);
          j = e === -1 ? n : e + b.close.length;
        } else {
          const e = text.indexOf('\n', j);
          j = e === -1 ? n : e;
        }
        continue;
      }
      if (ch === ')') {
        if (depth === 0) {
          j++;
          break;
        }
        depth--;
        cmd.args.push({ kind: 'unquoted', raw: ')', value: ')', start: j, end: j + 1 });
        j++;
        continue;
      }
      if (ch === '(') {
        depth++;
        cmd.args.push({ kind: 'unquoted', raw: '(', value: '(', start: j, end: j + 1 });
        j++;
        continue;
      }
      if (ch === '"') {
        let k = j + 1;
        while (k < n && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
        const end = Math.min(n, k + 1);
        cmd.args.push({ kind: 'quoted', raw: text.slice(j, end), value: text.slice(j + 1, k), start: j, end });
        j = end;
        continue;
      }
      const b = ch === '[' ? bracketClose(j) : undefined;
      if (b) {
        const e = text.indexOf(b.close, j + b.open);
        const end = e === -1 ? n : e + b.close.length;
        cmd.args.push({ kind: 'bracket', raw: text.slice(j, end), value: text.slice(j + b.open, e === -1 ? n : e), start: j, end });
        j = end;
        continue;
      }
      // unquoted: up to whitespace, parenthesis, quote or comment; `$<...>` and `${...}` may hold them
      let k = j;
      let gx = 0;
      while (k < n) {
        const d = text[k]!;
        if (d === '\\') {
          k += 2;
          continue;
        }
        if (d === '$' && (text[k + 1] === '<' || text[k + 1] === '{')) {
          gx++;
          k += 2;
          continue;
        }
        if ((d === '>' || d === '}') && gx > 0) {
          gx--;
          k++;
          continue;
        }
        if (/\s/.test(d) || (gx === 0 && (d === '(' || d === ')' || d === '"' || d === '#'))) break;
        k++;
      }
      if (k === j) k++;
      cmd.args.push({ kind: 'unquoted', raw: text.slice(j, k), value: text.slice(j, k), start: j, end: k });
      j = k;
    }
    cmd.end = j;
    cmds.push(cmd);
    i = j;
  }
  return cmds;
}

/** CUDA:: imported targets → HIP/ROCm imported targets, with the package that defines them. */
export const CUDA_TARGETS: Record<string, { target: string; pkg: string } | null> = {
  'CUDA::cudart': { target: 'hip::host', pkg: 'hip' },
  'CUDA::cudart_static': { target: 'hip::host', pkg: 'hip' },
  'CUDA::cuda_driver': { target: 'hip::host', pkg: 'hip' },
  'CUDA::curand': { target: 'hip::hiprand', pkg: 'hiprand' },
  'CUDA::curand_static': { target: 'hip::hiprand', pkg: 'hiprand' },
  'CUDA::cusparse': { target: 'roc::hipsparse', pkg: 'hipsparse' },
  'CUDA::cusparse_static': { target: 'roc::hipsparse', pkg: 'hipsparse' },
  'CUDA::cublas': { target: 'roc::hipblas', pkg: 'hipblas' },
  'CUDA::cublas_static': { target: 'roc::hipblas', pkg: 'hipblas' },
  'CUDA::cublasLt': { target: 'roc::hipblaslt', pkg: 'hipblaslt' },
  'CUDA::cufft': { target: 'hip::hipfft', pkg: 'hipfft' },
  'CUDA::cufft_static': { target: 'hip::hipfft', pkg: 'hipfft' },
  'CUDA::cusolver': { target: 'roc::hipsolver', pkg: 'hipsolver' },
  'CUDA::cusolver_static': { target: 'roc::hipsolver', pkg: 'hipsolver' },
  'CUDA::nvToolsExt': { target: 'roc::roctx64', pkg: 'roctracer' },
  'CUDA::nvtx3': null,
  'CUDA::cupti': null,
  'CUDA::nvml': null,
};

/** Plain word renames inside any argument (identifiers, generator expressions, properties). */
const WORDS: Array<[RegExp, string, string]> = [
  [/\$<COMPILE_LANGUAGE:CUDA>/g, '$<COMPILE_LANGUAGE:HIP>', 'HP813'],
  [/\$<COMPILE_LANGUAGE:CUDA,/g, '$<COMPILE_LANGUAGE:HIP,', 'HP813'],
  [/\$<LINK_LANGUAGE:CUDA>/g, '$<LINK_LANGUAGE:HIP>', 'HP813'],
  [/\$<COMPILE_LANG_AND_ID:CUDA,NVIDIA>/g, '$<COMPILE_LANG_AND_ID:HIP,Clang>', 'HP813'],
  [/\bCMAKE_CUDA_ARCHITECTURES\b/g, 'CMAKE_HIP_ARCHITECTURES', 'HP811'],
  [/\bCMAKE_CUDA_FLAGS(_DEBUG|_RELEASE|_RELWITHDEBINFO|_MINSIZEREL|_INIT)?\b/g, 'CMAKE_HIP_FLAGS$1', 'HP813'],
  [/\bCMAKE_CUDA_STANDARD(_REQUIRED)?\b/g, 'CMAKE_HIP_STANDARD$1', 'HP813'],
  [/\bCMAKE_CUDA_EXTENSIONS\b/g, 'CMAKE_HIP_EXTENSIONS', 'HP813'],
  [/\bCMAKE_CUDA_COMPILER\b/g, 'CMAKE_HIP_COMPILER', 'HP813'],
  [/\bCMAKE_CUDA_COMPILER_ID\b/g, 'CMAKE_HIP_COMPILER_ID', 'HP813'],
  [/\bCUDA_STANDARD(_REQUIRED)?\b/g, 'HIP_STANDARD$1', 'HP813'],
  [/\bCUDA_EXTENSIONS\b/g, 'HIP_EXTENSIONS', 'HP813'],
  [/\bcuda_std_(\d+)\b/g, 'hip_std_$1', 'HP813'],
  // FindCUDA: nvcc flags become HIP compile options of the converted cuda_add_* targets
  [/\bCUDA_NVCC_FLAGS(_DEBUG|_RELEASE|_RELWITHDEBINFO|_MINSIZEREL)?\b/g, 'HIP_PORTER_NVCC_FLAGS$1', 'HP813'],
];

/**
 * `cuda_add_executable(name [WIN32|MACOSX_BUNDLE|EXCLUDE_FROM_ALL] src... [OPTIONS nvcc-flags])` /
 * `cuda_add_library(name [STATIC|SHARED|MODULE] ...)` (FindCUDA; the keywords mean the same to add_*,
 * CMake 3.25 FindCUDA.cmake) → `add_executable`/`add_library` with the same sources (copy mode: `.cu`
 * → `.hip`, which CMake compiles as HIP; single-source: the `.cu` files are marked LANGUAGE HIP by the
 * epilogue), the nvcc OPTIONS and `CUDA_NVCC_FLAGS` (renamed HIP_PORTER_NVCC_FLAGS, mapped like every
 * flag list) as HIP compile options, and `hip::host` linked (plain signature, as FindCUDA uses).
 */
function findCudaTarget(cmd: CMakeCommand, single: boolean): string {
  const target = cmd.args[0]!.raw;
  const optAt = cmd.args.findIndex((a) => a.value === 'OPTIONS');
  const srcArgs = cmd.args.slice(1, optAt < 0 ? undefined : optAt);
  const srcs = srcArgs.map((a) => (single || /^\$</.test(a.raw) ? a.raw : a.raw.replace(/\.cu(?![A-Za-z0-9_])/g, '.hip')));
  const optWords = optAt < 0 ? [] : cmd.args.slice(optAt + 1).filter((a) => !/^(DEBUG|RELEASE|MINSIZEREL|RELWITHDEBINFO)$/.test(a.value)).map((a) => a.value.split(';').join(' '));
  const options = mapNvccWords(optWords.join(' '), { compiler: 'hipcc', arch: '' }).text.split(/\s+/).filter(Boolean);
  const kind = cmd.name === 'cuda_add_executable' ? 'add_executable' : 'add_library';
  const flags = ['"$<$<COMPILE_LANGUAGE:HIP>:${HIP_PORTER_NVCC_FLAGS}>"', ...options.map((w) => `"$<$<COMPILE_LANGUAGE:HIP>:${w}>"`)];
  return [
    `${kind}(${[target, ...srcs].join(' ')})`,
    `target_compile_options(${target} PRIVATE ${flags.join(' ')})`,
    `target_link_libraries(${target} hip::host)`,
  ].join('\n');
}

/** nvcc architecture values given as their own CMake argument (`-gencode arch=compute_80,code=sm_80`, `-arch sm_80`). */
const ARCH_VALUE = /^(arch=compute_\w+,code=.*|(sm|compute)_\d+[a-z]?)$/;

/** Flow-control commands: never wrapped in if(USE_HIP) (it would break their nesting). */
const CONTROL = new Set(['if', 'elseif', 'else', 'endif', 'while', 'endwhile', 'foreach', 'endforeach', 'function', 'endfunction', 'macro', 'endmacro', 'block', 'endblock']);

interface Edit {
  start: number;
  end: number;
  text: string;
  code: string;
  why: string;
}

/**
 * Migrates one CMakeLists.txt (or .cmake file). Copy mode rewrites in place: languages CUDA →
 * HIP, architectures (a default `HIP_ARCHITECTURES` only when `CMAKE_HIP_ARCHITECTURES` is unset),
 * CUDA:: targets and find_package(CUDAToolkit) → hip/ROCm packages and targets, CUDA variables,
 * properties and generator expressions, nvcc flags, `.cu` names → `.hip`, separable compilation →
 * `-fgpu-rdc`. Single-source mode adds `option(USE_HIP ...)` and puts each changed command under
 * `if(USE_HIP)` / `else()` original / `endif()`, so a default configure is the original CUDA
 * build; `.cu` (and CUDA-using C++) sources are marked LANGUAGE HIP and the compat header is
 * force-included under the switch. Pure; never throws.
 */
export function migrateCMake(text: string, o: BuildMigrationOptions): BuildMigration {
  const cmds = tokenizeCMake(text);
  const single = o.mode === 'single-source';
  const findings: BuildFinding[] = [];
  const cmdEdits: Array<{ cmd: CMakeCommand; text: string; edits: Edit[] }> = [];
  const packages = new Set<string>();
  let projectCmd: CMakeCommand | undefined;
  let lastTarget: CMakeCommand | undefined;
  const rdcTargets: string[] = [];
  const staticLibs = new Set<string>();
  let usesCuda = false;
  const archList = o.offloadArch.join(';');

  for (const cmd of cmds) {
    const edits: Edit[] = [];
    const name = cmd.name;
    if (name === 'add_executable' || name === 'add_library' || name === 'cuda_add_executable' || name === 'cuda_add_library') lastTarget = cmd;
    if (name === 'add_library' && cmd.args[0] && !/^(SHARED|MODULE|OBJECT|INTERFACE|IMPORTED|ALIAS)$/.test(cmd.args[1]?.value ?? '')) staticLibs.add(cmd.args[0].value);
    if (name === 'project') {
      projectCmd = cmd;
      for (const a of cmd.args.slice(1)) {
        if (a.value === 'CUDA') {
          edits.push({ start: a.start, end: a.end, text: single ? '${HIP_PORTER_GPU_LANG}' : 'HIP', code: 'HP810', why: 'language CUDA → HIP' });
          usesCuda = true;
        }
      }
    } else if (name === 'enable_language') {
      for (const a of cmd.args) if (a.value === 'CUDA') {
        edits.push({ start: a.start, end: a.end, text: single ? '${HIP_PORTER_GPU_LANG}' : 'HIP', code: 'HP810', why: 'enable_language(CUDA) → HIP' });
        usesCuda = true;
      }
    } else if (name === 'find_package' && cmd.args[0] && /^(CUDAToolkit|CUDA)$/.test(cmd.args[0].value)) {
      usesCuda = true;
      if (cmd.args[0].value === 'CUDA') {
        // FindCUDA (deprecated since CMake 3.10): the HIP language replaces the module
        edits.push({ start: cmd.start, end: cmd.end, text: 'enable_language(HIP)\nfind_package(hip REQUIRED)\nset(CUDA_FOUND TRUE) # HIP Porter: keeps if(CUDA_FOUND) blocks', code: 'HP812', why: 'find_package(CUDA) (the deprecated FindCUDA module) → enable_language(HIP) and find_package(hip); CUDA_FOUND stays set for if(CUDA_FOUND)' });
      } else {
        edits.push({ start: cmd.start, end: cmd.end, text: '@@FIND_PACKAGE@@', code: 'HP812', why: 'find_package(CUDAToolkit) → find_package(hip) and the HIP libraries the project links' });
      }
    } else if ((name === 'cuda_add_executable' || name === 'cuda_add_library') && cmd.args[0]) {
      usesCuda = true;
      edits.push({ start: cmd.start, end: cmd.end, text: findCudaTarget(cmd, single), code: 'HP813', why: `${name}() (FindCUDA) → ${name.slice(5)}() with the CUDA sources compiled as HIP, CUDA_NVCC_FLAGS and OPTIONS as HIP compile options, linked to hip::host` });
    } else if (name === 'cuda_include_directories') {
      edits.push({ start: cmd.start, end: cmd.start + name.length, text: 'include_directories', code: 'HP813', why: 'cuda_include_directories() (FindCUDA) → include_directories()' });
    } else if (name.startsWith('cuda_')) {
      findings.push(notUnderstood(o, text, cmd, `${name}() belongs to the deprecated FindCUDA module; kept`));
    }
    // properties: CUDA_ARCHITECTURES / CUDA_SEPARABLE_COMPILATION / CUDA_RESOLVE_DEVICE_SYMBOLS pairs
    if (name === 'set_target_properties' || name === 'set_property') {
      const args = cmd.args;
      for (let k = 0; k < args.length; k++) {
        const v = args[k]!.value;
        if (v === 'CUDA_ARCHITECTURES' && args[k + 1]) {
          edits.push({ start: args[k]!.start, end: args[k + 1]!.end, text: `HIP_ARCHITECTURES "\${CMAKE_HIP_ARCHITECTURES}"`, code: 'HP811', why: 'CUDA_ARCHITECTURES → HIP_ARCHITECTURES from CMAKE_HIP_ARCHITECTURES (the cache decides)' });
          k++;
        } else if ((v === 'CUDA_SEPARABLE_COMPILATION' || v === 'CUDA_RESOLVE_DEVICE_SYMBOLS') && args[k + 1]) {
          const on = /^(ON|TRUE|YES|1|Y)$/i.test(args[k + 1]!.value);
          if (v === 'CUDA_SEPARABLE_COMPILATION' && on) {
            const targets = name === 'set_target_properties' ? args.slice(0, args.findIndex((a) => a.value === 'PROPERTIES')).map((a) => a.value) : args[0]?.value === 'TARGET' ? args.slice(1, args.findIndex((a) => a.value === 'PROPERTY')).map((a) => a.value) : [];
            rdcTargets.push(...targets);
          }
          edits.push({
            start: args[k]!.start, end: args[k + 1]!.end, text: '', code: 'HP813',
            why: v === 'CUDA_SEPARABLE_COMPILATION' ? 'CUDA_SEPARABLE_COMPILATION → -fgpu-rdc compile and link options on the target' : 'CUDA_RESOLVE_DEVICE_SYMBOLS dropped: hip-clang links device code with -fgpu-rdc at the final link',
          });
          k++;
        }
      }
      if (edits.length && name === 'set_target_properties') {
        // a PROPERTIES list left empty is an error: drop the command's property part
        const propsAt = cmd.args.findIndex((a) => a.value === 'PROPERTIES');
        const remaining = cmd.args.slice(propsAt + 1).filter((a) => !edits.some((e) => e.text === '' && a.start >= e.start && a.end <= e.end));
        if (propsAt >= 0 && remaining.length === 0) {
          edits.length = 0;
          edits.push({ start: cmd.start, end: cmd.end, text: '', code: 'HP813', why: 'CUDA-only target properties replaced (see -fgpu-rdc below)' });
        }
      }
    }
    if (name === 'set' && cmd.args[0]?.value === 'CMAKE_CUDA_ARCHITECTURES') {
      edits.push({ start: cmd.start, end: cmd.end, text: `if(NOT DEFINED CMAKE_HIP_ARCHITECTURES)\n  set(CMAKE_HIP_ARCHITECTURES "${archList}")\nendif()`, code: 'HP811', why: 'CUDA architectures → the HIP offload-arch list, as a default only when CMAKE_HIP_ARCHITECTURES is unset' });
      usesCuda = true;
    } else if (name === 'set' && cmd.args[0]?.value === 'CMAKE_CUDA_SEPARABLE_COMPILATION') {
      edits.push({ start: cmd.start, end: cmd.end, text: 'add_compile_options($<$<COMPILE_LANGUAGE:HIP>:-fgpu-rdc>)\nadd_link_options($<$<LINK_LANGUAGE:HIP>:-fgpu-rdc>)', code: 'HP813', why: 'CMAKE_CUDA_SEPARABLE_COMPILATION → -fgpu-rdc' });
    }
    if (!edits.some((e) => e.start === cmd.start && e.end === cmd.end)) {
      for (const a of cmd.args) {
        if (edits.some((e) => a.start >= e.start && a.end <= e.end)) continue;
        let v = a.raw;
        const whys: Array<[string, string]> = [];
        for (const [re, rep, code] of WORDS) {
          if (re.test(v)) whys.push([code, `${v.match(re)![0]} → ${rep.replace(/\$1/, '')}`]);
          re.lastIndex = 0;
          v = v.replace(re, rep);
        }
        v = v.replace(/\bCUDA::[A-Za-z0-9_]+/g, (m) => {
          const t = CUDA_TARGETS[m];
          if (t === undefined || t === null) {
            findings.push(notUnderstood(o, text, cmd, `${m} has no HIP/ROCm target; kept`));
            return m;
          }
          packages.add(t.pkg);
          whys.push(['HP812', `${m} → ${t.target}`]);
          return t.target;
        });
        const prev = cmd.args[cmd.args.indexOf(a) - 1]?.value;
        if (a.kind !== 'bracket' && ARCH_VALUE.test(a.value) && prev !== undefined && /^(-gencode|--generate-code|-arch|--gpu-architecture|-code|--gpu-code)$/.test(prev)) {
          // the value of an architecture option that was its own argument: dropped with the option
          v = '';
          whys.push(['HP804', `${a.value}: CUDA architecture dropped (the AMD targets come from CMAKE_HIP_ARCHITECTURES)`]);
        } else if (a.kind !== 'bracket' && prev !== undefined && /^(-Xcudafe|--cudafe-options|-Xptxas|--ptxas-options|-maxrregcount|--maxrregcount|-Xnvlink|--nvlink-options|-ccbin|--compiler-bindir)$/.test(prev)) {
          // the value of an nvcc-only option that was its own argument: dropped with the option
          v = '';
          whys.push(['HP804', `${prev} ${a.value} is nvcc-only (dropped)`]);
        } else if (a.kind !== 'bracket') {
          // flags: the whole argument, a quoted list, or the value of a generator expression ($<...:-flag>)
          const q = a.kind === 'quoted' ? 1 : 0;
          const body = v.slice(q, v.length - q);
          const gx = /^(\$<.*:)([^:<>]*)(>)$/.exec(body);
          const inner = gx ? gx[2]! : body;
          if (/(^|[\s;])-|nvcc/.test(inner)) {
            const mapped = mapNvccWords(inner.split(';').join(' '), { compiler: 'hipcc', arch: '' });
            if (mapped.text !== inner.split(';').join(' ')) {
              for (const nt of mapped.notes) whys.push([nt.kind === 'dropped' || nt.kind === 'arch' ? 'HP804' : 'HP803', nt.why]);
              const joined = inner.includes(';') ? mapped.text.split(' ').filter(Boolean).join(';') : mapped.text;
              const nb = gx ? (joined === '' ? '' : gx[1] + joined + gx[3]) : joined;
              v = nb === '' ? '' : q ? `"${nb}"` : nb;
            }
          }
        }
        if (!single && /\.cu(?![A-Za-z0-9_])/.test(v) && !/^\$</.test(v)) {
          v = v.replace(/\.cu(?![A-Za-z0-9_])/g, '.hip');
          whys.push(['HP806', 'CUDA source follows its rename: .cu → .hip']);
        }
        if (v !== a.raw) {
          if (whys.length === 0) whys.push(['HP813', 'CUDA setting → HIP']);
          // an argument emptied by the flag mapping is removed with it
          edits.push({ start: a.start, end: a.end, text: v === '' || v === '""' ? '' : v, code: whys[0]![0], why: whys.map((w) => w[1]).join('; ') });
        }
      }
    }
    if (edits.length && single && CONTROL.has(name)) {
      // a flow-control command cannot be put under if(USE_HIP): kept; under USE_HIP its CUDA variables are unset
      const t = text.slice(cmd.start, cmd.end);
      findings.push({ code: 'HP819', family: 'build', severity: 'warning', file: o.file, line: lineAt(text, cmd.start), message: `${name}() condition on CUDA settings kept as is: under USE_HIP those are unset`, before: t, after: t });
      continue;
    }
    if (edits.length) cmdEdits.push({ cmd, text: applyCmdEdits(text, cmd, edits), edits });
  }
  if (!usesCuda && cmdEdits.length === 0) return { text, findings };

  // find_package(CUDAToolkit) → hip + the packages of the targets the project links
  const fpText = ['find_package(hip REQUIRED)', ...[...packages].filter((p) => p !== 'hip').sort().map((p) => `find_package(${p} REQUIRED)`)].join('\n');
  for (const ce of cmdEdits) ce.text = ce.text.replace('@@FIND_PACKAGE@@', fpText);

  // replacements of whole commands and insertions, in original-text coordinates
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const reps: Array<{ start: number; end: number; text: string }> = [];
  for (const ce of cmdEdits) {
    const indent = /^[ \t]*/.exec(text.slice(ce.cmd.lineStart, ce.cmd.start))![0];
    const original = text.slice(ce.cmd.start, ce.cmd.end);
    const langOnly = ce.edits.every((e) => e.code === 'HP810');
    let after = ce.text.split('\n').join(eol + indent);
    if (single && !langOnly && ce.text === '') {
      after = `if(NOT USE_HIP)${eol}${indent}  ${original.split(/\r?\n/).join(eol + indent + '  ')}${eol}${indent}endif()`;
    } else if (single && !langOnly) {
      const inner = (s: string): string => s.split(/\r?\n/).join(eol + indent + '  ');
      after = `if(USE_HIP)${eol}${indent}  ${inner(ce.text)}${eol}${indent}else()${eol}${indent}  ${inner(original)}${eol}${indent}endif()`;
    }
    reps.push({ start: ce.cmd.start, end: ce.cmd.end, text: after });
    const line = lineAt(text, ce.cmd.start);
    for (const e of ce.edits) findings.push({ code: e.code, family: 'build', severity: 'information', file: o.file, line, message: e.why, before: original, after });
  }

  // prologue before project(): switch, architectures default, toolchain file
  const tc = `\${CMAKE_CURRENT_SOURCE_DIR}/${o.toRoot ? o.toRoot + '/' : ''}hip-porter-toolchain.cmake`;
  const root = '${CMAKE_CURRENT_SOURCE_DIR}' + (o.toRoot ? '/' + o.toRoot : '');
  if (projectCmd) {
    const prologue = cmakePrologue(single, archList, tc);
    reps.push({ start: projectCmd.lineStart, end: projectCmd.lineStart, text: prologue.join(eol) + eol });
    findings.unshift({ code: 'HP807', family: 'build', severity: 'information', file: o.file, line: lineAt(text, projectCmd.start), message: single ? 'USE_HIP switch added (OFF: the original CUDA build)' : 'HIP architectures default and toolchain file added', before: '', after: prologue.join('\n') });
    if (single) {
      // directory compile options reach only targets created after them: right after project()
      const inc = `${eol}if(USE_HIP)${eol}  add_compile_options("$<$<COMPILE_LANGUAGE:HIP>:-include${root}/${o.compatHeader}>" "$<$<COMPILE_LANGUAGE:HIP>:-I${root}/${o.compatHeader.replace(/\.[^.]*$/, '')}_include>")${eol}endif()`;
      reps.push({ start: projectCmd.end, end: projectCmd.end, text: inc });
      findings.push({ code: 'HP807', family: 'build', severity: 'information', file: o.file, line: lineAt(text, projectCmd.end), message: `${o.compatHeader} is force-included in HIP compiles under USE_HIP`, before: '', after: inc.trim() });
    }
  }
  reps.sort((x, y) => x.start - y.start || x.end - y.end);
  let out = '';
  let pos = 0;
  for (const r of reps) {
    if (r.start < pos) continue;
    out += text.slice(pos, r.start) + r.text;
    pos = r.end;
  }
  out += text.slice(pos);

  // epilogue: sources compiled as HIP, separable compilation
  const epilogue: string[] = [];
  const guard = (lines: string[]): string[] => (single ? ['if(USE_HIP)', ...lines.map((l) => '  ' + l), 'endif()'] : lines);
  const extra = o.cudaCxxFiles.map((f) => `"\${CMAKE_CURRENT_SOURCE_DIR}/${relFrom(o, f)}"`);
  if (lastTarget && single) {
    epilogue.push(...guard([
      'file(GLOB_RECURSE HIP_PORTER_CU_SOURCES CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cu")',
      `set_source_files_properties(\${HIP_PORTER_CU_SOURCES}${extra.length ? ' ' + extra.join(' ') : ''} PROPERTIES LANGUAGE HIP)`,
    ]));
  } else if (lastTarget && extra.length) {
    epilogue.push(`set_source_files_properties(${extra.join(' ')} PROPERTIES LANGUAGE HIP)`);
  }
  for (const t of rdcTargets) {
    const lines = [`target_compile_options(${t} PRIVATE $<$<COMPILE_LANGUAGE:HIP>:-fgpu-rdc>)`, `target_link_options(${t} PRIVATE $<$<LINK_LANGUAGE:HIP>:-fgpu-rdc>)`];
    if (staticLibs.has(t)) {
      // clang 15 extracts device code from a static library only when it is linked with -L/-l
      lines.push(`target_link_options(${t} INTERFACE "$<$<LINK_LANGUAGE:HIP>:-fgpu-rdc;-L$<TARGET_LINKER_FILE_DIR:${t}>;-l$<TARGET_LINKER_FILE_BASE_NAME:${t}>>")`);
    }
    epilogue.push(...guard(lines));
  }
  if (epilogue.length) {
    const sep = out.endsWith('\n') ? '' : eol;
    out = out + sep + eol + '# HIP Porter' + (single ? ': HIP build of the CUDA sources (USE_HIP)' : '') + eol + epilogue.join(eol) + eol;
    findings.push({ code: 'HP807', family: 'build', severity: 'information', file: o.file, line: lineAt(text, text.length), message: single ? 'CUDA sources compiled as HIP under USE_HIP' : 'HIP compile/link options added', before: '', after: epilogue.join('\n') });
  }
  return { text: out, findings };
}

/** The lines put before project(): the USE_HIP switch (single-source), the HIP architectures default, the toolchain file `tc`. */
function cmakePrologue(single: boolean, archList: string, tc: string): string[] {
  return single
    ? [
        '# HIP Porter: -DUSE_HIP=ON builds for AMD GPUs (CMAKE_HIP_ARCHITECTURES); the default is the original CUDA build',
        'option(USE_HIP "Build for AMD GPUs with HIP instead of CUDA" OFF)',
        'if(USE_HIP)',
        '  set(HIP_PORTER_GPU_LANG HIP)',
        '  if(NOT DEFINED CMAKE_HIP_ARCHITECTURES)',
        `    set(CMAKE_HIP_ARCHITECTURES "${archList}" CACHE STRING "AMD GPU targets")`,
        '  endif()',
        `  if(NOT DEFINED CMAKE_TOOLCHAIN_FILE AND NOT DEFINED CMAKE_HIP_COMPILER AND EXISTS "${tc}")`,
        `    set(CMAKE_TOOLCHAIN_FILE "${tc}")`,
        '  endif()',
        'else()',
        '  set(HIP_PORTER_GPU_LANG CUDA)',
        'endif()',
      ]
    : [
        '# HIP Porter: AMD GPU targets from the cache (-DCMAKE_HIP_ARCHITECTURES=...), this default only when unset',
        'if(NOT DEFINED CMAKE_HIP_ARCHITECTURES)',
        `  set(CMAKE_HIP_ARCHITECTURES "${archList}" CACHE STRING "AMD GPU targets")`,
        'endif()',
        `if(NOT DEFINED CMAKE_TOOLCHAIN_FILE AND NOT DEFINED CMAKE_HIP_COMPILER AND EXISTS "${tc}")`,
        `  set(CMAKE_TOOLCHAIN_FILE "${tc}")`,
        'endif()',
      ];
}

/**
 * A top-level CMakeLists.txt that does not use CUDA itself but whose subdirectories were migrated:
 * CMake reads CMAKE_TOOLCHAIN_FILE (and the compiler) only before the first project() of the top
 * directory, so the prologue ({@link migrateCMake}) goes before its project() too. Returns the
 * text unchanged when it has no project() call. Pure.
 */
export function addRootPrologue(text: string, o: BuildMigrationOptions): BuildMigration {
  const projectCmd = tokenizeCMake(text).find((c) => c.name === 'project');
  if (!projectCmd) return { text, findings: [] };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const prologue = cmakePrologue(o.mode === 'single-source', o.offloadArch.join(';'), '${CMAKE_CURRENT_SOURCE_DIR}/hip-porter-toolchain.cmake');
  const after = prologue.join(eol) + eol;
  return {
    text: text.slice(0, projectCmd.lineStart) + after + text.slice(projectCmd.lineStart),
    findings: [{ code: 'HP807', family: 'build', severity: 'information', file: o.file, line: lineAt(text, projectCmd.start), message: 'HIP toolchain file and architectures set before the top-level project(): subdirectories use HIP', before: '', after: prologue.join('\n') }],
  };
}

/** Path of project-relative `f` from the build file's directory. */
function relFrom(o: BuildMigrationOptions, f: string): string {
  const dir = o.file.includes('/') ? o.file.slice(0, o.file.lastIndexOf('/')) : '';
  return dir && f.startsWith(dir + '/') ? f.slice(dir.length + 1) : (o.toRoot ? o.toRoot + '/' : '') + f;
}

function applyCmdEdits(text: string, cmd: CMakeCommand, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = cmd.start;
  for (const e of sorted) {
    if (e.start < pos) continue;
    let s = e.start;
    if (e.text === '' && s > cmd.start && e.end < cmd.end) {
      // remove the whitespace (line ends included) before a removed argument
      while (s > pos && /\s/.test(text[s - 1]!)) s--;
    }
    out += text.slice(pos, s) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos, cmd.end);
}

function notUnderstood(o: BuildMigrationOptions, text: string, cmd: CMakeCommand, message: string): BuildFinding {
  const t = text.slice(cmd.start, cmd.end);
  return { code: 'HP819', family: 'build', severity: 'warning', file: o.file, line: lineAt(text, cmd.start), message, before: t, after: t };
}
