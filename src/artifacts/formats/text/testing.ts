import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atLeast } from '../../../core/index.js';
import { scanBytes, type FileScanResult, type ScanFileOptions } from '../../scan/engine.js';
import { SCANNERS } from '../../scan/registry.js';
import { seededRandom } from '../../../core/index.js';

/** Deterministic PRNG so fuzz failures reproduce. */
export const rng = seededRandom;

/**
 * Test helpers shared by the corpus and fuzz tests of the structured formats (safetensors, GGUF,
 * HDF5/Keras, ONNX, SavedModel, JSON, templates). Not used by the scanners themselves.
 */

/** One labelled corpus file. */
export interface CorpusEntry {
  path: string;
  rel: string;
  malicious: boolean;
  category: string;
  format: string;
}

export const CORPUS_ROOT = join(import.meta.dirname, '../../../../test/fixtures/corpus');

/** Entries of the corpus whose label `format` is one of `formats`. */
export function corpusEntries(formats: readonly string[]): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const set of ['modelaudit', 'modelscan', 'picklescan']) {
    let labels: Record<string, { malicious: boolean; category: string; format: string }>;
    try {
      labels = JSON.parse(readFileSync(join(CORPUS_ROOT, set, 'labels.json'), 'utf8')) as typeof labels;
    } catch {
      continue;
    }
    for (const [rel, l] of Object.entries(labels))
      if (formats.includes(l.format))
        out.push({ path: join(CORPUS_ROOT, set, rel), rel: `${set}/${rel}`, ...l });
  }
  return out;
}

/** The verdict a labelled entry requires of a scan result; returns a reason when it is not met. */
export function checkAgainstLabel(entry: CorpusEntry, res: FileScanResult): string | null {
  const high = res.findings.filter((f) => atLeast(f.severity, 'high'));
  if (entry.malicious)
    return high.length > 0 ? null : `malicious but no finding >= high (${res.item.status})`;
  if (entry.category === 'invalid') return null;
  if (high.length > 0) return `not malicious but flagged: ${high.map((f) => f.id).join(', ')}`;
  if (res.item.error) return `error ${res.item.error.code}: ${res.item.error.message}`;
  return null;
}

const HUGE: readonly bigint[] = [2n ** 63n, 2n ** 64n - 1n, 2n ** 32n - 1n, 2n ** 31n, 2n ** 53n];

/** One random mutation of `seed`: bit flips, truncation, huge length fields, splices, nesting. */
export function mutate(seed: Buffer, rand: () => number, text = false): Buffer {
  const b = Buffer.from(seed);
  const at = (n = b.length): number => Math.floor(rand() * Math.max(1, n));
  switch (at(8)) {
    case 0:
      for (let i = 0, k = 1 + at(8); i < k && b.length; i++) b[at()]! ^= 1 << at(8);
      return b;
    case 1:
      return b.subarray(0, at());
    case 2: {
      if (b.length < 8) return b;
      const off = at(b.length - 7);
      const v = HUGE[at(HUGE.length)]!;
      if (rand() < 0.5) b.writeBigUInt64LE(BigInt.asUintN(64, v), off);
      else b.writeUInt32LE(Number(v & 0xffffffffn), off);
      return b;
    }
    case 3: {
      const off = at();
      const run = Buffer.from(Array.from({ length: 1 + at(16) }, () => at(256)));
      return Buffer.concat([b.subarray(0, off), run, b.subarray(off)]);
    }
    case 4: {
      const off = at();
      return Buffer.concat([b.subarray(0, off), b.subarray(off + 1 + at(64))]);
    }
    case 5: {
      // protobuf-style 10-byte varint, or JSON nesting for text formats
      const off = at();
      const ins = text
        ? Buffer.from(rand() < 0.5 ? '['.repeat(5000) : '{"a":'.repeat(2000))
        : Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
      return Buffer.concat([b.subarray(0, off), ins, b.subarray(off)]);
    }
    case 6:
      for (let i = 0, k = 1 + at(32); i < k && b.length; i++) b[at()] = at(256);
      return b;
    default: {
      // duplicate a random span (repeated fields, keys, records)
      const s = at();
      const e = Math.min(b.length, s + 1 + at(256));
      return Buffer.concat([b.subarray(0, e), b.subarray(s, e), b.subarray(e)]);
    }
  }
}

