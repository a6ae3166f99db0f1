/**
 * Element-wise comparison of numeric arrays with tolerances, fed chunk by chunk so that a 100 MB
 * output never needs more than one chunk of each side in memory.
 *
 * Float rule (per element, reference r, candidate c): NaN and signed-zero policies first (see
 * {@link Tolerance}); then c passes when |c - r| <= abs + rel * |r|, or when the ULP distance of the
 * two values in the output's float type is <= ulps. Infinities pass only against the same infinity.
 * Integers (int32, int64, uint8) are exact. ULP distance follows the usual ordered-integer mapping
 * of IEEE 754 binary32/binary64 bit patterns (-0 and +0 are 0 ULPs apart).
 */
import type { Dtype, FullTolerance } from './config';

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Record<Dtype, number> = { float32: 4, float64: 8, int32: 4, int64: 8, uint8: 1 };

/** Number of bins of the error histogram: bin 0 holds exact matches, bin k (1..) holds |error| in [10^(k-1+MIN), 10^(k+MIN)). */
export const HISTOGRAM_MIN_EXP = -16;
/** Decades covered by the histogram (1e-16 .. 1e+8); errors beyond land in the last bin. */
export const HISTOGRAM_DECADES = 24;
/** DECADE_UPPER[k] = 10^(k + HISTOGRAM_MIN_EXP): the (exclusive) upper bound of histogram bin k. */
const DECADE_UPPER: number[] = Array.from({ length: HISTOGRAM_DECADES + 1 }, (_, k) => Number(`1e${k + HISTOGRAM_MIN_EXP}`));
/** Heat map resolution: at most this many cells per axis. */
export const HEATMAP_MAX = 64;

/** Statistics of one numeric output. Indices are 0-based flat (row-major) element indices. */
export interface NumericStats {
  /** Elements compared (after the NaN policy dropped any). */
  count: number;
  /** Elements skipped by `nan: "ignore"`. */
  skipped: number;
  /** Largest |c - r| over finite pairs, and where. */
  maxAbsError: number;
  maxAbsIndex: number;
  /** Largest |c - r| / |r| over finite pairs with r != 0, and where. */
  maxRelError: number;
  maxRelIndex: number;
  /** Largest ULP distance over finite float pairs (0 for integers). */
  maxUlps: number;
  /** Elements that fail the tolerance (NaN/Inf/sign mismatches included). */
  overTolerance: number;
  /** First failing element, or -1. */
  firstOverIndex: number;
  /** Reference and candidate values at `firstOverIndex` (numbers; int64 as numbers may round). */
  firstOver?: { reference: number; candidate: number };
  /** NaN on one side only (or on any side under `nan: "fail"`). */
  nanMismatches: number;
  /** An infinity against a different value. */
  infMismatches: number;
  /** -0 against +0 under `signedZero: "distinct"`. */
  signedZeroMismatches: number;
  /** Elements whose bits differ (even when within tolerance). */
  bitDifferences: number;
  /** Counts of |error| per decade: [exact, 1e-16.., ..., >=1e+7]; see {@link HISTOGRAM_MIN_EXP}. */
  histogram: number[];
  /** For 2D outputs: max |error| per cell of a grid over the array (rows × cols cells, row-major); NaN/Inf mismatches count as Infinity. */
  heatmap?: { rows: number; cols: number; cellRows: number; cellCols: number; maxAbs: number[] };
}

/** IEEE 754 binary32 bits of `x` → ordered integer (monotone in the value; ±0 → 0). */
function ordered32(bits: number): number {
  return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
}

/**
 * ULP distance of two float32 values given as their bit patterns (uint32).
 * @returns the number of representable float32 values between them (0 for -0 vs +0)
 */
export function ulpDistance32(aBits: number, bBits: number): number {
  return Math.abs(ordered32(aBits >>> 0) - ordered32(bBits >>> 0));
}

