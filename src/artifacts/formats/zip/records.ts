import type { ByteSource } from '../../../core/index.js';
import { ArtifactError, formatError } from '../../errors.js';

// Record signatures (APPNOTE.TXT 4.3), as little-endian u32.
export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_EOCD64 = 0x06064b50;
export const SIG_LOCATOR64 = 0x07064b50;
export const SIG_DESCRIPTOR = 0x08074b50;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DESCRIPTOR = 0x0008;
export const FLAG_UTF8 = 0x0800;

const EXTRA_ZIP64 = 0x0001;
const EXTRA_UNICODE_PATH = 0x7075;

/** u32 at `off` of `b`, or -1 when it does not fit. */
export function u32At(b: Uint8Array, off: number): number {
  if (off < 0 || off + 4 > b.length) return -1;
  return (
    ((b[off] ?? 0) | ((b[off + 1] ?? 0) << 8) | ((b[off + 2] ?? 0) << 16) | ((b[off + 3] ?? 0) << 24)) >>> 0
  );
}

export function u16At(b: Uint8Array, off: number): number {
  if (off < 0 || off + 2 > b.length) return -1;
  return (b[off] ?? 0) | ((b[off + 1] ?? 0) << 8);
}

/** u64 at `off` as a safe integer; throws FORMAT_INVALID for values of 2^53 and more. */
export function u64At(b: Uint8Array, off: number, what: string): number {
  const lo = u32At(b, off);
  const hi = u32At(b, off + 4);
  if (lo < 0 || hi < 0) throw formatError(`zip: ${what} field is cut short`);
  if (hi >= 0x200000) throw formatError(`zip: ${what} of ${hi} * 2^32 bytes is beyond 2^53`);
  return hi * 2 ** 32 + lo;
}

/** The u32 signature at `pos` of the source, or -1. */
export function sigAt(src: ByteSource, pos: number): number {
  if (pos < 0 || pos + 4 > src.size) return -1;
  return u32At(src.read(pos, 4), 0);
}

/** Member name as a zip reader shows it: UTF-8 with flag bit 11, else code page 437 (latin1 here). */
export function decodeName(raw: Uint8Array, flags: number): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1');
}

/** Sizes and offset a ZIP64 extra field overrides, and an Info-ZIP Unicode path if present. */
export interface ExtraInfo {
  uncompSize?: number;
  compSize?: number;
  localOffset?: number;
  unicodeName?: string;
  /** Set when a ZIP64 value is 2^53 or more: the member cannot be read. */
  error?: ArtifactError;
}

/**
 * Walks the extra fields. ZIP64 values appear, in order, only for the fields whose 32-bit value is
 * all ones (`want`); a malformed extra area just ends the walk.
 */
export function parseExtra(
  extra: Uint8Array,
  want: { uncomp: boolean; comp: boolean; offset: boolean },
): ExtraInfo {
  const info: ExtraInfo = {};
  try {
    walkExtra(extra, want, info);
  } catch (e) {
    if (!(e instanceof ArtifactError)) throw e;
    info.error = e;
  }
  return info;
}

function walkExtra(
  extra: Uint8Array,
  want: { uncomp: boolean; comp: boolean; offset: boolean },
  info: ExtraInfo,
): void {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16At(extra, p);
    const len = u16At(extra, p + 2);
    const body = extra.subarray(p + 4, Math.min(extra.length, p + 4 + len));
    p += 4 + len;
    if (id === EXTRA_ZIP64) {
      let q = 0;
      if (want.uncomp && q + 8 <= body.length) {
        info.uncompSize = u64At(body, q, 'ZIP64 size');
        q += 8;
      }
      if (want.comp && q + 8 <= body.length) {
        info.compSize = u64At(body, q, 'ZIP64 compressed size');
        q += 8;
      }
      if (want.offset && q + 8 <= body.length) info.localOffset = u64At(body, q, 'ZIP64 offset');
    } else if (id === EXTRA_UNICODE_PATH && body.length > 5 && body[0] === 1) {
      info.unicodeName = Buffer.from(body.subarray(5)).toString('utf8');
    }
  }
}

