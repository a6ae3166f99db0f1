/**
 * `hip-porter scan`: a porting-readiness report of every CUDA file under the inputs, as text,
 * JSON or SARIF 2.1.0 (for code-scanning UIs). Summary: files, lines, references by library,
 * % convertible automatically, unsupported APIs by count, hazards by rule.
 */
import type { EngineOptions, Finding } from '../core/findings';
import { classifyFiles, relPath, DEFAULT_MAX_BYTES } from '../core/files';
import { translate, type Readiness, type TranslateStats } from '../core/translate';
import { CODE_INFO } from '../core/rules/index';
import { LineIndex } from '../core/text';
import { listInputs, type Io } from './io';
import { formatReadiness, mergeStats, pct } from './stats';
import { describeTarget, targetOfOptions, type TargetChoice } from './target';
import { formatProjectReport, projectReportFor } from './project-scan';

/** Options of {@link runScan}. */
export interface ScanOptions extends EngineOptions {
  inputs: string[];
  format: 'text' | 'json' | 'sarif';
  maxBytes?: number;
  /** List every rename (family `rename`) in the per-file listing instead of one summary line per file (text format). */
  verbose?: boolean;
  /** The resolved target ROCm and why (set by the CLI, see src/cli/target.ts); printed in every format. */
  target?: TargetChoice;
}

/** A finding with 1-based line/column, as printed by the report. */
export interface ReportedFinding extends Omit<Finding, 'fix' | 'related'> {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  autoFix: boolean;
  /** The finding's related places (see Finding.related), 1-based line and column. */
  related?: Array<{ line: number; column: number; message: string }>;
}

/** The whole report (the JSON format). */
export interface ScanReport {
  /** The ROCm version the findings and the percentage are for, and why it was chosen. */
  target: TargetChoice;
  files: number;
  skipped: Array<{ file: string; reason: string }>;
  lines: number;
  references: Record<string, { found: number; converted: number; unsupported: number }>;
  /**
   * Share of the counted CUDA items (API references, CUDA includes, inline PTX blocks, constructs
   * the target lacks) renamed automatically to what the target has, e.g. `87.5%` (see `readiness`).
   */
  convertibleAutomatically: string;
  /** The counts behind `convertibleAutomatically` (see `Readiness` in src/core/translate.ts). */
  readiness: Readiness;
  unsupportedApis: Array<{ name: string; count: number }>;
  hazards: Array<{ code: string; title: string; count: number }>;
  /** Findings by severity, and errors + warnings per 1,000 lines (the noise measure). */
  severities: Record<Finding['severity'], number>;
  warningsPerKLoc: number;
  findings: ReportedFinding[];
  ms: number;
}

/** Runs the scan; returns 0, 1 when nothing CUDA was found or files were skipped, 2 on usage errors. */
export async function runScan(o: ScanOptions, io: Io): Promise<number> {
  const t0 = performance.now();
  const found = listInputs(o.inputs, io);
  if (!found) return 2;
  const root = process.cwd();
  const stats: TranslateStats[] = [];
  const findings: ReportedFinding[] = [];
  const skipped: ScanReport['skipped'] = [];
  const set = classifyFiles(found, o.maxBytes ?? DEFAULT_MAX_BYTES);
  for (const u of set.skipped) {
    skipped.push({ file: relPath(root, u.path), reason: u.message });
    io.stderr(`hip-porter: warning: ${u.message}\n`);
  }
  for (const w of set.warnings) io.stderr(`hip-porter: warning: ${w.message}\n`);
  let files = 0;
  for (const f of set.cuda) {
    files++;
    const res = translate(f.text, { ...o, sourcePath: f.path });
    stats.push(res.stats);
    const li = new LineIndex(f.text);
    for (const x of res.analysis.findings) {
      const s = li.positionAt(x.start);
      const e = li.positionAt(x.end);
      const { fix, related, ...rest } = x;
      findings.push({
        ...rest,
        ...(related?.length
          ? {
              related: related.map((r) => {
                const p = li.positionAt(r.start);
                return { line: p.line + 1, column: p.character + 1, message: r.message };
              }),
            }
          : {}),
        file: relPath(root, f.path),
        line: s.line + 1,
        column: s.character + 1,
        endLine: e.line + 1,
        endColumn: e.character + 1,
        autoFix: !!fix?.auto,
      });
    }
  }
  if (files === 0) {
    io.stderr(`hip-porter: no CUDA files found in ${o.inputs.join(', ')}\n`);
    return 1;
  }
  const total = mergeStats(stats);
  const severities: ScanReport['severities'] = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const f of findings) severities[f.severity]++;
  const hazardCounts = new Map<string, number>();
  for (const f of findings) if (f.code >= 'HP2' && f.code < 'HP9') hazardCounts.set(f.code, (hazardCounts.get(f.code) ?? 0) + 1);
  const report: ScanReport = {
    target: targetOfOptions(o),
    files,
    skipped,
    lines: total.lines,
    references: total.byLibrary,
    convertibleAutomatically: pct(total.readiness.ready, total.readiness.counted),
    readiness: total.readiness,
    unsupportedApis: Object.entries(total.unsupported)
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => ({ name, count })),
    hazards: [...hazardCounts]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([code, count]) => ({ code, title: CODE_INFO.get(code)?.title ?? code, count })),
    severities,
    warningsPerKLoc: total.lines ? Math.round(((severities.error + severities.warning) * 1000 * 100) / total.lines) / 100 : 0,
    findings,
    ms: performance.now() - t0,
  };
  const project = projectReportFor(o);
  if (o.format === 'json') io.stdout(JSON.stringify(project ? { ...report, project } : report, null, 2) + '\n');
  else if (o.format === 'sarif') io.stdout(JSON.stringify(toSarif(report), null, 2) + '\n');
  else io.stdout(formatText(report, !!o.verbose) + (project ? formatProjectReport(project) : ''));
  return skipped.length ? 1 : 0;
}

