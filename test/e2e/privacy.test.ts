import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Black-box: DP-SGD training, the membership audit of what it wrote, and the data privacy commands.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-privacy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 200_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('warden train --dp and warden audit membership', () => {
  const dp = join(tmp, 'dp.onnx');
  const plain = join(tmp, 'plain.onnx');

  it('trains with DP-SGD at a target epsilon, prints epsilon per epoch and writes the evidence report', () => {
    const r = warden(
      [
        'train',
        '--model',
        'mnist-mlp',
        '--dp',
        '--target-epsilon',
        '3',
        '--epochs',
        '2',
        '--batch-size',
        '256',
      ].concat(['--optimizer', 'sgd', '--lr', '1', '--max-grad-norm', '1', '--out', dp]),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/epoch 1: loss [\d.]+, epsilon [\d.]+ at delta 0\.00001/);
    expect(r.err).toMatch(/epoch 2: loss [\d.]+, epsilon 2\.9\d\d at delta/);
    const report = JSON.parse(readFileSync(join(tmp, 'dp.dp.json'), 'utf8')) as {
      kind: string;
      subject: { digest: string };
      metrics: Record<string, number>;
    };
    expect(report.kind).toBe('privacy.dp-training');
    expect(report.subject.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(report.metrics.epsilon).toBeLessThanOrEqual(3);
    expect(report.metrics.steps).toBe(62); // int(2 / (256 / 8000))
    expect(report.metrics.testAccuracy).toBeGreaterThan(0.5);
  });

  it('audits a non-private and the DP model side by side, with the claimed epsilon', () => {
    expect(warden(['train', '--model', 'mnist-mlp', '--epochs', '1', '--out', plain]).code).toBe(0);
    const r = warden(
      ['audit', 'membership', '--model', plain, dp, '--train', 'mnist', '--holdout', 'mnist'].concat([
        '--no-shadow',
        '--bootstrap',
        '50',
        '--max-examples',
        '500',
        '-f',
        'json',
      ]),
    );
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out) as { kind: string; metrics: Record<string, number> };
    expect(rep.kind).toBe('privacy.membership-audit');
    expect(rep.metrics.members).toBe(500);
    expect(rep.metrics['dp.onnx.epsilon']).toBeLessThanOrEqual(3);
    for (const m of ['plain.onnx', 'dp.onnx']) {
      const auc = rep.metrics[`${m}.loss.auc`]!;
      expect(auc).toBeGreaterThan(0);
      expect(rep.metrics[`${m}.loss.auc.lo`]).toBeLessThanOrEqual(auc);
      expect(rep.metrics[`${m}.loss.tprAt1.hi`]).toBeGreaterThanOrEqual(rep.metrics[`${m}.loss.tprAt1`]!);
    }
  });

  it('a noise seed makes a run reproducible; the worker draws the same noise as the main thread would', async () => {
    const run = (out: string) =>
      warden(
        [
          'train',
          '--model',
          'mnist-mlp',
          '--dp',
          '--noise-multiplier',
          '1',
          '--epochs',
          '0.2',
          '--noise-seed',
          's',
        ].concat(['--out', out, '--json']),
      );
    const [a, b] = [join(tmp, 'a.onnx'), join(tmp, 'b.onnx')];
    expect(run(a).code).toBe(0);
    expect(run(b).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const dist = new URL('../../dist/privacy/index.js', import.meta.url).href;
    const { noiseSource } = (await import(dist)) as typeof import('../../src/privacy/index.js');
    const worker = noiseSource(1000, 'x', false);
    const inline = noiseSource(1000, 'x', true);
    for (let step = 0; step < 3; step++) {
      expect(Array.from(worker.take())).toEqual(Array.from(inline.take()));
      worker.release();
      inline.release();
    }
    await worker.close();
  });

  it('refuses bad DP and audit flags with exit 2', () => {
    const base = ['train', '--model', 'mnist-mlp', '--dp', '--out', join(tmp, 'x.onnx')];
    expect(warden(base).err).toMatch(/exactly one of --noise-multiplier and --target-epsilon/);
    expect(warden([...base, '--noise-multiplier', '-1']).code).toBe(2);
    expect(warden([...base, '--noise-multiplier', '1', '--delta', '2']).code).toBe(2);
    expect(warden([...base, '--noise-multiplier', '1', '--adv', 'pgd', '--eps', '0.1']).code).toBe(2);
    const a = warden([
      'audit',
      'membership',
      '--model',
      join(tmp, 'missing.onnx'),
      '--train',
      'mnist',
      '--holdout',
      'mnist',
    ]);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/cannot read/);
  });
});

