/**
 * The server's view of the `hipPorter.*` settings: one typed object per document, pulled with
 * `workspace/configuration` (section `hipPorter`, scoped to the document URI), cached per URI and
 * dropped on `workspace/didChangeConfiguration`.
 * Settings: hipPorter.targetRocm, hipPorter.includeComments, hipPorter.severity,
 * hipPorter.exclude, hipPorter.maxFileSizeMB, hipPorter.build.offloadArch (the GPU targets the
 * wavefront-width findings are judged on).
 */
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import type { RuleFamily } from '../core/findings';
import { DEFAULT_OFFLOAD_ARCH, parseOffloadArchList } from '../core/arch';

/** A severity level a user can give a rule family; `off` hides the family. */
export type SeverityLevel = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** Every rule family, in the order the settings UI lists them. */
export const FAMILIES: readonly RuleFamily[] = ['rename', 'api', 'headers', 'launch', 'warp', 'arch', 'asm', 'memory', 'libraries', 'cxx', 'parse'];

const LEVELS: ReadonlySet<string> = new Set(['error', 'warning', 'information', 'hint', 'off']);

/** The settings of one document, every key filled in. */
export interface ServerSettings {
  /** Target ROCm release, `major.minor[.patch]`. Default "6.2". */
  targetRocm: string;
  /** Also rename CUDA names inside comments. Default false. */
  includeComments: boolean;
  /** Severity per rule family; a family that is absent keeps each rule's own default severity. */
  severity: Partial<Record<RuleFamily, SeverityLevel>>;
  /** Glob patterns; documents whose path matches get no diagnostics. Default []. */
  exclude: string[];
  /** Documents over this many megabytes (UTF-8 bytes / 1,048,576) are not analysed. Default 5. */
  maxFileSizeMB: number;
  /** `hipPorter.build.offloadArch`: AMD GPU targets (e.g. `gfx90a`). Default gfx90a and gfx1030 (see src/core/arch.ts). */
  offloadArch: readonly string[];
}

/** The defaults, used for missing or malformed keys and when the client cannot answer `workspace/configuration`. */
export const DEFAULT_SETTINGS: Readonly<ServerSettings> = Object.freeze({
  targetRocm: '6.2',
  includeComments: false,
  severity: {},
  exclude: [],
  maxFileSizeMB: 5,
  offloadArch: DEFAULT_OFFLOAD_ARCH,
});

/**
 * Turns whatever the client sent for section `hipPorter` into {@link ServerSettings}: unknown keys
 * are ignored, malformed values fall back to the default (and are named in `problems` so the
 * caller can log them). Never throws.
 */
export function normalizeSettings(raw: unknown): { settings: ServerSettings; problems: string[] } {
  const problems: string[] = [];
  const s: ServerSettings = { ...DEFAULT_SETTINGS, severity: {}, exclude: [] };
  if (raw === null || raw === undefined) return { settings: s, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`hipPorter settings: expected an object, got ${typeof raw}`);
    return { settings: s, problems };
  }
  const r = raw as Record<string, unknown>;
  if (r['targetRocm'] !== undefined) {
    const v = r['targetRocm'];
    if (typeof v === 'string' && /^\d+(\.\d+){0,2}$/.test(v.trim())) s.targetRocm = v.trim();
    else if (typeof v === 'number' && Number.isFinite(v)) s.targetRocm = String(v);
    else problems.push(`hipPorter.targetRocm: expected a version like "6.2", got ${JSON.stringify(v)}`);
  }
  if (r['includeComments'] !== undefined) {
    if (typeof r['includeComments'] === 'boolean') s.includeComments = r['includeComments'];
    else problems.push(`hipPorter.includeComments: expected true or false`);
  }
  const sev = r['severity'];
  if (sev !== undefined && sev !== null) {
    if (typeof sev === 'object' && !Array.isArray(sev)) {
      for (const [family, level] of Object.entries(sev as Record<string, unknown>)) {
        if (!(FAMILIES as readonly string[]).includes(family)) problems.push(`hipPorter.severity: unknown rule family '${family}'`);
        else if (typeof level !== 'string' || !LEVELS.has(level)) problems.push(`hipPorter.severity.${family}: expected error|warning|information|hint|off`);
        else s.severity[family as RuleFamily] = level as SeverityLevel;
      }
    } else problems.push('hipPorter.severity: expected an object (family → level)');
  }
  const ex = r['exclude'];
  if (ex !== undefined && ex !== null) {
    if (Array.isArray(ex)) {
      for (const g of ex) {
        if (typeof g === 'string' && g.trim()) s.exclude.push(g.trim());
        else problems.push(`hipPorter.exclude: ignoring ${JSON.stringify(g)} (not a glob string)`);
      }
    } else problems.push('hipPorter.exclude: expected an array of glob patterns');
  }
  if (r['maxFileSizeMB'] !== undefined) {
    const v = r['maxFileSizeMB'];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) s.maxFileSizeMB = v;
    else problems.push('hipPorter.maxFileSizeMB: expected a positive number');
  }
  const build = r['build'];
  const arch = typeof build === 'object' && build !== null ? (build as Record<string, unknown>)['offloadArch'] : undefined;
  if (arch !== undefined && arch !== null) {
    if (typeof arch === 'string' || (Array.isArray(arch) && arch.every((a) => typeof a === 'string'))) {
      const parsed = parseOffloadArchList(arch as string | string[]);
      for (const p of parsed.problems) problems.push(`hipPorter.build.offloadArch: ${p}`);
      if (parsed.archs.length) s.offloadArch = parsed.archs;
    } else problems.push('hipPorter.build.offloadArch: expected an array of GPU targets such as "gfx90a"');
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

  private global: ServerSettings = { ...DEFAULT_SETTINGS, severity: {}, exclude: [] };

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
