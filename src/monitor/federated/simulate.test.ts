import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/index.js';
import type { FlData } from './model.js';
import { simulate, splitClients } from './simulate.js';

// A small synthetic task keeps this fast: 10 Gaussian blobs in 784 dimensions (so the MNIST trigger fits).
function blobs(n: number, seed: number): FlData {
  const rnd = seededRandom(seed);
  const x = new Float32Array(n * 784);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    y[i] = c;
    for (let j = 0; j < 784; j++) x[i * 784 + j] = (j % 10 === c ? 0.8 : 0) + 0.3 * rnd();
  }
  return { x, y, size: n, features: 784, classes: 10 };
}
const train = blobs(1000, 1);
const test = blobs(300, 2);
const base = { split: 'iid' as const, clients: 10, byzantine: 2, rounds: 3 };

describe('federated simulation', () => {
  it('splits: IID covers every row once; non-IID gives each client at most a few labels', () => {
    const iid = splitClients(train, 10, 'iid', seededRandom(0));
    expect(iid.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const non = splitClients(train, 10, 'non_iid', seededRandom(0));
    for (const p of non) expect(new Set(p.map((r) => train.y[r])).size).toBeLessThanOrEqual(4);
  });

  it('honest clients learn; sign flipping breaks FedAvg but not the coordinate median', () => {
    const clean = simulate(train, test, { ...base, aggregator: 'fedavg', attack: 'none' });
    expect(clean.accuracy).toBeGreaterThan(0.9);
    const broken = simulate(train, test, { ...base, aggregator: 'fedavg', attack: 'sign_flip' });
    const held = simulate(train, test, { ...base, aggregator: 'median', attack: 'sign_flip' });
    expect(broken.accuracy).toBeLessThan(clean.accuracy - 0.2);
    expect(held.accuracy).toBeGreaterThan(0.9);
  });

  it('a scaled backdoor takes over FedAvg and reports its success rate; Krum keeps it out', () => {
    const avg = simulate(train, test, { ...base, aggregator: 'fedavg', attack: 'scaled_backdoor' });
    const kr = simulate(train, test, { ...base, aggregator: 'krum', attack: 'scaled_backdoor' });
    expect(avg.attackSuccess).toBeGreaterThan(kr.attackSuccess as number);
    expect(kr.attackSuccess).toBeLessThan(0.3);
  });

  it('is reproducible and rejects impossible settings', () => {
    const a = simulate(train, test, { ...base, rounds: 1, aggregator: 'trimmed_mean', attack: 'gaussian' });
    expect(
      simulate(train, test, { ...base, rounds: 1, aggregator: 'trimmed_mean', attack: 'gaussian' }),
    ).toEqual(a);
    expect(() => simulate(train, test, { ...base, aggregator: 'bulyan', attack: 'none' })).toThrow(
      /needs at least 11 clients/,
    );
    expect(() =>
      simulate(train, test, { ...base, byzantine: 10, aggregator: 'fedavg', attack: 'gaussian' }),
    ).toThrow(/byzantine must be/);
  });
});
