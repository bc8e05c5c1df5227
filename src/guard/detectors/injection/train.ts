import { seededRandom } from '../../../core/index.js';
import {
  DENSE_NAMES,
  HASH_BITS,
  LM_CLASSES,
  charClass,
  denseFeatures,
  familyScales,
  hashFeatures,
} from './features.js';
import { matchRules } from './heuristics.js';
import { MODEL_FORMAT_VERSION, logits, sigmoid, type HeadParams, type InjectionModel } from './model.js';
import type { AttackKind } from './rules.js';

/** A labelled training text. */
export interface TrainExample {
  text: string;
  label: 'benign' | AttackKind;
}

/** Knobs of one training run; all of them are recorded in the model's info. */
export interface TrainOptions {
  seed: number;
  epochs: number;
  learningRate: number;
  l2: number;
  l2Dense: number;
  /** Extra weight on benign examples: false positives cost more than a missed paraphrase. */
  benignWeight: number;
}

/** A featurized example: merged sparse (bucket, value) pairs and the dense vector. */
interface Row {
  idx: Int32Array;
  val: Float32Array;
  dense: Float64Array;
  label: TrainExample['label'];
}

const KINDS: [AttackKind, AttackKind] = ['injection', 'jailbreak'];
const round = (x: number, d = 1e6): number => Math.round(x * d) / d;

/** -log P(next class | class) with add-one smoothing, over benign texts only. */
export function trainBigram(texts: readonly string[]): Float64Array {
  const counts = new Float64Array(LM_CLASSES * LM_CLASSES).fill(1);
  for (const t of texts) {
    let prev = 27;
    for (let i = 0; i < t.length; i++) {
      const c = charClass(t.charCodeAt(i));
      counts[prev * LM_CLASSES + c]! += 1;
      prev = c;
    }
  }
  const lm = new Float64Array(counts.length);
  for (let a = 0; a < LM_CLASSES; a++) {
    let sum = 0;
    for (let b = 0; b < LM_CLASSES; b++) sum += counts[a * LM_CLASSES + b]!;
    for (let b = 0; b < LM_CLASSES; b++)
      lm[a * LM_CLASSES + b] = round(-Math.log(counts[a * LM_CLASSES + b]! / sum), 1e4);
  }
  return lm;
}

function featurize(ex: TrainExample, lm: Float64Array): Row {
  const f = hashFeatures(ex.text);
  const merged = new Map<number, number>();
  const [cn, wn] = familyScales(f);
  for (let i = 0; i < f.nChar + f.nWord; i++) {
    const b = f.idx[i]!;
    merged.set(b, (merged.get(b) ?? 0) + (i < f.nChar ? cn : wn));
  }
  const keys = [...merged.keys()].sort((a, b) => a - b);
  return {
    idx: Int32Array.from(keys),
    val: Float32Array.from(keys.map((k) => merged.get(k)!)),
    dense: denseFeatures(ex.text, matchRules(ex.text), lm),
    label: ex.label,
  };
}

/** Logistic regression with AdaGrad and L2 for one head, on benign rows and rows of its own kind. */
function trainHead(rows: Row[], h: 0 | 1, w: Float64Array, o: TrainOptions): HeadParams {
  const kind = KINDS[h];
  const mine = rows.filter((r) => r.label === 'benign' || r.label === kind);
  const nPos = mine.filter((r) => r.label === kind).length;
  const nNeg = mine.length - nPos;
  const wPos = mine.length / (2 * Math.max(1, nPos));
  const wNeg = (mine.length / (2 * Math.max(1, nNeg))) * o.benignWeight;
  const g2 = new Float64Array(w.length);
  const dense = new Float64Array(DENSE_NAMES.length);
  const gDense = new Float64Array(DENSE_NAMES.length);
  let bias = 0;
  let gBias = 0;
  const rnd = seededRandom(o.seed + h);
  const order = mine.map((_, i) => i);
  for (let e = 0; e < o.epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const oi of order) {
      const r = mine[oi]!;
      let z = bias;
      for (let k = 0; k < r.idx.length; k++) z += w[r.idx[k]! * 2 + h]! * r.val[k]!;
      for (let d = 0; d < dense.length; d++) z += dense[d]! * r.dense[d]!;
      const y = r.label === kind ? 1 : 0;
      const g = (sigmoid(z) - y) * (y ? wPos : wNeg);
      gBias += g * g;
      bias -= (o.learningRate * g) / Math.sqrt(gBias + 1e-8);
      for (let k = 0; k < r.idx.length; k++) {
        const j = r.idx[k]! * 2 + h;
        const gj = g * r.val[k]! + o.l2 * w[j]!;
        g2[j]! += gj * gj;
        w[j]! -= (o.learningRate * gj) / Math.sqrt(g2[j]! + 1e-8);
      }
      for (let d = 0; d < dense.length; d++) {
        const gd = g * r.dense[d]! + o.l2Dense * dense[d]!;
        gDense[d]! += gd * gd;
        dense[d]! -= (o.learningRate * gd) / Math.sqrt(gDense[d]! + 1e-8);
      }
    }
  }
  return { kind, scale: 1, bias: round(bias), dense: Array.from(dense, (x) => round(x)), platt: [1, 0] };
}

