import { WardenError, seededRandom } from '../core/index.js';
import { familiesOf } from './families/index.js';
import { markerFor } from './plant.js';
import type { Category, Plant, Probe } from './types.js';

/** What the generator needs: which suites, the run's plant, multi-turn length, seed and an optional cap. */
export interface GenerateOptions {
  categories: readonly Category[];
  plant: Plant;
  turns: number;
  seed: number;
  /** At most this many probes per family, a seeded sample (all when absent). */
  maxPerFamily?: number;
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** A seeded sample of `n` items that keeps their original order. */
function sample<T>(items: readonly T[], n: number, seed: number): T[] {
  if (n >= items.length) return [...items];
  const idx = items.map((_, i) => i);
  const rnd = seededRandom(seed);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i] as T);
}

/** Generates the probes of the chosen suites: every family's templates x goals x payloads, in a fixed order. */
export function generateProbes(opts: GenerateOptions): Probe[] {
  const out: Probe[] = [];
  const ids = new Set<string>();
  for (const family of familiesOf(opts.categories)) {
    const all = family.generate({
      family: family.name,
      plant: opts.plant,
      turns: opts.turns,
      marker: (i) => markerFor(opts.seed, family.name, i),
    });
    const chosen = opts.maxPerFamily ? sample(all, opts.maxPerFamily, opts.seed ^ hash(family.name)) : all;
    for (const p of chosen) {
      // a duplicate id is a bug in a family, not bad input
      if (ids.has(p.id))
        throw new WardenError('INTERNAL', `duplicate probe id ${p.id}`, { kind: 'internal' });
      ids.add(p.id);
      out.push(p);
    }
  }
  return out;
}
