/**
 * Typed access to the `hipPorter.*` settings. Keys, defaults and checks come from the settings
 * table (src/shared/settings.ts), which package.json's `contributes.configuration` must equal
 * (test/unit/manifest.test.ts); this class only names them. Read through it, never with scattered
 * `get('...')` calls. A malformed value (hand-edited settings.json, which VS Code already flags
 * against the package.json schema) reads as the table's default.
 */
import * as vscode from 'vscode';
import { pickEngineOptions, type ResolvedEngineOptions } from '../core/engine-options';
import { readSetting, type SettingKey, type SettingTypes } from '../shared/settings';

/** A read-only snapshot of the settings for one resource (or the window). */
export class HipPorterConfig {
  private readonly c: vscode.WorkspaceConfiguration;

  constructor(scope?: vscode.ConfigurationScope) {
    this.c = vscode.workspace.getConfiguration('hipPorter', scope);
  }

  /** One setting, checked against the table (its default when missing or malformed). */
  get<K extends SettingKey>(key: K): SettingTypes[K] {
    return readSetting(key, this.c.get<unknown>(key)).value;
  }

  /** The engine options (the same ones the language server analyses with). */
  get engineOptions(): ResolvedEngineOptions {
    return pickEngineOptions({
      targetRocm: this.targetRocm,
      includeComments: this.includeComments,
      kernelLaunch: this.kernelLaunch,
      libraryTarget: this.libraryTarget,
      experimental: this.experimental,
      offloadArch: this.get('build.offloadArch'),
    });
  }
  get targetRocm(): string {
    return this.get('targetRocm');
  }
  get includeComments(): boolean {
    return this.get('includeComments');
  }
  get severity(): SettingTypes['severity'] {
    return this.get('severity');
  }
  get exclude(): string[] {
    return this.get('exclude');
  }
  get maxFileSizeMB(): number {
    return this.get('maxFileSizeMB');
  }
  /** `sibling`: foo.cu → foo.hip beside it; `inPlace`: overwrite the CUDA file after review. */
  get portOutput(): 'sibling' | 'inPlace' {
    return this.get('port.output');
  }
  /** Port Project: `copy` (`.cu` → `.hip`, HIP-only build) or `single-source` (compat header, `HIP=1` / `USE_HIP` switch). */
  get portMode(): 'copy' | 'single-source' {
    return this.get('port.mode');
  }
  /** Port Project (single-source): the compat header's file name at the project root. */
  get compatHeader(): string {
    return this.get('port.compatHeader');
  }
  get kernelLaunch(): 'keep' | 'hip' {
    return this.get('port.kernelLaunch');
  }
  get libraryTarget(): 'hip' | 'roc' {
    return this.get('port.libraryTarget');
  }
  get experimental(): boolean {
    return this.get('port.experimental');
  }
  get agentEnabled(): boolean {
    return this.get('agent.enabled');
  }
  get agentModel(): string {
    return this.get('agent.model');
  }
  /** Empty string means the SDK default. */
  get agentBaseURL(): string {
    return this.get('agent.baseURL');
  }
  get agentMaxSteps(): number {
    return this.get('agent.maxSteps');
  }
  get agentMaxOutputTokens(): number {
    return this.get('agent.maxOutputTokens');
  }
  get hipccPath(): string {
    return this.get('build.hipccPath');
  }
  get offloadArch(): string[] {
    return this.get('build.offloadArch');
  }
  get extraFlags(): string[] {
    return this.get('build.extraFlags');
  }
  get includeDirs(): string[] {
    return this.get('build.includeDirs');
  }
  get buildEnv(): Record<string, string> {
    return this.get('build.env');
  }
  get outputPath(): string {
    return this.get('build.outputPath');
  }
  get link(): boolean {
    return this.get('build.link');
  }
  get remoteHost(): string {
    return this.get('build.remoteHost');
  }
  get remoteDir(): string {
    return this.get('build.remoteDir');
  }
  get sync(): boolean {
    return this.get('build.sync');
  }
  get sshConfigFile(): string {
    return this.get('build.sshConfigFile');
  }
  /** Compile time limit, seconds. */
  get timeoutSec(): number {
    return this.get('build.timeoutSec');
  }
  /** SSH connect timeout, seconds. */
  get connectTimeoutSec(): number {
    return this.get('build.connectTimeoutSec');
  }
  get buildAfterAccept(): boolean {
    return this.get('build.buildAfterAccept');
  }
  get runCommand(): string {
    return this.get('build.runCommand');
  }
}

/** The settings for a resource (or the window when none). */
export function config(scope?: vscode.ConfigurationScope): HipPorterConfig {
  return new HipPorterConfig(scope);
}
