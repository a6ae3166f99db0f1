/**
 * `hip-porter validate [--config FILE] [--reference HOST] [--candidate HOST] [--json] [--report-md FILE] [--report-json FILE] [--case NAME]...`:
 * runs the reference (the CUDA original) and the candidate (the HIP port) on the same inputs as
 * the validation config says (.vscode/hip-porter-validate.json), compares the outputs and prints
 * a verdict per case. Reports: `<outDir>/report.json` and `<outDir>/report.md` always, and the
 * files named by `--report-md` / `--report-json`. `--json` prints the JSON report on stdout
 * (progress goes to stderr either way).
 *
 * Exit code: 0 only when every case passes; 1 when a case fails, is nondeterministic or errs;
 * 2 for usage and configuration errors; 130 when interrupted (Ctrl+C stops the runs on every box).
 * The options are declared with the other commands' in src/cli/program.ts; argument parsing is the
 * pure {@link parseValidateArgs}.
 */
import { join, resolve } from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig, reportJson, reportMarkdown, runValidation, ValidationCancelled, writeAtomic, writeReports, type ValidationReport, type Verdict } from '../core/validate';
import type { Io } from './io';
import { parseCommandLine, type ValidateFlags } from './program';

/** Parsed `validate` options. */
export interface ValidateOptions {
  /** Absolute config path. */
  config: string;
  reference?: string;
  candidate?: string;
  json: boolean;
  reportMd?: string;
  reportJson?: string;
  /** Only these cases (by name); empty: all. */
  cases: string[];
}

/** Parsed command line. */
export type ParsedValidateArgs = { kind: 'run'; options: ValidateOptions } | { kind: 'help'; text: string } | { kind: 'usage-error'; message: string };

/**
 * The options of parsed `validate` flags; `extra` are the operands, which `validate` rejects.
 * Relative paths resolve against `cwd`. Pure.
 */
export function validateOptions(o: ValidateFlags, extra: readonly string[], cwd: string = process.cwd()): Exclude<ParsedValidateArgs, { kind: 'help' }> {
  if (extra.length > 0) return { kind: 'usage-error', message: `unexpected argument '${extra[0]}' (the cases come from the config file)` };
  for (const [flag, v] of [['--reference', o.reference], ['--candidate', o.candidate]] as const) {
    if (v !== undefined && (v === '' || v.startsWith('-') || /\s/.test(v))) return { kind: 'usage-error', message: `${flag} needs an ssh Host alias or "local", got '${v}'` };
  }
  const options: ValidateOptions = { config: resolve(cwd, o.config ?? DEFAULT_CONFIG_PATH), json: o.json, cases: o.case };
  if (o.reference) options.reference = o.reference;
  if (o.candidate) options.candidate = o.candidate;
  if (o.reportMd) options.reportMd = resolve(cwd, o.reportMd);
  if (o.reportJson) options.reportJson = resolve(cwd, o.reportJson);
  return { kind: 'run', options };
}

/**
 * Parses the arguments after `validate` with the CLI's one program. Pure: never exits, never
 * prints; relative paths resolve against `cwd`.
 */
export function parseValidateArgs(argv: readonly string[], cwd: string = process.cwd()): ParsedValidateArgs {
  let text = '';
  const line = parseCommandLine(['validate', ...argv], { stdout: (s) => void (text += s), stderr: (s) => void (text += s) });
  if (line.command === 'none') return line.usageError ? { kind: 'usage-error', message: line.usageError.message } : { kind: 'help', text };
  if (line.command !== 'validate') throw new Error(`parseValidateArgs: parsed as ${line.command}`);
  return validateOptions(line.flags, line.extra, cwd);
}

const MARK: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', nondeterministic: 'NONDETERMINISTIC', error: 'ERROR' };

/** The human summary printed at the end: one line per case, with its first reasons. */
export function summaryText(r: ValidationReport): string {
  const lines: string[] = [];
  for (const c of r.cases) {
    lines.push(`${MARK[c.verdict].padEnd(16)} ${c.name}`);
    for (const why of c.reasons.slice(0, 4)) lines.push(`                 ${why}`);
    if (c.verdict === 'pass') for (const o of c.outputs) lines.push(`                 ${o.name}: ${o.message}`);
  }
  const n = r.cases.length;
  lines.push(`${r.counts.pass}/${n} cases pass${r.counts.fail ? `, ${r.counts.fail} fail` : ''}${r.counts.nondeterministic ? `, ${r.counts.nondeterministic} nondeterministic` : ''}${r.counts.error ? `, ${r.counts.error} error` : ''} (${(r.timings.totalMs / 1000).toFixed(1)} s; comparing ${(r.timings.compareMs / 1000).toFixed(2)} s)`);
  return lines.join('\n') + '\n';
}

/**
 * Runs `hip-porter validate` with parsed options `o`.
 * @param signal aborting stops the runs (the process's SIGINT handler passes one)
 * @returns the exit code (see the module comment)
 */
export async function validateCommand(o: ValidateOptions, io: Io, signal?: AbortSignal): Promise<number> {
  let config;
  try {
    config = loadConfig(o.config, { ...(o.reference ? { referenceHost: o.reference } : {}), ...(o.candidate ? { candidateHost: o.candidate } : {}) });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`hip-porter validate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (o.cases.length > 0) {
    const unknown = o.cases.filter((n) => !config.cases.some((c) => c.name === n));
    if (unknown.length > 0) {
      io.stderr(`hip-porter validate: no case named ${unknown.join(', ')} in ${o.config} (cases: ${config.cases.map((c) => c.name).join(', ')})\n`);
      return 2;
    }
    config.cases = config.cases.filter((c) => o.cases.includes(c.name));
  }
  let report: ValidationReport;
  try {
    report = await runValidation(config, {
      ...(signal ? { signal } : {}),
      onProgress: (p) => io.stderr(`[validate] ${p.message}\n`),
    });
  } catch (e) {
    if (e instanceof ValidationCancelled) {
      io.stderr('hip-porter validate: cancelled; the runs were stopped.\n');
      return 130;
    }
    throw e;
  }
  const json = reportJson(report);
  const md = reportMarkdown(report);
  try {
    writeReports(report, config.outDir);
    if (o.reportJson) writeAtomic(o.reportJson, json);
    if (o.reportMd) writeAtomic(o.reportMd, md);
  } catch (e) {
    io.stderr(`hip-porter validate: cannot write a report: ${(e as Error).message}\n`);
  }
  if (o.json) io.stdout(json);
  else io.stdout(summaryText(report));
  io.stderr(`[validate] reports: ${join(config.outDir, 'report.md')}${o.reportMd ? `, ${o.reportMd}` : ''}\n`);
  return report.passed ? 0 : 1;
}

/** {@link validateCommand} with Ctrl+C (SIGINT) and SIGTERM wired to cancellation. */
export async function validateCommandWithSignals(options: ValidateOptions, io: Io): Promise<number> {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await validateCommand(options, io, ac.signal);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}
