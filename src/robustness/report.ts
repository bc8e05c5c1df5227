import { makeReport, type Finding, type Refs, type Report } from '../core/index.js';
import { ROBUST_ACCURACY_CONVENTIONS, type AttackReport, type CurvePoint } from './attacks/evaluate.js';

/** Evasion: OWASP ML01 input manipulation, MITRE ATLAS craft adversarial data / evade ML model. */
const EVASION_REFS: Refs = { owasp: ['ML01:2023'], atlas: ['AML.T0043', 'AML.T0015'] };

/** What an attack evaluation ran on, for the evidence record. */
export interface RobustnessSubject {
  model: string;
  /** SHA-256 of the model bytes (hex), when it is a file. */
  digest?: string;
  data: string;
  /** Input transformations in front of the model, e.g. "bits:4". */
  defense?: string;
  /** Gate: robust accuracy (all examples) below this fails the report. */
  minRobustAccuracy?: number;
  startedAt: string;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const normName = (n: string) => (n === 'inf' ? 'Linf' : 'L2');

/**
 * The attack evaluation as a Warden `Report` (the evidence the registry stores): one finding per budget and
 * per class at the largest budget (info), a high finding when robust accuracy is under the gate, and every
 * number in `metrics` (flat keys: `robustAccuracy`, `robustAccuracy@eps=0.1`, `class.3.robustAccuracy`, ...).
 */
export function robustnessReport(subject: RobustnessSubject, runs: AttackReport[]): Report {
  const last = runs.at(-1);
  const findings: Finding[] = [];
  const metrics: Record<string, number> = {};
  for (const r of runs) {
    const tag = `${r.attack} ${normName(r.norm)} eps=${r.eps}`;
    findings.push({
      id: `robustness.${r.attack}.${r.norm}.eps-${r.eps}`,
      detector: 'robustness',
      severity: 'info',
      title: `robust accuracy ${pct(r.robustAccuracy)} under ${tag}`,
      detail:
        `${r.examples} examples of ${subject.data}: clean accuracy ${pct(r.cleanAccuracy)}, robust accuracy ` +
        `${pct(r.robustAccuracy)} (${ROBUST_ACCURACY_CONVENTIONS.robustAccuracy}), ${pct(r.robustAccuracyOfCorrect)} ` +
        `(${ROBUST_ACCURACY_CONVENTIONS.robustAccuracyOfCorrect}); attack success rate ${pct(r.attackSuccessRate)}; ` +
        `perturbation ${normName(r.norm)} max ${r.maxPerturbation.toFixed(4)}, mean ${r.meanPerturbation.toFixed(4)}` +
        (subject.defense ? `; defense ${subject.defense}` : ''),
      location: { path: subject.model },
      refs: EVASION_REFS,
    });
    for (const k of [
      'robustAccuracy',
      'robustAccuracyOfCorrect',
      'attackSuccessRate',
      'meanPerturbation',
    ] as const)
      metrics[`${k}@eps=${r.eps}`] = r[k];
  }
  if (last) {
    for (const k of [
      'cleanAccuracy',
      'robustAccuracy',
      'robustAccuracyOfCorrect',
      'attackSuccessRate',
      'maxPerturbation',
      'meanPerturbation',
      'meanPerturbationOfSuccess',
      'examples',
      'eps',
      'seconds',
    ] as const)
      metrics[k] = last[k];
    for (const c of last.perClass) {
      metrics[`class.${c.label}.cleanAccuracy`] = c.cleanAccuracy;
      metrics[`class.${c.label}.robustAccuracy`] = c.robustAccuracy;
      findings.push({
        id: `robustness.class-${c.label}`,
        detector: 'robustness',
        severity: 'info',
        title: `class ${c.label}: robust accuracy ${pct(c.robustAccuracy)} (clean ${pct(c.cleanAccuracy)})`,
        detail: `${c.examples} examples of class ${c.label} under ${last.attack} ${normName(last.norm)} eps=${last.eps}; attack success rate ${pct(c.attackSuccessRate)}`,
        location: { path: subject.model },
        refs: EVASION_REFS,
      });
    }
    const gate = subject.minRobustAccuracy;
    if (gate !== undefined && last.robustAccuracy < gate)
      findings.unshift({
        id: 'robustness.below-threshold',
        detector: 'robustness',
        severity: 'high',
        title: `robust accuracy ${pct(last.robustAccuracy)} is below the required ${pct(gate)}`,
        detail: `${last.attack} ${normName(last.norm)} eps=${last.eps} on ${last.examples} examples (over all examples, AutoAttack convention)`,
        location: { path: subject.model },
        refs: EVASION_REFS,
      });
  }
  return makeReport({
    kind: 'robustness',
    subject: { name: subject.model, ...(subject.digest ? { digest: `sha256:${subject.digest}` } : {}) },
    startedAt: subject.startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items: [
      {
        name: subject.model,
        format: 'onnx',
        status: findings.some((f) => f.severity !== 'info') ? 'findings' : 'clean',
        findings: findings.length,
      },
    ],
    metrics,
    failOn: 'high',
  });
}

/** The one JSON object `warden attack --json` prints: the last (largest) budget's numbers, plus the curve. */
export function attackSummary(runs: AttackReport[], curve: CurvePoint[]): Record<string, unknown> {
  const last = runs.at(-1);
  return { ...last, conventions: ROBUST_ACCURACY_CONVENTIONS, curve };
}
