import { describe, expect, it } from 'vitest';
import type { Dataset } from '../robustness/index.js';
import { demoData } from './data.js';

const row = (d: Dataset, i: number) => Buffer.from(d.x.buffer, d.x.byteOffset + i * 784 * 4, 784 * 4);

describe('demoData', () => {
  it('splits the shipped digits into disjoint, seeded training and held-out sets', () => {
    const a = demoData(3000, 1000, 0);
    expect([a.train.size, a.test.size, a.pool]).toEqual([3000, 1000, 10000]);
    expect([a.train.x.length, a.train.y.length]).toEqual([3000 * 784, 3000]);
    // same seed, same split; another seed, another split
    expect(Buffer.from(demoData(3000, 1000, 0).test.y).equals(Buffer.from(a.test.y))).toBe(true);
    expect(row(demoData(3000, 1000, 1).test, 0).equals(row(a.test, 0))).toBe(false);
    const seen = new Set<string>();
    for (let i = 0; i < a.train.size; i++) seen.add(row(a.train, i).toString('base64'));
    let both = 0;
    for (let i = 0; i < a.test.size; i++) if (seen.has(row(a.test, i).toString('base64'))) both++;
    expect(both).toBe(0);
  });

  it('never asks for more than the pool holds', () => {
    const d = demoData(9500, 2000, 0);
    expect(d.train.size + d.test.size).toBe(10000);
    expect(d.test.size).toBeGreaterThan(0);
  });
});
