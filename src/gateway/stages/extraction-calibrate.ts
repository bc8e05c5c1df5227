import { seededRandom } from '../../core/index.js';
import {
  calibrateExtraction,
  ExtractionDetector,
  type CalibrationStream,
  type ExtractionOptions,
} from './extraction.js';

/** Labelled rows a model was queried with (labels as the model predicted them, as the gateway sees them). */
export interface QueryPool {
  data: Float32Array;
  rowSize: number;
  labels: Uint8Array;
  /** Input domain the synthetic attacker clips to (default [0, 1]). */
  bounds?: [number, number];
}

export interface CalibrationPlan {
  /** Simulated benign clients calibrated on, and as many more held out (default 8). */
  clients: number;
  /** Queries per client (default 1500: three windows, past where long benign streams drift). */
  queries: number;
  /** How far under the lowest benign W the threshold goes (default 0.02). */
  margin: number;
  seed: number;
  detector: Partial<ExtractionOptions>;
}

/** What calibration found, and how the threshold does on clients it did not see. */
export interface CalibrationOutcome {
  threshold: number;
  minBenignW: number;
  clients: number;
  queries: number;
  /** Held-out benign clients alarmed at the calibrated threshold (a false-alarm count). */
  heldOutAlarms: number;
  /** Query at which a synthetic Jacobian-style extraction attack was flagged, or null if never. */
  attackFlaggedAt: number | null;
}

/** One benign client: rows drawn at random (with replacement) from the pool. */
export function benignStream(pool: QueryPool, n: number, seed: number): CalibrationStream {
  const rand = seededRandom(seed);
  const { rowSize } = pool;
  const size = pool.labels.length;
  const data = new Float32Array(n * rowSize);
  const labels: number[] = [];
  for (let r = 0; r < n; r++) {
    const i = Math.floor(rand() * size);
    data.set(pool.data.subarray(i * rowSize, (i + 1) * rowSize), r * rowSize);
    labels.push(pool.labels[i]!);
  }
  return { data, rowSize, labels };
}

/**
 * A Jacobian-augmentation-style thief (Papernot et al. 2017): ten seed rows, then rounds of small signed
 * steps from every row held so far, each labelled like its parent (the model would mostly agree).
 */
export function syntheticAttackStream(
  pool: QueryPool,
  n: number,
  seed: number,
  step = 0.1,
): CalibrationStream {
  const rand = seededRandom(seed);
  const { rowSize } = pool;
  const [lo, hi] = pool.bounds ?? [0, 1];
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (let s = 0; s < 10; s++) {
    const i = Math.floor(rand() * pool.labels.length);
    rows.push(pool.data.slice(i * rowSize, (i + 1) * rowSize));
    labels.push(pool.labels[i]!);
  }
  while (rows.length < n) {
    const parents = rows.length;
    for (let p = 0; p < parents && rows.length < n; p++) {
      rows.push(rows[p]!.map((v) => Math.min(hi, Math.max(lo, v + step * (rand() < 0.5 ? -1 : 1)))));
      labels.push(labels[p]!);
    }
  }
  const data = new Float32Array(n * rowSize);
  rows.forEach((r, i) => data.set(r, i * rowSize));
  return { data, rowSize, labels };
}

/** Replays a stream as one principal; the index of the query that raised the alarm, or -1. */
export function replayStream(d: ExtractionDetector, who: string, s: CalibrationStream): number {
  for (let r = 0; r < s.labels.length; r++) {
    const row = (s.data as Float32Array).subarray(r * s.rowSize, (r + 1) * s.rowSize);
    if (d.observe(who, row, s.rowSize, [s.labels[r]!]).raised) return r;
  }
  return -1;
}

/** Calibrates the PRADA threshold on simulated benign clients and checks it on held-out ones and a thief. */
export function calibrateOnPool(pool: QueryPool, plan: Partial<CalibrationPlan> = {}): CalibrationOutcome {
  const p: CalibrationPlan = { clients: 8, queries: 1500, margin: 0.02, seed: 1, detector: {}, ...plan };
  const streams = (offset: number) =>
    Array.from({ length: p.clients }, (_, i) => benignStream(pool, p.queries, p.seed * 1000 + offset + i));
  const { threshold, minBenignW } = calibrateExtraction(streams(0), p.detector, p.margin);
  const d = new ExtractionDetector({ ...p.detector, threshold });
  const heldOutAlarms = streams(p.clients).filter((s, i) => replayStream(d, `benign-${i}`, s) >= 0).length;
  const hit = replayStream(d, 'thief', syntheticAttackStream(pool, p.queries, p.seed * 7919));
  return {
    threshold,
    minBenignW,
    clients: p.clients,
    queries: p.queries,
    heldOutAlarms,
    attackFlaggedAt: hit >= 0 ? hit + 1 : null,
  };
}
