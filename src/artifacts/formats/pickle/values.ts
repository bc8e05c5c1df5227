/**
 * Symbolic values of the pickle VM. Constants are plain JS values (string, number, bigint, boolean,
 * null); everything else is a small object tagged by `t`. Containers keep only their first items
 * so memory stays bounded, and byte strings keep only where they sit in the source.
 */

export const T_GLOBAL = 1;
export const T_CALL = 2;
export const T_TUPLE = 3;
export const T_LIST = 4;
export const T_SET = 5;
export const T_FROZENSET = 6;
export const T_DICT = 7;
export const T_BYTES = 8;
export const T_OPAQUE = 9;

/** An imported global (class, function or module attribute) as named in the stream. */
export class GlobalRef {
  readonly t = T_GLOBAL;
  readonly d = 0;
  constructor(
    readonly module: string,
    readonly name: string,
    readonly offset: number,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** How an object came to be created: which opcode called the callable. */
export type CallKind = 'REDUCE' | 'NEWOBJ' | 'NEWOBJ_EX' | 'INST' | 'OBJ';

/** The result of calling something (REDUCE, NEWOBJ, INST, OBJ); `state` is what BUILD applied last. */
export class CallResult {
  readonly t = T_CALL;
  /** Nesting depth of the retained object graph below this value (see VmCore.keep). */
  d: number;
  state: Value = null;
  built = false;
  constructor(
    readonly callee: Value,
    readonly args: Value,
    readonly kind: CallKind,
    readonly offset: number,
  ) {
    this.d = 1 + Math.max(depth(callee), depth(args));
  }
}

/** A tuple, list, set or frozenset: the first items (up to a cap) and the true count. */
export class SeqValue {
  n: number;
  d = 1;
  constructor(
    readonly t: typeof T_TUPLE | typeof T_LIST | typeof T_SET | typeof T_FROZENSET,
    readonly items: Value[],
  ) {
    this.n = items.length;
    for (const item of items) this.d = Math.max(this.d, 1 + depth(item));
  }
}

/** A dict: the first entries (up to a cap), the true count, and the first dunder key that was set. */
export class DictValue {
  readonly t = T_DICT;
  d = 1;
  readonly keys: Value[] = [];
  readonly vals: Value[] = [];
  n = 0;
  /** A key like `__setstate__` that, applied by BUILD, hijacks later method lookups. */
  dunder: string | null = null;
}

/**
 * A bytes or bytearray value. `offset`/`length` locate it in the scanned source (offset -1 when it
 * was computed, e.g. by `_codecs.encode`, in which case `data` holds it).
 */
export class BytesValue {
  readonly t = T_BYTES;
  readonly d = 0;
  constructor(
    readonly offset: number,
    readonly length: number,
    readonly data: Uint8Array | null,
  ) {}
}

/** Why a value has no symbolic content. */
export type OpaqueKind =
  | 'unknown'
  | 'evicted'
  | 'long-string'
  | 'big-int'
  | 'persistent-id'
  | 'extension'
  | 'buffer'
  | 'computed-global';

/** A value the VM does not model (persistent ids, out-of-band buffers, skipped long strings...). */
export class OpaqueValue {
  readonly t = T_OPAQUE;
  readonly d = 0;
  constructor(readonly kind: OpaqueKind) {}
}

export type PObject = GlobalRef | CallResult | SeqValue | DictValue | BytesValue | OpaqueValue;
export type Value = null | boolean | number | bigint | string | PObject;

export const OPAQUE = {
  unknown: new OpaqueValue('unknown'),
  evicted: new OpaqueValue('evicted'),
  longString: new OpaqueValue('long-string'),
  bigInt: new OpaqueValue('big-int'),
  persid: new OpaqueValue('persistent-id'),
  ext: new OpaqueValue('extension'),
  buffer: new OpaqueValue('buffer'),
  computedGlobal: new OpaqueValue('computed-global'),
} as const;

/** Depth of the object graph below a value (0 for constants and leaves). */
export function depth(v: Value): number {
  return typeof v === 'object' && v !== null ? v.d : 0;
}

export function isObj(v: Value): v is PObject {
  return typeof v === 'object' && v !== null;
}

export function isGlobal(v: Value): v is GlobalRef {
  return isObj(v) && v.t === T_GLOBAL;
}

export function isCall(v: Value): v is CallResult {
  return isObj(v) && v.t === T_CALL;
}

export function isDict(v: Value): v is DictValue {
  return isObj(v) && v.t === T_DICT;
}

export function isTuple(v: Value): v is SeqValue {
  return isObj(v) && v.t === T_TUPLE;
}

export function isBytes(v: Value): v is BytesValue {
  return isObj(v) && v.t === T_BYTES;
}

export function isOpaque(v: Value): v is OpaqueValue {
  return isObj(v) && v.t === T_OPAQUE;
}

/** Item `i` of a tuple when it was kept, else undefined. */
export function tupleItem(v: Value, i: number): Value | undefined {
  return isTuple(v) ? v.items[i] : undefined;
}

/** Value stored under string key `key` in a dict, if that entry was kept. */
export function dictGet(d: DictValue, key: string): Value | undefined {
  const i = d.keys.indexOf(key);
  return i === -1 ? undefined : d.vals[i];
}

/** Short human description of a value for finding details (never recursive beyond one level). */
export function describe(v: Value): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `str '${v.slice(0, 40)}...'` : `str '${v}'`;
    case 'number':
    case 'bigint':
      return `number ${String(v)}`;
    case 'boolean':
      return v ? 'True' : 'False';
    default:
      break;
  }
  switch (v.t) {
    case T_GLOBAL:
      return `global ${v.qualified}`;
    case T_CALL:
      return isGlobal(v.callee) ? `result of ${v.callee.qualified}(...)` : 'result of a call';
    case T_TUPLE:
      return `tuple of ${v.n}`;
    case T_LIST:
      return `list of ${v.n}`;
    case T_SET:
    case T_FROZENSET:
      return `set of ${v.n}`;
    case T_DICT:
      return `dict of ${v.n}`;
    case T_BYTES:
      return `bytes of ${v.length}`;
    case T_OPAQUE:
      return v.kind;
  }
}
