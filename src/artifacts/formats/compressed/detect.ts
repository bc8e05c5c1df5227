import { constants, inflateRawSync } from 'node:zlib';
import { isBzipHeader } from './bzip2.js';
import { joblibZfOffset } from './flate.js';
import { isLz4Frame } from './lz4.js';
import { parseLzmaAloneHeader } from './lzma.js';
import { isXz } from './xz.js';

/** The single-stream compression wrappers the compressed scanner decodes. */
export type CompressionKind = 'gzip' | 'zlib' | 'joblib-zf' | 'bzip2' | 'xz' | 'lzma' | 'lz4';

/** What follows 'BZh1'..'BZh9': a block header (pi) or, for empty input, the end-of-stream marker (sqrt pi). */
const BZIP_FIRST = new Set(['314159265359', '177245385090']);

/** zlib second bytes Python's zlib.compress writes after 0x78, by level (1, 2-5, 6, 7-9). */
const ZLIB_FLG = new Set([0x01, 0x5e, 0x9c, 0xda]);

/** True when the first bytes of a raw deflate stream decode without error (truncation allowed). */
function inflatesCleanly(data: Uint8Array): boolean {
  try {
    inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 });
    return true;
  } catch (e) {
    // the head decodes to more than the probe's output limit: it is deflate data
    return (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
  }
}

/**
 * zlib has only a two-byte magic ('x^', 'x\x9c', ...) that text can start with too, so besides a
 * valid header (CM 8, FCHECK) the head must also inflate without error.
 */
export function looksLikeZlib(head: Uint8Array): boolean {
  const cmf = head[0] ?? 0;
  const flg = head[1] ?? 0;
  if (cmf !== 0x78 || !ZLIB_FLG.has(flg) || (cmf * 256 + flg) % 31 !== 0) return false;
  return head.length > 2 && inflatesCleanly(head.subarray(2));
}

/**
 * lzma-alone has no magic: accept the default properties byte 0x5D (lc=3 lp=0 pb=2, what
 * xz/liblzma and Python write), a dictionary of 4 KiB..1.5 GiB, and an unknown or plausible size.
 */
function looksLikeLzmaAlone(head: Uint8Array): boolean {
  if (head[0] !== 0x5d || head[1] !== 0x00 || head.length < 14) return false;
  const p = parseLzmaAloneHeader(head);
  if (!p || p.dictSize < 4096 || p.dictSize > 0x60000000) return false;
  return head[13] === 0x00; // the range coder's first byte is always zero
}

/** Which wrapper the head starts with, or null. */
export function detectCompression(head: Uint8Array): CompressionKind | null {
  if (head.length < 4) return null;
  if (head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08 && ((head[3] ?? 0) & 0xe0) === 0)
    return 'gzip';
  if (isBzipHeader(head) && BZIP_FIRST.has(Buffer.from(head.subarray(4, 10)).toString('hex'))) return 'bzip2';
  if (isXz(head)) return 'xz';
  if (isLz4Frame(head) && (head[4] ?? 0) >> 6 === 1) return 'lz4';
  const zf = joblibZfOffset(head);
  if (zf > 0 && looksLikeZlib(head.subarray(zf))) return 'joblib-zf';
  if (looksLikeZlib(head)) return 'zlib';
  if (looksLikeLzmaAlone(head)) return 'lzma';
  return null;
}
