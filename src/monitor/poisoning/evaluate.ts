import { seededRandom } from '../../core/index.js';
import { monitorError } from '../errors.js';
import { addTrigger } from '../federated/simulate.js';
import { getPoisonDetector, POISON_DETECTOR_NAMES, type PoisonDetectorName } from './detectors.js';
import type { Features } from './features.js';

export interface BackdoorEvalOptions {
  /** Share of training digits poisoned (trigger patch, label set to the target). */
  rate: number;
  target?: number;
  detectors?: PoisonDetectorName[];
  /** The defender's assumed upper bound on the poisoned share (default: the true rate). */
  expectedRate?: number;
  epochs?: number;
  /** Architecture trained (default mnist-cnn, the robustness lab's benchmark CNN). */
  arch?: 'mnist-cnn' | 'mnist-mlp';
  /** Training digits used, of the 8,000 shipped (default all). */
  trainSize?: number;
  seed?: number;
  threads?: number;
  onProgress?: (message: string) => void;
}

export interface DetectorOutcome {
  detector: PoisonDetectorName;
  flagged: number;
  truePositives: number;
  precision: number;
  recall: number;
  /** After retraining without the flagged samples. */
  cleanAccuracy: number;
  attackSuccess: number;
}

export interface BackdoorEvaluation {
  rate: number;
  poisoned: number;
  trainSize: number;
  target: number;
  /** The model trained on the poisoned data. */
  cleanAccuracy: number;
  attackSuccess: number;
  detectors: DetectorOutcome[];
}

type Robustness = typeof import('../../robustness/index.js');
type Dataset = import('../../robustness/index.js').Dataset;

/** Trains the architecture on `d` and measures clean accuracy and backdoor success on the test digits. */
async function trainAndMeasure(
  r: Robustness,
  d: Dataset,
  test: Dataset,
  target: number,
  o: BackdoorEvalOptions,
): Promise<{ model: InstanceType<Robustness['Model']>; cleanAccuracy: number; attackSuccess: number }> {
  const model = r.Model.create(o.arch ?? 'mnist-cnn', o.seed ?? 0);
  await r.train(model, d, { epochs: o.epochs ?? 2, seed: o.seed ?? 0, threads: o.threads });
  const clf = await r.onnxClassifier(model.toOnnx(), model.input, model.classes, o.threads);
  try {
    const cleanAccuracy = await r.accuracy(clf, test);
    const keep: number[] = [];
    for (let i = 0; i < test.size; i++) if (test.y[i] !== target) keep.push(i);
    const x = new Float32Array(keep.length * 784);
    keep.forEach((i, k) => {
      x.set(test.x.subarray(i * 784, (i + 1) * 784), k * 784);
      addTrigger(x, k * 784);
    });
    const pred = await r.predict(clf, x, keep.length);
    let hit = 0;
    for (const p of pred) if (p === target) hit++;
    return { model, cleanAccuracy, attackSuccess: hit / keep.length };
  } finally {
    await clf.close();
  }
}

/**
 * The backdoor experiment of the poisoning issue on the shipped MNIST digits: poison a share of the training
 * digits with a 3x3 trigger relabelled to the target, train, read penultimate activations, run each detector,
 * score its flags against the known poison (precision, recall), then retrain without the flagged digits.
 */
export async function evaluateBackdoor(o: BackdoorEvalOptions): Promise<BackdoorEvaluation> {
  if (!(o.rate > 0 && o.rate < 0.5))
    throw monitorError('MONITOR_INVALID_OPTION', `poison rate must be in (0, 0.5), got ${o.rate}`);
  const target = o.target ?? 0;
  if (!(Number.isSafeInteger(target) && target >= 0 && target < 10))
    throw monitorError('MONITOR_INVALID_OPTION', 'target must be a digit 0-9');
  const r = await import('../../robustness/index.js');
  const { train: full, test } = r.loadMnist();
  const n = Math.min(o.trainSize ?? full.size, full.size);
  const base = r.slice(full, 0, n);
  const rnd = seededRandom(o.seed ?? 0);
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) if (base.y[i] !== target) candidates.push(i);
  const count = Math.round(o.rate * n);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rnd() * (candidates.length - i));
    [candidates[i], candidates[j]] = [candidates[j] as number, candidates[i] as number];
  }
  const isPoison = new Uint8Array(n);
  const x = Float32Array.from(base.x);
  const y = Uint8Array.from(base.y);
  for (const i of candidates.slice(0, count)) {
    isPoison[i] = 1;
    addTrigger(x, i * 784);
    y[i] = target;
  }
  const poisoned: Dataset = { ...base, name: 'mnist-poisoned', x, y };
  o.onProgress?.(`training on ${n} digits with ${count} poisoned`);
  const first = await trainAndMeasure(r, poisoned, test, target, o);
  const acts = await r.penultimateActivations(first.model, x, n, { threads: o.threads });
  const features: Features = { data: acts.data, dim: acts.dim, n };
  const outcomes: DetectorOutcome[] = [];
  for (const name of o.detectors ?? [...POISON_DETECTOR_NAMES]) {
    const det = getPoisonDetector(name).detect(features, y, {
      expectedRate: o.expectedRate ?? o.rate,
      seed: o.seed,
    });
    let flagged = 0;
    let tp = 0;
    const keep: number[] = [];
    for (let i = 0; i < n; i++) {
      if (det.flagged[i]) {
        flagged++;
        if (isPoison[i]) tp++;
      } else keep.push(i);
    }
    o.onProgress?.(`${name}: flagged ${flagged}, ${tp} of them poisoned; retraining on ${keep.length}`);
    const cx = new Float32Array(keep.length * 784);
    const cy = new Uint8Array(keep.length);
    keep.forEach((i, k) => {
      cx.set(x.subarray(i * 784, (i + 1) * 784), k * 784);
      cy[k] = y[i] as number;
    });
    const after = await trainAndMeasure(
      r,
      { ...poisoned, name: 'mnist-cleaned', x: cx, y: cy, size: keep.length },
      test,
      target,
      o,
    );
    outcomes.push({
      detector: name,
      flagged,
      truePositives: tp,
      precision: flagged ? tp / flagged : 0,
      recall: count ? tp / count : 0,
      cleanAccuracy: after.cleanAccuracy,
      attackSuccess: after.attackSuccess,
    });
  }
  return {
    rate: o.rate,
    poisoned: count,
    trainSize: n,
    target,
    cleanAccuracy: first.cleanAccuracy,
    attackSuccess: first.attackSuccess,
    detectors: outcomes,
  };
}
