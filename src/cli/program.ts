/**
 * The one `hip-porter` command line: a single commander program whose subcommands (`port`,
 * `scan`, `build`, `validate`) declare all their options here, so `hip-porter --help` and
 * `hip-porter <command> --help` list every option. {@link parseCommandLine} only parses: it runs
 * nothing, loads no engine and never exits the process; the commands' own modules turn its typed
 * result into work (src/cli/main.ts, build-command.ts, project-build.ts, validate-command.ts).
 * Kept light (commander and constants only): the lazily loaded validate bundle includes it too.
 * Option syntax: commander 12 (https://github.com/tj/commander.js/blob/v12.1.0/Readme.md).
 */
import { statSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_OFFLOAD_ARCH } from '../core/arch';

/** Version printed by `--version` (kept in step with package.json by the release process). */
export const VERSION = '0.1.0';

/** Default remote work dir of a project build (`build <dir> --remote HOST`), relative to the remote home. */
export const PROJECT_REMOTE_DIR = '.cache/hip-porter/projects';

/** Validation config path used when `validate --config` is absent (relative to the working dir). */
export const DEFAULT_VALIDATE_CONFIG = '.vscode/hip-porter-validate.json';

/** Where parsing writes help and commander's own error lines. */
export interface ParseOutput {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** The `port`/`scan` flags that feed the engine options, as commander camel-cases them (strings as typed). */
export interface EngineFlags {
  targetRocm?: string;
  kernelLaunch: string;
  libraryTarget: string;
  experimental: boolean;
  includeComments: boolean;
  offloadArch?: string;
  /** `--max-size`, megabytes as typed (checked by the caller). */
  maxSize: string;
}

/** `port` flags. */
export interface PortFlags extends EngineFlags {
  stdout?: boolean;
  out?: string;
  inPlace?: boolean;
  /** false with `--no-backup`. */
  backup: boolean;
  check?: boolean;
  agent: boolean;
  stats: boolean;
  json: boolean;
  singleSource: boolean;
  compatHeader?: string;
}

/** `scan` flags. */
export interface ScanFlags extends EngineFlags {
  format: 'text' | 'json' | 'sarif';
  verbose: boolean;
}

/** `build` flags of both modes (see {@link BuildCommandLine}); numbers stay strings as typed. */
export interface BuildFlags {
  remote?: string;
  remoteDir?: string;
  sshConfig?: string;
  /** Comma-separated list; absent: files use {@link DEFAULT_OFFLOAD_ARCH}, a project its build's own list. */
  offloadArch?: string;
  // files only
  localRoot?: string;
  sync: 'closure' | 'folder' | 'off';
  transfer: 'auto' | 'rsync' | 'tar';
  hipcc: string;
  I: string[];
  D: string[];
  o?: string;
  link: boolean;
  timeout: string;
  connectTimeout: string;
  json: boolean;
  // directory only
  jobs: string;
}

/**
 * What `build` builds, picked after parsing: one directory argument is a project build (make or
 * CMake), anything else a hipcc build of the named files. `hipccFlags` are the arguments after `--`.
 */
export type BuildCommandLine =
  | { mode: 'files'; files: string[]; hipccFlags: string[]; flags: BuildFlags }
  | { mode: 'project'; dir: string; flags: BuildFlags };

/** `validate` flags. */
export interface ValidateFlags {
  config?: string;
  reference?: string;
  candidate?: string;
  case: string[];
  json: boolean;
  reportMd?: string;
  reportJson?: string;
}

/**
 * A parsed command line. `none`: nothing to run (help, version, or a usage error); a usage error
 * of `build` or `validate` is returned in `usageError` (message without commander's `error: `)
 * and not printed, since those commands print their own `hip-porter build: ...` line; other
 * usage errors have already been written to the output.
 */
export type CommandLine =
  | { command: 'port'; paths: string[]; flags: PortFlags }
  | { command: 'scan'; paths: string[]; flags: ScanFlags }
  | { command: 'build'; build: BuildCommandLine }
  | { command: 'validate'; flags: ValidateFlags; /** operands, which `validate` rejects */ extra: string[] }
  | { command: 'none'; exitCode: number; usageError?: { command: 'build' | 'validate'; message: string } };

/** The command-line flag of each engine option, for usage messages. */
export const ENGINE_FLAGS: Readonly<Record<string, string>> = {
  targetRocm: '--target-rocm',
  kernelLaunch: '--kernel-launch',
  libraryTarget: '--library-target',
  experimental: '--experimental',
  includeComments: '--include-comments',
  offloadArch: '--offload-arch',
};

/** Error code of the usage errors this module and the commands raise (exit 2). */
export const USAGE = 'hip-porter.usage';

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

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `build` options that only a hipcc build of files takes. */
const FILES_ONLY: readonly (keyof BuildFlags)[] = ['localRoot', 'sync', 'transfer', 'hipcc', 'I', 'D', 'o', 'link', 'timeout', 'connectTimeout', 'json'];
/** `build` options that only a project (directory) build takes. */
const PROJECT_ONLY: readonly (keyof BuildFlags)[] = ['jobs'];

function usage(message: string): CommanderError {
  return new CommanderError(2, USAGE, message);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The flag a user typed for option `key` of `cmd` (its long name, else its short one). */
function flagOf(cmd: Command, key: string): string {
  const opt = cmd.options.find((o) => o.attributeName() === key);
  return opt?.long ?? opt?.short ?? key;
}

/**
 * Picks the `build` mode from its operands (one directory: project; else files) and rejects the
 * options the other mode takes.
 * @throws CommanderError (code {@link USAGE}) for a directory among several paths, or an option or `--` flags of the other mode
 */
function buildMode(cmd: Command, paths: string[], hipccFlags: string[]): BuildCommandLine {
  const flags = cmd.opts<BuildFlags>();
  const given = (keys: readonly (keyof BuildFlags)[]): string[] => keys.filter((k) => cmd.getOptionValueSource(k) === 'cli').map((k) => flagOf(cmd, k));
  const dirs = paths.filter(isDirectory);
  if (dirs.length > 0) {
    if (paths.length > 1) throw usage(`give one project directory, or HIP source files, not both ('${dirs[0]}' is a directory)`);
    const dir = paths[0]!;
    const wrong = given(FILES_ONLY);
    if (wrong.length) throw usage(`${wrong.join(', ')} ${wrong.length === 1 ? 'applies' : 'apply'} to a build of HIP source files, not to a project directory ('${dir}')`);
    if (hipccFlags.length) throw usage(`hipcc flags after -- apply to a build of HIP source files, not to a project directory ('${dir}'): set them in its Makefile or CMakeLists.txt`);
    return { mode: 'project', dir, flags };
  }
  const wrong = given(PROJECT_ONLY);
  if (wrong.length) throw usage(`${wrong.join(', ')} ${wrong.length === 1 ? 'applies' : 'apply'} to a project directory, not to HIP source files`);
  return { mode: 'files', files: paths, hipccFlags, flags };
}

/**
 * Parses a `hip-porter` command line.
 * @param argv the arguments after `node` and the script, e.g. `['build', 'a.hip', '--', '-O3']`;
 *   for `build`, everything after the first `--` goes to hipcc verbatim
 * @param out receives help, `--version` and commander's error lines for `port`/`scan`
 * @returns the parsed command; never throws for user input, never exits
 */
export function parseCommandLine(argv: readonly string[], out: ParseOutput): CommandLine {
  let result: CommandLine = { command: 'none', exitCode: 0 };
  let active: string | undefined;
  let args = [...argv];
  let hipccFlags: string[] = [];
  if (args[0] === 'build' && args.includes('--')) {
    const dd = args.indexOf('--');
    hipccFlags = args.slice(dd + 1);
    args = args.slice(0, dd);
  }

  const program = new Command('hip-porter')
    .description('Port CUDA code to AMD HIP/ROCm: scan for hazards, translate, build with hipcc, validate the port.')
    .version(VERSION)
    .exitOverride()
    // Error lines are printed below, after knowing which command failed (the subcommands share this configuration).
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s), outputError: () => undefined })
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nRun `hip-porter <command> --help` for the options of a command.\n')
    .hook('preSubcommand', (_program, sub) => {
      active = sub.name();
    });

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
  port.action((paths: string[], flags: PortFlags) => {
    result = { command: 'port', paths, flags };
  });

  const scan = program
    .command('scan')
    .description('report every CUDA porting finding under the given paths')
    .argument('<paths...>', 'files or directories')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--verbose', 'list plain renames too', false);
  engineOptions(scan);
  scan.action((paths: string[], flags: ScanFlags) => {
    result = { command: 'scan', paths, flags };
  });

  program
    .command('build')
    .summary('compile HIP files with hipcc, or build a ported project directory with make or CMake, here or on a ROCm box over SSH')
    .description(
      'Compile HIP sources with hipcc, or build a (ported) project directory (Makefile or CMakeLists.txt) with make or CMake, locally or on a ROCm box over SSH. ' +
        'One directory argument is a project build; file arguments are a hipcc build. Options marked (files) or (directory) apply to that mode only. ' +
        'Flags after `--` go to hipcc verbatim (files). The C++ standard is -std=c++17 (nvcc\'s default) unless those flags or the project (CMAKE_CUDA_STANDARD / CMAKE_CXX_STANDARD in CMakeLists.txt, -std= in a Makefile) choose one.',
    )
    .argument('<files...>', 'HIP source files, or one project directory')
    .option('--remote <host>', 'ssh Host alias (from your ssh config) of the ROCm box; default: build here')
    .option('--remote-dir <dir>', `remote work dir (absolute, or relative to the remote home; default .cache/hip-porter/build for files, ${PROJECT_REMOTE_DIR} for a directory)`)
    .option('--ssh-config <file>', 'ssh config file (ssh -F)')
    .option('--offload-arch <list>', `comma-separated GPU targets, e.g. gfx90a,gfx942 (default: ${DEFAULT_OFFLOAD_ARCH.join(',')} for files, the build's own list for a directory)`)
    .option('--local-root <dir>', '(files) local folder mirrored at the remote dir (default: current dir, if it contains the files)')
    .addOption(new Option('--sync <mode>', '(files) what to copy to the remote').choices(['closure', 'folder', 'off']).default('closure'))
    .addOption(new Option('--transfer <tool>', '(files) how to copy').choices(['auto', 'rsync', 'tar']).default('auto'))
    .option('--hipcc <path>', '(files) hipcc executable', 'hipcc')
    .option('-I <dir>', '(files) include directory (repeatable)', collect, [] as string[])
    .option('-D <def>', '(files) preprocessor definition NAME[=VALUE] (repeatable)', collect, [] as string[])
    .option('-o <out>', '(files) output file')
    .option('--link', '(files) link an executable instead of compiling to an object (-c)', false)
    .option('--timeout <sec>', '(files) compile time limit in seconds', '600')
    .option('--connect-timeout <sec>', '(files) ssh connect timeout in seconds', '10')
    .option('--json', '(files) print one JSON object (result, diagnostics) instead of streaming', false)
    .option('-j, --jobs <n>', '(directory) parallel jobs', '2')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', '\nExit code: hipcc\'s, or the failing step\'s of a project build; 2 usage errors;\n127 hipcc not found; 124 timeout; 130 interrupted; 255 ssh failures.\n')
    .action((paths: string[], _flags: BuildFlags, cmd: Command) => {
      result = { command: 'build', build: buildMode(cmd, paths, hipccFlags) };
    });

  program
    .command('validate')
    .summary('run the CUDA original and the HIP port on the same inputs and compare the outputs')
    .description('Run the CUDA original (reference) and the HIP port (candidate) on the same inputs and compare their outputs, as .vscode/hip-porter-validate.json describes. Exit 0 only when every case passes.')
    .option('--config <file>', `validation config (default ${DEFAULT_VALIDATE_CONFIG})`)
    .option('--reference <host>', 'run the reference side on this ssh Host alias (or "local"), overriding the config')
    .option('--candidate <host>', 'run the candidate side on this ssh Host alias (or "local"), overriding the config')
    .option('--case <name>', 'run only this case (repeatable)', collect, [] as string[])
    .option('--json', 'print the JSON report on stdout', false)
    .option('--report-md <file>', 'also write the Markdown report here')
    .option('--report-json <file>', 'also write the JSON report here')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', '\nExit code: 0 when every case passes; 1 when a case fails, is nondeterministic\nor errs; 2 usage and configuration errors; 130 interrupted.\n')
    .action((flags: ValidateFlags, cmd: Command) => {
      result = { command: 'validate', flags, extra: [...cmd.args] };
    });

  try {
    program.parse(args, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const shown = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
    if (shown) return { command: 'none', exitCode: 0 };
    const message = e.message.replace(/^error: /, '');
    if (active === 'build' || active === 'validate') return { command: 'none', exitCode: 2, usageError: { command: active, message } };
    out.stderr(e.code === USAGE ? `hip-porter: ${message}\n` : `${e.message}\n`);
    return { command: 'none', exitCode: 2 };
  }
  return result;
}
