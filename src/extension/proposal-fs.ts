/**
 * A writable in-memory file system (scheme `hip-porter-proposal`) that holds proposals under review,
 * so the right side of the review diff is a real, editable document that never touches the disk.
 * URIs look like `hip-porter-proposal:/<review id>/<target file name>`; the file name's extension
 * picks the language (e.g. `.hip`).
 */
import * as vscode from 'vscode';

/** URI scheme of proposal documents. */
export const PROPOSAL_SCHEME = 'hip-porter-proposal';

interface Entry {
  data: Uint8Array;
  ctime: number;
  mtime: number;
}

/** The provider: a flat map of files; every parent path is reported as a directory. */
export class ProposalFs implements vscode.FileSystemProvider {
  private readonly files = new Map<string, Entry>();
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  /** Creates or replaces a proposal file (in memory only). */
  set(uri: vscode.Uri, text: string): void {
    const now = Date.now();
    const existed = this.files.get(uri.path);
    this.files.set(uri.path, { data: new TextEncoder().encode(text), ctime: existed?.ctime ?? now, mtime: now });
    this.emitter.fire([{ type: existed ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }]);
  }

  /** The stored text of a proposal file (not its unsaved editor state), or undefined. */
  text(uri: vscode.Uri): string | undefined {
    const e = this.files.get(uri.path);
    return e ? new TextDecoder().decode(e.data) : undefined;
  }

  /** Removes a proposal file. */
  remove(uri: vscode.Uri): void {
    if (this.files.delete(uri.path)) this.emitter.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const e = this.files.get(uri.path);
    if (e) return { type: vscode.FileType.File, ctime: e.ctime, mtime: e.mtime, size: e.data.byteLength };
    if (this.isDir(uri.path)) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  private isDir(path: string): boolean {
    const prefix = path.endsWith('/') ? path : path + '/';
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    const prefix = uri.path.endsWith('/') ? uri.path : uri.path + '/';
    const out = new Map<string, vscode.FileType>();
    for (const k of this.files.keys()) {
      if (!k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      const slash = rest.indexOf('/');
      out.set(slash === -1 ? rest : rest.slice(0, slash), slash === -1 ? vscode.FileType.File : vscode.FileType.Directory);
    }
    return [...out];
  }

  createDirectory(): void {
    // Directories are implicit.
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const e = this.files.get(uri.path);
    if (!e) throw vscode.FileSystemError.FileNotFound(uri);
    return e.data;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): void {
    const e = this.files.get(uri.path);
    if (!e && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
    if (e && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
    const now = Date.now();
    this.files.set(uri.path, { data: content.slice(), ctime: e?.ctime ?? now, mtime: now });
    this.emitter.fire([{ type: e ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }]);
  }

  delete(uri: vscode.Uri): void {
    if (!this.files.has(uri.path)) throw vscode.FileSystemError.FileNotFound(uri);
    this.remove(uri);
  }

  rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { overwrite: boolean }): void {
    const e = this.files.get(oldUri.path);
    if (!e) throw vscode.FileSystemError.FileNotFound(oldUri);
    if (this.files.has(newUri.path) && !options.overwrite) throw vscode.FileSystemError.FileExists(newUri);
    this.files.delete(oldUri.path);
    this.files.set(newUri.path, e);
    this.emitter.fire([
      { type: vscode.FileChangeType.Deleted, uri: oldUri },
      { type: vscode.FileChangeType.Created, uri: newUri },
    ]);
  }
}

/** Registers the provider (case-sensitive, writable) and returns it. */
export function registerProposalFs(subscriptions: vscode.Disposable[]): ProposalFs {
  const fs = new ProposalFs();
  subscriptions.push(vscode.workspace.registerFileSystemProvider(PROPOSAL_SCHEME, fs, { isCaseSensitive: true }));
  return fs;
}
