import type { ByteSource } from '../../../core/index.js';
import { formatError, truncated } from '../../errors.js';
import type { DecodeResult } from './flate.js';
import type { Spool } from './spool.js';

const FRAME_MAGIC = 0x184d2204;
const HISTORY = 64 * 1024;
const BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

/** True for the LZ4 frame magic (04 22 4D 18). */
export function isLz4Frame(b: Uint8Array, pos = 0): boolean {
  return b[pos] === 0x04 && b[pos + 1] === 0x22 && b[pos + 2] === 0x4d && b[pos + 3] === 0x18;
}

/** Reads `n` bytes or throws TRUNCATED. */
function need(src: ByteSource, pos: number, n: number, what: string): Buffer {
  const b = src.read(pos, n);
  if (b.length < n) throw truncated(`lz4: ${what} ends early`);
  return b;
}

/**
 * Decodes one LZ4 block (src[start, end)) into buf at `op`; `low` is the first output byte a match
 * may reference. Returns the new output position. Every offset and length is bounds-checked.
 */
export function decodeBlock(
  src: Uint8Array,
  start: number,
  end: number,
  buf: Uint8Array,
  op: number,
  low: number,
): number {
  let ip = start;
  const cap = buf.length;
  while (ip < end) {
    const token = src[ip++] ?? 0;
    let lit = token >> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= end) throw formatError('lz4: literal length runs past the block');
        b = src[ip++] ?? 0;
        lit += b;
      }
    }
    if (ip + lit > end || op + lit > cap) throw formatError('lz4: literals run past the block');
    buf.set(src.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip === end) break; // the last sequence carries literals only
    if (ip + 2 > end) throw formatError('lz4: match offset runs past the block');
    const offset = (src[ip] ?? 0) | ((src[ip + 1] ?? 0) << 8);
    ip += 2;
    if (offset === 0 || op - offset < low) throw formatError('lz4: match offset points before the data');
    let len = token & 15;
    if (len === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= end) throw formatError('lz4: match length runs past the block');
        b = src[ip++] ?? 0;
        len += b;
      }
    }
    len += 4;
    if (op + len > cap) throw formatError('lz4: block decodes past its declared maximum size');
    let from = op - offset;
    if (offset >= len) {
      buf.copyWithin(op, from, from + len);
      op += len;
    } else {
      for (let i = 0; i < len; i++) buf[op++] = buf[from++] ?? 0;
    }
  }
  return op;
}

/** Decodes one frame at `pos` into `out`; returns the position after it. */
function decodeFrame(src: ByteSource, pos: number, out: Spool, onProgress: () => void): number {
  const h = need(src, pos, 6, 'frame header');
  const flg = h[4] ?? 0;
  const bd = h[5] ?? 0;
  if (flg >> 6 !== 1) throw formatError(`lz4: unsupported frame version ${flg >> 6}`);
  if (flg & 0x01) throw formatError('lz4: frames that need an external dictionary cannot be decoded');
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const blockMax = BLOCK_MAX[(bd >> 4) & 7] ?? 0;
  if (blockMax === 0) throw formatError('lz4: invalid block maximum size');
  let p = pos + 6 + (flg & 0x08 ? 8 : 0) + 1; // content size, header checksum
  const buf = new Uint8Array(HISTORY + blockMax);
  let hist = 0; // bytes of history kept just below HISTORY
  for (;;) {
    const raw = need(src, p, 4, 'block size').readUInt32LE(0);
    p += 4;
    if (raw === 0) break;
    const size = raw & 0x7fffffff;
    if (size > blockMax) throw formatError('lz4: block larger than the frame maximum');
    const data = need(src, p, size, 'block');
    p += size + (blockChecksum ? 4 : 0);
    let op: number;
    if (raw & 0x80000000) {
      buf.set(data, HISTORY);
      op = HISTORY + size;
    } else {
      op = decodeBlock(data, 0, size, buf, HISTORY, independent ? HISTORY : HISTORY - hist);
    }
    out.write(buf.subarray(HISTORY, op));
    onProgress();
    const keep = Math.min(HISTORY, op - (HISTORY - hist));
    buf.copyWithin(HISTORY - keep, op - keep, op);
    hist = keep;
  }
  return p + (contentChecksum ? 4 : 0);
}

/** Decodes concatenated LZ4 frames (skippable frames are skipped) into `out`. */
export function lz4Into(src: ByteSource, out: Spool, onProgress: () => void): DecodeResult {
  let pos = 0;
  let streams = 0;
  while (pos + 4 <= src.size) {
    const magic = src.read(pos, 4).readUInt32LE(0);
    if (magic === FRAME_MAGIC) {
      pos = decodeFrame(src, pos, out, onProgress);
      streams++;
    } else if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      pos += 8 + need(src, pos + 4, 4, 'skippable frame').readUInt32LE(0);
    } else {
      if (streams === 0) throw formatError('not an lz4 frame');
      break;
    }
  }
  if (pos > src.size) throw truncated('lz4: frame ends early');
  return { streams, trailing: src.size - pos };
}
