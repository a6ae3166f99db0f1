/**
 * Reports of a validation: JSON (the {@link ValidationReport} as is, for CI and tools) and Markdown
 * (a verdict table and, per case, the reasons and the error statistics of each output, for people
 * and CI summaries), plus the prompt text that hands a failing case to the agent.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { CaseReport, ValidationReport, Verdict } from './run';
import { elementWhere } from './run';
import { HISTOGRAM_MIN_EXP } from './numeric';

const ICON: Record<Verdict, string> = { pass: '✅ pass', fail: '❌ fail', nondeterministic: '⚠️ nondeterministic', error: '⛔ error' };

/** The JSON report text (2-space indented, trailing newline). */
export function reportJson(r: ValidationReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function num(x: number): string {
  return x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}

function sideLine(r: ValidationReport, s: 'reference' | 'candidate'): string {
  const side = r[s];
  const where = side.host === 'local' ? `this machine (${side.dir})` : `\`${side.host}\` (${side.workDir || side.dir})`;
  const build = side.build ? `, build \`${side.build.command}\` ${side.build.ok ? 'ok' : `failed (exit ${side.build.exitCode})`} in ${(side.build.durationMs / 1000).toFixed(1)} s` : '';
  return `- **${s}**: ${where}${build}${side.error ? ` — ${side.error}` : ''}`;
}

/** The Markdown report. */
export function reportMarkdown(r: ValidationReport): string {
  const out: string[] = [];
  const modeText = r.mode === 'hip-vs-hip' ? 'ROCm box against ROCm box' : 'CUDA original against HIP port';
  out.push(`# Validation: ${r.passed ? 'PASS' : 'FAIL'} (${r.counts.pass}/${r.cases.length} cases pass)`, '');
  out.push(`${modeText}; each side ran each case ${r.runsPerSide} time${r.runsPerSide > 1 ? 's' : ''}. Started ${r.startedAt}.`, '');
  out.push(sideLine(r, 'reference'), sideLine(r, 'candidate'), '');
  out.push('| Case | Verdict | Outputs | Why |', '|---|---|---|---|');
  for (const c of r.cases) {
    const outs = c.outputs.map((o) => `${o.name}: ${o.verdict}`).join(', ') || '—';
    out.push(`| ${cell(c.name)} | ${ICON[c.verdict]} | ${cell(outs)} | ${cell(c.reasons[0] ?? '')}${c.reasons.length > 1 ? ` (+${c.reasons.length - 1} more)` : ''} |`);
  }
  out.push('');
  for (const c of r.cases) out.push(...caseMarkdown(c), '');
  const t = r.timings;
  out.push(`Time: ${(t.totalMs / 1000).toFixed(2)} s in all; programs ${(t.runMs / 1000).toFixed(2)} s, preparing/building ${(t.prepareMs / 1000).toFixed(2)} s, fetching outputs ${(t.fetchMs / 1000).toFixed(2)} s, comparing ${(t.compareMs / 1000).toFixed(2)} s.`, '');
  return out.join('\n');
}

function caseMarkdown(c: CaseReport): string[] {
  const out = [`## ${c.name}: ${ICON[c.verdict]}`, ''];
  out.push(`- reference: \`${c.command.reference}\`${runsText(c, 'reference')}`);
  out.push(`- candidate: \`${c.command.candidate}\`${runsText(c, 'candidate')}`);
  for (const reason of c.reasons) out.push(`- ${reason}`);
  if (c.outputs.length > 0) {
    out.push('', '| Output | Verdict | Max abs err | Max rel err | Max ULP | Over tol. | First over | NaN/Inf mism. | Runs (ref / cand) |', '|---|---|---|---|---|---|---|---|---|');
    for (const o of c.outputs) {
      const s = o.stats ?? o.text?.numeric;
      const first = o.stats && o.stats.firstOverIndex >= 0 ? elementWhere(o.stats.firstOverIndex, o.shape) : o.text?.firstOverLine ? `line ${o.text.firstOverLine}` : o.text?.firstTextMismatch ? `line ${o.text.firstTextMismatch.line} (text)` : '—';
      const self = (['reference', 'candidate'] as const).map((sd) => (o.selfCheck[sd] ? (o.selfCheck[sd]!.identical ? 'identical' : o.selfCheck[sd]!.withinTolerance ? 'vary (within tol.)' : 'vary') : '—')).join(' / ');
      const over = s ? s.overTolerance + (o.text ? o.text.integerMismatches + o.text.textMismatches : 0) : 0;
      out.push(`| ${cell(o.name)}${o.dtype ? ` (${o.dtype}${o.shape ? `[${o.shape.join('×')}]` : ''})` : ''} | ${o.verdict} | ${s ? num(s.maxAbsError) : '—'} | ${s ? num(s.maxRelError) : '—'} | ${o.stats ? o.stats.maxUlps : '—'} | ${s ? over : '—'} | ${cell(first)} | ${s ? `${s.nanMismatches}/${s.infMismatches}` : '—'} | ${self} |`);
    }
  }
  return out;
}

function runsText(c: CaseReport, s: 'reference' | 'candidate'): string {
  const runs = c.runs[s];
  if (runs.length === 0) return '';
  return ` — ${runs.map((r) => (r.timedOut ? 'timeout' : r.signal ? r.signal : `exit ${r.exitCode}`) + ` in ${(r.durationMs / 1000).toFixed(2)} s`).join(', ')}`;
}

/** Label of histogram bin `k` (0: exact; k: [1e(k-1+MIN), 1e(k+MIN))). */
export function histogramLabel(k: number): string {
  if (k === 0) return '0';
  return `1e${k - 1 + HISTOGRAM_MIN_EXP}`;
}

/** Source text sent to the agent is capped at this many bytes. */
export const MAX_AGENT_SOURCE_BYTES = 200_000;

/**
 * The text that explains a failing case to the agent (given as the "build errors" of a fix run:
 * the program builds, but computes different answers). Includes the commands, the reasons, each
 * output's statistics and first divergence, and the stderr tails of failing runs.
 * @param c the case (any verdict; meant for fail / nondeterministic)
 * @param root workspace folder, to show source paths relative to it
 */
export function divergencePrompt(c: CaseReport, root: string, mode: 'cuda-vs-hip' | 'hip-vs-hip' = 'cuda-vs-hip'): string {
  const lines: string[] = [];
  lines.push(
    mode === 'hip-vs-hip'
      ? `The HIP port builds, but on two ROCm boxes (reference: first box, candidate: second box, e.g. wave64 vs wave32) it computes different answers in the validation case "${c.name}".`
      : `The HIP port builds, but it computes different answers from the CUDA original in the validation case "${c.name}".`,
    'Find the cause in this file (wavefront-size assumptions, 32-bit lane masks, __CUDA_ARCH__ fallbacks, missing synchronisation, uninitialised memory, precision) and fix it. Do not loosen the check itself.',
    '',
    `Verdict: ${c.verdict}`,
    `Reference command: ${c.command.reference}`,
    `Candidate command: ${c.command.candidate}`,
  );
  for (const r of c.reasons) lines.push(`- ${r}`);
  for (const s of ['reference', 'candidate'] as const) {
    for (const run of c.runs[s]) {
      if (run.exitCode !== 0 && run.stderrTail) lines.push(`${s} run ${run.run} stderr (tail):`, run.stderrTail);
    }
  }
  for (const o of c.outputs) {
    lines.push('', `Output ${o.name} (${o.format}${o.dtype ? `, ${o.dtype}` : ''}${o.shape ? `, shape [${o.shape.join(', ')}]` : ''}): ${o.verdict}. ${o.message}`);
    if (o.stats?.heatmap && o.stats.overTolerance > 0) {
      const h = o.stats.heatmap;
      const bad: string[] = [];
      h.maxAbs.forEach((v, k) => {
        if (v > 0 && bad.length < 12) bad.push(`rows ${Math.floor(k / h.cols) * h.cellRows}..${Math.floor(k / h.cols) * h.cellRows + h.cellRows - 1}, cols ${(k % h.cols) * h.cellCols}..${(k % h.cols) * h.cellCols + h.cellCols - 1}: max abs err ${num(v)}`);
      });
      lines.push(`Where the errors are (${h.cellRows}×${h.cellCols}-element cells): ${bad.join('; ')}`);
    }
  }
  if (c.sources.length > 0) lines.push('', `Sources of this case: ${c.sources.map((s) => relative(root, s)).join(', ')}`);
  return lines.join('\n');
}

/**
 * Reads a case source for the agent: UTF-8 text up to {@link MAX_AGENT_SOURCE_BYTES}.
 * @throws Error with a clear message for a missing, oversized or binary file
 */
export function readCaseSource(path: string): string {
  const size = statSync(path).size;
  if (size > MAX_AGENT_SOURCE_BYTES) throw new Error(`${path} is ${(size / 1e6).toFixed(1)} MB, over the ${MAX_AGENT_SOURCE_BYTES / 1000} kB the agent is given`);
  const buf = readFileSync(path);
  if (buf.includes(0)) throw new Error(`${path} is binary, not source`);
  return new TextDecoder('utf-8', { fatal: true }).decode(buf);
}

/** Writes `text` to `path` through a temporary file and a rename, so a reader never sees half a report. */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Writes `<outDir>/report.json` and `<outDir>/report.md` (each atomically).
 * @returns their paths
 * @throws fs errors when the folder cannot be written
 */
export function writeReports(r: ValidationReport, outDir: string): { json: string; markdown: string } {
  const json = join(outDir, 'report.json');
  const markdown = join(outDir, 'report.md');
  writeAtomic(json, reportJson(r));
  writeAtomic(markdown, reportMarkdown(r));
  return { json, markdown };
}
