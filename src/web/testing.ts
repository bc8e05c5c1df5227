import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { ApiKeys, openGatewayStore, type GatewayConfigInput, type Role } from '../gateway/index.js';
import { dpEvidenceReport, dpTrain, membershipAudit } from '../privacy/index.js';
import { Registry, registerModel } from '../registry/index.js';
import {
  Model,
  argmax,
  attackSummary,
  findAttack,
  loadMnist,
  onnxTarget,
  robustnessCurve,
  robustnessReport,
  slice,
  type AttackParams,
} from '../robustness/index.js';

/** What `seedDashboard` wrote: the store, an API key per role, and a gateway config serving the model. */
export interface DashboardSeed {
  store: string;
  keys: Record<Role, string>;
  modelPath: string;
  config: GatewayConfigInput;
}

const EXAMPLE = fileURLToPath(new URL('../../examples/mnist-mlp.onnx', import.meta.url));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A PyTorch-style zip whose pickle calls os.system: what the scanner must flag, with member and offset. */
function suspiciousCheckpoint(): Uint8Array {
  const pickle = Buffer.concat([
    Buffer.from([0x80, 0x02]),
    Buffer.from('cos\nsystem\n'),
    Buffer.from([0x58, 2, 0, 0, 0]),
    Buffer.from('id'),
    Buffer.from([0x85, 0x52, 0x2e]),
  ]);
  return zipSync({ 'archive/data.pkl': pickle, 'archive/version': Buffer.from('3\n') }, { level: 0 });
}

const ATTACK: Omit<AttackParams, 'eps'> = {
  norm: 'inf',
  steps: 5,
  randomStart: false,
  restarts: 1,
  seed: 1,
  clipMin: 0,
  clipMax: 1,
};

/** Robustness evidence by a real attack run: the report, its curve, and a few adversarial digits. */
async function robustness(bytes: Uint8Array, path: string, attackName: string, n: number) {
  const attack = findAttack(attackName)!;
  const data = slice(loadMnist().test, 0, n, 'mnist-test');
  const target = await onnxTarget(bytes);
  try {
    const startedAt = new Date().toISOString();
    const { curve, reports } = await robustnessCurve(
      target,
      attack,
      data,
      { ...ATTACK, eps: 0 },
      [0.02, 0.05, 0.1, 0.15, 0.2],
    );
    const k = 4;
    const x = data.x.slice(0, k * 784);
    const adv = await attack.run(target, x, data.y.subarray(0, k), k, { ...ATTACK, eps: 0.15 });
    const pred = argmax(await target.logits(adv, k), 10, k);
    const examples = Array.from({ length: k }, (_, i) => ({
      attack: attackName,
      eps: 0.15,
      shape: [28, 28],
      label: data.y[i],
      prediction: pred[i],
      clean: Array.from(x.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 1000) / 1000),
      adversarial: Array.from(adv.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 1000) / 1000),
    }));
    const report = robustnessReport({ model: path, digest: sha(bytes), data: data.name, startedAt }, reports);
    return { ...report, curve, examples };
  } finally {
    await target.close();
  }
}

/**
 * Fills a SQLite store in `dir` with real evidence, as a small version of `npm run demo` would: the shipped
 * MNIST MLP registered and scanned, FGSM and PGD curves on shipped digits, a DP-SGD model trained for a few
 * steps with its privacy report, a membership audit of both, a checkpoint the scanner flags, a promotion
 * policy and an approval; plus one API key per gateway role. Takes a few seconds.
 */
