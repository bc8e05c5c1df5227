/**
 * Python-shaped values for PickleWriter and builders of realistic sample streams: a torch-like
 * state dict, a joblib-like array dump, and a single-call pickle (the classic malicious shape).
 */
import { PickleWriter } from './writer.js';

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
/** A Python dict with arbitrary keys, in insertion order. */
export class PyDict {
  constructor(readonly entries: [PyValue, PyValue][]) {}
}
/** A reference to module.name, written with GLOBAL (protocol < 4) or STACK_GLOBAL. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}
/** callee(*args) via REDUCE, then BUILD with `state` when given. */
export class PyCall {
  constructor(
    readonly callee: PyGlobal,
    readonly args: PyValue[],
    readonly state?: PyValue,
  ) {}
}
/** A float even when the number is integral. */
export class PyFloat {
  constructor(readonly value: number) {}
}
/** A persistent id (BINPERSID of the wrapped value), as torch writes storages. */
export class PyPersid {
  constructor(readonly id: PyValue) {}
}

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PyGlobal
  | PyCall
  | PyFloat
  | PyPersid;

/** Shorthands for building PyValues. */
export const py = {
  tuple: (...items: PyValue[]) => new PyTuple(items),
  dict: (obj: Record<string, PyValue>) => new PyDict(Object.entries(obj)),
  global: (module: string, name: string) => new PyGlobal(module, name),
  call: (module: string, name: string, args: PyValue[] = [], state?: PyValue) =>
    new PyCall(new PyGlobal(module, name), args, state),
  float: (v: number) => new PyFloat(v),
  persid: (id: PyValue) => new PyPersid(id),
};

const BATCH = 1000;

/** Writes `v` the way CPython's pickler would for the writer's protocol (without memoization). */
export function writeValue(w: PickleWriter, v: PyValue): PickleWriter {
  const p = w.protocol;
  if (v === null) return w.none();
  if (typeof v === 'boolean') return w.bool(v);
  if (typeof v === 'bigint') return w.int(v);
  if (typeof v === 'number') return Number.isInteger(v) ? w.int(v) : w.float(v);
  if (typeof v === 'string') return w.str(v);
  if (v instanceof Uint8Array) return w.binary(v);
  if (v instanceof PyFloat) return w.float(v.value);
  if (v instanceof PyGlobal) return p >= 4 ? w.stackGlobal(v.module, v.name) : w.global(v.module, v.name);
  if (v instanceof PyPersid) return writeValue(w, v.id).binpersid();
  if (v instanceof PyCall) {
    writeValue(w, v.callee);
    writeValue(w, new PyTuple(v.args)).reduce();
    return v.state === undefined ? w : writeValue(w, v.state).build();
  }
  if (v instanceof PyTuple) {
    const n = v.items.length;
    if (n === 0) return p >= 1 ? w.emptyTuple() : w.mark().tuple();
    if (n <= 3 && p >= 2) {
      for (const item of v.items) writeValue(w, item);
      return n === 1 ? w.tuple1() : n === 2 ? w.tuple2() : w.tuple3();
    }
    w.mark();
    for (const item of v.items) writeValue(w, item);
    return w.tuple();
  }
  if (v instanceof PyDict) {
    if (p === 0) {
      w.mark().dict();
      for (const [k, val] of v.entries) writeValue(writeValue(w, k), val).setitem();
      return w;
    }
    w.emptyDict();
    for (let i = 0; i < v.entries.length; i += BATCH) {
      const batch = v.entries.slice(i, i + BATCH);
      // CPython writes a lone item with SETITEM, larger batches with MARK ... SETITEMS
      if (batch.length === 1) writeValue(writeValue(w, batch[0]![0]), batch[0]![1]).setitem();
      else {
        w.mark();
        for (const [k, val] of batch) writeValue(writeValue(w, k), val);
        w.setitems();
      }
    }
    return w;
  }
  if (p === 0) {
    w.mark().list();
    for (const item of v) writeValue(w, item).append();
    return w;
  }
  w.emptyList();
  for (let i = 0; i < v.length; i += BATCH) {
    const batch = v.slice(i, i + BATCH);
    if (batch.length === 1) writeValue(w, batch[0]!).append();
    else {
      w.mark();
      for (const item of batch) writeValue(w, item);
      w.appends();
    }
  }
  return w;
}

/** A complete stream holding `v`. */
export function picklePy(v: PyValue, protocol = 4): Uint8Array {
  return writeValue(new PickleWriter(protocol), v).stop().bytes();
}

/** module.name(*args) as a whole pickle: what a malicious `__reduce__` produces. */
export function callPickle(module: string, name: string, args: PyValue[], protocol = 4): Uint8Array {
  return picklePy(py.call(module, name, args), protocol);
}

/** Options of torchStateDictPickle. */
export interface TorchSampleOptions {
  tensors?: number;
  protocol?: number;
  /** Extra entry whose value is written verbatim (e.g. a hidden payload for tests). */
  extra?: [string, PyValue];
}

/**
 * A benign torch `state_dict` as torch.save writes data.pkl: an OrderedDict of
 * torch._utils._rebuild_tensor_v2 calls over FloatStorage persistent ids.
 */
export function torchStateDictPickle(opts: TorchSampleOptions = {}): Uint8Array {
  const entries: [PyValue, PyValue][] = [];
  const n = opts.tensors ?? 2;
  for (let i = 0; i < n; i++) {
    const shape = [4 + i, 3];
    const storage = py.persid(
      py.tuple('storage', py.global('torch', 'FloatStorage'), String(i), 'cpu', shape[0]! * 3),
    );
    const tensor = py.call('torch._utils', '_rebuild_tensor_v2', [
      storage,
      0,
      py.tuple(...shape),
      py.tuple(3, 1),
      false,
      py.call('collections', 'OrderedDict'),
    ]);
    entries.push([`layers.${i}.weight`, tensor]);
  }
  if (opts.extra) entries.push(opts.extra);
  return writeOrderedDict(entries, opts.protocol ?? 2);
}

function writeOrderedDict(entries: [PyValue, PyValue][], protocol: number): Uint8Array {
  const w = new PickleWriter(protocol);
  writeValue(w, py.call('collections', 'OrderedDict')).mark();
  for (const [k, v] of entries) writeValue(writeValue(w, k), v);
  return w.setitems().stop().bytes();
}
