/**
 * The server's view of the `hipPorter.*` settings: one typed object per document, pulled with
 * `workspace/configuration` (section `hipPorter`, scoped to the document URI), cached per URI and
 * dropped on `workspace/didChangeConfiguration`. Which settings, their defaults and their checks
 * come from the settings table (src/shared/settings.ts, rows read by `server`): the engine settings
 * (hipPorter.targetRocm, hipPorter.includeComments, hipPorter.port.kernelLaunch,
 * hipPorter.port.libraryTarget, hipPorter.port.experimental), hipPorter.severity,
 * hipPorter.exclude and hipPorter.maxFileSizeMB.
 */
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import type { ResolvedEngineOptions } from '../core/engine-options';
import { rawSetting, readSetting, settingDefault, SETTING_KEYS, SETTINGS, type SettingKey, type SettingTypes } from '../shared/settings';

/**
 * The settings of one document, every key filled in: the engine options (the same ones Port File
 * sends, so diagnostics, quick-fixes and ports agree) plus the editor-only ones.
 */
export interface ServerSettings extends ResolvedEngineOptions {
  /** Severity per rule family; a family that is absent keeps each rule's own default severity. */
  severity: SettingTypes['severity'];
  /** Glob patterns; documents whose path matches get no diagnostics. Default []. */
  exclude: string[];
  /** Documents over this many megabytes (UTF-8 bytes / 1,048,576) are not analysed. Default 5. */
  maxFileSizeMB: number;
  /** `hipPorter.build.offloadArch`: AMD GPU targets (e.g. `gfx90a`). Default gfx90a and gfx1030 (see src/core/arch.ts). */
  offloadArch: readonly string[];
}

/** The settings table rows the server reads, with the {@link ServerSettings} field each fills. */
const SERVER_FIELDS: ReadonlyArray<{ key: SettingKey; field: keyof ServerSettings }> = SETTING_KEYS.filter((k) => SETTINGS[k].readers.includes('server')).map((key) => ({
  key,
  field: (SETTINGS[key].engine ?? key) as keyof ServerSettings,
}));

/** Fresh defaults (from the settings table). */
function defaults(): ServerSettings {
  const s: Record<string, unknown> = {};
  for (const { key, field } of SERVER_FIELDS) s[field] = settingDefault(key);
  return s as unknown as ServerSettings;
}

/** The defaults, used for missing or malformed keys and when the client cannot answer `workspace/configuration`. */
export const DEFAULT_SETTINGS: Readonly<ServerSettings> = Object.freeze(defaults());

/**
 * Turns whatever the client sent for section `hipPorter` into {@link ServerSettings}: unknown keys
 * are ignored, malformed values fall back to the default (and are named in `problems` so the
 * caller can log them). Dotted keys are read nested (`port.libraryTarget` from `{ port: { libraryTarget } }`) or flat. Never throws.
 */
export function normalizeSettings(raw: unknown): { settings: ServerSettings; problems: string[] } {
  const problems: string[] = [];
  const s = defaults();
  if (raw === null || raw === undefined) return { settings: s, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`hipPorter settings: expected an object, got ${typeof raw}`);
    return { settings: s, problems };
  }
  for (const { key, field } of SERVER_FIELDS) {
    const r = readSetting(key, rawSetting(raw as Record<string, unknown>, key));
    (s as unknown as Record<string, unknown>)[field] = r.value;
    problems.push(...r.problems);
  }
  return { settings: s, problems };
}

/**
 * Whether a document is excluded by `globs`. Patterns are matched (minimatch, `dot: true`) against
 * the document's file path with `/` separators, absolute and relative to each workspace folder;
 * a pattern without `/` is matched against the base name too (so `*.cuh` works anywhere).
 * Non-`file:` URIs are matched by their path component.
 * @param uri document URI (LSP `DocumentUri`)
 * @param folders workspace folder URIs
 */
export function isExcluded(uri: string, globs: readonly string[], folders: readonly string[]): boolean {
  if (globs.length === 0) return false;
  const path = uriPath(uri);
  if (path === undefined) return false;
  const candidates = [path];
  for (const f of folders) {
    const fp = uriPath(f);
    if (fp === undefined) continue;
    const base = fp.endsWith('/') ? fp : fp + '/';
    if (path.startsWith(base)) candidates.push(path.slice(base.length));
  }
  const name = path.slice(path.lastIndexOf('/') + 1);
  return globs.some((g) => {
    if (!g.includes('/')) return minimatch(name, g, { dot: true });
    return candidates.some((c) => minimatch(c, g, { dot: true }));
  });
}

/** The path of a URI with `/` separators (file: URIs through the OS), or undefined when it is not a URI. */
function uriPath(uri: string): string | undefined {
  try {
    if (uri.startsWith('file:')) return fileURLToPath(uri).split('\\').join('/');
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return undefined;
  }
}

/** Where settings come from: the LSP connection's `workspace/configuration`, or nothing. */
export interface ConfigurationSource {
  /** Returns the raw `hipPorter` section for a resource (may reject). */
  getConfiguration(scopeUri: string): Promise<unknown>;
}

/**
 * Per-URI cache of {@link ServerSettings}. `get` pulls once per URI until {@link SettingsCache.clear};
 * concurrent `get`s for one URI share one request. Problems are reported through `log` once per pull.
 */
export class SettingsCache {
  private readonly cache = new Map<string, Promise<ServerSettings>>();

  /**
   * @param source null when the client does not support `workspace/configuration` (then
   *   {@link SettingsCache.setGlobal} from `didChangeConfiguration` or the defaults apply)
   */
  constructor(
    private readonly source: ConfigurationSource | null,
    private readonly log: (message: string) => void,
  ) {}

  private global: ServerSettings = defaults();

  /** Settings of a document. Never rejects: falls back to the global settings/defaults and logs. */
  get(uri: string): Promise<ServerSettings> {
    const hit = this.cache.get(uri);
    if (hit) return hit;
    const p = this.pull(uri);
    this.cache.set(uri, p);
    return p;
  }

  /** The cached settings of a URI without pulling, or undefined. */
  peek(uri: string): Promise<ServerSettings> | undefined {
    return this.cache.get(uri);
  }

  private async pull(uri: string): Promise<ServerSettings> {
    if (!this.source) return this.global;
    try {
      const raw = await this.source.getConfiguration(uri);
      const { settings, problems } = normalizeSettings(raw);
      for (const p of problems) this.log(p);
      return settings;
    } catch (err) {
      this.log(`cannot read settings for ${uri}: ${(err as Error).message}; using defaults`);
      return this.global;
    }
  }

  /** Settings pushed in `didChangeConfiguration` (used by clients without `workspace/configuration`). */
  setGlobal(raw: unknown): void {
    const { settings, problems } = normalizeSettings(raw);
    for (const p of problems) this.log(p);
    this.global = settings;
  }

  /** Forgets one URI (document closed) or everything (configuration changed). */
  clear(uri?: string): void {
    if (uri === undefined) this.cache.clear();
    else this.cache.delete(uri);
  }
}
