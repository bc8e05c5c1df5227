/** A labelled data set as flat float features: what the federated simulator trains on. */
export interface FlData {
  x: Float32Array;
  y: Uint8Array;
  size: number;
  features: number;
  classes: number;
}

/** Multinomial logistic regression with weights [classes x features] then biases, in one flat vector. */
export class SoftmaxModel {
  constructor(
    readonly features: number,
    readonly classes: number,
  ) {}

  get size(): number {
    return this.classes * (this.features + 1);
  }

  logits(w: Float32Array, x: Float32Array, at: number, out: Float64Array): void {
    const F = this.features;
    const bias = this.classes * F;
    for (let c = 0; c < this.classes; c++) {
      let s = w[bias + c] as number;
      const row = c * F;
      for (let j = 0; j < F; j++) s += (w[row + j] as number) * (x[at + j] as number);
      out[c] = s;
    }
  }

  /** Mini-batch SGD on the given rows; returns the trained weights (a copy). */
  train(
    w0: Float32Array,
    data: FlData,
    rows: number[],
    epochs: number,
    lr: number,
    batch: number,
    rnd: () => number,
  ): Float32Array {
    const w = Float32Array.from(w0);
    const F = this.features;
    const C = this.classes;
    const X = data.x;
    const Y = data.y;
    const grad = new Float64Array(this.size);
    const z = new Float64Array(C);
    const order = [...rows];
    for (let e = 0; e < epochs; e++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      for (let s = 0; s < order.length; s += batch) {
        grad.fill(0);
        const end = Math.min(order.length, s + batch);
        for (let k = s; k < end; k++) {
          const r = order[k] as number;
          const xr = X.subarray(r * F, (r + 1) * F);
          for (let c = 0; c < C; c++) {
            const wc = w.subarray(c * F, (c + 1) * F);
            let acc = w[C * F + c] as number;
            for (let j = 0; j < F; j++) acc += (wc[j] as number) * (xr[j] as number);
            z[c] = acc;
          }
          softmaxInPlace(z);
          z[Y[r] as number] = (z[Y[r] as number] as number) - 1;
          for (let c = 0; c < C; c++) {
            const g = z[c] as number;
            const gc = grad.subarray(c * F, (c + 1) * F);
            for (let j = 0; j < F; j++) gc[j] = (gc[j] as number) + g * (xr[j] as number);
            grad[C * F + c] = (grad[C * F + c] as number) + g;
          }
        }
        const step = lr / (end - s);
        for (let p = 0; p < w.length; p++) w[p] = (w[p] as number) - step * (grad[p] as number);
      }
    }
    return w;
  }

  predict(w: Float32Array, data: FlData, row: number): number {
    const z = new Float64Array(this.classes);
    this.logits(w, data.x, row * this.features, z);
    let best = 0;
    for (let c = 1; c < this.classes; c++) if ((z[c] as number) > (z[best] as number)) best = c;
    return best;
  }

  accuracy(w: Float32Array, data: FlData): number {
    let ok = 0;
    for (let i = 0; i < data.size; i++) if (this.predict(w, data, i) === data.y[i]) ok++;
    return ok / data.size;
  }
}

function softmaxInPlace(z: Float64Array): void {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    const e = Math.exp((z[i] as number) - m);
    z[i] = e;
    s += e;
  }
  for (let i = 0; i < z.length; i++) z[i] = (z[i] as number) / s;
}
