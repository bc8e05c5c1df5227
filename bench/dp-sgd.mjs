// DP-SGD step cost: one private step (Poisson sampling over the 8,000 shipped training digits, per-example
// clipping, secure Gaussian noise, update) against one ordinary step (fixed batch of the same expected
// size, same optimizer) of the same model, both timed in this run: `npm run bench -- dp-sgd`.
import { arg, median } from './lib.mjs';
import { Model, Session, adam, loadMnist, oneHot, trainStepGraph } from '../dist/robustness/index.js';
import { DpStepper } from '../dist/privacy/index.js';

const threads = Number(arg('--threads', '1'));
const reps = Number(arg('--reps', '50'));
const warmup = Number(arg('--warmup', '20'));
const B = Number(arg('--batch', '256'));
const models = arg('--models', 'mnist-mlp,mnist-cnn').split(',');
const { train } = loadMnist();

async function timeIt(fn) {
  // a training run takes thousands of steps: time the steady state, after the JIT has warmed the loops
  for (let i = 0; i < warmup; i++) await fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

const rows = [];
for (const name of models) {
  const plain = Model.create(name, 0);
  const step = trainStepGraph(plain);
  const s = await Session.create(step.bytes, { threads });
  // the ordinary step gathers its batch as train() does: B shuffled examples copied, labels one-hot
  const x = new Float32Array(B * 784);
  const yb = new Uint8Array(B);
  let cursor = 0;
  const m = plain.params.map((p) => new Float32Array(p.data.length));
  const v = plain.params.map((p) => new Float32Array(p.data.length));
  let t = 0;
  const plainMs = await timeIt(async () => {
    for (let k = 0; k < B; k++) {
      const i = (cursor = (cursor + 7919) % train.size);
      x.set(train.x.subarray(i * 784, (i + 1) * 784), k * 784);
      yb[k] = train.y[i];
    }
    const y = oneHot(yb, 10);
    const feeds = { x: { data: x, dims: [B, 1, 28, 28] }, y: { data: y, dims: [B, 10] } };
    for (const p of plain.params) feeds[p.name] = { data: p.data, dims: p.dims };
    const out = await s.run(feeds);
    t++;
    plain.params.forEach((p, k) => adam(p.data, out[step.grads[k]].data, m[k], v[k], 1e-3, t));
  });
  await s.release();

  const dp = async (inlineNoise) => {
    const stepper = await DpStepper.create(Model.create(name, 0), train, {
      batchSize: B,
      maxGradNorm: 1,
      noiseMultiplier: 1,
      optimizer: 'adam',
      threads,
      inlineNoise,
    });
    const ms = await timeIt(() => stepper.step());
    await stepper.close();
    return ms;
  };
  const dpMs = await dp(false);
  const inlineMs = await dp(true);
  rows.push({ model: name, params: plain.parameterCount, plainMs, dpMs, inlineMs, ratio: dpMs / plainMs });
}

console.log(
  `threads ${threads}, expected batch ${B} (q = ${B}/${train.size}), median of ${reps} steps after ${warmup} warm-up steps`,
);
console.log(
  '| model | weights | non-private step | DP-SGD step | DP / non-private | DP step, noise on the main thread |',
);
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.model} | ${r.params} | ${r.plainMs.toFixed(1)} ms | ${r.dpMs.toFixed(1)} ms | ${r.ratio.toFixed(2)} | ` +
      `${r.inlineMs.toFixed(1)} ms (${(r.inlineMs / r.plainMs).toFixed(2)}x) |`,
  );
