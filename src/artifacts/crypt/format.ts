import { createHash } from 'node:crypto';
import { cryptError } from './errors.js';

/*
 * Layout of a Warden encrypted file (all integers big-endian):
 *   header   'WENC' | version u8 (1) | flags u8 (0) | header length u16 | chunk size u32 |
 *            file id (16 random bytes) | nonce prefix (8 random bytes) |
 *            KEK id length u8 | KEK id (utf8) | wrapped data key length u16 | wrapped data key
 *   chunks   AES-256-GCM ciphertext || tag(16), one per `chunk size` bytes of plaintext; every chunk
 *            but the last is full, the last holds 1..chunk size bytes (0 only for an empty file).
 * Chunk i: nonce = prefix || u32(i); AAD = SHA-256(header) || u64(i) || u8(last ? 1 : 0).
 */
export const MAGIC = Buffer.from('WENC');
export const VERSION = 1;
export const TAG_BYTES = 16;
export const DEFAULT_CHUNK = 1024 * 1024;
export const MIN_CHUNK = 16;
export const MAX_CHUNK = 64 * 1024 * 1024;
const FIXED = 37; // bytes before the KEK id
const MAX_WRAPPED = 1024;
const MAX_CHUNKS = 2 ** 32;

/** The decoded header; `bytes` is its exact encoding, which every chunk authenticates. */
export interface EncryptedHeader {
  version: number;
  chunkSize: number;
  fileId: Buffer;
  noncePrefix: Buffer;
  kekId: string;
  wrappedKey: Buffer;
  bytes: Buffer;
  digest: Buffer;
}

export function checkChunkSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < MIN_CHUNK || n > MAX_CHUNK)
    throw cryptError('USAGE', `chunk size must be an integer from ${MIN_CHUNK} to ${MAX_CHUNK}`, 'usage');
  return n;
}

/** The context the data key is wrapped under: every header field but the wrapped key itself. */
export function wrapContext(chunkSize: number, fileId: Buffer, noncePrefix: Buffer, kekId: string): Buffer {
  const fixed = Buffer.alloc(6);
  fixed[0] = VERSION;
  fixed.writeUInt32BE(chunkSize, 2);
  return Buffer.concat([MAGIC, fixed, fileId, noncePrefix, Buffer.from(kekId, 'utf8')]);
}

export function encodeHeader(h: Omit<EncryptedHeader, 'bytes' | 'digest' | 'version'>): EncryptedHeader {
  const id = Buffer.from(h.kekId, 'utf8');
  if (id.length === 0 || id.length > 255)
    throw cryptError('KEK_INVALID', 'a KEK id must be 1-255 bytes', 'usage');
  if (h.wrappedKey.length === 0 || h.wrappedKey.length > MAX_WRAPPED)
    throw cryptError('KEK_INVALID', `a wrapped data key must be 1-${MAX_WRAPPED} bytes`, 'usage');
  const bytes = Buffer.alloc(FIXED + id.length + 2 + h.wrappedKey.length);
  MAGIC.copy(bytes, 0);
  bytes[4] = VERSION;
  bytes.writeUInt16BE(bytes.length, 6);
  bytes.writeUInt32BE(h.chunkSize, 8);
  h.fileId.copy(bytes, 12);
  h.noncePrefix.copy(bytes, 28);
  bytes[36] = id.length;
  id.copy(bytes, FIXED);
  bytes.writeUInt16BE(h.wrappedKey.length, FIXED + id.length);
  h.wrappedKey.copy(bytes, FIXED + id.length + 2);
  return { ...h, version: VERSION, bytes, digest: sha256(bytes) };
}

/** Header length from its first 8 bytes, so a reader knows how much more to read. */
export function headerLength(prefix: Buffer): number {
  if (prefix.length < 4 || !prefix.subarray(0, 4).equals(MAGIC))
    throw cryptError('NOT_ENCRYPTED', 'not a Warden encrypted file (no WENC magic)');
  if (prefix.length < 8) throw cryptError('TRUNCATED', 'the encrypted file ends inside its header');
  if (prefix[4] !== VERSION)
    throw cryptError('UNSUPPORTED', `encrypted file format version ${prefix[4]} is not supported`);
  if (prefix[5] !== 0) throw cryptError('FORMAT_INVALID', 'unknown header flags');
  const n = prefix.readUInt16BE(6);
  if (n < FIXED + 1 + 2 + 1) throw cryptError('FORMAT_INVALID', 'header length is too small');
  return n;
}

export function decodeHeader(bytes: Buffer): EncryptedHeader {
  const n = headerLength(bytes);
  if (bytes.length < n) throw cryptError('TRUNCATED', 'the encrypted file ends inside its header');
  const chunkSize = bytes.readUInt32BE(8);
  if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK)
    throw cryptError('FORMAT_INVALID', `chunk size ${chunkSize} is out of range`);
  const idLen = bytes[36] ?? 0;
  if (idLen === 0 || FIXED + idLen + 2 > n) throw cryptError('FORMAT_INVALID', 'bad KEK id length');
  const wrappedLen = bytes.readUInt16BE(FIXED + idLen);
  if (wrappedLen === 0 || FIXED + idLen + 2 + wrappedLen !== n)
    throw cryptError('FORMAT_INVALID', 'header fields do not add up to the header length');
  const exact = Buffer.from(bytes.subarray(0, n));
  return {
    version: VERSION,
    chunkSize,
    fileId: exact.subarray(12, 28),
    noncePrefix: exact.subarray(28, 36),
    kekId: exact.subarray(FIXED, FIXED + idLen).toString('utf8'),
    wrappedKey: exact.subarray(FIXED + idLen + 2, n),
    bytes: exact,
    digest: sha256(exact),
  };
}

export function chunkNonce(h: EncryptedHeader, index: number): Buffer {
  if (index >= MAX_CHUNKS) throw cryptError('LIMIT_EXCEEDED', 'too many chunks for one file', 'limit');
  const n = Buffer.alloc(12);
  h.noncePrefix.copy(n, 0);
  n.writeUInt32BE(index, 8);
  return n;
}

export function chunkAad(h: EncryptedHeader, index: number, last: boolean): Buffer {
  const a = Buffer.alloc(32 + 8 + 1);
  h.digest.copy(a, 0);
  a.writeBigUInt64BE(BigInt(index), 32);
  a[40] = last ? 1 : 0;
  return a;
}

function sha256(b: Buffer): Buffer {
  return createHash('sha256').update(b).digest();
}
