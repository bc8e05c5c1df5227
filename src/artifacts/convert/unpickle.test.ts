import { describe, expect, it } from 'vitest';
import { PickleWriter } from '../formats/pickle/writer.js';
import { py } from '../formats/pickle/samples.js';
import { ConvertError } from './errors.js';
import { readTorchPickle } from './torch-pickle.js';
import { plainDict, stateDict, storageId, tensorV2, torchPickle } from './testing.js';

const valid = torchPickle(
  plainDict({
    model: stateDict({
      'fc.weight': tensorV2(storageId('FloatStorage', '0', 6), 0, [3, 2], [1, 3]),
      'fc.bias': tensorV2(storageId('HalfStorage', '1', 3), 0, [3], [1]),
    }),
    step: 3,
    lr: py.float(0.5),
    tags: ['a', py.tuple(1, 2)],
  }),
);

/** A tiny seeded PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('strict torch unpickler', () => {
  it('reads what torch writes, flattening nested containers', () => {
    const flat = readTorchPickle(valid);
    expect([...flat.tensors.keys()]).toEqual(['model.fc.weight', 'model.fc.bias']);
    expect(flat.tensors.get('model.fc.weight')).toMatchObject({ offset: 0, size: [3, 2], stride: [1, 3] });
    expect(flat.skipped).toEqual(['step', 'lr', 'tags.0', 'tags.1.0', 'tags.1.1']);
  });

  it.each([
    ['os.system', new PickleWriter(2).call('os', 'system', 'id').stop().bytes(), 'GLOBAL_NOT_ALLOWED'],
    [
      'builtins.eval via STACK_GLOBAL',
      new PickleWriter(4).stackGlobal('builtins', 'eval').stop().bytes(),
      'GLOBAL_NOT_ALLOWED',
    ],
    ['INST', new PickleWriter(0).mark().inst('os', 'system').stop().bytes(), 'UNSUPPORTED'],
    ['EXT1', new PickleWriter(2).ext(1).stop().bytes(), 'UNSUPPORTED'],
    ['truncated', valid.subarray(0, valid.length - 5), 'FORMAT_INVALID'],
  ])('refuses %s with a typed error', (_label, bytes, code) => {
    expect(() => readTorchPickle(bytes)).toThrow(expect.objectContaining({ code }) as Error);
  });

  it('an exponential DAG of shared lists is bounded', () => {
    const w = new PickleWriter(2).emptyList();
    for (let i = 0; i < 40; i++) w.put(i).get(i).tuple2();
    expect(() => readTorchPickle(w.stop().bytes())).toThrow(ConvertError);
  });

  it('mutated streams only ever fail with typed input errors', () => {
    const next = rng(1234);
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(valid);
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) b[Math.floor(next() * b.length)] = Math.floor(next() * 256);
      try {
        readTorchPickle(b);
      } catch (err) {
        if (!(err instanceof ConvertError) || err.kind !== 'input') throw err;
      }
    }
  });
});
