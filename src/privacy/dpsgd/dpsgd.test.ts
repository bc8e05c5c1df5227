import { describe, expect, it } from 'vitest';
import { SecureRandom, isWardenError } from '../../core/index.js';
import { Model, Session, oneHot, trainStepGraph, type Dataset, type Layer } from '../../robustness/index.js';
import { RdpAccountant } from '../accountants/rdp.js';
import { assembleGradients, dpStepGraph } from './graph.js';
import { dpTrain } from './train.js';

const SLOW = 240_000;

// A small net with every case the DP graph handles: strided conv, unit-stride conv, pooling, dense.
const TINY: Layer[] = [
  { kind: 'conv', filters: 4, kernel: 3, stride: 2 },
  { kind: 'relu' },
  { kind: 'conv', filters: 3, kernel: 2 },
  { kind: 'relu' },
  { kind: 'maxpool', size: 1 },
  { kind: 'flatten' },
  { kind: 'dense', units: 5 },
  { kind: 'relu' },
  { kind: 'dense', units: 3 },
];

function batch(n: number, per: number, classes: number, seed: number) {
  const r = new SecureRandom(seed);
  return {
    x: Float32Array.from({ length: n * per }, () => r.uniform()),
    y: Uint8Array.from({ length: n }, () => Math.floor(r.uniform() * classes)),
  };
}

/** The reference: one batch-1 pass per example through the ordinary gradient graph, clipped in plain TS. */
async function bruteForce(model: Model, x: Float32Array, y: Uint8Array, n: number, C: number) {
  const step = trainStepGraph(model);
  const s = await Session.create(step.bytes);
  const per = model.input.reduce((a, b) => a * b, 1);
  const sums = model.params.map((p) => new Float64Array(p.data.length));
  let clipped = 0;
  for (let i = 0; i < n; i++) {
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
      x: { data: x.slice(i * per, (i + 1) * per), dims: [1, ...model.input] },
      y: { data: oneHot(y, model.classes, i, 1), dims: [1, model.classes] },
    };
    for (const p of model.params) feeds[p.name] = { data: p.data, dims: p.dims };
    const out = await s.run(feeds);
    const gs = step.grads.map((g) => out[g]?.data as Float32Array);
    const norm = Math.sqrt(gs.reduce((a, g) => a + g.reduce((b, v) => b + v * v, 0), 0));
    if (norm > C) clipped++;
    const f = Math.min(1, C / (norm + 1e-6));
    gs.forEach((g, k) => {
      const acc = sums[k] as Float64Array;
      g.forEach((v, j) => (acc[j] = (acc[j] as number) + f * v));
    });
  }
  await s.release();
  return { sums, clipped };
}

async function dpSums(model: Model, x: Float32Array, y: Uint8Array, n: number, C: number) {
  const step = dpStepGraph(model, C);
  const s = await Session.create(step.bytes);
  const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
    x: { data: x, dims: [n, ...model.input] },
    y: { data: oneHot(y, model.classes), dims: [n, model.classes] },
  };
  for (const p of model.params) feeds[p.name] = { data: p.data, dims: p.dims };
  const out = await s.run(feeds);
  const scratch = new Map(model.params.map((p) => [p.name, new Float32Array(p.data.length)]));
  const into = assembleGradients(step.pieces, out, scratch);
  await s.release();
  return {
    sums: model.params.map((p) => into.get(p.name) as Float32Array),
    clipped: (out[step.clipped]?.data as Float32Array)[0],
  };
}

describe('DP-SGD step graph', () => {
  it.each([
    ['tiny conv net', new Model('tiny', [1, 9, 9], 3, TINY, 3), 0.5],
    ['mnist-mlp', Model.create('mnist-mlp', 1), 1.0],
    ['mnist-cnn', Model.create('mnist-cnn', 2), 1.0],
  ])(
    '%s: clipped gradient sums equal a batch-1 loop clipped by hand',
    async (_name, model, C) => {
      const n = 7;
      const per = model.input.reduce((a, b) => a * b, 1);
      const { x, y } = batch(n, per, model.classes, 11);
      const ref = await bruteForce(model, x, y, n, C);
      const dp = await dpSums(model, x, y, n, C);
      expect(dp.clipped).toBe(ref.clipped);
      expect(ref.clipped).toBeGreaterThan(0);
      model.params.forEach((p, k) => {
        const a = ref.sums[k] as Float64Array;
        const b = dp.sums[k] as Float32Array;
        let scale = 1e-6;
        for (const v of a) scale = Math.max(scale, Math.abs(v));
        for (let j = 0; j < a.length; j++)
          expect(Math.abs((a[j] as number) - (b[j] as number)) / scale, p.name).toBeLessThan(2e-4);
      });
    },
    SLOW,
  );

  it('refuses layers it cannot clip per example (padded conv) with a typed error', () => {
    const m = new Model('padded', [1, 6, 6], 2, [
      { kind: 'conv', filters: 2, kernel: 3, pad: 1 },
      { kind: 'flatten' },
      { kind: 'dense', units: 2 },
    ]);
    try {
      dpStepGraph(m, 1);
      expect.unreachable();
    } catch (e) {
      expect(isWardenError(e) && e.code).toBe('PRIVACY_DP_UNSUPPORTED');
    }
  });
});

