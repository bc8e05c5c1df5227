/**
 * Sharded checkpoints: `pytorch_model.bin.index.json` ({metadata, weight_map: name -> shard}) to
 * `model-0000i-of-0000N.safetensors` shards plus `model.safetensors.index.json`, the layout
 * transformers writes. Every shard is scanned and converted to a temp file before any is renamed
 * into place: one refused or broken shard leaves nothing behind.
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConvertError, invalid } from './errors.js';
import {
  prepareConversion,
  type ConvertOptions,
  type ConvertResult,
  type PreparedConversion,
} from './convert.js';

/** Largest index file read. */
const MAX_INDEX_BYTES = 64 * 1024 ** 2;
export const SAFETENSORS_INDEX = 'model.safetensors.index.json';

export interface ShardedOptions extends Omit<ConvertOptions, 'out'> {
  /** Directory for the shards and the new index; default: the index's directory. */
  outDir?: string;
}

export interface ShardedResult {
  index: string;
  shards: ConvertResult[];
  totalSize: number;
}

export function isShardIndex(path: string): boolean {
  return path.endsWith('.index.json');
}

function readIndex(path: string): string[] {
  if (statSync(path).size > MAX_INDEX_BYTES) throw invalid(`${path} is over ${MAX_INDEX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw invalid(`${path} is not valid JSON`, e);
  }
  const map = (doc as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    throw invalid(`${path} has no weight_map object`);
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length === 0) throw invalid(`${path} has an empty weight_map`);
  for (const [, shard] of entries)
    if (typeof shard !== 'string' || !/^[^/\\]+$/.test(shard) || shard === '.' || shard === '..')
      throw invalid(`weight_map names ${JSON.stringify(shard)}, not a file beside the index`);
  return entries.map(([name, shard]) => `${name}\0${shard as string}`);
}

const pad = (n: number): string => String(n).padStart(5, '0');

/** Converts every shard an index names and writes the safetensors index. */
export async function convertSharded(indexPath: string, opts: ShardedOptions = {}): Promise<ShardedResult> {
  const pairs = readIndex(indexPath).map((p) => p.split('\0') as [string, string]);
  const declared = new Map(pairs);
  const shards = [...new Set(pairs.map(([, s]) => s))].sort();
  const inDir = dirname(indexPath);
  const outDir = opts.outDir ?? inDir;
  const index = join(outDir, SAFETENSORS_INDEX);
  if (!opts.overwrite && existsSync(index))
    throw new ConvertError('USAGE', `${index} exists (use --force to replace it)`, { kind: 'usage' });
  const prepared: PreparedConversion[] = [];
  const weightMap: Record<string, string> = {};
  try {
    for (const [i, shard] of shards.entries()) {
      const out = join(outDir, `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`);
      const p = await prepareConversion(join(inDir, shard), out, opts);
      prepared.push(p);
      for (const name of p.result.names) {
        if (declared.get(name) !== shard)
          throw invalid(
            `tensor ${JSON.stringify(name)} is in ${shard} but the index puts it in ${declared.get(name) ?? 'no shard'}`,
          );
        weightMap[name] = basename(out);
      }
    }
    const missing = [...declared.keys()].filter((n) => !(n in weightMap));
    if (missing.length)
      throw invalid(`the index lists tensors no shard holds: ${missing.slice(0, 5).join(', ')}`);
    const totalSize = prepared.reduce((a, p) => a + p.result.dataBytes, 0);
    const sorted = Object.fromEntries(
      Object.keys(weightMap)
        .sort()
        .map((k) => [k, weightMap[k]!]),
    );
    const tmp = `${index}.${process.pid}.tmp`;
    writeFileSync(
      tmp,
      `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sorted }, null, 2)}\n`,
    );
    try {
      for (const p of prepared) p.commit();
      renameSync(tmp, index);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return { index, shards: prepared.map((p) => p.result), totalSize };
  } catch (e) {
    for (const p of prepared) p.abort();
    throw e;
  }
}
