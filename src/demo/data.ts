import { fileURLToPath } from 'node:url';
import { seededRandom } from '../core/index.js';
import { loadMnist, type Dataset } from '../robustness/index.js';

/** The shipped MNIST digits (data/mnist, see its NOTICE.md), where the registry records them from. */
export const MNIST_DIR = fileURLToPath(new URL('../../data/mnist/', import.meta.url));

/** The demo's split: members (training) and non-members (evaluation, never trained on). */
export interface DemoData {
  train: Dataset;
  test: Dataset;
  /** Every example the split drew from. */
  pool: number;
}

function pick(src: Dataset, idx: ArrayLike<number>, name: string): Dataset {
  const per = src.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(idx.length * per);
  const y = new Uint8Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    x.set(src.x.subarray(i * per, (i + 1) * per), k * per);
    y[k] = src.y[i] ?? 0;
  }
  return { ...src, name, x, y, size: idx.length };
}

/**
 * Joins the shipped 10,000 digits and splits them by a seeded shuffle. The fixed split of `loadMnist` puts
 * the first 8,000 (mostly the cleaner NIST writers) in training and the last 2,000 (harder writers) in test;
 * a membership audit on that split would measure the writer shift along with any leakage, so members and
 * non-members are drawn at random from one pool here.
 */
export function demoData(trainSize: number, testSize: number, seed: number): DemoData {
  const { train, test } = loadMnist();
  const per = train.shape.reduce((a, b) => a * b, 1);
  const all: Dataset = {
    ...train,
    name: 'mnist',
    x: new Float32Array((train.size + test.size) * per),
    y: new Uint8Array(train.size + test.size),
    size: train.size + test.size,
  };
  all.x.set(train.x);
  all.x.set(test.x, train.size * per);
  all.y.set(train.y);
  all.y.set(test.y, train.size);
  const n = Math.min(all.size, trainSize + testSize);
  const order = Uint32Array.from({ length: all.size }, (_, k) => k);
  const rnd = seededRandom(seed + 1);
  for (let k = order.length - 1; k > 0; k--) {
    const j = Math.floor(rnd() * (k + 1));
    [order[k], order[j]] = [order[j] as number, order[k] as number];
  }
  const nTrain = Math.min(trainSize, n - Math.min(testSize, n - 1));
  return {
    train: pick(all, order.subarray(0, nTrain), 'mnist-train'),
    test: pick(all, order.subarray(nTrain, n), 'mnist-test'),
    pool: all.size,
  };
}
