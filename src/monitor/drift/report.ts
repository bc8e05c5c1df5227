import { makeReport, type Finding, type Report, type Severity } from '../../core/index.js';
import { finiteOrNull, MONITOR_REFS } from '../refs.js';
import type { DriftResult } from './detect.js';

/** The `--json` answer of `warden drift`: {"drift", "columns": {name: {test, statistic, pValue, threshold, drift}}}. */
export function driftJson(r: DriftResult): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(r.columns))
    columns[name] = {
      test: c.test,
      statistic: finiteOrNull(c.statistic),
      pValue: finiteOrNull(c.pValue),
      threshold: c.threshold,
      drift: c.drift,
    };
  return { drift: r.drift, columns, ...(r.multivariate ? { multivariate: r.multivariate } : {}) };
}

/** Drift as evidence: a finding per drifted column, and one for the dataset when its share is reached. */
export function driftReport(
  r: DriftResult,
  subject: { name: string; digest?: string },
  startedAt: string,
  failOn: Severity = 'high',
): Report {
  const findings: Finding[] = [];
  for (const [name, c] of Object.entries(r.columns)) {
    if (!c.drift) continue;
    const measure = c.pValue === null ? `distance ${fmt(c.statistic)}` : `p-value ${fmt(c.pValue)}`;
    findings.push({
      id: 'drift.column',
      detector: `drift/${c.test}`,
      severity: 'medium',
      title: `Column "${name}" drifted`,
      detail: `${c.test}: ${measure} (threshold ${c.threshold})`,
      location: { member: name },
      refs: MONITOR_REFS.drift,
    });
  }
  if (r.drift)
    findings.unshift({
      id: 'drift.dataset',
      detector: 'drift/dataset',
      severity: 'high',
      title: 'Dataset drift',
      detail: `${fmt(r.share * 100)}% of ${Object.keys(r.columns).length} columns drifted (share threshold ${r.driftShare * 100}%)`,
      refs: MONITOR_REFS.drift,
    });
  if (r.multivariate?.drift)
    findings.push({
      id: 'drift.multivariate',
      detector: 'drift/mmd',
      severity: 'medium',
      title: 'Multivariate drift (MMD)',
      detail: `p-value ${fmt(r.multivariate.pValue)} over ${r.multivariate.columns.length} numerical columns`,
      refs: MONITOR_REFS.drift,
    });
  const metrics: Record<string, number> = {
    columns: Object.keys(r.columns).length,
    drifted_columns: Object.values(r.columns).filter((c) => c.drift).length,
    drift_share: r.share,
    reference_rows: r.rows.reference,
    current_rows: r.rows.current,
  };
  return makeReport({
    kind: 'drift',
    subject,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items: [],
    metrics,
    failOn,
  });
}

const fmt = (v: number): string => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3));
