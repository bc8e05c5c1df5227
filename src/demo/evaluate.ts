import { createHash } from 'node:crypto';
import type { Report } from '../core/index.js';
import { membershipAudit, type MembershipAudit } from '../privacy/index.js';
import {
  findAttack,
  onnxTarget,
  robustnessCurve,
  robustnessReport,
  type AttackReport,
  type Dataset,
} from '../robustness/index.js';
import { curveEps, type DemoOptions } from './options.js';
import type { StepProgress } from './progress.js';
import { ARCHITECTURE, type Variant } from './train.js';

export const ATTACK_NAMES = ['fgsm', 'pgd'] as const;
export type AttackName = (typeof ATTACK_NAMES)[number];

/** One attack on one variant at both budgets, with its evidence report. */
export interface AttackResult {
  attack: AttackName;
  runs: AttackReport[];
  report: Report;
}

/** The attacks of one variant (FGSM, PGD at both eps), measured on the exported ONNX bytes. */
export interface Robustness {
  cleanAccuracy: number;
  attacks: AttackResult[];
  /** Worst case over the attacks, per eps (the same order as the options' eps). */
  robustAccuracy: [number, number];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** FGSM and PGD (random start, restarts) against the variant's ONNX graph, white-box. */
export async function attackVariant(
  v: Variant,
  test: Dataset,
  o: DemoOptions,
  p: StepProgress,
  offset: { done: number; total: number },
): Promise<Robustness> {
  const target = await onnxTarget(v.bytes, o.threads);
  const attacks: AttackResult[] = [];
  const limit = Math.min(o.sizes.attackExamples, test.size);
  const budgets = curveEps(o);
  try {
    for (const name of ATTACK_NAMES) {
      const attack = findAttack(name);
      if (!attack) throw new Error(`attack ${name} is not registered`);
      const startedAt = new Date().toISOString();
      const pgd = name === 'pgd';
      let base = offset.done;
      let last = 0;
      const { reports } = await robustnessCurve(
        target,
        attack,
        test,
        {
          eps: o.eps[0],
          norm: 'inf',
          steps: pgd ? o.sizes.pgdSteps : 1,
          randomStart: pgd,
          restarts: pgd ? o.sizes.pgdRestarts : 1,
          seed: o.seed,
          clipMin: 0,
          clipMax: 1,
          threads: o.threads,
        },
        budgets,
        {
          limit,
          // the curve runs one eps after the other, each counting from 0 again
          onBatch: (done) => {
            if (done < last) base += limit;
            last = done;
            p.update(base + done, offset.total, `${v.name}: ${name}`);
          },
        },
      );
      offset.done += limit * budgets.length;
      const report = robustnessReport(
        { model: `${v.name}.onnx`, digest: sha256(v.bytes), data: test.name, startedAt },
        reports,
      );
      // gates select the attack by these labels: robustness[attack=pgd].robustAccuracy >= ...
      attacks.push({
        attack: name,
        runs: reports,
        report: { ...report, labels: { attack: name, norm: 'inf' } } as Report,
      });
    }
  } finally {
    await target.close();
  }
  const at = (k: 0 | 1) =>
    Math.min(...attacks.map((a) => a.runs.find((r) => r.eps === o.eps[k])?.robustAccuracy ?? 0));
  return {
    cleanAccuracy: attacks[0]?.runs[0]?.cleanAccuracy ?? 0,
    attacks,
    robustAccuracy: [at(0), at(1)],
  };
}

/** Membership inference on every variant at once: members are the training digits, non-members the test. */
export async function auditMembership(
  variants: readonly Variant[],
  train: Dataset,
  test: Dataset,
  o: DemoOptions,
): Promise<MembershipAudit> {
  return membershipAudit(
    variants.map((v) => ({
      name: v.name,
      bytes: v.bytes,
      ...(v.dp ? { epsilon: v.dp.result.epsilon, delta: v.dp.result.delta } : {}),
    })),
    {
      members: train,
      nonMembers: test,
      bootstrap: o.sizes.bootstrap,
      seed: o.seed,
      threads: o.threads,
      ...(o.sizes.shadows > 0
        ? {
            shadow: {
              architecture: ARCHITECTURE,
              shadows: o.sizes.shadows,
              epochs: o.sizes.shadowEpochs,
            },
          }
        : {}),
    },
  );
}

/** The strongest attack's AUC for one variant, and each attack's. */
export function membershipAuc(
  a: MembershipAudit,
  name: string,
): { auc: number; byAttack: Record<string, number> } {
  const m = a.models.find((x) => x.name === name);
  const byAttack = Object.fromEntries(Object.entries(m?.attacks ?? {}).map(([k, r]) => [k, r.auc.value]));
  const values = Object.values(byAttack);
  return { auc: values.length ? Math.max(...values) : NaN, byAttack };
}
