/** The names `--test` accepts, one per implementation in the registry. */
export const DRIFT_TEST_NAMES = [
  'ks',
  'psi',
  'chisquare',
  'g_test',
  'fisher_exact',
  'z',
  'jensenshannon',
  'kl_div',
  'hellinger',
  'wasserstein',
  'wasserstein_norm',
  'energy',
  'anderson',
  'mannwhitney',
  'epps_singleton',
  't_test',
  'linf',
  'mmd',
] as const;
export type DriftTestName = (typeof DRIFT_TEST_NAMES)[number];

export type ColumnKind = 'numerical' | 'categorical';

/** One column of the reference and current data, missing values already dropped. */
export type DriftColumn =
  | { kind: 'numerical'; reference: Float64Array; current: Float64Array }
  | { kind: 'categorical'; reference: string[]; current: string[] };

/** Knobs some tests take; every test ignores what it does not use. */
export interface DriftTestOptions {
  /** Overrides the test's default threshold. */
  threshold?: number;
  /** Seed of permutation tests and subsampling (default 0). */
  seed?: number;
  /** Permutations of the MMD test (default 100, as Evidently). */
  permutations?: number;
  /** Mann-Whitney alternative: two-sided (ours) or less (Evidently's choice). */
  alternative?: 'two-sided' | 'less' | 'greater';
  /** t-test: Student's pooled variance (Evidently's ttest_ind default) instead of Welch's. */
  equalVar?: boolean;
}

/** What a test measured and decided for one column. */
export interface DriftTestResult {
  /** The test statistic (p-value tests) or the distance (distance tests). */
  statistic: number;
  /** null for distances. */
  pValue: number | null;
  threshold: number;
  drift: boolean;
}

/** A two-sample drift test: one implementation per statistic, all listed in the registry. */
export interface DriftTest {
  name: DriftTestName;
  /** What the threshold applies to: the p-value (drift below it) or the distance (drift at or above). */
  output: 'p_value' | 'distance';
  /** Column kinds the test accepts; category tests also take numerical columns (values become categories). */
  accepts: readonly ColumnKind[];
  defaultThreshold: number;
  /** Where the method, default threshold and decision rule come from. */
  source: string;
  run(column: DriftColumn, options?: DriftTestOptions): DriftTestResult;
}
