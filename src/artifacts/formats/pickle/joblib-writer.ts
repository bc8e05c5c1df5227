/**
 * Builds joblib-like dumps: each array is a NumpyArrayWrapper (NEWOBJ + BUILD of its state dict)
 * followed by joblib's raw array bytes, with the joblib >= 1.2 alignment padding, or by a nested
 * protocol 2 pickle for object arrays. Used by tests and the demo.
 */
import { PyDict, PyTuple, py, picklePy, writeValue, type PyValue } from './samples.js';
import { PickleWriter } from './writer.js';

/** One array of a joblib sample. */
export interface JoblibArray {
  shape: number[];
  /** numpy dtype string: 'f8', 'f4', 'i8', 'i4', 'u1', 'b1', or 'O' for an object array. */
  dtype: string;
  /** Raw bytes (numeric dtypes; zeros when absent) or the items of an object array. */
  data?: Uint8Array | PyValue[];
}

/** Options of joblibPickle. */
export interface JoblibSampleOptions {
  protocol?: number;
  /** Write joblib >= 1.2 alignment padding (default true). */
  alignment?: boolean;
  /** Written after the arrays, inside the top-level list (e.g. a payload for tests). */
  trailer?: PyValue;
}

const ALIGN = 16;

function dtypeCall(dtype: string): PyValue {
  const object = dtype === 'O';
  const spec = object ? 'O8' : dtype;
  const endian = object || spec.endsWith('1') ? '|' : '<';
  // numpy's dtype state: (version, endian, subarray, names, fields, elsize, alignment, flags)
  const state = py.tuple(3, endian, null, null, null, -1, -1, object ? 63 : 0);
  return py.call('numpy', 'dtype', [spec, false, true], state);
}

function itemsize(dtype: string): number {
  const m = /(\d+)$/.exec(dtype);
  return m ? Number(m[1]) : 8;
}

/** A joblib.dump-like stream: a list of arrays (or the array itself when there is one and no trailer). */
export function joblibPickle(arrays: JoblibArray[], opts: JoblibSampleOptions = {}): Uint8Array {
  const w = new PickleWriter(opts.protocol ?? 4);
  const alignment = opts.alignment ?? true;
  const asList = arrays.length !== 1 || opts.trailer !== undefined;
  if (asList) w.emptyList().mark();
  for (const a of arrays) {
    const object = a.dtype === 'O';
    const cls = py.global('joblib.numpy_pickle', 'NumpyArrayWrapper');
    if (w.protocol >= 2) writeValue(w, cls).emptyTuple().newobj();
    else writeValue(w, py.call('copyreg', '_reconstructor', [cls, py.global('builtins', 'object'), null]));
    const state: [PyValue, PyValue][] = [
      ['subclass', py.global('numpy', 'ndarray')],
      ['shape', new PyTuple(a.shape)],
      ['order', 'C'],
      ['dtype', dtypeCall(a.dtype)],
      ['allow_mmap', !object],
    ];
    if (alignment) state.push(['numpy_array_alignment_bytes', ALIGN]);
    writeValue(w, new PyDict(state)).build();
    if (object) {
      w.raw(picklePy(Array.isArray(a.data) ? a.data : [], 2));
      continue;
    }
    if (alignment) {
      const pad = ALIGN - ((w.length + 1) % ALIGN);
      w.raw([pad]).raw(new Uint8Array(pad).fill(0xff));
    }
    const count = a.shape.reduce((x, y) => x * y, 1);
    w.raw(a.data instanceof Uint8Array ? a.data : new Uint8Array(count * itemsize(a.dtype)));
  }
  if (opts.trailer !== undefined) writeValue(w, opts.trailer);
  if (asList) w.appends();
  return w.stop().bytes();
}