const ARTIFACT_CODES = new Set([
  'USAGE',
  'CONFIG_INVALID',
  'IO_ERROR',
  'NOT_FOUND',
  'LIMIT_EXCEEDED',
  'FORMAT_INVALID',
  'TRUNCATED',
  'UNSUPPORTED',
  'DEPTH_EXCEEDED',
]);

/**
 * Scans one fuzz case and returns a problem description, or null when the scan behaved: no
 * exception, only findings and/or an item error with an ArtifactError code (never INTERNAL,
 * which is what a leaked RangeError/TypeError becomes, and never TIMEOUT).
 */
export async function fuzzOnce(
  name: string,
  bytes: Buffer,
  opts: ScanFileOptions = {},
): Promise<string | null> {
  let r: FileScanResult;
  try {
    r = await scanBytes(name, bytes, { ...opts, limits: { timeoutMs: 10_000, ...opts.limits } });
  } catch (e) {
    return `threw ${String(e)}`;
  }
  const code = r.item.error?.code;
  if (code !== undefined && !ARTIFACT_CODES.has(code)) return `error ${code}: ${r.item.error?.message}`;
  return null;
}

/** Outcome counts of a fuzz run, so tests can check the mutations reached the parser. */
export interface FuzzStats {
  failures: string[];
  errors: Record<string, number>;
  withFindings: number;
  clean: number;
}

/**
 * Runs `cases` mutations of the seeds through the scanner of `format` (forced, so every case
 * reaches the parser) and through every detector of the registry (which must not throw).
 */
export async function fuzzFamily(
  seeds: Array<[string, Buffer]>,
  format: string,
  cases: number,
  seed: number,
  text = false,
): Promise<FuzzStats> {
  const rand = rng(seed);
  const stats: FuzzStats = { failures: [], errors: {}, withFindings: 0, clean: 0 };
  for (let i = 0; i < cases; i++) {
    const [name, base] = seeds[i % seeds.length]!;
    let bytes = mutate(base, rand, text);
    if (rand() < 0.3) bytes = mutate(bytes, rand, text);
    const head = bytes.subarray(0, 4096);
    for (const s of SCANNERS) {
      try {
        s.detect(head, bytes.length);
      } catch (e) {
        stats.failures.push(`#${i} ${name}: ${s.format}.detect threw ${String(e)}`);
      }
    }
    let r: FileScanResult;
    try {
      r = await scanBytes(name, bytes, { format, limits: { timeoutMs: 10_000 } });
    } catch (e) {
      stats.failures.push(`#${i} ${name}: threw ${String(e)}`);
      continue;
    }
    const code = r.item.error?.code;
    if (code !== undefined) {
      stats.errors[code] = (stats.errors[code] ?? 0) + 1;
      if (!ARTIFACT_CODES.has(code))
        stats.failures.push(`#${i} ${name}: error ${code}: ${r.item.error?.message}`);
    }
    if (r.findings.length) stats.withFindings++;
    else if (code === undefined) stats.clean++;
    if (stats.failures.length >= 10) break;
  }
  return stats;
}

/** Throws when a fuzz run had failures, or when no case even reached an error path. */
export function expectFuzzOk(stats: FuzzStats): void {
  if (stats.failures.length) throw new Error(`fuzz failures:\n${stats.failures.join('\n')}`);
  const errors = Object.values(stats.errors).reduce((a, b) => a + b, 0);
  if (errors === 0 || stats.clean + stats.withFindings === 0)
    throw new Error(`fuzz run did not exercise both outcomes: ${JSON.stringify(stats)}`);
}
