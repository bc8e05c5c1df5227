/**
 * joblib's numpy persistence: `joblib.dump` pickles each array as a NumpyArrayWrapper (shape,
 * order, dtype, allow_mmap, numpy_array_alignment_bytes) and writes the raw array bytes right after
 * the wrapper's BUILD opcode; joblib >= 1.2 first writes one padding-length byte and that much
 * padding. Object arrays are written as a separate protocol 2 pickle instead. The VM skips the raw
 * bytes so the scan continues behind them.
 */
import { truncated } from '../../errors.js';
import type { VmCore } from './state.js';
import {
  isCall,
  isDict,
  isGlobal,
  isTuple,
  dictGet,
  tupleItem,
  type CallResult,
  type Value,
} from './values.js';

const RECONSTRUCTORS = new Set(['copyreg._reconstructor', 'copy_reg._reconstructor']);

/** True for a NumpyArrayWrapper instance, built by NEWOBJ (protocol 2+) or copyreg._reconstructor. */
export function isJoblibWrapper(c: CallResult): boolean {
  let cls: Value | undefined = c.callee;
  if (isGlobal(cls) && RECONSTRUCTORS.has(cls.qualified)) cls = tupleItem(c.args, 0);
  return (
    cls !== undefined &&
    isGlobal(cls) &&
    cls.name === 'NumpyArrayWrapper' &&
    cls.module.endsWith('numpy_pickle')
  );
}

/** Number of elements of a shape tuple, or null when it is not a fully known tuple of ints. */
export function shapeCount(shape: Value | undefined): number | null {
  if (shape === undefined || !isTuple(shape) || shape.items.length !== shape.n) return null;
  let count = 1;
  for (const d of shape.items) {
    const n = typeof d === 'bigint' ? Number(d) : d;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return null;
    count *= n;
  }
  return Number.isSafeInteger(count) ? count : null;
}

/** Item size and object-ness of a `numpy.dtype(...)` call result (with the state BUILD gave it). */
export function dtypeInfo(v: Value | undefined): { itemsize: number; hasobject: boolean } | null {
  if (v === undefined || !isCall(v) || !isGlobal(v.callee)) return null;
  if (v.callee.name !== 'dtype' || !v.callee.module.startsWith('numpy')) return null;
  const spec = tupleItem(v.args, 0);
  if (typeof spec !== 'string') return null;
  const m = /^[<>|=]?([a-zA-Z?])(\d*)/.exec(spec);
  if (!m) return null;
  const kind = m[1]!;
  const elsize = tupleItem(v.state, 5);
  const flags = tupleItem(v.state, 7);
  // numpy's NPY_ITEM_REFCOUNT flag (bit 0) marks dtypes that hold Python objects
  const hasobject = typeof flags === 'number' ? (flags & 1) !== 0 : kind === 'O';
  let itemsize: number | null = null;
  if (typeof elsize === 'number' && elsize > 0) itemsize = elsize;
  else if (m[2]) itemsize = Number(m[2]);
  else if (kind === '?' || kind === 'b' || kind === 'B') itemsize = 1;
  if (itemsize === null && !hasobject) return null;
  return { itemsize: itemsize ?? 8, hasobject };
}

/** Skips the array data after a wrapper's BUILD; false (with a finding) when it cannot be located. */
export function readJoblibArray(vm: VmCore, wrapper: CallResult, at: number): boolean {
  const state = wrapper.state;
  const unparsed = (why: string): false => {
    vm.sink.onFinding({
      id: 'pickle.joblib-unparsed',
      severity: 'medium',
      title: 'joblib array data could not be located',
      detail: `The NumpyArrayWrapper built at byte ${at} has ${why}, so the size of the raw array bytes that follow is unknown; the rest of this stream was not scanned.`,
      offset: at,
      key: String(at),
    });
    return false;
  };
  if (!isDict(state)) return unparsed('no state dict');
  const count = shapeCount(dictGet(state, 'shape'));
  if (count === null) return unparsed('a shape that is not a tuple of integers');
  const dtype = dtypeInfo(dictGet(state, 'dtype'));
  if (dtype === null) return unparsed('a dtype that could not be evaluated');
  vm.joblibArrays++;
  if (dtype.hasobject) {
    // object arrays are a complete pickle of their own; plain pickle.load reads it
    vm.runInline();
    return true;
  }
  const align = dictGet(state, 'numpy_array_alignment_bytes');
  if (align !== undefined && align !== null) {
    const pad = vm.u8(at);
    if (!vm.r.skip(pad)) throw truncated(`joblib array padding after byte ${at} runs past the end`);
  }
  const nbytes = count * dtype.itemsize;
  if (!Number.isSafeInteger(nbytes)) return unparsed('a size that overflows');
  if (!vm.r.skip(nbytes))
    throw truncated(`joblib array data (${nbytes} bytes) after the BUILD at byte ${at} runs past the end`);
  return true;
}
