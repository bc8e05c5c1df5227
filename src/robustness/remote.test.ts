import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { loadMnist, slice } from './data/dataset.js';
import { Session } from './engine/session.js';
import { Model } from './models/model.js';
import { train } from './train.js';
import { modelTarget } from './target.js';
import { httpTarget } from './remote.js';
import { evaluateAttack, findAttack, type AttackParams } from './attacks/index.js';

// A small but real Open Inference Protocol v2 REST server: onnxruntime runs the ONNX model it serves.
const { train: full, test: fullTest } = loadMnist();
const test = slice(fullTest, 0, 24);
const model = Model.create('mnist-mlp', 2);
let server: Server;
let base = '';
let session: Session;
let mode: 'ok' | 'error' | 'garbage' | 'huge' = 'ok';

beforeAll(async () => {
  await train(model, slice(full, 0, 1500), { epochs: 3, seed: 4 });
  session = await Session.create(model.toOnnx());
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.url === '/v2/models/digits' && req.method === 'GET') {
          res.end(
            JSON.stringify({
              name: 'digits',
              platform: 'onnxruntime_onnx',
              inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 1, 28, 28] }],
              outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 10] }],
            }),
          );
          return;
        }
        if (req.url !== '/v2/models/digits/infer' || req.method !== 'POST') {
          res.writeHead(404).end('{"error":"not found"}');
          return;
        }
        if (mode === 'error') return void res.writeHead(500).end('{"error":"boom"}');
        if (mode === 'garbage') return void res.end('{"outputs":[{"name":"logits","data":["x"]}]}');
        if (mode === 'huge') return void res.end(`{"pad":"${'a'.repeat(2_000_000)}"}`);
        const body = JSON.parse(Buffer.concat(chunks).toString()) as {
          inputs: { name: string; shape: number[]; data: number[] }[];
        };
        const t = body.inputs[0]!;
        const out = await session.run({ input: { data: Float32Array.from(t.data), dims: t.shape } });
        const logits = out.logits!;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            model_name: 'digits',
            outputs: [
              {
                name: 'logits',
                datatype: 'FP32',
                shape: logits.dims,
                data: Array.from(logits.data as Float32Array),
              },
            ],
          }),
        );
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await session.release();
});

const p: AttackParams = {
  eps: 0.15,
  norm: 'inf',
  steps: 10,
  randomStart: false,
  restarts: 1,
  seed: 5,
  clipMin: 0,
  clipMax: 1,
  queries: 150,
};

describe('black-box attacks over OIP v2 HTTP', () => {
  it('reads the model metadata and gives the same scores as the model run locally', async () => {
    mode = 'ok';
    const remote = await httpTarget({ url: base, model: 'digits', batch: 7 });
    expect(remote).toMatchObject({ input: [1, 28, 28], classes: 10 });
    const local = await modelTarget(model);
    const x = test.x.slice(0, 784 * 10);
    const a = await remote.logits(x, 10);
    const b = await local.logits(x, 10);
    for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k]!, 4);
    await local.close();
  });

  it.each(['square', 'hopskipjump'])(
    '%s attacks the served model as it attacks the local one',
    async (name) => {
      mode = 'ok';
      const attack = findAttack(name)!;
      const remote = await httpTarget({ url: base, model: 'digits' });
      const local = await modelTarget(model);
      const r = await evaluateAttack(remote, attack, test, p);
      const l = await evaluateAttack(local, attack, test, p);
      expect(r.robustAccuracy).toBeLessThan(r.cleanAccuracy);
      expect(r.maxPerturbation).toBeLessThanOrEqual(p.eps * (1 + 1e-5));
      // same seed, same scores (float32 through JSON): the same attack trajectory
      expect(r.robustAccuracy).toBeCloseTo(l.robustAccuracy, 1);
      expect(remote.queries).toBeGreaterThan(test.size);
      await local.close();
    },
    120_000,
  );

  it('fails with typed errors on server errors, malformed answers, oversized answers and no server', async () => {
    const remote = await httpTarget({ url: base, model: 'digits', maxResponseBytes: 1_000_000 });
    const x = test.x.slice(0, 784);
    for (const m of ['error', 'garbage', 'huge'] as const) {
      mode = m;
      const e = await remote.logits(x, 1).catch((err: unknown) => err);
      expect(isWardenError(e) && e.code, m).toBe('UPSTREAM_MODEL_ERROR');
    }
    mode = 'ok';
    const missing = await httpTarget({ url: base, model: 'nope' }).catch((err: unknown) => err);
    expect(isWardenError(missing) && missing.message).toMatch(/404/);
    const down = await httpTarget({ url: 'http://127.0.0.1:9', model: 'digits', timeoutMs: 2000 }).catch(
      (err: unknown) => err,
    );
    expect(isWardenError(down) && down.code).toBe('UPSTREAM_MODEL_ERROR');
    const pgd = await findAttack('pgd')!
      .run(remote, x, test.y.subarray(0, 1), 1, p)
      .catch((err: unknown) => err);
    expect(isWardenError(pgd) && pgd.code).toBe('MODEL_INVALID');
  });
});
