import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { WardenError } from './errors.js';

/**
 * Random access to untrusted bytes without loading them: a file range or a buffer.
 * Reads are synchronous so that hot parsers (the pickle VM) stay a tight loop.
 */
export interface ByteSource {
  readonly size: number;
  /** Copies up to `length` bytes at `position` into `target` at `offset`; returns the count read. */
  readInto(target: Uint8Array, offset: number, length: number, position: number): number;
  /** Reads exactly `length` bytes at `position` (fewer only at the end of the source). */
  read(position: number, length: number): Buffer;
  /** A window of this source; positions of the slice start at 0. */
  slice(start: number, end: number): ByteSource;
  close(): void;
}

/** The read/slice/close every source shares: a source only says its size and how to copy bytes out. */
export abstract class BaseSource implements ByteSource {
  abstract readonly size: number;
  abstract readInto(target: Uint8Array, offset: number, length: number, position: number): number;

  read(position: number, length: number): Buffer {
    if (position < 0) return Buffer.alloc(0);
    const n = Math.max(0, Math.min(length, this.size - position));
    const out = Buffer.allocUnsafe(n);
    const got = n > 0 ? this.readInto(out, 0, n, position) : 0;
    return got === n ? out : out.subarray(0, got);
  }

  slice(start: number, end: number): ByteSource {
    const s = Math.max(0, Math.min(start, this.size));
    return new WindowSource(this, s, Math.max(s, Math.min(end, this.size)));
  }

  close(): void {}
}

/** A [start, end) window over another source; closing the window leaves the base open. */
export class WindowSource extends BaseSource {
  readonly size: number;

  constructor(
    private readonly base: Pick<ByteSource, 'readInto'>,
    private readonly start: number,
    end: number,
  ) {
    super();
    this.size = Math.max(0, end - start);
  }

  readInto(target: Uint8Array, offset: number, length: number, position: number): number {
    if (position < 0 || position >= this.size || length <= 0) return 0;
    return this.base.readInto(target, offset, Math.min(length, this.size - position), this.start + position);
  }

  override slice(start: number, end: number): ByteSource {
    // windows of windows read straight from the base
    const s = Math.max(0, Math.min(start, this.size));
    const e = Math.max(s, Math.min(end, this.size));
    return new WindowSource(this.base, this.start + s, this.start + e);
  }
}

class BufferSource extends BaseSource {
  constructor(private readonly buf: Uint8Array) {
    super();
  }
  get size(): number {
    return this.buf.length;
  }
  readInto(target: Uint8Array, offset: number, length: number, position: number): number {
    if (position < 0 || position >= this.buf.length || length <= 0) return 0;
    const n = Math.min(length, this.buf.length - position);
    target.set(this.buf.subarray(position, position + n), offset);
    return n;
  }
  // zero-copy views instead of the base class's copies
  override read(position: number, length: number): Buffer {
    // like every source, nothing before the start: a negative position is a caller's bad offset
    if (position < 0) return Buffer.alloc(0);
    const end = Math.min(this.buf.length, position + Math.max(0, length));
    const sub = this.buf.subarray(Math.min(position, end), end);
    return Buffer.from(sub.buffer, sub.byteOffset, sub.length);
  }
  override slice(start: number, end: number): ByteSource {
    return new BufferSource(this.buf.subarray(Math.max(0, start), Math.min(end, this.buf.length)));
  }
}

class FdSource extends BaseSource {
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {
    super();
  }
  readInto(target: Uint8Array, offset: number, length: number, position: number): number {
    if (position < 0 || position >= this.size || length <= 0) return 0;
    let want = Math.min(length, this.size - position);
    let done = 0;
    while (want > 0) {
      const n = readSync(this.fd, target, offset + done, want, position + done);
      if (n === 0) break;
      done += n;
      want -= n;
    }
    return done;
  }
  override close(): void {
    closeSync(this.fd);
  }
}

export function bufferSource(buf: Uint8Array): ByteSource {
  return new BufferSource(buf);
}

export function fileSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new WardenError('IO_ERROR', `${path} is not a regular file`, { kind: 'input' });
    return new FdSource(fd, st.size);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads a whole source into memory, refusing anything larger than `max` bytes. */
export function readAllBounded(src: ByteSource, max: number, what: string): Buffer {
  if (src.size > max)
    throw new WardenError('LIMIT_EXCEEDED', `${what} is ${src.size} bytes, over the limit of ${max}`, {
      kind: 'limit',
    });
  return src.read(0, src.size);
}

/** Buffered sequential reader over a ByteSource: the hot path of stream parsers. */
export class SeqReader {
  private buf: Buffer;
  private bufStart = 0; // source position of buf[0]
  private bufLen = 0;
  pos = 0; // absolute position of the next byte

  constructor(
    readonly src: ByteSource,
    chunk = 1 << 20,
    start = 0,
  ) {
    this.buf = Buffer.allocUnsafe(chunk);
    this.pos = start;
    this.bufStart = start;
  }

  get size(): number {
    return this.src.size;
  }

  get eof(): boolean {
    return this.pos >= this.src.size;
  }

  private fill(need: number): boolean {
    const off = this.pos - this.bufStart;
    if (off >= 0 && off + need <= this.bufLen) return true;
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.bufStart = this.pos;
    this.bufLen = this.src.readInto(this.buf, 0, this.buf.length, this.pos);
    return need <= this.bufLen;
  }

  /** Next byte, or -1 at the end. */
  u8(): number {
    const off = this.pos - this.bufStart;
    if (off < 0 || off >= this.bufLen) {
      if (!this.fill(1)) return -1;
      this.pos++;
      return this.buf[0]!;
    }
    this.pos++;
    return this.buf[off]!;
  }

  /** Exactly n bytes as a view valid until the next read, or null when the source ends first. */
  bytes(n: number): Buffer | null {
    if (n > this.src.size - this.pos) return null;
    if (!this.fill(n)) return null;
    const off = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(off, off + n);
  }

  /** Skips n bytes without reading them; false when that passes the end. */
  skip(n: number): boolean {
    if (n > this.src.size - this.pos) {
      this.pos = this.src.size;
      return false;
    }
    this.pos += n;
    return true;
  }

  /** Bytes up to (not including) `byte`, at most `max` long; null if not found in that span. */
  until(byte: number, max: number): Buffer | null {
    const start = this.pos;
    const limit = Math.min(max + 1, this.src.size - start);
    this.fill(Math.min(limit, this.buf.length));
    const off = start - this.bufStart;
    const avail = Math.min(limit, this.bufLen - off);
    const idx = this.buf.indexOf(byte, off);
    if (idx === -1 || idx - off >= avail) return null;
    this.pos = start + (idx - off) + 1;
    return this.buf.subarray(off, idx);
  }
}
