/**
 * Legacy (pre-1.6, or `_use_new_zipfile_serialization=False`) torch checkpoints: five things in a
 * row: the magic number pickle, the protocol version pickle (1001), a sys_info dict pickle, the
 * main pickle (storages as 6-item persistent ids), a pickle of the storage keys in write order,
 * then per key an 8-byte little-endian element count followed by the storage's raw bytes.
 * The tar variant (torch < 0.4) is read by legacy-tar.ts.
 */
import { type ByteSource } from '../../core/index.js';
import { invalid, unsupported } from './errors.js';
import { PDict, PList, unpickleAt } from './unpickle.js';
import { flattenCheckpoint, torchHooks, type StorageRef } from './torch-pickle.js';
import type { TorchZip } from './checkpoint.js';

/** The pickled magic number 0x1950a86a20f9469cfc6c, protocol 2, as torch writes it first. */
const MAGIC = Buffer.from('80028a0a6cfc9c46f9206aa850192e', 'hex');
const PROTOCOL_VERSION = 1001;

export function isLegacyTorch(src: ByteSource): boolean {
  return src.read(0, MAGIC.length).equals(MAGIC);
}

/** Opens a legacy checkpoint whose pickles fit in the first `maxPickle` bytes. */
export function openTorchLegacy(src: ByteSource, maxPickle: number): TorchZip {
  const head = src.read(0, Math.min(src.size, maxPickle));
  const storages = new Map<string, StorageRef>();
  const hooks = torchHooks(storages);
  let pos = MAGIC.length;
  const next = (): ReturnType<typeof unpickleAt>['value'] => {
    const r = unpickleAt(head, pos, hooks);
    pos = r.end;
    return r.value;
  };
  if (next() !== PROTOCOL_VERSION) throw unsupported('legacy checkpoint with an unknown protocol version');
  const info = next();
  if (!(info instanceof PDict)) throw invalid('legacy checkpoint: sys_info is not a dict');
  if (info.map.get('little_endian') !== true)
    throw unsupported('legacy checkpoint written big-endian; only little-endian is converted');
  const flat = flattenCheckpoint(next());
  const keys = next();
  if (!(keys instanceof PList) || !keys.items.every((k) => typeof k === 'string'))
    throw invalid('legacy checkpoint: the storage key list is not a list of strings');
  const spans = new Map<string, ByteSource>();
  for (const key of keys.items) {
    const ref = storages.get(key);
    if (!ref) throw invalid(`legacy checkpoint: storage ${key} is written but never used`);
    const count = src.read(pos, 8);
    if (count.length < 8) throw invalid(`legacy checkpoint: storage ${key} is cut short`);
    const numel = Number(count.readBigUInt64LE(0));
    const size = ref.dtype?.size ?? 1;
    if (numel !== ref.numel)
      throw invalid(
        `legacy checkpoint: storage ${key} holds ${numel} elements, its record declares ${ref.numel}`,
      );
    if (pos + 8 + numel * size > src.size) throw invalid(`legacy checkpoint: storage ${key} is cut short`);
    spans.set(key, src.slice(pos + 8, pos + 8 + numel * size));
    pos += 8 + numel * size;
  }
  return {
    root: '',
    flat,
    storage(ref) {
      const s = spans.get(ref.key);
      if (!s) throw invalid(`legacy checkpoint: storage ${ref.key} has no data record`);
      return s;
    },
    close() {},
  };
}
