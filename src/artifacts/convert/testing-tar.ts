/**
 * Test helper: torch < 0.4 tar checkpoints built from known bytes, with the member layout of
 * torch's legacy `_save` (sys_info, pickle, tensors, storages); see legacy-tar.ts.
 */
import { py, writeValue, type PyValue } from '../formats/pickle/samples.js';
import { PickleWriter } from '../formats/pickle/writer.js';
import { buildTar } from '../formats/tar/testing.js';
import { torchPickle, type TorchValue } from './testing.js';

const pk = (v: PyValue): Buffer => {
  const w = new PickleWriter(2);
  writeValue(w, v);
  return Buffer.from(w.stop().bytes());
};
const i64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return b;
};

/** A storage record of a tar checkpoint: key, torch.<type>, raw bytes, element count. */
export interface TarStorage {
  key: number;
  type: string;
  bytes: Buffer;
  size: number;
}
/** A tensor record: key, storage key, torch.<type>, size, stride, storage offset. */
export interface TarTensor {
  key: number;
  storage: number;
  type: string;
  size: number[];
  stride: number[];
  offset: number;
}

/** A torch < 0.4 tar checkpoint, laid out as `_save` wrote it (sys_info, pickle, tensors, storages). */
export function torchTar(
  value: TorchValue,
  storages: TarStorage[],
  tensors: TarTensor[],
  views: [number, number, number, number][] = [],
): Buffer {
  const st = Buffer.concat([
    pk(storages.length),
    ...storages.flatMap((s) => [
      pk(py.tuple(s.key, 'cpu', py.global('torch', s.type))),
      i64(s.size),
      s.bytes,
    ]),
    pk(views.map((v) => py.tuple(...v))),
  ]);
  const te = Buffer.concat([
    pk(tensors.length),
    ...tensors.flatMap((t) => {
      const dims = Buffer.alloc(8);
      dims.writeInt32LE(t.size.length, 0);
      return [
        pk(py.tuple(t.key, t.storage, py.global('torch', t.type))),
        dims,
        ...t.size.map(i64),
        ...t.stride.map(i64),
        i64(t.offset),
      ];
    }),
  ]);
  return buildTar([
    { name: 'sys_info', data: pk(py.dict({ protocol_version: 1001, little_endian: true })) },
    { name: 'pickle', data: torchPickle(value) },
    { name: 'tensors', data: te },
    { name: 'storages', data: st },
  ]);
}