describe('warden data', () => {
  const csv = join(tmp, 'people.csv');
  writeFileSync(
    csv,
    'name,email,zip,age,diagnosis,note\r\n' +
      'Jane Doe,jane.doe@example.com,02139,34,flu,"called from +1 617 555 0134, twice"\r\n' +
      'John Roe,john@corp.org,02139,34,flu,ok\r\n' +
      'Al Smith,al@x.io,02140,51,"cold, mild",card 4111 1111 1111 1111\r\n',
  );

  it('scan reports PII per column without any value in the report', () => {
    const r = warden(['data', 'scan', csv, '-f', 'json']);
    expect(r.code).toBe(1); // a card number is high severity
    const rep = JSON.parse(r.out) as {
      findings: { title: string; detail: string }[];
      metrics: Record<string, number>;
    };
    expect(rep.metrics['email.withPii']).toBe(3);
    expect(rep.metrics['zip.withPii']).toBe(0);
    expect(rep.findings.map((f) => f.detail).join()).toMatch(/EMAIL_ADDRESS 3/);
    for (const secret of ['jane.doe', '617 555', '4111', 'Jane Doe']) expect(r.out).not.toContain(secret);
  });

  it('check computes k-anonymity and l-diversity', () => {
    const r = warden([
      'data',
      'check',
      csv,
      '--quasi-identifiers',
      'zip,age',
      '--sensitive',
      'diagnosis',
      '-f',
      'json',
    ]);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.out) as { metrics: Record<string, number> };
    expect(rep.metrics).toMatchObject({
      rows: 3,
      classes: 2,
      k: 1,
      rowsBelowK: 3,
      distinctL: 1,
      entropyL: 1,
    });
  });

  it('protect encrypts columns that reveal restores with the key; hmac pseudonyms are stable', () => {
    const key = join(tmp, 'data.key');
    const enc = join(tmp, 'enc.csv');
    const back = join(tmp, 'back.csv');
    expect(
      warden([
        'data',
        'protect',
        csv,
        '--columns',
        'email,note',
        '--mode',
        'encrypt',
        '--key',
        key,
        '--create-key',
        '--out',
        enc,
      ]).code,
    ).toBe(0);
    const text = readFileSync(enc, 'utf8');
    expect(text).not.toContain('jane.doe');
    expect(text).toContain('wenc:v1:');
    expect(warden(['data', 'reveal', enc, '--columns', 'email,note', '--key', key, '--out', back]).code).toBe(
      0,
    );
    const scan = (p: string) =>
      JSON.parse(warden(['data', 'scan', p, '-f', 'json']).out) as { metrics: unknown };
    expect(scan(back).metrics).toEqual(scan(csv).metrics);
    expect(readFileSync(back, 'utf8')).toContain('"called from +1 617 555 0134, twice"');
    const other = join(tmp, 'other.key');
    writeFileSync(other, 'ab'.repeat(32));
    const wrong = warden([
      'data',
      'reveal',
      enc,
      '--columns',
      'email',
      '--key',
      other,
      '--out',
      join(tmp, 'no.csv'),
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/PRIVACY_DECRYPT_FAILED/);
    const h1 = join(tmp, 'h1.csv');
    expect(warden(['data', 'protect', csv, '--columns', 'zip', '--key', key, '--out', h1]).code).toBe(0);
    const zips = readFileSync(h1, 'utf8')
      .split('\r\n')
      .slice(1, 3)
      .map((l) => l.split(',')[2]);
    expect(zips[0]).toMatch(/^pseu:/);
    expect(zips[0]).toBe(zips[1]);
  });

  it('malformed input exits 2 with a typed error and writes nothing', () => {
    const broken = join(tmp, 'broken.csv');
    writeFileSync(broken, 'a,b\n"x"y,z\n');
    const r = warden(['data', 'scan', broken]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PRIVACY_DATA_INVALID: CSV line 2/);
    const p = warden([
      'data',
      'protect',
      broken,
      '--columns',
      'a',
      '--key',
      join(tmp, 'data.key'),
      '--out',
      join(tmp, 'p.csv'),
    ]);
    expect(p.code).toBe(2);
    expect(() => readFileSync(join(tmp, 'p.csv'))).toThrow();
    expect(warden(['data', 'scan', join(tmp, 'people.txt')]).code).toBe(2);
  });
});
