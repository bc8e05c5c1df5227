#!/usr/bin/env node
// Federated benchmark: `warden fl simulate`'s grid (7 aggregators x 5 attacks x IID / non-IID) on the shipped
// MNIST digits, with final accuracy per cell (backdoor: accuracy / attack success), and the cost of each
// aggregator per round against plain averaging (FedAvg) measured in the same run on the same updates.
//
//   npm run bench -- fl                     # 20 clients, 4 Byzantine, 10 rounds
//   npm run bench -- fl --rounds 20
//   npm run bench -- fl --cost-only        # only the aggregation cost table
import { arg, median } from './lib.mjs';

const m = await import('../dist/monitor/index.js');
const r = await import('../dist/robustness/index.js');
const { seededRandom } = await import('../dist/core/index.js');
const rounds = Number(arg('--rounds', '10'));
const { train, test } = r.loadMnist();
const fl = (d) => ({ x: d.x, y: d.y, size: d.size, features: 784, classes: 10 });

// aggregation cost on 20 realistic updates (7850 weights), median of 20 runs
const rnd = seededRandom(1);
const updates = Array.from({ length: 20 }, () => Float32Array.from({ length: 7850 }, () => rnd() - 0.5));
const cost = {};
for (const a of m.AGGREGATORS) {
  const t = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    a.aggregate(updates, 4);
    t.push(performance.now() - t0);
  }
  cost[a.name] = median(t);
}
console.log('| aggregator | ms per round (20 clients, 7,850 weights) | x FedAvg |');
console.log('|---|---|---|');
for (const [k, v] of Object.entries(cost))
  console.log(`| ${k} | ${v.toFixed(2)} | ${(v / cost.fedavg).toFixed(1)} |`);

if (process.argv.includes('--cost-only')) process.exit(0);
const t0 = performance.now();
const results = m.simulateGrid(fl(train), fl(test), {
  rounds,
  attacks: arg('--attacks', undefined)?.split(','),
  onResult: (x) =>
    process.stderr.write(`${x.split} ${x.aggregator} ${x.attack} ${(x.accuracy * 100).toFixed(1)}\n`),
});
console.log(
  `\nfinal test accuracy (%) after ${rounds} rounds, 20 clients of which 4 Byzantine (${((performance.now() - t0) / 1000).toFixed(0)} s):\n`,
);
console.log(m.gridTable(results));
