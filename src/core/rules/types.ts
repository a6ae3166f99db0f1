/**
 * The rule framework: what a rule sees ({@link RuleContext}) and what it declares ({@link Rule}).
 *
 * A rule is run once per file. Most rules start from tokens (src/core/lexer.ts), which exist for
 * every file, even one tree-sitter cannot parse, and ask the syntax tree for structure only at the
 * places they care about (`ctx.nodeAt`). That keeps analysis cost close to the bare parse.
 */
import type { Finding, FindingStatus, Fix, RelatedSpan, RuleFamily, Severity, TextEdit } from '../findings';
import type { Tokens } from '../lexer';
import type { Mappings } from '../mappings';
import type { SyntaxNode, Tree } from '../parse';

/** Static description of one rule code (used by the settings, hovers, docs and the scan report). */
export interface RuleCode {
  /** Stable code, e.g. `HP201`. */
  code: string;
  family: RuleFamily;
  defaultSeverity: Severity;
  /** Short title, e.g. "Warp size assumed to be 32". */
  title: string;
  /** URL of the HIP documentation section the rule rests on. */
  docs: string;
}

/** Engine options with every default filled in. */
export interface ResolvedOptions {
  targetRocm: string;
  includeComments: boolean;
  kernelLaunch: 'keep' | 'hip';
  libraryTarget: 'hip' | 'roc';
  experimental: boolean;
  /** `--offload-arch` targets the port is judged on (see src/core/arch.ts). */
  offloadArch: readonly string[];
  /**
   * The analysed file is a header (its `sourcePath` ends in .cuh, .h, .hpp, ...): the HIP runtime
   * include is added to a header only when it needs more than the execution-space keywords.
   * Absent/false: a translation unit, or unknown.
   */
  header?: boolean;
  /**
   * Path of the analysed file on disk, when known (see AnalyzeOptions.sourcePath): a quoted
   * include naming a CUDA header that exists next to it is the project's own header.
   */
  sourcePath?: string;
}

/** What a finding reported by a rule must carry; `family`, `severity` and `docs` default from its {@link RuleCode}. */
export interface ReportedFinding {
  code: string;
  message: string;
  start: number;
  end: number;
  status: FindingStatus;
  severity?: Severity;
  library?: string;
  cuda?: string;
  hip?: string;
  fix?: Fix;
  docs?: string;
  /** Other places the finding depends on (see {@link Finding.related}). */
  related?: RelatedSpan[];
}

/**
 * Which tokens around an occurrence a whole-file fact depends on: `before` and `after` tokens
 * (comments not counted), or `statement`: from after the previous `;`, `{` or `}` through the next
 * `;` (a preprocessor line: the line).
 */
export type FactReach = { before: number; after: number } | 'statement';

/** Everything a rule may look at for one file. */
export interface RuleContext {
  /** The document text. Offsets everywhere are UTF-16 code units into it. */
  readonly text: string;
  readonly tokens: Tokens;
  /** The syntax tree, or undefined when parsing was skipped (token-only analysis). */
  readonly tree: Tree | undefined;
  readonly mappings: Mappings;
  readonly options: ResolvedOptions;
  /** The text's line ending, for fixes that insert lines. */
  readonly eol: '\n' | '\r\n';
  /**
   * First token index of the range this run analyses: 0 in a full analysis; in an incremental
   * run of a {@link Rule} with `scope` `local`, the first token of the re-analysed top-level
   * items (see src/core/incremental.ts). Rules that walk the token array walk `[firstToken, endToken)`.
   */
  readonly firstToken: number;
  /** One past the last token index of the analysed range (`tokens.count` in a full analysis). */
  readonly endToken: number;
  /**
   * Token indices of the identifiers with this exact text within `[firstToken, endToken)`, in
   * order (built lazily once per run). For a fact about the whole file use {@link fileHas} or
   * {@link fileIdentsNamed}.
   */
  identsNamed(name: string): readonly number[];
  /** Every distinct identifier within `[firstToken, endToken)` with its token indices, in first-occurrence order. */
  identIndex(): ReadonlyMap<string, readonly number[]>;
  /**
   * Token indices of every identifier `name` in the whole file. Declares a dependency: when an
   * edit changes the tokens around an occurrence of `name` in the edited item (`reach` tokens
   * before and after it, default its whole statement), the incremental analysis re-runs every rule
   * over the whole file, so findings elsewhere derived from these occurrences are recomputed.
   * Give the smallest `reach` covering every token the rule reads around an occurrence.
   */
  fileIdentsNamed(name: string, reach?: FactReach): readonly number[];
  /**
   * True when identifier `name` occurs anywhere in the file. Declares a dependency: an edit that
   * changes whether `name` occurs makes the incremental analysis fall back to a full one.
   */
  fileHas(name: string): boolean;
  /** Smallest named syntax node covering `[start, end)`, or undefined without a tree. */
  nodeAt(start: number, end: number): SyntaxNode | undefined;
  /** Reports a finding. */
  report(f: ReportedFinding): void;
  /** Convenience: a fix from edits. */
  fix(title: string, edits: TextEdit[], auto: boolean): Fix;
  /**
   * For `file` rules with a {@link Rule.signature}: records what the signature needs to know about
   * the whole file, as this run found it; it is passed to the signature until the rule runs again.
   */
  setSignatureState(state: unknown): void;
}

/**
 * A check, or a group of checks run together; each rule family has its own file under
 * src/core/rules/ (one family may hold several rules), registered in ./index.ts.
 *
 * The incremental contract (src/core/incremental.ts relies on it, and the incremental-equals-full
 * property tests check it): {@link Rule.scope} says what a finding may depend on,
 * {@link Rule.signature} lets a `file` rule skip an edit that cannot change its findings, and the
 * `reach` given to {@link RuleContext.fileIdentsNamed} says which edits around a file-wide fact
 * make the rule re-run over the whole file. Every code belongs to exactly one rule: re-running a
 * rule over the whole file replaces every earlier finding of its codes.
 */
