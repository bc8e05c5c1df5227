/**
 * Test helpers: torch.save-shaped zip checkpoints built from known bytes (data.pkl written the
 * way torch 2.x writes it, BINPERSID storages, `<root>/byteorder`), and a safetensors reader that
 * returns every tensor's bytes for byte-exact comparisons.
 */
import { readFileSync } from 'node:fs';
import { py, writeValue, type PyValue } from '../formats/pickle/samples.js';
import { PickleWriter } from '../formats/pickle/writer.js';
import { buildZip, type ZipMemberSpec } from '../formats/zip/testing.js';

/** A storage record as a persistent id: ('storage', torch.<type>, key, 'cpu', numel). */
export function storageId(type: string, key: string, numel: number): PyValue {
  const module = type === 'UntypedStorage' ? 'torch.storage' : 'torch';
  return py.persid(py.tuple('storage', py.global(module, type), key, 'cpu', numel));
}

/** `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`. */
export function tensorV2(storage: PyValue, offset: number, size: number[], stride: number[]): PyValue {
  return py.call('torch._utils', '_rebuild_tensor_v2', [
    storage,
    offset,
    py.tuple(...size),
    py.tuple(...stride),
    false,
    py.call('collections', 'OrderedDict'),
  ]);
}

/** `_rebuild_tensor_v3(untyped storage, offset, size, stride, False, OrderedDict(), torch.<dtype>)`. */
export function tensorV3(
  storage: PyValue,
  offset: number,
  size: number[],
  stride: number[],
  dtype: string,
): PyValue {
  return py.call('torch._utils', '_rebuild_tensor_v3', [
    storage,
    offset,
    py.tuple(...size),
    py.tuple(...stride),
    false,
    py.call('collections', 'OrderedDict'),
    py.global('torch', dtype),
  ]);
}

/** `_rebuild_parameter(tensor, True, OrderedDict())`. */
export function parameter(tensor: PyValue): PyValue {
  return py.call('torch._utils', '_rebuild_parameter', [tensor, true, py.call('collections', 'OrderedDict')]);
}

/** A dict in a checkpoint: plain (`{}`) or an OrderedDict state dict as torch writes it. */
export class TorchDict {
  constructor(
    readonly entries: [string | number, TorchValue][],
    readonly ordered: boolean,
  ) {}
}
export type TorchValue = PyValue | TorchDict;

/** `OrderedDict()` REDUCE, SETITEMS, then BUILD `{'_metadata': ...}`: a module's state_dict(). */
export const stateDict = (rec: Record<string, TorchValue>): TorchDict =>
  new TorchDict(Object.entries(rec), true);
/** A plain dict (`{'model': ..., 'epoch': 3}`). */
export const plainDict = (rec: Record<string, TorchValue>): TorchDict =>
  new TorchDict(Object.entries(rec), false);

function writeTorch(w: PickleWriter, v: TorchValue): void {
  if (!(v instanceof TorchDict)) {
    writeValue(w, v);
    return;
  }
  if (v.ordered) writeValue(w, py.call('collections', 'OrderedDict'));
  else w.emptyDict();
  if (v.entries.length) {
    w.mark();
    for (const [k, x] of v.entries) {
      writeValue(w, k);
      writeTorch(w, x);
    }
    w.setitems();
  }
  if (v.ordered) writeValue(w, py.dict({ _metadata: py.dict({ '': py.dict({ version: 1 }) }) })).build();
}

/** data.pkl for `value`, protocol 2 as torch.save writes it by default. */
export function torchPickle(value: TorchValue, protocol = 2): Uint8Array {
  const w = new PickleWriter(protocol);
  writeTorch(w, value);
  return w.stop().bytes();
}

/** A torch zip checkpoint: `<root>/data.pkl`, `<root>/byteorder`, `<root>/data/<key>`. */
export function torchZip(
  value: TorchValue,
  storages: Record<string, Uint8Array>,
  opts: { root?: string; byteorder?: string; protocol?: number } = {},
): Buffer {
  const root = opts.root ?? 'archive';
  const members: ZipMemberSpec[] = [
    { name: `${root}/data.pkl`, data: torchPickle(value, opts.protocol ?? 2) },
    { name: `${root}/byteorder`, data: opts.byteorder ?? 'little' },
    ...Object.entries(storages).map(([k, data]) => ({ name: `${root}/data/${k}`, data })),
    { name: `${root}/version`, data: '3\n' },
  ];
  return buildZip(members);
}

/** A parsed safetensors file: metadata, and per tensor its dtype, shape and bytes. */
export interface ParsedSafetensors {
  metadata: Record<string, string>;
  order: string[];
  tensors: Map<string, { dtype: string; shape: number[]; bytes: Buffer }>;
  headerLength: number;
}

export function readSafetensors(path: string): ParsedSafetensors {
  const file = readFileSync(path);
  const n = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.toString('utf8', 8, 8 + n)) as Record<string, unknown>;
  const data = file.subarray(8 + n);
  const out: ParsedSafetensors = { metadata: {}, order: [], tensors: new Map(), headerLength: n };
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') {
      out.metadata = v as Record<string, string>;
      continue;
    }
    const e = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
    out.order.push(k);
    out.tensors.set(k, {
      dtype: e.dtype,
      shape: e.shape,
      bytes: data.subarray(e.data_offsets[0], e.data_offsets[1]),
    });
  }
  return out;
}