/**
 * ULP distance of two float64 values given as their (hi, lo) uint32 words (little-endian layout
 * read as two words). Exact up to 2^53; larger distances are approximate (they fail any sane ulps).
 */
export function ulpDistance64(aHi: number, aLo: number, bHi: number, bLo: number): number {
  const sa = aHi & 0x80000000 ? -1 : 1;
  const sb = bHi & 0x80000000 ? -1 : 1;
  const ha = aHi & 0x7fffffff;
  const hb = bHi & 0x7fffffff;
  // Magnitudes reach 2^63: subtract word by word so that small distances stay exact.
  if (sa === sb) return Math.abs((ha - hb) * 4294967296 + ((aLo >>> 0) - (bLo >>> 0)));
  return ha * 4294967296 + (aLo >>> 0) + hb * 4294967296 + (bLo >>> 0);
}

/** ULP distance of two JavaScript numbers as float32 / float64 values. */
export function ulpDistance(a: number, b: number, dtype: 'float32' | 'float64'): number {
  if (dtype === 'float32') {
    const f = new Float32Array([a, b]);
    const u = new Uint32Array(f.buffer);
    return ulpDistance32(u[0]!, u[1]!);
  }
  const f = new Float64Array([a, b]);
  const u = new Uint32Array(f.buffer);
  return ulpDistance64(u[1]!, u[0]!, u[3]!, u[2]!);
}

/** Accumulates {@link NumericStats} over chunks of two arrays of the same dtype. */
export class NumericComparer {
  readonly stats: NumericStats;
  private index = 0;
  private lastBin = 1;
  private readonly grid?: { cols: number; cellRows: number; cellCols: number; gridCols: number; cells: number[] };

  /**
   * @param dtype element type of both sides
   * @param tol tolerance (ignored for integer dtypes, which are exact)
   * @param shape array shape; a 2D shape enables the heat map
   */
  constructor(
    readonly dtype: Dtype,
    readonly tol: FullTolerance,
    shape?: readonly number[],
  ) {
    this.stats = {
      count: 0,
      skipped: 0,
      maxAbsError: 0,
      maxAbsIndex: -1,
      maxRelError: 0,
      maxRelIndex: -1,
      maxUlps: 0,
      overTolerance: 0,
      firstOverIndex: -1,
      nanMismatches: 0,
      infMismatches: 0,
      signedZeroMismatches: 0,
      bitDifferences: 0,
      histogram: new Array<number>(HISTOGRAM_DECADES + 1).fill(0),
    };
    if (shape && shape.length === 2) {
      const [rows, cols] = shape as [number, number];
      const cellRows = Math.ceil(rows / Math.min(rows, HEATMAP_MAX));
      const cellCols = Math.ceil(cols / Math.min(cols, HEATMAP_MAX));
      const gridRows = Math.ceil(rows / cellRows);
      const gridCols = Math.ceil(cols / cellCols);
      this.grid = { cols, cellRows, cellCols, gridCols, cells: new Array<number>(gridRows * gridCols).fill(0) };
      this.stats.heatmap = { rows: gridRows, cols: gridCols, cellRows, cellCols, maxAbs: this.grid.cells };
    }
  }

  private fail(i: number, r: number, c: number): void {
    const s = this.stats;
    s.overTolerance++;
    if (s.firstOverIndex < 0) {
      s.firstOverIndex = i;
      s.firstOver = { reference: r, candidate: c };
    }
  }

  private cell(i: number, err: number): void {
    const g = this.grid!;
    const row = Math.floor(i / g.cols);
    const col = i - row * g.cols;
    const k = Math.floor(row / g.cellRows) * g.gridCols + Math.floor(col / g.cellCols);
    if (err > g.cells[k]! || Number.isNaN(err)) g.cells[k] = Number.isNaN(err) ? Infinity : err;
  }

