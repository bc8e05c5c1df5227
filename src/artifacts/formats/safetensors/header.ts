import type { Severity } from '../../../core/index.js';
import { isJsonObject } from '../text/json.js';

/**
 * Validation of a parsed safetensors header against the data section it describes. Pure: it
 * returns problems and the tensor layout; the scanner turns problems into findings.
 *
 * Severity choice: problems that only make a loader refuse the file (unknown dtype, bad shape,
 * size mismatch, gaps) are `medium`; offsets outside the data section and overlapping tensors are
 * `high`, because loaders that skip validation (or other implementations) read the wrong bytes
 * and different tools then disagree on what the model contains.
 */

/** Bits per element of every dtype the safetensors format defines. */
export const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E4M3: 8,
  F8_E5M2: 8,
  F8_E8M0: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/** One problem found in the header. */
export interface HeaderProblem {
  id: string;
  severity: Severity;
  title: string;
  detail: string;
}

/** A tensor entry that passed the per-entry checks. */
export interface TensorSpan {
  name: string;
  begin: number;
  end: number;
}

/** Outcome of validating a header: problems, valid spans, metadata strings. */
export interface HeaderReport {
  problems: HeaderProblem[];
  tensors: TensorSpan[];
  metadata: Array<[string, string]>;
  entryCount: number;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function problem(name: string, id: string, severity: Severity, title: string, detail: string): HeaderProblem {
  return { id, severity, title, detail: `tensor '${name.slice(0, 120)}': ${detail}` };
}

/** Bytes a shape of `bits`-bit elements needs, or null when not a whole number of bytes. */
function byteSize(shape: number[], bits: number): number | bigint | null {
  let numel = 1;
  for (const d of shape) numel *= d;
  const total = numel * bits;
  if (Number.isSafeInteger(total)) return total % 8 === 0 ? total / 8 : null;
  let big = BigInt(bits);
  for (const d of shape) big *= BigInt(d);
  return big % 8n === 0n ? big / 8n : null;
}

function checkEntry(name: string, entry: unknown, dataSize: number, out: HeaderReport): void {
  const bad = out.problems;
  if (!isJsonObject(entry)) {
    bad.push(
      problem(
        name,
        'safetensors.invalid-tensor',
        'medium',
        'Malformed tensor entry',
        'entry is not an object',
      ),
    );
    return;
  }
  const { dtype, shape, data_offsets: offsets } = entry;
  const bits = typeof dtype === 'string' ? DTYPE_BITS[dtype] : undefined;
  if (bits === undefined) {
    const shown = typeof dtype === 'string' ? `'${dtype.slice(0, 40)}'` : typeof dtype;
    bad.push(
      problem(
        name,
        'safetensors.invalid-tensor',
        'medium',
        'Unknown tensor dtype',
        `dtype ${shown} is not a safetensors dtype`,
      ),
    );
  }
  const shapeOk = Array.isArray(shape) && shape.length <= 64 && shape.every(isCount);
  if (!shapeOk)
    bad.push(
      problem(
        name,
        'safetensors.invalid-tensor',
        'medium',
        'Malformed tensor shape',
        'shape is not a list of non-negative integers',
      ),
    );
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(offsets[0]) || !isCount(offsets[1])) {
    bad.push(
      problem(
        name,
        'safetensors.invalid-tensor',
        'medium',
        'Malformed data_offsets',
        'data_offsets is not [begin, end] integers',
      ),
    );
    return;
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) {
    bad.push(
      problem(
        name,
        'safetensors.invalid-tensor',
        'medium',
        'Reversed data_offsets',
        `begin ${begin} is after end ${end}`,
      ),
    );
    return;
  }
  if (end > dataSize) {
    const detail = `data_offsets [${begin}, ${end}] run past the ${dataSize}-byte data section`;
    bad.push(
      problem(name, 'safetensors.offset-out-of-bounds', 'high', 'Tensor data outside the file', detail),
    );
    return;
  }
  if (bits !== undefined && shapeOk) {
    const want = byteSize(shape, bits);
    if (want === null || (typeof want === 'number' ? want !== end - begin : want !== BigInt(end - begin))) {
      const detail = `shape [${shape.join(', ')}] of ${String(dtype)} needs ${want ?? 'a fractional number of'} bytes but data_offsets span ${end - begin}`;
      bad.push(
        problem(name, 'safetensors.size-mismatch', 'medium', 'Tensor size does not match its shape', detail),
      );
    }
  }
  out.tensors.push({ name, begin, end });
}

function checkMetadata(meta: unknown, out: HeaderReport): void {
  if (!isJsonObject(meta)) {
    out.problems.push({
      id: 'safetensors.invalid-metadata',
      severity: 'medium',
      title: 'Malformed __metadata__',
      detail: '__metadata__ must be an object of string to string',
    });
    return;
  }
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v === 'string') out.metadata.push([k, v]);
    else
      out.problems.push({
        id: 'safetensors.invalid-metadata',
        severity: 'medium',
        title: 'Non-string __metadata__ value',
        detail: `__metadata__['${k.slice(0, 80)}'] is ${Array.isArray(v) ? 'an array' : typeof v}, not a string`,
      });
  }
}

/** Validates entries, bounds, overlaps and coverage of the data section (`dataSize` bytes). */
export function validateHeader(header: unknown, dataSize: number): HeaderReport {
  const out: HeaderReport = { problems: [], tensors: [], metadata: [], entryCount: 0 };
  if (!isJsonObject(header)) {
    out.problems.push({
      id: 'safetensors.invalid-header',
      severity: 'medium',
      title: 'Header is not a JSON object',
      detail: 'the safetensors header must be a JSON object of tensor entries',
    });
    return out;
  }
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') checkMetadata(entry, out);
    else {
      out.entryCount++;
      checkEntry(name, entry, dataSize, out);
    }
  }
  const sorted = [...out.tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let prev: TensorSpan | undefined;
  for (const t of sorted) {
    if (prev && t.begin < prev.end && t.end > t.begin) {
      out.problems.push({
        id: 'safetensors.overlapping-tensors',
        severity: 'high',
        title: 'Tensors share bytes',
        detail: `tensor '${t.name.slice(0, 80)}' [${t.begin}, ${t.end}] overlaps '${prev.name.slice(0, 80)}' [${prev.begin}, ${prev.end}]`,
      });
    } else if (t.begin > cursor) {
      out.problems.push(gap(cursor, t.begin));
    }
    cursor = Math.max(cursor, t.end);
    if (!prev || t.end >= prev.end) prev = t;
  }
  if (cursor < dataSize) out.problems.push(gap(cursor, dataSize));
  return out;
}

function gap(from: number, to: number): HeaderProblem {
  return {
    id: 'safetensors.unaccounted-data',
    severity: 'medium',
    title: 'Data bytes not covered by any tensor',
    detail: `bytes [${from}, ${to}) of the data section belong to no tensor; loaders reject this, and the bytes may carry a hidden payload`,
  };
}
