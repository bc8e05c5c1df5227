import { SeqReader, type ByteSource } from '../../../core/index.js';
import { formatError, truncated } from '../../errors.js';
import type { DecodeResult } from './flate.js';
import { LzWindow, PROB_INIT, RangeDecoder } from './lzma-range.js';
import type { Spool } from './spool.js';

/** Largest dictionary window allocated (xz/lzma presets use at most 64 MiB). */
export const LZMA_WINDOW_MAX = 64 * 1024 * 1024;
const FLUSH_EVERY = 1 << 20;

/** Parameters of one LZMA stream: lc/lp/pb properties byte, dictionary size, and output size if known. */
export interface LzmaParams {
  props: number;
  dictSize: number;
  /** null: unknown, the stream ends with an end marker. */
  unpackSize: number | null;
}

// layout of the length coder's probabilities: choice, choice2, low[16][8], mid[16][8], high[256]
const LEN_LOW = 2;
const LEN_MID = 130;
const LEN_HIGH = 258;
const LEN_PROBS = 514;

function decodeLen(rc: RangeDecoder, p: Uint16Array, posState: number): number {
  if (rc.bit(p, 0) === 0) return rc.tree(p, LEN_LOW + posState * 8, 3);
  if (rc.bit(p, 1) === 0) return 8 + rc.tree(p, LEN_MID + posState * 8, 3);
  return 16 + rc.tree(p, LEN_HIGH, 8);
}

/** The probability tables of one decoder, each initialised to 1/2. */
class Models {
  readonly isMatch = new Uint16Array(192).fill(PROB_INIT);
  readonly isRep = new Uint16Array(12).fill(PROB_INIT);
  readonly isRepG0 = new Uint16Array(12).fill(PROB_INIT);
  readonly isRepG1 = new Uint16Array(12).fill(PROB_INIT);
  readonly isRepG2 = new Uint16Array(12).fill(PROB_INIT);
  readonly isRep0Long = new Uint16Array(192).fill(PROB_INIT);
  readonly posSlot = new Uint16Array(256).fill(PROB_INIT);
  readonly posSpecial = new Uint16Array(115).fill(PROB_INIT);
  readonly align = new Uint16Array(16).fill(PROB_INIT);
  readonly len = new Uint16Array(LEN_PROBS).fill(PROB_INIT);
  readonly repLen = new Uint16Array(LEN_PROBS).fill(PROB_INIT);
  readonly literal: Uint16Array;
  constructor(lc: number, lp: number) {
    this.literal = new Uint16Array(0x300 << (lc + lp)).fill(PROB_INIT);
  }
}

function decodeDistance(rc: RangeDecoder, m: Models, len: number): number {
  const lenState = Math.min(len, 3);
  const slot = rc.tree(m.posSlot, lenState * 64, 6);
  if (slot < 4) return slot;
  const directBits = (slot >> 1) - 1;
  let dist = (2 | (slot & 1)) * 2 ** directBits;
  if (slot < 14) return dist + rc.reverseTree(m.posSpecial, dist - slot, directBits);
  dist += rc.direct(directBits - 4) * 16;
  return dist + rc.reverseTree(m.align, 0, 4);
}

/**
 * Decodes one raw LZMA stream (the LZMA SDK's algorithm, written from its specification) from
 * `next` into `out`. Every distance is checked against the decoded data, so corrupt input ends
 * in a FORMAT_INVALID error, never an out-of-range read.
 */
