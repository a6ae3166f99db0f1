#!/usr/bin/env node
/**
 * `hip-porter` command line: `scan`, `port`, `build`. Argument parsing is the pure, tested
 * {@link parsePortArgs} / {@link parseScanArgs} (commander under the hood); errors are printed as one
 * clear line with exit code 2, never a stack trace.
 */
import { Command, CommanderError, Option } from 'commander';
import { initParser } from '../core/parse';
import { DEFAULT_OFFLOAD_ARCH } from '../core/arch';
import { ENGINE_OPTION_KEYS, parseEngineOptions } from '../core/engine-options';
import { makeCliRefiner } from './agent-bridge';
import { processIo, type Io } from './io';
import { buildCommand } from './build-command';
import { runPort, type PortOptions } from './port';
import { projectPortOptions, runProjectPort, type ProjectFlags } from './project-port';
import { isProjectBuild, projectBuildCommand } from './project-build';
import { runScan, type ScanOptions } from './scan';
import { tuneWasmForInputs } from './startup';
import { resolveTargetRocm } from './target';
import type * as ValidateCommand from './validate-command';

/** Version printed by `--version` (kept in step with package.json by the release process). */
export const VERSION = '0.1.0';

function engineOptions(cmd: Command): void {
  cmd
    .addOption(new Option('--target-rocm <version>', 'target ROCm/HIP version, e.g. 5.2 or 6.2 (default: the installed hipcc\'s HIP version, else 6.2.0)'))
    .addOption(new Option('--kernel-launch <mode>', 'keep <<<>>> launches or rewrite them to hipLaunchKernelGGL').choices(['keep', 'hip']).default('keep'))
    .addOption(new Option('--library-target <lib>', 'map cuBLAS/cuSPARSE/cuRAND/cuSOLVER to hip* wrappers or roc* libraries').choices(['hip', 'roc']).default('hip'))
    .option('--experimental', 'also apply mappings HIPIFY marks experimental', false)
    .option('--include-comments', 'also rename CUDA names inside comments', false)
    .option('--offload-arch <list>', `AMD GPU targets the wavefront-width checks judge the code on, comma-separated (default ${DEFAULT_OFFLOAD_ARCH.join(',')})`)
    .option('--max-size <MB>', 'skip files larger than this many MB', '20');
}

/** The command-line flag of each engine option, for usage messages. */
const ENGINE_FLAGS: Readonly<Record<string, string>> = {
  targetRocm: '--target-rocm',
  kernelLaunch: '--kernel-launch',
  libraryTarget: '--library-target',
  experimental: '--experimental',
  includeComments: '--include-comments',
  offloadArch: '--offload-arch',
};

/**
 * The engine options of parsed `scan`/`port` flags (commander's camel-cased option values), read
 * through core's {@link parseEngineOptions} like the server's and the settings' options.
 * @throws CommanderError (code `hip-porter.usage`) naming the flag of the first rejected value
 */
