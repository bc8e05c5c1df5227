/**
 * The tar checkpoints of torch < 0.4 (`legacy_load` in torch/serialization.py). Members:
 *   storages  pickle(count); per storage pickle((key, location, torch.<T>Storage)), int64 LE element
 *             count, raw bytes; then pickle([(view key, root key, offset, numel), ...]);
 *   tensors   pickle(count); per tensor pickle((key, storage key, torch.<T>Tensor)), int32 ndim,
 *             4 pad bytes, ndim int64 sizes, ndim int64 strides, int64 storage offset;
 *   pickle    the checkpoint, whose persistent ids are tensor keys;  sys_info  ignored.
 * Members are stored uncompressed, so storages are windows of the file: nothing is copied up front.
 */
import type { ByteSource } from '../../core/index.js';
import { BLOCK, isZeroBlock, parseHeader, parsePax } from '../formats/tar/header.js';
import type { TorchZip } from './checkpoint.js';
import { ConvertError, invalid, unsupported } from './errors.js';
import { PList, PTuple, unpickleAt, type PV, type UnpickleHooks } from './unpickle.js';
import {
  STORAGE_DTYPES,
  StorageRef,
  TensorRef,
  TorchGlobal,
  flattenCheckpoint,
  torchHooks,
  type DType,
} from './torch-pickle.js';

const MEMBERS = ['storages', 'tensors', 'pickle'] as const;
/** Bytes read for one record pickle (a tuple of three), and for the list of storage views. */
const RECORD_WINDOW = 64 * 1024;
const VIEWS_WINDOW = 64 * 1024 ** 2;
const MAX_COUNT = 1 << 24;

/** Regular members of a tar by name, as windows of the source; null when it is not a tar. */
function tarMembers(src: ByteSource): Map<string, ByteSource> | null {
  const out = new Map<string, ByteSource>();
  let pos = 0;
  let paxName: string | undefined;
  while (pos + BLOCK <= src.size) {
    const block = src.read(pos, BLOCK);
    if (isZeroBlock(block)) break;
    const h = parseHeader(block);
    if (!h) return out.size ? out : null;
    const data = pos + BLOCK;
    if (data + h.size > src.size) throw invalid(`tar member ${h.name} is cut short`);
    if (h.type === 'x') paxName = parsePax(src.read(data, Math.min(h.size, 64 * 1024))).get('path');
    else if (h.type === '0' || h.type === '\0') {
      out.set(paxName ?? h.name, src.slice(data, data + h.size));
      paxName = undefined;
    }
    pos = data + Math.ceil(h.size / BLOCK) * BLOCK;
  }
  return out;
}

/** A tar with the three members torch < 0.4 wrote. */
export function isTorchTar(src: ByteSource): boolean {
  try {
    const m = tarMembers(src);
    return m !== null && MEMBERS.every((n) => m.has(n));
  } catch {
    return false;
  }
}

/** The record pickles name only torch.<T>Storage and torch.<T>Tensor classes. */
const recordHooks: UnpickleHooks = {
  global(module, name, at) {
    const cls = name.replace(/Tensor$/, 'Storage');
    if ((module === 'torch' || module === 'torch.cuda') && cls in STORAGE_DTYPES)
      return new TorchGlobal(module, name);
    throw new ConvertError(
      'GLOBAL_NOT_ALLOWED',
      `tar checkpoint record names ${module}.${name} at byte ${at}`,
      {
        kind: 'input',
      },
    );
  },
  persistentLoad: (_p, at) => {
    throw unsupported(`persistent id in a tar checkpoint record at byte ${at}`);
  },
  call: (_c, _a, at) => {
    throw unsupported(`call in a tar checkpoint record at byte ${at}`);
  },
  build: (_t, _s, at) => {
    throw unsupported(`BUILD in a tar checkpoint record at byte ${at}`);
  },
};

/** Reads pickles and little-endian integers in sequence from a member. */
class Cursor {
  pos = 0;
  constructor(
    readonly src: ByteSource,
    readonly what: string,
  ) {}
  pickle(window = RECORD_WINDOW): PV {
    const r = unpickleAt(this.src.read(this.pos, window), 0, recordHooks);
    this.pos += r.end;
    return r.value;
  }
  int(bytes: 4 | 8): number {
    const b = this.src.read(this.pos, bytes);
    if (b.length < bytes) throw invalid(`tar checkpoint: ${this.what} is cut short`);
    this.pos += bytes;
    const v = bytes === 4 ? b.readInt32LE(0) : Number(b.readBigInt64LE(0));
    if (!Number.isSafeInteger(v) || v < 0) throw invalid(`tar checkpoint: ${this.what} holds a bad integer`);
    return v;
  }
  count(): number {
    const n = this.pickle();
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > MAX_COUNT)
      throw invalid(`tar checkpoint: ${this.what} does not start with a count`);
    return n;
  }
}

const keyOf = (v: PV, what: string): string => {
  if ((typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^\d{1,20}$/.test(v)))
    return String(v);
  throw invalid(`tar checkpoint: ${what} key is not an integer`);
};

