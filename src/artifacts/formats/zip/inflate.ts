import { Inflate } from 'fflate';
import { BaseSource, type ByteSource } from '../../../core/index.js';
import { Spool } from '../compressed/spool.js';

/** Output past this size is checked against the ratio limit. */
export const BOMB_RATIO_MIN_OUTPUT = 16 * 1024 * 1024;
/** Inflated / compressed ratio above which a large member counts as a bomb. */
export const BOMB_RATIO = 200;
/** Input per push: small while the ratio is high, so reading a header never inflates megabytes. */
const IN_MIN = 1024;
const IN_MAX = 32 * 1024;

/** Output bytes still allowed for one archive, shared by its members. */
export interface InflateBudget {
  remaining: number;
}

/** Why inflation stopped early: the archive's output cap, or the compression ratio. */
export type BombKind = 'cap' | 'ratio';

/**
 * A deflated member as a ByteSource that inflates lazily: only as far as the furthest byte read,
 * so detection or an .npy header costs a few KiB even for a large member. Output goes to a Spool
 * (memory, then a temp file); close() releases it. `size` is the declared uncompressed size, or
 * with none the member is inflated in full up front. Corrupt data, the budget and the ratio check
 * end inflation (reads then come up short) and are reported through `corrupt` and `bomb`.
 */
export class InflatingSource extends BaseSource {
  readonly size: number;
  bomb: BombKind | null = null;
  corrupt: string | null = null;
  private readonly spool = new Spool();
  private readonly inflater: Inflate;
  private consumed = 0;
  private done = false;

  constructor(
    private readonly comp: ByteSource,
    declared: number | null,
    private readonly budget: InflateBudget,
    private readonly tick: () => void,
  ) {
    super();
    this.inflater = new Inflate((chunk, final) => this.onData(chunk, final));
    if (declared === null) {
      try {
        this.pump(Number.POSITIVE_INFINITY);
      } catch (e) {
        this.spool.dispose(); // a deadline hit while sizing the member: nothing may stay open
        throw e;
      }
      this.size = this.spool.size;
    } else this.size = declared;
  }

  /** Bytes inflated so far. */
  get inflated(): number {
    return this.spool.size;
  }

  private onData(chunk: Uint8Array, final: boolean): void {
    if (this.done) return;
    if (chunk.length > this.budget.remaining) {
      this.spool.write(chunk.subarray(0, this.budget.remaining));
      this.budget.remaining = 0;
      this.bomb = 'cap';
      this.done = true;
      return;
    }
    this.spool.write(chunk);
    this.budget.remaining -= chunk.length;
    const out = this.spool.size;
    if (out > BOMB_RATIO_MIN_OUTPUT && out > BOMB_RATIO * Math.max(1, this.consumed)) {
      this.bomb = 'ratio';
      this.done = true;
    }
    if (final) this.done = true;
  }

  private pump(target: number): void {
    while (!this.done && this.spool.size < target) {
      // deflate tops out near 1032:1; assume the worst until the stream shows its ratio
      const ratio = this.consumed > 0 ? Math.max(1, this.spool.size / this.consumed) : 1032;
      const want = Math.ceil((target - this.spool.size) / ratio);
      const chunk = this.comp.read(this.consumed, Math.min(IN_MAX, Math.max(IN_MIN, want)));
      this.consumed += chunk.length;
      const last = this.consumed >= this.comp.size || chunk.length === 0;
      try {
        this.inflater.push(chunk, last);
      } catch (e) {
        this.corrupt = e instanceof Error ? e.message : String(e);
        this.done = true;
      }
      if (last) this.done = true;
      this.tick();
    }
  }

  readInto(target: Uint8Array, offset: number, length: number, position: number): number {
    if (position < 0 || position >= this.size || length <= 0) return 0;
    const want = Math.min(length, this.size - position);
    this.pump(position + want);
    return this.spool.readInto(target, offset, want, position);
  }

  override close(): void {
    this.spool.dispose();
  }
}
