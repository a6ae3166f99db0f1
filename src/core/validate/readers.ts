/**
 * Output readers: NumPy `.npy` headers, raw little-endian arrays, and the chunked comparison of two
 * array files. Files are read in fixed-size chunks into two reused buffers, so memory stays at two
 * chunks whatever the file size.
 *
 * .npy format: NumPy's "NEP 1" (numpy.lib.format, https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * magic `\x93NUMPY`, major/minor version bytes, a header length (uint16 LE in 1.0, uint32 LE in
 * 2.0/3.0), then an ASCII (3.0: UTF-8) Python dict literal with `descr`, `fortran_order` and
 * `shape`, padded so the data starts on a 64-byte boundary.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Dtype, FullTolerance } from './config';
import { DTYPE_BYTES, isFloatDtype, NumericComparer, viewsOf, type NumericStats } from './numeric';

/** A bad output file (unsupported or broken header, size not matching the shape). */
export class OutputFormatError extends Error {
  override readonly name = 'OutputFormatError';
}

/** What an array file holds: dtype, shape, where the data starts, element count. */
export interface ArrayLayout {
  dtype: Dtype;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
  /** Number of elements. */
  count: number;
  /** .npy: column-major data (elements then run in Fortran order; the comparison is still element-wise). */
  fortranOrder: boolean;
}

const NPY_DESCR: Record<string, Dtype> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<i4': 'int32',
  '<i8': 'int64',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '|i1': 'uint8', // compared bitwise-exact, like uint8
};

/**
 * Parses a .npy header.
 * @param head the file's first bytes (at least the whole header; 4096 bytes is plenty for any shape)
 * @returns dtype, shape, data offset (bytes) and element count
 * @throws OutputFormatError for a missing magic, an unknown version, a dtype other than
 *   little-endian f4/f8/i4/i8/u1 (big-endian and structured dtypes are named in the message), or a broken dict
 */
