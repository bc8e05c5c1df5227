import type { ByteSource } from '../../../../core/index.js';
import { ArtifactError } from '../../../errors.js';
import type { ScanContext } from '../../../scan/types.js';
import { parseAttribute, elementCount, type H5Attribute } from './attribute.js';
import type { H5File } from './file.js';

/**
 * Byte-level fallback for attributes the structured walk cannot reach — dense attribute storage
 * (fractal heap + v2 B-tree, used for configs over 64 KiB or objects with many attributes) and
 * headers the walk rejects. It searches the file for the attribute name `model_config` and decodes
 * an attribute message at the places where one would start before that name; if that fails it
 * looks for the text of a Keras Lambda layer. Known limitation: a config stored compressed or
 * split across chunks is not found this way.
 */

export const MAX_SEARCH_BYTES = 1024 ** 3;
const CHUNK = 8 * 1024 * 1024;
const NAME = Buffer.from('model_config\0', 'latin1');
const LAMBDA = /"class_name"\s*:\s*"Lambda"$/;
const LAMBDA_WORD = Buffer.from('"Lambda"', 'latin1');

/** Calls `visit` with (chunk, absolute start) over the first `limit` bytes, with overlap. */
function* chunks(src: ByteSource, limit: number, ctx: ScanContext): Generator<[Buffer, number]> {
  const end = Math.min(src.size, limit);
  for (let pos = 0; pos < end; pos += CHUNK) {
    ctx.checkDeadline();
    yield [src.read(pos, Math.min(CHUNK + 256, end - pos)), pos];
  }
}

function probe(f: H5File, start: number, maxText: number): H5Attribute | null {
  if (start < 0) return null;
  try {
    const head = f.read(start, Math.min(f.size - start, 9), 'attribute');
    if (head.length < 9 || head[0]! < 1 || head[0]! > 3) return null;
    const nameSize = head.readUInt16LE(2);
    const dtSize = head.readUInt16LE(4);
    const dsSize = head.readUInt16LE(6);
    if (nameSize !== NAME.length) return null;
    const pad = (n: number): number => (head[0] === 1 ? Math.ceil(n / 8) * 8 : n);
    const fixed = (head[0] === 3 ? 9 : 8) + pad(nameSize) + pad(dtSize) + pad(dsSize);
    const meta = f.read(start, Math.min(f.size - start, fixed), 'attribute');
    const dt = meta.subarray(fixed - pad(dsSize) - pad(dtSize), fixed - pad(dsSize));
    const ds = meta.subarray(fixed - pad(dsSize), fixed);
    if (dt.length < 8) return null;
    const n = elementCount(ds, f.sb.lengthSize);
    const elem = (dt[0]! & 0x0f) === 9 ? 4 + f.sb.offsetSize + 4 : dt.readUInt32LE(4);
    if (n * elem > maxText) return null;
    const attr = parseAttribute(f, f.read(start, fixed + n * elem, 'attribute'), maxText);
    return attr.name === 'model_config' && attr.values ? attr : null;
  } catch (e) {
    if (e instanceof ArtifactError && e.code !== 'TIMEOUT') return null;
    throw e;
  }
}

/** What the fallback found: a decoded model_config attribute, or only Lambda text. */
export interface SearchResult {
  attribute: H5Attribute | null;
  lambdaAt: number | null;
  searched: number;
}

export function searchForConfig(f: H5File, ctx: ScanContext): SearchResult {
  const limit = Math.min(f.size, MAX_SEARCH_BYTES);
  for (const [buf, base] of chunks(f.src, limit, ctx)) {
    for (let i = buf.indexOf(NAME); i >= 0; i = buf.indexOf(NAME, i + 1)) {
      const at = base + i;
      const attr = probe(f, at - 9, ctx.limits.maxTextBytes) ?? probe(f, at - 8, ctx.limits.maxTextBytes);
      if (attr) return { attribute: attr, lambdaAt: null, searched: limit };
    }
  }
  for (const [buf, base] of chunks(f.src, limit, ctx)) {
    for (let i = buf.indexOf(LAMBDA_WORD); i >= 0; i = buf.indexOf(LAMBDA_WORD, i + 1)) {
      const from = Math.max(0, i - 64);
      const m = LAMBDA.exec(buf.toString('latin1', from, i + LAMBDA_WORD.length));
      if (m) return { attribute: null, lambdaAt: base + from + m.index, searched: limit };
    }
  }
  return { attribute: null, lambdaAt: null, searched: limit };
}
