import { describe, expect, it } from 'vitest';
import { gradCheck } from '../engine/gradcheck.js';
import { loadMnist, slice } from '../data/dataset.js';
import { accuracy, onnxClassifier } from '../evaluate.js';
import { train } from '../train.js';
import { Model } from './model.js';

describe('models defined in code', () => {
  it('differentiates the whole ResNet-style model (inference mode) like finite differences', async () => {
    const m = Model.create('mnist-resnet', 4);
    // non-trivial running statistics, so inference-mode normalisation is not the identity
    for (const p of m.params) if (p.name.endsWith('.mean')) p.data.fill(0.05);
    const r = await gradCheck((g, [x]) => m.emit(g, x!), [{ name: 'x', shape: [2, 1, 28, 28] }], {
      samples: 16,
    });
    expect(r.checked).toBe(16);
    expect(r.maxError).toBeLessThan(2e-2);
  });

  it('trains the ResNet-style model with batch statistics and updates its running averages', async () => {
    const { train: full, test } = loadMnist();
    const m = Model.create('mnist-resnet', 1);
    const before = Float32Array.from(m.params.find((p) => p.name === 'l1.mean')!.data);
    const res = await train(m, slice(full, 0, 1024), { epochs: 4, batchSize: 64, seed: 3, lr: 3e-3 });
    expect(res.epochLoss[3]!).toBeLessThan(res.epochLoss[0]!);
    const after = m.params.find((p) => p.name === 'l1.mean')!.data;
    expect(after.some((v, k) => v !== before[k])).toBe(true);
    const clf = await onnxClassifier(m.toOnnx(), m.input, m.classes);
    // inference with the running statistics must already beat chance by far after 64 steps
    expect(await accuracy(clf, slice(test, 0, 300))).toBeGreaterThan(0.5);
    await clf.close();
  }, 120_000);
});
