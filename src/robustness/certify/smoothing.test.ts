import { describe, expect, it } from 'vitest';
import type { Classifier } from '../evaluate.js';
import { loadMnist, slice } from '../data/dataset.js';
import { Model } from '../models/model.js';
import { train } from '../train.js';
import { modelTarget } from '../target.js';
import { binomialTestHalf, certifySmoothed, predictSmoothed } from './smoothing.js';
import { certifiedRadius } from './radius.js';
import { betaPpf, normPpf } from '../../core/index.js';

/** A base classifier that always answers `c`, or picks between two classes by the sign of the first pixel. */
function constant(c: number): Classifier {
  return {
    input: [4],
    classes: 5,
    logits: (x, n) => Promise.resolve(Float32Array.from({ length: n * 5 }, (_, k) => (k % 5 === c ? 1 : 0))),
  };
}
const coin: Classifier = {
  input: [4],
  classes: 5,
  logits: (x, n) =>
    Promise.resolve(
      Float32Array.from({ length: n * 5 }, (_, k) =>
        (x[Math.floor(k / 5) * 4] as number) > 0 ? +(k % 5 === 1) : +(k % 5 === 2),
      ),
    ),
};

describe('randomized smoothing CERTIFY and PREDICT', () => {
  it('matches scipy binomtest(nA, nA + nB, 0.5) p-values', () => {
    // reference values computed for this test with SciPy 1.17 scipy.stats.binomtest(...).pvalue
    const ref: [number, number, number][] = [
      [60, 40, 0.05688793364098089],
      [55, 45, 0.36820161732669615],
      [100, 0, 1.5777218104420236e-30],
      [7, 3, 0.34375],
      [520, 480, 0.2174482932041415],
    ];
    for (const [a, b, pv] of ref) expect(Math.abs(binomialTestHalf(a, b) - pv) / pv).toBeLessThan(1e-9);
    expect(binomialTestHalf(5, 5)).toBe(1);
  });

  it('certifies a constant classifier at sigma * Phi^-1(alpha^(1/n))', async () => {
    const o = { sigma: 0.5, n0: 10, n: 1000, alpha: 0.001, batch: 256 };
    const c = await certifySmoothed(constant(3), new Float32Array(4), o);
    expect(c).toMatchObject({ prediction: 3, nA: 1000 });
    const p = 0.001 ** (1 / 1000);
    expect(Math.abs(c.pALower - p)).toBeLessThan(1e-9);
    expect(Math.abs((c.radius ?? 0) - 0.5 * normPpf(p))).toBeLessThan(1e-9);
  });

  it('abstains on a coin flip and predicts when the vote is clear', async () => {
    const o = { sigma: 1, n0: 20, n: 400, alpha: 0.001, seed: 2 };
    const flip = await certifySmoothed(coin, new Float32Array(4), o);
    expect(flip.prediction).toBeNull();
    expect(flip.radius).toBeNull();
    const pred = await predictSmoothed(coin, new Float32Array(4), o);
    expect(pred.prediction).toBeNull();
    expect(pred.nA + pred.nB).toBe(400);
    const sure = await predictSmoothed(coin, Float32Array.of(5, 0, 0, 0), o);
    expect(sure).toMatchObject({ prediction: 1, nA: 400, nB: 0 });
  });

  it('certifies a trained model: every radius is the Cohen et al. formula of its own vote count', async () => {
    const { train: full, test } = loadMnist();
    const m = Model.create('mnist-mlp', 5);
    await train(m, slice(full, 0, 1500), { epochs: 3, seed: 1 });
    const t = await modelTarget(m);
    let certified = 0;
    for (let i = 0; i < 5; i++) {
      const o = { sigma: 0.25, n0: 50, n: 500, alpha: 0.001, seed: i, batch: 250 };
      const c = await certifySmoothed(t, test.x.slice(i * 784, (i + 1) * 784), o);
      const ref = certifiedRadius(500, c.nA, 0.001, 0.25);
      expect(c.pALower).toBe(ref.pALower);
      expect(Math.abs(c.pALower - betaPpf(0.001, c.nA, 500 - c.nA + 1))).toBeLessThan(1e-12);
      expect(c.radius).toBe(ref.radius);
      if (c.prediction === test.y[i]) certified++;
    }
    expect(certified).toBeGreaterThanOrEqual(3);
    await t.close();
  }, 60_000);

  it('rejects invalid options with typed usage errors', async () => {
    await expect(
      certifySmoothed(coin, new Float32Array(4), { sigma: 0, n: 10, alpha: 0.01 }),
    ).rejects.toThrow(/sigma/);
    await expect(
      predictSmoothed(coin, new Float32Array(4), { sigma: 1, n: 1.5, alpha: 0.01 }),
    ).rejects.toThrow(/n must/);
    await expect(predictSmoothed(coin, new Float32Array(4), { sigma: 1, n: 10, alpha: 1 })).rejects.toThrow(
      /alpha/,
    );
  });
});