function record(v: PV, n: number, what: string): PV[] {
  if (!(v instanceof PTuple) || v.items.length !== n)
    throw invalid(`tar checkpoint: malformed ${what} record`);
  return v.items;
}

function dtypeOf(g: PV, what: string): DType {
  if (!(g instanceof TorchGlobal)) throw invalid(`tar checkpoint: ${what} has no type`);
  return STORAGE_DTYPES[g.name.replace(/Tensor$/, 'Storage')]!;
}

function readStorages(c: Cursor): Map<string, { ref: StorageRef; span: ByteSource }> {
  const out = new Map<string, { ref: StorageRef; span: ByteSource }>();
  for (let i = c.count(); i > 0; i--) {
    const [k, location, type] = record(c.pickle(), 3, 'storage');
    const key = keyOf(k ?? null, 'storage');
    const dtype = dtypeOf(type ?? null, `storage ${key}`);
    const numel = c.int(8);
    const end = c.pos + numel * dtype.size;
    if (end > c.src.size) throw invalid(`tar checkpoint: storage ${key} is cut short`);
    if (out.has(key)) throw invalid(`tar checkpoint: storage ${key} is written twice`);
    const ref = new StorageRef(key, dtype, numel, typeof location === 'string' ? location : '');
    out.set(key, { ref, span: c.src.slice(c.pos, end) });
    c.pos = end;
  }
  const views = c.pickle(VIEWS_WINDOW);
  if (!(views instanceof PList)) throw invalid('tar checkpoint: storage views are not a list');
  for (const v of views.items) {
    const [t, r, offset, numel] = record(v, 4, 'storage view');
    const root = out.get(keyOf(r ?? null, 'view root'));
    const key = keyOf(t ?? null, 'storage view');
    if (!root) throw invalid(`tar checkpoint: storage view ${key} has no root storage`);
    if (typeof offset !== 'number' || typeof numel !== 'number' || offset < 0 || numel < 0)
      throw invalid(`tar checkpoint: storage view ${key} has a bad range`);
    if (offset + numel > root.ref.numel)
      throw invalid(`tar checkpoint: storage view ${key} overruns its root`);
    const es = root.ref.dtype!.size;
    // a view is its own storage: tensors on it must stay inside it, as torch's bounded view does
    const ref = new StorageRef(key, root.ref.dtype, numel, root.ref.location);
    out.set(key, { ref, span: root.span.slice(offset * es, (offset + numel) * es) });
  }
  return out;
}

function readTensors(c: Cursor, storages: Map<string, { ref: StorageRef }>): Map<string, TensorRef> {
  const out = new Map<string, TensorRef>();
  for (let i = c.count(); i > 0; i--) {
    const [k, s, type] = record(c.pickle(), 3, 'tensor');
    const key = keyOf(k ?? null, 'tensor');
    const storage = storages.get(keyOf(s ?? null, `tensor ${key} storage`));
    if (!storage) throw invalid(`tar checkpoint: tensor ${key} names a storage that is not in the file`);
    if (dtypeOf(type ?? null, `tensor ${key}`) !== storage.ref.dtype)
      throw invalid(`tar checkpoint: tensor ${key} and its storage differ in type`);
    const ndim = c.int(4);
    if (ndim > 64) throw unsupported(`tar checkpoint: tensor ${key} has ${ndim} dimensions`);
    c.int(4); // legacy writers stored ndim as 8 bytes
    const size = Array.from({ length: ndim }, () => c.int(8));
    const stride = Array.from({ length: ndim }, () => c.int(8));
    out.set(key, new TensorRef(storage.ref, storage.ref.dtype, c.int(8), size, stride));
  }
  return out;
}

/** Opens a torch < 0.4 tar checkpoint; the main pickle may only reference tensors by key. */
export function openTorchTar(src: ByteSource, maxPickle: number): TorchZip {
  const m = tarMembers(src);
  if (!m || !MEMBERS.every((n) => m.has(n))) throw invalid('not a torch tar checkpoint');
  const storages = readStorages(new Cursor(m.get('storages')!, 'storages'));
  const tensors = readTensors(new Cursor(m.get('tensors')!, 'tensors'), storages);
  const pickle = m.get('pickle')!;
  if (pickle.size > maxPickle) throw unsupported(`tar checkpoint pickle is over ${maxPickle} bytes`);
  const hooks: UnpickleHooks = {
    ...torchHooks(),
    persistentLoad(pid, at) {
      // a tuple names a pickled nn.Module class with its source: whole models are not converted
      if (pid instanceof PTuple)
        throw unsupported(`tar checkpoint pickles a module (persistent id at byte ${at})`);
      const t = tensors.get(keyOf(pid, `persistent id at byte ${at}`));
      if (!t) throw invalid(`tar checkpoint: persistent id at byte ${at} names no tensor`);
      return t;
    },
  };
  const flat = flattenCheckpoint(unpickleAt(pickle.read(0, pickle.size), 0, hooks).value);
  return {
    root: '',
    flat,
    storage(ref) {
      const s = storages.get(ref.key);
      if (!s) throw invalid(`tar checkpoint: storage ${ref.key} has no data`);
      return s.span;
    },
    close() {},
  };
}
