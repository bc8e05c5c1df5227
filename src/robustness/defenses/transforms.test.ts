import { describe, expect, it } from 'vitest';
import { loadMnist, slice } from '../data/dataset.js';
import { accuracy } from '../evaluate.js';
import { Model } from '../models/model.js';
import { train } from '../train.js';
import { modelTarget } from '../target.js';
import { evaluateAttack, findAttack } from '../attacks/index.js';
import { bitDepth, jpegCompression, medianSmoothing, parseTransforms, withTransforms } from './transforms.js';

describe('input transformation defenses', () => {
  it('bit-depth reduction quantises to 2^bits levels', () => {
    const x = Float32Array.of(0, 0.2, 0.49, 0.51, 0.9, 1);
    expect(Array.from(bitDepth(1).apply(x, 1, [6], 0, 1))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(bitDepth(2).apply(x, 1, [6], 0, 1))).toEqual(
      [0, 1 / 3, 1 / 3, 2 / 3, 1, 1].map(Math.fround),
    );
  });

  it('median smoothing removes salt noise and keeps flat regions', () => {
    const img = new Float32Array(25).fill(0.5);
    img[12] = 1;
    img[0] = 0;
    const out = medianSmoothing(3).apply(img, 1, [1, 5, 5], 0, 1);
    expect(Array.from(out).every((v) => v === 0.5)).toBe(true);
    // a vertical edge survives a 3x3 median
    const edge = Float32Array.from({ length: 25 }, (_, k) => (k % 5 < 2 ? 0 : 1));
    expect(Array.from(medianSmoothing(3).apply(edge, 1, [1, 5, 5], 0, 1))).toEqual(Array.from(edge));
  });

  it('JPEG loses more at low quality and stays in the domain', () => {
    const { test } = loadMnist();
    const x = test.x.slice(0, 784 * 4);
    const err = (q: number) => {
      const y = jpegCompression(q).apply(x, 4, [1, 28, 28], 0, 1);
      expect(y.every((v) => v >= 0 && v <= 1)).toBe(true);
      return y.reduce((a, v, k) => a + Math.abs(v - x[k]!), 0) / y.length;
    };
    const hi = err(95);
    const lo = err(10);
    expect(hi).toBeLessThan(0.03);
    expect(lo).toBeGreaterThan(hi * 2);
  });

  it('parses a chain and refuses unknown or out-of-range defenses', () => {
    expect(parseTransforms('bits:4,median:2,jpeg:75').map((t) => t.name)).toEqual([
      'bits:4',
      'median:2',
      'jpeg:75',
    ]);
    for (const bad of ['blur:3', 'bits:0', 'median:1', 'jpeg:101', 'bits:x'])
      expect(() => parseTransforms(bad)).toThrow(expect.objectContaining({ code: 'DATA_INVALID' }));
  });

  it('defends a model against a non-adaptive attack set, while BPDA gradients still reach the model', async () => {
    const { train: full, test: t } = loadMnist();
    const test = slice(t, 0, 200);
    const m = Model.create('mnist-mlp', 9);
    await train(m, slice(full, 0, 2000), { epochs: 4, seed: 3 });
    const plain = await modelTarget(m);
    const defended = withTransforms(plain, parseTransforms('bits:1'));
    expect(await accuracy(defended, test)).toBeGreaterThan(0.8);
    const fgsm = findAttack('fgsm')!;
    const p = {
      eps: 0.1,
      norm: 'inf' as const,
      steps: 1,
      randomStart: false,
      restarts: 1,
      seed: 0,
      clipMin: 0,
      clipMax: 1,
    };
    // examples crafted on the undefended model, then classified through the defense (transfer)
    const adv = await fgsm.run(plain, test.x, test.y, test.size, p);
    const transfer = await accuracy(defended, { ...test, x: adv });
    expect(transfer).toBeGreaterThan((await accuracy(plain, { ...test, x: adv })) + 0.2);
    // BPDA: the attack runs on the defended target (straight-through gradients) and still has its effect
    const adaptive = await evaluateAttack(defended, findAttack('pgd')!, test, {
      ...p,
      eps: 0.3,
      steps: 10,
      randomStart: true,
    });
    expect(adaptive.robustAccuracy).toBeLessThan(transfer - 0.1);
    await plain.close();
  }, 60_000);
});
