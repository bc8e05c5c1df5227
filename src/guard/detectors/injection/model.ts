import { createHash } from 'node:crypto';
import { WardenError } from '../../../core/index.js';
import { DENSE_NAMES, HASH_BITS, LM_CLASSES, denseFeatures, familyScales, hashFeatures } from './features.js';
import type { RuleHit } from './heuristics.js';
import type { AttackKind } from './rules.js';

/** One head of the classifier: a logistic score for one attack kind, with its Platt calibration. */
export interface HeadParams {
  kind: AttackKind;
  /** Weight of one int8 step of the hashed weights. */
  scale: number;
  bias: number;
  dense: number[];
  /** Platt scaling: p = sigmoid(a * z + b), fitted on the validation split. */
  platt: [number, number];
}

/** The shipped model: two heads over shared hashed features plus the character bigram table. */
export interface InjectionModel {
  version: typeof MODEL_FORMAT_VERSION;
  hashBits: number;
  /** -log P(next char class | class), LM_CLASSES^2 entries. */
  lm: Float64Array;
  heads: [HeadParams, HeadParams];
  /** Hashed weights, interleaved: [bucket * 2 + head]. */
  weights: Int8Array;
  /** Facts about the training run, for the NOTICE and the docs. */
  info: Record<string, unknown>;
}

const MAGIC = 'WGIJ';
/** 2: n-gram families scaled by their true L2 norm (1 scaled by 1/sqrt(n-gram count)). */
export const MODEL_FORMAT_VERSION = 2;

/** Serializes a model: magic, u32 LE header length, JSON header, then the int8 weights. */
export function encodeModel(m: InjectionModel): Buffer {
  const header = JSON.stringify({
    format: 'warden-guard-injection',
    version: m.version,
    hashBits: m.hashBits,
    dense: DENSE_NAMES,
    lm: Array.from(m.lm),
    heads: m.heads,
    info: m.info,
  });
  const h = Buffer.from(header, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length);
  return Buffer.concat([
    Buffer.from(MAGIC, 'ascii'),
    len,
    h,
    Buffer.from(m.weights.buffer, m.weights.byteOffset, m.weights.byteLength),
  ]);
}

function invalid(msg: string): WardenError {
  return new WardenError('GUARD_MODEL_INVALID', `guard injection model: ${msg}`, { kind: 'internal' });
}

/** Parses and checks a model file; `sha256` (hex) must match when given. Throws GUARD_MODEL_INVALID. */
export function decodeModel(bytes: Uint8Array, sha256?: string): InjectionModel {
  if (sha256 !== undefined) {
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== sha256)
      throw invalid(`SHA-256 ${got} does not match the expected ${sha256} (corrupt or stale file)`);
  }
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 8 || b.toString('ascii', 0, 4) !== MAGIC) throw invalid('bad magic');
  const hl = b.readUInt32LE(4);
  if (8 + hl > b.length) throw invalid('truncated header');
  const head = JSON.parse(b.toString('utf8', 8, 8 + hl)) as {
    version?: unknown;
    hashBits?: unknown;
    dense?: unknown;
    lm?: unknown;
    heads?: unknown;
    info?: unknown;
  };
  if (head.version !== MODEL_FORMAT_VERSION) throw invalid(`unsupported version ${String(head.version)}`);
  if (head.hashBits !== HASH_BITS) throw invalid(`hashBits ${String(head.hashBits)} != ${HASH_BITS}`);
  if (JSON.stringify(head.dense) !== JSON.stringify(DENSE_NAMES)) throw invalid('dense feature list differs');
  const lm = head.lm;
  if (!Array.isArray(lm) || lm.length !== LM_CLASSES * LM_CLASSES) throw invalid('bad bigram table');
  const heads = head.heads as HeadParams[];
  if (!Array.isArray(heads) || heads.length !== 2 || heads.some((h) => h.dense.length !== DENSE_NAMES.length))
    throw invalid('bad heads');
  const n = 2 << HASH_BITS;
  if (b.length !== 8 + hl + n) throw invalid(`weights are ${b.length - 8 - hl} bytes, expected ${n}`);
  const weights = new Int8Array(n);
  weights.set(new Int8Array(b.buffer, b.byteOffset + 8 + hl, n));
  return {
    version: MODEL_FORMAT_VERSION,
    hashBits: HASH_BITS,
    lm: Float64Array.from(lm as number[]),
    heads: [heads[0] as HeadParams, heads[1] as HeadParams],
    weights,
    info: (head.info ?? {}) as Record<string, unknown>,
  };
}

/** Raw weights the scorer reads: int8 from a file, or float while training. */
export interface ScoringWeights {
  weights: ArrayLike<number>;
  scales: [number, number];
  heads: readonly { bias: number; dense: readonly number[] }[];
}

/** Logits of both heads: bias + hashed features (L2-normalised per n-gram family) + dense features. */
export function logits(w: ScoringWeights, text: string, dense: Float64Array): [number, number] {
  const f = hashFeatures(text);
  const ww = w.weights;
  let c0 = 0;
  let c1 = 0;
  let w0 = 0;
  let w1 = 0;
  for (let i = 0; i < f.nChar; i++) {
    const j = (f.idx[i] ?? 0) << 1;
    c0 += ww[j] ?? 0;
    c1 += ww[j + 1] ?? 0;
  }
  for (let i = f.nChar; i < f.nChar + f.nWord; i++) {
    const j = (f.idx[i] ?? 0) << 1;
    w0 += ww[j] ?? 0;
    w1 += ww[j + 1] ?? 0;
  }
  const [cn, wn] = familyScales(f);
  const out: [number, number] = [0, 0];
  for (let h = 0; h < 2; h++) {
    const head = w.heads[h];
    if (!head) continue;
    let z = head.bias + w.scales[h]! * (h === 0 ? c0 * cn + w0 * wn : c1 * cn + w1 * wn);
    for (let d = 0; d < dense.length; d++) z += (head.dense[d] ?? 0) * (dense[d] ?? 0);
    out[h] = z;
  }
  return out;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Calibrated probabilities [injection, jailbreak] of a text under a decoded model. */
export function modelScores(m: InjectionModel, text: string, hits: readonly RuleHit[]): [number, number] {
  const dense = denseFeatures(text, hits, m.lm);
  const [z0, z1] = logits(
    { weights: m.weights, scales: [m.heads[0].scale, m.heads[1].scale], heads: m.heads },
    text,
    dense,
  );
  return [
    sigmoid(m.heads[0].platt[0] * z0 + m.heads[0].platt[1]),
    sigmoid(m.heads[1].platt[0] * z1 + m.heads[1].platt[1]),
  ];
}
