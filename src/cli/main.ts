#!/usr/bin/env node
/**
 * `hip-porter` command line: `scan`, `port`, `build`, `validate`, all declared in the one commander
 * program of src/cli/program.ts. {@link parseArgs} is pure and tested; errors are printed as one
 * clear line with exit code 2, never a stack trace. `validate` and `port --agent` load their own
 * bundles (dist/cli-validate.js, dist/cli-agent.js) only when they run.
 */
import { CommanderError } from 'commander';
import { initParser } from '../core/parse';
import { ENGINE_OPTION_KEYS, parseEngineOptions } from '../core/engine-options';
import { makeCliRefiner } from './agent-bridge';
import { processIo, type Io } from './io';
import { printBuildUsageError, runFilesBuild, toBuildPlan } from './build-command';
import { runPort, type PortOptions } from './port';
import { projectPortOptions, runProjectPort, type ProjectFlags } from './project-port';
import { projectBuildCommand } from './project-build';
import { ENGINE_FLAGS, parseCommandLine, USAGE, type BuildCommandLine, type EngineFlags, type ValidateFlags } from './program';
import { runScan, type ScanOptions } from './scan';
import { tuneWasmForInputs } from './startup';
import { resolveTargetRocm } from './target';
import type * as ValidateCommand from './validate-command';

export { VERSION } from './program';

/**
 * The engine options of parsed `scan`/`port` flags, read through core's {@link parseEngineOptions}
 * like the server's and the settings' options.
 * @throws CommanderError (code `hip-porter.usage`) naming the flag of the first rejected value
 */
function toEngine(o: EngineFlags): PortOptions & ScanOptions {
  const maxMb = Number(o.maxSize);
  if (!Number.isFinite(maxMb) || maxMb <= 0) throw new CommanderError(2, USAGE, `--max-size must be a positive number of MB, got '${String(o.maxSize)}'`);
  const raw: Record<string, unknown> = {};
  for (const key of ENGINE_OPTION_KEYS) if (o[key] !== undefined) raw[key] = o[key];
  const { options, problems } = parseEngineOptions(raw);
  if (problems.length) {
    const first = problems[0]!;
    const key = first.slice(0, first.indexOf(':'));
    throw new CommanderError(2, USAGE, `${ENGINE_FLAGS[key] ?? key}${first.slice(key.length)}`);
  }
  return {
    inputs: [],
    mode: 'out',
    stats: false,
    json: false,
    format: 'text',
    ...options,
    kernelLaunch: options.kernelLaunch ?? 'keep',
    libraryTarget: options.libraryTarget ?? 'hip',
    experimental: options.experimental ?? false,
    includeComments: options.includeComments ?? false,
    maxBytes: Math.round(maxMb * 1024 * 1024),
  };
}

/** A parsed command line. */
export type Parsed =
  | { command: 'port'; options: PortOptions & { agent: boolean }; project?: ProjectFlags }
  | { command: 'scan'; options: ScanOptions }
  | { command: 'build'; build: BuildCommandLine }
  | { command: 'validate'; flags: ValidateFlags; extra: string[] }
  | { command: 'none'; exitCode: number };

/**
 * Parses `argv` (without `node` and the script). Pure: writes help/errors through `io` and
 * returns `{command: 'none', exitCode}` for help, version and usage errors.
 */
export function parseArgs(argv: readonly string[], io: Io): Parsed {
  const line = parseCommandLine(argv, io);
  try {
    switch (line.command) {
      case 'none':
        if (line.usageError?.command === 'build') printBuildUsageError(line.usageError.message, io);
        else if (line.usageError) io.stderr(`hip-porter ${line.usageError.command}: ${line.usageError.message}\n`);
        return { command: 'none', exitCode: line.exitCode };
      case 'build':
      case 'validate':
        return line;
      case 'scan': {
        const o = line.flags;
        return { command: 'scan', options: { ...toEngine(o), inputs: line.paths, format: o.format, verbose: o.verbose } };
      }
      case 'port': {
        const o = line.flags;
        const modes = (['stdout', 'out', 'inPlace', 'check'] as const).filter((m) => o[m]);
        if (modes.length !== 1) throw new CommanderError(2, USAGE, 'port: choose exactly one of --stdout, --out DIR, --in-place, --check');
        const mode = modes[0] === 'inPlace' ? 'in-place' : modes[0]!;
        return {
          command: 'port',
          options: {
            ...toEngine(o),
            inputs: line.paths,
            mode,
            ...(o.out ? { outDir: o.out } : {}),
            stats: o.stats,
            json: o.json,
            agent: o.agent,
            backup: o.backup !== false,
          },
          project: { singleSource: o.singleSource, ...(o.compatHeader ? { compatHeader: o.compatHeader } : {}) },
        };
      }
    }
  } catch (e) {
    if (e instanceof CommanderError && e.code === USAGE) {
      io.stderr(`hip-porter: ${e.message}\n`);
      return { command: 'none', exitCode: 2 };
    }
    throw e;
  }
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const parsed = parseArgs(argv, io);
  if (parsed.command === 'none') {
    if (argv.length === 0) io.stderr('hip-porter: give a command: scan, port, build or validate (hip-porter --help)\n');
    return argv.length === 0 ? 2 : parsed.exitCode;
  }
  if (parsed.command === 'build') {
    const b = parsed.build;
    if (b.mode === 'project') return projectBuildCommand(b.dir, b.flags, io);
    const plan = toBuildPlan(b);
    if (plan.kind === 'usage-error') return printBuildUsageError(plan.message, io);
    return runFilesBuild(plan.plan, plan.json, io);
  }
  if (parsed.command === 'validate') {
    // its own bundle (dist/cli-validate.js: ajv, the readers), so other commands never load it
    const { validateOptions, validateCommandWithSignals } = require('./validate-command') as typeof ValidateCommand;
    const v = validateOptions(parsed.flags, parsed.extra);
    if (v.kind !== 'run') {
      io.stderr(`hip-porter validate: ${v.message}\n`);
      return 2;
    }
    return validateCommandWithSignals(v.options, io);
  }
  tuneWasmForInputs(parsed.options.inputs);
  try {
    await initParser();
  } catch (e) {
    io.stderr(`hip-porter: ${(e as Error).message}\n`);
    return 2;
  }
  // One target rule for scan and port: --target-rocm, else the installed hipcc's HIP, else the default.
  const target = resolveTargetRocm(parsed.options.targetRocm);
  parsed.options.targetRocm = target.rocm;
  parsed.options.target = target;
  if (parsed.command === 'scan') return runScan(parsed.options, io);
  const o = parsed.options;
  const proj = parsed.project ? projectPortOptions(o, parsed.project) : undefined;
  if (proj) return runProjectPort(proj, io);
  if (parsed.project?.singleSource) {
    io.stderr('hip-porter: --single-source ports a project: give one directory (and --out DIR or --in-place), without --agent\n');
    return 2;
  }
  if (o.agent) {
    const refine = makeCliRefiner(o, io);
    if (!refine) return 2;
    o.refine = refine;
  }
  return runPort(o, io);
}

if (require.main === module) {
  // `hip-porter build --help | head`: the reader went away; stop quietly like other command-line tools.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`hip-porter: internal error: ${(err as Error)?.message ?? String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
