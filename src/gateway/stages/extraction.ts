import { seededRandom } from '../../core/index.js';
import { SortedWindow, shapiroWSorted } from './stats.js';

/** Settings of the PRADA extraction detector. */
export interface ExtractionOptions {
  /** Alarm when the Shapiro-Wilk W of a principal's distance distribution falls below this. */
  threshold: number;
  /** Distances collected before the first test (default 100). */
  minQueries: number;
  /** Most recent distances tested (default 500). */
  window: number;
  /** Stored queries per class and principal, oldest dropped first (default 128). */
  perClass: number;
  /** Dimensions of the random projection distances are measured in (default 32). */
  dims: number;
  /** Test once every this many queries (default 10). */
  testEvery: number;
  /** Principals tracked at once, least recently seen dropped first (default 10,000). */
  maxPrincipals: number;
}

export const DEFAULT_EXTRACTION: ExtractionOptions = {
  threshold: 0.9,
  minQueries: 100,
  window: 500,
  perClass: 128,
  dims: 32,
  testEvery: 10,
  maxPrincipals: 10_000,
};

interface ClassSet {
  points: Float32Array[];
  distances: number[];
  threshold: number;
}

interface PrincipalState {
  classes: Map<number, ClassSet>;
  distances: SortedWindow;
  seen: number;
  lastW: number | null;
  alarmed: boolean;
}

/** What one observation concluded for its principal. */
export interface ExtractionVerdict {
  /** True only on the query that raised the alarm. */
  raised: boolean;
  alarmed: boolean;
  w: number | null;
  distances: number;
}

/**
 * PRADA (Juuti et al., 2019) per principal: for each query, the minimum distance to that principal's earlier
 * queries of the same predicted class joins a distribution; benign traffic gives roughly normal
 * distances, while extraction attacks that synthesise queries near earlier ones skew it. A Shapiro-Wilk
 * W under the threshold raises an alarm. Distances are taken in a seeded sparse random projection
 * (Johnson-Lindenstrauss) so that a query costs O(perClass x dims + sqrt(input) x dims).
 */
export class ExtractionDetector {
  private readonly opts: ExtractionOptions;
  private readonly states = new Map<string, PrincipalState>();
  private projection: SparseProjection | undefined;

  constructor(
    opts: Partial<ExtractionOptions> = {},
    private readonly seed = 0x9ada,
  ) {
    this.opts = { ...DEFAULT_EXTRACTION, ...opts };
  }

  isAlarmed(principal: string): boolean {
    return this.states.get(principal)?.alarmed ?? false;
  }

  /** Observes one batch of `rows` (row-major, `rowSize` each) and the labels the model gave them. */
  observe(
    principal: string,
    data: ArrayLike<number>,
    rowSize: number,
    labels: readonly number[],
  ): ExtractionVerdict {
    const s = this.state(principal);
    let raised = false;
    for (let r = 0; r < labels.length; r++) {
      const p = this.project(data, r * rowSize, rowSize);
      this.add(s, p, labels[r]!);
      s.seen++;
      if (s.distances.length >= this.opts.minQueries && s.seen % this.opts.testEvery === 0) {
        s.lastW = shapiroWSorted(s.distances.ascending());
        if (s.lastW < this.opts.threshold && !s.alarmed) raised = s.alarmed = true;
      }
    }
    return { raised, alarmed: s.alarmed, w: s.lastW, distances: s.distances.length };
  }

  /** Forgets a principal (an operator cleared the alarm). */
  reset(principal: string): void {
    this.states.delete(principal);
  }

  private state(principal: string): PrincipalState {
    let s = this.states.get(principal);
    if (s) {
      this.states.delete(principal); // re-insert: Map order is the LRU order
    } else {
      if (this.states.size >= this.opts.maxPrincipals) this.states.delete(this.states.keys().next().value!);
      const distances = new SortedWindow(this.opts.window);
      s = { classes: new Map(), distances, seen: 0, lastW: null, alarmed: false };
    }
    this.states.set(principal, s);
    return s;
  }

