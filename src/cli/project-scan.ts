/**
 * The project part of `hip-porter scan <dir>`: per translation unit (a source and the project
 * headers it includes), what will not compile for the target and why, the hazards that need a
 * person, and what the build-file migration could not do.
 */
import { planProjectPort, type ProjectReport } from '../core/project/plan';
import { describeMissing, discoverHipToolchain } from '../core/project/toolchain';
import { projectPortOptions, unparsedSummary } from './project-port';
import type { ScanOptions } from './scan';

/** The project report for a scan of one project directory, or undefined when the scan is not of a project. */
export function projectReportFor(o: ScanOptions): ProjectReport | undefined {
  const p = projectPortOptions({ ...o, mode: 'check', json: false }, { singleSource: false });
  if (!p) return undefined;
  try {
    return planProjectPort(p.root, { ...o, mode: 'copy' }).report;
  } catch {
    return undefined;
  }
}

/** The text form of a project report (appended to the scan's text report). */
export function formatProjectReport(r: ProjectReport): string {
  const lines = ['', `Project report (${r.buildSystem.join(' + ') || 'no CUDA build files'}; targets ${r.offloadArch.join(', ')}):`];
  for (const tu of r.tus) {
    const state = tu.blocking.length ? `will not compile (${tu.blocking.length})` : 'compiles after the port';
    lines.push(`  ${tu.file}: ${state}; ${tu.hazards.length} hazard(s)${tu.headers.length ? `; includes ${tu.headers.join(', ')}` : ''}`);
    for (const b of tu.blocking) lines.push(`    ${b.file}:${b.line}:${b.column}: ${b.code} ${b.message}`);
    for (const h of tu.hazards) lines.push(`    needs a person: ${h.file}:${h.line}:${h.column}: ${h.code} ${h.message}`);
    if (tu.unparsed.length) lines.push(`    ${unparsedSummary(tu)}`);
  }
  if (r.buildUnresolved.length) {
    lines.push('  Build migration could not do:');
    for (const u of r.buildUnresolved) lines.push(`    ${u.file}:${u.line}: ${u.code} ${u.message}`);
  }
  if (r.buildSystem.includes('cmake')) {
    const missing = describeMissing(discoverHipToolchain());
    lines.push(`  CMake HIP toolchain: ${missing || 'found'}`);
  }
  return lines.join('\n') + '\n';
}