export function lzmaDecode(next: () => number, params: LzmaParams, out: Spool, onProgress: () => void): void {
  if (params.props >= 225) throw formatError('lzma: invalid properties byte');
  const lc = params.props % 9;
  const lp = Math.floor(params.props / 9) % 5;
  const pb = Math.floor(params.props / 45);
  let remaining = params.unpackSize ?? -1;
  const known = params.unpackSize !== null;
  let windowSize = Math.min(Math.max(params.dictSize, 4096), LZMA_WINDOW_MAX);
  if (known) windowSize = Math.max(1, Math.min(windowSize, remaining));
  const win = new LzWindow(windowSize, out, onProgress);
  const rc = new RangeDecoder(next);
  const m = new Models(lc, lp);
  const pbMask = (1 << pb) - 1;
  const lpMask = (1 << lp) - 1;
  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  for (;;) {
    if (known && remaining === 0 && rc.finishedOk) break;
    if (win.pending >= FLUSH_EVERY) win.flush();
    const posState = win.total & pbMask;
    if (rc.bit(m.isMatch, (state << 4) + posState) === 0) {
      if (known && remaining === 0) throw formatError('lzma: data continues past the declared size');
      const prev = win.total > 0 ? win.get(1) : 0;
      const base = 0x300 * (((win.total & lpMask) << lc) + (prev >> (8 - lc)));
      let sym = 1;
      if (state >= 7) {
        let matchByte = win.total > rep0 ? win.get(rep0 + 1) : 0;
        while (sym < 0x100) {
          const matchBit = (matchByte >> 7) & 1;
          matchByte <<= 1;
          const bit = rc.bit(m.literal, base + ((1 + matchBit) << 8) + sym);
          sym = (sym << 1) | bit;
          if (matchBit !== bit) break;
        }
      }
      while (sym < 0x100) sym = (sym << 1) | rc.bit(m.literal, base + sym);
      win.put(sym - 0x100);
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      remaining--;
      continue;
    }
    let len: number;
    if (rc.bit(m.isRep, state) !== 0) {
      if (known && remaining === 0) throw formatError('lzma: data continues past the declared size');
      if (win.total === 0) throw formatError('lzma: repeated match before any data');
      if (rc.bit(m.isRepG0, state) === 0) {
        if (rc.bit(m.isRep0Long, (state << 4) + posState) === 0) {
          win.check(rep0 + 1);
          state = state < 7 ? 9 : 11;
          win.put(win.get(rep0 + 1));
          remaining--;
          continue;
        }
      } else {
        let dist: number;
        if (rc.bit(m.isRepG1, state) === 0) dist = rep1;
        else {
          if (rc.bit(m.isRepG2, state) === 0) dist = rep2;
          else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = decodeLen(rc, m.repLen, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = decodeLen(rc, m.len, posState);
      state = state < 7 ? 7 : 10;
      rep0 = decodeDistance(rc, m, len);
      if (rep0 === 0xffffffff) {
        if (!rc.finishedOk) throw formatError('lzma: corrupt data before the end marker');
        break;
      }
      if (known && remaining === 0) throw formatError('lzma: data continues past the declared size');
    }
    win.check(rep0 + 1);
    len += 2;
    if (known && len > remaining) throw formatError('lzma: match runs past the declared size');
    win.copy(rep0 + 1, len);
    remaining -= len;
  }
  win.flush();
}

/** Header of an .lzma ('lzma-alone') file: props byte, u32 dictionary size, u64 size or all ones. */
export function parseLzmaAloneHeader(h: Uint8Array): LzmaParams | null {
  if (h.length < 13) return null;
  const b = Buffer.from(h.buffer, h.byteOffset, 13);
  const props = b[0] ?? 0;
  const lo = b.readUInt32LE(5);
  const hi = b.readUInt32LE(9);
  let unpackSize: number | null;
  if (lo === 0xffffffff && hi === 0xffffffff) unpackSize = null;
  else if (hi >= 0x200000) return null;
  else unpackSize = hi * 2 ** 32 + lo;
  return { props, dictSize: b.readUInt32LE(1), unpackSize };
}

/** Decodes an .lzma ('lzma-alone', as joblib writes with compress='lzma') file into `out`. */
export function lzmaAloneInto(src: ByteSource, out: Spool, onProgress: () => void): DecodeResult {
  const params = parseLzmaAloneHeader(src.read(0, 13));
  if (!params) throw src.size < 13 ? truncated('lzma header ends early') : formatError('invalid lzma header');
  const reader = new SeqReader(src, 1 << 20, 13);
  lzmaDecode(() => reader.u8(), params, out, onProgress);
  return { streams: 1, trailing: Math.max(0, src.size - reader.pos) };
}
