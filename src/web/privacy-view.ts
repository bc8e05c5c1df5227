import { createAccountant, ACCOUNTANT_NAMES, type AccountantName } from '../privacy/index.js';
import type { Registry } from '../registry/index.js';
import { nums, type Loose } from './json.js';
import { allVersions, reportsOf } from './registry-views.js';

/** Privacy spent over the steps of one DP-SGD run. */
export interface EpsilonSeries {
  ref: string;
  evidence: number;
  accountant: string;
  delta: number;
  sampleRate: number;
  noiseMultiplier: number;
  /** The version's `variant` metadata, when it has one. */
  variant?: string;
  /** Where the series came from: the report itself, or the accountant replayed on its q, sigma and steps. */
  source: 'report' | 'accountant';
  steps: number[];
  epsilon: number[];
  /** Epsilon the run reported after each epoch, to check the replay against. */
  epochs: { steps: number; epsilon: number }[];
}

/** A membership-inference attack's ROC: the report's full curve, or its operating points. */
export interface RocCurve {
  ref: string;
  evidence: number;
  /** Digest of the report: one audit attached to several versions is one curve. */
  digest: string;
  model: string;
  attack: string;
  auc: number;
  source: 'report' | 'operating-points';
  fpr: number[];
  tpr: number[];
}

export interface PrivacyView {
  epsilon: EpsilonSeries[];
  roc: RocCurve[];
}

const POINTS = 120;
/** Privacy reports: `privacy.dp-training` is stored as `privacy-dp-training`; `dp` is `warden dp epsilon --json`. */
const DP_KIND = /^(privacy[.-])?dp(-training)?$/;
const MEMBERSHIP_KIND = /^(privacy[.-])?membership(-audit)?$/;
const replayed = new Map<string, { steps: number[]; epsilon: number[] }>();

/** Replays the accountant step by step (at most POINTS evaluations): epsilon after each sampled step count. */
export function epsilonOverSteps(
  accountant: AccountantName,
  q: number,
  sigma: number,
  steps: number,
  delta: number,
): { steps: number[]; epsilon: number[] } {
  const key = `${accountant}:${q}:${sigma}:${steps}:${delta}`;
  const hit = replayed.get(key);
  if (hit) return hit;
  const out = { steps: [0] as number[], epsilon: [0] as number[] };
  // PRV and PLD compose by FFT at every evaluation: fewer points keep the page quick
  const points = Math.min(accountant === 'rdp' || accountant === 'gdp' ? POINTS : 24, steps);
  for (let i = 1; i <= points; i++) {
    const target = Math.round((i * steps) / points);
    // one phase of `target` steps: the same guarantee as `target` single steps, at the cost of one phase
    const acc = createAccountant(accountant).compose({
      noiseMultiplier: sigma,
      sampleRate: q,
      steps: target,
    });
    out.steps.push(target);
    out.epsilon.push(acc.getEpsilon(delta));
  }
  if (replayed.size > 256) replayed.clear();
  replayed.set(key, out);
  return out;
}

const accountantOf = (
  report: Loose & { findings: { detail: string }[] },
  labels: Record<string, string>,
): AccountantName => {
  const named = labels.accountant ?? / (\w+) accountant/.exec(report.findings[0]?.detail ?? '')?.[1] ?? 'rdp';
  return (ACCOUNTANT_NAMES as readonly string[]).includes(named) ? (named as AccountantName) : 'rdp';
};

function epsilonSeries(
  ref: string,
  evidence: number,
  report: Loose & { findings: { detail: string }[]; metrics: Record<string, number> },
  labels: Record<string, string>,
): EpsilonSeries | null {
  const mt = report.metrics;
  const q = mt.sampleRate;
  const sigma = mt.noiseMultiplier;
  const steps = mt.steps;
  const delta = mt.delta ?? 1e-5;
  const epochs = Object.entries(mt)
    .map(([k, v]) => [/^epsilon\.epoch(\d+)$/.exec(k)?.[1], v] as const)
    .filter((e): e is readonly [string, number] => e[0] !== undefined)
    .map(([e, eps]) => ({
      steps: steps !== undefined && mt.epochs ? Math.round((Number(e) * steps) / mt.epochs) : Number(e),
      epsilon: eps,
    }))
    .sort((a, b) => a.steps - b.steps);
  const accountant = accountantOf(report, labels);
  const series = report.series as Loose | undefined;
  if (series && nums(series.steps).length > 0 && nums(series.steps).length === nums(series.epsilon).length)
    return {
      ref,
      evidence,
      accountant,
      delta,
      sampleRate: q ?? NaN,
      noiseMultiplier: sigma ?? NaN,
      source: 'report',
      steps: nums(series.steps),
      epsilon: nums(series.epsilon),
      epochs,
    };
  if (q === undefined || sigma === undefined || steps === undefined || !(steps >= 1)) return null;
  const r = epsilonOverSteps(accountant, q, sigma, Math.floor(steps), delta);
  return {
    ref,
    evidence,
    accountant,
    delta,
    sampleRate: q,
    noiseMultiplier: sigma,
    source: 'accountant',
    ...r,
    epochs,
  };
}

function rocCurves(
  ref: string,
  evidence: number,
  digest: string,
  report: Loose & { metrics: Record<string, number> },
): RocCurve[] {
  const out: RocCurve[] = [];
  const full = Array.isArray(report.roc) ? (report.roc as Loose[]) : [];
  for (const k of Object.keys(report.metrics)) {
    const m = /^(.+)\.([^.]+)\.auc$/.exec(k);
    if (!m || m[1] === 'reference') continue;
    const [, model, attack] = m as unknown as [string, string, string];
    const auc = report.metrics[k]!;
    const given = full.find((r) => r.model === model && r.attack === attack);
    if (given && nums(given.fpr).length > 1 && nums(given.fpr).length === nums(given.tpr).length) {
      out.push({
        ref,
        evidence,
        digest,
        model,
        attack,
        auc,
        source: 'report',
        fpr: nums(given.fpr),
        tpr: nums(given.tpr),
      });
      continue;
    }
    const t01 = report.metrics[`${model}.${attack}.tprAt01`];
    const t1 = report.metrics[`${model}.${attack}.tprAt1`];
    const fpr = [0];
    const tpr = [0];
    for (const [at, v] of [
      [0.001, t01],
      [0.01, t1],
    ] as const)
      if (v !== undefined) {
        fpr.push(at);
        tpr.push(v);
      }
    fpr.push(1);
    tpr.push(1);
    out.push({ ref, evidence, digest, model, attack, auc, source: 'operating-points', fpr, tpr });
  }
  return out;
}

export async function privacyView(reg: Registry): Promise<PrivacyView> {
  const view: PrivacyView = { epsilon: [], roc: [] };
  for (const m of await allVersions(reg))
    for (const ref of m.refs) {
      const d = await reg.show(ref);
      const kinds = (k: string) => DP_KIND.test(k) || MEMBERSHIP_KIND.test(k);
      for (const { evidence, report } of await reportsOf(reg, d, kinds)) {
        const r = report as Parameters<typeof epsilonSeries>[2];
        if (MEMBERSHIP_KIND.test(evidence.kind))
          view.roc.push(...rocCurves(d.ref, evidence.id, evidence.digest, r));
        else {
          const s = epsilonSeries(d.ref, evidence.id, r, evidence.labels);
          if (s) view.epsilon.push({ ...s, ...(d.meta.variant ? { variant: d.meta.variant } : {}) });
        }
      }
    }
  return view;
}
