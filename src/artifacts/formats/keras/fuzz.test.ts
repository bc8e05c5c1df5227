import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { corpusEntries, expectFuzzOk as check, fuzzFamily } from '../text/testing.js';

function seeds(): Array<[string, Buffer]> {
  const dir = join(import.meta.dirname, 'testdata');
  const out: Array<[string, Buffer]> = readdirSync(dir)
    .filter((f) => f.endsWith('.h5') && !f.startsWith('dense_huge'))
    .map((f) => [f, readFileSync(join(dir, f))]);
  for (const e of corpusEntries(['keras-h5'])) out.push([e.rel, readFileSync(e.path)]);
  return out;
}

describe('HDF5 fuzz', () => {
  it('survives 700 mutated files', async () => {
    check(await fuzzFamily(seeds(), 'hdf5', 700, 0x4df5));
  });
});
