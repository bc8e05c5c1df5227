// Robustness engine speed: one training step and one PGD-10 attack of the benchmark CNN (conv32-3x3, pool,
// conv64-3x3, pool, dense128, dense10) at batch 128, against PyTorch doing the same work in the same run
// (when python3 with torch is installed, or PYTHON=/path/to/python has it; Python is never a Warden dependency).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { arg, median } from './lib.mjs';
import { Model, Session, trainStepGraph, modelTarget, findAttack } from '../dist/robustness/index.js';

const PGD = findAttack('pgd');

const threads = Number(arg('--threads', '2'));
const reps = Number(arg('--reps', '10'));
const N = 128;
const model = Model.create('mnist-cnn', 0);
const x = Float32Array.from({ length: N * 784 }, (_, k) => ((k * 2654435761) % 1000) / 1000);
const y = Uint8Array.from({ length: N }, (_, k) => k % 10);

const step = trainStepGraph(model);
const s = await Session.create(step.bytes, { threads });
const onehot = new Float32Array(N * 10);
y.forEach((c, i) => (onehot[i * 10 + c] = 1));
const feeds = { x: { data: x, dims: [N, 1, 28, 28] }, y: { data: onehot, dims: [N, 10] } };
for (const p of model.params) feeds[p.name] = { data: p.data, dims: p.dims };
// a full step as train() takes it: loss and gradients in onnxruntime, then Adam on every weight in TypeScript
const adamM = model.params.map((p) => new Float32Array(p.data.length));
const adamV = model.params.map((p) => new Float32Array(p.data.length));
let t = 0;
async function trainStep() {
  const out = await s.run(feeds);
  t++;
  model.params.forEach((p, k) => {
    const g = out[step.grads[k]].data;
    const m = adamM[k];
    const v = adamV[k];
    const c1 = 1 - 0.9 ** t;
    const c2 = 1 - 0.999 ** t;
    for (let i = 0; i < g.length; i++) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      p.data[i] -= (1e-3 * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
    }
  });
}
const target = await modelTarget(model, threads);
const params = {
  eps: 0.3,
  norm: 'inf',
  steps: 10,
  randomStart: true,
  restarts: 1,
  seed: 0,
  clipMin: 0,
  clipMax: 1,
};
const pgdRun = () => PGD.run(target, x, y, N, params);
// a white-box target keeps its step session between attack calls; a cold run on a fresh target also builds it
async function pgdCold() {
  const cold = await modelTarget(model, threads);
  const t0 = performance.now();
  await PGD.run(cold, x, y, N, params);
  const ms = performance.now() - t0;
  await cold.close();
  return ms;
}

// PyTorch runs as a server process that times one piece of work per request, so that warden and torch
// measurements alternate and a busy machine slows both alike
const py = `
import sys, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(${threads}); torch.manual_seed(0)
m = nn.Sequential(nn.Conv2d(1,32,3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32,64,3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600,128), nn.ReLU(), nn.Linear(128,10))
x = torch.rand(${N},1,28,28); y = torch.arange(${N}) % 10
opt = torch.optim.Adam(m.parameters(), 1e-3)
def step():
    opt.zero_grad(); F.cross_entropy(m(x), y).backward(); opt.step()
def pgd():
    xa = (x + torch.empty_like(x).uniform_(-0.3, 0.3)).clamp(0, 1)
    for _ in range(10):
        xa.requires_grad_(True)
        g, = torch.autograd.grad(F.cross_entropy(m(xa), y, reduction='sum'), xa)
        xa = torch.min(torch.max(xa.detach() + 0.075 * g.sign(), x - 0.3), x + 0.3).clamp(0, 1)
    return xa
print('ready', flush=True)
for line in sys.stdin:
    f = step if line.strip() == 'step' else pgd
    t = time.perf_counter(); f(); print((time.perf_counter() - t) * 1000, flush=True)
`;
const python = process.env.PYTHON ?? 'python3';
const child = spawn(python, ['-c', py], { stdio: ['pipe', 'pipe', 'pipe'] });
const lines = [];
let waiting;
let stderr = '';
child.stderr.on('data', (c) => (stderr += c));
createInterface({ input: child.stdout }).on('line', (l) => {
  lines.push(l);
  waiting?.();
});
let closed = false;
const finish = () => {
  closed = true;
  waiting?.();
};
child.on('close', finish);
child.on('error', (e) => {
  stderr += String(e);
  finish();
});
const nextLine = () =>
  new Promise((resolve) => {
    const take = () => (lines.length ? resolve(lines.shift()) : closed ? resolve(null) : (waiting = take));
    take();
  });
const ready = (await nextLine()) === 'ready';
async function torchMs(what) {
  child.stdin.write(`${what}\n`);
  return Number(await nextLine());
}

async function measure(fn, what, timesItself = false) {
  const w = [];
  const t = [];
  for (let i = 0; i < reps + 2; i++) {
    const t0 = performance.now();
    const own = await fn();
    const ms = timesItself ? own : performance.now() - t0;
    const tm = ready ? await torchMs(what) : NaN;
    if (i >= 2) {
      w.push(ms);
      t.push(tm);
    }
  }
  return [median(w), ready ? median(t) : null];
}

const [trainMs, torchTrain] = await measure(trainStep, 'step');
const [pgdMs, torchPgd] = await measure(pgdRun, 'pgd');
const [coldMs, torchCold] = await measure(pgdCold, 'pgd', true);
const torch = ready ? [torchTrain, torchPgd, torchCold] : null;
if (!closed) child.stdin.end();
console.log(
  `benchmark CNN, batch ${N}, ${threads} threads, median of ${reps} (warden and torch alternating)`,
);
console.log(
  `warden train step  ${trainMs.toFixed(1)} ms` +
    (torch ? `   torch ${torch[0].toFixed(1)} ms   ratio ${(trainMs / torch[0]).toFixed(2)}x` : ''),
);
console.log(
  `warden PGD-10      ${pgdMs.toFixed(1)} ms` +
    (torch ? `   torch ${torch[1].toFixed(1)} ms   ratio ${(pgdMs / torch[1]).toFixed(2)}x` : ''),
);
console.log(
  `warden PGD-10 cold ${coldMs.toFixed(1)} ms` +
    (torch ? `   torch ${torch[2].toFixed(1)} ms   ratio ${(coldMs / torch[2]).toFixed(2)}x` : '') +
    '   (fresh target: includes building the step session)',
);
if (!torch)
  console.log(`(no PyTorch baseline: ${stderr.split('\n').filter(Boolean).pop() ?? 'python3 not found'})`);
await s.release();
await target.close();