export function parseNpyHeader(head: Uint8Array): ArrayLayout {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (head.length < 10 || magic.some((b, i) => head[i] !== b)) throw new OutputFormatError('not a .npy file (no \\x93NUMPY magic)');
  const major = head[6]!;
  let len: number;
  let start: number;
  if (major === 1) {
    len = head[8]! | (head[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (head.length < 12) throw new OutputFormatError('truncated .npy header');
    len = (head[8]! | (head[9]! << 8) | (head[10]! << 16)) + head[11]! * 16777216;
    start = 12;
  } else {
    throw new OutputFormatError(`unsupported .npy version ${major}.${head[7]}`);
  }
  if (start + len > head.length) throw new OutputFormatError(`truncated .npy header (needs ${start + len} bytes)`);
  const dict = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(head.subarray(start, start + len));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    if (/'descr'\s*:\s*\[/.test(dict)) throw new OutputFormatError('structured .npy dtypes are not supported; save plain numeric arrays');
    throw new OutputFormatError(`broken .npy header: ${dict.trim()}`);
  }
  const dtype = NPY_DESCR[descr];
  if (!dtype) {
    const hint = descr.startsWith('>') ? ' (big-endian: save with .astype(dtype.newbyteorder("<")))' : '';
    throw new OutputFormatError(`unsupported .npy dtype '${descr}'${hint}; supported: <f4, <f8, <i4, <i8, u1`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new OutputFormatError(`broken .npy shape (${shapeText})`);
  return { dtype, shape, dataOffset: start + len, count: shape.reduce((a, b) => a * b, 1), fortranOrder: fortran === 'True' };
}

/**
 * Layout of an output file: the .npy header, or the given dtype/shape of a raw file (checked
 * against the file size; without a shape, one dimension from the size).
 * @throws OutputFormatError when the size does not fit the dtype/shape
 */
export async function arrayLayout(path: string, spec: { format: 'raw' | 'npy'; dtype?: Dtype; shape?: number[]; offsetBytes?: number }): Promise<ArrayLayout> {
  const size = (await stat(path)).size;
  if (spec.format === 'npy') {
    const fh = await open(path, 'r');
    try {
      const head = new Uint8Array(Math.min(size, 65536));
      await fh.read(head, 0, head.length, 0);
      const l = parseNpyHeader(head);
      const need = l.dataOffset + l.count * DTYPE_BYTES[l.dtype];
      if (size < need) throw new OutputFormatError(`truncated .npy data: ${size} bytes, the header promises ${need}`);
      return l;
    } finally {
      await fh.close();
    }
  }
  const dtype = spec.dtype!;
  const item = DTYPE_BYTES[dtype];
  const off = spec.offsetBytes ?? 0;
  const dataBytes = size - off;
  if (dataBytes < 0) throw new OutputFormatError(`the file has ${size} bytes, fewer than offsetBytes ${off}`);
  if (spec.shape) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (dataBytes !== count * item) throw new OutputFormatError(`size ${dataBytes} bytes does not match shape [${spec.shape.join(', ')}] of ${dtype} (${count * item} bytes)`);
    return { dtype, shape: spec.shape, dataOffset: off, count, fortranOrder: false };
  }
  if (dataBytes % item !== 0) throw new OutputFormatError(`size ${dataBytes} bytes is not a whole number of ${dtype} elements`);
  return { dtype, shape: [dataBytes / item], dataOffset: off, count: dataBytes / item, fortranOrder: false };
}

/** Default chunk size of {@link compareArrayFiles}: 4 MiB per side. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/** Result of comparing two array files. */
export interface ArrayComparison {
  /** Layouts differ (dtype or shape): no element comparison was done. */
  layoutMismatch?: string;
  dtype: Dtype;
  shape: number[];
  stats?: NumericStats;
  /** Chunks read per side (a 100 MB float32 file at 4 MiB chunks: 24). */
  chunks: number;
}

async function readFully(fh: FileHandle, buf: Uint8Array, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new OutputFormatError('file shrank while being read');
    done += bytesRead;
  }
}

/**
 * Compares two array files element by element in chunks.
 * @param refPath reference output, `candPath` candidate output (same format spec)
 * @param tol tolerance (integers are exact whatever it says)
 * @param chunkBytes bytes read per side per chunk (rounded down to whole elements)
 * @throws OutputFormatError for a bad header/size; fs errors for unreadable files
 */
export async function compareArrayFiles(
  refPath: string,
  candPath: string,
  spec: { format: 'raw' | 'npy'; dtype?: Dtype; shape?: number[]; offsetBytes?: number },
  tol: FullTolerance,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): Promise<ArrayComparison> {
  const [lr, lc] = await Promise.all([arrayLayout(refPath, spec), arrayLayout(candPath, spec)]);
  if (lr.dtype !== lc.dtype || lr.shape.join(',') !== lc.shape.join(',') || lr.fortranOrder !== lc.fortranOrder) {
    const d = (l: ArrayLayout): string => `${l.dtype}[${l.shape.join(', ')}]${l.fortranOrder ? ' (Fortran order)' : ''}`;
    return { layoutMismatch: `reference is ${d(lr)}, candidate is ${d(lc)}`, dtype: lr.dtype, shape: lr.shape, chunks: 0 };
  }
  const item = DTYPE_BYTES[lr.dtype];
  const step = Math.max(item, Math.floor(chunkBytes / item) * item);
  const cmp = new NumericComparer(lr.dtype, tol, lr.fortranOrder ? undefined : lr.shape);
  const bufR = new ArrayBuffer(step);
  const bufC = new ArrayBuffer(step);
  const u8R = new Uint8Array(bufR);
  const u8C = new Uint8Array(bufC);
  const total = lr.count * item;
  const [fr, fc] = await Promise.all([open(refPath, 'r'), open(candPath, 'r')]);
  let chunks = 0;
  try {
    for (let off = 0; off < total; off += step) {
      const n = Math.min(step, total - off);
      await Promise.all([readFully(fr, u8R, n, lr.dataOffset + off), readFully(fc, u8C, n, lc.dataOffset + off)]);
      chunks++;
      // Identical chunks (the common case: a deterministic side against itself) cost one memcmp.
      if (cmp.identicalBytesMatch && Buffer.compare(u8R.subarray(0, n), u8C.subarray(0, n)) === 0) {
        cmp.pushIdentical(n / item);
        continue;
      }
      const vr = viewsOf(bufR, n, lr.dtype);
      const vc = viewsOf(bufC, n, lr.dtype);
      if (isFloatDtype(lr.dtype)) cmp.pushFloat(vr.values as Float32Array, vc.values as Float32Array, vr.bits!, vc.bits!);
      else cmp.pushInt(vr.values as Int32Array, vc.values as Int32Array);
    }
  } finally {
    await Promise.all([fr.close(), fc.close()]);
  }
  return { dtype: lr.dtype, shape: lr.shape, stats: cmp.stats, chunks };
}