const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** Converts a report to a SARIF 2.1.0 log (one run, rules from the code table). */
export function toSarif(r: ScanReport): object {
  const used = [...new Set(r.findings.map((f) => f.code))].sort();
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        properties: { targetRocm: r.target.rocm, targetSource: r.target.source, targetDetail: r.target.detail, convertibleAutomatically: r.convertibleAutomatically },
        tool: {
          driver: {
            name: 'HIP Porter',
            informationUri: 'https://rocm.docs.amd.com/projects/HIP/en/latest/',
            rules: used.map((code) => {
              const info = CODE_INFO.get(code);
              return {
                id: code,
                shortDescription: { text: info?.title ?? code },
                helpUri: info?.docs || undefined,
                defaultConfiguration: { level: SARIF_LEVEL[info?.defaultSeverity ?? 'warning'] },
              };
            }),
          },
        },
        results: r.findings.map((f) => ({
          ruleId: f.code,
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          ...(f.related?.length
            ? { relatedLocations: f.related.map((rel, id) => ({ id, message: { text: rel.message }, physicalLocation: { artifactLocation: { uri: f.file }, region: { startLine: rel.line, startColumn: rel.column } } })) }
            : {}),
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
}

/** Related places the text report prints under a finding (all with --verbose). */
const RELATED_SHOWN = 5;

/**
 * The text report. Per file: the findings, most severe first (then by line), each related place
 * indented under its finding; renames (family `rename`) and the HP112 include note collapse into
 * one summary line per file unless `verbose`.
 */
function formatText(r: ScanReport, verbose: boolean): string {
  const out: string[] = [];
  const byFile = new Map<string, ReportedFinding[]>();
  for (const f of r.findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const rank: Record<Finding['severity'], number> = { error: 0, warning: 1, information: 2, hint: 3 };
  for (const [file, list] of byFile) {
    const collapsed = new Map<string, number>();
    // other hints with an automatic fix (HP203 mask rewrites): one line per file too
    const rewrites = new Map<string, number>();
    const shown: ReportedFinding[] = [];
    for (const f of list) {
      if (!verbose && (f.family === 'rename' || f.code === 'HP112')) collapsed.set(f.code, (collapsed.get(f.code) ?? 0) + 1);
      else if (!verbose && f.severity === 'hint' && f.autoFix) rewrites.set(f.code, (rewrites.get(f.code) ?? 0) + 1);
      else shown.push(f);
    }
    out.push(`\n${file}`);
    shown.sort((a, b) => rank[a.severity] - rank[b.severity] || a.line - b.line || a.column - b.column);
    for (const f of shown) {
      out.push(`  ${f.line}:${f.column}  ${f.severity.padEnd(11)} ${f.code}  ${f.message}${f.autoFix ? '  [auto-fix]' : ''}`);
      const rel = f.related ?? [];
      // a once-per-file finding can list a hundred uses: the first few, unless --verbose
      const cap = verbose ? rel.length : RELATED_SHOWN;
      for (const r of rel.slice(0, cap)) out.push(`      ${r.line}:${r.column}  ${r.message}`);
      if (rel.length > cap) out.push(`      … ${rel.length - cap} more (--verbose lists them)`);
    }
    if (collapsed.size) {
      const n = [...collapsed.values()].reduce((a, b) => a + b, 0);
      const parts = [...collapsed].sort((a, b) => a[0].localeCompare(b[0])).map(([code, c]) => `${code} ×${c}`);
      out.push(`  ${n} rename${n === 1 ? '' : 's'} the translator performs (${parts.join(', ')}; --verbose lists them)`);
    }
    if (rewrites.size) {
      const n = [...rewrites.values()].reduce((a, b) => a + b, 0);
      const parts = [...rewrites].sort((a, b) => a[0].localeCompare(b[0])).map(([code, c]) => `${code} ×${c}`);
      out.push(`  ${n} other rewrite${n === 1 ? '' : 's'} the translator performs (${parts.join(', ')}; --verbose lists them)`);
    }
  }
  const found = Object.values(r.references).reduce((a, v) => a + v.found, 0);
  out.push('', 'Summary');
  out.push(`  files: ${r.files}, lines: ${r.lines}${r.skipped.length ? `, skipped: ${r.skipped.length}` : ''}`);
  out.push(`  target: ${describeTarget(r.target)}`);
  out.push(`  ${formatReadiness(r.readiness, r.target)}`);
  out.push(`  CUDA references: ${found}`);
  out.push(`  errors: ${r.severities.error}, warnings: ${r.severities.warning} (${r.warningsPerKLoc} per 1,000 lines), information: ${r.severities.information}, hints: ${r.severities.hint}`);
  for (const [lib, v] of Object.entries(r.references).sort((a, b) => b[1].found - a[1].found)) {
    out.push(`    ${lib.padEnd(8)} ${String(v.found).padStart(6)} found, ${String(v.converted).padStart(6)} converted, ${v.unsupported} unsupported`);
  }
  if (r.unsupportedApis.length) {
    out.push('  unsupported APIs:');
    for (const u of r.unsupportedApis.slice(0, 30)) out.push(`    ${u.name} ×${u.count}`);
  }
  if (r.hazards.length) {
    out.push('  hazards:');
    for (const h of r.hazards) out.push(`    ${h.code} ${h.title} ×${h.count}`);
  }
  out.push(`  time: ${r.ms.toFixed(0)} ms`, '');
  return out.join('\n');
}
