import { formatError, truncated } from '../../errors.js';
import type { Spool } from './spool.js';

/** Probability model start value (half of 2^11). */
export const PROB_INIT = 1024;

/** LZMA range decoder over a byte supplier; state kept in plain numbers below 2^32. */
export class RangeDecoder {
  private range = 0xffffffff;
  private code = 0;

  constructor(private readonly next: () => number) {
    if (this.byte() !== 0) throw formatError('lzma: corrupt range coder header');
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.byte();
    if (this.code === this.range) throw formatError('lzma: corrupt range coder header');
  }

  private byte(): number {
    const b = this.next();
    if (b < 0) throw truncated('lzma: compressed data ends early');
    return b;
  }

  /** Decodes one bit with an adaptive probability probs[i]. */
  bit(probs: Uint16Array, i: number): number {
    const p = probs[i] ?? PROB_INIT;
    const bound = (this.range >>> 11) * p;
    let bit: number;
    if (this.code < bound) {
      probs[i] = p + ((2048 - p) >>> 5);
      this.range = bound;
      bit = 0;
    } else {
      probs[i] = p - (p >>> 5);
      this.code -= bound;
      this.range -= bound;
      bit = 1;
    }
    if (this.range < 0x1000000) {
      this.range = this.range * 256;
      this.code = this.code * 256 + this.byte();
    }
    return bit;
  }

  /** Decodes `count` bits of probability 1/2, most significant first. */
  direct(count: number): number {
    let res = 0;
    for (let i = 0; i < count; i++) {
      this.range = Math.floor(this.range / 2);
      let bit = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        bit = 1;
      }
      res = res * 2 + bit;
      if (this.range < 0x1000000) {
        this.range = this.range * 256;
        this.code = this.code * 256 + this.byte();
      }
    }
    return res;
  }

  /** A stream that ended cleanly leaves the code at zero. */
  get finishedOk(): boolean {
    return this.code === 0;
  }

  /** Bit tree of `bits` levels rooted at probs[base + 1]. */
  tree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, base + m);
    return m - (1 << bits);
  }

  /** Bit tree read least significant bit first. */
  reverseTree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(probs, base + m);
      m = (m << 1) | b;
      sym |= b << i;
    }
    return sym;
  }
}

/** Sliding dictionary of an LZMA decoder; flushes decoded bytes to a spool as it goes. */
export class LzWindow {
  private readonly buf: Uint8Array;
  private pos = 0;
  private flushed = 0;
  /** Bytes decoded so far. */
  total = 0;

  constructor(
    readonly size: number,
    private readonly out: Spool,
    private readonly onProgress: () => void,
  ) {
    this.buf = new Uint8Array(size);
  }

  put(b: number): void {
    this.buf[this.pos++] = b;
    this.total++;
    if (this.pos === this.size) this.flush();
  }

  /** Byte `dist` positions back (dist >= 1); 0 before the start. */
  get(dist: number): number {
    let i = this.pos - dist;
    if (i < 0) i += this.size;
    return this.buf[i] ?? 0;
  }

  /** Checks that a match distance (>= 1) points into decoded data that is still in the window. */
  check(dist: number): void {
    if (dist > this.total) throw formatError('lzma: match distance points before the data');
    if (dist > this.size) throw formatError(`lzma: match distance beyond the ${this.size}-byte window`);
  }

  copy(dist: number, len: number): void {
    for (let i = 0; i < len; i++) this.put(this.get(dist));
  }

  /** Writes pending bytes to the spool (and lets the caller check its deadline). */
  flush(): void {
    if (this.pos > this.flushed) this.out.write(this.buf.subarray(this.flushed, this.pos));
    if (this.pos === this.size) this.pos = 0;
    this.flushed = this.pos;
    this.onProgress();
  }

  /** Bytes decoded but not yet flushed. */
  get pending(): number {
    return this.pos - this.flushed;
  }
}
