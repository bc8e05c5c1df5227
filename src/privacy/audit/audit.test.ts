import { describe, expect, it } from 'vitest';
import { SecureRandom } from '../../core/index.js';
import { Model, loadMnist, slice, train } from '../../robustness/index.js';
import { shuffled, subset } from './attacks.js';
import { dpTrain } from '../dpsgd/train.js';
import { membershipAudit } from './audit.js';

describe('membership audit', () => {
  it('finds an overfit model leaky and a strongly private one not, side by side in one report', async () => {
    const { train: all } = loadMnist();
    // Members and non-members drawn at random from one pool: contiguous blocks of the MNIST test digits
    // come from different writers, and such a pair would look "leaky" to any model.
    const order = shuffled(all.size, new SecureRandom('split'));
    const members = subset(all, order.subarray(0, 300), 'members');
    const holdout = subset(all, order.subarray(300, 1500), 'holdout');
    const overfit = Model.create('mnist-mlp', 1);
    await train(overfit, members, { epochs: 40, batchSize: 32, seed: 1 });
    const priv = Model.create('mnist-mlp', 1);
    const dp = await dpTrain(priv, members, {
      epochs: 2,
      batchSize: 30,
      maxGradNorm: 1,
      noiseMultiplier: 3,
      delta: 1e-5,
      lr: 0.5,
      noiseSeed: 1,
    });
    const audit = await membershipAudit(
      [
        { name: 'overfit.onnx', bytes: overfit.toOnnx() },
        { name: 'dp.onnx', bytes: priv.toOnnx(), epsilon: dp.epsilon, delta: 1e-5 },
      ],
      {
        members,
        nonMembers: holdout,
        bootstrap: 100,
        seed: 3,
        shadow: { architecture: 'mnist-mlp', shadows: 2, epochs: 40 },
      },
    );
    expect(audit.evaluated).toEqual({ members: 300, nonMembers: 300, shadowPool: 600 });
    const [o, d] = audit.models;
    expect(audit.reference!.auc.lo).toBeLessThan(0.5);
    expect(audit.reference!.auc.hi).toBeGreaterThan(0.5);
    expect(audit.report.findings.find((f) => f.id === 'privacy.membership.shift')?.severity).toBe('info');
    expect(o!.attacks.loss!.auc.value).toBeGreaterThan(0.7);
    expect(o!.attacks.loss!.auc.lo).toBeGreaterThan(0.6);
    expect(o!.attacks.shadow!.auc.value).toBeGreaterThan(0.6);
    expect(d!.attacks.loss!.auc.lo).toBeLessThan(0.56);
    expect(d!.attacks.loss!.auc.value).toBeLessThan(o!.attacks.loss!.auc.value);
    const r = audit.report;
    expect(r.kind).toBe('privacy.membership-audit');
    expect(r.verdict).toBe('fail');
    expect(
      r.findings.find((f) => f.location?.path === 'overfit.onnx' && f.id.endsWith('loss'))?.severity,
    ).toBe('high');
    expect(r.findings.find((f) => f.location?.path === 'dp.onnx')?.detail).toMatch(/DP guarantee caps TPR/);
    expect(r.metrics['dp.onnx.epsilon']).toBe(dp.epsilon);
    expect(r.metrics['overfit.onnx.loss.auc.lo']).toBe(o!.attacks.loss!.auc.lo);
  }, 240_000);

  it('flags members and non-members that a reference model can tell apart (a distribution shift)', async () => {
    const { train: all, test } = loadMnist();
    const model = Model.create('mnist-mlp', 1);
    const audit = await membershipAudit([{ name: 'm.onnx', bytes: model.toOnnx() }], {
      members: slice(all, 0, 600),
      nonMembers: test,
      bootstrap: 100,
      shadow: { architecture: 'mnist-mlp', shadows: 1, epochs: 3 },
    });
    expect(audit.report.findings.find((f) => f.id === 'privacy.membership.shift')?.severity).toBe('medium');
  }, 240_000);
});
