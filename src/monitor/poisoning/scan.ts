import { makeReport, type Finding, type Report, type Severity, type Table } from '../../core/index.js';
import { monitorError } from '../errors.js';
import { MONITOR_REFS } from '../refs.js';
import {
  getPoisonDetector,
  POISON_DETECTOR_NAMES,
  type PoisonDetectorName,
  type PoisonOptions,
} from './detectors.js';
import type { Features } from './features.js';
import type { BackdoorEvaluation } from './evaluate.js';

export interface PoisonScan {
  samples: number;
  detectors: Record<string, { flagged: number; indices: number[] }>;
  /** Samples flagged by at least two detectors. */
  consensus: number[];
}

/** Runs the chosen detectors over one set of representations. */
export function scanPoison(
  f: Features,
  labels: Uint8Array,
  names: PoisonDetectorName[] = [...POISON_DETECTOR_NAMES],
  o: PoisonOptions = {},
): PoisonScan {
  const votes = new Uint8Array(f.n);
  const detectors: PoisonScan['detectors'] = {};
  for (const name of names) {
    const r = getPoisonDetector(name).detect(f, labels, o);
    const indices: number[] = [];
    r.flagged.forEach((v, i) => {
      if (!v) return;
      indices.push(i);
      votes[i] = (votes[i] as number) + 1;
    });
    detectors[name] = { flagged: indices.length, indices };
  }
  const consensus: number[] = [];
  votes.forEach((v, i) => v >= 2 && consensus.push(i));
  return { samples: f.n, detectors, consensus };
}

/** Features and labels from a table: the label column, and every other column as a number. */
export function featuresFromTable(
  t: Table,
  label: string,
): { features: Features; labels: Uint8Array; classes: string[] } {
  const y = t.data.get(label);
  if (!y) throw monitorError('MONITOR_COLUMN_INVALID', `no column "${label}"`);
  const cols = t.columns.filter((c) => c !== label);
  if (cols.length === 0) throw monitorError('MONITOR_COLUMN_INVALID', 'no feature columns besides the label');
  const classes = [...new Set(y.map((v) => String(v)))].sort();
  if (classes.length > 256)
    throw monitorError('MONITOR_COLUMN_INVALID', `label "${label}" has over 256 classes`);
  const data = new Float32Array(t.rows * cols.length);
  cols.forEach((c, j) => {
    const col = t.data.get(c) ?? [];
    for (let i = 0; i < t.rows; i++) {
      const v = Number(col[i]);
      if (col[i] === null || !Number.isFinite(v))
        throw monitorError(
          'MONITOR_COLUMN_INVALID',
          `column "${c}" row ${i + 1}: not a number (${String(col[i])})`,
        );
      data[i * cols.length + j] = v;
    }
  });
  const labels = Uint8Array.from(y, (v) => classes.indexOf(String(v)));
  return { features: { data, dim: cols.length, n: t.rows }, labels, classes };
}

export function poisonScanReport(
  s: PoisonScan,
  subject: { name: string },
  startedAt: string,
  failOn: Severity = 'high',
): Report {
  const findings: Finding[] = [];
  for (const [name, d] of Object.entries(s.detectors))
    if (d.flagged > 0)
      findings.push({
        id: 'poisoning.flagged',
        detector: `poisoning/${name}`,
        severity: name === 'activation_clustering' ? 'high' : 'medium',
        title: `${d.flagged} suspicious training samples (${name})`,
        detail: `first indices: ${d.indices.slice(0, 20).join(', ')}${d.indices.length > 20 ? ', ...' : ''}`,
        refs: MONITOR_REFS.poisoning,
      });
  const metrics: Record<string, number> = { samples: s.samples, consensus: s.consensus.length };
  for (const [name, d] of Object.entries(s.detectors)) metrics[`flagged.${name}`] = d.flagged;
  return makeReport({
    kind: 'poisoning',
    subject,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items: [],
    metrics,
    failOn,
  });
}

/** The backdoor experiment as evidence (metrics only: it is a measurement, not a finding about an artifact). */
export function backdoorReport(e: BackdoorEvaluation, startedAt: string): Report {
  const metrics: Record<string, number> = {
    rate: e.rate,
    poisoned: e.poisoned,
    clean_accuracy: e.cleanAccuracy,
    attack_success: e.attackSuccess,
  };
  for (const d of e.detectors) {
    metrics[`${d.detector}.precision`] = d.precision;
    metrics[`${d.detector}.recall`] = d.recall;
    metrics[`${d.detector}.clean_accuracy_after`] = d.cleanAccuracy;
    metrics[`${d.detector}.attack_success_after`] = d.attackSuccess;
  }
  return makeReport({
    kind: 'poisoning-eval',
    subject: { name: `mnist backdoor ${e.rate}` },
    startedAt,
    finishedAt: new Date().toISOString(),
    findings: [],
    items: [],
    metrics,
    failOn: 'critical',
  });
}
