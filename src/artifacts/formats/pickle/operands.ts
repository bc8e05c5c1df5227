/**
 * Operand decoding of the pickle VM: strings (with an allocation-free path for short ASCII ones),
 * bytes located but never copied, LONG1/LONG4 integers, floats, protocol 0 text lines, and the
 * rare opcodes kept out of the hot switch.
 */
import { formatError, truncated } from '../../errors.js';
import { OP, opName } from './opcodes.js';
import { VM_LIMITS, VmCore } from './state.js';
import { decimal, floatLine, latin1, rawUnicodeEscape, reprString } from './text.js';
import { BytesValue, OPAQUE, type Value } from './values.js';

const f64 = new DataView(new ArrayBuffer(8));
/** Strings up to this many bytes take the allocation-free ASCII path. */
const SHORT = 40;
/** Per-length scratch arrays for String.fromCharCode.apply (resizing one array costs more). */
const CODES = Array.from({ length: SHORT + 1 }, (_, n) => new Array<number>(n).fill(0));

export abstract class VmOperands extends VmCore {
  /** Protocol 0 text opcodes, rare protocol 2+ ones and the end of input: kept out of the hot switch. */
  protected slowOp(op: number, at: number): void {
    const stack = this.stack;
    switch (op) {
      case OP.INT: {
        const l = this.line(at, 'INT');
        const s = l === null ? '' : latin1(l);
        // protocol 0 booleans are INT lines 00 / 01
        stack.push(
          l === null ? OPAQUE.bigInt : s === '00' ? false : s === '01' ? true : decimal(s, at, 'INT'),
        );
        return;
      }
      case OP.LONG: {
        const l = this.line(at, 'LONG');
        stack.push(l === null ? OPAQUE.bigInt : decimal(latin1(l), at, 'LONG'));
        return;
      }
      case OP.FLOAT: {
        const l = this.line(at, 'FLOAT');
        stack.push(l === null ? 0 : floatLine(latin1(l), at));
        return;
      }
      case OP.STRING: {
        const l = this.line(at, 'STRING');
        stack.push(l === null ? OPAQUE.longString : reprString(l, at));
        return;
      }
      case OP.UNICODE: {
        const l = this.line(at, 'UNICODE');
        stack.push(l === null ? OPAQUE.longString : rawUnicodeEscape(l, at));
        return;
      }
      case OP.GET:
        stack.push(this.memoGet(this.textIndex(at, 'GET'), at));
        return;
      case OP.PUT: {
        const idx = this.textIndex(at, 'PUT');
        this.memoPut(idx, this.top(at));
        return;
      }
      case OP.PERSID:
        this.line(at, 'PERSID');
        this.persids++;
        stack.push(OPAQUE.persid);
        return;
      case OP.EXT1:
        return this.ext(this.u8(at), at);
      case OP.EXT2:
        return this.ext(this.u16(at), at);
      case OP.EXT4:
        return this.ext(this.i32(at), at);
      case OP.NEXT_BUFFER:
        stack.push(OPAQUE.buffer);
        return;
      case OP.READONLY_BUFFER:
        this.top(at);
        return;
      case -1:
        throw truncated(`pickle data ends at byte ${at} without a STOP opcode`);
      default:
        throw formatError(`invalid pickle opcode ${opName(op)} at byte ${at}`);
    }
  }

  /** A protocol 0 line without its newline; null when it was too long to decode (then skipped). */
  protected line(at: number, op: string): Buffer | null {
    const b = this.r.until(0x0a, VM_LIMITS.line);
    if (b !== null) return b;
    const r = this.r;
    let pos = r.pos;
    while (pos < r.size) {
      const chunk = r.src.read(pos, 1 << 20);
      if (chunk.length === 0) break;
      const i = chunk.indexOf(0x0a);
      if (i >= 0) {
        r.pos = pos + i + 1;
        return null;
      }
      pos += chunk.length;
      this.opts.tick();
    }
    throw truncated(`${op} at byte ${at} has no terminating newline`);
  }

