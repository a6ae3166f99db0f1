/**
 * The one currency of HIP Porter: a {@link Finding}. Diagnostics, quick-fixes, the translator,
 * the scan report and the agent's context are all views of findings.
 *
 * Offsets: every `start`/`end` in this module is a UTF-16 code-unit offset into the JavaScript
 * string of the document (the same unit `String.prototype.slice` and web-tree-sitter's
 * `startIndex` use for string input). Lines/columns are derived with `LineIndex` (src/core/text.ts).
 */

/** Severity of a finding, ordered like LSP's DiagnosticSeverity (1 = error .. 4 = hint). */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A replacement of `[start, end)` (UTF-16 offsets into the original text) by `newText`. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/**
 * A quick-fix attached to a finding.
 * `auto: true` means the fix is safe to apply without a human (the translator applies it);
 * `auto: false` fixes are offered as quick-fixes in the editor only.
 */
export interface Fix {
  title: string;
  edits: TextEdit[];
  auto: boolean;
}

/** What the mapping tables say about a name, or what kind of hazard a rule found. */
export type FindingStatus =
  | 'supported' // renamed to a HIP name that exists in the target ROCm version
  | 'unsupported' // no HIP equivalent (at all, or in the target ROCm version)
  | 'deprecated' // CUDA deprecated it; still mapped
  | 'removed' // CUDA removed it; still mapped where HIP has it
  | 'experimental' // HIP equivalent is marked experimental by HIPIFY
  | 'hazard' // code that compiles under HIP but behaves differently or fails on AMD
  | 'parse-error'; // tree-sitter could not parse this region

/** Rule families, used for severity settings ("severity per rule family"). */
export type RuleFamily =
  | 'rename' // a rename the translator performs anyway (HP101, HP110): hint severity
  | 'api'
  | 'headers'
  | 'launch'
  | 'warp'
  | 'arch'
  | 'asm'
  | 'memory'
  | 'libraries'
  | 'cxx'
  | 'parse';

/** One thing HIP Porter found in a CUDA file. */
export interface Finding {
  /** Stable rule code, e.g. `HP101`. Codes never change meaning once released. */
  code: string;
  family: RuleFamily;
  severity: Severity;
  /** One line: what breaks on AMD and what to do. */
  message: string;
  /** UTF-16 offsets of the flagged text in the original document. */
  start: number;
  end: number;
  /** Library the name belongs to (`runtime`, `driver`, `device`, `blas`, `rand`, ...). */
  library?: string;
  /** The CUDA name or construct, e.g. `cudaMalloc`, `0xffffffff`. */
  cuda?: string;
  /** Its HIP replacement, when there is one. */
  hip?: string;
  status: FindingStatus;
  fix?: Fix;
  /** URL of the HIP documentation section the rule rests on. */
  docs?: string;
  /**
   * Other places the finding depends on (LSP `relatedInformation`), e.g. the `#define WARP_SIZE 32`
   * behind a `% WARP_SIZE`: UTF-16 offsets into the same document, each with a one-line note.
   */
  related?: RelatedSpan[];
}

/** A place in the same document that a finding refers to; `[start, end)` are UTF-16 offsets. */
export interface RelatedSpan {
  start: number;
  end: number;
  message: string;
  /** The CUDA name used at this place, when the span is another use of a name the finding groups (HP104, HP105, HP114). */
  cuda?: string;
}

/** Options shared by analysis and translation. */
export interface EngineOptions {
  /** Target ROCm/HIP version as `major.minor[.patch]`; names added after it are not used. Default `6.2.0`. */
  targetRocm?: string;
  /** Also rename identifiers inside comments. Default false. */
  includeComments?: boolean;
  /** `keep` leaves `k<<<g, b, s, st>>>(...)` as is (hip-clang accepts it); `hip` rewrites to `hipLaunchKernelGGL`. */
  kernelLaunch?: 'keep' | 'hip';
  /** `hip` maps library APIs to the hip* wrappers (default); `roc` to rocBLAS/rocSPARSE/rocRAND/rocSOLVER names. */
  libraryTarget?: 'hip' | 'roc';
  /** Also apply mappings HIPIFY marks experimental. Default false. */
  experimental?: boolean;
  /**
   * AMD GPU targets the port is judged on (`--offload-arch` names such as `gfx90a`, `gfx1030`).
   * Wavefront-width findings are warnings when they break a wavefront width of one of these, and
   * information otherwise. Default `DEFAULT_OFFLOAD_ARCH` of src/core/arch.ts (gfx90a and gfx1030: one
   * CDNA and one RDNA GPU).
   */
  offloadArch?: readonly string[];
}

/** The default target ROCm version: a recent 6.x release. */
export const DEFAULT_TARGET_ROCM = '6.2.0';

/** Sorts findings by start offset, then by code, in place; returns the same array. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(compareFindings);
}

/** The order of {@link sortFindings}: start offset, then end offset, then code (ASCII order). */
export function compareFindings(a: Finding, b: Finding): number {
  return a.start - b.start || a.end - b.end || (a.code === b.code ? 0 : a.code < b.code ? -1 : 1);
}
