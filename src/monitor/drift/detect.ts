import type { Table } from '../../core/index.js';
import { monitorError } from '../errors.js';
import { defaultTest, driftColumn } from './columns.js';
import { getDriftTest } from './registry.js';
import { mmdTest } from './tests/mmd.js';
import type { ColumnKind, DriftTestName, DriftTestOptions } from './types.js';

/** How to compare two tables. */
export interface DriftOptions {
  /** Columns to test (default: every column both tables have, in the reference's order). */
  columns?: string[];
  /** One test for every column (default: Evidently's per-column default). */
  test?: DriftTestName;
  /** Threshold of that test (default: the test's own). */
  threshold?: number;
  /** Share of drifted columns at which the dataset drifts (Evidently's drift_share, default 0.5). */
  driftShare?: number;
  seed?: number;
  /** Also run a multivariate MMD permutation test on all numerical columns together. */
  multivariate?: boolean;
  testOptions?: Omit<DriftTestOptions, 'threshold'>;
}

export interface ColumnDrift {
  test: DriftTestName;
  kind: ColumnKind;
  statistic: number;
  pValue: number | null;
  threshold: number;
  drift: boolean;
}

export interface DriftResult {
  drift: boolean;
  share: number;
  driftShare: number;
  columns: Record<string, ColumnDrift>;
  rows: { reference: number; current: number };
  multivariate?: {
    test: 'mmd';
    columns: string[];
    statistic: number;
    pValue: number;
    threshold: number;
    drift: boolean;
  };
}

/** Compares every selected column of `current` with `reference`, and decides dataset drift by share. */
export function detectDrift(reference: Table, current: Table, opts: DriftOptions = {}): DriftResult {
  const driftShare = opts.driftShare ?? 0.5;
  if (!(driftShare > 0 && driftShare <= 1))
    throw monitorError('MONITOR_INVALID_OPTION', `drift share must be in (0, 1], got ${driftShare}`);
  const names = opts.columns ?? reference.columns.filter((c) => current.data.has(c));
  if (names.length === 0)
    throw monitorError('MONITOR_NO_DATA', 'the reference and current data share no column');
  for (const n of names)
    for (const [label, t] of [
      ['reference', reference],
      ['current', current],
    ] as const)
      if (!t.data.has(n))
        throw monitorError('MONITOR_COLUMN_INVALID', `no column "${n}" in the ${label} data`);
  const fixed = opts.test ? getDriftTest(opts.test) : undefined;
  const columns: Record<string, ColumnDrift> = {};
  let drifted = 0;
  for (const name of names) {
    const col = driftColumn(name, reference.data.get(name) ?? [], current.data.get(name) ?? []);
    const test = fixed ?? defaultTest(col);
    if (!test.accepts.includes(col.kind))
      throw monitorError(
        'MONITOR_TEST_NOT_APPLICABLE',
        `${test.name} cannot test column "${name}": it is ${col.kind}`,
      );
    let r;
    try {
      r = test.run(col, {
        ...opts.testOptions,
        seed: opts.seed,
        threshold: fixed ? opts.threshold : undefined,
      });
    } catch (e) {
      if (e instanceof Error) e.message = `column "${name}": ${e.message}`;
      throw e;
    }
    columns[name] = { test: test.name, kind: col.kind, ...r };
    if (r.drift) drifted++;
  }
  const share = drifted / names.length;
  const result: DriftResult = {
    drift: share >= driftShare,
    share,
    driftShare,
    columns,
    rows: { reference: reference.rows, current: current.rows },
  };
  if (opts.multivariate) result.multivariate = multivariate(reference, current, names, columns, opts.seed);
  return result;
}

/** MMD over the numerical columns jointly, on rows complete in every one of them, standardized by the reference. */
function multivariate(
  reference: Table,
  current: Table,
  names: string[],
  columns: Record<string, ColumnDrift>,
  seed = 0,
): DriftResult['multivariate'] {
  const numeric = names.filter((n) => columns[n]?.kind === 'numerical');
  if (numeric.length === 0)
    throw monitorError('MONITOR_NO_DATA', 'multivariate drift needs numerical columns');
  const rows = (t: Table): number[][] => {
    const out: number[][] = [];
    for (let i = 0; i < t.rows; i++) {
      const row = numeric.map((n) => Number(t.data.get(n)?.[i] ?? NaN));
      if (row.every(Number.isFinite)) out.push(row);
    }
    return out;
  };
  const x = rows(reference);
  const y = rows(current);
  const d = numeric.length;
  const mu = numeric.map((_, k) => x.reduce((s, r) => s + (r[k] as number), 0) / x.length);
  const sd = numeric.map(
    (_, k) =>
      Math.sqrt(x.reduce((s, r) => s + ((r[k] as number) - (mu[k] as number)) ** 2, 0) / x.length) || 1,
  );
  const flat = (rs: number[][]): Float64Array =>
    Float64Array.from(rs.flatMap((r) => r.map((v, k) => (v - (mu[k] as number)) / (sd[k] as number))));
  const r = mmdTest({ data: flat(x), dim: d }, { data: flat(y), dim: d }, { seed });
  const threshold = 0.1;
  return {
    test: 'mmd',
    columns: numeric,
    statistic: r.statistic,
    pValue: r.pValue,
    threshold,
    drift: r.pValue < threshold,
  };
}
