#!/usr/bin/env node
// Poisoning benchmark: the MNIST backdoor experiment (3x3 trigger, label 0) at 1%, 5% and 10% poisoning:
// precision / recall of each detector's flags, clean accuracy and backdoor success after retraining without
// them; and each detector's time against the time to train the model once (measured in the same run).
//
//   npm run bench -- poison                  # rates 0.01,0.05,0.1, mnist-cnn, 2 epochs
//   npm run bench -- poison --rates 0.05 --arch mnist-mlp
import { arg } from './lib.mjs';

const m = await import('../dist/monitor/index.js');
const rates = arg('--rates', '0.01,0.05,0.1').split(',').map(Number);
const arch = arg('--arch', 'mnist-cnn');
const pct = (v) => `${(v * 100).toFixed(1)}`;
for (const rate of rates) {
  const e = await m.evaluateBackdoor({ rate, arch, onProgress: (msg) => process.stderr.write(`${msg}\n`) });
  console.log(
    `\nrate ${rate}: ${e.poisoned} of ${e.trainSize} training digits poisoned; ${arch} trained on them: clean accuracy ${pct(e.cleanAccuracy)}%, backdoor success ${pct(e.attackSuccess)}%`,
  );
  console.log(
    '| detector | flagged | precision % | recall % | clean acc. after % | backdoor success after % |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const d of e.detectors)
    console.log(
      `| ${d.detector} | ${d.flagged} | ${pct(d.precision)} | ${pct(d.recall)} | ${pct(d.cleanAccuracy)} | ${pct(d.attackSuccess)} |`,
    );
}
// detector cost against one training run, on the same activations
const r = await import('../dist/robustness/index.js');
const { train } = r.loadMnist();
const model = r.Model.create(arch, 0);
let t0 = performance.now();
await r.train(model, train, { epochs: 2 });
const trainMs = performance.now() - t0;
const acts = await r.penultimateActivations(model, train.x, train.size);
const f = { data: acts.data, dim: acts.dim, n: train.size };
console.log(
  `\n| detector | ms on 8,000 x ${acts.dim} activations | x one training run (${(trainMs / 1000).toFixed(1)} s) |`,
);
console.log('|---|---|---|');
for (const d of m.POISON_DETECTORS) {
  t0 = performance.now();
  d.detect(f, train.y, { expectedRate: 0.05 });
  const ms = performance.now() - t0;
  console.log(`| ${d.name} | ${ms.toFixed(0)} | ${(ms / trainMs).toFixed(3)} |`);
}