/** Fits p = sigmoid(a z + b) by Newton's method on the log loss (Platt scaling). */
export function fitPlatt(z: readonly number[], y: readonly number[]): [number, number] {
  let a = 1;
  let b = 0;
  for (let it = 0; it < 50; it++) {
    let ga = 0,
      gb = 0,
      haa = 1e-6,
      hab = 0,
      hbb = 1e-6;
    for (let i = 0; i < z.length; i++) {
      const p = sigmoid(a * z[i]! + b);
      const d = p - y[i]!;
      const s = p * (1 - p);
      ga += d * z[i]!;
      gb += d;
      haa += s * z[i]! * z[i]!;
      hab += s * z[i]!;
      hbb += s;
    }
    const det = haa * hbb - hab * hab;
    if (det <= 0) break;
    a -= (hbb * ga - hab * gb) / det;
    b -= (haa * gb - hab * ga) / det;
  }
  return [round(a), round(b)];
}

/** Trains both heads, quantizes to int8 with a per-head scale, then calibrates on the validation rows. */
export function trainModel(
  train: TrainExample[],
  validation: TrainExample[],
  o: TrainOptions,
): InjectionModel {
  const lm = trainBigram(train.filter((e) => e.label === 'benign').map((e) => e.text));
  const rows = train.map((e) => featurize(e, lm));
  const w = new Float64Array(2 << HASH_BITS);
  const heads: [HeadParams, HeadParams] = [trainHead(rows, 0, w, o), trainHead(rows, 1, w, o)];
  const weights = new Int8Array(w.length);
  for (let h = 0; h < 2; h++) {
    let max = 0;
    for (let j = h; j < w.length; j += 2) max = Math.max(max, Math.abs(w[j]!));
    const scale = max > 0 ? max / 127 : 1;
    heads[h]!.scale = scale;
    for (let j = h; j < w.length; j += 2) weights[j] = Math.round(w[j]! / scale);
  }
  const scoring = { weights, scales: [heads[0].scale, heads[1].scale] as [number, number], heads };
  for (let h = 0; h < 2; h++) {
    const z: number[] = [];
    const y: number[] = [];
    for (const ex of validation) {
      if (ex.label !== 'benign' && ex.label !== KINDS[h]) continue;
      const hits = matchRules(ex.text);
      z.push(logits(scoring, ex.text, denseFeatures(ex.text, hits, lm))[h]!);
      y.push(ex.label === 'benign' ? 0 : 1);
    }
    heads[h]!.platt = fitPlatt(z, y);
  }
  const count = (xs: TrainExample[], l: string): number => xs.filter((e) => e.label === l).length;
  const info = {
    options: o,
    train: {
      benign: count(train, 'benign'),
      injection: count(train, 'injection'),
      jailbreak: count(train, 'jailbreak'),
    },
    validation: {
      benign: count(validation, 'benign'),
      injection: count(validation, 'injection'),
      jailbreak: count(validation, 'jailbreak'),
    },
  };
  return { version: MODEL_FORMAT_VERSION, hashBits: HASH_BITS, lm, heads, weights, info };
}
