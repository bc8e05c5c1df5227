import { describe, expect, it } from 'vitest';
import { penultimateActivations } from './activations.js';
import { loadMnist } from './data/dataset.js';
import { Model } from './models/model.js';

describe('penultimateActivations', () => {
  it('reads the hidden layer of a model in code and of its ONNX export alike', async () => {
    const model = Model.create('mnist-mlp', 3);
    const { test } = loadMnist();
    const a = await penultimateActivations(model, test.x, 7, { batch: 3 });
    expect(a.dim).toBe(128);
    expect(a.n).toBe(7);
    expect(a.data.every((v) => v >= 0)).toBe(true); // after ReLU
    const b = await penultimateActivations(model.toOnnx(), test.x, 7);
    for (let i = 0; i < a.data.length; i++) expect(b.data[i]).toBeCloseTo(a.data[i] as number, 4);
  });
});
