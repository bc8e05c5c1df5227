import type { ByteSource } from '../../../../core/index.js';
import { formatError, truncated } from '../../../errors.js';

/**
 * Bounded access to an HDF5 file: the superblock (versions 0-3, with a user block before it) and
 * helpers to read sized integers and addresses. Only what is needed to reach the root group's
 * object header is parsed.
 */

export const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
export const UNDEFINED_ADDRESS = -1;

/** Reads a little-endian unsigned integer of 1, 2, 4 or 8 bytes (8-byte values must be < 2^53). */
export function uintLE(buf: Buffer, off: number, size: number): number {
  if (off < 0 || off + size > buf.length) throw truncated(`HDF5 field at ${off} runs past its structure`);
  switch (size) {
    case 1:
      return buf[off]!;
    case 2:
      return buf.readUInt16LE(off);
    case 4:
      return buf.readUInt32LE(off);
    case 8: {
      const hi = buf.readUInt32LE(off + 4);
      if (hi >= 2 ** 21) throw formatError(`HDF5 value at ${off} is beyond 2^53`);
      return hi * 2 ** 32 + buf.readUInt32LE(off);
    }
    default:
      throw formatError(`HDF5 integer size ${size} is not supported`);
  }
}

/** Reads a file address; the all-ones "undefined address" gives UNDEFINED_ADDRESS. */
export function addrLE(buf: Buffer, off: number, size: number): number {
  if (off < 0 || off + size > buf.length) throw truncated(`HDF5 address at ${off} runs past its structure`);
  let ones = true;
  for (let i = 0; i < size; i++) if (buf[off + i] !== 0xff) ones = false;
  return ones ? UNDEFINED_ADDRESS : uintLE(buf, off, size);
}

/** The superblock facts the scanner needs. */
export interface Superblock {
  version: number;
  /** Absolute position of the signature; addresses are relative to it. */
  base: number;
  offsetSize: number;
  lengthSize: number;
  /** Absolute position of the root group's object header. */
  rootHeader: number;
}

/** Offsets where the HDF5 library looks for a superblock: 0, 512, 1024, 2048, … */
export function* signatureOffsets(size: number): Generator<number> {
  yield 0;
  for (let off = 512; off + 8 <= size && off <= 2 ** 40; off *= 2) yield off;
}

export function findSignature(src: ByteSource, maxOffset: number): number {
  for (const off of signatureOffsets(Math.min(src.size, maxOffset + 8))) {
    if (src.read(off, 8).equals(HDF5_SIGNATURE)) return off;
  }
  return -1;
}

export class H5File {
  constructor(
    readonly src: ByteSource,
    readonly sb: Superblock,
  ) {}

  get size(): number {
    return this.src.size;
  }

  /** Exactly n bytes at an absolute position. */
  read(pos: number, n: number, what: string): Buffer {
    if (pos < 0 || n < 0 || pos + n > this.src.size)
      throw truncated(`HDF5 ${what} at ${pos} runs past the end of the file`);
    return this.src.read(pos, n);
  }

  /** Absolute position of a file address (relative to the base), checked against the file size. */
  abs(addr: number, what: string): number {
    if (addr === UNDEFINED_ADDRESS) throw formatError(`HDF5 ${what} has an undefined address`);
    const pos = this.sb.base + addr;
    if (pos >= this.src.size) throw truncated(`HDF5 ${what} address ${addr} is past the end of the file`);
    return pos;
  }
}

export function readSuperblock(src: ByteSource, sigOffset: number): Superblock {
  const head = src.read(sigOffset, 128);
  if (head.length < 24) throw truncated('HDF5 superblock is cut short');
  const version = head[8]!;
  if (version === 0 || version === 1) {
    const offsetSize = head[13]!;
    const lengthSize = head[14]!;
    checkSizes(offsetSize, lengthSize);
    const addrStart = version === 0 ? 24 : 28;
    // base, free-space, end-of-file, driver info; then the root symbol table entry
    const entry = addrStart + 4 * offsetSize;
    const rootAddr = addrLE(head, entry + offsetSize, offsetSize);
    return {
      version,
      base: sigOffset,
      offsetSize,
      lengthSize,
      rootHeader: sigOffset + nonNegative(rootAddr),
    };
  }
  if (version === 2 || version === 3) {
    const offsetSize = head[9]!;
    const lengthSize = head[10]!;
    checkSizes(offsetSize, lengthSize);
    // base, superblock extension, end-of-file, root object header
    const rootAddr = addrLE(head, 12 + 3 * offsetSize, offsetSize);
    return {
      version,
      base: sigOffset,
      offsetSize,
      lengthSize,
      rootHeader: sigOffset + nonNegative(rootAddr),
    };
  }
  throw formatError(`HDF5 superblock version ${version} is not supported`);
}

function checkSizes(o: number, l: number): void {
  if (![2, 4, 8].includes(o) || ![2, 4, 8].includes(l))
    throw formatError(`HDF5 superblock declares offset size ${o} and length size ${l}`);
}

function nonNegative(addr: number): number {
  if (addr < 0) throw formatError('HDF5 root group address is undefined');
  return addr;
}
