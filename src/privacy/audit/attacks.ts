import { SecureRandom } from '../../core/index.js';
import { Model, onnxClassifier, train, type Classifier, type Dataset } from '../../robustness/index.js';

/** Per-example attack features from logits: loss of the true label, confidence, entropy, margin. */
export function features(logits: Float32Array, y: Uint8Array, classes: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < y.length; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let z = 0;
    for (const v of row) z += Math.exp(v - max);
    const logZ = max + Math.log(z);
    const label = y[i] ?? 0;
    let entropy = 0;
    let other = -Infinity;
    row.forEach((v, c) => {
      const lp = v - logZ;
      entropy -= Math.exp(lp) * lp;
      if (c !== label) other = Math.max(other, v);
    });
    const loss = logZ - (row[label] ?? 0);
    out.push(Float64Array.of(loss, Math.exp(max - logZ), entropy, (row[label] ?? 0) - other));
  }
  return out;
}

/** Logits of a whole data set, in batches. */
export async function allLogits(clf: Classifier, d: Dataset, batch = 500): Promise<Float32Array> {
  const per = d.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(d.size * d.classes);
  for (let s = 0; s < d.size; s += batch) {
    const n = Math.min(batch, d.size - s);
    out.set(await clf.logits(d.x.subarray(s * per, (s + n) * per), n), s * d.classes);
  }
  return out;
}

/** The loss-threshold attack (Yeom et al. 2018): a lower loss means "member"; the score is -loss. */
export function lossScores(logits: Float32Array, d: Dataset): Float64Array {
  return Float64Array.from(features(logits, d.y, d.classes), (f) => -(f[0] as number));
}

/** Examples `idx` of `d` as a new data set. */
export function subset(d: Dataset, idx: ArrayLike<number>, name = d.name): Dataset {
  const per = d.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(idx.length * per);
  const y = new Uint8Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    x.set(d.x.subarray(i * per, (i + 1) * per), k * per);
    y[k] = d.y[i] ?? 0;
  }
  return { ...d, name, x, y, size: idx.length };
}

export function shuffled(n: number, rng: SecureRandom): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(rng.uniform() * (k + 1));
    [order[k], order[j]] = [order[j] as number, order[k] as number];
  }
  return order;
}

/** A logistic regression on standardised features, fitted by full-batch gradient descent. */
export class Logistic {
  private constructor(
    private readonly mean: Float64Array,
    private readonly std: Float64Array,
    private readonly w: Float64Array,
  ) {}

  static fit(xs: Float64Array[], ys: number[], iterations = 500, lr = 0.5): Logistic {
    const d = xs[0]?.length ?? 0;
    const mean = new Float64Array(d);
    const std = new Float64Array(d);
    for (const x of xs) x.forEach((v, k) => (mean[k] = (mean[k] as number) + v / xs.length));
    for (const x of xs)
      x.forEach((v, k) => (std[k] = (std[k] as number) + (v - (mean[k] as number)) ** 2 / xs.length));
    std.forEach((v, k) => (std[k] = Math.sqrt(v) || 1));
    const z = xs.map((x) => Float64Array.from(x, (v, k) => (v - (mean[k] as number)) / (std[k] as number)));
    const w = new Float64Array(d + 1);
    for (let it = 0; it < iterations; it++) {
      const g = new Float64Array(d + 1);
      z.forEach((x, i) => {
        let s = w[d] as number;
        x.forEach((v, k) => (s += (w[k] as number) * v));
        const err = 1 / (1 + Math.exp(-s)) - (ys[i] as number);
        x.forEach((v, k) => (g[k] = (g[k] as number) + err * v));
        g[d] = (g[d] as number) + err;
      });
      g.forEach((v, k) => (w[k] = (w[k] as number) - (lr * v) / z.length));
    }
    return new Logistic(mean, std, w);
  }

  /** The linear score (log-odds of membership). */
  score(x: Float64Array): number {
    let s = this.w[this.w.length - 1] as number;
    x.forEach(
      (v, k) => (s += ((this.w[k] as number) * (v - (this.mean[k] as number))) / (this.std[k] as number)),
    );
    return s;
  }
}

/** Shadow-model options: the attacker's architecture and training recipe. */
export interface ShadowOptions {
  architecture: string;
  shadows: number;
  epochs: number;
  seed: string | number;
  threads?: number;
}

/**
 * The shadow-model attack (Shokri et al. 2017): shadows of the target's architecture train on random
 * halves of the attacker's own data; a logistic regression learns member vs non-member from their
 * output features and then scores the target's outputs. The first shadow, which saw none of the
 * evaluation examples, is also returned as the reference model for the distribution-shift check.
 */
export async function trainShadowAttack(
  pool: Dataset,
  o: ShadowOptions,
): Promise<{ attack: Logistic; reference: Uint8Array }> {
  const rng = new SecureRandom(`shadow:${o.seed}`);
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  let reference: Uint8Array | undefined;
  for (let s = 0; s < o.shadows; s++) {
    const order = shuffled(pool.size, rng);
    const half = Math.floor(pool.size / 2);
    const inSet = subset(pool, order.subarray(0, half), `shadow-${s}-in`);
    const outSet = subset(pool, order.subarray(half), `shadow-${s}-out`);
    const model = Model.create(o.architecture, s + 1);
    await train(model, inSet, { epochs: o.epochs, batchSize: 64, seed: s, threads: o.threads ?? 1 });
    const bytes = model.toOnnx();
    reference ??= bytes;
    const clf = await onnxClassifier(bytes, model.input, model.classes, o.threads ?? 1);
    for (const [set, label] of [
      [inSet, 1],
      [outSet, 0],
    ] as const) {
      for (const f of features(await allLogits(clf, set), set.y, set.classes)) {
        xs.push(f);
        ys.push(label);
      }
    }
    await clf.close();
  }
  return { attack: Logistic.fit(xs, ys), reference: reference ?? new Uint8Array() };
}