export async function seedDashboard(dir: string, o: { examples?: number } = {}): Promise<DashboardSeed> {
  mkdirSync(dir, { recursive: true });
  const store = `sqlite:${join(dir, 'warden.db')}`;
  const n = o.examples ?? 200;
  const modelPath = join(dir, 'mnist-mlp.onnx');
  copyFileSync(EXAMPLE, modelPath);
  const bytes = readFileSync(modelPath);
  const reg = await Registry.open(store);
  try {
    const { train: trainSet, test: testSet } = loadMnist();
    for (const d of [trainSet, testSet])
      await reg.registerDataset(
        {
          name: d.name,
          digest: `sha256:${sha(Buffer.concat([Buffer.from(d.x.buffer, d.x.byteOffset, d.x.byteLength), d.y]))}`,
          uri: 'data/mnist',
          size: d.size,
          format: 'idx',
        },
        'seed',
      );
    await reg.setPolicy(
      {
        version: 1,
        open: ['staging'],
        gates: {
          production: ['scan.verdict == pass', 'robustness.cleanAccuracy >= 0.8', { approvals: { min: 1 } }],
        },
      },
      'seed',
    );
    const v1 = await registerModel(reg, modelPath, {
      name: 'mnist-mlp',
      actor: 'seed',
      scan: true,
      datasets: [
        { ref: 'mnist-train', relation: 'trained_on' },
        { ref: 'mnist-test', relation: 'evaluated_on' },
      ],
    });
    for (const a of ['fgsm', 'pgd'])
      await reg.addEvidence(v1.version.ref, await robustness(bytes, modelPath, a, n), 'seed');
    // DP-SGD: a few real steps on shipped digits, so the privacy evidence is what the trainer reports
    const train = slice(loadMnist().train, 0, 600, 'mnist-train');
    const model = Model.create('mnist-mlp', 1);
    const startedAt = new Date().toISOString();
    const dp = await dpTrain(model, train, {
      epochs: 3,
      batchSize: 30,
      maxGradNorm: 1,
      noiseMultiplier: 1.1,
      delta: 1e-5,
      noiseSeed: 7,
      lr: 0.1,
    });
    const dpBytes = model.toOnnx();
    const dpPath = join(dir, 'mnist-mlp-dp.onnx');
    writeFileSync(dpPath, dpBytes);
    const v2 = await registerModel(reg, dpPath, {
      name: 'mnist-mlp',
      actor: 'seed',
      scan: true,
      datasets: [
        { ref: 'mnist-train', relation: 'trained_on' },
        { ref: 'mnist-test', relation: 'evaluated_on' },
      ],
      meta: { training: 'dp-sgd' },
    });
    await reg.addEvidence(
      v2.version.ref,
      dpEvidenceReport(
        {
          name: dpPath,
          bytes: dpBytes,
          architecture: 'mnist-mlp',
          examples: train.size,
          epochs: 3,
          batchSize: 30,
          testAccuracy: null,
          startedAt,
        },
        dp,
      ),
      'seed',
    );
    // one-budget outputs as `warden attack --json` prints them, read by the registry's attack adapter
    const dpTarget = await onnxTarget(dpBytes);
    try {
      const data = slice(loadMnist().test, 0, n, 'mnist-test');
      const { reports } = await robustnessCurve(
        dpTarget,
        findAttack('fgsm')!,
        data,
        { ...ATTACK, eps: 0 },
        [0.05, 0.1, 0.2],
      );
      for (const r of reports) await reg.addEvidence(v2.version.ref, attackSummary([r], []), 'seed');
    } finally {
      await dpTarget.close();
    }
    const audit = await membershipAudit(
      [
        { name: 'mnist-mlp', bytes },
        { name: 'mnist-mlp-dp', bytes: dpBytes, epsilon: dp.epsilon, delta: dp.delta },
      ],
      {
        members: slice(train, 0, 300),
        nonMembers: slice(loadMnist().test, 1000, 1300),
        bootstrap: 50,
        seed: 1,
      },
    );
    for (const ref of [v1.version.ref, v2.version.ref]) await reg.addEvidence(ref, audit.report, 'seed');
    const ckpt = join(dir, 'legacy-checkpoint.pt');
    writeFileSync(ckpt, suspiciousCheckpoint());
    await registerModel(reg, ckpt, { name: 'legacy-checkpoint', actor: 'seed', scan: true });
    await reg.approve(v1.version.ref, { principal: 'carol', role: 'auditor', comment: 'evidence reviewed' });
    await reg.promote(v1.version.ref, 'staging', 'seed');
  } finally {
    await reg.close();
  }
  const s = await openGatewayStore(store);
  const keys = {} as Record<Role, string>;
  try {
    const api = new ApiKeys(s);
    for (const role of ['viewer', 'data_scientist', 'ml_engineer', 'auditor', 'admin'] as const)
      keys[role] = (await api.create(`${role.replace('_', '-')}@example.org`, role)).key;
  } finally {
    await s.close();
  }
  const reference = join(dir, 'drift-reference.json');
  const ref = slice(loadMnist().train, 0, 40);
  writeFileSync(
    reference,
    JSON.stringify(
      Array.from({ length: ref.size }, (_, i) => Array.from(ref.x.subarray(i * 784, (i + 1) * 784))),
    ),
  );
  return {
    store,
    keys,
    modelPath,
    config: {
      host: '127.0.0.1',
      port: 0,
      store,
      models: {
        'mnist-mlp': {
          path: modelPath,
          extraction: { minQueries: 20, window: 50 },
          drift: { reference, window: 10, every: 10 },
        },
      },
      // a guard in front of an upstream that blocked prompts never reach
      openai: { assistant: { url: 'http://127.0.0.1:9/v1' } },
    },
  };
}
