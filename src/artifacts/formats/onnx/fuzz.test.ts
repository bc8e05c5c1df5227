import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { corpusEntries, expectFuzzOk as check, fuzzFamily } from '../text/testing.js';

// protobuf family: ONNX models and TensorFlow SavedModels share the wire reader
function onnxSeeds(): Array<[string, Buffer]> {
  const dir = join(import.meta.dirname, 'testdata');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.onnx'))
    .map((f) => [f, readFileSync(join(dir, f))]);
}

describe('protobuf family fuzz', () => {
  it('ONNX survives 600 mutated models', async () => {
    check(await fuzzFamily(onnxSeeds(), 'onnx', 600, 0x0a11));
  });

  it('SavedModel survives 400 mutated graphs', async () => {
    const seeds: Array<[string, Buffer]> = corpusEntries(['tf-savedmodel']).map((e) => [
      e.rel,
      readFileSync(e.path),
    ]);
    check(await fuzzFamily(seeds, 'savedmodel', 400, 0x5a7e));
  });
});
