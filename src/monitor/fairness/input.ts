import type { Cell, Table } from '../../core/index.js';
import { monitorError } from '../errors.js';
import type { FairnessInput } from './metrics.js';

const POSITIVE = ['1', 'true', 'yes', 'y', 't', 'pos', 'positive'];
const NEGATIVE = ['0', 'false', 'no', 'n', 'f', 'neg', 'negative'];

const text = (c: Cell): string => (c === null ? '' : String(c).trim());

/** The favourable value of the outcome columns: given, or the one value among 1/true/yes/... present. */
function positiveOf(values: Set<string>, given: string | undefined, column: string): string {
  // with an explicit favourable value, anything else is unfavourable (one versus rest)
  if (given !== undefined) return given;
  if (values.size > 2)
    throw monitorError('MONITOR_COLUMN_INVALID', `${column} have ${values.size} values; pass --pos-label`);
  const pos = [...values].filter((v) => POSITIVE.includes(v.toLowerCase()));
  const rest = [...values].filter((v) => !POSITIVE.includes(v.toLowerCase()));
  if (pos.length === 1 && rest.every((v) => NEGATIVE.includes(v.toLowerCase()))) return pos[0] as string;
  if (pos.length === 0 && rest.every((v) => NEGATIVE.includes(v.toLowerCase()))) return '';
  throw monitorError(
    'MONITOR_COLUMN_INVALID',
    `cannot tell the favourable value of ${column} (${[...values].join(', ')}); pass --pos-label`,
  );
}

/** Binary labels, predictions and groups from three columns; rows missing any of them are an error. */
export function fairnessInputFromTable(
  t: Table,
  cols: { label: string; prediction: string; sensitive: string; posLabel?: string },
): FairnessInput {
  const get = (c: string): Cell[] => {
    const v = t.data.get(c);
    if (!v) throw monitorError('MONITOR_COLUMN_INVALID', `no column "${c}"`);
    return v;
  };
  const y = get(cols.label).map(text);
  const p = get(cols.prediction).map(text);
  const g = get(cols.sensitive).map(text);
  const blank = [y, p, g].findIndex((col) => col.includes(''));
  if (blank >= 0) {
    const name = [cols.label, cols.prediction, cols.sensitive][blank] as string;
    throw monitorError(
      'MONITOR_COLUMN_INVALID',
      `column "${name}" has missing values (row ${[y, p, g][blank]?.indexOf('')})`,
    );
  }
  const pos = positiveOf(
    new Set([...y, ...p]),
    cols.posLabel,
    `columns "${cols.label}" and "${cols.prediction}"`,
  );
  return {
    yTrue: Uint8Array.from(y, (v) => (v === pos ? 1 : 0)),
    yPred: Uint8Array.from(p, (v) => (v === pos ? 1 : 0)),
    groups: g,
  };
}
