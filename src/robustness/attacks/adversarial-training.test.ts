import { describe, expect, it } from 'vitest';
import { loadMnist, slice } from '../data/dataset.js';
import { Model } from '../models/model.js';
import { train } from '../train.js';
import { modelTarget } from '../target.js';
import { evaluateAttack } from './evaluate.js';
import { PGD } from './pgd.js';
import { pgdPerturber } from './adversarial-training.js';

describe('PGD adversarial training', () => {
  it('raises robust accuracy well above an undefended twin trained the same way', async () => {
    const { train: full, test: fullTest } = loadMnist();
    const data = slice(full, 0, 2000);
    const test = slice(fullTest, 0, 200);
    const robust: number[] = [];
    for (const adv of [false, true]) {
      const m = Model.create('mnist-mlp', 11);
      const p = adv ? await pgdPerturber(m, { eps: 0.1, steps: 3, seed: 2 }) : undefined;
      await train(m, data, { epochs: 4, seed: 2, ...(p ? { perturb: p.perturb } : {}) });
      await p?.close();
      const t = await modelTarget(m);
      const rep = await evaluateAttack(t, PGD, test, {
        eps: 0.1,
        norm: 'inf',
        steps: 10,
        randomStart: true,
        restarts: 1,
        seed: 0,
        clipMin: 0,
        clipMax: 1,
      });
      await t.close();
      robust.push(rep.robustAccuracy);
    }
    expect((robust[1] as number) - (robust[0] as number)).toBeGreaterThan(0.2);
  }, 180_000);
});
