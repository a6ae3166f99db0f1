/**
 * Messages between the extension host (src/extension/validate-port.ts) and the validation report
 * webview (src/webview/validate-report/main.ts), in the three kinds of src/webview/protocol.ts:
 * - **command**: panel → host, no reply: `validate/view/ready` (the handshake; the host answers with
 *   the report), `validate/case/askAgent` (send a failing case to the agent),
 *   `validate/report/openMarkdown` (open the Markdown report in an editor);
 * - **notification**: host → panel: `validate/report/replace` (the whole report to show),
 *   `validate/agent/status` (what became of an Ask Agent).
 * No Node or `vscode` import: bundled into the browser script. The view types are the subset of
 * src/core/validate's ValidationReport the panel shows (that report is assignable to them).
 */

/** Verdict of a case or an output. */
export type ViewVerdict = 'pass' | 'fail' | 'nondeterministic' | 'error';

/** Error statistics of one output (see src/core/validate/numeric.ts NumericStats). */
export interface ViewStats {
  count: number;
  maxAbsError: number;
  maxRelError: number;
  maxUlps: number;
  overTolerance: number;
  firstOverIndex: number;
  nanMismatches: number;
  infMismatches: number;
  signedZeroMismatches: number;
  bitDifferences: number;
  /** Counts per decade of |error|: [exact, [1e-16, 1e-15), ...]. */
  histogram: number[];
  /** Max |error| per cell (Infinity, or null after JSON, for NaN/Inf mismatches). */
  heatmap?: { rows: number; cols: number; cellRows: number; cellCols: number; maxAbs: Array<number | null> };
}

/** One output of a case. */
export interface ViewOutput {
  name: string;
  format: string;
  verdict: ViewVerdict;
  message: string;
  dtype?: string;
  shape?: number[];
  stats?: ViewStats;
  text?: { lines: number; identicalLines: number; numbers: number; textMismatches: number; integerMismatches: number; numeric: ViewStats };
  selfCheck: Partial<Record<'reference' | 'candidate', { identical: boolean; withinTolerance: boolean; message: string }>>;
}

/** One case. */
export interface ViewCase {
  name: string;
  verdict: ViewVerdict;
  reasons: string[];
  command: Record<'reference' | 'candidate', string>;
  runs: Record<'reference' | 'candidate', Array<{ run: number; exitCode: number | null; signal?: string; timedOut: boolean; durationMs: number }>>;
  outputs: ViewOutput[];
}

/** The report as the panel shows it. */
export interface ViewReport {
  mode: 'cuda-vs-hip' | 'hip-vs-hip';
  startedAt: string;
  runsPerSide: number;
  passed: boolean;
  counts: Record<ViewVerdict, number>;
  reference: { host: string; dir: string; error?: string };
  candidate: { host: string; dir: string; error?: string };
  cases: ViewCase[];
  timings: { totalMs: number; runMs: number; compareMs: number; fetchMs: number };
}

/** First decade of the histogram's bin 1 (bin k holds [10^(k-1+MIN), 10^(k+MIN))). Same as core's HISTOGRAM_MIN_EXP. */
export const VIEW_HISTOGRAM_MIN_EXP = -16;

/** Panel → host commands. */
export type ValidateCommand =
  | { kind: 'command'; method: 'validate/view/ready'; params: Record<string, never> }
  | { kind: 'command'; method: 'validate/case/askAgent'; params: { caseName: string } }
  | { kind: 'command'; method: 'validate/report/openMarkdown'; params: Record<string, never> };

/** Host → panel notifications. */
export type ValidateNotification =
  | { kind: 'notification'; method: 'validate/report/replace'; params: { report: ViewReport } }
  | { kind: 'notification'; method: 'validate/agent/status'; params: { caseName: string; status: 'running' | 'done' | 'failed'; message: string } };

const COMMAND_METHODS = new Set(['validate/view/ready', 'validate/case/askAgent', 'validate/report/openMarkdown']);

/** Guard for messages from the panel (anything else is ignored by the host). */
export function isValidateCommand(m: unknown): m is ValidateCommand {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { kind?: unknown; method?: unknown; params?: unknown };
  if (o.kind !== 'command' || typeof o.method !== 'string' || !COMMAND_METHODS.has(o.method) || typeof o.params !== 'object' || o.params === null) return false;
  if (o.method === 'validate/case/askAgent') return typeof (o.params as { caseName?: unknown }).caseName === 'string';
  return true;
}

/** Guard for messages from the host. */
export function isValidateNotification(m: unknown): m is ValidateNotification {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { kind?: unknown; method?: unknown; params?: unknown };
  return o.kind === 'notification' && (o.method === 'validate/report/replace' || o.method === 'validate/agent/status') && typeof o.params === 'object' && o.params !== null;
}
