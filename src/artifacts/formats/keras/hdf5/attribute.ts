import { formatError, limitExceeded, truncated } from '../../../errors.js';
import { addrLE, uintLE, type H5File } from './file.js';

/**
 * Decodes HDF5 attribute messages (versions 1-3) far enough to get string values: fixed-length
 * strings (class 3) and variable-length strings (class 9, stored in a global heap collection).
 * Other datatypes are reported by name only.
 */

/** A decoded attribute: its name and string values (null when not a readable string). */
export interface H5Attribute {
  name: string;
  values: string[] | null;
  /** Why values are null (shared datatype, non-string type). */
  note?: string;
}

const GCOL = Buffer.from('GCOL', 'latin1');
const MAX_ELEMENTS = 100_000;
const MAX_HEAP_OBJECTS = 1_000_000;

function pad8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function slice(data: Buffer, start: number, len: number, what: string): Buffer {
  if (start < 0 || len < 0 || start + len > data.length)
    throw truncated(`HDF5 attribute ${what} runs past its message`);
  return data.subarray(start, start + len);
}

/** Number of elements a dataspace message describes. */
export function elementCount(ds: Buffer, lengthSize: number): number {
  if (ds.length < 4) throw truncated('HDF5 dataspace is cut short');
  const version = ds[0]!;
  const rank = ds[1]!;
  if (rank > 32) throw formatError(`HDF5 dataspace of rank ${rank}`);
  let p: number;
  if (version === 1) p = 8;
  else if (version === 2) {
    const type = ds[3]!;
    if (type === 2) return 0;
    if (type === 0) return 1;
    p = 4;
  } else throw formatError(`HDF5 dataspace version ${version} is not supported`);
  let n = 1;
  for (let i = 0; i < rank; i++) {
    n *= uintLE(ds, p + i * lengthSize, lengthSize);
    if (n > MAX_ELEMENTS) throw limitExceeded(`HDF5 attribute with more than ${MAX_ELEMENTS} elements`);
  }
  return n;
}

/** Reads object `index` of the global heap collection at file address `addr`. */
export function readGlobalHeapObject(f: H5File, addr: number, index: number, maxBytes: number): Buffer {
  const L = f.sb.lengthSize;
  const pos = f.abs(addr, 'global heap');
  const hdr = f.read(pos, 8 + L, 'global heap');
  if (!hdr.subarray(0, 4).equals(GCOL))
    throw formatError(`HDF5 global heap at ${pos} lacks its GCOL signature`);
  const end = Math.min(f.size, pos + uintLE(hdr, 8, L));
  let p = pos + 8 + L;
  for (let i = 0; i < MAX_HEAP_OBJECTS && p + 8 + L <= end; i++) {
    const oh = f.read(p, 8 + L, 'global heap object');
    const idx = oh.readUInt16LE(0);
    const size = uintLE(oh, 8, L);
    if (idx === 0) break;
    if (idx === index) {
      if (size > maxBytes)
        throw limitExceeded(`HDF5 heap object of ${size} bytes, over the limit of ${maxBytes}`);
      return f.read(p + 8 + L, size, 'global heap object');
    }
    p += 8 + L + pad8(size);
  }
  throw formatError(`HDF5 global heap object ${index} not found at ${pos}`);
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul < 0 ? b.length : nul);
}

/** Decodes one attribute message payload; `maxText` bounds the bytes of string values read. */
export function parseAttribute(f: H5File, data: Buffer, maxText: number): H5Attribute {
  if (data.length < 8) throw truncated('HDF5 attribute message is cut short');
  const version = data[0]!;
  const flags = version === 1 ? 0 : data[1]!;
  const nameSize = data.readUInt16LE(2);
  const dtSize = data.readUInt16LE(4);
  const dsSize = data.readUInt16LE(6);
  let p: number;
  const padded = version === 1;
  if (version === 1 || version === 2) p = 8;
  else if (version === 3) p = 9;
  else throw formatError(`HDF5 attribute message version ${version} is not supported`);
  const name = cString(slice(data, p, nameSize, 'name'));
  p += padded ? pad8(nameSize) : nameSize;
  const dt = slice(data, p, dtSize, 'datatype');
  p += padded ? pad8(dtSize) : dtSize;
  const ds = slice(data, p, dsSize, 'dataspace');
  p += padded ? pad8(dsSize) : dsSize;
  if (flags & 0x03) return { name, values: null, note: 'shared datatype or dataspace' };
  if (dt.length < 8) throw truncated(`HDF5 datatype of attribute '${name}' is cut short`);
  const cls = dt[0]! & 0x0f;
  const bits = dt[1]!;
  const elemSize = dt.readUInt32LE(4);
  const n = elementCount(ds, f.sb.lengthSize);
  const values: string[] = [];
  let budget = maxText;
  if (cls === 3) {
    if (n * elemSize > maxText)
      throw limitExceeded(`HDF5 attribute '${name}' holds ${n * elemSize} bytes of text`);
    for (let i = 0; i < n; i++) values.push(cString(slice(data, p + i * elemSize, elemSize, 'value')));
    return { name, values };
  }
  if (cls === 9 && (bits & 0x0f) === 1) {
    const O = f.sb.offsetSize;
    const item = 4 + O + 4;
    for (let i = 0; i < n; i++) {
      const ref = slice(data, p + i * item, item, 'value');
      const len = ref.readUInt32LE(0);
      const addr = addrLE(ref, 4, O);
      const index = ref.readUInt32LE(4 + O);
      if (len === 0) {
        values.push('');
        continue;
      }
      const obj = readGlobalHeapObject(f, addr, index, budget);
      budget -= obj.length;
      values.push(obj.toString('utf8', 0, Math.min(len, obj.length)));
    }
    return { name, values };
  }
  return { name, values: null, note: `datatype class ${cls}` };
}
