// Membership-inference audit of a non-private and two DP-SGD models side by side: `npm run bench -- mia`.
// The 10,000 shipped digits are split at random (seeded) into 5,000 members and 5,000 non-members, so
// both sides come from one distribution (contiguous blocks of MNIST come from different writers). The
// baseline of each attack is chance (AUC 0.5); for the DP models the guarantee caps TPR at e^eps * FPR + delta.
import { SecureRandom } from '../dist/core/index.js';
import { Model, accuracy, loadMnist, onnxClassifier, train } from '../dist/robustness/index.js';
import { dpTrain, membershipAudit } from '../dist/privacy/index.js';
import { arg } from './lib.mjs';

const epochs = Number(arg('--epochs', '30'));
const { train: a, test: b } = loadMnist();
const all = {
  ...a,
  name: 'mnist-10k',
  x: Float32Array.from([...a.x, ...b.x]),
  y: Uint8Array.from([...a.y, ...b.y]),
  size: a.size + b.size,
};
const rng = new SecureRandom('mia-split');
const order = Uint32Array.from({ length: all.size }, (_, k) => k);
for (let k = order.length - 1; k > 0; k--) {
  const j = Math.floor(rng.uniform() * (k + 1));
  [order[k], order[j]] = [order[j], order[k]];
}
const pick = (idx, name) => {
  const x = new Float32Array(idx.length * 784);
  const y = new Uint8Array(idx.length);
  idx.forEach((i, k) => {
    x.set(all.x.subarray(i * 784, (i + 1) * 784), k * 784);
    y[k] = all.y[i];
  });
  return { ...all, name, x, y, size: idx.length };
};
const members = pick(order.subarray(0, 5000), 'members');
const holdout = pick(order.subarray(5000), 'holdout');

const targets = [];
const plain = Model.create('mnist-mlp', 1);
await train(plain, members, { epochs, batchSize: 128, seed: 1 });
targets.push({ name: `non-private (adam, ${epochs} epochs)`, bytes: plain.toOnnx() });
for (const eps of [8, 1]) {
  const m = Model.create('mnist-mlp', 1);
  const r = await dpTrain(m, members, {
    epochs: 15,
    batchSize: 256,
    maxGradNorm: 1,
    targetEpsilon: eps,
    delta: 1e-5,
    optimizer: 'sgd',
    lr: 1,
  });
  targets.push({
    name: `DP-SGD eps ${r.epsilon.toFixed(2)}`,
    bytes: m.toOnnx(),
    epsilon: r.epsilon,
    delta: 1e-5,
  });
}
const audit = await membershipAudit(targets, {
  members,
  nonMembers: holdout,
  bootstrap: 200,
  seed: 1,
  shadow: { architecture: 'mnist-mlp', shadows: 4, epochs },
});
const iv = (i, pct) =>
  pct
    ? `${(i.value * 100).toFixed(2)}% [${(i.lo * 100).toFixed(2)}, ${(i.hi * 100).toFixed(2)}]`
    : `${i.value.toFixed(3)} [${i.lo.toFixed(3)}, ${i.hi.toFixed(3)}]`;
console.log(
  `members ${audit.evaluated.members} vs non-members ${audit.evaluated.nonMembers}, shadow pool ${audit.evaluated.shadowPool}; ` +
    `reference AUC ${iv(audit.reference.auc)}`,
);
console.log(
  '| model | test accuracy | attack | AUC | balanced accuracy | TPR @ 0.1% FPR | TPR @ 1% FPR | DP cap on TPR @ 1% FPR |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const [k, m] of audit.models.entries()) {
  const clf = await onnxClassifier(targets[k].bytes, [1, 28, 28], 10);
  const acc = await accuracy(clf, holdout);
  await clf.close();
  const cap =
    m.epsilon === undefined ? '-' : `${Math.min(100, (Math.exp(m.epsilon) * 0.01 + 1e-5) * 100).toFixed(2)}%`;
  for (const [name, r] of Object.entries(m.attacks))
    console.log(
      `| ${m.name} | ${(acc * 100).toFixed(2)}% | ${name} | ${iv(r.auc)} | ${iv(r.balancedAccuracy, true)} | ` +
        `${iv(r.tprAt01, true)} | ${iv(r.tprAt1, true)} | ${cap} |`,
    );
}
