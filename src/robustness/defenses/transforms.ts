import jpeg from 'jpeg-js';
import { robustnessError } from '../errors.js';
import type { AttackTarget } from '../attacks/types.js';

/** An input transformation defense: a preprocessing of each batch before the classifier sees it. */
export interface InputTransform {
  name: string;
  /** Transforms a batch of `n` examples of per-example shape `shape` (C, H, W or flat), values in [lo, hi]. */
  apply(x: Float32Array, n: number, shape: number[], lo: number, hi: number): Float32Array;
}

/** Bit-depth reduction (Xu et al. 2018, feature squeezing): quantise to 2^bits levels. */
export function bitDepth(bits: number): InputTransform {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16)
    throw robustnessError('DATA_INVALID', 'bit depth must be an integer from 1 to 16', { kind: 'usage' });
  const levels = 2 ** bits - 1;
  return {
    name: `bits:${bits}`,
    apply: (x, _n, _s, lo, hi) =>
      Float32Array.from(x, (v) => lo + (Math.round(((v - lo) / (hi - lo)) * levels) / levels) * (hi - lo)),
  };
}

function planes(shape: number[]): [number, number, number] {
  if (shape.length === 3) return shape as [number, number, number];
  if (shape.length === 2) return [1, shape[0] as number, shape[1] as number];
  throw robustnessError(
    'DATA_INVALID',
    `image transforms need a [C, H, W] input, got [${shape.join(', ')}]`,
    { kind: 'usage' },
  );
}

/** Median smoothing over a k x k window per channel (edges replicate), as in feature squeezing. */
export function medianSmoothing(k: number): InputTransform {
  if (!Number.isInteger(k) || k < 2 || k > 15)
    throw robustnessError('DATA_INVALID', 'median window must be an integer from 2 to 15', { kind: 'usage' });
  return {
    name: `median:${k}`,
    apply(x, n, shape) {
      const [c, h, w] = planes(shape);
      const out = new Float32Array(x.length);
      const win = new Float32Array(k * k);
      // an even window extends one more pixel down/right, as scipy.ndimage.median_filter does
      const before = Math.floor((k - 1) / 2);
      for (let p = 0; p < n * c; p++) {
        const base = p * h * w;
        for (let r = 0; r < h; r++)
          for (let q = 0; q < w; q++) {
            let m = 0;
            for (let dr = 0; dr < k; dr++)
              for (let dq = 0; dq < k; dq++) {
                const rr = Math.min(h - 1, Math.max(0, r - before + dr));
                const qq = Math.min(w - 1, Math.max(0, q - before + dq));
                win[m++] = x[base + rr * w + qq] as number;
              }
            win.sort();
            out[base + r * w + q] = win[(k * k) >> 1] as number;
          }
      }
      return out;
    },
  };
}

/** JPEG compression (Dziugaite et al. 2016; Guo et al. 2018): encode at `quality`, decode (jpeg-js, pure JS). */
export function jpegCompression(quality: number): InputTransform {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100)
    throw robustnessError('DATA_INVALID', 'JPEG quality must be an integer from 1 to 100', { kind: 'usage' });
  return {
    name: `jpeg:${quality}`,
    apply(x, n, shape, lo, hi) {
      const [c, h, w] = planes(shape);
      if (c !== 1 && c !== 3)
        throw robustnessError('DATA_INVALID', 'JPEG needs 1 or 3 channels', { kind: 'usage' });
      const out = new Float32Array(x.length);
      const rgba = Buffer.alloc(h * w * 4);
      const per = c * h * w;
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < h * w; k++)
          for (let ch = 0; ch < 3; ch++) {
            const v = x[i * per + (c === 1 ? 0 : ch) * h * w + k] as number;
            rgba[k * 4 + ch] = Math.round(Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * 255);
          }
        for (let k = 0; k < h * w; k++) rgba[k * 4 + 3] = 255;
        const enc = jpeg.encode({ data: rgba, width: w, height: h }, quality);
        const dec = jpeg.decode(enc.data, { useTArray: true, formatAsRGBA: true });
        for (let k = 0; k < h * w; k++)
          for (let ch = 0; ch < c; ch++) {
            // a grey image comes back as three near-equal channels: average them
            const v =
              c === 1
                ? ((dec.data[k * 4] ?? 0) + (dec.data[k * 4 + 1] ?? 0) + (dec.data[k * 4 + 2] ?? 0)) / 3
                : (dec.data[k * 4 + ch] ?? 0);
            out[i * per + ch * h * w + k] = lo + (v / 255) * (hi - lo);
          }
      }
      return out;
    },
  };
}

/** Parses `bits:4`, `median:3`, `jpeg:75` (comma-separated for a chain). */
export function parseTransforms(spec: string): InputTransform[] {
  return spec
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((part) => {
      const [name, arg] = part.trim().split(':');
      const v = Number(arg);
      if (name === 'bits') return bitDepth(v);
      if (name === 'median') return medianSmoothing(v);
      if (name === 'jpeg') return jpegCompression(v);
      throw robustnessError('DATA_INVALID', `unknown defense "${part}"; use bits:N, median:K or jpeg:Q`, {
        kind: 'usage',
      });
    });
}

/**
 * Puts input transformations in front of a target. Predictions see the transformed input; gradients, when
 * the target has a graph, skip the (non-differentiable) transformations: a straight-through approximation in
 * the spirit of BPDA (Athalye et al. 2018), taken at the untransformed input, so white-box attacks still run.
 */
export function withTransforms<T extends AttackTarget>(
  target: T,
  transforms: InputTransform[],
  range: [number, number] = [0, 1],
): T {
  const chain = (x: Float32Array, n: number) =>
    transforms.reduce((v, t) => t.apply(v, n, target.input, range[0], range[1]), x);
  return { ...target, logits: (x: Float32Array, n: number) => target.logits(chain(x, n), n) };
}
