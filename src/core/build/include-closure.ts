/**
 * The local include closure of a source file: the file plus every header it reaches through
 * `#include "..."` (looked up next to the including file, then in the include dirs, like the C
 * preprocessor's quote search order), and through `#include <...>` when found in one of the
 * given include dirs (project headers on `-I`; system headers are never in the closure).
 * Used by the remote runner to decide which files to copy.
 *
 * Approximation, on purpose: includes inside `#if 0` or behind macros are followed too, computed
 * includes (`#include MACRO`) are not. A missing header is reported, not thrown (the compiler
 * will say so with a proper diagnostic).
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';

/** Result of {@link includeClosure}; all paths absolute. */
export interface IncludeClosure {
  /** The entry files and every header found, each once, entries first, then in discovery order. */
  files: string[];
  /** Quoted includes that were not found locally, as `including-file: name`. */
  missing: string[];
}

const INCLUDE_RE = /^[ \t]*#[ \t]*include[ \t]*(?:"([^"\n]+)"|<([^>\n]+)>)/gm;

/** Removes `/* ... *\/` and `// ...` comments, keeping line structure (string literals are not special-cased). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * Lists the `#include` targets named in `text`: `quoted` for `"..."`, `angled` for `<...>`,
 * in source order, comments ignored.
 */
export function scanIncludes(text: string): { name: string; quoted: boolean }[] {
  const out: { name: string; quoted: boolean }[] = [];
  for (const m of stripComments(text).matchAll(INCLUDE_RE)) {
    if (m[1] !== undefined) out.push({ name: m[1], quoted: true });
    else if (m[2] !== undefined) out.push({ name: m[2], quoted: false });
  }
  return out;
}

/**
 * Computes the include closure of `entries`.
 *
 * @param entries source files (absolute, or relative to `cwd`).
 * @param includeDirs `-I` directories (absolute, or relative to `cwd`), searched in order after the
 *   including file's directory for quoted includes, and alone for angled ones.
 * @param cwd base for relative paths; default `process.cwd()`.
 * @returns absolute paths; cycles and repeated includes are visited once.
 * @throws the fs error when an entry itself cannot be read.
 */
export async function includeClosure(entries: string[], includeDirs: string[] = [], cwd: string = process.cwd()): Promise<IncludeClosure> {
  const dirs = includeDirs.map((d) => resolve(cwd, d));
  const files: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const e of entries) {
    const abs = resolve(cwd, e);
    if (!seen.has(abs)) {
      seen.add(abs);
      files.push(abs);
      queue.push(abs);
    }
  }
  const entrySet = new Set(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (entrySet.has(file)) throw err;
      continue;
    }
    for (const inc of scanIncludes(text)) {
      if (isAbsolute(inc.name)) continue; // absolute includes name system files, not project files
      const candidates: string[] = [];
      if (inc.quoted) candidates.push(resolve(dirname(file), inc.name));
      for (const d of dirs) candidates.push(resolve(d, inc.name));
      let found: string | undefined;
      for (const c of candidates) {
        if (await isFile(c)) {
          found = c;
          break;
        }
      }
      if (found === undefined) {
        if (inc.quoted) missing.push(`${file}: ${inc.name}`);
        continue;
      }
      if (!seen.has(found)) {
        seen.add(found);
        files.push(found);
        queue.push(found);
      }
    }
  }
  return { files, missing };
}
