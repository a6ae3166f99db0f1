/**
 * `hip-porter scan`: a porting-readiness report of every CUDA file under the inputs, as text,
 * JSON or SARIF 2.1.0 (for code-scanning UIs). Summary: files, lines, references by library,
 * % convertible automatically, unsupported APIs by count, hazards by rule.
 */
import type { EngineOptions, Finding } from '../core/findings';
import { classifyFiles, relPath, DEFAULT_MAX_BYTES } from '../core/files';
import { translate, type TranslateStats } from '../core/translate';
import { CODE_INFO } from '../core/rules/index';
import { LineIndex } from '../core/text';
import { listInputs, type Io } from './io';
import { mergeStats, pct } from './stats';

/** Options of {@link runScan}. */
export interface ScanOptions extends EngineOptions {
  inputs: string[];
  format: 'text' | 'json' | 'sarif';
  maxBytes?: number;
  /** Include informational rename findings in the per-file listing (text format). */
  verbose?: boolean;
}

/** A finding with 1-based line/column, as printed by the report. */
export interface ReportedFinding extends Omit<Finding, 'fix'> {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  autoFix: boolean;
}

/** The whole report (the JSON format). */
export interface ScanReport {
  files: number;
  skipped: Array<{ file: string; reason: string }>;
  lines: number;
  references: Record<string, { found: number; converted: number; unsupported: number }>;
  convertibleAutomatically: string;
  unsupportedApis: Array<{ name: string; count: number }>;
  hazards: Array<{ code: string; title: string; count: number }>;
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
      const { fix, ...rest } = x;
      findings.push({
        ...rest,
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
  const found2 = Object.values(total.byLibrary).reduce((a, v) => a + v.found, 0);
  const conv = Object.values(total.byLibrary).reduce((a, v) => a + v.converted, 0);
  const hazardCounts = new Map<string, number>();
  for (const f of findings) if (f.code >= 'HP2' && f.code < 'HP9') hazardCounts.set(f.code, (hazardCounts.get(f.code) ?? 0) + 1);
  const report: ScanReport = {
    files,
    skipped,
    lines: total.lines,
    references: total.byLibrary,
    convertibleAutomatically: pct(conv, found2),
    unsupportedApis: Object.entries(total.unsupported)
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => ({ name, count })),
    hazards: [...hazardCounts]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([code, count]) => ({ code, title: CODE_INFO.get(code)?.title ?? code, count })),
    findings,
    ms: performance.now() - t0,
  };
  if (o.format === 'json') io.stdout(JSON.stringify(report, null, 2) + '\n');
  else if (o.format === 'sarif') io.stdout(JSON.stringify(toSarif(report), null, 2) + '\n');
  else io.stdout(formatText(report, !!o.verbose));
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

function formatText(r: ScanReport, verbose: boolean): string {
  const out: string[] = [];
  let current = '';
  for (const f of r.findings) {
    if (!verbose && (f.code === 'HP101' || f.code === 'HP110' || f.code === 'HP112')) continue;
    if (f.file !== current) {
      current = f.file;
      out.push(`\n${f.file}`);
    }
    out.push(`  ${f.line}:${f.column}  ${f.severity.padEnd(11)} ${f.code}  ${f.message}${f.autoFix ? '  [auto-fix]' : ''}`);
  }
  const found = Object.values(r.references).reduce((a, v) => a + v.found, 0);
  out.push('', 'Summary');
  out.push(`  files: ${r.files}, lines: ${r.lines}${r.skipped.length ? `, skipped: ${r.skipped.length}` : ''}`);
  out.push(`  CUDA references: ${found}, convertible automatically: ${r.convertibleAutomatically}`);
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
