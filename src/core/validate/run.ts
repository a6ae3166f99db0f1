/**
 * Runs a validation: builds both sides, runs every case `runsPerSide` times on each side (the
 * outputs of each run stashed apart and fetched back), checks each side against itself (so a
 * nondeterministic output is reported as such, not as a port bug), then compares the reference
 * with the candidate and returns a {@link ValidationReport}.
 *
 * Verdicts, per case (worst first): `error` (the reference side could not build or run, or an
 * output could not be read: nothing to compare against), `nondeterministic` (a side's runs disagree
 * beyond the tolerance), `fail` (the candidate crashed, timed out, missed an output, or differs
 * beyond the tolerance), `pass`.
 *
 * Local layout of the fetched outputs: `<outDir>/<side>/<case>/run<k>/{stdout,stderr,out<i>}`
 * (`out<i>` is the case's i-th output file). On a remote box they are stashed under
 * `<work dir>/.hip-porter-validate/<side>/<case>/` before the fetch.
 */
import { constants as osConstants } from 'node:os';
import { existsSync } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { BuildError } from '../build/errors';
import type { OutputStream } from '../build/process';
import { shellJoin, shellQuote } from '../build/shell-quote';
import { closeSshConnection } from '../build/ssh';
import { boxFor, sideTarget, type Box } from './boxes';
import type { ResolvedCase, ResolvedOutput, SideName, ValidateConfig } from './config';
import type { NumericStats } from './numeric';
import { compareArrayFiles, DEFAULT_CHUNK_BYTES, OutputFormatError } from './readers';
import { compareTextFiles, type TextStats } from './text';

/** Verdict of a case or an output. */
export type Verdict = 'pass' | 'fail' | 'nondeterministic' | 'error';

/** One run of a case on one side. */
export interface RunInfo {
  /** 1-based run number. */
  run: number;
  exitCode: number | null;
  /** Signal name when the exit code says the program died from one (128 + n), e.g. SIGSEGV. */
  signal?: string;
  timedOut: boolean;
  durationMs: number;
  /** Last lines of the program's stderr. */
  stderrTail: string;
  /** Local folder holding this run's fetched outputs. */
  dir: string;
}

/** The comparison of one output. */
export interface OutputReport {
  /** `stdout` or the file path. */
  name: string;
  format: 'text' | 'raw' | 'npy';
  verdict: Verdict;
  /** One line for people. */
  message: string;
  dtype?: string;
  shape?: number[];
  /** Reference run 1 against candidate run 1, for arrays. */
  stats?: NumericStats;
  /** Same, for text. */
  text?: TextStats;
  /** Each side against itself: how its runs 2.. differ from its run 1. */
  selfCheck: Partial<Record<SideName, { identical: boolean; withinTolerance: boolean; message: string }>>;
  /** Milliseconds spent comparing this output (self-checks included). */
  compareMs: number;
}

/** A case's result. */
export interface CaseReport {
  name: string;
  verdict: Verdict;
  /** Why (empty for a pass). */
  reasons: string[];
  command: Record<SideName, string>;
  runs: Record<SideName, RunInfo[]>;
  outputs: OutputReport[];
  /** Source files of the port this case exercises (absolute), from the config. */
  sources: string[];
  timings: { runMs: number; fetchMs: number; compareMs: number };
}

/** A side's summary. */
export interface SideReport {
  name: SideName;
  host: string;
  dir: string;
  workDir: string;
  build?: { command: string; exitCode: number | null; ok: boolean; durationMs: number; outputTail: string };
  syncedFiles: number;
  /** Set when the side could not be prepared or built; every case is then `error`. */
  error?: string;
}

/** The whole result; serialised as the JSON report. */
export interface ValidationReport {
  tool: 'hip-porter validate';
  reportVersion: 1;
  startedAt: string;
  configPath: string;
  mode: 'cuda-vs-hip' | 'hip-vs-hip';
  runsPerSide: number;
  reference: SideReport;
  candidate: SideReport;
  cases: CaseReport[];
  counts: Record<Verdict, number>;
  /** True when every case passed. */
  passed: boolean;
  /** Milliseconds: total, in the case programs (sum of run durations), fetching outputs, comparing. */
  timings: { totalMs: number; prepareMs: number; runMs: number; fetchMs: number; compareMs: number };
}

