import { formatError, limitExceeded } from '../../../errors.js';
import { addrLE, uintLE, UNDEFINED_ADDRESS, type H5File } from './file.js';

/**
 * Walks the messages of an HDF5 object header (version 1, or version 2 "OHDR"), following
 * continuation blocks. Bounded: message count, chunk count and chunk size are capped, and a
 * continuation that points at an already visited chunk is ignored (no loops).
 */

export const MSG = {
  NIL: 0x0000,
  DATASPACE: 0x0001,
  DATATYPE: 0x0003,
  ATTRIBUTE: 0x000c,
  CONTINUATION: 0x0010,
  SYMBOL_TABLE: 0x0011,
  ATTRIBUTE_INFO: 0x0015,
} as const;

/** One header message: its type, flags, payload bytes and absolute position. */
export interface H5Message {
  type: number;
  flags: number;
  data: Buffer;
  pos: number;
}

const MAX_MESSAGES = 65_536;
const MAX_CHUNKS = 1_024;
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
const OHDR = Buffer.from('OHDR', 'latin1');
const OCHK = Buffer.from('OCHK', 'latin1');

/** A block of header messages: where it starts and how long it is. */
interface Chunk {
  start: number;
  length: number;
}

function continuation(f: H5File, m: H5Message): Chunk {
  const o = f.sb.offsetSize;
  const addr = addrLE(m.data, 0, o);
  const length = uintLE(m.data, o, f.sb.lengthSize);
  if (addr === UNDEFINED_ADDRESS) throw formatError('HDF5 continuation message with an undefined address');
  return { start: f.abs(addr, 'continuation block'), length };
}

function readChunk(f: H5File, c: Chunk): Buffer {
  if (c.length > MAX_CHUNK_BYTES) throw limitExceeded(`HDF5 object header chunk of ${c.length} bytes`);
  return f.read(c.start, c.length, 'object header chunk');
}

/** Messages of the object header at absolute position `pos`. */
export function readMessages(f: H5File, pos: number): H5Message[] {
  const sig = f.read(pos, 4, 'object header');
  return sig.equals(OHDR) ? readV2(f, pos) : readV1(f, pos);
}

function readV1(f: H5File, pos: number): H5Message[] {
  const prefix = f.read(pos, 16, 'object header');
  if (prefix[0] !== 1) throw formatError(`HDF5 object header at ${pos} has version ${prefix[0]}`);
  const count = prefix.readUInt16LE(2);
  const queue: Chunk[] = [{ start: pos + 16, length: prefix.readUInt32LE(8) }];
  const out: H5Message[] = [];
  const seen = new Set<number>();
  for (let n = 0; n < queue.length && out.length < count; n++) {
    if (n >= MAX_CHUNKS) throw limitExceeded(`HDF5 object header has more than ${MAX_CHUNKS} chunks`);
    const c = queue[n]!;
    if (seen.has(c.start)) continue;
    seen.add(c.start);
    const buf = readChunk(f, c);
    let off = 0;
    while (off + 8 <= buf.length && out.length < count) {
      const type = buf.readUInt16LE(off);
      const size = buf.readUInt16LE(off + 2);
      const flags = buf[off + 4]!;
      if (off + 8 + size > buf.length)
        throw formatError(`HDF5 message at ${c.start + off} runs past its chunk`);
      const m = { type, flags, data: buf.subarray(off + 8, off + 8 + size), pos: c.start + off };
      if (type === MSG.CONTINUATION) queue.push(continuation(f, m));
      out.push(m);
      off += 8 + size;
      if (out.length > MAX_MESSAGES) throw limitExceeded('HDF5 object header has too many messages');
    }
  }
  return out;
}

function readV2(f: H5File, pos: number): H5Message[] {
  const prefix = f.read(pos, Math.min(40, f.size - pos), 'object header');
  if (prefix[4] !== 2) throw formatError(`HDF5 OHDR at ${pos} has version ${prefix[4]}`);
  const hflags = prefix[5]!;
  let p = 6;
  if (hflags & 0x20) p += 16; // access/modification/change/birth times
  if (hflags & 0x10) p += 4; // attribute phase-change values
  const sizeBytes = 1 << (hflags & 0x03);
  const chunk0 = uintLE(prefix, p, sizeBytes);
  p += sizeBytes;
  const tracked = (hflags & 0x04) !== 0;
  const queue: Chunk[] = [{ start: pos + p, length: chunk0 }];
  const out: H5Message[] = [];
  const seen = new Set<number>();
  for (let n = 0; n < queue.length; n++) {
    if (n >= MAX_CHUNKS) throw limitExceeded(`HDF5 object header has more than ${MAX_CHUNKS} chunks`);
    const c = queue[n]!;
    if (seen.has(c.start)) continue;
    seen.add(c.start);
    let buf = readChunk(f, c);
    let base = c.start;
    if (n > 0) {
      // continuation block: 'OCHK', messages, checksum
      if (buf.length < 8 || !buf.subarray(0, 4).equals(OCHK))
        throw formatError(`HDF5 continuation at ${c.start} lacks OCHK`);
      buf = buf.subarray(4, buf.length - 4);
      base += 4;
    }
    const hdr = tracked ? 6 : 4;
    let off = 0;
    while (off + hdr <= buf.length) {
      const type = buf[off]!;
      const size = buf.readUInt16LE(off + 1);
      const flags = buf[off + 3]!;
      if (off + hdr + size > buf.length) break; // gap at the end of a chunk
      const m = { type, flags, data: buf.subarray(off + hdr, off + hdr + size), pos: base + off };
      if (type === MSG.CONTINUATION) queue.push(continuation(f, m));
      out.push(m);
      off += hdr + size;
      if (out.length > MAX_MESSAGES) throw limitExceeded('HDF5 object header has too many messages');
    }
  }
  return out;
}
