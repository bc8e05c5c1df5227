import type { ByteSource } from '../../../core/index.js';
import { formatError, limitExceeded, truncated } from '../../errors.js';
import { parsePyLiteral, type PyLiteral } from './literal.js';

/** '\x93NUMPY' */
export const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
/** Largest header parsed (numpy itself refuses more than 10000 bytes unless allow_pickle is set). */
export const NPY_HEADER_MAX = 1024 * 1024;

/** The parsed header of a .npy file. */
export interface NpyHeader {
  version: string;
  descr: PyLiteral;
  fortranOrder: boolean;
  shape: bigint[];
  /** Where the array data (or the pickle of an object array) starts. */
  dataOffset: number;
}

/** What a dtype description says: whether it holds Python objects, and its item size if known. */
export interface DtypeInfo {
  object: boolean;
  itemsize: bigint | null;
}

function entry(dict: PyLiteral, key: string): PyLiteral | undefined {
  if (dict.kind !== 'dict') return undefined;
  return dict.entries.find(([k]) => k.kind === 'str' && k.value === key)?.[1];
}

/**
 * Reads magic, version (1.0: u16 length, latin1; 2.0: u32, latin1; 3.0: u32, UTF-8) and the header
 * dict. Malformed headers throw FORMAT_INVALID / TRUNCATED; nothing is evaluated.
 */
export function readNpyHeader(src: ByteSource): NpyHeader {
  const pre = src.read(0, 12);
  if (pre.length < 10 || !pre.subarray(0, 6).equals(NPY_MAGIC))
    throw truncated('npy: file shorter than its preamble');
  const major = pre[6] ?? 0;
  const minor = pre[7] ?? 0;
  if (major < 1 || major > 3 || minor !== 0)
    throw formatError(`npy: unsupported format version ${major}.${minor}`);
  if (major > 1 && pre.length < 12) throw truncated('npy: file shorter than its preamble');
  const start = major === 1 ? 10 : 12;
  const len = major === 1 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
  if (len > NPY_HEADER_MAX) throw limitExceeded(`npy: header of ${len} bytes is over ${NPY_HEADER_MAX}`);
  const raw = src.read(start, len);
  if (raw.length < len) throw truncated('npy: header ends early');
  const text = raw.toString(major === 3 ? 'utf8' : 'latin1');
  const dict = parsePyLiteral(text);
  if (dict.kind !== 'dict') throw formatError('npy: header is not a dict');
  const keys = dict.entries.map(([k]) => (k.kind === 'str' ? k.value : '?')).sort();
  if (keys.join(',') !== 'descr,fortran_order,shape')
    throw formatError(`npy: header keys are ${JSON.stringify(keys)}, not descr/fortran_order/shape`);
  const descr = entry(dict, 'descr');
  const fortran = entry(dict, 'fortran_order');
  const shape = entry(dict, 'shape');
  if (!descr || fortran?.kind !== 'bool') throw formatError('npy: fortran_order is not a bool');
  if (shape?.kind !== 'tuple' || !shape.items.every((d) => d.kind === 'int' && d.value >= 0n))
    throw formatError('npy: shape is not a tuple of non-negative integers');
  return {
    version: `${major}.${minor}`,
    descr,
    fortranOrder: fortran.value,
    shape: shape.items.map((d) => (d.kind === 'int' ? d.value : 0n)),
    dataOffset: start + len,
  };
}

const product = (dims: bigint[]): bigint => dims.reduce((a, b) => a * b, 1n);

/** Item size of a simple type string such as '<f4', '|O', '<U10', '<M8[ns]'; object flag. */
function simpleDtype(s: string): DtypeInfo {
  const m = /^[<>|=]?([a-zA-Z?])(\d*)(\[\w+\])?$/.exec(s);
  if (!m) throw formatError(`npy: unrecognised dtype ${JSON.stringify(s.slice(0, 40))}`);
  const kind = m[1] ?? '';
  const n = m[2] ? BigInt(m[2]) : null;
  if (kind === 'O') return { object: true, itemsize: 8n };
  if (kind === '?') return { object: false, itemsize: 1n };
  if (kind === 'U') return { object: false, itemsize: n === null ? null : 4n * n };
  if ('biufcSaVMm'.includes(kind)) return { object: false, itemsize: n };
  return { object: false, itemsize: null };
}

/**
 * Walks a descr: a type string, or (structured arrays) a list of (name, dtype[, shape]) tuples,
 * nested. Any object field makes the whole array an object array, which numpy stores as a pickle.
 */
export function analyzeDescr(d: PyLiteral, depth = 0): DtypeInfo {
  if (depth > 16) throw formatError('npy: dtype nested too deep');
  if (d.kind === 'str') return simpleDtype(d.value);
  if (d.kind !== 'list') throw formatError('npy: descr is neither a string nor a list of fields');
  let object = false;
  let itemsize: bigint | null = 0n;
  for (const field of d.items) {
    if (field.kind !== 'tuple' || field.items.length < 2 || field.items.length > 3)
      throw formatError('npy: structured dtype field is not a (name, dtype[, shape]) tuple');
    const [, sub, shape] = field.items;
    const info = analyzeDescr(sub ?? { kind: 'none' }, depth + 1);
    let count = 1n;
    if (shape) {
      if (shape.kind === 'int') count = shape.value;
      else if (shape.kind === 'tuple' && shape.items.every((x) => x.kind === 'int'))
        count = product(shape.items.map((x) => (x.kind === 'int' ? x.value : 0n)));
      else throw formatError('npy: structured field shape is not an integer tuple');
    }
    object ||= info.object;
    itemsize = itemsize === null || info.itemsize === null ? null : itemsize + info.itemsize * count;
  }
  return { object, itemsize };
}

/** Bytes the array data should take: product(shape) * itemsize (null when the size is unknown). */
export function expectedDataBytes(h: NpyHeader, info: DtypeInfo): bigint | null {
  return info.itemsize === null ? null : product(h.shape) * info.itemsize;
}
