import { readFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import type { DataSource } from '../../robustness/index.js';

/** The data flags shared by train, attack and certify, validated into a `DataSource`. */
export function dataSource(f: {
  data: string;
  labels?: string;
  shape?: string;
  labelColumn?: string;
}): DataSource {
  const src: DataSource = { data: f.data, ...(f.labels ? { labels: f.labels } : {}) };
  if (f.shape !== undefined) {
    const dims = f.shape.split(',').map(Number);
    if (!dims.length || dims.length > 4 || dims.some((d) => !Number.isSafeInteger(d) || d < 1))
      throw new WardenError('USAGE', '--shape must be 1 to 4 positive integers, e.g. 1,28,28', {
        kind: 'usage',
      });
    src.shape = dims;
  }
  if (f.labelColumn !== undefined) {
    const k = Number(f.labelColumn);
    if (!Number.isSafeInteger(k))
      throw new WardenError('USAGE', '--label-column must be an integer', { kind: 'usage' });
    src.labelColumn = k;
  }
  return src;
}

export function readModel(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new WardenError('NOT_FOUND', `cannot read model ${path}: ${(e as Error).message}`, { cause: e });
  }
}