  /** Histogram bin of |error| `err` > 0: k with 10^(k-1+MIN) <= err < 10^(k+MIN), clamped to 1..DECADES; walks from the last bin (errors cluster). */
  private binOf(err: number): number {
    let k = this.lastBin;
    while (k < HISTOGRAM_DECADES && err >= DECADE_UPPER[k]!) k++;
    while (k > 1 && err < DECADE_UPPER[k - 1]!) k--;
    this.lastBin = k;
    return k;
  }

  private bin(err: number): void {
    const h = this.stats.histogram;
    if (err === 0) h[0]!++;
    else h[this.binOf(err)]!++;
  }

  /**
   * Compares one chunk: `ref` and `cand` are typed arrays of the dtype (same length), holding the
   * elements from the running flat index on. `refBits`/`candBits` are Uint32Array views of the
   * same bytes (float types only; two words per float64 element).
   */
  pushFloat(ref: Float32Array | Float64Array, cand: Float32Array | Float64Array, refBits: Uint32Array, candBits: Uint32Array): void {
    const s = this.stats;
    const { abs, rel, ulps, nan, signedZero } = this.tol;
    const f64 = this.dtype === 'float64';
    const base = this.index;
    const grid = this.grid;
    const hist = s.histogram;
    // Hot accumulators kept in locals, written back at the end.
    let count = 0;
    let exact = 0;
    let bitDiff = 0;
    let maxAbs = s.maxAbsError;
    let maxAbsIndex = s.maxAbsIndex;
    let maxRel = s.maxRelError;
    let maxRelIndex = s.maxRelIndex;
    let maxUlps = s.maxUlps;
    const len = ref.length;
    for (let j = 0; j < len; j++) {
      let u: number;
      if (f64) {
        const lo = 2 * j;
        if (refBits[lo] === candBits[lo] && refBits[lo + 1] === candBits[lo + 1]) u = 0;
        else u = ulpDistance64(refBits[lo + 1]!, refBits[lo]!, candBits[lo + 1]!, candBits[lo]!) || -1; // -1: -0 vs +0
      } else {
        const ua = refBits[j]!;
        const ub = candBits[j]!;
        if (ua === ub) u = 0;
        else {
          const oa = ua & 0x80000000 ? -(ua & 0x7fffffff) : ua;
          const ob = ub & 0x80000000 ? -(ub & 0x7fffffff) : ub;
          u = oa > ob ? oa - ob : ob - oa;
          if (u === 0) u = -1; // -0 vs +0: bits differ, 0 ULPs
        }
      }
      const r = ref[j]!;
      const c = cand[j]!;
      if (u === 0) {
        // Identical bits: a match, except NaN under the "ignore"/"fail" policies.
        if (r !== r && nan !== 'equal') {
          if (nan === 'ignore') {
            s.skipped++;
            continue;
          }
          count++;
          s.nanMismatches++;
          this.fail(base + j, r, c);
          if (grid) this.cell(base + j, NaN);
          continue;
        }
        count++;
        exact++;
        continue;
      }
      bitDiff++;
      const i = base + j;
      if (r !== r || c !== c) {
        if (nan === 'ignore') {
          s.skipped++;
          continue;
        }
        count++;
        if (r !== r && c !== c && nan === 'equal') {
          exact++; // NaNs with different payloads
          continue;
        }
        s.nanMismatches++;
        this.fail(i, r, c);
        if (grid) this.cell(i, NaN);
        continue;
      }
      count++;
      if (r === c) {
        // Only -0 vs +0 compares equal with different bits.
        if (signedZero === 'distinct') {
          s.signedZeroMismatches++;
          this.fail(i, r, c);
          if (grid) this.cell(i, 0);
        }
        exact++;
        continue;
      }
      if (r === Infinity || r === -Infinity || c === Infinity || c === -Infinity) {
        s.infMismatches++;
        this.fail(i, r, c);
        if (grid) this.cell(i, NaN);
        hist[HISTOGRAM_DECADES]!++;
        continue;
      }
      const err = c > r ? c - r : r - c;
      const ar = r < 0 ? -r : r;
      if (err > maxAbs) {
        maxAbs = err;
        maxAbsIndex = i;
      }
      if (ar > 0 && err > maxRel * ar) {
        maxRel = err / ar;
        maxRelIndex = i;
      }
      if (u > maxUlps) maxUlps = u;
      hist[this.binOf(err)]!++;
      if (grid) this.cell(i, err);
      if (!(err <= abs + rel * ar) && !(ulps > 0 && u <= ulps)) this.fail(i, r, c);
    }
    s.count += count;
    hist[0]! += exact;
    s.bitDifferences += bitDiff;
    s.maxAbsError = maxAbs;
    s.maxAbsIndex = maxAbsIndex;
    s.maxRelError = maxRel;
    s.maxRelIndex = maxRelIndex;
    s.maxUlps = maxUlps;
    this.index = base + len;
  }

