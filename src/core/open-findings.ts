/**
 * The findings a human or the agent still has to handle in a (ported) text: everything the
 * deterministic translation could not fix by itself. Shared by the CLI, the LSP server and the
 * extension so that they all hand the agent the same list.
 */
import { analyze, type AnalyzeOptions } from './analyze';
import type { Finding } from './findings';

/** Codes that only describe a conversion that was (or will be) applied automatically. */
export const PURE_CONVERSION_CODES: ReadonlySet<string> = new Set(['HP101', 'HP110', 'HP112', 'HP120']);

/** True when a finding needs a human or the agent: no auto-fix and not a plain conversion. */
export function isOpenFinding(f: Finding): boolean {
  return !f.fix?.auto && !PURE_CONVERSION_CODES.has(f.code);
}

/** Analyses `text` (usually the deterministic translation) and returns its open findings, offsets into `text`. */
export function openFindings(text: string, options: AnalyzeOptions = {}): Finding[] {
  const a = analyze(text, options);
  a.tree?.delete();
  return a.findings.filter(isOpenFinding);
}
