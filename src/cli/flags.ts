import { WardenError } from '../core/index.js';

/** Parses a positive integer flag (counts, sizes, milliseconds); anything else is a usage error. */
export function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new WardenError('USAGE', `${name} must be a positive integer`, { kind: 'usage' });
  return n;
}

/** Parses a finite number flag inside [min, max] (exclusive bounds where asked); anything else is a usage error. */
export function numberFlag(
  name: string,
  v: string | undefined,
  range: { min?: number; max?: number; exclusiveMin?: boolean } = {},
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const lowOk = range.min === undefined || (range.exclusiveMin ? n > range.min : n >= range.min);
  const highOk = range.max === undefined || n <= range.max;
  if (v.trim() === '' || !Number.isFinite(n) || !lowOk || !highOk) {
    const lo = range.min === undefined ? '' : `${range.exclusiveMin ? '>' : '>='} ${range.min}`;
    const hi = range.max === undefined ? '' : `<= ${range.max}`;
    throw new WardenError(
      'USAGE',
      `${name} must be a number ${[lo, hi].filter(Boolean).join(' and ')}`.trim(),
      {
        kind: 'usage',
      },
    );
  }
  return n;
}
