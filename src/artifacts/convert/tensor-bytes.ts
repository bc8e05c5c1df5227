/**
 * A tensor view (storage, offset, size, stride) to its contiguous row-major bytes, produced in
 * chunks so that a large tensor never sits in memory whole. Contiguous views stream straight from
 * the storage; other views (transposed, sliced, expanded) read the storage span they touch and
 * gather blocks of the innermost contiguous dimensions.
 */
import type { ByteSource } from '../../core/index.js';
import { invalid, unsupported } from './errors.js';
import type { TensorRef } from './torch-pickle.js';

/** Output chunk size. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** Largest storage span a non-contiguous view may touch (it is read into memory to gather). */
export const MAX_GATHER_SPAN = 1024 ** 3;

export function numel(size: readonly number[]): number {
  let n = 1;
  for (const d of size) n *= d;
  if (!Number.isSafeInteger(n)) throw invalid(`tensor of shape [${size.join(', ')}] is too large`);
  return n;
}

/** Bytes of the tensor once contiguous. */
export function tensorBytes(t: TensorRef): number {
  return numel(t.size) * t.dtype.size;
}

/** Elements of the view's dtype that its storage holds. */
function storageElements(t: TensorRef): number {
  const bytes = t.storage.nbytes;
  if (bytes % t.dtype.size)
    throw invalid(`storage ${t.storage.key} is not a whole number of ${t.dtype.st} elements`);
  return bytes / t.dtype.size;
}

/** Number of trailing dimensions laid out contiguously (their elements are one block in storage). */
function contiguousTail(size: readonly number[], stride: readonly number[]): number {
  let expected = 1;
  let k = 0;
  for (let i = size.length - 1; i >= 0; i--) {
    if (size[i] !== 1 && stride[i] !== expected) break;
    expected *= size[i]!;
    k++;
  }
  return k;
}

/** Checks that every element of the view lies inside its storage; returns [first, last] element. */
export function checkView(t: TensorRef): [number, number] {
  const n = numel(t.size);
  if (n === 0) return [t.offset, t.offset - 1];
  let last = t.offset;
  t.size.forEach((d, i) => (last += (d - 1) * t.stride[i]!));
  if (!Number.isSafeInteger(last) || last >= storageElements(t))
    throw invalid(
      `tensor view [${t.size.join(', ')}] at offset ${t.offset} reaches element ${last} of storage ${t.storage.key}, which holds ${storageElements(t)}`,
    );
  return [t.offset, last];
}

function readExact(src: ByteSource, target: Buffer, position: number, key: string): void {
  const got = src.readInto(target, 0, target.length, position);
  if (got !== target.length)
    throw invalid(`storage ${key} ends early (read ${got} of ${target.length} bytes)`);
}

/** Bytes per word used to copy elements of `es` bytes (4 for 8-byte elements: two words each). */
function wordLanes(es: number): number {
  return es === 8 ? 4 : es;
}

/** A word view of a buffer (integer words: bit patterns, NaN payloads included, copy exactly). */
function words(b: Buffer, lanes: number): Uint8Array | Uint16Array | Uint32Array | null {
  if (b.byteOffset % lanes) return null;
  if (lanes === 4) return new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
  if (lanes === 2) return new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

type Words = Uint8Array | Uint16Array | Uint32Array;
const TILE = 64;

/**
 * A 2-D view whose elements are all apart (a transposed matrix, a strided slice): output rows are
 * gathered in tiles of TILE rows, walking the source along the smaller stride so that reads stay
 * within cache lines and writes within TILE open rows.
 */
function* transpose2d(src: Words, t: TensorRef, lanes: number, chunk: number): Generator<Buffer> {
  const [rows, cols] = t.size as [number, number];
  const [s0, s1] = t.stride as [number, number];
  const w = t.dtype.size / lanes; // words per element
  const rowBytes = cols * t.dtype.size;
  const perChunk = Math.max(1, Math.floor(chunk / rowBytes));
  for (let r0 = 0; r0 < rows; r0 += perChunk) {
    const r1 = Math.min(rows, r0 + perChunk);
    const out = Buffer.alloc((r1 - r0) * rowBytes); // never pooled: aligned for the word view
    const dst = words(out, lanes)!;
    for (let i0 = r0; i0 < r1; i0 += TILE) {
      const i1 = Math.min(r1, i0 + TILE);
      for (let j = 0; j < cols; j++)
        for (let i = i0; i < i1; i++) {
          const from = (i * s0 + j * s1) * w;
          const to = ((i - r0) * cols + j) * w;
          for (let l = 0; l < w; l++) dst[to + l] = src[from + l]!;
        }
    }
    yield out;
  }
}

/** Yields the tensor's bytes in row-major order, in chunks of at most CHUNK_BYTES. */
export function* tensorChunks(src: ByteSource, t: TensorRef, chunk = CHUNK_BYTES): Generator<Buffer> {
  const es = t.dtype.size;
  const total = tensorBytes(t);
  if (total === 0) return;
  const [first, last] = checkView(t);
  const k = contiguousTail(t.size, t.stride);
  if (k === t.size.length) {
    for (let done = 0; done < total;) {
      const buf = Buffer.allocUnsafe(Math.min(chunk, total - done));
      readExact(src, buf, first * es + done, t.storage.key);
      done += buf.length;
      yield buf;
    }
    return;
  }
  const spanBytes = (last - first + 1) * es;
  if (spanBytes > MAX_GATHER_SPAN)
    throw unsupported(
      `non-contiguous tensor spans ${spanBytes} bytes of storage, over the ${MAX_GATHER_SPAN} limit`,
    );
  const span = Buffer.allocUnsafe(spanBytes);
  readExact(src, span, first * es, t.storage.key);
  const outer = t.size.length - k;
  const block = numel(t.size.slice(outer)) * es;
  const idx = new Array<number>(outer).fill(0);
  const blocks = total / block;
  const perChunk = Math.max(1, Math.floor(chunk / block));
  const lanes = block === es ? wordLanes(es) : 0;
  const srcWords = lanes ? words(span, lanes) : null;
  const w = lanes ? es / lanes : 0; // words per element
  if (srcWords && outer === 2 && t.size.length === 2) {
    yield* transpose2d(srcWords, t, lanes, chunk);
    return;
  }
  let pos = 0; // element offset of the current block, relative to `first`
  for (let b = 0; b < blocks;) {
    const count = Math.min(perChunk, blocks - b);
    const out = Buffer.allocUnsafe(count * block);
    const outWords = srcWords ? words(out, lanes) : null;
    for (let j = 0; j < count; j++, b++) {
      if (srcWords && outWords) {
        // single-element blocks (transposed views): typed-array copies instead of Buffer.copy calls
        for (let l = 0; l < w; l++) outWords[j * w + l] = srcWords[pos * w + l]!;
      } else span.copy(out, j * block, pos * es, pos * es + block);
      // odometer over the outer dimensions
      for (let d = outer - 1; d >= 0; d--) {
        pos += t.stride[d]!;
        idx[d] = idx[d]! + 1;
        if (idx[d]! < t.size[d]!) break;
        pos -= t.stride[d]! * t.size[d]!;
        idx[d] = 0;
      }
    }
    yield out;
  }
}
