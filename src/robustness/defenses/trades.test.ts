import { describe, expect, it } from 'vitest';
import { gradCheck } from '../engine/gradcheck.js';
import { loadMnist, slice } from '../data/dataset.js';
import { Model } from '../models/model.js';
import { train, trainStepGraph } from '../train.js';
import { modelTarget } from '../target.js';
import { evaluateAttack, findAttack } from '../attacks/index.js';
import { Session } from '../engine/session.js';
import { tradesPerturber } from './trades.js';

describe('TRADES', () => {
  it('has a training loss equal to CE + beta * KL computed by hand', async () => {
    const m = Model.create('mnist-mlp', 1);
    const step = trainStepGraph(m, { trades: { beta: 2 } });
    const s = await Session.create(step.bytes);
    const { test } = loadMnist();
    const n = 4;
    const x = test.x.slice(0, 784 * n);
    const xa = Float32Array.from(x, (v, k) => Math.min(1, v + (k % 3) * 0.05));
    const yh = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) yh[i * 10 + test.y[i]!] = 1;
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
      x: { data: x, dims: [n, 1, 28, 28] },
      x_adv: { data: xa, dims: [n, 1, 28, 28] },
      y: { data: yh, dims: [n, 10] },
    };
    for (const p of m.params) feeds[p.name] = { data: p.data, dims: p.dims };
    const loss = ((await s.run(feeds))[step.loss]!.data as Float32Array)[0]!;
    const t = await modelTarget(m);
    const lc = await t.logits(x, n);
    const la = await t.logits(xa, n);
    const logsm = (l: Float32Array, i: number) => {
      const row = Array.from(l.subarray(i * 10, i * 10 + 10));
      const mx = Math.max(...row);
      const z = Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0)) + mx;
      return row.map((v) => v - z);
    };
    let ce = 0;
    let kl = 0;
    for (let i = 0; i < n; i++) {
      const a = logsm(lc, i);
      const b = logsm(la, i);
      ce -= a[test.y[i]!]!;
      kl += a.reduce((acc, v, c) => acc + Math.exp(v) * (v - b[c]!), 0);
    }
    expect(loss).toBeCloseTo((ce + 2 * kl) / n, 4);
    await s.release();
    await t.close();
  });

  it('differentiates the KL term like finite differences', async () => {
    const r = await gradCheck(
      (g, [a, b]) => {
        const la = g.op1('LogSoftmax', [a!], { axis: { i: 1 } });
        const lb = g.op1('LogSoftmax', [b!], { axis: { i: 1 } });
        return g.op1('Mul', [g.op1('Exp', [la]), g.op1('Sub', [la, lb])]);
      },
      [
        { name: 'a', shape: [3, 5] },
        { name: 'b', shape: [3, 5] },
      ],
    );
    expect(r.maxError).toBeLessThan(2e-2);
  });

  it('trains a model that resists PGD better than its undefended twin', async () => {
    const { train: full, test: t } = loadMnist();
    const data = slice(full, 0, 2000);
    const test = slice(t, 0, 200);
    const robust: number[] = [];
    for (const defended of [false, true]) {
      const m = Model.create('mnist-mlp', 11);
      const tr = defended ? await tradesPerturber(m, { eps: 0.1, steps: 3, beta: 3, seed: 1 }) : undefined;
      await train(m, data, { epochs: 4, seed: 2, ...(tr ? { perturb: tr.perturb, trades: tr.trades } : {}) });
      await tr?.close();
      const target = await modelTarget(m);
      const p = {
        eps: 0.1,
        norm: 'inf' as const,
        steps: 10,
        randomStart: true,
        restarts: 1,
        seed: 0,
        clipMin: 0,
        clipMax: 1,
      };
      robust.push((await evaluateAttack(target, findAttack('pgd')!, test, p)).robustAccuracy);
      await target.close();
    }
    expect(robust[1]! - robust[0]!).toBeGreaterThan(0.2);
  }, 180_000);
});