/** Progress events for UIs. */
export interface ValidateProgress {
  phase: 'prepare' | 'build' | 'run' | 'fetch' | 'compare' | 'done';
  side?: SideName;
  caseName?: string;
  run?: number;
  message: string;
  /** Cases finished / total. */
  done: number;
  total: number;
}

/** Options of {@link runValidation}. */
export interface RunValidationOptions {
  signal?: AbortSignal;
  onProgress?: (p: ValidateProgress) => void;
  /** Build output and script output as it arrives. */
  onOutput?: (chunk: string, stream: OutputStream, side: SideName) => void;
  /** Bytes per chunk when comparing arrays (default 4 MiB). */
  chunkBytes?: number;
  /** ControlMaster socket folder for remote boxes (tests). */
  controlDir?: string;
  /** Close the shared ssh connections at the end (default true). */
  closeConnections?: boolean;
}

/** Thrown when the AbortSignal fires; nothing is left running. */
export class ValidationCancelled extends Error {
  override readonly name = 'ValidationCancelled';
  constructor() {
    super('Validation cancelled.');
  }
}

const STASH = '.hip-porter-validate';

/** Local folder of one run's outputs. */
export function runDir(config: ValidateConfig, side: SideName, caseName: string, run: number): string {
  return join(config.outDir, side, caseName, `run${run}`);
}

/** File name under which output `i` of a case is stashed. */
export function stashName(i: number): string {
  return `out${i}`;
}

/**
 * The shell script of one run, executed in the case's folder: removes stale outputs, runs the
 * program with stdout/stderr to files in `stash`, moves each declared output file into `stash`,
 * and exits with the program's exit status (128 + n when signal n killed it).
 */
export function runScript(c: ResolvedCase, side: SideName, stash: string): string {
  const cmd = c.command[side];
  const files = c.outputs.map((o, i) => ({ o, i })).filter(({ o }) => !o.stdout);
  const s = shellQuote(stash);
  const lines = [
    `rm -rf -- ${s} && mkdir -p -- ${s} || exit 125`,
    ...files.map(({ o }) => `rm -f -- ${shellQuote(o.file!)}`),
    `${shellJoin([cmd.command, ...cmd.args])} > ${s}/stdout 2> ${s}/stderr < /dev/null`,
    'hp_code=$?',
    ...files.map(({ o, i }) => `if [ -e ${shellQuote(o.file!)} ]; then mv -f -- ${shellQuote(o.file!)} ${s}/${stashName(i)}; fi`),
    'exit $hp_code',
  ];
  return lines.join('\n');
}

function signalName(code: number | null): string | undefined {
  if (code === null || code <= 128 || code > 128 + 64) return undefined;
  const n = code - 128;
  return Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0];
}

