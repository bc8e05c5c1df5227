import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeReport } from '../core/index.js';
import { Registry } from '../registry/index.js';
import { Model, robustnessReport, type AttackReport } from '../robustness/index.js';
import { demoKey, exportArtifacts } from './artifacts.js';
import type { Robustness } from './evaluate.js';
import { parseDemoOptions } from './options.js';
import { MODEL_NAME, registerVariants } from './registry.js';
import type { Variant } from './train.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-demo-registry-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const quiet = { update: () => {}, done: () => 0 };

// Attack results as the attack step would give them: clean accuracy, robust accuracy at eps 0.1 and 0.3.
function robustness(clean: number, at01: number, at03: number): Robustness {
  const run = (attack: string, eps: number, robust: number): AttackReport => ({
    attack,
    eps,
    norm: 'inf',
    examples: 100,
    cleanAccuracy: clean,
    robustAccuracy: robust,
    robustAccuracyOfCorrect: robust / clean,
    attackSuccessRate: 1 - robust / clean,
    maxPerturbation: eps,
    meanPerturbation: eps,
    meanPerturbationOfSuccess: eps,
    perClass: [],
    seconds: 0,
  });
  const attacks = (['fgsm', 'pgd'] as const).map((attack) => {
    const runs = [run(attack, 0.1, at01), run(attack, 0.3, at03)];
    const report = robustnessReport({ model: 'm.onnx', data: 'mnist-test', startedAt: '' }, runs);
    return { attack, runs, report: { ...report, labels: { attack, norm: 'inf' } } };
  });
  return { cleanAccuracy: clean, attacks, robustAccuracy: [at01, at03] };
}

describe('registerVariants', () => {
  it('registers versions with evidence and lineage, gates each, and promotes the robust one', async () => {
    const o = parseDemoOptions({ dir: tmp });
    const key = demoKey(join(tmp, 'keys'));
    const mk = (name: Variant['name'], seed: number, parent?: Variant['name']): Variant => {
      const model = Model.create('mnist-mlp', seed);
      return {
        name,
        description: name,
        model,
        bytes: model.toOnnx(),
        trainSeconds: 0,
        ...(parent ? { parent } : {}),
      };
    };
    const variants = [mk('baseline', 0), mk('pgd-at', 1, 'baseline')];
    const artifacts = await exportArtifacts(variants, tmp, key, quiet);
    const at = new Date().toISOString();
    const membership = makeReport({
      kind: 'privacy.membership-audit',
      subject: { name: 'baseline, pgd-at' },
      startedAt: at,
      finishedAt: at,
      findings: [],
      items: [],
      metrics: { 'baseline.loss.auc': 0.52 },
      failOn: 'high',
    });
    const reg = await Registry.open(`sqlite:${join(tmp, 'warden.db')}`);
    try {
      const out = await registerVariants(
        reg,
        {
          variants,
          artifacts,
          robustness: new Map([
            ['baseline', robustness(0.95, 0.02, 0)],
            ['pgd-at', robustness(0.9, 0.7, 0.25)],
          ]),
          membership,
          publicPem: key.publicPem,
        },
        o,
        quiet,
      );
      const [base, adv] = out.versions;
      expect(base?.gate.passed).toBe(false);
      expect(base?.gate.unmet.map((c) => c.clause)).toEqual([
        'robustness[attack=pgd,eps=0.3].robustAccuracy >= 0.1',
      ]);
      expect(adv?.gate.passed).toBe(true);
      expect(out.promoted).toEqual({ ref: `${MODEL_NAME}@2`, alias: 'production', variant: 'pgd-at' });
      const shown = await reg.show(`${MODEL_NAME}@production`);
      expect(shown.evidence.map((e) => e.kind).sort()).toEqual(
        ['privacy-membership-audit', 'robustness', 'robustness', 'scan', 'verify'].sort(),
      );
      expect(shown.parents).toEqual(
        expect.arrayContaining([{ relation: 'fine_tuned_from', ref: `${MODEL_NAME}@1` }]),
      );
      expect(shown.approvalList.map((a) => a.role).sort()).toEqual(['auditor', 'ml_engineer']);
      expect(out.audit.ok).toBe(true);
    } finally {
      await reg.close();
    }
  });
});
