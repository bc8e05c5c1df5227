import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/robustness/index.js';

// Black-box: the built CLI trains a model, attacks the ONNX file it wrote, and certifies radii.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-rob-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('warden train / attack / certify', () => {
  const model = join(tmp, 'mlp.onnx');

  it('trains a model on the shipped digits and writes ONNX', () => {
    const r = warden(['train', '--model', 'mnist-mlp', '--epochs', '1', '--out', model, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as { testAccuracy: number; epochLoss: number[]; out: string };
    expect(s.testAccuracy).toBeGreaterThan(0.85);
    expect(s.epochLoss).toHaveLength(1);
  });

  it('attacks the ONNX file: PGD at eps 0.3 breaks an undefended model', () => {
    const r = warden([
      'attack',
      '--model',
      model,
      '--eps',
      '0.3',
      '--limit',
      '100',
      '--steps',
      '5',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as Record<string, number>;
    expect(rep.cleanAccuracy).toBeGreaterThan(0.8);
    expect(rep.robustAccuracy).toBeLessThan(0.05);
    expect(rep.maxPerturbation).toBeLessThanOrEqual(0.3 + 1e-6);
    const gate = warden([
      'attack',
      '--model',
      model,
      '--eps',
      '0.3',
      '--limit',
      '50',
      '--attack',
      'fgsm',
      '--json',
      '--min-robust-accuracy',
      '0.5',
    ]);
    expect(gate.code).toBe(1);
  });

  it('prints certified radii and ABSTAIN as null', () => {
    const ok = warden([
      'certify',
      'radius',
      '--n',
      '100000',
      '--na',
      '99000',
      '--alpha',
      '0.001',
      '--sigma',
      '0.25',
    ]);
    expect(ok.code).toBe(0);
    const c = JSON.parse(ok.out) as { pALower: number; radius: number };
    expect(Math.abs(c.radius - 0.5724999888034416)).toBeLessThan(1e-9);
    expect(
      JSON.parse(warden(['certify', 'radius', '--n', '100', '--na', '50', '--sigma', '0.25']).out),
    ).toMatchObject({ radius: null });
  });

  it('bad input exits 2 with a typed error', () => {
    const junk = join(tmp, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    for (const args of [
      ['attack', '--model', junk, '--eps', '0.1'],
      ['attack', '--model', join(tmp, 'missing.onnx'), '--eps', '0.1'],
      ['attack', '--model', model, '--eps', '-1'],
      ['train', '--model', 'resnet-9000', '--out', join(tmp, 'x.onnx')],
      ['certify', 'radius', '--n', '10', '--na', '11', '--sigma', '1'],
      ['attack', '--model', model, '--eps', '0.1', '--data', junk],
    ]) {
      const r = warden(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/error [A-Z_]+:/);
    }
  });

  it('attack --json prints the issue keys, a curve and the per-class numbers; --report writes the evidence', () => {
    const reportFile = join(tmp, 'report.json');
    const r = warden([
      'attack',
      '--model',
      model,
      '--attack',
      'apgd-ce',
      '--eps',
      '0.05,0.2',
      '--limit',
      '60',
      '--steps',
      '5',
      '--json',
      '--report',
      reportFile,
    ]);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out) as Record<string, unknown> & {
      curve: { eps: number; robustAccuracy: number }[];
      perClass: unknown[];
    };
    for (const k of [
      'cleanAccuracy',
      'robustAccuracy',
      'robustAccuracyOfCorrect',
      'attackSuccessRate',
      'maxPerturbation',
      'meanPerturbation',
    ])
      expect(typeof rep[k], k).toBe('number');
    expect(rep.eps).toBe(0.2);
    expect(rep.curve.map((c) => c.eps)).toEqual([0.05, 0.2]);
    expect(rep.curve[1]!.robustAccuracy).toBeLessThanOrEqual(rep.curve[0]!.robustAccuracy);
    expect(rep.perClass).toHaveLength(10);
    const evidence = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      kind: string;
      metrics: Record<string, number>;
      subject: { digest: string };
    };
    expect(evidence.kind).toBe('robustness');
    expect(evidence.subject.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(evidence.metrics['robustAccuracy@eps=0.05']).toBe(rep.curve[0]!.robustAccuracy);
    expect(evidence.metrics['class.7.robustAccuracy']).toBeTypeOf('number');
  });

  it('prints the report as SARIF and fails the gate with exit 1', () => {
    const r = warden([
      'attack',
      '--model',
      model,
      '--attack',
      'deepfool',
      '--norm',
      '2',
      '--eps',
      '2',
      '--limit',
      '40',
      '--format',
      'sarif',
      '--min-robust-accuracy',
      '0.9',
    ]);
    expect(r.code, r.err).toBe(1);
    const sarif = JSON.parse(r.out) as { runs: { results: { ruleId: string; level: string }[] }[] };
    expect(
      sarif.runs[0]!.results.some((x) => x.ruleId === 'robustness.below-threshold' && x.level === 'error'),
    ).toBe(true);
  });

  it('attacks through an input-transformation defense and on Fashion-MNIST data', () => {
    const r = warden([
      'attack',
      '--model',
      model,
      '--attack',
      'fgsm',
      '--eps',
      '0.1',
      '--defense',
      'bits:2,median:2',
      '--limit',
      '40',
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { cleanAccuracy: number }).cleanAccuracy).toBeGreaterThan(0.5);
    const fm = join(tmp, 'fashion.onnx');
    const t = warden([
      'train',
      '--model',
      'mnist-mlp',
      '--data',
      'fashion-mnist',
      '--epochs',
      '2',
      '--out',
      fm,
      '--json',
    ]);
    expect(t.code, t.err).toBe(0);
    expect((JSON.parse(t.out) as { testAccuracy: number }).testAccuracy).toBeGreaterThan(0.6);
  });

  it('certifies with randomized smoothing on the model (CERTIFY and PREDICT)', () => {
    const r = warden([
      'certify',
      '--model',
      model,
      '--sigma',
      '0.25',
      '--limit',
      '5',
      '--n0',
      '20',
      '--n',
      '200',
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    const c = JSON.parse(r.out) as {
      certifiedAccuracy: { radius: number; accuracy: number }[];
      results: { nA: number; radius: number | null; pALower: number }[];
    };
    expect(c.results).toHaveLength(5);
    for (const x of c.results) {
      const ref = JSON.parse(
        warden(['certify', 'radius', '--n', '200', '--na', String(x.nA), '--sigma', '0.25']).out,
      ) as { pALower: number; radius: number | null };
      expect(x.pALower).toBe(ref.pALower);
      expect(x.radius).toBe(ref.radius);
    }
    expect(c.certifiedAccuracy[0]!.radius).toBe(0);
    const p = warden([
      'certify',
      '--model',
      model,
      '--sigma',
      '0.25',
      '--limit',
      '3',
      '--n',
      '100',
      '--predict',
      '--json',
    ]);
    expect(
      (JSON.parse(p.out) as { mode: string; results: { pValue: number }[] }).results[0]!.pValue,
    ).toBeLessThan(0.001);
  });

  it('trains with TRADES from the CLI', () => {
    const r = warden([
      'train',
      '--model',
      'mnist-mlp',
      '--adv',
      'trades',
      '--eps',
      '0.1',
      '--adv-steps',
      '2',
      '--epochs',
      '1',
      '--out',
      join(tmp, 'trades.onnx'),
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { adversarial: { attack: string } }).adversarial.attack).toBe('trades');
  });

  it('refuses what cannot work with exit 2', () => {
    for (const args of [
      ['attack', '--model', model, '--attack', 'cw', '--norm', 'inf', '--eps', '0.1'],
      ['attack', '--model', model, '--attack', 'nope', '--eps', '0.1'],
      ['attack', '--url', 'http://127.0.0.1:9', '--model-name', 'm', '--attack', 'pgd', '--eps', '0.1'],
      ['attack', '--url', 'http://127.0.0.1:9', '--model-name', 'm', '--attack', 'square', '--eps', '0.1'],
      ['attack', '--eps', '0.1'],
      ['attack', '--model', model, '--eps', '0.1', '--defense', 'blur:3'],
      ['certify', '--model', model],
      ['train', '--model', 'mnist-cnn', '--adv', 'trades', '--out', join(tmp, 'y.onnx')],
    ]) {
      const r = warden(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/error [A-Z_]+:/);
    }
  });

  it('attacks a model behind an OIP v2 REST endpoint black-box (square)', async () => {
    const session = await Session.create(readFileSync(model));
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          if (req.method === 'GET' && req.url === '/v2/models/mlp') {
            res.end(
              JSON.stringify({
                name: 'mlp',
                inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 1, 28, 28] }],
                outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 10] }],
              }),
            );
            return;
          }
          const t = (
            JSON.parse(Buffer.concat(chunks).toString()) as { inputs: { shape: number[]; data: number[] }[] }
          ).inputs[0]!;
          const out = await session.run({ input: { data: Float32Array.from(t.data), dims: t.shape } });
          res.end(
            JSON.stringify({
              outputs: [
                {
                  name: 'logits',
                  datatype: 'FP32',
                  shape: out.logits!.dims,
                  data: Array.from(out.logits!.data as Float32Array),
                },
              ],
            }),
          );
        })();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // the CLI runs in a child process while this process serves it, so spawn asynchronously
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [
      CLI,
      'attack',
      '--url',
      url,
      '--model-name',
      'mlp',
      '--attack',
      'square',
      '--eps',
      '0.2',
      '--queries',
      '100',
      '--limit',
      '30',
      '--json',
    ]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    server.close();
    await session.release();
    expect(code).toBe(0);
    const rep = JSON.parse(out) as { cleanAccuracy: number; robustAccuracy: number; maxPerturbation: number };
    expect(rep.robustAccuracy).toBeLessThan(rep.cleanAccuracy);
    expect(rep.maxPerturbation).toBeLessThanOrEqual(0.2 + 1e-6);
  }, 120_000);
});
