import { argmax } from '../evaluate.js';
import type { Dataset } from '../data/dataset.js';
import type { Attack, AttackParams, AttackTarget } from './types.js';

/** Robustness numbers of one attack on one data set; both robust-accuracy conventions are given. */
export interface AttackReport {
  attack: string;
  eps: number;
  norm: string;
  examples: number;
  cleanAccuracy: number;
  /** Correct after the attack over ALL examples (misclassified clean inputs count as broken), as AutoAttack reports. */
  robustAccuracy: number;
  /** Correct after the attack over the clean-correct examples only, as ART reports. */
  robustAccuracyOfCorrect: number;
  /** Clean-correct examples whose prediction the attack changed. */
  attackSuccessRate: number;
  maxPerturbation: number;
  meanPerturbation: number;
  /** Mean perturbation norm of the successful adversarial examples (0 when none). */
  meanPerturbationOfSuccess: number;
  /** The same numbers per true class. */
  perClass: ClassReport[];
  seconds: number;
}

/** Clean and robust accuracy of the examples of one true class. */
export interface ClassReport {
  label: number;
  examples: number;
  cleanAccuracy: number;
  robustAccuracy: number;
  attackSuccessRate: number;
}

/** One point of a robust-accuracy-versus-eps curve. */
export interface CurvePoint {
  eps: number;
  robustAccuracy: number;
  robustAccuracyOfCorrect: number;
  attackSuccessRate: number;
  meanPerturbation: number;
}

/** Both conventions in words, for reports: they differ exactly by the clean accuracy. */
export const ROBUST_ACCURACY_CONVENTIONS = {
  robustAccuracy: 'correct after the attack, over all examples (AutoAttack / RobustBench convention)',
  robustAccuracyOfCorrect: 'correct after the attack, over the clean-correct examples only (ART convention)',
} as const;

/** Runs an attack over the first `limit` examples in batches and measures it. */
export async function evaluateAttack(
  target: AttackTarget,
  attack: Attack,
  d: Dataset,
  p: AttackParams,
  opts: { limit?: number; batch?: number; onBatch?: (done: number, total: number) => void } = {},
): Promise<AttackReport> {
  const t0 = performance.now();
  const n = Math.min(opts.limit ?? d.size, d.size);
  const batch = opts.batch ?? 128;
  const per = d.shape.reduce((a, b) => a * b, 1);
  let clean = 0;
  let robust = 0;
  let flipped = 0;
  let maxPert = 0;
  let sumPert = 0;
  let sumSuccess = 0;
  const classes = new Map<number, { n: number; clean: number; robust: number }>();
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const x = d.x.slice(s * per, (s + m) * per);
    const y = d.y.subarray(s, s + m);
    const cleanPred = argmax(await target.logits(x, m), target.classes, m);
    const adv = await attack.run(target, x, y, m, { ...p, seed: p.seed + s });
    const advPred = argmax(await target.logits(adv, m), target.classes, m);
    for (let i = 0; i < m; i++) {
      const ok = cleanPred[i] === y[i];
      const still = advPred[i] === y[i];
      if (ok) clean++;
      if (ok && still) robust++;
      if (ok && !still) flipped++;
      const label = y[i] ?? 0;
      const c = classes.get(label) ?? { n: 0, clean: 0, robust: 0 };
      c.n++;
      if (ok) c.clean++;
      if (ok && still) c.robust++;
      classes.set(label, c);
      let norm = 0;
      for (let k = i * per; k < (i + 1) * per; k++) {
        const dlt = Math.abs((adv[k] as number) - (x[k] as number));
        norm = p.norm === 'inf' ? Math.max(norm, dlt) : norm + dlt * dlt;
      }
      if (p.norm === '2') norm = Math.sqrt(norm);
      maxPert = Math.max(maxPert, norm);
      sumPert += norm;
      if (ok && !still) sumSuccess += norm;
    }
    opts.onBatch?.(s + m, n);
  }
  return {
    attack: attack.name,
    eps: p.eps,
    norm: p.norm,
    examples: n,
    cleanAccuracy: clean / n,
    robustAccuracy: robust / n,
    robustAccuracyOfCorrect: clean ? robust / clean : 0,
    attackSuccessRate: clean ? flipped / clean : 0,
    maxPerturbation: maxPert,
    meanPerturbation: sumPert / n,
    meanPerturbationOfSuccess: flipped ? sumSuccess / flipped : 0,
    perClass: [...classes.entries()]
      .sort(([a], [b]) => a - b)
      .map(([label, c]) => ({
        label,
        examples: c.n,
        cleanAccuracy: c.clean / c.n,
        robustAccuracy: c.robust / c.n,
        attackSuccessRate: c.clean ? (c.clean - c.robust) / c.clean : 0,
      })),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Robust accuracy versus eps: the attack at each budget (ascending), as points and the full reports. */
export async function robustnessCurve(
  target: AttackTarget,
  attack: Attack,
  d: Dataset,
  p: AttackParams,
  epsList: readonly number[],
  opts: Parameters<typeof evaluateAttack>[4] = {},
): Promise<{ curve: CurvePoint[]; reports: AttackReport[] }> {
  const reports: AttackReport[] = [];
  for (const eps of [...epsList].sort((a, b) => a - b))
    reports.push(await evaluateAttack(target, attack, d, { ...p, eps }, opts));
  return {
    reports,
    curve: reports.map((r) => ({
      eps: r.eps,
      robustAccuracy: r.robustAccuracy,
      robustAccuracyOfCorrect: r.robustAccuracyOfCorrect,
      attackSuccessRate: r.attackSuccessRate,
      meanPerturbation: r.meanPerturbation,
    })),
  };
}
