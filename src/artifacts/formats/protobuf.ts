import type { ByteSource } from '../../core/index.js';
import { ArtifactError, formatError, limitExceeded, truncated } from '../errors.js';

/**
 * Bounded reader of the protobuf wire format over a ByteSource. It never materialises a
 * length-delimited field unless asked to, so multi-gigabyte `raw_data` blobs are skipped by
 * position. Every length is checked against the enclosing message; callers recurse into nested
 * messages themselves and pass a depth, which is checked against `maxDepth`.
 */

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** One decoded field: its number, wire type, scalar value, and the byte range of its payload. */
export interface ProtoField {
  field: number;
  wire: number;
  /** Varint / fixed value (exact within ±2^53, approximate beyond; 10-byte varints are signed). 0 for LEN. */
  value: number;
  /** Payload start (LEN: first content byte). */
  start: number;
  /** Payload end, exclusive. */
  end: number;
}

/** Limits of a ProtoReader: nesting of messages and the window used for reads. */
export interface ProtoReaderOptions {
  maxDepth?: number;
  window?: number;
}

const MAX_FIELD = 536_870_911; // 2^29 - 1

export class ProtoReader {
  readonly maxDepth: number;
  private readonly windowSize: number;
  private win: Buffer = Buffer.alloc(0);
  private winStart = 0;

  constructor(
    readonly src: ByteSource,
    opts: ProtoReaderOptions = {},
  ) {
    this.maxDepth = opts.maxDepth ?? 64;
    this.windowSize = opts.window ?? 64 * 1024;
  }

  get size(): number {
    return this.src.size;
  }

  private byteAt(pos: number, end: number): number {
    if (pos >= end || pos < 0) throw truncated(`protobuf field runs past its message at ${pos}`);
    const off = pos - this.winStart;
    if (off >= 0 && off < this.win.length) return this.win[off]!;
    this.win = this.src.read(pos, this.windowSize);
    this.winStart = pos;
    if (this.win.length === 0) throw truncated(`protobuf data ends at ${pos}`);
    return this.win[0]!;
  }

  /**
   * Decodes a varint at `pos` (at most 10 bytes, within `end`); returns value and next position.
   * A 10-byte varint is read as a signed int64 (how protobuf encodes negative int32/int64).
   */
  varint(pos: number, end: number): [number, number] {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byteAt(pos + i, end);
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        if (i === 9) {
          if (b > 1) throw formatError(`protobuf varint at ${pos} overflows 64 bits`);
          return [this.signed64(pos, end), pos + 10];
        }
        return [result, pos + i + 1];
      }
      mul *= 128;
    }
    throw formatError(`protobuf varint at ${pos} is longer than 10 bytes`);
  }

  private signed64(pos: number, end: number): number {
    let v = 0n;
    for (let i = 9; i >= 0; i--) v = (v << 7n) | BigInt(this.byteAt(pos + i, end) & 0x7f);
    return Number(BigInt.asIntN(64, v));
  }

  /** Checks that a message may be entered at `depth`. */
  enter(depth: number): void {
    if (depth > this.maxDepth)
      throw new ArtifactError('DEPTH_EXCEEDED', `protobuf messages nested deeper than ${this.maxDepth}`, {
        kind: 'input',
      });
  }

  /** Iterates the fields of the message occupying [start, end). Throws ArtifactError on bad data. */
  *fields(start: number, end: number): Generator<ProtoField> {
    if (end > this.src.size)
      throw truncated(`protobuf message ends at ${end}, past the data (${this.src.size})`);
    let pos = start;
    while (pos < end) {
      const [tag, p1] = this.varint(pos, end);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field < 1 || field > MAX_FIELD)
        throw formatError(`invalid protobuf field number ${field} at ${pos}`);
      let value = 0;
      let fStart = p1;
      let fEnd: number;
      switch (wire) {
        case WIRE_VARINT: {
          const [v, p2] = this.varint(p1, end);
          value = v;
          fEnd = p2;
          break;
        }
        case WIRE_I64:
          fEnd = p1 + 8;
          break;
        case WIRE_I32:
          fEnd = p1 + 4;
          break;
        case WIRE_LEN: {
          const [len, p2] = this.varint(p1, end);
          fStart = p2;
          // a 10-byte varint decodes as a negative int64: never a valid length
          if (len < 0 || len > end - p2)
            throw truncated(`protobuf field ${field} at ${pos} declares ${len} bytes, past its message`);
          fEnd = p2 + len;
          break;
        }
        default:
          throw formatError(`unsupported protobuf wire type ${wire} (field ${field}) at ${pos}`);
      }
      if (fEnd > end) throw truncated(`protobuf field ${field} at ${pos} runs past its message`);
      if (wire === WIRE_I64 || wire === WIRE_I32) value = this.fixed(fStart, fEnd - fStart);
      yield { field, wire, value, start: fStart, end: fEnd };
      pos = fEnd;
    }
  }

  private fixed(pos: number, n: number): number {
    const b = this.src.read(pos, n);
    if (b.length < n) throw truncated(`protobuf fixed field at ${pos} is cut short`);
    return n === 4 ? b.readUInt32LE(0) : b.readUInt32LE(0) + b.readUInt32LE(4) * 2 ** 32;
  }

  /** Payload of a LEN field; throws LIMIT_EXCEEDED past `max` bytes. */
  bytes(f: ProtoField, max: number): Buffer {
    const len = f.end - f.start;
    if (len > max) throw limitExceeded(`protobuf field ${f.field} is ${len} bytes, over the limit of ${max}`);
    const b = this.src.read(f.start, len);
    if (b.length < len) throw truncated(`protobuf field ${f.field} at ${f.start} is cut short`);
    return b;
  }

  /** A LEN field as text, cut to `max` bytes (a string longer than that is reported truncated with '…'). */
  string(f: ProtoField, max = 4096): string {
    const len = f.end - f.start;
    const b = this.src.read(f.start, Math.min(len, max));
    const s = b.toString('utf8');
    return len > max ? `${s}…` : s;
  }

  /** Unpacks a packed repeated varint field (or a single varint) into numbers, at most `max` values. */
  packedVarints(f: ProtoField, max: number): number[] {
    if (f.wire === WIRE_VARINT) return [f.value];
    if (f.wire !== WIRE_LEN) return [];
    const out: number[] = [];
    let pos = f.start;
    while (pos < f.end) {
      if (out.length >= max) throw limitExceeded(`packed field ${f.field} has more than ${max} values`);
      const [v, next] = this.varint(pos, f.end);
      out.push(v);
      pos = next;
    }
    return out;
  }
}
