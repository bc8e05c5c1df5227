import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusEntries, expectFuzzOk as check, fuzzFamily, fuzzOnce } from '../text/testing.js';
import { buildSafetensors, encodeSafetensorsHeader } from './writer.js';

function seeds(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = corpusEntries(['safetensors']).map((e) => [
    e.rel,
    // the corpus files are ~1 MB of zeros after the header: keep the header and a little data
    readFileSync(e.path).subarray(0, 4096),
  ]);
  out.push(
    [
      'generated',
      buildSafetensors(
        [
          { name: 'a', dtype: 'F32', shape: [2, 2] },
          { name: 'b', dtype: 'I8', shape: [3] },
        ],
        { k: 'v' },
      ),
    ],
    ['empty', buildSafetensors([])],
  );
  return out;
}

describe('safetensors fuzz', () => {
  it('survives 800 mutated files', async () => {
    check(await fuzzFamily(seeds(), 'safetensors', 800, 0x5afe));
  });

  it('survives hostile headers', async () => {
    const cases: Array<[string, Buffer]> = [
      ['deep', encodeSafetensorsHeader(JSON.parse(`{"a":${'[1,'.repeat(20)}1${']'.repeat(20)}}`))],
      ['proto', encodeSafetensorsHeader({ __proto__: { dtype: 'F32' }, constructor: 1 })],
      [
        'huge-offsets',
        Buffer.concat([
          encodeSafetensorsHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [2 ** 62, 2 ** 63] } }),
        ]),
      ],
      [
        'float-shape',
        encodeSafetensorsHeader({ a: { dtype: 'F32', shape: [1.5, 1e308], data_offsets: [0, 0] } }),
      ],
      [
        'many',
        encodeSafetensorsHeader(
          Object.fromEntries(
            Array.from({ length: 20000 }, (_, i) => [
              `t${i}`,
              { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
            ]),
          ),
        ),
      ],
    ];
    for (const [name, bytes] of cases)
      expect(await fuzzOnce(name, bytes, { format: 'safetensors' }), name).toBeNull();
  });
});
