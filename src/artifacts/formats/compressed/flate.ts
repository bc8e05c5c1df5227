import { createInflateRaw } from 'node:zlib';
import type { ByteSource } from '../../../core/index.js';
import { formatError, truncated } from '../../errors.js';
import type { Spool } from './spool.js';

const IN_CHUNK = 256 * 1024;

/** What a streaming decoder reports back: input bytes used and where trailing bytes start. */
export interface DecodeResult {
  /** Complete streams (gzip members, bzip2 streams, lz4 frames) decoded. */
  streams: number;
  /** Bytes after the last complete stream that were not decoded (0 when none). */
  trailing: number;
}

/** Maps a zlib error to a typed error, leaving our own errors (cap, timeout) untouched. */
function zlibError(e: unknown, what: string): Error {
  const err = e as NodeJS.ErrnoException | undefined;
  if (err && typeof err.code === 'string' && err.code.startsWith('Z_')) {
    if (err.code === 'Z_BUF_ERROR') return truncated(`${what}: compressed data ends early`);
    return formatError(`${what}: ${err.message}`, e);
  }
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Inflates a raw deflate stream from `start` into `out` with node:zlib, reading the input in
 * chunks and waiting for drain (bounded memory); resolves to the number of input bytes consumed.
 * `onProgress` runs per output chunk (deadline checks); a throw there or from the spool aborts.
 */
export function inflateRawInto(
  src: ByteSource,
  start: number,
  out: Spool,
  onProgress: () => void,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const z = createInflateRaw({ chunkSize: 64 * 1024 });
    let pos = start;
    let finished = false;
    const fail = (e: unknown): void => {
      if (finished) return;
      finished = true;
      z.destroy();
      reject(zlibError(e, 'deflate'));
    };
    z.on('data', (chunk: Buffer) => {
      if (finished) return;
      try {
        out.write(chunk);
        onProgress();
      } catch (e) {
        fail(e);
      }
    });
    z.on('error', fail);
    z.on('end', () => {
      if (finished) return;
      finished = true;
      resolve(z.bytesWritten);
    });
    const pump = (): void => {
      try {
        while (!finished) {
          const n = Math.min(IN_CHUNK, src.size - pos);
          const buf = n > 0 ? src.read(pos, n) : Buffer.alloc(0);
          if (buf.length === 0) {
            z.end();
            return;
          }
          pos += buf.length;
          if (!z.write(buf)) {
            z.once('drain', pump);
            return;
          }
        }
      } catch (e) {
        fail(e);
      }
    };
    pump();
  });
}

/** Position after a zero-terminated field (gzip FNAME/FCOMMENT), bounded to 64 KiB. */
function skipCString(src: ByteSource, pos: number): number {
  const window = src.read(pos, 64 * 1024);
  const end = window.indexOf(0);
  if (end < 0) {
    if (window.length < 64 * 1024) throw truncated('gzip header ends inside a name or comment');
    throw formatError('gzip header name or comment longer than 64 KiB');
  }
  return pos + end + 1;
}

/** Decodes every gzip member (RFC 1952) into `out`; stops at trailing bytes that are not a member. */
export async function gunzipInto(src: ByteSource, out: Spool, onProgress: () => void): Promise<DecodeResult> {
  let pos = 0;
  let streams = 0;
  while (pos < src.size) {
    const h = src.read(pos, 10);
    if (h.length < 2 || h[0] !== 0x1f || h[1] !== 0x8b) {
      if (streams === 0) throw formatError('not a gzip stream');
      break;
    }
    if (h.length < 10) throw truncated('gzip header ends early');
    if (h[2] !== 8) throw formatError(`gzip compression method ${h[2]} is not deflate`);
    const flags = h[3] ?? 0;
    let p = pos + 10;
    if (flags & 0x04) {
      const x = src.read(p, 2);
      if (x.length < 2) throw truncated('gzip extra field ends early');
      p += 2 + x.readUInt16LE(0);
    }
    if (flags & 0x08) p = skipCString(src, p);
    if (flags & 0x10) p = skipCString(src, p);
    if (flags & 0x02) p += 2;
    if (p >= src.size) throw truncated('gzip stream has no compressed data');
    const used = await inflateRawInto(src, p, out, onProgress);
    p += used + 8;
    if (p > src.size) throw truncated('gzip member trailer is missing');
    streams++;
    pos = p;
  }
  return { streams, trailing: src.size - pos };
}

/**
 * Decodes a zlib stream (RFC 1950) at `start` into `out`. joblib's legacy 'ZF' files are a zlib
 * stream after 'ZF' and a space-padded hex length: pass the offset of the zlib header.
 */
export async function inflateZlibInto(
  src: ByteSource,
  start: number,
  out: Spool,
  onProgress: () => void,
): Promise<DecodeResult> {
  const h = src.read(start, 2);
  if (h.length < 2) throw truncated('zlib header ends early');
  const cmf = h[0] ?? 0;
  const flg = h[1] ?? 0;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || (cmf * 256 + flg) % 31 !== 0)
    throw formatError('invalid zlib header');
  if (flg & 0x20) throw formatError('zlib streams with a preset dictionary cannot be decoded');
  const used = await inflateRawInto(src, start + 2, out, onProgress);
  const end = Math.min(src.size, start + 2 + used + 4);
  return { streams: 1, trailing: src.size - end };
}

/** Offset of the zlib header in a joblib 'ZF' file ('ZF', hex length padded with spaces), or -1. */
export function joblibZfOffset(head: Uint8Array): number {
  if (head[0] !== 0x5a || head[1] !== 0x46 || head[2] !== 0x30 || head[3] !== 0x78) return -1;
  for (let i = 4; i < Math.min(head.length, 40); i++) {
    const c = head[i] ?? 0;
    if (c === 0x78) return i;
    const ok =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x61 && c <= 0x66) ||
      (c >= 0x41 && c <= 0x46) ||
      c === 0x20 ||
      c === 0x4c;
    if (!ok) return -1;
  }
  return -1;
}
