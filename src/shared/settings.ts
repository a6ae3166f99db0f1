/**
 * The table of every `hipPorter.*` setting: its JSON schema (as in package.json
 * `contributes.configuration`, descriptions aside), its default, who reads it, and for engine
 * settings which {@link EngineOptions} key it feeds. The language server's normaliser
 * (src/server/settings.ts) and the extension's config class (src/extension/config.ts) read values
 * through {@link readSetting}; test/unit/manifest.test.ts checks package.json against this table.
 * Adding a setting: a row here → package.json → a getter in config.ts (the server picks up
 * `server` rows by itself).
 * No `vscode` import: shared by the server, the extension and plain-Node tests.
 */
import { parseOffloadArchList } from '../core/arch';
import { parseEngineOption, ROCM_VERSION_RE, type EngineOptions } from '../core/engine-options';
import type { RuleFamily, Severity } from '../core/findings';

/** A severity level a user can give a rule family; `off` hides the family. */
export type SeverityLevel = Severity | 'off';

/** Every rule family, in the order the settings UI lists them. */
export const FAMILIES: readonly RuleFamily[] = ['rename', 'api', 'headers', 'launch', 'warp', 'arch', 'asm', 'memory', 'libraries', 'cxx', 'parse'];

/** The levels of {@link SeverityLevel}. */
export const SEVERITY_LEVELS: readonly SeverityLevel[] = ['error', 'warning', 'information', 'hint', 'off'];

/** The value type of each setting (key without the `hipPorter.` prefix). */
export interface SettingTypes {
  targetRocm: string;
  includeComments: boolean;
  severity: Partial<Record<RuleFamily, SeverityLevel>>;
  exclude: string[];
  maxFileSizeMB: number;
  'port.output': 'sibling' | 'inPlace';
  'port.mode': 'copy' | 'single-source';
  'port.compatHeader': string;
  'port.kernelLaunch': 'keep' | 'hip';
  'port.libraryTarget': 'hip' | 'roc';
  'port.experimental': boolean;
  'agent.enabled': boolean;
  'agent.model': string;
  'agent.baseURL': string;
  'agent.maxSteps': number;
  'agent.maxOutputTokens': number;
  'build.hipccPath': string;
  'build.offloadArch': string[];
  'build.extraFlags': string[];
  'build.includeDirs': string[];
  'build.env': Record<string, string>;
  'build.outputPath': string;
  'build.link': boolean;
  'build.remoteHost': string;
  'build.remoteDir': string;
  'build.sync': boolean;
  'build.sshConfigFile': string;
  'build.timeoutSec': number;
  'build.connectTimeoutSec': number;
  'build.buildAfterAccept': boolean;
  'build.runCommand': string;
}

/** A setting's key without the `hipPorter.` prefix, e.g. `port.libraryTarget`. */
export type SettingKey = keyof SettingTypes;

/** The JSON-schema subset HIP Porter's settings use (package.json's, minus descriptions). */
export interface SettingSchema {
  type: 'string' | 'boolean' | 'number' | 'integer' | 'array' | 'object';
  default: unknown;
  enum?: readonly string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  items?: { type: 'string' };
  properties?: Record<string, { type: 'string'; enum: readonly string[] }>;
  additionalProperties?: boolean | { type: 'string' };
}

/** One row of {@link SETTINGS}. */
export interface SettingSpec<T> {
  /** The schema as package.json contributes it; `default` is the value used when a value is missing or malformed. */
  schema: SettingSchema & { default: T };
  /** `server`: pulled by the language server (workspace/configuration); `extension`: read in the extension host. Engine settings are read by both. */
  readers: ReadonlyArray<'server' | 'extension'>;
  /** The engine option this setting feeds, for engine settings. */
  engine?: keyof EngineOptions;
}

const familyLevels = Object.fromEntries(FAMILIES.map((f) => [f, { type: 'string' as const, enum: SEVERITY_LEVELS }]));
const BOTH = ['server', 'extension'] as const;
const EXT = ['extension'] as const;

