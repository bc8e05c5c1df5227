import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isWardenError, seededRandom } from '../../core/index.js';
import { importOnnx } from './import.js';
import { Session } from './session.js';
import { Graph } from './graph.js';
import { ceLoss, gradSession } from '../attacks/grad-session.js';
import { oneHot } from '../models/loss.js';
import { onnxTarget } from '../target.js';

// A PyTorch model exported by torch.onnx (scripts/robustness-torch-fixture.py) with torch autograd's gradient.
const dir = new URL('../../../test/fixtures/robustness/', import.meta.url);
const bytes = readFileSync(new URL('torch-net.onnx', dir));
const ref = JSON.parse(readFileSync(new URL('torch-net.json', dir), 'utf8')) as {
  x: number[];
  y: number[];
  logits: number[];
  grad: number[];
};

describe('importing a PyTorch-exported ONNX model', () => {
  it('re-emits it with the same logits as torch', async () => {
    const m = importOnnx(bytes);
    expect(m).toMatchObject({ input: [1, 12, 12], classes: 10 });
    const g = new Graph();
    const y = g.output(m.emit(g, g.input('x', [-1, 1, 12, 12])));
    const s = await Session.create(g.toBytes());
    const out = await s.run({ x: { data: Float32Array.from(ref.x), dims: [3, 1, 12, 12] } });
    const logits = out[y]!.data as Float32Array;
    ref.logits.forEach((v, k) => expect(logits[k]).toBeCloseTo(v, 4));
    await s.release();
  });

  it('differentiates it like torch autograd (BatchNormalization, pools, Concat, activations)', async () => {
    const t = await onnxTarget(bytes);
    const s = await gradSession(t as Parameters<typeof gradSession>[0], { y: [10] }, ceLoss);
    const r = await s.run(Float32Array.from(ref.x), 3, { y: oneHot(Uint8Array.from(ref.y), 10) });
    const scale = Math.max(...ref.grad.map(Math.abs));
    let worst = 0;
    ref.grad.forEach((v, k) => (worst = Math.max(worst, Math.abs((r.grad[k] as number) - v) / scale)));
    expect(worst).toBeLessThan(1e-4);
    await s.close();
    await t.close();
  });
});

describe('ONNX import of untrusted bytes', () => {
  it('never throws anything but typed errors on mutated models', () => {
    const rnd = seededRandom(11);
    for (let t = 0; t < 400; t++) {
      const b = Uint8Array.from(bytes);
      for (let m = 0; m < 1 + Math.floor(rnd() * 6); m++)
        b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
      try {
        const m = importOnnx(cut);
        const g = new Graph();
        m.emit(g, g.input('x', [-1, ...m.input]));
      } catch (e) {
        expect(isWardenError(e), String(e)).toBe(true);
      }
    }
  });
});
