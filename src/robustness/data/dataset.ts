import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { robustnessError } from '../errors.js';
import { parseIdx, parseIdxTensor } from './idx.js';
import { parseNpy } from './npy.js';
import { parseLabeledCsv, type CsvOptions } from './csv.js';

/** Images as float32 NCHW in [0, 1] with integer labels: what models train and attacks run on. */
export interface Dataset {
  name: string;
  /** Per-example shape, e.g. [1, 28, 28]. */
  shape: number[];
  classes: number;
  x: Float32Array;
  y: Uint8Array;
  size: number;
  /** Input domain [min, max] that attacks clip to (default [0, 1]). */
  range?: [number, number];
}

export function fromIdx(name: string, images: Uint8Array, labels: Uint8Array, classes = 10): Dataset {
  const img = parseIdx(images);
  const lab = parseIdx(labels);
  const [n = 0, ...rest] = img.dims;
  if (lab.dims[0] !== n || lab.dims.length !== 1)
    throw robustnessError('DATA_INVALID', `${name}: ${n} images but ${lab.dims[0] ?? 0} labels`);
  if (lab.data.some((v) => v >= classes))
    throw robustnessError('DATA_INVALID', `${name}: label outside 0..${classes - 1}`);
  const x = new Float32Array(img.data.length);
  for (let k = 0; k < x.length; k++) x[k] = (img.data[k] ?? 0) / 255;
  return { name, shape: [1, ...rest], classes, x, y: lab.data, size: n };
}

/** A contiguous range of examples as a new dataset sharing no memory with the source. */
export function slice(d: Dataset, start: number, end: number, name = d.name): Dataset {
  const per = d.shape.reduce((a, b) => a * b, 1);
  const e = Math.min(end, d.size);
  return { ...d, name, x: d.x.slice(start * per, e * per), y: d.y.slice(start, e), size: e - start };
}

const DATA_DIR = fileURLToPath(new URL('../../../data/', import.meta.url));
let mnist: Dataset | undefined;
let fashion: Dataset | undefined;

/**
 * The embedded default: the 10,000 MNIST test digits shipped in data/mnist, split deterministically into
 * 8,000 for training and 2,000 for evaluation (the first 8,000 / the last 2,000).
 */
export function loadMnist(): { train: Dataset; test: Dataset } {
  mnist ??= fromIdx(
    'mnist',
    readFileSync(`${DATA_DIR}mnist/t10k-images-idx3-ubyte.gz`),
    readFileSync(`${DATA_DIR}mnist/t10k-labels-idx1-ubyte.gz`),
  );
  return { train: slice(mnist, 0, 8000, 'mnist-train'), test: slice(mnist, 8000, 10000, 'mnist-test') };
}

/** The shipped Fashion-MNIST subset (2,000 test images, data/fashion-mnist/NOTICE.md): 1,600 train / 400 test. */
export function loadFashionMnist(): { train: Dataset; test: Dataset } {
  fashion ??= fromIdx(
    'fashion-mnist',
    readFileSync(`${DATA_DIR}fashion-mnist/t10k-2000-images-idx3-ubyte.gz`),
    readFileSync(`${DATA_DIR}fashion-mnist/t10k-2000-labels-idx1-ubyte.gz`),
  );
  return {
    train: slice(fashion, 0, 1600, 'fashion-mnist-train'),
    test: slice(fashion, 1600, 2000, 'fashion-mnist-test'),
  };
}

/** The data sets shipped in the repository, by the name `--data` accepts. */
export const BUILTIN_DATASETS: Record<string, () => { train: Dataset; test: Dataset }> = {
  mnist: loadMnist,
  'fashion-mnist': loadFashionMnist,
};

export interface ArrayDataOptions {
  /** Per-example shape; default: the array's own, with a channel added to [N, H, W] images. */
  shape?: number[];
  classes?: number;
  /** Divide by 255 (uint8 sources do this by default). */
  scale255?: boolean;
}

/**
 * A data set from raw arrays: `dims[0]` examples of `x`, integer labels. Validates sizes, label values and
 * finiteness so that nothing downstream sees a malformed tensor.
 */