/** A local file header (APPNOTE 4.3.7) and where its data starts. */
export interface LocalHeader {
  offset: number;
  flags: number;
  method: number;
  /** Sizes as written; 0 with bit 3 means "in the data descriptor". */
  compSize: number;
  uncompSize: number;
  name: string;
  /** Name from an Info-ZIP Unicode path extra field, which some readers prefer. */
  unicodeName?: string;
  zip64: boolean;
  dataStart: number;
  /** A size that cannot be represented (2^53 or more). */
  error?: ArtifactError;
}

/** Parses the local header at `offset`; null when there is none or it is cut short. */
export function readLocalHeader(src: ByteSource, offset: number): LocalHeader | null {
  const h = src.read(offset, 30);
  if (h.length < 30 || u32At(h, 0) !== SIG_LOCAL) return null;
  const flags = u16At(h, 6);
  const nameLen = u16At(h, 26);
  const extraLen = u16At(h, 28);
  const dataStart = offset + 30 + nameLen + extraLen;
  if (dataStart > src.size) return null;
  const vars = src.read(offset + 30, nameLen + extraLen);
  let compSize = u32At(h, 18);
  let uncompSize = u32At(h, 22);
  const want = { uncomp: uncompSize === 0xffffffff, comp: compSize === 0xffffffff, offset: false };
  const extra = parseExtra(vars.subarray(nameLen), want);
  compSize = extra.compSize ?? compSize;
  uncompSize = extra.uncompSize ?? uncompSize;
  return {
    offset,
    flags,
    method: u16At(h, 8),
    compSize,
    uncompSize,
    name: decodeName(vars.subarray(0, nameLen), flags),
    ...(extra.unicodeName !== undefined ? { unicodeName: extra.unicodeName } : {}),
    zip64: want.comp || want.uncomp,
    dataStart,
    ...(extra.error ? { error: extra.error } : {}),
  };
}

/** One central directory record (APPNOTE 4.3.12). */
export interface CentralEntry {
  index: number;
  flags: number;
  method: number;
  compSize: number;
  uncompSize: number;
  name: string;
  unicodeName?: string;
  /** As written, before any prefix adjustment. */
  localOffset: number;
  /** Unix mode from the external attributes when made on Unix, else 0. */
  unixMode: number;
  /** A size or offset that cannot be represented (2^53 or more). */
  error?: ArtifactError;
}

/** Parses the central record at `b[off]`; returns it and its length, or null when `b` ends first. */
export function parseCentral(
  b: Uint8Array,
  off: number,
  index: number,
): { entry: CentralEntry; length: number } | null {
  if (u32At(b, off) !== SIG_CENTRAL || off + 46 > b.length) return null;
  const flags = u16At(b, off + 8);
  const nameLen = u16At(b, off + 28);
  const extraLen = u16At(b, off + 30);
  const commentLen = u16At(b, off + 32);
  const length = 46 + nameLen + extraLen + commentLen;
  if (off + length > b.length) return null;
  const compSize = u32At(b, off + 20);
  const uncompSize = u32At(b, off + 24);
  const localOffset = u32At(b, off + 42);
  const extra = parseExtra(b.subarray(off + 46 + nameLen, off + 46 + nameLen + extraLen), {
    uncomp: uncompSize === 0xffffffff,
    comp: compSize === 0xffffffff,
    offset: localOffset === 0xffffffff,
  });
  const madeOnUnix = (b[off + 5] ?? 0) === 3;
  return {
    entry: {
      index,
      flags,
      method: u16At(b, off + 10),
      compSize: extra.compSize ?? compSize,
      uncompSize: extra.uncompSize ?? uncompSize,
      name: decodeName(b.subarray(off + 46, off + 46 + nameLen), flags),
      ...(extra.unicodeName !== undefined ? { unicodeName: extra.unicodeName } : {}),
      localOffset: extra.localOffset ?? localOffset,
      unixMode: madeOnUnix ? u32At(b, off + 38) >>> 16 : 0,
      ...(extra.error ? { error: extra.error } : {}),
    },
    length,
  };
}
