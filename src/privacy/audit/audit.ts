import {
  REFS,
  SecureRandom,
  makeReport,
  type Finding,
  type Report,
  type Severity,
} from '../../core/index.js';
import { onnxClassifier, type Dataset } from '../../robustness/index.js';
import { privacyError } from '../errors.js';
import {
  allLogits,
  features,
  lossScores,
  shuffled,
  subset,
  trainShadowAttack,
  type ShadowOptions,
} from './attacks.js';
import { rocCurve, withIntervals, type AttackResult, type RocPoints } from './metrics.js';

/** One model under audit: its ONNX bytes and, when known, the epsilon its training claims. */
export interface AuditTarget {
  name: string;
  bytes: Uint8Array;
  epsilon?: number;
  delta?: number;
}

export interface MembershipAuditOptions {
  /** The targets' training data (members) and data they never saw (non-members). */
  members: Dataset;
  nonMembers: Dataset;
  /** Cap on each side of the balanced evaluation set. */
  maxExamples?: number;
  bootstrap?: number;
  seed?: string | number;
  /** Shadow-model attack; absent = loss-threshold attack only. */
  shadow?: Omit<ShadowOptions, 'seed'>;
  threads?: number;
  /** Findings at or above this severity fail the report (default high). */
  failOn?: Severity;
}

/** One attack's ROC on one model, on the grid of `rocCurve`. */
export interface MembershipRoc extends RocPoints {
  model: string;
  attack: string;
}

/** The audit of one model: each attack's metrics with intervals. */
export interface ModelAudit {
  name: string;
  epsilon?: number;
  attacks: Record<string, AttackResult>;
}

export interface MembershipAudit {
  evaluated: { members: number; nonMembers: number; shadowPool: number };
  models: ModelAudit[];
  /** Loss attack through a reference model that saw neither side (shadow runs only): about 0.5 when fair. */
  reference?: AttackResult;
  report: Report;
}

/**
 * Membership-inference audit: a balanced set of members and non-members, scored by the loss-threshold
 * attack and (optionally) a shadow-model attack; AUC, best balanced accuracy and TPR at 0.1% and 1% FPR,
 * each with a bootstrap interval. Half of the non-members are held back as the attacker's shadow data.
 */
export async function membershipAudit(
  targets: AuditTarget[],
  o: MembershipAuditOptions,
): Promise<MembershipAudit> {
  const startedAt = new Date().toISOString();
  const { members, nonMembers } = o;
  if (targets.length === 0) throw privacyError('PRIVACY_INVALID_OPTION', 'no model to audit');
  if (members.classes !== nonMembers.classes || members.shape.join() !== nonMembers.shape.join())
    throw privacyError('PRIVACY_DATA_INVALID', 'members and non-members have different shapes or classes');
  const seed = o.seed ?? 0;
  const rng = new SecureRandom(`audit:${seed}`);
  const outOrder = shuffled(nonMembers.size, rng);
  const poolSize = o.shadow ? Math.floor(nonMembers.size / 2) : 0;
  const n = Math.min(o.maxExamples ?? 5000, members.size, nonMembers.size - poolSize);
  if (n < 20)
    throw privacyError(
      'PRIVACY_DATA_INVALID',
      `need at least 20 members and 20 non-members to audit, have ${n}`,
    );
  const evalIn = subset(members, shuffled(members.size, rng).subarray(0, n), 'members');
  const evalOut = subset(nonMembers, outOrder.subarray(0, n), 'non-members');
  const attacker = o.shadow
    ? await trainShadowAttack(
        subset(nonMembers, outOrder.subarray(nonMembers.size - poolSize), 'shadow-pool'),
        {
          ...o.shadow,
          seed,
        },
      )
    : undefined;
  const rounds = o.bootstrap ?? 200;
  // A model that saw neither side should not tell them apart; if it does, the sets are not exchangeable
  // (e.g. different writers) and every AUC below includes that shift.
  let reference: AttackResult | undefined;
  if (attacker) {
    const logits = await logitsOf(attacker.reference, evalIn, evalOut, o.threads);
    reference = withIntervals(
      lossScores(logits[0], evalIn),
      lossScores(logits[1], evalOut),
      rounds,
      `${seed}:reference`,
    );
  }
  const audits: ModelAudit[] = [];
  const roc: MembershipRoc[] = [];
  for (const t of targets) {
    const [logitsIn, logitsOut] = await logitsOf(t.bytes, evalIn, evalOut, o.threads);
    if (logitsIn.length !== evalIn.size * evalIn.classes)
      throw privacyError(
        'PRIVACY_DATA_INVALID',
        `${t.name} does not output ${members.classes} logits per example`,
      );
    const lossIn = lossScores(logitsIn, evalIn);
    const lossOut = lossScores(logitsOut, evalOut);
    const attacks: Record<string, AttackResult> = {
      loss: withIntervals(lossIn, lossOut, rounds, `${seed}:loss`),
    };
    roc.push({ model: t.name, attack: 'loss', ...rocCurve(lossIn, lossOut) });
    if (attacker) {
      const score = (l: Float32Array, d: Dataset) =>
        Float64Array.from(features(l, d.y, d.classes), (f) => attacker.attack.score(f));
      const shadowIn = score(logitsIn, evalIn);
      const shadowOut = score(logitsOut, evalOut);
      attacks.shadow = withIntervals(shadowIn, shadowOut, rounds, `${seed}:shadow`);
      roc.push({ model: t.name, attack: 'shadow', ...rocCurve(shadowIn, shadowOut) });
    }
    audits.push({ name: t.name, ...(t.epsilon === undefined ? {} : { epsilon: t.epsilon }), attacks });
  }
  const report = auditReport(targets, audits, {
    n,
    pool: poolSize,
    rounds,
    startedAt,
    reference,
    failOn: o.failOn ?? 'high',
    roc,
  });
  return {
    evaluated: { members: n, nonMembers: n, shadowPool: poolSize },
    models: audits,
    ...(reference ? { reference } : {}),
    report,
  };
}

