/**
 * The byte-level half of the pickle writer: a growable buffer and the encodings of constants
 * (ints, floats, str, Python 2 strings) chosen per protocol the way CPython's pickler chooses them.
 */
import { OP } from './opcodes.js';

const enc = new TextEncoder();

/** Minimal little-endian two's complement bytes of n, as pickle's encode_long (0 -> no bytes). */
function longBytes(n: bigint): number[] {
  const out: number[] = [];
  if (n === 0n) return out;
  let x = n;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, x));
    out.push(byte);
    x >>= 8n;
    if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
  }
  return out;
}

/** Buffer and constant encodings; PickleWriter adds the structural opcodes. */
export class PickleEncoder {
  private buf = new Uint8Array(256);
  private len = 0;

  /** Starts a stream; protocols 2+ begin with PROTO as CPython writes them. */
  constructor(readonly protocol = 4) {
    if (protocol < 0 || protocol > 5) throw new RangeError(`pickle protocol ${protocol} is not 0-5`);
    if (protocol >= 2) this.proto(protocol);
  }

  /** Number of bytes written so far (the absolute offset of the next opcode). */
  get length(): number {
    return this.len;
  }

  /** The stream so far (a copy). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Appends raw bytes: any opcode, or non-pickle data (joblib arrays, storage bytes). */
  raw(data: Uint8Array | number[]): this {
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  op(code: number): this {
    this.ensure(1);
    this.buf[this.len++] = code;
    return this;
  }

  protected le(value: number, width: number): this {
    this.ensure(width);
    let v = value;
    for (let i = 0; i < width; i++) {
      this.buf[this.len++] = v % 256;
      v = Math.floor(v / 256);
    }
    return this;
  }

  protected line(text: string): this {
    return this.raw(enc.encode(`${text}\n`));
  }

  proto(n: number): this {
    return this.op(OP.PROTO).le(n, 1);
  }

  /** FRAME with an explicit length (which tests may overstate). */
  frame(length: number): this {
    return this.op(OP.FRAME).le(length, 8);
  }

  stop(): this {
    return this.op(OP.STOP);
  }
  mark(): this {
    return this.op(OP.MARK);
  }
  pop(): this {
    return this.op(OP.POP);
  }
  popMark(): this {
    return this.op(OP.POP_MARK);
  }
  dup(): this {
    return this.op(OP.DUP);
  }
  none(): this {
    return this.op(OP.NONE);
  }

  bool(v: boolean): this {
    if (this.protocol >= 2) return this.op(v ? OP.NEWTRUE : OP.NEWFALSE);
    return this.op(OP.INT).line(v ? '01' : '00');
  }

  int(v: number | bigint): this {
    const n = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
    if (this.protocol === 0)
      return n >= -(2n ** 31n) && n < 2n ** 31n
        ? this.op(OP.INT).line(String(n))
        : this.op(OP.LONG).line(`${n}L`);
    if (n >= 0n && n < 256n) return this.op(OP.BININT1).le(Number(n), 1);
    if (n >= 0n && n < 65536n) return this.op(OP.BININT2).le(Number(n), 2);
    if (n >= -(2n ** 31n) && n < 2n ** 31n) return this.op(OP.BININT).le(Number(BigInt.asUintN(32, n)), 4);
    if (this.protocol < 2) return this.op(OP.LONG).line(`${n}L`);
    const bytes = longBytes(n);
    return bytes.length < 256
      ? this.op(OP.LONG1).le(bytes.length, 1).raw(bytes)
      : this.op(OP.LONG4).le(bytes.length, 4).raw(bytes);
  }

  float(v: number): this {
    if (this.protocol === 0) return this.op(OP.FLOAT).line(Number.isInteger(v) ? v.toFixed(1) : String(v));
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, false);
    return this.op(OP.BINFLOAT).raw(new Uint8Array(dv.buffer));
  }

  /** A Python str: UNICODE (protocol 0), BINUNICODE, or SHORT_BINUNICODE / BINUNICODE8 (4+). */
  str(s: string): this {
    if (this.protocol === 0) {
      let out = '';
      for (const ch of s) {
        const cp = ch.codePointAt(0) as number;
        if (cp === 0 || cp === 0x5c || cp === 0x0a || cp === 0x0d || cp === 0x1a || cp > 0xff)
          out +=
            cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
        else out += ch;
      }
      return this.op(OP.UNICODE)
        .raw(Uint8Array.from(out, (c) => c.charCodeAt(0)))
        .raw([0x0a]);
    }
    const b = enc.encode(s);
    if (this.protocol >= 4 && b.length < 256) return this.op(OP.SHORT_BINUNICODE).le(b.length, 1).raw(b);
    if (b.length < 2 ** 32) return this.op(OP.BINUNICODE).le(b.length, 4).raw(b);
    return this.op(OP.BINUNICODE8).le(b.length, 8).raw(b);
  }

  /** A Python 2 byte string (STRING / SHORT_BINSTRING / BINSTRING), unpickled as str by Python 3. */
  string(s: string): this {
    if (this.protocol === 0) {
      const esc = s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n');
      return this.op(OP.STRING).line(`'${esc}'`);
    }
    const b = Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
    return b.length < 256
      ? this.op(OP.SHORT_BINSTRING).le(b.length, 1).raw(b)
      : this.op(OP.BINSTRING).le(b.length, 4).raw(b);
  }

  /** BYTEARRAY8 (protocol 5). */
  bytearray(data: Uint8Array): this {
    return this.op(OP.BYTEARRAY8).le(data.length, 8).raw(data);
  }
}