function toEngine(o: Record<string, unknown>): PortOptions & ScanOptions {
  const maxMb = Number(o['maxSize']);
  if (!Number.isFinite(maxMb) || maxMb <= 0) throw new CommanderError(2, 'hip-porter.usage', `--max-size must be a positive number of MB, got '${String(o['maxSize'])}'`);
  const raw: Record<string, unknown> = {};
  for (const key of ENGINE_OPTION_KEYS) if (o[key] !== undefined) raw[key] = o[key];
  const { options, problems } = parseEngineOptions(raw);
  if (problems.length) {
    const first = problems[0]!;
    const key = first.slice(0, first.indexOf(':'));
    throw new CommanderError(2, 'hip-porter.usage', `${ENGINE_FLAGS[key] ?? key}${first.slice(key.length)}`);
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
  | { command: 'build'; argv: string[] }
  | { command: 'validate'; argv: string[] }
  | { command: 'none'; exitCode: number };

/**
 * Parses `argv` (without `node` and the script). Pure: writes help/errors through `io` and
 * returns `{command: 'none', exitCode}` for help, version and usage errors.
 */
export function parseArgs(argv: readonly string[], io: Io): Parsed {
  let result: Parsed = { command: 'none', exitCode: 0 };
  const program = new Command('hip-porter')
    .description('Port CUDA code to AMD HIP/ROCm: scan for hazards, translate, build with hipcc.')
    .version(VERSION)
    .exitOverride()
    // Program-level options stop at the subcommand, so `build` can keep `--` and what follows.
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showSuggestionAfterError(true);

  const port = program
    .command('port')
    .description('translate CUDA files or directories to HIP (foo.cu → foo.hip; headers keep their names)')
    .argument('<paths...>', 'files or directories')
    .option('--stdout', 'print the translation of one file')
    .option('--out <dir>', 'write the ported tree under this directory (never over an input)')
    .option('--in-place', 'overwrite the inputs (foo.cu keeps its name; the original is kept as foo.cu.prehip)')
    .option('--no-backup', 'with --in-place: keep no .prehip copy of the originals')
    .option('--check', 'translate without writing; exit 0 (use with --stats or --json)')
    .option('--agent', 'after the deterministic pass, let the agent fix what rules cannot (needs ANTHROPIC_API_KEY)', false)
    .option('--stats', 'print statistics per file and in total (like hipify --print-stats)', false)
    .option('--json', 'print a JSON report on stdout', false)
    .option('--single-source', 'project port that keeps the CUDA sources: a compat header and a HIP=1 / USE_HIP build switch', false)
    .option('--compat-header <name>', 'name of the single-source compat header (default hip_compat.h)');
  engineOptions(port);
  port.action((paths: string[], o: Record<string, unknown>) => {
    const modes = ['stdout', 'out', 'inPlace', 'check'].filter((m) => o[m]);
    if (modes.length !== 1) {
      throw new CommanderError(2, 'hip-porter.usage', 'port: choose exactly one of --stdout, --out DIR, --in-place, --check');
    }
    const mode = modes[0] === 'inPlace' ? 'in-place' : (modes[0] as 'stdout' | 'out' | 'check');
    result = {
      command: 'port',
      options: {
        ...toEngine(o),
        inputs: paths,
        mode,
        ...(o['out'] ? { outDir: String(o['out']) } : {}),
        stats: !!o['stats'],
        json: !!o['json'],
        agent: !!o['agent'],
        backup: o['backup'] !== false,
      },
      project: {
        singleSource: !!o['singleSource'],
        ...(o['compatHeader'] ? { compatHeader: String(o['compatHeader']) } : {}),
      },
    };
  });

  const scan = program
    .command('scan')
    .description('report every CUDA porting finding under the given paths')
    .argument('<paths...>', 'files or directories')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--verbose', 'list plain renames too', false);
  engineOptions(scan);
  scan.action((paths: string[], o: Record<string, unknown>) => {
    result = { command: 'scan', options: { ...toEngine(o), inputs: paths, format: o['format'] as 'text', verbose: !!o['verbose'] } };
  });

  program
    .command('build')
    .description('compile HIP files with hipcc, locally or on a remote ROCm box over SSH (see `hip-porter build --help`)')
    .allowUnknownOption(true)
    .helpOption(false)
    // Everything after `build`, `--` and the hipcc flags behind it included, goes to parseBuildArgs.
    .passThroughOptions()
    .argument('[args...]')
    .action((args: string[]) => {
      result = { command: 'build', argv: args };
    });

  program
    .command('validate')
    .description('run the CUDA original and the HIP port on the same inputs and compare the outputs (see `hip-porter validate --help`)')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[args...]')
    .action((args: string[]) => {
      result = { command: 'validate', argv: args };
    });

  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'hip-porter.usage') io.stderr(`hip-porter: ${e.message}\n`);
      return { command: 'none', exitCode: e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2 };
    }
    throw e;
  }
  return result;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const parsed = parseArgs(argv, io);
  if (parsed.command === 'none') {
    if (argv.length === 0) io.stderr('hip-porter: give a command: scan, port or build (hip-porter --help)\n');
    return argv.length === 0 ? 2 : parsed.exitCode;
  }
  if (parsed.command === 'build') {
    if (isProjectBuild(parsed.argv)) return projectBuildCommand(parsed.argv, io);
    return buildCommand(parsed.argv, io);
  }
  if (parsed.command === 'validate') {
    // its own bundle (dist/cli-validate.js: ajv, the readers), so other commands never load it
    const { validateCommandWithSignals } = require('./validate-command') as typeof ValidateCommand;
    return validateCommandWithSignals(parsed.argv, io);
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
