/**
 * The validation run configuration (`.vscode/hip-porter-validate.json`): its types, loading and
 * checking against the committed JSON schema (media/schemas/hip-porter-validate.schema.json, the
 * same file package.json contributes through `jsonValidation` so VS Code completes and checks it),
 * and the resolved form the runner uses (defaults filled in, paths absolute).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import schema from '../../../media/schemas/hip-porter-validate.schema.json';

/** Workspace-relative path of the configuration file looked for by default. */
export const DEFAULT_CONFIG_PATH = '.vscode/hip-porter-validate.json';

/** Element types of raw arrays (little-endian). */
export type Dtype = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8';

/** Tolerance of float comparisons; see the schema's `tolerance` for the rule. */
export interface Tolerance {
  /** Absolute tolerance (default 0). */
  abs?: number;
  /** Relative tolerance, a fraction of |reference| (default 0). */
  rel?: number;
  /** ULPs of the output's float type (default 0; ignored for text numbers). */
  ulps?: number;
  /** NaN policy (default `equal`). */
  nan?: 'equal' | 'ignore' | 'fail';
  /** Signed-zero policy (default `equal`: -0 matches +0). */
  signedZero?: 'equal' | 'distinct';
}

/** A tolerance with every field set. */
export type FullTolerance = Required<Tolerance>;

/** One output to compare, as written in the file. */
export interface OutputSpec {
  stdout?: boolean;
  file?: string;
  format: 'text' | 'raw' | 'npy';
  dtype?: Dtype;
  shape?: number[];
  offsetBytes?: number;
  ignoreLines?: string[];
  integers?: 'exact' | 'tolerance';
  tolerance?: Tolerance;
}

/** One side (reference or candidate), as written in the file. */
export interface SideSpec {
  host?: string;
  dir?: string;
  remoteDir?: string;
  sync?: boolean;
  build?: string;
  buildTimeLimitSec?: number;
  env?: Record<string, string>;
  sshConfigFile?: string;
  connectTimeoutSec?: number;
}

/** One case, as written in the file. */
export interface CaseSpec {
  name: string;
  command: string;
  args?: string[];
  reference?: { command?: string; args?: string[] };
  candidate?: { command?: string; args?: string[] };
  cwd?: string;
  inputs?: Array<string | { from: string; to?: string }>;
  outputs: OutputSpec[];
  tolerance?: Tolerance;
  timeLimitSec?: number;
  expectExitCode?: number;
  sources?: string[];
}

/** The whole file. */
export interface ValidateConfigFile {
  mode?: 'cuda-vs-hip' | 'hip-vs-hip';
  reference: SideSpec;
  candidate: SideSpec;
  runsPerSide?: number;
  outDir?: string;
  tolerance?: Tolerance;
  timeLimitSec?: number;
  cases: CaseSpec[];
}

/** Which side. */
export type SideName = 'reference' | 'candidate';

/** A side with defaults applied. `host` is `local` or an ssh host; `dir` is an absolute local path. */
export interface ResolvedSide {
  name: SideName;
  host: string;
  dir: string;
  remoteDir: string;
  sync: boolean;
  build: string;
  buildTimeoutMs: number;
  env: Record<string, string>;
  sshConfigFile?: string;
  connectTimeoutSec?: number;
}

/** An output with defaults applied (`name` is `stdout` or the file path). */
export interface ResolvedOutput {
  name: string;
  stdout: boolean;
  file?: string;
  format: 'text' | 'raw' | 'npy';
  dtype?: Dtype;
  shape?: number[];
  offsetBytes: number;
  ignoreLines: RegExp[];
  integers: 'exact' | 'tolerance';
  tolerance: FullTolerance;
}

/** A case with defaults applied; `inputs` are absolute local paths with their names in the case folder. */
export interface ResolvedCase {
  name: string;
  command: Record<SideName, { command: string; args: string[] }>;
  cwd: string;
  inputs: Array<{ from: string; to: string }>;
  outputs: ResolvedOutput[];
  timeoutMs: number;
  expectExitCode: number;
  sources: string[];
}

