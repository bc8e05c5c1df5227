import { gatewayError } from '../errors.js';
import { DATATYPES, INT_RANGE, type Datatype, type ModelMetadata, type Tensor } from '../tensor.js';

/** Per-input value bounds from the model's configuration. */
export interface InputRange {
  min?: number;
  max?: number;
}

/** Limits of one model's requests. */
export interface ValidationRules {
  /** Largest size of a free (-1) dimension (default 64). */
  maxDim?: number;
  /** Most elements in one input tensor (default 1,000,000). */
  maxElements?: number;
  ranges?: Record<string, InputRange>;
}

/** An inference request that passed validation, inputs in the model's order. */
export interface ValidRequest {
  id?: string;
  inputs: Tensor[];
  /** Rows (the first dimension) of the first input: how many predictions the request asks for. */
  batch: number;
}

const bad = (msg: string) => gatewayError('GATEWAY_INPUT_INVALID', msg);
const FP32_MAX = 3.4028234663852886e38;

/**
 * Checks an OIP v2 inference body against the model's own metadata before anything reaches the model:
 * every input present once, the declared datatype, the rank and fixed dimensions (free ones bounded),
 * element count equal to the data length, finite numbers of the datatype's range, and configured ranges.
 * Nested data is flattened only to the declared rank. Errors name the input and what is wrong.
 */
export function validateInfer(body: unknown, meta: ModelMetadata, rules: ValidationRules = {}): ValidRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('inference request must be a JSON object with "inputs"');
  const b = body as { id?: unknown; inputs?: unknown; parameters?: unknown; outputs?: unknown };
  for (const k of Object.keys(b))
    if (k !== 'id' && k !== 'inputs' && k !== 'parameters' && k !== 'outputs')
      throw bad(`unknown field "${k}"`);
  if (b.id !== undefined && (typeof b.id !== 'string' || b.id.length > 256))
    throw bad('"id" must be a string of at most 256 characters');
  if (!Array.isArray(b.inputs)) throw bad('"inputs" must be an array');
  if (b.inputs.length !== meta.inputs.length)
    throw bad(`model ${meta.name} takes ${meta.inputs.length} input(s), the request has ${b.inputs.length}`);
  const byName = new Map<string, unknown>();
  for (const t of b.inputs as unknown[]) {
    const name = (t as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') throw bad('every input needs a "name"');
    if (byName.has(name)) throw bad(`input "${name}" appears twice`);
    byName.set(name, t);
  }
  const inputs = meta.inputs.map((spec) => {
    const t = byName.get(spec.name);
    if (t === undefined) throw bad(`missing input "${spec.name}"`);
    return checkTensor(t as Record<string, unknown>, spec, rules);
  });
  return { ...(typeof b.id === 'string' ? { id: b.id } : {}), inputs, batch: inputs[0]?.shape[0] ?? 1 };
}

function checkTensor(
  t: Record<string, unknown>,
  spec: ModelMetadata['inputs'][number],
  rules: ValidationRules,
): Tensor {
  const where = `input "${spec.name}"`;
  for (const k of Object.keys(t))
    if (k !== 'name' && k !== 'shape' && k !== 'datatype' && k !== 'data' && k !== 'parameters')
      throw bad(`${where}: unknown field "${k}"`);
  if (typeof t.datatype !== 'string' || !(DATATYPES as readonly string[]).includes(t.datatype))
    throw bad(`${where}: "datatype" must be one of ${DATATYPES.join(', ')}`);
  if (t.datatype !== spec.datatype)
    throw bad(`${where}: datatype ${t.datatype} does not match the model's ${spec.datatype}`);
  const shape = t.shape;
  if (!Array.isArray(shape) || shape.length !== spec.shape.length)
    throw bad(`${where}: shape must have ${spec.shape.length} dimensions ${fmt(spec.shape)}`);
  const maxDim = rules.maxDim ?? 64;
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    const want = spec.shape[i]!;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1)
      throw bad(`${where}: dimension ${i} must be a positive integer`);
    if (want >= 0 && d !== want)
      throw bad(`${where}: shape ${fmt(shape as number[])} does not match ${fmt(spec.shape)}`);
    if (want < 0 && d > maxDim)
      throw bad(`${where}: dimension ${i} is ${d}, more than the allowed ${maxDim}`);
    count *= d;
  }
  const maxElements = rules.maxElements ?? 1_000_000;
  if (count > maxElements) throw bad(`${where}: ${count} elements, more than the allowed ${maxElements}`);
  if (spec.datatype === 'BYTES' || spec.datatype === 'FP16')
    throw bad(`${where}: datatype ${spec.datatype} is not served over JSON by this gateway`);
  const flat = flatten(t.data, shape.length, where);
  if (flat.length !== count)
    throw bad(`${where}: shape ${fmt(shape as number[])} needs ${count} elements, data has ${flat.length}`);
  const data = checkValues(flat, spec.datatype, where, rules.ranges?.[spec.name]);
  return { name: spec.name, datatype: spec.datatype, shape: shape as number[], data };
}

