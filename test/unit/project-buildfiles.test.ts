/**
 * Build-file migration (src/core/project/): nvcc flag mapping, the Make tokenizer and migration,
 * the CMake tokenizer and migration, in copy and single-source modes. Pure, no toolchain.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCudaToolkitInclude, mapNvccWords } from '../../src/core/project/flags';
import { makeSourceDirs, migrateMakefile, tokenizeMake } from '../../src/core/project/make';
import { migrateCMake, tokenizeCMake } from '../../src/core/project/cmake';
import type { BuildMigrationOptions } from '../../src/core/project/build-findings';

const base = (mode: 'copy' | 'single-source', file = 'Makefile'): BuildMigrationOptions => ({ mode, offloadArch: ['gfx90a', 'gfx1030'], file, toRoot: '', compatHeader: 'hip_compat.h', cudaCxxFiles: [] });
const map = (s: string): string => mapNvccWords(s, { compiler: 'hipcc', arch: '' }).text;

describe('nvcc flags → hip-clang', () => {
  test('each mapping of the issue', () => {
    assert.equal(map('-Xcompiler -fPIC,-Wall -O3'), '-fPIC -Wall -O3');
    assert.equal(map('-Xcompiler=-fopenmp'), '-fopenmp');
    assert.equal(map('-use_fast_math --use_fast_math'), '-ffast-math -ffast-math');
    assert.equal(map('-O2 --expt-relaxed-constexpr --extended-lambda -g'), '-O2 -g');
    assert.equal(map('-rdc=true -c'), '-fgpu-rdc -c');
    assert.equal(map('-rdc true'), '-fgpu-rdc');
    assert.equal(map('-dc x.cu'), '-fgpu-rdc -c x.cu');
    assert.equal(map('-lineinfo -Xptxas -v -maxrregcount 64 --ptxas-options=-v -O3'), '-O3');
    assert.equal(map('-maxrregcount=32 -O1'), '-O1');
    assert.equal(map('-Xcudafe --diag_suppress=partial_override -O2'), '-O2');
    assert.equal(map('-lcudart -lcublas -lcurand -lcufft -lcusparse -lm'), '-lamdhip64 -lhipblas -lhiprand -lhipfft -lhipsparse -lm');
    assert.equal(map('-x cu -c a.cpp'), '-x hip -c a.cpp');
    assert.equal(map('-arch=sm_80 -gencode arch=compute_70,code=sm_70 --gpu-architecture=sm_90 -O2'), '-O2');
    assert.equal(mapNvccWords('nvcc -arch sm_80 -c', { compiler: 'hipcc', arch: '$(ARCH)' }).text, 'hipcc $(ARCH) -c');
    assert.equal(map('/usr/local/cuda/bin/nvcc -L/usr/local/cuda/lib64 -o a'), 'hipcc -o a');
    assert.equal(map('$(NVCCFLAGS) -I$(CUDA_HOME)/include'), '$(NVCCFLAGS)');
    assert.equal(map('-O3 -arch=$(CUDA_ARCH) -Xcompiler -Wall,-Wextra -I$(INC) -L$(CUDA_HOME)/lib64 -lcurand'), '-O3 -Wall -Wextra -I$(INC) -lhiprand');
  });

  test('the CUDA toolkit include directory is dropped (its vector_types.h would shadow HIP\'s); project folders named cuda are kept', () => {
    assert.equal(map('-I../../src -I${CUDA_DIR}/include -I/usr/local/cuda-12.4/include -I/opt/cuda/include/'), '-I../../src');
    assert.equal(map('-I../cuda_kernels/include -Isrc/cuda/include -I$(CUDA_SAMPLES)/include'), '-I../cuda_kernels/include -Isrc/cuda/include -I$(CUDA_SAMPLES)/include');
    assert.ok(isCudaToolkitInclude('/usr/local/cuda/include'));
    assert.ok(!isCudaToolkitInclude('/usr/local/cuda/samples/include'));
  });

  test('a dropped last word leaves no dangling continuation backslash', () => {
    assert.equal(map('-O2 \\\n    -lineinfo'), '-O2');
    assert.equal(map('-O2 \\\n  -lineinfo \\\n  -g'), '-O2 \\\n  -g');
  });

  test('every change is explained', () => {
    const n = mapNvccWords('-arch=sm_80 -lcudart --expt-relaxed-constexpr -use_fast_math', { compiler: 'hipcc', arch: '' }).notes.map((x) => x.kind);
    assert.deepEqual(n, ['arch', 'library', 'dropped', 'mapped']);
  });
});

describe('Make', () => {
  test('tokenizer: continuations, comments, conditionals, define, rules, recipes, assignments', () => {
    const t = 'A := 1 # c\nB = x \\\n  y\n# only comment\nifeq ($(X),1)\nall: a.o\n\t$(CC) -c a.c\nendif\ndefine BODY\nnvcc -arch=sm_80\nendef\n%.o: %.cu\n\tnvcc -c $<\n';
    const kinds = tokenizeMake(t).map((l) => `${l.line}:${l.kind}`);
    assert.deepEqual(kinds, ['1:assignment', '2:assignment', '4:comment', '5:conditional', '6:rule', '7:recipe', '8:conditional', '9:define', '10:define', '11:define', '12:rule', '13:recipe']);
    const a = tokenizeMake(t)[0]!;
    assert.equal(a.assign?.name, 'A');
    assert.equal(a.text.slice(a.assign!.valueStart, a.assign!.valueEnd), '1');
  });

  test('copy mode: compiler, flags, libraries, .cu rules and lists; comments and untouched lines kept byte for byte', () => {
    const src = '# build\nNVCC=nvcc # the compiler\nFLAGS = -O3 -arch=sm_70\nSRC = a.cu b/c.cu d.cuh\nall: $(SRC:.cu=.o)\n%.o: %.cu\n\t$(NVCC) $(FLAGS) -c $< -o $@\nhost.o: host.cpp\n\tg++ -O2 -c host.cpp\n';
    const m = migrateMakefile(src, base('copy'));
    const body = m.text.slice(m.text.indexOf('# build'));
    assert.equal(body, '# build\nNVCC=hipcc $(HIP_ARCH_FLAGS) # the compiler\nFLAGS = -O3\nSRC = a.hip b/c.hip d.cuh\nall: $(SRC:.hip=.o)\n%.o: %.hip\n\t$(NVCC) $(FLAGS) -c $< -o $@\nhost.o: host.cpp\n\tg++ -O2 -c host.cpp\n');
    assert.match(m.text, /^HIP_OFFLOAD_ARCH \?= gfx90a gfx1030$/m);
    assert.deepEqual([...new Set(m.findings.map((f) => f.code))].sort(), ['HP801', 'HP802', 'HP806', 'HP807']);
    assert.ok(m.findings.every((f) => f.family === 'build' && f.line >= 1));
  });

  test('single-source: each changed line under ifeq ($(HIP),1) with the original in else; rules untouched', () => {
    const src = 'NVCC = nvcc\nLIBS = -lcudart\n%.o: %.cu\n\tnvcc -arch=sm_80 -c $<\n';
    const m = migrateMakefile(src, base('single-source'));
    assert.match(m.text, /ifeq \(\$\(HIP\),1\)\nNVCC = hipcc \$\(HIP_ARCH_FLAGS\) \$\(HIP_COMPAT_FLAGS\)\nelse\nNVCC = nvcc\nendif\n/);
    assert.match(m.text, /ifeq \(\$\(HIP\),1\)\nLIBS = -lamdhip64\nelse\nLIBS = -lcudart\nendif\n/);
    assert.match(m.text, /%\.o: %\.cu\nifeq \(\$\(HIP\),1\)\n\thipcc \$\(HIP_ARCH_FLAGS\) \$\(HIP_COMPAT_FLAGS\) -c \$<\nelse\n\tnvcc -arch=sm_80 -c \$<\nendif\n/);
    assert.match(m.text, /HIP_COMPAT_FLAGS := -include \$\(HIP_PORTER_ROOT\)\/hip_compat\.h -I\$\(HIP_PORTER_ROOT\)\/hip_compat_include/);
  });

  test('copy mode: .cu names in include directives follow the rename (dependency files)', () => {
    const m = migrateMakefile('NVCC = nvcc\nSRC = a.cu\n-include $(SRC:.cu=.d)\n%.d: %.cu\n\t$(NVCC) -M $< > $@\n', base('copy'));
    assert.match(m.text, /^-include \$\(SRC:\.hip=\.d\)$/m);
    assert.match(m.text, /^%\.d: %\.hip$/m);
  });

  test('a Makefile without CUDA is returned unchanged with no findings', () => {
    const src = 'CXX = g++\nall: a\n\t$(CXX) a.cpp -o a\n';
    assert.deepEqual(migrateMakefile(src, base('copy')), { text: src, findings: [] });
  });

  test('CRLF line ends are kept', () => {
    const m = migrateMakefile('NVCC = nvcc\r\nall:\r\n\t$(NVCC) -c a.cu\r\n', base('copy'));
    assert.match(m.text, /NVCC = hipcc \$\(HIP_ARCH_FLAGS\)\r\nall:\r\n\t\$\(NVCC\) -c a\.hip\r\n$/);
  });
});

describe('CMake', () => {
  test('tokenizer: quoted, bracket and unquoted arguments, comments, generator expressions', () => {
    const t = 'project(x LANGUAGES CXX CUDA) # c\n#[[ block\nfoo(x) ]]\nset(A "a b" [=[raw]=] $<$<COMPILE_LANGUAGE:CUDA>:-O3>)\n';
    const c = tokenizeCMake(t);
    assert.deepEqual(c.map((x) => x.name), ['project', 'set']);
    assert.deepEqual(c[1]!.args.map((a) => [a.kind, a.value]), [['unquoted', 'A'], ['quoted', 'a b'], ['bracket', 'raw'], ['unquoted', '$<$<COMPILE_LANGUAGE:CUDA>:-O3>']]);
  });

  test('copy mode: languages, architectures from the cache, packages and targets, properties, genex, sources', () => {
    const src = [
      'cmake_minimum_required(VERSION 3.21)',
      'project(p LANGUAGES CXX CUDA)',
      'find_package(CUDAToolkit REQUIRED)',
      'set(CMAKE_CUDA_ARCHITECTURES 70 80)',
      'set(CMAKE_CUDA_FLAGS "${CMAKE_CUDA_FLAGS} --expt-relaxed-constexpr -O3")',
      'add_executable(app main.cu util.cpp)',
      'target_compile_features(app PRIVATE cuda_std_17)',
      'target_compile_options(app PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-use_fast_math>)',
      'target_link_libraries(app PRIVATE CUDA::cudart CUDA::cusparse CUDA::curand)',
      'set_target_properties(app PROPERTIES CUDA_ARCHITECTURES 80 CUDA_SEPARABLE_COMPILATION ON)',
      '',
    ].join('\n');
    const m = migrateCMake(src, base('copy', 'CMakeLists.txt'));
    assert.match(m.text, /project\(p LANGUAGES CXX HIP\)/);
    assert.match(m.text, /find_package\(hip REQUIRED\)\nfind_package\(hiprand REQUIRED\)\nfind_package\(hipsparse REQUIRED\)/);
    assert.match(m.text, /if\(NOT DEFINED CMAKE_HIP_ARCHITECTURES\)\n  set\(CMAKE_HIP_ARCHITECTURES "gfx90a;gfx1030" CACHE STRING "AMD GPU targets"\)\nendif\(\)\n.*\nproject/s);
    assert.doesNotMatch(m.text, /set\(CMAKE_HIP_ARCHITECTURES [^"]/); // never a literal that overrides the cache
    assert.match(m.text, /set\(CMAKE_HIP_FLAGS "\$\{CMAKE_HIP_FLAGS\} -O3"\)/);
    assert.match(m.text, /add_executable\(app main\.hip util\.cpp\)/);
    assert.match(m.text, /hip_std_17/);
    assert.match(m.text, /\$<\$<COMPILE_LANGUAGE:HIP>:-ffast-math>/);
    assert.match(m.text, /target_link_libraries\(app PRIVATE hip::host roc::hipsparse hip::hiprand\)/);
    assert.match(m.text, /HIP_ARCHITECTURES "\$\{CMAKE_HIP_ARCHITECTURES\}"/);
    assert.match(m.text, /target_compile_options\(app PRIVATE \$<\$<COMPILE_LANGUAGE:HIP>:-fgpu-rdc>\)/);
    assert.doesNotMatch(m.text, /CUDA/);
    for (const code of ['HP807', 'HP810', 'HP811', 'HP812', 'HP813', 'HP806']) assert.ok(m.findings.some((f) => f.code === code), code);
  });

  test('single-source: USE_HIP option, original commands under else(), sources marked LANGUAGE HIP, compat header force-included', () => {
    const src = 'cmake_minimum_required(VERSION 3.21)\nproject(p LANGUAGES CXX CUDA)\nadd_executable(app main.cu host.cpp)\ntarget_link_libraries(app PRIVATE CUDA::cudart)\nif(CMAKE_CUDA_COMPILER)\nendif()\n';
    const m = migrateCMake(src, { ...base('single-source', 'CMakeLists.txt'), cudaCxxFiles: ['host.cpp'] });
    assert.match(m.text, /option\(USE_HIP "[^"]+" OFF\)/);
    assert.match(m.text, /project\(p LANGUAGES CXX \$\{HIP_PORTER_GPU_LANG\}\)/);
    assert.match(m.text, /if\(USE_HIP\)\n  target_link_libraries\(app PRIVATE hip::host\)\nelse\(\)\n  target_link_libraries\(app PRIVATE CUDA::cudart\)\nendif\(\)/);
    assert.match(m.text, /set_source_files_properties\(\$\{HIP_PORTER_CU_SOURCES\} "\$\{CMAKE_CURRENT_SOURCE_DIR\}\/host\.cpp" PROPERTIES LANGUAGE HIP\)/);
    assert.match(m.text, /-include\$\{CMAKE_CURRENT_SOURCE_DIR\}\/hip_compat\.h/);
    assert.match(m.text, /add_executable\(app main\.cu host\.cpp\)/); // sources keep their names
    assert.match(m.text, /\nif\(CMAKE_CUDA_COMPILER\)\nendif\(\)/); // flow control never wrapped
    assert.ok(m.findings.some((f) => f.code === 'HP819'));
  });

  test('FindCUDA (find_package(CUDA), cuda_add_*, CUDA_NVCC_FLAGS) → the HIP language', () => {
    const src = 'project(p CXX)\nfind_package(CUDA REQUIRED)\nset(CUDA_NVCC_FLAGS ${CUDA_NVCC_FLAGS} -O2 -gencode arch=compute_80,code=sm_80 -arch sm_70 --expt-relaxed-constexpr -Xcudafe "--diag_suppress=partial_override")\ncuda_add_library(k STATIC k.cu util.cpp)\ncuda_add_executable(app main.cu OPTIONS -use_fast_math -lineinfo)\ncuda_add_cublas_to_target(app)\n';
    const m = migrateCMake(src, base('copy', 'CMakeLists.txt'));
    assert.match(m.text, /\nenable_language\(HIP\)\nfind_package\(hip REQUIRED\)\nset\(CUDA_FOUND TRUE\)/);
    assert.match(m.text, /\nset\(HIP_PORTER_NVCC_FLAGS \$\{HIP_PORTER_NVCC_FLAGS\} -O2\)\n/); // arch values dropped with their options
    assert.match(m.text, /\nadd_library\(k STATIC k\.hip util\.cpp\)\ntarget_compile_options\(k PRIVATE "\$<\$<COMPILE_LANGUAGE:HIP>:\$\{HIP_PORTER_NVCC_FLAGS\}>"\)\ntarget_link_libraries\(k hip::host\)\n/);
    assert.match(m.text, /\nadd_executable\(app main\.hip\)\ntarget_compile_options\(app PRIVATE "\$<\$<COMPILE_LANGUAGE:HIP>:\$\{HIP_PORTER_NVCC_FLAGS\}>" "\$<\$<COMPILE_LANGUAGE:HIP>:-ffast-math>"\)\n/);
    assert.doesNotMatch(m.text, /cuda_add_executable|cuda_add_library|find_package\(CUDA/);
    // what has no mechanical HIP form stays a finding
    assert.deepEqual(m.findings.filter((f) => f.code === 'HP819').map((f) => f.line), [6]);
    const ss = migrateCMake(src, base('single-source', 'CMakeLists.txt'));
    assert.match(ss.text, /if\(USE_HIP\)\n  add_executable\(app main\.cu\)\n.*\nelse\(\)\n  cuda_add_executable\(app main\.cu OPTIONS -use_fast_math -lineinfo\)\nendif\(\)/s);
    assert.match(ss.text, /if\(USE_HIP\)\n  enable_language\(HIP\)\n  find_package\(hip REQUIRED\)\n  set\(CUDA_FOUND TRUE\)[^\n]*\nelse\(\)\n  find_package\(CUDA REQUIRED\)\nendif\(\)/);
    assert.match(ss.text, /set_source_files_properties\(\$\{HIP_PORTER_CU_SOURCES\} PROPERTIES LANGUAGE HIP\)/);
  });

  test('a quoted nvcc path is nvcc (copy and single-source)', () => {
    const src = 'NVCC := "/usr/local/cuda/bin/nvcc"\napp: a.cu\n\t$(NVCC) -x cu -arch=sm_80 -o $@ $<\n';
    const m = migrateMakefile(src, base('copy'));
    assert.match(m.text, /^NVCC := hipcc \$\(HIP_ARCH_FLAGS\)$/m);
    assert.match(m.text, /^\t\$\(NVCC\) -x hip -o \$@ \$<$/m);
    assert.match(migrateMakefile("NVCC = 'nvcc'\n", base('single-source')).text, /^NVCC = hipcc \$\(HIP_ARCH_FLAGS\) \$\(HIP_COMPAT_FLAGS\)$/m);
  });

  test('makeSourceDirs: folders named by rules and recipes after expanding variables of the Makefile and the Make files it includes', () => {
    const files: Record<string, string> = { 'common.mk': 'SRC_DIR = src\nLIB ?= lib\n' };
    const mk = 'include ../../common.mk\nBP := ../../$(SRC_DIR)/bp\nobj/%.o: ../../${SRC_DIR}/*/%.cpp\n\t$(CC) $< -c -o $@\nobj/%.o: $(BP)/*/%.cpp\n\t$(CC) $< -c -I../../$(LIB) -o $@\nx.o: ../../../outside/x.cpp $(UNKNOWN)/y.cpp\n\tcc -c $<\n';
    const dirs = makeSourceDirs(mk, 'b/linux/Makefile', (p) => files[p]).sort();
    assert.deepEqual(dirs, ['b/linux', 'b/linux/obj', 'src', 'src/bp']);
  });

  test('$(CC) is the C++ compiler of a compile recipe when its rule or recipe names C++ sources or CC is a C++ compiler; C compiles keep $(CC)', () => {
    const o = { ...base('single-source', 'build/Makefile'), cudaCxxFiles: ['src/a.cpp'] };
    const byRule = migrateMakefile('LIBS = -lcudart\nobj/%.o: ../src/%.cpp\n\t$(CC) -c $< -o $@\n', o).text;
    assert.match(byRule, /^\t\$\(HIP_PORTER_CC\) -c \$< -o \$@$/m);
    assert.match(byRule, /^HIP_PORTER_CUDA_CXX := \.\.\/src\/a\.cpp$/m);
    assert.match(byRule, /^HIP_PORTER_CC = \$\(if \$\(filter \$\(abspath \$\(HIP_PORTER_CUDA_CXX\)\),\$\(abspath \$<\)\),hipcc .* -x hip,\$\(CC\)\)$/m);
    const cSrc = 'LIBS = -lcudart\nobj/%.o: ../src/%.c\n\t$(CC) -c $< -o $@\napp.o: $(SRCS)\n\t$(CC) -c $(SRCS) -o $@\n';
    assert.doesNotMatch(migrateMakefile(cSrc, o).text, /HIP_PORTER_CC/);
    const byVar = migrateMakefile(cSrc, { ...o, ccIsCxx: true }).text;
    assert.match(byVar, /^\t\$\(HIP_PORTER_CC\) -c \$\(SRCS\) -o \$@$/m);
    // a Makefile with nothing CUDA (a CPU build of the same sources) is left alone
    assert.equal(migrateMakefile('obj/%.o: ../src/%.cpp\n\t$(CXX) -c $< -o $@\n', o).text, 'obj/%.o: ../src/%.cpp\n\t$(CXX) -c $< -o $@\n');
  });

  test('HP815: -std=c++20 (or later) under hipcc warns for a target ROCm older than 5.5 (clang 15 C++20 crash), not for 5.5+ or C++17', () => {
    const mk = 'NVCC = nvcc\n# -std=c++20 in a comment\nFLAGS = -O3 -std=c++20 -Wall\nk.o: k.cu\n\t$(NVCC) $(FLAGS) -c $< -o $@\n';
    const old = migrateMakefile(mk, { ...base('single-source'), targetRocm: '5.2' }).findings.filter((f) => f.code === 'HP815');
    assert.equal(old.length, 1);
    assert.equal(old[0]!.line, 3);
    assert.equal(old[0]!.severity, 'warning');
    assert.match(old[0]!.message, /llvm\/llvm-project#62017/);
    assert.equal(migrateMakefile(mk, { ...base('single-source'), targetRocm: '6.2' }).findings.filter((f) => f.code === 'HP815').length, 0);
    assert.equal(migrateMakefile(mk.replace('-O3 -std=c++20', '-O3 -std=c++17'), { ...base('copy'), targetRocm: '5.2' }).findings.filter((f) => f.code === 'HP815').length, 0);
    assert.equal(migrateMakefile(mk.replace('-O3 -std=c++20', '-O3 -std=gnu++2a'), { ...base('copy'), targetRocm: '5.4.3' }).findings.filter((f) => f.code === 'HP815').length, 1);
  });
});