/** The configuration the runner uses. */
export interface ValidateConfig {
  /** Absolute path of the file it came from ('' when built in memory). */
  configPath: string;
  /** Folder relative paths are resolved against (absolute). */
  root: string;
  mode: 'cuda-vs-hip' | 'hip-vs-hip';
  reference: ResolvedSide;
  candidate: ResolvedSide;
  runsPerSide: number;
  /** Absolute local folder of fetched outputs and reports. */
  outDir: string;
  cases: ResolvedCase[];
}

/** A configuration that does not load or does not match the schema; `message` lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string, readonly problems: string[] = []) {
    super(message);
  }
}

let compiled: ValidateFunction<ValidateConfigFile> | undefined;
/** The schema's validator, compiled on first use (keeps it out of extension activation). */
function validateSchema(): ValidateFunction<ValidateConfigFile> {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile<ValidateConfigFile>(schema);
  return compiled;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(top level)' : e.instancePath;
  if (e.keyword === 'additionalProperties') return `${where}: unknown property "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
  if (e.keyword === 'enum') return `${where}: ${e.message} (${((e.params as { allowedValues: unknown[] }).allowedValues).map(String).join(', ')})`;
  return `${where}: ${e.message ?? e.keyword}`;
}

/**
 * Checks `data` against the schema.
 * @returns the problems as `path: message` lines (empty when valid)
 */
export function schemaProblems(data: unknown): string[] {
  const validate = validateSchema();
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of validate.errors ?? []) {
    // oneOf/anyOf branches repeat their inner errors; the summary line says enough.
    if (e.keyword === 'if') continue;
    const line = describe(e);
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}

/** The folder relative paths of a config at `configPath` refer to: the parent of `.vscode/`, else the file's folder. */
export function configRoot(configPath: string): string {
  const dir = dirname(resolve(configPath));
  return basename(dir) === '.vscode' ? dirname(dir) : dir;
}

const DEFAULT_TOLERANCE: FullTolerance = { abs: 0, rel: 0, ulps: 0, nan: 'equal', signedZero: 'equal' };

function merge(...ts: Array<Tolerance | undefined>): FullTolerance {
  return Object.assign({}, DEFAULT_TOLERANCE, ...ts.filter(Boolean)) as FullTolerance;
}

/** Overrides from the command line or the UI: hosts replacing those of the file. */
export interface ConfigOverrides {
  referenceHost?: string;
  candidateHost?: string;
}

/**
 * Checks `data` and fills in the defaults.
 * @param data the parsed JSON
 * @param root folder for relative paths (absolute)
 * @param configPath recorded in the result
 * @throws ConfigError listing every schema problem, bad regular expressions, duplicate case names
 *   and raw outputs without a dtype
 */
export function resolveConfig(data: unknown, root: string, configPath = '', overrides: ConfigOverrides = {}): ValidateConfig {
  const problems = schemaProblems(data);
  if (problems.length > 0) {
    throw new ConfigError(`${configPath || 'validation config'} does not match the schema:\n  ${problems.join('\n  ')}`, problems);
  }
  const file = data as ValidateConfigFile;
  const more: string[] = [];
  const side = (name: SideName, s: SideSpec, hostOverride?: string): ResolvedSide => {
    const host = hostOverride ?? s.host ?? 'local';
    if (host.startsWith('-') || /\s/.test(host) || host === '') more.push(`${name}: invalid host "${host}"`);
    const r: ResolvedSide = {
      name,
      host,
      dir: resolve(root, s.dir ?? '.'),
      remoteDir: s.remoteDir ?? `.cache/hip-porter/validate/${name}`,
      sync: s.sync ?? true,
      build: s.build ?? '',
      buildTimeoutMs: (s.buildTimeLimitSec ?? 1800) * 1000,
      env: s.env ?? {},
    };
    if (s.sshConfigFile) r.sshConfigFile = resolve(root, s.sshConfigFile);
    if (s.connectTimeoutSec) r.connectTimeoutSec = s.connectTimeoutSec;
    return r;
  };
  const names = new Set<string>();
  const cases = file.cases.map((c): ResolvedCase => {
    if (names.has(c.name)) more.push(`cases: the name "${c.name}" is used twice`);
    names.add(c.name);
    const outNames = new Set<string>();
    const outputs = c.outputs.map((o, i): ResolvedOutput => {
      const where = `cases/${c.name}/outputs/${i}`;
      if (o.format === 'raw' && !o.dtype) more.push(`${where}: a raw output needs a dtype`);
      if (o.stdout && o.format !== 'text') more.push(`${where}: stdout is compared as text`);
      if (o.file !== undefined && (isAbsolute(o.file) || o.file.split(/[\\/]/).includes('..'))) more.push(`${where}: the file must be a path inside the case folder`);
      const name = o.stdout ? 'stdout' : o.file!;
      if (outNames.has(name)) more.push(`${where}: ${name} is compared twice`);
      outNames.add(name);
      const ignoreLines: RegExp[] = [];
      for (const p of o.ignoreLines ?? []) {
        try {
          ignoreLines.push(new RegExp(p));
        } catch (e) {
          more.push(`${where}/ignoreLines: ${(e as Error).message}`);
        }
      }
      const r: ResolvedOutput = {
        name,
        stdout: !!o.stdout,
        format: o.format,
        offsetBytes: o.offsetBytes ?? 0,
        ignoreLines,
        integers: o.integers ?? 'exact',
        tolerance: merge(file.tolerance, c.tolerance, o.tolerance),
      };
      if (o.file !== undefined) r.file = o.file;
      if (o.dtype) r.dtype = o.dtype;
      if (o.shape) r.shape = o.shape;
      return r;
    });
    const cmd = (s: SideName): { command: string; args: string[] } => ({
      command: c[s]?.command ?? c.command,
      args: c[s]?.args ?? c.args ?? [],
    });
    return {
      name: c.name,
      command: { reference: cmd('reference'), candidate: cmd('candidate') },
      cwd: c.cwd ?? '.',
      inputs: (c.inputs ?? []).map((inp) => {
        const from = typeof inp === 'string' ? inp : inp.from;
        const to = typeof inp === 'string' ? basename(inp) : inp.to ?? basename(inp.from);
        if (isAbsolute(to) || to.split(/[\\/]/).includes('..')) more.push(`cases/${c.name}/inputs: "${to}" must stay inside the case folder`);
        return { from: resolve(root, from), to };
      }),
      outputs,
      timeoutMs: (c.timeLimitSec ?? file.timeLimitSec ?? 600) * 1000,
      expectExitCode: c.expectExitCode ?? 0,
      sources: (c.sources ?? []).map((s) => resolve(root, s)),
    };
  });
  if (more.length > 0) throw new ConfigError(`${configPath || 'validation config'} has problems:\n  ${more.join('\n  ')}`, more);
  return {
    configPath,
    root,
    mode: file.mode ?? 'cuda-vs-hip',
    reference: side('reference', file.reference, overrides.referenceHost),
    candidate: side('candidate', file.candidate, overrides.candidateHost),
    runsPerSide: file.runsPerSide ?? 2,
    outDir: resolve(root, file.outDir ?? '.hip-porter-validate'),
    cases,
  };
}

/**
 * Reads, parses and checks the configuration file at `path`.
 * @throws ConfigError when the file is missing, is not JSON (with the parser's message), or has problems
 */
export function loadConfig(path: string, overrides: ConfigOverrides = {}): ValidateConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `No validation config at ${abs}. Create it (see the README, "Validate a port").` : `Cannot read ${abs}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ConfigError(`${abs} is not valid JSON: ${(e as Error).message}`);
  }
  return resolveConfig(data, configRoot(abs), abs, overrides);
}

/**
 * A starter configuration (the text written by "HIP Porter: Validate Port" when the workspace has
 * none): the CUDA original built and run on a CUDA box, the port on a ROCm box, one case comparing
 * stdout (numbers with a tolerance, timing lines left out) and one float32 output file.
 */
export const EXAMPLE_CONFIG = `{
  "reference": { "host": "cuda-box", "dir": ".", "build": "make cuda" },
  "candidate": { "host": "rocm-box", "dir": ".", "build": "make hip HIP_ARCH=gfx90a" },
  "tolerance": { "rel": 1e-5, "abs": 1e-7 },
  "cases": [
    {
      "name": "small",
      "command": "./app",
      "candidate": { "command": "./app-hip" },
      "args": ["-n", "4096", "-o", "result.bin"],
      "timeLimitSec": 120,
      "outputs": [
        { "stdout": true, "format": "text", "ignoreLines": ["ms\\\\b", "GFLOP/s", "device"] },
        { "file": "result.bin", "format": "raw", "dtype": "float32" }
      ]
    }
  ]
}
`;