describe('dpTrain', () => {
  const r = new SecureRandom('data');
  // Two separable blobs in 4x4 "images": class = which half is brighter.
  const N = 400;
  const x = new Float32Array(N * 16);
  const y = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    y[i] = i % 2;
    for (let j = 0; j < 16; j++) x[i * 16 + j] = 0.3 * r.uniform() + (j < 8 === (y[i] === 0) ? 0.6 : 0);
  }
  const data: Dataset = { name: 'blobs', shape: [1, 4, 4], classes: 2, x, y, size: N };
  const layers: Layer[] = [
    { kind: 'flatten' },
    { kind: 'dense', units: 8 },
    { kind: 'relu' },
    { kind: 'dense', units: 2 },
  ];

  it(
    'learns, tracks epsilon per epoch as the accountant composes it, and is reproducible from a noise seed',
    async () => {
      const run = async () => {
        const model = new Model('blobs', [1, 4, 4], 2, layers, 5);
        const seen: number[] = [];
        const res = await dpTrain(model, data, {
          epochs: 3,
          batchSize: 40,
          maxGradNorm: 1,
          noiseMultiplier: 1.1,
          delta: 1e-5,
          lr: 0.5,
          noiseSeed: 'test',
          onEpoch: (e) => seen.push(e.epsilon),
        });
        return { model, res, seen };
      };
      const a = await run();
      const b = await run();
      expect(a.res.steps).toBe(30); // int(3 / 0.1)
      expect(a.res.epochs.map((e) => e.steps)).toEqual([10, 20, 30]);
      for (const e of a.res.epochs) {
        const ref = new RdpAccountant().compose({ noiseMultiplier: 1.1, sampleRate: 0.1, steps: e.steps });
        expect(e.epsilon).toBeCloseTo(ref.getEpsilon(1e-5), 12);
      }
      expect(a.seen).toEqual(a.res.epochs.map((e) => e.epsilon));
      expect(a.res.meanBatch).toBeGreaterThan(30);
      expect(a.res.meanBatch).toBeLessThan(50);
      expect(a.res.epochs[2]!.loss).toBeLessThan(a.res.epochs[0]!.loss);
      expect(a.res.noiseSeeded).toBe(true);
      expect(Array.from(a.model.params[0]!.data)).toEqual(Array.from(b.model.params[0]!.data));
      const probe = await dpSums(a.model, x, y, N, 1e9);
      expect(probe.clipped).toBe(0);
    },
    SLOW,
  );

  it(
    'calibrates sigma to a target epsilon and stays within it',
    async () => {
      const model = new Model('blobs', [1, 4, 4], 2, layers, 5);
      const res = await dpTrain(model, data, {
        epochs: 2,
        batchSize: 40,
        maxGradNorm: 1,
        targetEpsilon: 3,
        delta: 1e-5,
      });
      expect(res.epsilon).toBeLessThanOrEqual(3);
      expect(res.epsilon).toBeGreaterThan(2.9);
      expect(res.noiseSeeded).toBe(false);
    },
    SLOW,
  );

  it(
    'trains on the batches the perturb hook returns, with the same accounting as without it',
    async () => {
      const run = async (perturb?: (x: Float32Array, y: Uint8Array, n: number) => Promise<Float32Array>) => {
        const model = new Model('blobs', [1, 4, 4], 2, layers, 5);
        const res = await dpTrain(model, data, {
          epochs: 2,
          batchSize: 40,
          maxGradNorm: 1,
          noiseMultiplier: 1.1,
          delta: 1e-5,
          lr: 0.5,
          noiseSeed: 'hook',
          ...(perturb ? { perturb } : {}),
        });
        return { model, res };
      };
      const calls: number[] = [];
      // the hook sees each Poisson-sampled batch (inputs and labels) and replaces it: here by its negation
      const hooked = await run((xb, yb, n) => {
        calls.push(n);
        expect(xb.length).toBe(n * 16);
        expect(yb.length).toBe(n);
        return Promise.resolve(Float32Array.from(xb, (v) => -v));
      });
      const plain = await run();
      expect(calls.length).toBe(hooked.res.steps);
      expect(calls.reduce((a, b) => a + b, 0)).toBe(Math.round(hooked.res.meanBatch * hooked.res.steps));
      expect(hooked.res.epsilon).toBe(plain.res.epsilon);
      // same sampling and noise streams, different inputs: different weights
      expect(Array.from(hooked.model.params[0]!.data)).not.toEqual(Array.from(plain.model.params[0]!.data));
    },
    SLOW,
  );

  it('rejects bad privacy options with typed errors', async () => {
    const model = new Model('blobs', [1, 4, 4], 2, layers, 5);
    const base = { epochs: 1, batchSize: 40, maxGradNorm: 1, delta: 1e-5 };
    const code = async (o: Parameters<typeof dpTrain>[2]) =>
      dpTrain(model, data, o).then(
        () => 'none',
        (e: unknown) => (isWardenError(e) ? e.code : 'untyped'),
      );
    expect(await code({ ...base })).toBe('PRIVACY_INVALID_OPTION');
    expect(await code({ ...base, noiseMultiplier: 1, targetEpsilon: 1 })).toBe('PRIVACY_INVALID_OPTION');
    expect(await code({ ...base, noiseMultiplier: 0 })).toBe('PRIVACY_INVALID_NOISE_MULTIPLIER');
    expect(await code({ ...base, noiseMultiplier: 1, maxGradNorm: 0 })).toBe('PRIVACY_INVALID_OPTION');
    expect(await code({ ...base, noiseMultiplier: 1, batchSize: 1000 })).toBe('PRIVACY_INVALID_SAMPLE_RATE');
    expect(await code({ ...base, noiseMultiplier: 1, delta: 1 })).toBe('PRIVACY_INVALID_DELTA');
  });
});
