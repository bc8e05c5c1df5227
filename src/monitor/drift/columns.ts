import type { Cell } from '../../core/index.js';
import { monitorError } from '../errors.js';
import { uniqueCount } from './binning.js';
import { getDriftTest } from './registry.js';
import type { ColumnKind, DriftColumn, DriftTest } from './types.js';

/** Text that stands for a missing value (pandas' default NA strings that occur in practice). */
const MISSING = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '-nan']);
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const INFINITE = /^\s*[+-]?(inf|infinity)\s*$/i;

function isMissing(c: Cell): boolean {
  return c === null || (typeof c === 'string' && MISSING.has(c.trim()));
}

/** Numerical when every present value of both samples is a number (infinities are dropped like NaN). */
export function detectKind(reference: Cell[], current: Cell[]): ColumnKind {
  for (const col of [reference, current])
    for (const c of col) {
      if (isMissing(c) || typeof c === 'number') continue;
      if (typeof c === 'string' && (NUMBER.test(c) || INFINITE.test(c))) continue;
      return 'categorical';
    }
  return 'numerical';
}

function toNumbers(cells: Cell[]): Float64Array {
  const out: number[] = [];
  for (const c of cells) {
    if (isMissing(c)) continue;
    const v = typeof c === 'number' ? c : Number(c);
    if (Number.isFinite(v)) out.push(v);
  }
  return Float64Array.from(out);
}

function toStrings(cells: Cell[]): string[] {
  const out: string[] = [];
  for (const c of cells) if (!isMissing(c)) out.push(String(c));
  return out;
}

/** The column as a test sees it: typed, missing and infinite values dropped, both samples non-empty. */
export function driftColumn(
  name: string,
  reference: Cell[],
  current: Cell[],
  kind?: ColumnKind,
): DriftColumn {
  const k = kind ?? detectKind(reference, current);
  const col: DriftColumn =
    k === 'numerical'
      ? { kind: k, reference: toNumbers(reference), current: toNumbers(current) }
      : { kind: k, reference: toStrings(reference), current: toStrings(current) };
  if (col.reference.length === 0 || col.current.length === 0)
    throw monitorError(
      'MONITOR_NO_DATA',
      `column "${name}" has no values in the ${col.reference.length === 0 ? 'reference' : 'current'} data`,
    );
  return col;
}

/**
 * Evidently's default test for a column: with a reference of at most 1,000 values, KS for numbers with more
 * than five distinct values, else chi-square (more than two values) or the z-test (binary); with a larger
 * reference, normed Wasserstein for numbers with more than five distinct values, else Jensen-Shannon.
 */
export function defaultTest(col: DriftColumn): DriftTest {
  const nValues = uniqueCount(
    col.kind === 'numerical'
      ? Float64Array.from([...col.reference, ...col.current])
      : [...col.reference, ...col.current],
  );
  if (col.reference.length <= 1000) {
    if (col.kind === 'numerical' && nValues > 5) return getDriftTest('ks');
    return getDriftTest(nValues > 2 ? 'chisquare' : 'z');
  }
  if (col.kind === 'numerical' && nValues > 5) return getDriftTest('wasserstein_norm');
  return getDriftTest('jensenshannon');
}
