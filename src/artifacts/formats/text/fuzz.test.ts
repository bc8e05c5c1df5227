import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { corpusEntries, expectFuzzOk as check, fuzzFamily } from './testing.js';

describe('text fuzz', () => {
  const files = corpusEntries(['jinja2-template', 'json']).filter((e) => !e.rel.includes('oversized'));
  it('JSON survives 600 mutated documents', async () => {
    const seeds: Array<[string, Buffer]> = files
      .filter((e) => e.path.endsWith('.json'))
      .map((e) => [e.rel, readFileSync(e.path)]);
    check(await fuzzFamily(seeds, 'json', 600, 0x150e, true));
  });

  it('templates survive 300 mutated texts', async () => {
    const seeds: Array<[string, Buffer]> = files
      .filter((e) => !e.path.endsWith('.json'))
      .map((e) => [e.rel, readFileSync(e.path)]);
    check(await fuzzFamily(seeds, 'template', 300, 0x7e57, true));
  });
});
