import { beforeAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../../core/index.js';
import { loadMnist, slice } from '../data/dataset.js';
import { Model } from '../models/model.js';
import { train } from '../train.js';
import { modelTarget } from '../target.js';
import { ATTACKS, evaluateAttack, type AttackParams, type AttackTarget } from './index.js';
import { rowNorms } from './grad-session.js';

const { train: full, test: fullTest } = loadMnist();
const test = slice(fullTest, 0, 64);
const model = Model.create('mnist-mlp', 7);
let white: AttackTarget & { close(): Promise<void> };
let black: AttackTarget;

beforeAll(async () => {
  await train(model, slice(full, 0, 2000), { epochs: 4, seed: 1 });
  white = await modelTarget(model);
  // the same model seen only through its scores: no graph to differentiate
  black = { input: white.input, classes: white.classes, logits: (x, n) => white.logits(x, n) };
}, 120_000);

const EPS = { inf: 0.15, '2': 2 } as const;
const params = (norm: 'inf' | '2'): AttackParams => ({
  eps: EPS[norm],
  norm,
  steps: 20,
  randomStart: true,
  restarts: 1,
  seed: 3,
  clipMin: 0,
  clipMax: 1,
  queries: 300,
  alpha: undefined,
});

const cases = ATTACKS.flatMap((a) => a.norms.map((norm) => [a.name, norm, a] as const));

describe.each(cases)('attack contract: %s (%s)', (_name, norm, attack) => {
  it('stays in the eps-ball and the input domain, leaves its input alone, repeats for a seed, lowers accuracy', async () => {
    const target = attack.kind === 'white-box' ? white : black;
    const p = { ...params(norm) };
    if (attack.name === 'cw') Object.assign(p, { alpha: 0.05, steps: 40, searchSteps: 3 });
    const n = 16;
    const x = test.x.slice(0, 784 * n);
    const before = x.slice();
    const adv = await attack.run(target, x, test.y.subarray(0, n), n, p);
    expect(adv).toHaveLength(x.length);
    expect(Array.from(x)).toEqual(Array.from(before));
    expect(adv.every((v) => v >= 0 && v <= 1)).toBe(true);
    for (const d of rowNorms(adv, x, n, norm)) expect(d).toBeLessThanOrEqual(p.eps * (1 + 1e-5));
    const again = await attack.run(target, x, test.y.subarray(0, n), n, p);
    expect(Buffer.from(again.buffer).equals(Buffer.from(adv.buffer))).toBe(true);
    const rep = await evaluateAttack(target, attack, test, p, { limit: 64, batch: 32 });
    expect(rep.maxPerturbation).toBeLessThanOrEqual(p.eps * (1 + 1e-5));
    expect(rep.robustAccuracy).toBeLessThan(rep.cleanAccuracy - 0.2);
    expect(rep.robustAccuracy).toBeLessThanOrEqual(rep.robustAccuracyOfCorrect);
    expect(rep.attackSuccessRate).toBeGreaterThan(0);
  }, 120_000);

  if (attack.kind === 'white-box')
    it('refuses a target without a graph with a typed error', async () => {
      const err = await attack
        .run(black, test.x.slice(0, 784), test.y.subarray(0, 1), 1, params(norm))
        .catch((e: unknown) => e);
      expect(isWardenError(err) && err.code).toBe('MODEL_INVALID');
    });
});