async function logitsOf(
  bytes: Uint8Array,
  a: Dataset,
  b: Dataset,
  threads = 1,
): Promise<[Float32Array, Float32Array]> {
  const clf = await onnxClassifier(bytes, a.shape, a.classes, threads);
  try {
    return [await allLogits(clf, a), await allLogits(clf, b)];
  } finally {
    await clf.close();
  }
}

function leakage(a: AttackResult): Severity {
  if (a.auc.lo >= 0.6 || a.tprAt1.lo > 0.05) return 'high';
  if (a.auc.lo > 0.55) return 'medium';
  if (a.auc.lo > 0.5) return 'low';
  return 'info';
}

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
const fmt = (i: { value: number; lo: number; hi: number }, p = false): string =>
  p
    ? `${pct(i.value)} [${pct(i.lo)}, ${pct(i.hi)}]`
    : `${i.value.toFixed(3)} [${i.lo.toFixed(3)}, ${i.hi.toFixed(3)}]`;

function auditReport(
  targets: AuditTarget[],
  audits: ModelAudit[],
  m: {
    n: number;
    pool: number;
    rounds: number;
    startedAt: string;
    reference?: AttackResult | undefined;
    failOn: Severity;
    roc: MembershipRoc[];
  },
): Report & { roc: MembershipRoc[] } {
  const findings: Finding[] = [];
  const metrics: Record<string, number> = {
    members: m.n,
    nonMembers: m.n,
    shadowPool: m.pool,
    bootstrap: m.rounds,
  };
  const ref = m.reference?.auc;
  if (ref) {
    metrics['reference.loss.auc'] = ref.value;
    metrics['reference.loss.auc.lo'] = ref.lo;
    metrics['reference.loss.auc.hi'] = ref.hi;
    const shifted = ref.lo > 0.5 || ref.hi < 0.5;
    findings.push({
      id: 'privacy.membership.shift',
      detector: 'privacy.membership.reference',
      severity: shifted ? 'medium' : 'info',
      title: shifted
        ? `members and non-members differ even to a model that saw neither (AUC ${fmt(ref)})`
        : `members and non-members look exchangeable to a reference model (AUC ${fmt(ref)})`,
      detail: shifted
        ? 'The two sets are not drawn from one distribution (different sources, writers or time), so the ' +
          'attack numbers mix leakage with that shift. Audit against a holdout drawn at random from the same ' +
          'pool as the training data.'
        : 'A shadow model trained on neither set cannot tell them apart, so the attack numbers measure leakage.',
      refs: REFS.membershipInference,
    });
  }
  audits.forEach((a, k) => {
    const t = targets[k] as AuditTarget;
    if (t.epsilon !== undefined) metrics[`${a.name}.epsilon`] = t.epsilon;
    for (const [attack, r] of Object.entries(a.attacks)) {
      for (const [metric, iv] of Object.entries(r)) {
        metrics[`${a.name}.${attack}.${metric}`] = iv.value;
        metrics[`${a.name}.${attack}.${metric}.lo`] = iv.lo;
        metrics[`${a.name}.${attack}.${metric}.hi`] = iv.hi;
      }
      // (epsilon, delta)-DP caps any attack's TPR at e^eps * FPR + delta
      const bound =
        t.epsilon === undefined
          ? ''
          : `; the DP guarantee caps TPR at 1% FPR to ${pct(Math.min(1, Math.exp(t.epsilon) * 0.01 + (t.delta ?? 0)))}`;
      findings.push({
        id: `privacy.membership.${attack}`,
        detector: `privacy.membership.${attack}`,
        severity: leakage(r),
        title: `${a.name}: ${attack} attack AUC ${fmt(r.auc)}`,
        detail:
          `balanced accuracy ${fmt(r.balancedAccuracy, true)}, TPR at 0.1% FPR ${fmt(r.tprAt01, true)}, ` +
          `TPR at 1% FPR ${fmt(r.tprAt1, true)} (95% bootstrap intervals, ${m.n} members vs ${m.n} non-members)${bound}`,
        location: { path: a.name },
        refs: REFS.membershipInference,
      });
    }
  });
  return {
    ...makeReport({
      kind: 'privacy.membership-audit',
      subject: { name: targets.map((t) => t.name).join(', ') },
      startedAt: m.startedAt,
      finishedAt: new Date().toISOString(),
      findings,
      items: targets.map((t, k) => ({
        name: t.name,
        format: 'onnx',
        status: findings.some((f) => f.location?.path === t.name && f.severity !== 'info')
          ? 'findings'
          : 'clean',
        findings: Object.keys(audits[k]?.attacks ?? {}).length,
      })),
      metrics,
      failOn: m.failOn,
    }),
    // the curves themselves (a fixed FPR grid), for plots; the metrics above are what gates read
    roc: m.roc,
  };
}
