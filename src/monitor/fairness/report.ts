import { makeReport, type Finding, type Report, type Severity } from '../../core/index.js';
import { finiteOrNull, MONITOR_REFS } from '../refs.js';
import type { FairnessResult } from './metrics.js';

/** The `--json` answer of `warden fairness`: {"metrics", "groups", "intervals"}, NaN printed as null. */
export function fairnessJson(r: FairnessResult): Record<string, unknown> {
  const metrics = Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, finiteOrNull(v)]));
  const groups = Object.fromEntries(
    Object.entries(r.groups).map(([g, m]) => [
      g,
      Object.fromEntries(
        Object.entries(m).map(([k, v]) => [
          k,
          k === 'intervals'
            ? Object.fromEntries(
                Object.entries(v as Record<string, number[]>).map(([a, b]) => [a, b.map(finiteOrNull)]),
              )
            : finiteOrNull(v as number),
        ]),
      ),
    ]),
  );
  return { metrics, groups, intervals: r.intervals };
}

/** Limits beyond which a disparity becomes a finding (documented defaults, overridable). */
export interface FairnessLimits {
  /** Demographic parity ratio below this is reported (the four-fifths heuristic, 0.8). */
  minParityRatio: number;
  /** Equalized odds difference above this is reported (0.1). */
  maxOddsDifference: number;
}

export function fairnessReport(
  r: FairnessResult,
  subject: { name: string },
  startedAt: string,
  limits: FairnessLimits = { minParityRatio: 0.8, maxOddsDifference: 0.1 },
  failOn: Severity = 'high',
): Report {
  const findings: Finding[] = [];
  const m = r.metrics;
  const dpr = m.demographic_parity_ratio ?? NaN;
  const eod = m.equalized_odds_difference ?? NaN;
  if (dpr < limits.minParityRatio)
    findings.push({
      id: 'fairness.demographic_parity',
      detector: 'fairness',
      severity: 'medium',
      title: 'Selection rates differ across groups',
      detail: `demographic parity ratio ${dpr.toFixed(4)} < ${limits.minParityRatio} (difference ${(m.demographic_parity_difference ?? NaN).toFixed(4)})`,
      refs: MONITOR_REFS.fairness,
    });
  if (eod > limits.maxOddsDifference)
    findings.push({
      id: 'fairness.equalized_odds',
      detector: 'fairness',
      severity: 'medium',
      title: 'Error rates differ across groups',
      detail: `equalized odds difference ${eod.toFixed(4)} > ${limits.maxOddsDifference}`,
      refs: MONITOR_REFS.fairness,
    });
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (Number.isFinite(v)) metrics[k] = v;
  metrics.groups = Object.keys(r.groups).length;
  return makeReport({
    kind: 'fairness',
    subject,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items: [],
    metrics,
    failOn,
  });
}
