/**
 * Typed access to the `hipPorter.*` settings (the schema is `contributes.configuration` in
 * package.json). Read through this class only, never with scattered `get('...')` calls.
 * Adding a setting: package.json schema → a getter here → its consumer (server settings are read by
 * the server itself through workspace/configuration).
 */
import * as vscode from 'vscode';

/** Severity level of a rule family, or `off`. */
export type FamilySeverity = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** A read-only snapshot of the settings for one resource (or the window). */
export class HipPorterConfig {
  private readonly c: vscode.WorkspaceConfiguration;

  constructor(scope?: vscode.ConfigurationScope) {
    this.c = vscode.workspace.getConfiguration('hipPorter', scope);
  }

  private get<T>(key: string, def: T): T {
    return this.c.get<T>(key, def);
  }

  get targetRocm(): string {
    return this.get('targetRocm', '6.2');
  }
  get includeComments(): boolean {
    return this.get('includeComments', false);
  }
  get severity(): Record<string, FamilySeverity> {
    return this.get('severity', {});
  }
  get exclude(): string[] {
    return this.get('exclude', []);
  }
  get maxFileSizeMB(): number {
    return this.get('maxFileSizeMB', 5);
  }
  /** `sibling`: foo.cu → foo.hip beside it; `inPlace`: overwrite the CUDA file after review. */
  get portOutput(): 'sibling' | 'inPlace' {
    return this.get('port.output', 'sibling');
  }
  get kernelLaunch(): 'keep' | 'hip' {
    return this.get('port.kernelLaunch', 'keep');
  }
  get libraryTarget(): 'hip' | 'roc' {
    return this.get('port.libraryTarget', 'hip');
  }
  get experimental(): boolean {
    return this.get('port.experimental', false);
  }
  get agentEnabled(): boolean {
    return this.get('agent.enabled', true);
  }
  get agentModel(): string {
    return this.get('agent.model', 'claude-sonnet-5-5');
  }
  /** Empty string means the SDK default. */
  get agentBaseURL(): string {
    return this.get('agent.baseURL', '');
  }
  get agentMaxSteps(): number {
    return this.get('agent.maxSteps', 12);
  }
  get agentMaxOutputTokens(): number {
    return this.get('agent.maxOutputTokens', 8192);
  }
  get hipccPath(): string {
    return this.get('build.hipccPath', 'hipcc');
  }
  get offloadArch(): string[] {
    return this.get('build.offloadArch', ['gfx90a', 'gfx1030']);
  }
  get extraFlags(): string[] {
    return this.get('build.extraFlags', []);
  }
  get includeDirs(): string[] {
    return this.get('build.includeDirs', []);
  }
  get buildEnv(): Record<string, string> {
    return this.get('build.env', { HIP_PLATFORM: 'amd' });
  }
  get outputPath(): string {
    return this.get('build.outputPath', '');
  }
  get link(): boolean {
    return this.get('build.link', false);
  }
  get remoteHost(): string {
    return this.get('build.remoteHost', '');
  }
  get remoteDir(): string {
    return this.get('build.remoteDir', '~/hip-porter-builds');
  }
  get sync(): boolean {
    return this.get('build.sync', true);
  }
  get sshConfigFile(): string {
    return this.get('build.sshConfigFile', '');
  }
  /** Compile time limit, seconds. */
  get timeoutSec(): number {
    return this.get('build.timeoutSec', 600);
  }
  /** SSH connect timeout, seconds. */
  get connectTimeoutSec(): number {
    return this.get('build.connectTimeoutSec', 10);
  }
  get buildAfterAccept(): boolean {
    return this.get('build.buildAfterAccept', false);
  }
  get runCommand(): string {
    return this.get('build.runCommand', '');
  }
}

/** The settings for a resource (or the window when none). */
export function config(scope?: vscode.ConfigurationScope): HipPorterConfig {
  return new HipPorterConfig(scope);
}