  // `p` is the projection's scratch row: copied only when kept
  private add(s: PrincipalState, p: Float32Array, label: number): void {
    let c = s.classes.get(label);
    if (!c) s.classes.set(label, (c = { points: [], distances: [], threshold: 0 }));
    if (c.points.length === 0) {
      c.points.push(p.slice());
      return;
    }
    // partial distances: a point is dropped once its sum passes the nearest so far (same minimum, less work)
    let min = Infinity;
    const dims = p.length;
    for (const q of c.points) {
      let d = 0;
      for (let i = 0; i < dims && d < min; i += 8) {
        const end = Math.min(dims, i + 8);
        for (let j = i; j < end; j++) d += (p[j]! - q[j]!) ** 2;
      }
      if (d < min) min = d;
    }
    const dist = Math.sqrt(min);
    s.distances.push(dist);
    if (dist > c.threshold) {
      c.points.push(p.slice());
      if (c.points.length > this.opts.perClass) c.points.shift();
      c.distances.push(dist);
      if (c.distances.length > this.opts.window) c.distances.shift();
      const mean = c.distances.reduce((a, b) => a + b, 0) / c.distances.length;
      const sd = Math.sqrt(c.distances.reduce((a, b) => a + (b - mean) ** 2, 0) / c.distances.length);
      c.threshold = Math.max(c.threshold, mean - sd);
    }
  }

  private project(data: ArrayLike<number>, offset: number, size: number): Float32Array {
    if (this.projection?.size !== size)
      this.projection = new SparseProjection(size, this.opts.dims, this.seed);
    return this.projection.apply(data, offset);
  }
}

/**
 * A very sparse random projection (Li, Hastie and Church 2006), seeded so that every replica projects
 * alike: each output sums about sqrt(size) signed inputs, so a 784-pixel query costs ~900 additions
 * instead of 25,000 multiply-adds.
 */
export class SparseProjection {
  private readonly idx: Int32Array;
  private readonly val: Float32Array;
  private readonly starts: Int32Array;
  private readonly out: Float32Array;

  constructor(
    readonly size: number,
    readonly dims: number,
    seed: number,
  ) {
    const rand = seededRandom(seed);
    const density = 1 / Math.sqrt(size);
    const scale = Math.sqrt(1 / (density * dims));
    const idx: number[] = [];
    const val: number[] = [];
    const starts = [0];
    for (let j = 0; j < dims; j++) {
      for (let i = 0; i < size; i++)
        if (rand() < density) {
          idx.push(i);
          val.push(rand() < 0.5 ? -scale : scale);
        }
      starts.push(idx.length);
    }
    this.idx = Int32Array.from(idx);
    this.val = Float32Array.from(val);
    this.starts = Int32Array.from(starts);
    this.out = new Float32Array(dims);
  }

  /** Projects one row into a scratch array that the next call overwrites (copy it to keep it). */
  apply(data: ArrayLike<number>, offset: number): Float32Array {
    const { idx, val, starts } = this;
    const out = this.out;
    for (let j = 0; j < this.dims; j++) {
      let s = 0;
      for (let t = starts[j]!; t < starts[j + 1]!; t++) s += val[t]! * data[offset + idx[t]!]!;
      out[j] = s;
    }
    return out;
  }
}

/** One benign client's queries for calibration: rows and the labels the model gave them. */
export interface CalibrationStream {
  data: ArrayLike<number>;
  rowSize: number;
  labels: readonly number[];
}

/**
 * Calibrates the alarm threshold on benign traffic: replays each stream through a detector that never
 * alarms, takes the lowest W any test produced, and sets the threshold `margin` below it, so that the
 * benign traffic seen would not have raised an alarm.
 */
export function calibrateExtraction(
  streams: readonly CalibrationStream[],
  opts: Partial<ExtractionOptions> = {},
  margin = 0.02,
): { threshold: number; minBenignW: number } {
  let minW = 1;
  for (const s of streams) {
    const d = new ExtractionDetector({ ...opts, threshold: 0 });
    for (let r = 0; r < s.labels.length; r++) {
      const v = d.observe('benign', subarray(s.data, r * s.rowSize, s.rowSize), s.rowSize, [s.labels[r]!]);
      if (v.w !== null) minW = Math.min(minW, v.w);
    }
  }
  return { threshold: Math.max(0, minW - margin), minBenignW: minW };
}

function subarray(data: ArrayLike<number>, start: number, size: number): ArrayLike<number> {
  return data instanceof Float32Array || data instanceof Float64Array
    ? data.subarray(start, start + size)
    : (Array.prototype.slice.call(data, start, start + size) as number[]);
}
