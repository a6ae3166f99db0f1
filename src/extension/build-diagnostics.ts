/**
 * Build diagnostics in Problems: a DiagnosticCollection named `hipcc` (source `hipcc`), separate from
 * the language server's analysis diagnostics, filled from the engine's parsed hipcc output and
 * cleared when the next build starts. Owns no commands or settings; used by hipcc-task.ts.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { BuildDiagnostic } from '../core/build';
import { diagnosticRange, diagnosticSeverity, groupByFile, type LineRange } from './build-settings';

/** `Diagnostic.source` of every build diagnostic (and the collection's name). */
export const BUILD_DIAGNOSTIC_SOURCE = 'hipcc';

const SEVERITY: Record<ReturnType<typeof diagnosticSeverity>, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

/** Lines of a file: from its open document when there is one (unsaved edits included), else from disk. */
async function fileLines(file: string): Promise<string[] | undefined> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (doc) return Array.from({ length: doc.lineCount }, (_, i) => doc.lineAt(i).text);
  try {
    return (await readFile(file, 'utf8')).split(/\r?\n/);
  } catch {
    return undefined;
  }
}

function toRange(r: LineRange): vscode.Range {
  return new vscode.Range(r.line, r.startCharacter, r.line, r.endCharacter);
}

/** The `hipcc` diagnostic collection and the conversion of build diagnostics into it. */
export class BuildDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(BUILD_DIAGNOSTIC_SOURCE);
  private generation = 0;

  /** Removes every build diagnostic (called when a build starts). */
  clear(): void {
    this.generation++;
    this.collection.clear();
  }

  /**
   * Publishes a build's diagnostics (absolute local paths, 1-based clang positions) on their files.
   * Messages without a file, or on files missing locally, go on `fallbackFile` (the first source)
   * at line 0. `note:` lines become related information (or message text when they name no file).
   * Ignored when another build started (cleared) while the files were being read.
   * @returns the files that got diagnostics
   */
  async publish(diags: readonly BuildDiagnostic[], fallbackFile: string): Promise<vscode.Uri[]> {
    const gen = this.generation;
    const byFile = groupByFile(diags, fallbackFile, (f) => existsSync(f));
    const cache = new Map<string, string[] | undefined>();
    const lines = async (f: string): Promise<string[] | undefined> => {
      if (!cache.has(f)) cache.set(f, await fileLines(f));
      return cache.get(f);
    };
    const entries: Array<[vscode.Uri, vscode.Diagnostic[]]> = [];
    for (const [file, list] of byFile) {
      const text = await lines(file);
      const out: vscode.Diagnostic[] = [];
      for (const d of list) {
        const range = diagnosticRange(d.line, d.column, d.line >= 1 ? text?.[d.line - 1] : text?.[0]);
        const textNotes = d.notes.filter((n) => n.file === undefined || !existsSync(n.file));
        let message = d.fatal ? `${d.message} (fatal)` : d.message;
        for (const n of textNotes) message += `\nnote: ${n.file ? `${n.file}${n.line > 0 ? `:${n.line}` : ''}: ` : ''}${n.message}`;
        const diag = new vscode.Diagnostic(toRange(range), message, SEVERITY[diagnosticSeverity(d)]);
        diag.source = BUILD_DIAGNOSTIC_SOURCE;
        if (d.flag) diag.code = d.flag;
        const related: vscode.DiagnosticRelatedInformation[] = [];
        for (const n of d.notes) {
          if (n.file === undefined || !existsSync(n.file)) continue;
          const nText = await lines(n.file);
          const r = diagnosticRange(n.line, n.column, n.line >= 1 ? nText?.[n.line - 1] : undefined);
          related.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(n.file), toRange(r)), n.message));
        }
        for (const site of d.includedFrom) {
          if (!existsSync(site.file)) continue;
          const sText = await lines(site.file);
          const r = diagnosticRange(site.line, 0, sText?.[site.line - 1]);
          related.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(site.file), toRange(r)), 'included from here'));
        }
        if (related.length > 0) diag.relatedInformation = related;
        out.push(diag);
      }
      entries.push([vscode.Uri.file(file), out]);
    }
    if (gen !== this.generation) return [];
    for (const [uri, list] of entries) this.collection.set(uri, list);
    return entries.map(([uri]) => uri);
  }

  /** The build diagnostics currently shown for `uri`. */
  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    this.collection.dispose();
  }
}
