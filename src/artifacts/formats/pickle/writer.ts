/**
 * A small pickle builder that emits valid streams for protocols 0-5, picking the same opcodes as
 * CPython's pickler for each protocol. Used by tests, benchmarks and the demo's sample files:
 *
 *   new PickleWriter(4).global('os', 'system').str('echo hi').tuple1().reduce().stop().bytes()
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

export class PickleWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private memoCount = 0;

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

  private le(value: number, width: number): this {
    this.ensure(width);
    let v = value;
    for (let i = 0; i < width; i++) {
      this.buf[this.len++] = v % 256;
      v = Math.floor(v / 256);
    }
    return this;
  }

  private line(text: string): this {
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

  /** A Python bytes value: SHORT_BINBYTES/BINBYTES/BINBYTES8 (3+), else _codecs.encode as CPython does. */
  binary(data: Uint8Array): this {
    if (this.protocol < 3)
      return this.global('_codecs', 'encode')
        .str(String.fromCharCode(...data))
        .str('latin1')
        .tuple2()
        .reduce();
    if (data.length < 256) return this.op(OP.SHORT_BINBYTES).le(data.length, 1).raw(data);
    if (data.length < 2 ** 32) return this.op(OP.BINBYTES).le(data.length, 4).raw(data);
    return this.op(OP.BINBYTES8).le(data.length, 8).raw(data);
  }

  /** BYTEARRAY8 (protocol 5). */
  bytearray(data: Uint8Array): this {
    return this.op(OP.BYTEARRAY8).le(data.length, 8).raw(data);
  }

  /** GLOBAL opcode (any protocol). */
  global(module: string, name: string): this {
    return this.op(OP.GLOBAL).line(module).line(name);
  }

  /** Module and name strings then STACK_GLOBAL, as protocol 4+ writes imports. */
  stackGlobal(module: string, name: string): this {
    return this.str(module).str(name).op(OP.STACK_GLOBAL);
  }

  emptyTuple(): this {
    return this.op(OP.EMPTY_TUPLE);
  }
  tuple(): this {
    return this.op(OP.TUPLE);
  }
  tuple1(): this {
    return this.op(OP.TUPLE1);
  }
  tuple2(): this {
    return this.op(OP.TUPLE2);
  }
  tuple3(): this {
    return this.op(OP.TUPLE3);
  }
  emptyList(): this {
    return this.op(OP.EMPTY_LIST);
  }
  list(): this {
    return this.op(OP.LIST);
  }
  emptyDict(): this {
    return this.op(OP.EMPTY_DICT);
  }
  dict(): this {
    return this.op(OP.DICT);
  }
  emptySet(): this {
    return this.op(OP.EMPTY_SET);
  }
  frozenset(): this {
    return this.op(OP.FROZENSET);
  }
  append(): this {
    return this.op(OP.APPEND);
  }
  appends(): this {
    return this.op(OP.APPENDS);
  }
  setitem(): this {
    return this.op(OP.SETITEM);
  }
  setitems(): this {
    return this.op(OP.SETITEMS);
  }
  additems(): this {
    return this.op(OP.ADDITEMS);
  }
  reduce(): this {
    return this.op(OP.REDUCE);
  }
  build(): this {
    return this.op(OP.BUILD);
  }
  newobj(): this {
    return this.op(OP.NEWOBJ);
  }
  newobjEx(): this {
    return this.op(OP.NEWOBJ_EX);
  }
  obj(): this {
    return this.op(OP.OBJ);
  }
  /** INST: pops the items above the mark as arguments of module.name. */
  inst(module: string, name: string): this {
    return this.op(OP.INST).line(module).line(name);
  }

  /** MEMOIZE (4+) or a PUT at the next free index, as CPython's pickler memoizes. */
  memoize(): this {
    if (this.protocol < 4) return this.put(this.memoCount);
    this.memoCount++;
    return this.op(OP.MEMOIZE);
  }
  put(i: number): this {
    this.memoCount = Math.max(this.memoCount, i + 1);
    if (this.protocol === 0) return this.op(OP.PUT).line(String(i));
    return i < 256 ? this.op(OP.BINPUT).le(i, 1) : this.op(OP.LONG_BINPUT).le(i, 4);
  }
  get(i: number): this {
    if (this.protocol === 0) return this.op(OP.GET).line(String(i));
    return i < 256 ? this.op(OP.BINGET).le(i, 1) : this.op(OP.LONG_BINGET).le(i, 4);
  }

  persid(id: string): this {
    return this.op(OP.PERSID).line(id);
  }
  binpersid(): this {
    return this.op(OP.BINPERSID);
  }
  ext(code: number): this {
    if (code < 256) return this.op(OP.EXT1).le(code, 1);
    return code < 65536 ? this.op(OP.EXT2).le(code, 2) : this.op(OP.EXT4).le(code, 4);
  }
  nextBuffer(): this {
    return this.op(OP.NEXT_BUFFER);
  }
  readonlyBuffer(): this {
    return this.op(OP.READONLY_BUFFER);
  }

  /** module.name(*args) with str/int/bytes/None arguments: GLOBAL, MARK, args, TUPLE, REDUCE. */
  call(module: string, name: string, ...args: (string | number | Uint8Array | null)[]): this {
    this.global(module, name).mark();
    for (const a of args) {
      if (a === null) this.none();
      else if (typeof a === 'string') this.str(a);
      else if (typeof a === 'number') this.int(a);
      else this.binary(a);
    }
    return this.tuple().reduce();
  }
}
