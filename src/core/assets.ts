/**
 * Locates runtime assets (tree-sitter wasm files, mappings JSON) relative to the running bundle.
 * In `dist/*.js` they sit beside the bundle (copied by scripts/build.mjs); when running from
 * sources (tests through tsx) they are found in the repository (`mappings/`, `node_modules/`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

let overrideDir: string | undefined;

/** Forces the asset directory (e.g. the extension's `dist/` from `ExtensionContext.extensionPath`). */
export function setAssetDir(dir: string): void {
  overrideDir = dir;
}

function candidates(rel: string[]): string[] {
  const bases = [overrideDir, __dirname, join(__dirname, '..'), join(__dirname, '..', '..')].filter(
    (b): b is string => !!b,
  );
  return bases.flatMap((b) => rel.map((r) => join(b, r)));
}

function find(what: string, rel: string[]): string {
  for (const c of candidates(rel)) if (existsSync(c)) return c;
  throw new Error(`HIP Porter: cannot find ${what} (looked for ${rel.join(', ')} near ${__dirname}). Run "npm run build".`);
}

/** Absolute path of web-tree-sitter's runtime `tree-sitter.wasm`. Throws when missing. */
export function treeSitterWasmPath(): string {
  return find('tree-sitter.wasm', ['tree-sitter.wasm', 'node_modules/web-tree-sitter/tree-sitter.wasm']);
}

/** Absolute path of the CUDA grammar `tree-sitter-cuda.wasm`. Throws when missing. */
export function cudaGrammarWasmPath(): string {
  return find('tree-sitter-cuda.wasm', ['tree-sitter-cuda.wasm', 'node_modules/tree-sitter-cuda/tree-sitter-cuda.wasm']);
}

/** Absolute path of the directory holding `mappings/*.json`. Throws when missing. */
export function mappingsDir(): string {
  return find('mappings/', ['mappings/runtime.json', 'dist/mappings/runtime.json']).replace(/[\\/]runtime\.json$/, '');
}