// Flattens nested arrays down to `rank` levels at most (OIP allows either form); iterative, no recursion.
// Numeric rows may arrive as Float64Arrays (the fast body parser's form of a number array).
function flatten(data: unknown, rank: number, where: string): ArrayLike<unknown> {
  if (data instanceof Float64Array) return data;
  if (!Array.isArray(data)) throw bad(`${where}: "data" must be an array`);
  const top = data as unknown[];
  if (top.length === 0 || !isRow(top[0])) return top;
  let level: ArrayLike<unknown> = top;
  for (let depth = 1; level.length > 0 && isRow(level[0]); depth++) {
    if (depth >= rank) throw bad(`${where}: "data" is nested deeper than the tensor's ${rank} dimensions`);
    const typed = concatTyped(level);
    if (typed) {
      level = typed;
      continue;
    }
    const next: unknown[] = [];
    for (let r = 0; r < level.length; r++) {
      const row = level[r];
      if (!isRow(row)) throw bad(`${where}: "data" mixes arrays and scalars at one level`);
      for (let j = 0; j < row.length; j++) next.push(row[j]);
    }
    level = next;
  }
  return level;
}

const isRow = (x: unknown): x is ArrayLike<unknown> => Array.isArray(x) || x instanceof Float64Array;

// Rows that are all Float64Arrays (a batch from the fast parser) joined by block copies; undefined otherwise.
function concatTyped(rows: ArrayLike<unknown>): Float64Array | undefined {
  let total = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!(row instanceof Float64Array)) return undefined;
    total += row.length;
  }
  const out = new Float64Array(total);
  for (let r = 0, at = 0; r < rows.length; at += (rows[r] as Float64Array).length, r++)
    out.set(rows[r] as Float64Array, at);
  return out;
}

function checkValues(
  flat: ArrayLike<unknown>,
  dt: Datatype,
  where: string,
  range?: InputRange,
): ArrayLike<number | boolean> {
  if (dt === 'BOOL') {
    for (let i = 0; i < flat.length; i++)
      if (typeof flat[i] !== 'boolean') throw bad(`${where}: element ${i} is not a boolean`);
    return flat as ArrayLike<boolean>;
  }
  const ints = INT_RANGE[dt];
  const out = dt === 'FP32' ? new Float32Array(flat.length) : new Float64Array(flat.length);
  const lo = range?.min ?? -Infinity;
  const hi = range?.max ?? Infinity;
  // the common case (floats, no configured range) in one comparison per element: NaN, infinities and FP32
  // overflow all fail it; the first element that fails goes through the full checks below for its message
  if (!ints && !range) {
    const limit = dt === 'FP32' ? FP32_MAX : Number.MAX_VALUE;
    if (flat instanceof Float64Array) {
      // the fast parser's numbers: check the doubles, then one native conversion
      let i = 0;
      while (i < flat.length && Math.abs(flat[i]!) <= limit) i++;
      if (i === flat.length) {
        out.set(flat);
        return out;
      }
    }
    let i = 0;
    for (; i < flat.length; i++) {
      const v = flat[i];
      if (typeof v !== 'number' || !(Math.abs(v) <= limit)) break;
      out[i] = v;
    }
    if (i === flat.length) return out;
  }
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v !== 'number') throw bad(`${where}: element ${i} is not a number`);
    if (!Number.isFinite(v)) throw bad(`${where}: element ${i} is not finite (NaN or infinity)`);
    if (ints && (!Number.isInteger(v) || v < ints[0] || v > ints[1]))
      throw bad(`${where}: element ${i} (${v}) is not a valid ${dt}`);
    if (dt === 'FP32' && Math.abs(v) > FP32_MAX) throw bad(`${where}: element ${i} overflows FP32`);
    if (v < lo || v > hi)
      throw bad(`${where}: element ${i} (${v}) is outside the allowed range [${lo}, ${hi}]`);
    out[i] = v;
  }
  return out;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