export function fromArrays(
  name: string,
  x: Float32Array,
  dims: number[],
  labels: Float32Array,
  opts: ArrayDataOptions = {},
): Dataset {
  const [n = 0, ...rest] = dims;
  if (n < 1) throw robustnessError('DATA_INVALID', `${name}: no examples`);
  if (labels.length !== n)
    throw robustnessError('DATA_INVALID', `${name}: ${n} examples but ${labels.length} labels`);
  let shape = opts.shape ?? (rest.length === 2 ? [1, ...rest] : rest.length === 0 ? [1] : rest);
  const per = shape.reduce((a, b) => a * b, 1);
  if (per * n !== x.length)
    throw robustnessError(
      'DATA_INVALID',
      `${name}: shape [${shape.join(', ')}] does not fit ${x.length / n} values per example`,
    );
  let maxLabel = 0;
  for (const l of labels) {
    if (!Number.isInteger(l) || l < 0 || l > 255)
      throw robustnessError('DATA_INVALID', `${name}: label ${l} is not an integer in 0..255`);
    maxLabel = Math.max(maxLabel, l);
  }
  const classes = opts.classes ?? Math.max(2, maxLabel + 1);
  if (maxLabel >= classes) throw robustnessError('DATA_INVALID', `${name}: label outside 0..${classes - 1}`);
  const out = opts.scale255 ? Float32Array.from(x, (v) => v / 255) : x;
  let lo = 0;
  let hi = 1;
  for (const v of out) {
    if (!Number.isFinite(v)) throw robustnessError('DATA_INVALID', `${name}: non-finite input value`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  shape = [...shape];
  return { name, shape, classes, x: out, y: Uint8Array.from(labels), size: n, range: [lo, hi] };
}

function readData(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw robustnessError('DATA_INVALID', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Where the CLI finds data: a built-in name, or files with options for their layout. */
export interface DataSource {
  data: string;
  labels?: string;
  shape?: number[];
  classes?: number;
  labelColumn?: CsvOptions['labelColumn'];
}

/**
 * Loads `--data`: a built-in name (train or test split), an IDX images file with an IDX labels file, a `.npy`
 * array with a `.npy` labels array, or a CSV with the label in one column (default the first). Byte-valued
 * sources are scaled to [0, 1].
 */
export function loadDataset(src: DataSource, split: 'train' | 'test'): Dataset {
  const builtin = BUILTIN_DATASETS[src.data];
  if (builtin) return builtin()[split];
  const opts = {
    ...(src.shape ? { shape: src.shape } : {}),
    ...(src.classes ? { classes: src.classes } : {}),
  };
  const lower = src.data.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.csv.gz')) {
    const t = parseLabeledCsv(readData(src.data), { labelColumn: src.labelColumn ?? 0 });
    let byteValued = true;
    for (const v of t.x) if (!Number.isInteger(v) || v < 0 || v > 255) byteValued = false;
    const maxV = t.x.reduce((a, b) => Math.max(a, b), 0);
    const sq = Math.round(Math.sqrt(t.features));
    const shape = src.shape ?? (sq * sq === t.features && sq >= 8 ? [1, sq, sq] : [t.features]);
    return fromArrays(src.data, t.x, [t.rows, ...shape], t.labels, {
      ...opts,
      shape,
      scale255: byteValued && maxV > 1,
    });
  }
  if (!src.labels)
    throw robustnessError('DATA_INVALID', '--labels is required with an IDX or .npy data file', {
      kind: 'usage',
    });
  if (lower.endsWith('.npy') || lower.endsWith('.npy.gz')) {
    const x = parseNpy(readData(src.data));
    const y = parseNpy(readData(src.labels));
    if (y.dims.length !== 1)
      throw robustnessError('DATA_INVALID', 'the labels array must be one-dimensional');
    return fromArrays(src.data, x.data, x.dims, y.data, { ...opts, scale255: x.dtype.endsWith('u1') });
  }
  const x = parseIdxTensor(readData(src.data));
  const y = parseIdxTensor(readData(src.labels));
  if (y.dims.length !== 1)
    throw robustnessError('DATA_INVALID', 'the IDX labels file must be one-dimensional');
  return fromArrays(src.data, x.data, x.dims, y.data, { ...opts, scale255: x.type === 'uint8' });
}

/** The CLI's `--data` and `--labels` (kept for callers of the first version; see `loadDataset`). */
export function resolveDataset(data: string, labels: string | undefined, split: 'train' | 'test'): Dataset {
  return loadDataset({ data, ...(labels ? { labels } : {}) }, split);
}
