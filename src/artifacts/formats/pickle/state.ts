/**
 * State of the symbolic pickle VM: value stack, mark stack, memo and the memory budget. The rules
 * mirror CPython's C unpickler (Modules/_pickle.c): a MARK fences the stack, pops below the fence
 * are underflows, MEMOIZE stores at index len(memo). The VM must never reject a stream that the
 * real unpickler accepts, or a payload after that point would go unseen.
 */
import type { SeqReader } from '../../../core/index.js';
import { formatError, limitExceeded, truncated, type ArtifactError } from '../../errors.js';
import { ARENA_MAX, Memo, NumBox, type MemoSlot, type StringArena } from './memo.js';
import type { VmOptions, VmSink } from './sink.js';
import { GlobalRef, OPAQUE, T_GLOBAL, T_OPAQUE, type Value } from './values.js';

/** Hard bounds on VM structures; past them the stream is refused with LIMIT_EXCEEDED. */
export const VM_LIMITS = {
  stack: 1_000_000,
  marks: 1_000_000,
  memo: 1 << 24,
  /** Strings longer than this are skipped in the source, never decoded. */
  inlineString: 64 * 1024,
  /** Longest protocol 0 text line decoded (longer STRING/UNICODE lines are skipped). */
  line: 64 * 1024,
} as const;

/**
 * Memory bounding. `retained` estimates the bytes of references kept in containers and the memo
 * (it never decreases); past each step the VM keeps less: level 1 drops list items and long
 * strings, level 2 shrinks containers, level 3 keeps no new objects at all (only constants,
 * arena strings and interned globals), so memory is bounded whatever the file size.
 */
const LEVEL_AT = [32 * 1024 * 1024, 64 * 1024 * 1024, 128 * 1024 * 1024, Infinity] as const;
const CAPS = [
  { tuple: 64, dict: 64, list: 32, str: VM_LIMITS.inlineString },
  { tuple: 16, dict: 16, list: 0, str: 256 },
  { tuple: 12, dict: 8, list: 0, str: 128 },
  { tuple: 4, dict: 4, list: 0, str: 64 },
] as const;
/** Objects nested deeper than this are not retained: chains of containers become garbage. */
const MAX_DEPTH = 32;

export abstract class VmCore {
  readonly stack: Value[] = [];
  readonly marks: number[] = [];
  /** Stack index of the top MARK (0 without marks): values below it cannot be popped. */
  fence = 0;
  private memo = new Memo();
  /**
   * The last short ASCII string read, whose bytes were already copied to the arena's free space:
   * a MEMOIZE/PUT right after it commits them without copying again.
   */
  protected pendingStr: string | null = null;
  protected pendingLen = 0;
  private retained = 0;
  private level = 0;
  /** Globals interned per stream so repeated imports share one object. */
  private globals = new Map<string, GlobalRef>();
  /** Items kept per container; lowered as the retained estimate grows. */
  tupleCap = 64;
  listCap = 32;
  dictCap = 64;
  strCap: number = VM_LIMITS.inlineString;
  /** Opcodes executed by this VM (and inline child streams) since construction. */
  ops = 0;
  proto = 0;
  persids = 0;
  joblibArrays = 0;

  constructor(
    readonly r: SeqReader,
    readonly sink: VmSink,
    readonly opts: VmOptions,
  ) {}

  /** Runs a nested stream inline at the reader's position (joblib object arrays). */
  abstract runInline(): void;

  /** Forgets everything but the counters: each stacked stream starts with a fresh unpickler. */
  resetState(): void {
    this.stack.length = 0;
    this.marks.length = 0;
    this.fence = 0;
    this.memo = new Memo();
    this.retained = 0;
    this.proto = 0;
    this.globals.clear();
    this.setLevel(0);
  }

  /** The interned reference to module.name (the first import's offset is kept). */
  globalRef(module: string, name: string, at: number): GlobalRef {
    const key = `${module}\n${name}`;
    let ref = this.globals.get(key);
    if (ref === undefined) {
      ref = new GlobalRef(module, name, at);
      if (this.globals.size < 100_000) this.globals.set(key, ref);
    }
    return ref;
  }

  underflow(at: number): ArtifactError {
    return formatError(
      this.marks.length ? `unexpected MARK at byte ${at}` : `unpickling stack underflow at byte ${at}`,
    );
  }

  eof(at: number): ArtifactError {
    return truncated(`pickle data ends inside the opcode at byte ${at}`);
  }

  pop(at: number): Value {
    if (this.stack.length <= this.fence) throw this.underflow(at);
    return this.stack.pop() as Value;
  }

