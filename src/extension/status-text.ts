/**
 * The status bar item's counts and text (pure: no `vscode` import, unit-tested under plain Node).
 */
import { DIAGNOSTIC_SOURCE } from '../shared/lsp-protocol';

/** Counts of HIP Porter diagnostics by severity. */
export interface FindingCounts {
  total: number;
  errors: number;
  warnings: number;
  other: number;
}

/**
 * Counts the diagnostics whose `source` is HIP Porter's. `severity` is `vscode.DiagnosticSeverity`
 * (Error = 0, Warning = 1, Information = 2, Hint = 3: VS Code API, unlike LSP's 1-based numbers).
 */
export function countFindings(diagnostics: ReadonlyArray<{ source?: string | undefined; severity: number }>): FindingCounts {
  const c: FindingCounts = { total: 0, errors: 0, warnings: 0, other: 0 };
  for (const d of diagnostics) {
    if (d.source !== DIAGNOSTIC_SOURCE) continue;
    c.total++;
    if (d.severity === 0) c.errors++;
    else if (d.severity === 1) c.warnings++;
    else c.other++;
  }
  return c;
}

/**
 * The item's text: `$(chip) HIP Porter: ROCm <target>` (a spinning `$(sync~spin)` instead of the
 * chip while busy), followed by `· N finding(s)` when there are any.
 */
export function statusText(targetRocm: string, counts: FindingCounts, busy: boolean): string {
  const icon = busy ? '$(sync~spin)' : '$(chip)';
  const n = counts.total === 0 ? '' : ` · ${counts.total} finding${counts.total === 1 ? '' : 's'}`;
  return `${icon} HIP Porter: ROCm ${targetRocm}${n}`;
}
