import { seededRandom } from '../../core/index.js';
import { monitorError } from '../errors.js';
import { getAggregator, type AggregatorName } from './aggregators.js';
import { SoftmaxModel, type FlData } from './model.js';

export const FL_ATTACKS = ['none', 'sign_flip', 'gaussian', 'label_flip', 'scaled_backdoor'] as const;
export type FlAttack = (typeof FL_ATTACKS)[number];

export interface SimulationOptions {
  aggregator: AggregatorName;
  attack: FlAttack;
  split: 'iid' | 'non_iid';
  clients?: number;
  /** Byzantine clients (default 20% of clients; none attack under `none`); the aggregators assume this many. */
  byzantine?: number;
  rounds?: number;
  localEpochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
}

export interface SimulationResult {
  aggregator: AggregatorName;
  attack: FlAttack;
  split: 'iid' | 'non_iid';
  accuracy: number;
  /** Scaled backdoor only: share of triggered non-target test digits classified as the target. */
  attackSuccess?: number;
  history: number[];
}

/** Attack constants, documented with the results: sign flip sends -4x its honest update, Gaussian clients send N(0, 1) per coordinate. */
export const ATTACK_SETTINGS = {
  signFlipScale: -4,
  gaussianStd: 1,
  backdoorTarget: 0,
  backdoorShare: 0.5,
} as const;

/** A 3x3 white patch two pixels in from the bottom-right corner of a 28x28 image: the backdoor trigger. */
export function addTrigger(x: Float32Array, at: number, side = 28): void {
  for (let r = side - 5; r < side - 2; r++)
    for (let c = side - 5; c < side - 2; c++) x[at + r * side + c] = 1;
}

/** IID: a seeded shuffle cut into equal parts. Non-IID: McMahan et al.'s shards, two label-sorted shards per client. */
export function splitClients(
  data: FlData,
  clients: number,
  split: 'iid' | 'non_iid',
  rnd: () => number,
): number[][] {
  const idx = Array.from({ length: data.size }, (_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  const parts: number[][] = Array.from({ length: clients }, () => []);
  if (split === 'iid') {
    idx.forEach((r, k) => parts[k % clients]?.push(r));
    return parts;
  }
  idx.sort((a, b) => (data.y[a] as number) - (data.y[b] as number) || a - b);
  const shards = 2 * clients;
  const per = Math.floor(idx.length / shards);
  const order = Array.from({ length: shards }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  order.forEach((s, k) => parts[k % clients]?.push(...idx.slice(s * per, (s + 1) * per)));
  return parts;
}

/** Runs federated training of a softmax model with honest and Byzantine clients under one aggregator. */
export function simulate(train: FlData, test: FlData, o: SimulationOptions): SimulationResult {
  const n = o.clients ?? 20;
  // the defender's assumption f stays the same with or without an attack: 'none' shows what robustness costs
  const f = o.byzantine ?? Math.floor(n / 5);
  const rounds = o.rounds ?? 20;
  if (!(Number.isSafeInteger(n) && n > 0 && n <= train.size))
    throw monitorError('MONITOR_INVALID_OPTION', `clients must be between 1 and ${train.size}`);
  if (!(Number.isSafeInteger(f) && f >= 0 && f < n))
    throw monitorError('MONITOR_INVALID_OPTION', `byzantine must be in [0, ${n - 1}]`);
  if (!(Number.isSafeInteger(rounds) && rounds > 0))
    throw monitorError('MONITOR_INVALID_OPTION', 'rounds must be a positive integer');
  const agg = getAggregator(o.aggregator);
  const assumed = f;
  if (n < agg.minClients(assumed))
    throw monitorError(
      'MONITOR_INVALID_OPTION',
      `${agg.name} needs at least ${agg.minClients(assumed)} clients for ${assumed} Byzantine`,
    );
  const rnd = seededRandom(o.seed ?? 0);
  const model = new SoftmaxModel(train.features, train.classes);
  const parts = splitClients(train, n, o.split, rnd);
  const attacking = o.attack === 'none' ? 0 : f;
  // Byzantine clients own their shard too: label flipping and the backdoor train on an altered copy of
  // the data in which only the attackers' rows change
  let altered: FlData = train;
  if (attacking > 0 && (o.attack === 'label_flip' || o.attack === 'scaled_backdoor')) {
    const x = o.attack === 'scaled_backdoor' ? Float32Array.from(train.x) : train.x;
    const y = Uint8Array.from(train.y);
    for (let k = 0; k < attacking; k++)
      for (const r of parts[k] ?? []) {
        if (o.attack === 'label_flip') y[r] = train.classes - 1 - (train.y[r] as number);
        else if (rnd() < ATTACK_SETTINGS.backdoorShare) {
          addTrigger(x, r * train.features);
          y[r] = ATTACK_SETTINGS.backdoorTarget;
        }
      }
    altered = { ...train, x, y };
  }
  const clientData = parts.map((_, k) => (k < attacking ? altered : train));
  let w = new Float32Array(model.size);
  const history: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const updates = parts.map((rows, k) => {
      const local = model.train(
        w,
        clientData[k] as FlData,
        rows,
        o.localEpochs ?? 1,
        o.lr ?? 0.1,
        o.batchSize ?? 32,
        rnd,
      );
      const u = local.map((v, j) => v - (w[j] as number));
      if (k >= attacking) return u;
      switch (o.attack) {
        case 'sign_flip':
          return u.map((v) => v * ATTACK_SETTINGS.signFlipScale);
        case 'gaussian':
          return u.map(() => ATTACK_SETTINGS.gaussianStd * gauss(rnd));
        case 'scaled_backdoor':
          return u.map((v) => (v * n) / attacking);
        default:
          return u;
      }
    });
    const g = agg.aggregate(updates, assumed);
    w = w.map((v, j) => v + (g[j] as number));
    history.push(model.accuracy(w, test));
  }
  const result: SimulationResult = {
    aggregator: agg.name,
    attack: o.attack,
    split: o.split,
    accuracy: history[history.length - 1] as number,
    history,
  };
  if (o.attack === 'scaled_backdoor') result.attackSuccess = backdoorSuccess(model, w, test);
  return result;
}

function backdoorSuccess(model: SoftmaxModel, w: Float32Array, test: FlData): number {
  const x = Float32Array.from(test.x);
  let hit = 0;
  let total = 0;
  for (let i = 0; i < test.size; i++) {
    if (test.y[i] === ATTACK_SETTINGS.backdoorTarget) continue;
    addTrigger(x, i * test.features);
    total++;
    if (model.predict(w, { ...test, x }, i) === ATTACK_SETTINGS.backdoorTarget) hit++;
  }
  return hit / Math.max(1, total);
}

function gauss(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
