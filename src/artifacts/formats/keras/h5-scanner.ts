import { REFS, type ByteSource } from '../../../core/index.js';
import { ArtifactError, formatError } from '../../errors.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { parseJsonBounded } from '../text/json.js';
import { checkKerasConfig } from './config.js';
import { parseAttribute, type H5Attribute } from './hdf5/attribute.js';
import {
  H5File,
  HDF5_SIGNATURE,
  UNDEFINED_ADDRESS,
  addrLE,
  findSignature,
  readSuperblock,
} from './hdf5/file.js';
import { MSG, readMessages } from './hdf5/object-header.js';
import { searchForConfig } from './hdf5/search.js';

/**
 * HDF5 files, in particular legacy Keras `.h5` models (and `model.weights.h5` inside `.keras`).
 * Parses the superblock and the root group's object header, decodes its attribute messages, and
 * runs the Keras config rules on `model_config` / `training_config`. Attributes kept in dense
 * storage, and files the structured walk rejects, go through a bounded byte search (search.ts).
 * Dataset contents are never read.
 */

const CONFIG_ATTRS = new Set(['model_config', 'training_config']);

export function detectHdf5(head: Buffer, size: number): boolean {
  for (const off of [0, 512, 1024, 2048]) {
    if (off + 8 > Math.min(head.length, size)) return false;
    if (head.subarray(off, off + 8).equals(HDF5_SIGNATURE)) return true;
  }
  return false;
}

/** Root attributes, whether dense storage holds more, and attribute-level decode problems. */
interface RootAttributes {
  attributes: H5Attribute[];
  dense: boolean;
  problems: string[];
}

function rootAttributes(f: H5File, maxText: number): RootAttributes {
  const out: RootAttributes = { attributes: [], dense: false, problems: [] };
  for (const m of readMessages(f, f.sb.rootHeader)) {
    if (m.type === MSG.ATTRIBUTE_INFO && m.data.length >= 2) {
      const p = 2 + (m.data[1]! & 0x01 ? 2 : 0);
      if (addrLE(m.data, p, f.sb.offsetSize) !== UNDEFINED_ADDRESS) out.dense = true;
    } else if (m.type === MSG.ATTRIBUTE) {
      try {
        out.attributes.push(parseAttribute(f, m.data, maxText));
      } catch (e) {
        if (!(e instanceof ArtifactError) || e.code === 'TIMEOUT') throw e;
        out.problems.push(`attribute at ${m.pos}: ${e.message}`);
      }
    }
  }
  return out;
}

function checkConfigAttribute(ctx: ScanContext, attr: H5Attribute): void {
  for (const text of attr.values ?? []) {
    const isConfig =
      CONFIG_ATTRS.has(attr.name) || (text.trimStart().startsWith('{') && text.includes('"class_name"'));
    if (!isConfig || text.trim() === '') continue;
    let value: unknown;
    try {
      value = parseJsonBounded(Buffer.from(text, 'utf8'), {
        maxDepth: 256,
        what: `HDF5 attribute ${attr.name}`,
      }).value;
    } catch (e) {
      if (!(e instanceof ArtifactError)) throw e;
      ctx.emit({
        id: 'keras.invalid-config',
        detector: 'keras',
        severity: 'medium',
        title: 'Keras config attribute is not valid JSON',
        detail: `HDF5 attribute '${attr.name}' could not be parsed (${e.message}); its layers were not inspected.`,
        refs: REFS.uninspectable,
      });
      continue;
    }
    checkKerasConfig(ctx, value, { where: `HDF5 attribute '${attr.name}'` });
  }
}

export const hdf5Scanner: Scanner = {
  format: 'hdf5',
  detect: detectHdf5,
  scan(src: ByteSource, ctx: ScanContext): void {
    const sig = findSignature(src, 1024 ** 3);
    if (sig < 0) throw formatError('no HDF5 superblock signature found');
    const fallbackSb = { version: 0, base: sig, offsetSize: 8, lengthSize: 8, rootHeader: 0 };
    let f = new H5File(src, fallbackSb);
    let root: RootAttributes | null = null;
    let failure: ArtifactError | null = null;
    try {
      f = new H5File(src, readSuperblock(src, sig));
      root = rootAttributes(f, ctx.limits.maxTextBytes);
    } catch (e) {
      if (!(e instanceof ArtifactError) || e.code === 'TIMEOUT') throw e;
      failure = e;
    }
    const attrs = root?.attributes ?? [];
    ctx.metric('hdf5_attributes', attrs.length);
    for (const a of attrs) checkConfigAttribute(ctx, a);
    const hasConfig = attrs.some((a) => a.name === 'model_config' && a.values);
    const incomplete = failure !== null || root?.dense === true || (root?.problems.length ?? 0) > 0;
    if (hasConfig || !incomplete) return;
    ctx.metric('hdf5_byte_search', 1);
    const found = searchForConfig(f, ctx);
    if (found.attribute) checkConfigAttribute(ctx, found.attribute);
    else if (found.lambdaAt !== null)
      ctx.emit({
        id: 'keras.lambda-layer',
        detector: 'keras',
        severity: 'high',
        title: 'Keras Lambda layer (embedded Python code)',
        detail: `A Keras Lambda layer definition was found by byte search at offset ${found.lambdaAt}; its config could not be decoded, so its code was not inspected.`,
        location: { offset: found.lambdaAt },
        refs: REFS.supplyChain,
      });
    else if (failure) throw failure;
    if (f.size > found.searched && !found.attribute)
      ctx.emit({
        id: 'hdf5.partial-search',
        detector: 'keras',
        severity: 'info',
        title: 'HDF5 attributes only partly inspected',
        detail: `Attributes in dense storage were searched for in the first ${found.searched} bytes only.`,
        refs: REFS.uninspectable,
      });
  },
};
