/**
 * The torch side of the strict evaluator: the only globals a checkpoint may name, what the
 * rebuild functions produce (TensorRef: storage, offset, size, stride), and flattening of nested
 * dicts to dotted tensor names. Nothing here imports or calls anything from the checkpoint.
 */
import { DTYPE_BITS } from '../formats/safetensors/header.js';
import { ConvertError, invalid, unsupported } from './errors.js';
import { Foreign, PDict, PList, PTuple, unpickle, type PV, type UnpickleHooks } from './unpickle.js';

/** A torch dtype as safetensors names it, with its element size. */
export interface DType {
  st: string;
  size: number;
}

// element sizes come from the safetensors dtype table, the one place they are defined
const D = (st: string): DType => ({ st, size: (DTYPE_BITS[st] ?? 0) / 8 });

/** Legacy typed storage classes (what torch 2.x still writes in persistent ids) -> dtype. */
export const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  DoubleStorage: D('F64'),
  FloatStorage: D('F32'),
  HalfStorage: D('F16'),
  BFloat16Storage: D('BF16'),
  LongStorage: D('I64'),
  IntStorage: D('I32'),
  ShortStorage: D('I16'),
  CharStorage: D('I8'),
  ByteStorage: D('U8'),
  BoolStorage: D('BOOL'),
  Float8_e4m3fnStorage: D('F8_E4M3'),
  Float8_e5m2Storage: D('F8_E5M2'),
};

/** torch.<dtype> objects (the dtype argument of _rebuild_tensor_v3) -> dtype. */
export const TORCH_DTYPES: Readonly<Record<string, DType>> = {
  float64: D('F64'),
  float32: D('F32'),
  float16: D('F16'),
  bfloat16: D('BF16'),
  int64: D('I64'),
  int32: D('I32'),
  int16: D('I16'),
  int8: D('I8'),
  uint8: D('U8'),
  uint16: D('U16'),
  uint32: D('U32'),
  uint64: D('U64'),
  bool: D('BOOL'),
  float8_e4m3fn: D('F8_E4M3'),
  float8_e5m2: D('F8_E5M2'),
};

const REBUILD = new Set([
  '_rebuild_tensor_v2',
  '_rebuild_tensor_v3',
  '_rebuild_parameter',
  '_rebuild_parameter_with_state',
]);

