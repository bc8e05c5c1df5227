import { formatError } from '../../errors.js';

export const BLOCK = 512;

/** A parsed tar header block (ustar, GNU or v7). */
export interface TarHeader {
  name: string;
  linkName: string;
  /** Data bytes that follow the header (before padding to 512). */
  size: number;
  /** Type flag character ('0', '5', 'x', 'L', ...); '\0' for old regular files. */
  type: string;
  ustar: boolean;
}

const cstr = (b: Uint8Array): string => {
  const end = b.indexOf(0);
  return Buffer.from(b.subarray(0, end < 0 ? b.length : end)).toString('utf8');
};

/**
 * A numeric field: octal ASCII (spaces/NUL padded) or GNU base-256 (high bit of the first byte).
 * Null for garbage; throws FORMAT_INVALID for negative or >= 2^53 values.
 */
export function parseNumber(field: Uint8Array): number | null {
  const b0 = field[0] ?? 0;
  if (b0 & 0x80) {
    if (b0 === 0xff) throw formatError('tar: negative base-256 number');
    let v = b0 & 0x7f;
    for (let i = 1; i < field.length; i++) {
      v = v * 256 + (field[i] ?? 0);
      if (v > Number.MAX_SAFE_INTEGER) throw formatError('tar: base-256 number is beyond 2^53');
    }
    return v;
  }
  let i = 0;
  while (i < field.length && (field[i] === 0x20 || field[i] === 0)) i++;
  let v = 0;
  let digits = 0;
  for (; i < field.length; i++) {
    const c = field[i] ?? 0;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return null;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  for (; i < field.length; i++) if (field[i] !== 0 && field[i] !== 0x20) return null;
  if (v > Number.MAX_SAFE_INTEGER) throw formatError('tar: octal number is beyond 2^53');
  return digits === 0 ? 0 : v;
}

/** True when the stored checksum matches the unsigned (or historic signed) byte sum. */
export function checksumOk(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  let stored: number | null;
  try {
    stored = parseNumber(block.subarray(148, 156));
  } catch {
    return false;
  }
  if (stored === null) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  return stored === unsigned || stored === signed;
}

/** True when the 512-byte block holds only zero bytes (end of archive). */
export function isZeroBlock(block: Uint8Array): boolean {
  return block.every((c) => c === 0);
}

/** Parses a header block whose checksum is valid; null when it is not a header. */
export function parseHeader(block: Uint8Array): TarHeader | null {
  if (!checksumOk(block)) return null;
  const size = parseNumber(block.subarray(124, 136));
  if (size === null) return null;
  const magic = Buffer.from(block.subarray(257, 263)).toString('latin1');
  const posix = magic === 'ustar\0';
  const ustar = posix || magic === 'ustar ';
  let name = cstr(block.subarray(0, 100));
  const prefix = posix ? cstr(block.subarray(345, 500)) : '';
  if (prefix) name = `${prefix}/${name}`;
  return {
    name,
    linkName: cstr(block.subarray(157, 257)),
    size,
    type: String.fromCharCode(block[156] ?? 0),
    ustar,
  };
}

/**
 * Tar detection on the 4 KiB head: a header block with a valid checksum, and either the ustar magic
 * at 257 or (v7 archives) a non-empty name and numeric size.
 */
export function detectTar(head: Uint8Array): boolean {
  if (head.length < BLOCK) return false;
  const block = head.subarray(0, BLOCK);
  if (!checksumOk(block)) return false;
  try {
    const h = parseHeader(block);
    return h !== null && (h.ustar || (h.name.length > 0 && block[0] !== 0));
  } catch {
    return false;
  }
}

/** Parses pax extended header records ('<len> <key>=<value>\n'); malformed records end the parse. */
export function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  while (p < data.length) {
    const sp = data.indexOf(0x20, p);
    if (sp < 0 || sp - p > 20) break;
    const len = Number(Buffer.from(data.subarray(p, sp)).toString('latin1'));
    if (!Number.isInteger(len) || len <= sp - p + 1 || p + len > data.length) break;
    const rec = Buffer.from(data.subarray(sp + 1, p + len - 1)).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    p += len;
  }
  return out;
}
