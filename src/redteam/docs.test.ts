import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOT_COVERED } from './coverage.js';
import { FAMILIES } from './families/index.js';
import { generateProbes } from './generate.js';
import { makePlant } from './plant.js';
import { CATEGORIES } from './types.js';

// docs/redteam.md documents the families and the gaps; it must not drift from the code.
// table cells are padded by the formatter: compare with runs of spaces collapsed
const doc = readFileSync(new URL('../../docs/redteam.md', import.meta.url), 'utf8').replace(/ +/g, ' ');

describe('docs/redteam.md', () => {
  it('lists every family with its probe count, and every gap', () => {
    const probes = generateProbes({ categories: CATEGORIES, plant: makePlant(0), turns: 3, seed: 0 });
    for (const f of FAMILIES) {
      const n = probes.filter((p) => p.family === f.name).length;
      expect(doc, f.name).toContain(`| \`${f.name}\` | ${n} |`);
    }
    expect(doc).toContain(`${probes.length} probes in all`);
    for (const g of NOT_COVERED) expect(doc, g.families).toContain(`| ${g.families} |`);
  });
});