/** An allowlisted global; calling it is interpreted here, never imported. */
export class TorchGlobal extends Foreign {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {
    super();
  }
  describe(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A storage named by a persistent id: the bytes of member `<root>/data/<key>`. */
export class StorageRef extends Foreign {
  constructor(
    readonly key: string,
    /** null for an untyped (byte) storage, whose tensor says its dtype. */
    readonly dtype: DType | null,
    /** Elements (bytes for untyped storages). */
    readonly numel: number,
    readonly location: string,
  ) {
    super();
  }
  get nbytes(): number {
    return this.numel * (this.dtype?.size ?? 1);
  }
  describe(): string {
    return `storage ${this.key}`;
  }
}

/** A tensor view: `size`/`stride`/`offset` in elements of `dtype` over `storage`. */
export class TensorRef extends Foreign {
  constructor(
    readonly storage: StorageRef,
    readonly dtype: DType,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {
    super();
  }
  describe(): string {
    return `tensor ${this.dtype.st}[${this.size.join(', ')}]`;
  }
}

function ints(v: PV, what: string): number[] {
  if (!(v instanceof PTuple) && !(v instanceof PList)) throw invalid(`${what} is not a tuple`);
  return v.items.map((x) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0)
      throw invalid(
        `${what} holds ${typeof x === 'object' ? 'an object' : String(x)}, not a non-negative integer`,
      );
    return x;
  });
}

function emptyHooks(v: PV): void {
  if (v === null) return;
  if (!(v instanceof PDict) || v.map.size !== 0)
    throw unsupported('tensor has backward hooks: not part of a plain checkpoint');
}

function rebuildTensor(fn: string, a: PV[]): TensorRef {
  const [storage, offset, size, stride, , hooks] = a;
  if (!(storage instanceof StorageRef)) throw invalid(`${fn}: first argument is not a storage`);
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    throw invalid(`${fn}: storage offset is not a non-negative integer`);
  emptyHooks(hooks ?? null);
  let dtype = storage.dtype;
  if (fn === '_rebuild_tensor_v3') {
    const d = a[6];
    if (!(d instanceof TorchGlobal) || !TORCH_DTYPES[d.name])
      throw invalid(`${fn}: dtype argument is invalid`);
    if (storage.dtype) throw invalid(`${fn}: expects an untyped storage`);
    dtype = TORCH_DTYPES[d.name]!;
  }
  if (!dtype) throw invalid(`${fn}: untyped storage ${storage.key} without a dtype`);
  const sz = ints(size ?? null, `${fn}: size`);
  const st = ints(stride ?? null, `${fn}: stride`);
  if (sz.length !== st.length) throw invalid(`${fn}: size and stride differ in length`);
  return new TensorRef(storage, dtype, offset, sz, st);
}

/** Hooks that accept exactly what torch.save writes for tensors, parameters and dicts of them. */
export function torchHooks(storages = new Map<string, StorageRef>()): UnpickleHooks {
  return {
    global(module, name, at) {
      const ok =
        (module === 'collections' && name === 'OrderedDict') ||
        (module === 'torch._utils' && REBUILD.has(name)) ||
        (module === 'torch' && (name in STORAGE_DTYPES || name in TORCH_DTYPES || name === 'Size')) ||
        ((module === 'torch' || module === 'torch.storage') && name === 'UntypedStorage');
      if (!ok)
        throw new ConvertError(
          'GLOBAL_NOT_ALLOWED',
          `pickle names ${module}.${name} at byte ${at}, which is not a tensor-rebuild global; refusing to convert`,
          { kind: 'input' },
        );
      return new TorchGlobal(module, name);
    },
    persistentLoad(pid, at) {
      const items = pid instanceof PTuple ? pid.items : [];
      const [tag, type, key, location, numel] = items;
      // zip checkpoints: 5 items; legacy ones add view metadata, None unless a storage view
      const legacyView = items.length === 6 ? items[5] : null;
      if (legacyView !== null) throw unsupported(`storage view at byte ${at} (legacy view metadata)`);
      if (items.length < 5 || items.length > 6 || tag !== 'storage' || !(type instanceof TorchGlobal))
        throw unsupported(`persistent id at byte ${at} is not a torch storage record`);
      if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(key))
        throw invalid(`storage key at byte ${at} is not a plain name`);
      if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0)
        throw invalid(`storage ${key} has an invalid element count`);
      const dtype = type.name === 'UntypedStorage' ? null : STORAGE_DTYPES[type.name];
      if (dtype === undefined) throw unsupported(`storage type ${type.describe()} is not a storage class`);
      const known = storages.get(key);
      if (known && (known.dtype !== dtype || known.numel !== numel))
        throw invalid(`storage ${key} is declared twice with different types or sizes`);
      const ref = known ?? new StorageRef(key, dtype, numel, typeof location === 'string' ? location : '');
      storages.set(key, ref);
      return ref;
    },
    call(callee, args, at) {
      if (!(callee instanceof TorchGlobal)) throw unsupported(`pickle calls a non-global at byte ${at}`);
      const a = args.items;
      const fn = callee.name;
      if (fn === 'OrderedDict') {
        if (a.length) throw unsupported(`OrderedDict with arguments at byte ${at}`);
        return new PDict();
      }
      if (fn === 'Size') return new PTuple(ints(a[0] ?? null, 'torch.Size'));
      if (fn === '_rebuild_tensor_v2' || fn === '_rebuild_tensor_v3') return rebuildTensor(fn, a);
      if (fn === '_rebuild_parameter' || fn === '_rebuild_parameter_with_state') {
        if (!(a[0] instanceof TensorRef)) throw invalid(`${fn} at byte ${at} does not wrap a tensor`);
        emptyHooks(a[2] ?? null);
        return a[0];
      }
      throw unsupported(`pickle calls ${callee.describe()} at byte ${at}, which is not a rebuild function`);
    },
    build(target, state, at) {
      // the only BUILD torch writes on these objects: OrderedDict state dicts' `_metadata`
      if (target instanceof PDict && (state instanceof PDict || state === null)) return;
      throw unsupported(`pickle BUILD at byte ${at} on something other than a dict`);
    },
  };
}

/** A flattened checkpoint: tensors by dotted name (in pickle order) and the non-tensor leaves left out. */
export interface FlatCheckpoint {
  tensors: Map<string, TensorRef>;
  skipped: string[];
}

/** Entries visited while flattening, at most. */
const MAX_VISITS = 2_000_000;

/** Evaluates data.pkl and flattens nested dicts/lists to dotted names ('model.fc.weight'). */
export function readTorchPickle(data: Uint8Array): FlatCheckpoint {
  return flattenCheckpoint(unpickle(data, torchHooks()));
}

/** Flattens an evaluated checkpoint to dotted tensor names. */
export function flattenCheckpoint(root: PV): FlatCheckpoint {
  const out: FlatCheckpoint = { tensors: new Map(), skipped: [] };
  let visits = 0;
  const walk = (v: PV, name: string, depth: number): void => {
    if (depth > 64) throw unsupported('checkpoint nests dicts deeper than 64 levels');
    // shared containers are walked once per reference: bound the total (a DAG can be exponential)
    if (++visits > MAX_VISITS) throw unsupported(`checkpoint has more than ${MAX_VISITS} entries`);
    if (v instanceof TensorRef) {
      if (out.tensors.has(name))
        throw invalid(`two tensors flatten to the same name ${JSON.stringify(name)}`);
      out.tensors.set(name, v);
    } else if (v instanceof PDict) {
      for (const [k, x] of v.map) walk(x, name ? `${name}.${k}` : String(k), depth + 1);
    } else if (v instanceof PList || v instanceof PTuple) {
      v.items.forEach((x, i) => walk(x, name ? `${name}.${i}` : String(i), depth + 1));
    } else out.skipped.push(name || '<root>');
  };
  walk(root, '', 0);
  return out;
}