async function tail(path: string, bytes = 2048): Promise<string> {
  try {
    const size = (await stat(path)).size;
    const fh = await open(path, 'r');
    try {
      const n = Math.min(size, bytes);
      const buf = Buffer.alloc(n);
      await fh.read(buf, 0, n, size - n);
      const t = buf.toString('utf8');
      return (size > n ? '…' : '') + t.trimEnd();
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

function emptyCounts(): Record<Verdict, number> {
  return { pass: 0, fail: 0, nondeterministic: 0, error: 0 };
}

const RANK: Record<Verdict, number> = { pass: 0, fail: 1, nondeterministic: 2, error: 3 };

function worst(a: Verdict, b: Verdict): Verdict {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The result of comparing two files of one output. */
interface PairResult {
  passed: boolean;
  identical: boolean;
  message: string;
  stats?: NumericStats;
  text?: TextStats;
  dtype?: string;
  shape?: number[];
}

function fmt(x: number): string {
  return x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

/** Describes where an element sits: flat index and, for a shape of 2+ dims, its multi-index. */
export function elementWhere(index: number, shape?: readonly number[]): string {
  if (!shape || shape.length < 2) return `[${index}]`;
  const idx: number[] = [];
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  return `[${idx.join(', ')}] (flat ${index})`;
}

/** One-line summary of numeric statistics. */
export function numericSummary(s: NumericStats, shape?: readonly number[]): string {
  const parts = [`${s.count} elements`, `max abs err ${fmt(s.maxAbsError)}`, `max rel err ${fmt(s.maxRelError)}`, `max ${s.maxUlps} ULP`];
  if (s.overTolerance > 0) {
    parts.push(`${s.overTolerance} over tolerance, first at ${elementWhere(s.firstOverIndex, shape)}: ${s.firstOver?.reference} vs ${s.firstOver?.candidate}`);
  }
  if (s.nanMismatches) parts.push(`${s.nanMismatches} NaN mismatches`);
  if (s.infMismatches) parts.push(`${s.infMismatches} Inf mismatches`);
  if (s.signedZeroMismatches) parts.push(`${s.signedZeroMismatches} signed-zero mismatches`);
  return parts.join(', ');
}

/** One-line summary of a text comparison. */
export function textSummary(t: TextStats): string {
  const parts = [`${t.lines} lines (${t.identicalLines} identical), ${t.numbers} numbers in the others`];
  if (t.referenceLines !== t.candidateLines) parts.push(`reference has ${t.referenceLines} lines, candidate ${t.candidateLines}`);
  if (t.firstTextMismatch) parts.push(`${t.textMismatches} lines differ in text, first at line ${t.firstTextMismatch.line}: "${t.firstTextMismatch.reference}" vs "${t.firstTextMismatch.candidate}"`);
  if (t.firstIntegerMismatch) parts.push(`${t.integerMismatches} integers differ, first at line ${t.firstIntegerMismatch.line}: ${t.firstIntegerMismatch.reference} vs ${t.firstIntegerMismatch.candidate}`);
  if (t.numeric.overTolerance > 0) parts.push(`${t.numeric.overTolerance} numbers over tolerance, first at line ${t.firstOverLine}: ${t.numeric.firstOver?.reference} vs ${t.numeric.firstOver?.candidate}`);
  if (t.numeric.bitDifferences > 0) parts.push(`max abs err ${fmt(t.numeric.maxAbsError)}, max rel err ${fmt(t.numeric.maxRelError)}`);
  return parts.join(', ');
}

/**
 * Compares the files of one output (reference file `a`, candidate file `b`).
 * @throws OutputFormatError for unreadable array headers / sizes
 */
export async function comparePair(a: string, b: string, o: ResolvedOutput, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<PairResult> {
  if (o.format === 'text') {
    const t = await compareTextFiles(a, b, o.tolerance, { ignoreLines: o.ignoreLines, integers: o.integers });
    const identical = t.passed && t.numeric.bitDifferences === 0;
    return { passed: t.passed, identical, message: textSummary(t), text: t };
  }
  const r = await compareArrayFiles(a, b, { format: o.format, ...(o.dtype ? { dtype: o.dtype } : {}), ...(o.shape ? { shape: o.shape } : {}), offsetBytes: o.offsetBytes }, o.tolerance, chunkBytes);
  if (r.layoutMismatch) return { passed: false, identical: false, message: `shape/dtype mismatch: ${r.layoutMismatch}`, dtype: r.dtype, shape: r.shape };
  const s = r.stats!;
  return { passed: s.overTolerance === 0, identical: s.bitDifferences === 0, message: numericSummary(s, r.shape), stats: s, dtype: r.dtype, shape: r.shape };
}

function outputPath(dir: string, o: ResolvedOutput, i: number): string {
  return join(dir, o.stdout ? 'stdout' : stashName(i));
}

/**
 * Runs the validation described by `config`.
 * @returns the report (also for failing cases); never throws for a case that fails or errs
 * @throws ValidationCancelled when `opts.signal` aborts
 */
export async function runValidation(config: ValidateConfig, opts: RunValidationOptions = {}): Promise<ValidationReport> {
  const t0 = performance.now();
  const signal = opts.signal;
  const total = config.cases.length;
  let doneCases = 0;
  const progress = (p: Omit<ValidateProgress, 'done' | 'total'>): void => opts.onProgress?.({ ...p, done: doneCases, total });
  const checkAbort = (): void => {
    if (signal?.aborted) throw new ValidationCancelled();
  };
  const sides: SideName[] = ['reference', 'candidate'];
  const boxes: Record<SideName, Box> = {
    reference: boxFor(config.reference, [config.outDir], opts.controlDir),
    candidate: boxFor(config.candidate, [config.outDir], opts.controlDir),
  };
  const sideReports: Record<SideName, SideReport> = {
    reference: { name: 'reference', host: config.reference.host, dir: config.reference.dir, workDir: '', syncedFiles: 0 },
    candidate: { name: 'candidate', host: config.candidate.host, dir: config.candidate.dir, workDir: '', syncedFiles: 0 },
  };
  const timings = { totalMs: 0, prepareMs: 0, runMs: 0, fetchMs: 0, compareMs: 0 };
  const cancelledError = (e: unknown): boolean => signal?.aborted === true || (e instanceof BuildError && e.code === 'cancelled');

  try {
    // 1. Prepare and build each side.
    const tp = performance.now();
    for (const s of sides) {
      checkAbort();
      const side = config[s];
      const rep = sideReports[s];
      const box = boxes[s];
      try {
        progress({ phase: 'prepare', side: s, message: box.remote ? `${s}: connecting to ${box.label} and copying ${side.sync ? side.dir : 'nothing'}` : `${s}: this machine, ${side.dir}` });
        rep.syncedFiles = await box.prepare(signal);
        rep.workDir = box.workDir;
        if (side.build.trim() !== '') {
          progress({ phase: 'build', side: s, message: `${s}: ${side.build} (on ${box.label})` });
          const b = await box.exec(side.build, '.', { timeoutMs: side.buildTimeoutMs, ...(signal ? { signal } : {}), onOutput: (c, st) => opts.onOutput?.(c, st, s) });
          checkAbort();
          const ok = !b.stoppedBy && b.exitCode === 0;
          rep.build = { command: side.build, exitCode: b.exitCode, ok, durationMs: b.durationMs, outputTail: b.output.trimEnd().split('\n').slice(-20).join('\n') };
          if (!ok) rep.error = b.stoppedBy === 'timeout' ? `build (${side.build}) did not finish within ${side.buildTimeoutMs / 1000} s` : `build (${side.build}) failed with exit code ${b.exitCode}`;
        }
      } catch (e) {
        if (cancelledError(e)) throw new ValidationCancelled();
        rep.error = (e as Error).message;
      }
    }
    timings.prepareMs = performance.now() - tp;

    // 2. Cases.
    const cases: CaseReport[] = [];
    for (const c of config.cases) {
      checkAbort();
      cases.push(await runCase(config, c, boxes, sideReports, opts, progress, checkAbort));
      doneCases++;
    }
    for (const c of cases) {
      timings.runMs += c.timings.runMs;
      timings.fetchMs += c.timings.fetchMs;
      timings.compareMs += c.timings.compareMs;
    }
    const counts = emptyCounts();
    for (const c of cases) counts[c.verdict]++;
    timings.totalMs = performance.now() - t0;
    progress({ phase: 'done', message: `${counts.pass}/${cases.length} cases pass` });
    return {
      tool: 'hip-porter validate',
      reportVersion: 1,
      startedAt: new Date(Date.now() - timings.totalMs).toISOString(),
      configPath: config.configPath,
      mode: config.mode,
      runsPerSide: config.runsPerSide,
      reference: sideReports.reference,
      candidate: sideReports.candidate,
      cases,
      counts,
      passed: cases.length > 0 && counts.pass === cases.length,
      timings,
    };
  } catch (e) {
    if (cancelledError(e)) throw new ValidationCancelled();
    throw e;
  } finally {
    if (opts.closeConnections !== false) {
      for (const s of sides) {
        const t = sideTarget(config[s], opts.controlDir);
        if (t) await closeSshConnection(t);
      }
    }
  }
}

async function runCase(
  config: ValidateConfig,
  c: ResolvedCase,
  boxes: Record<SideName, Box>,
  sideReports: Record<SideName, SideReport>,
  opts: RunValidationOptions,
  progress: (p: Omit<ValidateProgress, 'done' | 'total'>) => void,
  checkAbort: () => void,
): Promise<CaseReport> {
  const signal = opts.signal;
  const rep: CaseReport = {
    name: c.name,
    verdict: 'pass',
    reasons: [],
    command: { reference: shellJoin([c.command.reference.command, ...c.command.reference.args]), candidate: shellJoin([c.command.candidate.command, ...c.command.candidate.args]) },
    runs: { reference: [], candidate: [] },
    outputs: [],
    sources: c.sources,
    timings: { runMs: 0, fetchMs: 0, compareMs: 0 },
  };
  const flag = (v: Verdict, reason: string): void => {
    rep.verdict = worst(rep.verdict, v);
    rep.reasons.push(reason);
  };
  // A side that failed to prepare or build: nothing to run.
  for (const s of ['reference', 'candidate'] as const) {
    if (sideReports[s].error) flag('error', `${s} side: ${sideReports[s].error}`);
  }
  if (rep.verdict === 'error') return rep;

  // Runs.
  for (const s of ['reference', 'candidate'] as const) {
    const box = boxes[s];
    const localCaseDir = join(config.outDir, s, c.name);
    await rm(localCaseDir, { recursive: true, force: true });
    await mkdir(localCaseDir, { recursive: true });
    try {
      if (c.cwd !== '.' && c.cwd !== '') {
        const mk = await box.exec(`mkdir -p -- ${shellQuote(c.cwd)}`, '.', { timeoutMs: 60_000, ...(signal ? { signal } : {}) });
        if (mk.exitCode !== 0) throw new BuildError('not-writable', `cannot create the case folder ${c.cwd} on ${box.label}: ${mk.output.trim()}`);
      }
      for (const inp of c.inputs) {
        if (!existsSync(inp.from)) throw new BuildError('usage', `input file ${inp.from} does not exist`);
        await box.put(inp.from, posix.join(c.cwd, inp.to), signal);
      }
      for (let k = 1; k <= config.runsPerSide; k++) {
        checkAbort();
        const stash = box.remote ? posix.join(box.workDir, STASH, s, c.name, `run${k}`) : runDir(config, s, c.name, k);
        progress({ phase: 'run', side: s, caseName: c.name, run: k, message: `${c.name}: ${s} run ${k}/${config.runsPerSide} on ${box.label}` });
        const r = await box.exec(runScript(c, s, stash), c.cwd, { timeoutMs: c.timeoutMs, ...(signal ? { signal } : {}) });
        checkAbort();
        rep.timings.runMs += r.durationMs;
        const info: RunInfo = { run: k, exitCode: r.exitCode, timedOut: r.stoppedBy === 'timeout', durationMs: r.durationMs, stderrTail: '', dir: runDir(config, s, c.name, k) };
        const sig = signalName(r.exitCode);
        if (sig) info.signal = sig;
        // The program's own output goes to files: anything the script printed is a problem of the script (missing cwd, unwritable stash).
        if (r.output.trim() !== '') info.stderrTail = r.output.trim().slice(-2000);
        rep.runs[s].push(info);
        if (info.timedOut) break; // one timeout is enough
      }
      if (box.remote) {
        progress({ phase: 'fetch', side: s, caseName: c.name, message: `${c.name}: fetching ${s} outputs from ${box.label}` });
        const tf = performance.now();
        await box.fetch(posix.join(STASH, s, c.name), localCaseDir, signal);
        rep.timings.fetchMs += performance.now() - tf;
      }
    } catch (e) {
      if (signal?.aborted || (e instanceof BuildError && e.code === 'cancelled')) throw new ValidationCancelled();
      flag(s === 'reference' ? 'error' : 'fail', `${s} side: ${(e as Error).message}`);
      continue;
    }
    for (const info of rep.runs[s]) {
      if (!info.stderrTail) info.stderrTail = await tail(join(info.dir, 'stderr'));
      const who = `${s} run ${info.run}`;
      const bad = s === 'reference' ? 'error' : 'fail';
      if (info.timedOut) flag(bad, `${who} did not finish within ${c.timeoutMs / 1000} s (killed)`);
      else if (info.exitCode !== c.expectExitCode) {
        const how = info.signal ? `was killed by ${info.signal} (exit ${info.exitCode})` : info.exitCode === 127 ? `could not start the program (exit 127: not found)` : `exited with ${info.exitCode}`;
        flag(bad, `${who} ${how}${c.expectExitCode !== 0 ? `, expected ${c.expectExitCode}` : ''}${info.stderrTail ? `; stderr: ${info.stderrTail.split('\n').slice(-3).join(' | ')}` : ''}`);
      }
    }
  }
  if (rep.verdict !== 'pass') return rep;

  // Outputs.
  for (let i = 0; i < c.outputs.length; i++) {
    checkAbort();
    const o = c.outputs[i]!;
    progress({ phase: 'compare', caseName: c.name, message: `${c.name}: comparing ${o.name}` });
    const tc = performance.now();
    const out: OutputReport = { name: o.name, format: o.format, verdict: 'pass', message: '', selfCheck: {}, compareMs: 0 };
    rep.outputs.push(out);
    const setVerdict = (v: Verdict, msg: string): void => {
      out.verdict = worst(out.verdict, v);
      out.message = out.message ? `${out.message}; ${msg}` : msg;
      flag(v, `${o.name}: ${msg}`);
    };
    try {
      // Presence.
      let missing = false;
      for (const s of ['reference', 'candidate'] as const) {
        for (const info of rep.runs[s]) {
          if (!existsSync(outputPath(info.dir, o, i))) {
            setVerdict(s === 'reference' ? 'error' : 'fail', `missing on the ${s} side (run ${info.run}): the program did not write ${o.name}`);
            missing = true;
            break;
          }
        }
      }
      if (missing) continue;
      // Each side against itself.
      for (const s of ['reference', 'candidate'] as const) {
        const runs = rep.runs[s];
        let identical = true;
        let within = true;
        let msg = `${runs.length} run${runs.length > 1 ? 's' : ''}, identical`;
        for (const info of runs.slice(1)) {
          const p = await comparePair(outputPath(runs[0]!.dir, o, i), outputPath(info.dir, o, i), o, opts.chunkBytes);
          if (!p.identical) identical = false;
          if (!p.passed) {
            within = false;
            msg = `run ${info.run} differs from run 1 beyond the tolerance: ${p.message}`;
            break;
          }
          if (!p.identical) msg = `runs differ within the tolerance: ${p.message}`;
        }
        out.selfCheck[s] = { identical, withinTolerance: within, message: msg };
        if (!within) setVerdict('nondeterministic', `the ${s} side is nondeterministic (${msg})`);
      }
      // Reference against candidate.
      const p = await comparePair(outputPath(rep.runs.reference[0]!.dir, o, i), outputPath(rep.runs.candidate[0]!.dir, o, i), o, opts.chunkBytes);
      if (p.stats) out.stats = p.stats;
      if (p.text) out.text = p.text;
      if (p.dtype) out.dtype = p.dtype;
      if (p.shape) out.shape = p.shape;
      if (!p.passed) setVerdict('fail', p.message);
      else if (out.verdict === 'pass') out.message = (p.identical ? 'identical: ' : 'within tolerance: ') + p.message;
    } catch (e) {
      if (e instanceof ValidationCancelled) throw e;
      setVerdict('error', e instanceof OutputFormatError ? `unreadable output: ${e.message}` : `comparison failed: ${(e as Error).message}`);
    } finally {
      out.compareMs = performance.now() - tc;
      rep.timings.compareMs += out.compareMs;
    }
  }
  return rep;
}
