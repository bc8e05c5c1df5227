import type { EvidenceSummary, Registry } from '../registry/index.js';
import { num, nums, type Loose } from './json.js';
import { allVersions, reportsOf } from './registry-views.js';

/** One robust-accuracy curve: an attack under one norm on one model version (the variant). */
export interface RobustnessSeries {
  ref: string;
  evidence: number;
  attack: string;
  norm: string;
  /** Input defense in front of the model, when the report names one. */
  defense: string | null;
  /** The version's `variant` metadata (e.g. baseline, pgd-at), when it was registered with one. */
  variant?: string;
  cleanAccuracy: number | null;
  eps: number[];
  robustAccuracy: number[];
  attackSuccessRate: number[];
  meanPerturbation: number[];
}

/** An adversarial example a report carries: pixels in [0, 1], row-major, and the predictions. */
export interface AdversarialExample {
  ref: string;
  attack: string;
  eps: number;
  shape: number[];
  label: number;
  prediction: number;
  clean: number[];
  adversarial: number[];
}

export interface RobustnessView {
  series: RobustnessSeries[];
  examples: AdversarialExample[];
}

const FINDING_ID = /^robustness\.([^.]+)\.([^.]+)\.eps-(.+)$/;

/**
 * Curves from robustness reports: the report's own `curve` (CurvePoint list, as `warden attack --json`
 * prints it) when present, otherwise the per-budget metrics (`robustAccuracy@eps=E`...) and the
 * per-budget findings, which name the attack and norm.
 */
function seriesOf(
  ref: string,
  evidence: number,
  report: Loose & { findings: { id: string; detail: string }[]; metrics: Record<string, number> },
): RobustnessSeries {
  const runs = report.findings
    .map((f) => FINDING_ID.exec(f.id))
    .filter((m): m is RegExpExecArray => m !== null);
  const defense = /; defense (\S+)$/.exec(report.findings[0]?.detail ?? '')?.[1] ?? null;
  const base = {
    ref,
    evidence,
    attack: runs[0]?.[1] ?? (typeof report.attack === 'string' ? report.attack : 'attack'),
    norm: runs[0]?.[2] ?? (typeof report.norm === 'string' ? report.norm : 'inf'),
    defense,
    cleanAccuracy: num(report.metrics.cleanAccuracy),
  };
  const curve = Array.isArray(report.curve) ? (report.curve as Loose[]) : null;
  if (curve && curve.length > 0)
    return {
      ...base,
      eps: curve.map((p) => num(p.eps) ?? NaN),
      robustAccuracy: curve.map((p) => num(p.robustAccuracy) ?? NaN),
      attackSuccessRate: curve.map((p) => num(p.attackSuccessRate) ?? NaN),
      meanPerturbation: curve.map((p) => num(p.meanPerturbation) ?? NaN),
    };
  const eps = [...new Set(runs.map((m) => Number(m[3])))].filter(Number.isFinite).sort((a, b) => a - b);
  const at = (k: string) => eps.map((e) => num(report.metrics[`${k}@eps=${e}`]) ?? NaN);
  return {
    ...base,
    eps,
    robustAccuracy: at('robustAccuracy'),
    attackSuccessRate: at('attackSuccessRate'),
    meanPerturbation: at('meanPerturbation'),
  };
}

function examplesOf(ref: string, report: Loose): AdversarialExample[] {
  if (!Array.isArray(report.examples)) return [];
  return (report.examples as Loose[]).slice(0, 24).flatMap((e) => {
    const shape = nums(e.shape);
    const clean = nums(e.clean);
    const adversarial = nums(e.adversarial);
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 0 || clean.length !== size || adversarial.length !== size) return [];
    return [
      {
        ref,
        attack: typeof e.attack === 'string' ? e.attack : 'attack',
        eps: num(e.eps) ?? 0,
        shape,
        label: num(e.label) ?? -1,
        prediction: num(e.prediction) ?? -1,
        clean,
        adversarial,
      },
    ];
  });
}

/**
 * One-budget evidence (`warden attack --json` through the registry's attack adapter: the attack and norm as
 * labels, eps and the rates as metrics) joined into one curve per attack and norm of a version.
 */
function attackPoints(ref: string, list: EvidenceSummary[]): RobustnessSeries[] {
  const groups = new Map<string, RobustnessSeries & { points: EvidenceSummary[] }>();
  for (const e of list) {
    if (e.metrics.eps === undefined || e.metrics.robustAccuracy === undefined) continue;
    const attack = e.labels.attack ?? 'attack';
    const norm = e.labels.norm ?? 'inf';
    const key = `${attack}:${norm}`;
    const g = groups.get(key) ?? {
      ref,
      evidence: e.id,
      attack,
      norm,
      defense: null,
      cleanAccuracy: e.metrics.cleanAccuracy ?? null,
      eps: [],
      robustAccuracy: [],
      attackSuccessRate: [],
      meanPerturbation: [],
      points: [],
    };
    g.points.push(e);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ points, ...g }) => {
    points.sort((a, b) => a.metrics.eps! - b.metrics.eps!);
    const at = (k: string) => points.map((p) => p.metrics[k] ?? NaN);
    return {
      ...g,
      evidence: points.at(-1)!.id,
      eps: at('eps'),
      robustAccuracy: at('robustAccuracy'),
      attackSuccessRate: at('attackSuccessRate'),
      meanPerturbation: at('meanPerturbation'),
    };
  });
}

export async function robustnessView(reg: Registry): Promise<RobustnessView> {
  const view: RobustnessView = { series: [], examples: [] };
  for (const m of await allVersions(reg))
    for (const ref of m.refs) {
      const d = await reg.show(ref);
      const named = d.meta.variant ? { variant: d.meta.variant } : {};
      for (const { evidence, report } of await reportsOf(reg, d, (k) => k === 'robustness')) {
        const s = seriesOf(d.ref, evidence.id, report);
        if (s.eps.length > 0) view.series.push({ ...s, ...named });
        view.examples.push(...examplesOf(d.ref, report));
      }
      for (const s of attackPoints(
        d.ref,
        d.evidence.filter((e) => e.kind === 'attack'),
      ))
        view.series.push({ ...s, ...named });
    }
  return view;
}