export interface Rule {
  /** Unique id, e.g. `warp-size`. */
  id: string;
  family: RuleFamily;
  /** The codes this rule may report, each reported by no other rule. */
  codes: readonly RuleCode[];
  /**
   * `local` (default): every finding the rule reports at an offset depends only on the text of
   * the top-level item (a declaration or definition at namespace scope, a preprocessor line)
   * holding that offset and its neighbour items, on the whole-file facts read through
   * {@link RuleContext.fileHas} / {@link RuleContext.fileIdentsNamed}, and on nothing else. Such a
   * rule is re-run only on the edited items after a keystroke. `file`: the rule reads the whole
   * file and is re-run over all of it after every edit (keep such rules cheap).
   */
  scope?: 'local' | 'file';
  /**
   * For `file` rules: a summary of the tokens `[first, end)` of `t` that covers everything in
   * them the rule's findings (anywhere in the file) can depend on. After an edit inside one
   * top-level item, when the item's signature before and after the edit is the same, the rule is
   * not re-run: its previous findings are kept, shifted by the edit. Without it, a file rule is
   * re-run after every edit. `state`: what the rule's last run recorded with
   * {@link RuleContext.setSignatureState} (undefined when nothing), the same for the item before
   * and after the edit; the signature must then also cover everything that state depends on, so
   * that an equal signature implies the state still holds for the new text.
   */
  signature?(t: Tokens, first: number, end: number, mappings: Mappings, state?: unknown): string;
  run(ctx: RuleContext): void;
}

/** Base URLs of the documentation the rules cite. */
export const DOCS = {
  hipifyTables: 'https://rocm.docs.amd.com/projects/HIPIFY/en/latest/tables/',
  porting: 'https://rocm.docs.amd.com/projects/HIP/en/latest/how-to/hip_porting_guide.html',
  warpCrossLane: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html#warp-cross-lane-functions',
  warpSize: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html#warpsize',
  languageExtensions: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html',
  identifyingHip: 'https://rocm.docs.amd.com/projects/HIP/en/latest/how-to/hip_porting_guide.html#identifying-hip-target-platform',
  symbols: 'https://rocm.docs.amd.com/projects/HIP/en/latest/how-to/hip_porting_guide.html#memcpytosymbol',
  kernelLaunch: 'https://rocm.docs.amd.com/projects/HIP/en/latest/how-to/hip_cpp_language_extensions.html#calling-global-functions',
  // Added for the hazard rules (warp, arch, asm, launch, memory, libraries, cxx).
  launchBounds: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html#launch-bounds',
  globalFunctions: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html#global',
  inlineAsm: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html#in-line-assembly',
  warpMatrix: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html#warp-matrix-functions',
  memoryFence: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html#memory-fence-instructions',
  textures: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html#texture-functions',
  vectorTypes: 'https://rocm.docs.amd.com/projects/HIP/en/latest/reference/cpp_language_extensions.html#short-vector-types',
  archFeatures: 'https://rocm.docs.amd.com/projects/HIP/en/latest/how-to/hip_porting_guide.html#identifying-architecture-features',
  coherence: 'https://rocm.docs.amd.com/projects/HIP/en/latest/how-to/hip_runtime_api/memory_management/coherence_control.html',
  miopen: 'https://rocm.docs.amd.com/projects/MIOpen/en/latest/',
  rocThrust: 'https://rocm.docs.amd.com/projects/rocThrust/en/latest/',
  hipCub: 'https://rocm.docs.amd.com/projects/hipCUB/en/latest/',
  rccl: 'https://rocm.docs.amd.com/projects/rccl/en/latest/',
  rocWmma: 'https://rocm.docs.amd.com/projects/rocWMMA/en/latest/',
  composableKernel: 'https://rocm.docs.amd.com/projects/composable_kernel/en/latest/',
} as const;

/** Human names of the mapping libraries, as shown in messages and hovers. */
export const LIBRARY_LABELS: Readonly<Record<string, string>> = {
  runtime: 'CUDA Runtime API',
  driver: 'CUDA Driver API',
  device: 'CUDA device API',
  blas: 'cuBLAS',
  rand: 'cuRAND',
  fft: 'cuFFT',
  sparse: 'cuSPARSE',
  solver: 'cuSOLVER',
  dnn: 'cuDNN',
  cub: 'CUB',
  rtc: 'NVRTC',
  complex: 'cuComplex',
};

/** Maps a library id to the HIPIFY table page that documents its mappings. */
export function hipifyTableUrl(library: string): string {
  const page: Record<string, string> = {
    runtime: 'CUDA_Runtime_API_functions_supported_by_HIP.html',
    driver: 'CUDA_Driver_API_functions_supported_by_HIP.html',
    device: 'CUDA_Device_API_supported_by_HIP.html',
    blas: 'CUBLAS_API_supported_by_HIP.html',
    rand: 'CURAND_API_supported_by_HIP.html',
    fft: 'CUFFT_API_supported_by_HIP.html',
    sparse: 'CUSPARSE_API_supported_by_HIP.html',
    solver: 'CUSOLVER_API_supported_by_HIP.html',
    dnn: 'CUDNN_API_supported_by_HIP.html',
    cub: 'CUB_API_supported_by_HIP.html',
    rtc: 'CUDA_RTC_API_supported_by_HIP.html',
    complex: 'cuComplex_API_supported_by_HIP.html',
  };
  return DOCS.hipifyTables + (page[library] ?? '');
}

/** Re-export for rule files. */
export type { Finding };