  protected textIndex(at: number, op: string): number {
    const l = this.line(at, op);
    const v = l === null ? -1 : decimal(latin1(l), at, op);
    if (typeof v !== 'number' || v < 0) throw formatError(`${op} at byte ${at} has an invalid memo index`);
    return v;
  }

  /** A UTF-8 string operand of n bytes; long ones are skipped and stand as an opaque value. */
  protected str(n: number, at: number): Value {
    const r = this.r;
    this.pendingStr = null;
    if (n <= SHORT) {
      // hot path: short ASCII strings (keys, names) decoded without a Buffer view and copied to the
      // arena's free space at once, in case the next opcode memoizes them
      const arena = this.arena;
      const base = arena.reserve(n);
      const dst = arena.bytes;
      const codes = CODES[n] as number[];
      let high = 0;
      for (let i = 0; i < n; i++) {
        const c = r.u8();
        if (c < 0) throw truncated(`string of ${n} bytes at byte ${at} runs past the end of the data`);
        codes[i] = c;
        dst[base + i] = c;
        high |= c;
      }
      if (high < 0x80) {
        const s = String.fromCharCode.apply(null, codes);
        this.pendingStr = s;
        this.pendingLen = n;
        return s;
      }
      r.pos -= n; // non-ASCII: decode the UTF-8 properly below
    }
    if (n > VM_LIMITS.inlineString) {
      if (!r.skip(n)) throw truncated(`string of ${n} bytes at byte ${at} runs past the end of the data`);
      return OPAQUE.longString;
    }
    const b = r.bytes(n);
    if (b === null) throw truncated(`string of ${n} bytes at byte ${at} runs past the end of the data`);
    return b.toString('utf8');
  }

  /** Protocol 0/1 byte strings (BINSTRING): unpickled as str by Python 3, one char per byte. */
  protected latin1Str(n: number, at: number): Value {
    if (n > VM_LIMITS.inlineString) {
      if (!this.r.skip(n))
        throw truncated(`string of ${n} bytes at byte ${at} runs past the end of the data`);
      return OPAQUE.longString;
    }
    const b = this.r.bytes(n);
    if (b === null) throw truncated(`string of ${n} bytes at byte ${at} runs past the end of the data`);
    return b.toString('latin1');
  }

  /** A bytes operand: never copied, only located in the source for a possible nested scan. */
  protected blob(n: number, at: number): Value {
    const start = this.r.pos;
    if (!this.r.skip(n)) throw truncated(`bytes of ${n} bytes at byte ${at} run past the end of the data`);
    return new BytesValue(start, n, null);
  }

  protected f64(at: number): number {
    for (let i = 0; i < 8; i++) f64.setUint8(i, this.u8(at));
    return f64.getFloat64(0, false);
  }

  /** LONG1/LONG4: little-endian two's complement of n bytes. */
  protected long(n: number, at: number): Value {
    const r = this.r;
    if (n > 64) {
      if (!r.skip(n)) throw truncated(`integer of ${n} bytes at byte ${at} runs past the end of the data`);
      return OPAQUE.bigInt;
    }
    const b = r.bytes(n);
    if (b === null) throw truncated(`integer of ${n} bytes at byte ${at} runs past the end of the data`);
    if (n === 0) return 0;
    if (n <= 6) {
      let v = 0;
      for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[i] as number);
      return (b[n - 1] as number) & 0x80 ? v - 2 ** (8 * n) : v;
    }
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
    if ((b[n - 1] as number) & 0x80) v -= 1n << BigInt(8 * n);
    return v;
  }

  protected ext(code: number, at: number): void {
    this.sink.onFinding({
      id: 'pickle.extension-code',
      severity: 'medium',
      title: 'Pickle uses a copyreg extension code',
      detail: `EXT opcode at byte ${at} asks for extension code ${code}; the copyreg extension registry is empty by default, so what this resolves to depends on state prepared by other code in the loading process.`,
      offset: at,
      key: String(code),
    });
    this.stack.push(OPAQUE.ext);
  }
}