  top(at: number): Value {
    if (this.stack.length <= this.fence) throw this.underflow(at);
    return this.stack[this.stack.length - 1] as Value;
  }

  pushMark(): void {
    if (this.marks.length >= VM_LIMITS.marks)
      throw limitExceeded(`more than ${VM_LIMITS.marks} pickle MARKs`);
    this.fence = this.stack.length;
    this.marks.push(this.fence);
  }

  /** Pops the top mark and returns its stack index (the first item above it). */
  popMark(at: number): number {
    const k = this.marks.pop();
    if (k === undefined) throw formatError(`no MARK for the opcode at byte ${at}`);
    this.fence = this.marks.length ? (this.marks[this.marks.length - 1] as number) : 0;
    return k;
  }

  /** Removes stack[k..] and returns at most `cap` of those values, accounted as retained. */
  takeItems(k: number, cap: number): Value[] {
    const stack = this.stack;
    const m = Math.min(stack.length - k, cap);
    const items = m > 0 ? stack.slice(k, k + m) : [];
    for (let i = 0; i < items.length; i++) items[i] = this.keep(items[i] as Value);
    stack.length = k;
    return items;
  }

  /** Accounts a value about to be retained (memo or container); returns what may be kept of it. */
  keep(v: Value): Value {
    let cost = 8;
    if (typeof v === 'string') {
      if (v.length > this.strCap) return OPAQUE.longString;
      cost = 16 + v.length;
    } else if (typeof v === 'object' && v !== null) {
      if (v.d >= MAX_DEPTH) return OPAQUE.evicted;
      if (v.t !== T_GLOBAL && v.t !== T_OPAQUE) {
        if (this.level === 3) return OPAQUE.evicted;
        cost = 56;
      }
    }
    this.retained += cost;
    if (this.retained > (LEVEL_AT[this.level] as number)) this.setLevel(this.level + 1);
    return v;
  }

  private setLevel(level: number): void {
    const caps = CAPS[level] ?? CAPS[3];
    this.level = level;
    this.tupleCap = caps.tuple;
    this.dictCap = caps.dict;
    this.listCap = caps.list;
    this.strCap = caps.str;
  }

  get arena(): StringArena {
    return this.memo.arena;
  }

  memoSize(): number {
    return this.memo.size;
  }

  /** Converts a value to its memo representation, accounting what stays retained. */
  private slot(v: Value): MemoSlot {
    if (typeof v !== 'string') {
      const kept = this.keep(v);
      if (typeof kept !== 'number') return kept;
      return this.level === 3 ? OPAQUE.evicted : new NumBox(kept);
    }
    const arena = this.memo.arena;
    let k = -1;
    if (v.length > this.strCap) return OPAQUE.longString;
    if (arena.size + v.length > ARENA_MAX) return OPAQUE.evicted;
    if (v === this.pendingStr) k = arena.commit(this.pendingLen);
    else k = arena.add(v);
    this.pendingStr = null;
    if (k === -1) return this.keep(v); // wider than Latin-1: kept as a JS string
    this.keep(v);
    return k;
  }

  memoPut(idx: number, v: Value): void {
    if (this.memo.size >= VM_LIMITS.memo || !this.memo.set(idx, this.slot(v)))
      throw limitExceeded(
        `more than ${VM_LIMITS.memo} pickle memo entries, or too many scattered PUT indexes`,
      );
  }

  memoGet(idx: number, at: number): Value {
    const v = this.memo.get(idx);
    if (v === undefined) throw formatError(`memo value not found at index ${idx} (byte ${at})`);
    return v;
  }

  u8(at: number): number {
    const b = this.r.u8();
    if (b < 0) throw this.eof(at);
    return b;
  }

  u16(at: number): number {
    const r = this.r;
    const b0 = r.u8();
    const b1 = r.u8();
    if ((b0 | b1) < 0) throw this.eof(at);
    return b0 | (b1 << 8);
  }

  /** Little-endian signed 32-bit operand. */
  i32(at: number): number {
    const r = this.r;
    const b0 = r.u8();
    const b1 = r.u8();
    const b2 = r.u8();
    const b3 = r.u8();
    if ((b0 | b1 | b2 | b3) < 0) throw this.eof(at);
    return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
  }

  u32(at: number): number {
    return this.i32(at) >>> 0;
  }

  /** Little-endian unsigned 64-bit operand; values past 2^53 come back as Infinity (no file is that big). */
  u64(at: number): number {
    const lo = this.u32(at);
    const hi = this.u32(at);
    return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
  }
}
