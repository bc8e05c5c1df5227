import { binShares, ksTwoSample, psi, quantileEdges } from './stats.js';

/** Settings of the input drift monitor of one model. */
export interface InputDriftOptions {
  /** Live rows compared with the reference (default 500). */
  window: number;
  /** Compare once every this many rows (default 100). */
  every: number;
  /** Alarm when a feature's PSI exceeds this (default 0.25, the usual "significant shift"). */
  psiAlarm: number;
  /** Alarm when a feature's KS p-value falls below this (default 0.001). */
  ksAlarm: number;
}

export const DEFAULT_DRIFT: InputDriftOptions = { window: 500, every: 100, psiAlarm: 0.25, ksAlarm: 0.001 };

/** Per-feature result of the latest comparison. */
export interface DriftFeature {
  feature: string;
  psi: number;
  ksD: number;
  ksP: number;
}

/** What a comparison found; `raised` is true only when it turned the alarm on. */
export interface DriftCheck {
  features: DriftFeature[];
  drifted: boolean;
  raised: boolean;
}

/**
 * The features drift is measured on: every column of narrow (tabular) rows, and for wide rows (images,
 * embeddings) the row's mean and standard deviation, which move when brightness, scale or content shift.
 */
export function rowFeatures(row: ArrayLike<number>, offset: number, size: number): number[] {
  if (size <= 16) return Array.from({ length: size }, (_, i) => row[offset + i]!);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < size; i++) {
    const v = row[offset + i]!;
    s += v;
    s2 += v * v;
  }
  const mean = s / size;
  return [mean, Math.sqrt(Math.max(0, s2 / size - mean * mean))];
}

export function featureNames(size: number): string[] {
  return size <= 16 ? Array.from({ length: size }, (_, i) => `x${i}`) : ['mean', 'std'];
}

/**
 * Input drift against a reference sample: live rows' features go into a ring buffer, and every `every`
 * rows each feature is compared with the reference by PSI (reference-quantile bins) and a two-sample KS test.
 */
export class DriftMonitor {
  private readonly opts: InputDriftOptions;
  private readonly names: string[];
  private readonly reference: number[][];
  private readonly edges: number[][];
  private readonly expected: number[][];
  private readonly live: number[][];
  private next = 0;
  private filled = 0;
  private count = 0;
  drifted = false;
  last: DriftFeature[] = [];

  /** `referenceRows`: reference inputs, each a flat row of `rowSize` values. */
  constructor(
    referenceRows: ArrayLike<number>,
    private readonly rowSize: number,
    opts: Partial<InputDriftOptions> = {},
  ) {
    this.opts = { ...DEFAULT_DRIFT, ...opts };
    this.names = featureNames(rowSize);
    const n = Math.floor(referenceRows.length / rowSize);
    this.reference = this.names.map(() => new Array<number>(n));
    for (let r = 0; r < n; r++)
      rowFeatures(referenceRows, r * rowSize, rowSize).forEach((v, f) => (this.reference[f]![r] = v));
    this.edges = this.reference.map((col) => quantileEdges(col, 10));
    this.expected = this.reference.map((col, f) => binShares(col, this.edges[f]!));
    this.live = this.names.map(() => new Array<number>(this.opts.window).fill(0));
  }

  /** Adds the rows of one request; compares when due and returns the comparison, else null. */
  observe(data: ArrayLike<number>, rows: number): DriftCheck | null {
    let check: DriftCheck | null = null;
    for (let r = 0; r < rows; r++) {
      rowFeatures(data, r * this.rowSize, this.rowSize).forEach((v, f) => (this.live[f]![this.next] = v));
      this.next = (this.next + 1) % this.opts.window;
      this.filled = Math.min(this.opts.window, this.filled + 1);
      // only full windows are compared: PSI over a handful of rows is mostly sampling noise
      if (++this.count % this.opts.every === 0 && this.filled === this.opts.window) check = this.compare();
    }
    return check;
  }

  compare(): DriftCheck {
    const features = this.names.map((feature, f) => {
      const live = this.live[f]!.slice(0, this.filled);
      const { d, p } = ksTwoSample(this.reference[f]!, live);
      return { feature, psi: psi(this.expected[f]!, binShares(live, this.edges[f]!)), ksD: d, ksP: p };
    });
    const drifted = features.some((x) => x.psi > this.opts.psiAlarm || x.ksP < this.opts.ksAlarm);
    const raised = drifted && !this.drifted;
    this.drifted = drifted;
    this.last = features;
    return { features, drifted, raised };
  }
}
