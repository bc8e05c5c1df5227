/**
 * The unpickler memo, sized for pickles with millions of entries: memoized strings live in byte
 * chunks (an arena) and the memo itself is an Int32Array of codes, so retained memory is a few
 * bytes per entry and the garbage collector has almost nothing to trace.
 */
import type { Value } from './values.js';

/** Bytes of memoized strings kept; later ones are evicted (a GET then yields an opaque value). */
export const ARENA_MAX = 64 * 1024 * 1024;
const CHUNK = 1 << 20;

/** A memoized number (numbers in the memo's code space stand for arena strings). */
export class NumBox {
  constructor(readonly v: number) {}
}

/** What the memo stores: an arena string index, or a value (numbers boxed). */
export type MemoSlot = number | NumBox | Exclude<Value, number>;

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(a.length * 2);
  next.set(a);
  return next;
}

/** Latin-1 strings packed back to back in 1 MiB chunks (never copied or resized). */
export class StringArena {
  private chunks: Buffer[] = [];
  private ends: number[] = [];
  /** Current chunk; strings never span chunks (they are at most 64 KiB). */
  bytes: Buffer = Buffer.alloc(0);
  private used = 0;
  private total = 0;
  /** Entry i starts at chunk * CHUNK + offset; it ends where entry i+1 starts, or at its chunk's end. */
  private starts = new Int32Array(1024);
  private count = 0;

  /** Bytes held by entries. */
  get size(): number {
    return this.total;
  }

  /** Makes room for n bytes in `bytes` and returns where they go (tentative until commit). */
  reserve(n: number): number {
    if (this.used + n > this.bytes.length) {
      if (this.chunks.length) this.ends[this.chunks.length - 1] = this.used;
      this.bytes = Buffer.allocUnsafe(Math.max(CHUNK, n));
      this.chunks.push(this.bytes);
      this.used = 0;
    }
    return this.used;
  }

  /** Turns the n bytes written after reserve() into an entry and returns its index. */
  commit(n: number): number {
    if (this.count === this.starts.length) this.starts = grow(this.starts);
    this.starts[this.count] = (this.chunks.length - 1) * CHUNK + this.used;
    this.used += n;
    this.total += n;
    return this.count++;
  }

  /** Stores a Latin-1 string and returns its index; -1 when it has wider chars. */
  add(s: string): number {
    const n = s.length;
    const base = this.reserve(n);
    const dst = this.bytes;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) return -1;
      dst[base + i] = c;
    }
    return this.commit(n);
  }

  get(i: number): string {
    const start = this.starts[i] as number;
    const c = Math.floor(start / CHUNK);
    const next = i + 1 < this.count ? (this.starts[i + 1] as number) : -1;
    const end =
      next >= 0 && Math.floor(next / CHUNK) === c
        ? next % CHUNK
        : c === this.chunks.length - 1
          ? this.used
          : (this.ends[c] as number);
    return (this.chunks[c] as Buffer).toString('latin1', start % CHUNK, end);
  }
}

/** Code of a dense slot that was never set. */
const HOLE = -0x80000000;
/** A PUT this far past the dense end goes to the sparse map instead of growing the array. */
const DENSE_GAP = 1 << 16;
/** Dense slots and sparse entries allowed: CPython would need that many objects in memory too. */
const MAX_DENSE = 1 << 24;
export const MAX_SPARSE = 1 << 20;

/**
 * Dense memo codes (>= 0: arena index, otherwise ~index into objs, HOLE: unset) plus a Map for
 * PUT indexes far past the dense end. Like CPython's array memo, nearby gaps are just holes.
 */
export class Memo {
  readonly arena = new StringArena();
  private codes = new Int32Array(1024).fill(HOLE);
  /** One past the highest dense index set. */
  length = 0;
  /** Entries set (dense and sparse): what MEMOIZE uses as its index, like CPython's memo_len. */
  private count = 0;
  private objs: Exclude<MemoSlot, number>[] = [];
  private sparse: Map<number, MemoSlot> | null = null;

  get size(): number {
    return this.count + (this.sparse ? this.sparse.size : 0);
  }

  private code(slot: MemoSlot): number {
    if (typeof slot === 'number') return slot;
    this.objs.push(slot);
    return ~(this.objs.length - 1);
  }

  /** Stores at idx; false when the memo is full (the caller refuses the stream). */
  set(idx: number, slot: MemoSlot): boolean {
    if (idx < this.length + DENSE_GAP && idx < MAX_DENSE) {
      if (idx >= this.codes.length) {
        let cap = this.codes.length * 2;
        while (cap <= idx) cap *= 2;
        const next = new Int32Array(Math.min(cap, MAX_DENSE)).fill(HOLE);
        next.set(this.codes);
        this.codes = next;
      }
      if (this.codes[idx] === HOLE) {
        // an index reached by the dense part leaves the sparse map
        if (this.sparse?.delete(idx) !== true) this.count++;
      }
      this.codes[idx] = this.code(slot);
      if (idx >= this.length) this.length = idx + 1;
      return true;
    }
    const sparse = (this.sparse ??= new Map());
    if (!sparse.has(idx) && sparse.size >= MAX_SPARSE) return false;
    sparse.set(idx, slot);
    return true;
  }

  /** The value at idx, or undefined when nothing was stored there. */
  get(idx: number): Value | undefined {
    let slot: MemoSlot | undefined;
    const c = idx < this.length ? (this.codes[idx] as number) : HOLE;
    if (c !== HOLE) {
      if (c >= 0) return this.arena.get(c);
      slot = this.objs[~c];
    } else slot = this.sparse?.get(idx);
    if (slot === undefined) return undefined;
    if (typeof slot === 'number') return this.arena.get(slot);
    return slot instanceof NumBox ? slot.v : slot;
  }
}
