import { WardenError } from '../core/index.js';

/** Parses a positive integer flag (counts, sizes, milliseconds); anything else is a usage error. */
export function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new WardenError('USAGE', `${name} must be a positive integer`, { kind: 'usage' });
  return n;
}
