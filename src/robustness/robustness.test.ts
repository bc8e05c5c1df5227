import { describe, expect, it, beforeAll } from 'vitest';
import { loadMnist, slice } from './data/dataset.js';
import { Model } from './models/model.js';
import { train } from './train.js';
import { accuracy, onnxClassifier } from './evaluate.js';
import { modelTarget, onnxTarget } from './target.js';
import { ATTACKS, evaluateAttack, type AttackParams } from './attacks/index.js';

const { train: full, test: fullTest } = loadMnist();
const data = slice(full, 0, 2000);
const test = slice(fullTest, 0, 300);
const model = Model.create('mnist-mlp', 7);

beforeAll(async () => {
  await train(model, data, { epochs: 4, seed: 1 });
}, 120_000);

const params = (eps: number, norm: 'inf' | '2'): AttackParams => ({
  eps,
  norm,
  steps: 5,
  randomStart: true,
  restarts: 1,
  seed: 0,
  clipMin: 0,
  clipMax: 1,
});

describe('training', () => {
  it('learns MNIST digits from 2,000 examples', async () => {
    const clf = await onnxClassifier(model.toOnnx(), model.input, 10);
    expect(await accuracy(clf, test)).toBeGreaterThan(0.8);
    await clf.close();
  });

  it('is deterministic for a seed', async () => {
    const a = Model.create('mnist-mlp', 3);
    const b = Model.create('mnist-mlp', 3);
    const small = slice(data, 0, 256);
    await train(a, small, { epochs: 1, seed: 5 });
    await train(b, small, { epochs: 1, seed: 5 });
    expect(Buffer.from(a.params[0]!.data.buffer).equals(Buffer.from(b.params[0]!.data.buffer))).toBe(true);
  });
});

describe('ONNX import', () => {
  it('re-emits an exported model so that attacks on the file equal attacks on the model', async () => {
    const a = await modelTarget(model);
    const b = await onnxTarget(model.toOnnx());
    const p = params(0.1, 'inf');
    const pgd = ATTACKS.find((x) => x.name === 'pgd')!;
    const ra = await evaluateAttack(a, pgd, test, p, { limit: 64 });
    const rb = await evaluateAttack(b, pgd, test, p, { limit: 64 });
    expect(rb.robustAccuracy).toBe(ra.robustAccuracy);
    expect(rb.cleanAccuracy).toBe(ra.cleanAccuracy);
    await a.close();
    await b.close();
  });
});
