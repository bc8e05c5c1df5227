import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { robustnessError } from '../errors.js';
import { parseIdx } from './idx.js';

/** Images as float32 NCHW in [0, 1] with integer labels: what models train and attacks run on. */
export interface Dataset {
  name: string;
  /** Per-example shape, e.g. [1, 28, 28]. */
  shape: number[];
  classes: number;
  x: Float32Array;
  y: Uint8Array;
  size: number;
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

const MNIST_DIR = fileURLToPath(new URL('../../../data/mnist/', import.meta.url));
let mnist: Dataset | undefined;

/**
 * The embedded default: the 10,000 MNIST test digits shipped in data/mnist, split deterministically into
 * 8,000 for training and 2,000 for evaluation (the first 8,000 / the last 2,000).
 */
export function loadMnist(): { train: Dataset; test: Dataset } {
  mnist ??= fromIdx(
    'mnist',
    readFileSync(`${MNIST_DIR}t10k-images-idx3-ubyte.gz`),
    readFileSync(`${MNIST_DIR}t10k-labels-idx1-ubyte.gz`),
  );
  return { train: slice(mnist, 0, 8000, 'mnist-train'), test: slice(mnist, 8000, 10000, 'mnist-test') };
}

/**
 * Resolves the CLI's `--data` (and `--labels`): `mnist` is the embedded default (train or test split);
 * otherwise an IDX images file with its IDX labels file.
 */
export function resolveDataset(data: string, labels: string | undefined, split: 'train' | 'test'): Dataset {
  if (data === 'mnist') return loadMnist()[split];
  if (!labels)
    throw robustnessError('DATA_INVALID', '--labels is required with an IDX images file', { kind: 'usage' });
  let images: Buffer;
  let labelBytes: Buffer;
  try {
    images = readFileSync(data);
    labelBytes = readFileSync(labels);
  } catch (e) {
    throw robustnessError('DATA_INVALID', `cannot read data: ${(e as Error).message}`, { cause: e });
  }
  return fromIdx(data, images, labelBytes);
}
