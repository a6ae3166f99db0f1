/**
 * Seeded mutations of CUDA source bytes for fuzzing the porting path (test/unit/fuzz.test.ts and
 * bench/fuzz-bench.ts): deleted and duplicated lines, truncation, NUL and invalid UTF-8 bytes,
 * unbalanced braces, parentheses and `#if`, very long lines and deep nesting. Deterministic for a
 * seed (mulberry32), so a failure names the seed that reproduces it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { decodeSource } from '../../src/core/files';
import { translate } from '../../src/core/translate';

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

function lines(b: Buffer): string[] {
  return b.toString('latin1').split('\n');
}
function join1(ls: string[]): Buffer {
  return Buffer.from(ls.join('\n'), 'latin1');
}
function insertAt(b: Buffer, at: number, ins: Buffer): Buffer {
  return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
}

/** One mutation: a name (for reports) and the function. */
export interface Mutator {
  name: string;
  apply(b: Buffer, r: Rand): Buffer;
}

/** Every mutation kind. Lines are handled as Latin-1 so bytes pass through unchanged. */
export const MUTATORS: readonly Mutator[] = [
  {
    name: 'delete-lines',
    apply: (b, r) => {
      const ls = lines(b);
      for (let k = int(r, 1, 5); k > 0 && ls.length > 1; k--) ls.splice(int(r, 0, ls.length - 1), int(r, 1, 3));
      return join1(ls);
    },
  },
  {
    name: 'duplicate-lines',
    apply: (b, r) => {
      const ls = lines(b);
      for (let k = int(r, 1, 5); k > 0; k--) {
        const i = int(r, 0, ls.length - 1);
        ls.splice(i, 0, ...ls.slice(i, i + int(r, 1, 4)));
      }
      return join1(ls);
    },
  },
  { name: 'truncate', apply: (b, r) => b.subarray(0, int(r, 0, b.length)) },
  { name: 'nul-byte', apply: (b, r) => insertAt(b, int(r, 0, b.length), Buffer.from([0])) },
  { name: 'invalid-utf8', apply: (b, r) => insertAt(b, int(r, 0, b.length), Buffer.from(pick(r, [[0xff], [0xc3], [0x80, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]))) },
  {
    name: 'unbalanced-brace',
    apply: (b, r) => {
      let out = b;
      for (let k = int(r, 1, 4); k > 0; k--) out = insertAt(out, int(r, 0, out.length), Buffer.from(pick(r, ['{', '}', '(', ')', '[', ']', '<<<', '>>>', '"', "'", '/*'])));
      return out;
    },
  },
  {
    name: 'unbalanced-if',
    apply: (b, r) => {
      const ls = lines(b);
      for (let k = int(r, 1, 3); k > 0; k--) ls.splice(int(r, 0, ls.length), 0, pick(r, ['#if 1', '#ifdef __CUDA_ARCH__', '#endif', '#else', '#elif defined(__CUDACC__)', '#if']));
      return join1(ls);
    },
  },
  {
    name: 'long-line',
    apply: (b, r) => {
      const unit = pick(r, ['f(1, cudaMalloc(', 'x + ', '0x1db71064, ', '__shfl_down_sync(0xffffffff, v, 1) + ', 'a', '"str" ']);
      const n = int(r, 20_000, 200_000);
      const line = unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
      const ls = lines(b);
      ls.splice(int(r, 0, ls.length), 0, line);
      return join1(ls);
    },
  },
  {
    name: 'deep-nesting',
    apply: (b, r) => {
      const depth = int(r, 500, 5000);
      const [o, c] = pick(r, [['{', '}'], ['(', ')'], ['[', ']'], ['#if 1\n', '#endif\n'], ['{ if (x) ', '}']]);
      const ins = o!.repeat(depth) + (r() < 0.5 ? c!.repeat(depth) : c!.repeat(int(r, 0, depth)));
      return insertAt(b, int(r, 0, b.length), Buffer.from(ins));
    },
  },
];

/** The `.cu`/`.cuh`/`.h` files under some folders (recursively), as bytes, sorted by path. */
export function corpus(dirs: readonly string[]): Array<{ path: string; bytes: Buffer }> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && ['.cu', '.cuh', '.h', '.hip'].includes(extname(name)) && st.size < 2_000_000) out.push({ path: p, bytes: readFileSync(p) });
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

/** The outcome of one fuzz case. */
export interface FuzzOutcome {
  seed: number;
  file: string;
  mutations: string[];
  /** `refused`: decoding refused it with a message (binary, invalid UTF-8); `ported`: translated. */
  result: 'refused' | 'ported';
  /** Set when translating the output again changed it (only checked when the parse finished in budget). */
  notIdempotent?: boolean;
  /** True when the parse ran over the budget and the translation was token-level. */
  tokenLevel?: boolean;
  ms: number;
}

/**
 * Runs one case: mutates a corpus file (1-3 mutations chosen by `seed`), decodes it as the CLI does
 * and translates it with a parse budget, then checks idempotence. Throws only on a crash.
 */
export function fuzzCase(files: ReadonlyArray<{ path: string; bytes: Buffer }>, seed: number, parseBudgetMs: number): FuzzOutcome {
  const r = rng(seed);
  const f = files[Math.floor(r() * files.length)]!;
  let b = f.bytes;
  const names: string[] = [];
  for (let k = int(r, 1, 3); k > 0; k--) {
    const m = pick(r, MUTATORS);
    b = m.apply(b, r);
    names.push(m.name);
  }
  const t0 = performance.now();
  const dec = decodeSource(b, f.path);
  if (!dec.ok) return { seed, file: f.path, mutations: names, result: 'refused', ms: performance.now() - t0 };
  const first = translate(dec.text, { parseBudgetMs });
  const out: FuzzOutcome = { seed, file: f.path, mutations: names, result: 'ported', ms: 0 };
  if (first.analysis.parseTimedOut) out.tokenLevel = true;
  else {
    const second = translate(first.text, { parseBudgetMs });
    if (!second.analysis.parseTimedOut && second.text !== first.text) out.notIdempotent = true;
  }
  out.ms = performance.now() - t0;
  return out;
}
