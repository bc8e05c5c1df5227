import { describe, expect, it } from 'vitest';
import { loadMnist, slice } from '../data/dataset.js';
import { Model } from '../models/model.js';
import { modelTarget } from '../target.js';
import { findAttack, type AttackParams } from './index.js';
import { keptStepSessions } from './step-cache.js';

const pgd = findAttack('pgd')!;
const params: AttackParams = {
  eps: 0.2,
  norm: 'inf',
  steps: 3,
  randomStart: true,
  restarts: 1,
  seed: 5,
  clipMin: 0,
  clipMax: 1,
};

describe('step sessions kept with a white-box target', () => {
  it('reuses one session per option set, gives what a fresh target gives, and closes with the target', async () => {
    const d = slice(loadMnist().test, 0, 16);
    const model = Model.create('mnist-cnn', 2);
    const t = await modelTarget(model);
    const first = await pgd.run(t, d.x, d.y, 16, params);
    const again = await pgd.run(t, d.x, d.y, 16, params);
    expect(keptStepSessions(t)).toBe(1);
    expect(again).toEqual(first);
    const fresh = await modelTarget(model);
    expect(await pgd.run(fresh, d.x, d.y, 16, params)).toEqual(first);
    await fresh.close();
    // other budgets get their own sessions, at most four kept
    for (const eps of [0.05, 0.1, 0.15, 0.25, 0.3]) await pgd.run(t, d.x, d.y, 16, { ...params, eps });
    expect(keptStepSessions(t)).toBe(4);
    await t.close();
    expect(keptStepSessions(t)).toBe(0);
  }, 60_000);

  it('is a snapshot: training the model after making the target does not change its attack', async () => {
    const d = slice(loadMnist().test, 0, 8);
    const model = Model.create('mnist-mlp', 3);
    const t = await modelTarget(model);
    const before = await pgd.run(t, d.x, d.y, 8, params);
    for (const p of model.params) p.data.fill(0.01);
    expect(await pgd.run(t, d.x, d.y, 8, params)).toEqual(before);
    const logits = await t.logits(d.x, 8);
    const changed = await modelTarget(model);
    expect(await changed.logits(d.x, 8)).not.toEqual(logits);
    await changed.close();
    await t.close();
  }, 60_000);
});