  /** Compares one chunk of integer arrays (exact); BigInt64Array for int64. */
  pushInt(ref: Int32Array | Uint8Array | BigInt64Array, cand: Int32Array | Uint8Array | BigInt64Array): void {
    const s = this.stats;
    const base = this.index;
    const grid = this.grid;
    for (let j = 0; j < ref.length; j++) {
      const r = ref[j]!;
      const c = cand[j]!;
      s.count++;
      if (r === c) {
        s.histogram[0]!++;
        continue;
      }
      const i = base + j;
      s.bitDifferences++;
      const err = typeof r === 'bigint' ? Math.abs(Number((c as bigint) - r)) : Math.abs((c as number) - r);
      if (err > s.maxAbsError) {
        s.maxAbsError = err;
        s.maxAbsIndex = i;
      }
      const ar = Math.abs(Number(r));
      if (ar > 0 && err / ar > s.maxRelError) {
        s.maxRelError = err / ar;
        s.maxRelIndex = i;
      }
      this.bin(err);
      if (grid) this.cell(i, err);
      this.fail(i, Number(r), Number(c));
    }
    this.index = base + ref.length;
  }

  /**
   * Counts `n` elements whose bytes are identical on both sides without looking at them (the
   * caller compared the bytes). Only valid when identical bits always match: not under
   * `nan: "ignore" | "fail"` for floats (see {@link identicalBytesMatch}).
   */
  pushIdentical(n: number): void {
    this.stats.count += n;
    this.stats.histogram[0]! += n;
    this.index += n;
  }

  /** Whether identical bytes always match under this comparer's policy (then {@link pushIdentical} may be used). */
  get identicalBytesMatch(): boolean {
    return !isFloatDtype(this.dtype) || this.tol.nan === 'equal';
  }

  /** Elements pushed so far. */
  get elements(): number {
    return this.index;
  }

  /** Whether every element compared so far passed. */
  get passed(): boolean {
    return this.stats.overTolerance === 0;
  }
}

/** Whether `dtype` is a float type. */
export function isFloatDtype(dtype: Dtype): dtype is 'float32' | 'float64' {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * Typed-array views of `bytes` bytes of `buf` (from offset 0, which must be aligned: `buf` is a
 * fresh ArrayBuffer) for `dtype`: the values and, for floats, the 32-bit words.
 */
export function viewsOf(buf: ArrayBuffer, bytes: number, dtype: Dtype): { values: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array; bits?: Uint32Array } {
  const n = bytes / DTYPE_BYTES[dtype];
  switch (dtype) {
    case 'float32':
      return { values: new Float32Array(buf, 0, n), bits: new Uint32Array(buf, 0, n) };
    case 'float64':
      return { values: new Float64Array(buf, 0, n), bits: new Uint32Array(buf, 0, n * 2) };
    case 'int32':
      return { values: new Int32Array(buf, 0, n) };
    case 'int64':
      return { values: new BigInt64Array(buf, 0, n) };
    case 'uint8':
      return { values: new Uint8Array(buf, 0, n) };
  }
}