/** Every `hipPorter.*` setting. */
export const SETTINGS: { readonly [K in SettingKey]: SettingSpec<SettingTypes[K]> } = {
  targetRocm: { schema: { type: 'string', default: '6.2', pattern: ROCM_VERSION_RE.source }, readers: BOTH, engine: 'targetRocm' },
  includeComments: { schema: { type: 'boolean', default: false }, readers: BOTH, engine: 'includeComments' },
  severity: { schema: { type: 'object', properties: familyLevels, additionalProperties: false, default: {} }, readers: ['server'] },
  exclude: { schema: { type: 'array', items: { type: 'string' }, default: [] }, readers: ['server'] },
  maxFileSizeMB: { schema: { type: 'number', default: 5, minimum: 0.1 }, readers: BOTH },
  'port.output': { schema: { type: 'string', enum: ['sibling', 'inPlace'], default: 'sibling' }, readers: EXT },
  'port.mode': { schema: { type: 'string', enum: ['copy', 'single-source'], default: 'copy' }, readers: EXT },
  'port.compatHeader': { schema: { type: 'string', default: 'hip_compat.h', pattern: '^[\\w.-]+\\.(h|hpp|hh|cuh)$' }, readers: EXT },
  'port.kernelLaunch': { schema: { type: 'string', enum: ['keep', 'hip'], default: 'keep' }, readers: BOTH, engine: 'kernelLaunch' },
  'port.libraryTarget': { schema: { type: 'string', enum: ['hip', 'roc'], default: 'hip' }, readers: BOTH, engine: 'libraryTarget' },
  'port.experimental': { schema: { type: 'boolean', default: false }, readers: BOTH, engine: 'experimental' },
  'agent.enabled': { schema: { type: 'boolean', default: true }, readers: EXT },
  'agent.model': { schema: { type: 'string', default: 'claude-sonnet-5-5' }, readers: EXT },
  'agent.baseURL': { schema: { type: 'string', default: '' }, readers: EXT },
  'agent.maxSteps': { schema: { type: 'integer', default: 12, minimum: 1, maximum: 100 }, readers: EXT },
  'agent.maxOutputTokens': { schema: { type: 'integer', default: 8192, minimum: 256 }, readers: EXT },
  'build.hipccPath': { schema: { type: 'string', default: 'hipcc' }, readers: EXT },
  'build.offloadArch': { schema: { type: 'array', items: { type: 'string' }, default: ['gfx90a', 'gfx1030'] }, readers: BOTH, engine: 'offloadArch' },
  'build.extraFlags': { schema: { type: 'array', items: { type: 'string' }, default: [] }, readers: EXT },
  'build.includeDirs': { schema: { type: 'array', items: { type: 'string' }, default: [] }, readers: EXT },
  'build.env': { schema: { type: 'object', additionalProperties: { type: 'string' }, default: { HIP_PLATFORM: 'amd' } }, readers: EXT },
  'build.outputPath': { schema: { type: 'string', default: '' }, readers: EXT },
  'build.link': { schema: { type: 'boolean', default: false }, readers: EXT },
  'build.remoteHost': { schema: { type: 'string', default: '' }, readers: EXT },
  'build.remoteDir': { schema: { type: 'string', default: '~/hip-porter-builds' }, readers: EXT },
  'build.sync': { schema: { type: 'boolean', default: true }, readers: EXT },
  'build.sshConfigFile': { schema: { type: 'string', default: '' }, readers: EXT },
  'build.timeoutSec': { schema: { type: 'number', default: 600, minimum: 1 }, readers: EXT },
  'build.connectTimeoutSec': { schema: { type: 'number', default: 10, minimum: 1 }, readers: EXT },
  'build.buildAfterAccept': { schema: { type: 'boolean', default: false }, readers: EXT },
  'build.runCommand': { schema: { type: 'string', default: '' }, readers: EXT },
};

/** Every setting key, in table order. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** A fresh copy of a setting's default (arrays and objects are never shared). */
export function settingDefault<K extends SettingKey>(key: K): SettingTypes[K] {
  return structuredClone(SETTINGS[key].schema.default) as SettingTypes[K];
}

/**
 * Checks one setting value against its row of {@link SETTINGS}. Engine settings go through the
 * engine's own {@link parseEngineOption} (so `targetRocm: 6.2` as a JSON number is accepted, as on
 * the CLI); arrays keep their non-empty string items (trimmed) and report the others; `severity`
 * keeps the valid families and reports the others; `build.env` keeps string values.
 * @param value the raw value; `undefined` or `null` means "not set" (the default, no problem)
 * @returns `value` (never shared with the table) and `problems` (`hipPorter.<key>: <why>`, empty when all was well)
 */
export function readSetting<K extends SettingKey>(key: K, value: unknown): { value: SettingTypes[K]; problems: string[] } {
  const spec = SETTINGS[key] as SettingSpec<unknown>;
  const s = spec.schema;
  const name = `hipPorter.${key}`;
  const fallback = (why: string) => ({ value: settingDefault(key), problems: [`${name}: ${why}`] });
  if (value === undefined || value === null) return { value: settingDefault(key), problems: [] };
  if (spec.engine === 'offloadArch' && Array.isArray(value)) {
    // keep the valid targets and report the others, like the other array settings
    const { archs, problems } = parseOffloadArchList(value.filter((v): v is string => typeof v === 'string'));
    const bad = value.filter((v) => typeof v !== 'string').map((v) => `${name}: ignoring ${JSON.stringify(v)} (not a string)`);
    return archs.length ? { value: archs as SettingTypes[K], problems: [...bad, ...problems.map((p) => `${name}: ${p}`)] } : fallback([...bad, ...problems].join('; ') || 'expected at least one AMD GPU target');
  }
  if (spec.engine) {
    const p = parseEngineOption(spec.engine, value);
    return 'problem' in p ? fallback(p.problem) : { value: p.value as SettingTypes[K], problems: [] };
  }
  const got = JSON.stringify(value);
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') return fallback(`expected a string, got ${got}`);
      if (s.enum && !s.enum.includes(value)) return fallback(`expected one of ${s.enum.join('|')}, got ${got}`);
      if (s.pattern && !new RegExp(s.pattern).test(value)) return fallback(`${got} does not match ${s.pattern}`);
      return { value: value as SettingTypes[K], problems: [] };
    case 'boolean':
      return typeof value === 'boolean' ? { value: value as SettingTypes[K], problems: [] } : fallback(`expected true or false, got ${got}`);
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value) || (s.type === 'integer' && !Number.isInteger(value))) return fallback(`expected ${s.type === 'integer' ? 'an integer' : 'a number'}, got ${got}`);
      if (s.minimum !== undefined && value < s.minimum) return fallback(`expected at least ${s.minimum}, got ${got}`);
      if (s.maximum !== undefined && value > s.maximum) return fallback(`expected at most ${s.maximum}, got ${got}`);
      return { value: value as SettingTypes[K], problems: [] };
    }
    case 'array': {
      if (!Array.isArray(value)) return fallback(`expected an array of strings, got ${got}`);
      const out: string[] = [];
      const problems: string[] = [];
      for (const item of value) {
        if (typeof item === 'string' && item.trim()) out.push(item.trim());
        else problems.push(`${name}: ignoring ${JSON.stringify(item)} (not a non-empty string)`);
      }
      return { value: out as SettingTypes[K], problems };
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return fallback(`expected an object, got ${got}`);
      const out: Record<string, string> = {};
      const problems: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const prop = s.properties?.[k];
        if (s.properties && !prop) problems.push(`${name}: unknown key '${k}'`);
        else if (typeof v !== 'string') problems.push(`${name}.${k}: expected a string, got ${JSON.stringify(v)}`);
        else if (prop && !prop.enum.includes(v)) problems.push(`${name}.${k}: expected ${prop.enum.join('|')}, got ${JSON.stringify(v)}`);
        else out[k] = v;
      }
      return { value: out as SettingTypes[K], problems };
    }
  }
}

/**
 * The raw value of `key` in a `hipPorter` section as a client sends it: VS Code nests dotted keys
 * (`{ port: { libraryTarget: 'roc' } }`); a flat `'port.libraryTarget'` key is read too.
 */
export function rawSetting(section: Record<string, unknown>, key: SettingKey): unknown {
  if (section[key] !== undefined) return section[key];
  let v: unknown = section;
  for (const part of key.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}
