import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Black-box: the built CLI (npm test builds first), as a user runs it.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'dp', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const run = ['--sample-rate', '0.04', '--noise-multiplier', '1.5', '--delta', '1e-5'];

describe('warden dp', () => {
  it('epsilon --json: the Opacus RDP anchor, steps from epochs as Opacus', () => {
    // pytorch/opacus opacus/tests/accountants_test.py line 40: 7.32911117143.
    const r = warden(['epsilon', ...run, '--epochs', '90', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as {
      epsilon: number;
      bestOrder: number;
      steps: number;
      accountant: string;
    };
    expect(out).toMatchObject({ accountant: 'rdp', steps: 2250, bestOrder: 3.9 });
    expect(out.epsilon).toBeCloseTo(7.32911117143, 7);
  });

  it('epsilon with TF orders and the classic conversion prints the published 3.01', () => {
    // tensorflow/privacy tutorials/README.md (2019): eps = 3.01 for the MNIST tutorial settings.
    const args = [
      'epsilon',
      '--sample-rate',
      String(256 / 60000),
      '--noise-multiplier',
      '1.1',
      '--delta',
      '1e-5',
    ];
    const r = warden([...args, '--steps', '14063', '--orders', 'tf', '--conversion', 'classic']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^epsilon 3\.0092 at delta 0\.00001 \(rdp accountant, 14063 steps, best order 9\)\n$/,
    );
  });

  it('epsilon with PRV reports the bounds, GDP an epsilon alone, explicit orders work', () => {
    const prv = JSON.parse(
      warden(['epsilon', ...run, '--steps', '2249', '--accountant', 'prv', '--json']).out,
    ) as Record<string, number>;
    expect(prv.epsilon).toBeCloseTo(6.777395712150674, 7);
    expect(prv.lower).toBeLessThan(prv.estimate!);
    expect(prv.upper).toBe(prv.epsilon);
    const gdp = JSON.parse(
      warden(['epsilon', ...run, '--steps', '2249', '--accountant', 'gdp', '--json']).out,
    ) as Record<string, number>;
    expect(gdp.epsilon).toBeGreaterThan(6.59);
    expect(gdp.epsilon).toBeLessThan(6.6);
    expect(gdp.bestOrder).toBeUndefined();
    const list = JSON.parse(
      warden(['epsilon', ...run, '--steps', '2250', '--orders', '2,3.9,8', '--json']).out,
    ) as Record<string, number>;
    expect(list.bestOrder).toBe(3.9);
  });

  it('epsilon with PLD: the dp_accounting value TF Privacy asserts', () => {
    // tensorflow/privacy .../compute_dp_sgd_privacy_test.py line 90: 10.1224946 (noise 0.7, 2 steps, q=1).
    const r = warden(
      ['epsilon', '--accountant', 'pld', '--sample-rate', '1', '--noise-multiplier', '0.7'].concat([
        '--steps',
        '2',
        '--delta',
        '1e-5',
        '--json',
      ]),
    );
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { epsilon: number }).epsilon).toBeCloseTo(10.1224946, 7);
  });

  it('noise: Opacus get_noise_multiplier values, JSON and human output', () => {
    // accountants_test.py line 82: 1.416 (4 places) for epsilon 8, delta 1e-5, q 0.04, 90 epochs.
    const args = [
      'noise',
      '--target-epsilon',
      '8',
      '--delta',
      '1e-5',
      '--sample-rate',
      '0.04',
      '--epochs',
      '90',
    ];
    const r = warden([...args, '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { noiseMultiplier: number }).noiseMultiplier).toBeCloseTo(1.416, 4);
    const human = warden([...args, '--method', 'bisect']);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(
      /^noise multiplier 1\.415\d+ for epsilon <= 8 at delta 0\.00001 \(rdp accountant, 2250 steps\)\n$/,
    );
  });

  it('invalid parameters exit 2 with the error code and a clear message', () => {
    const cases: [string[], RegExp][] = [
      [
        ['epsilon', '--sample-rate', '1.5', '--noise-multiplier', '1', '--delta', '1e-5', '--steps', '10'],
        /PRIVACY_INVALID_SAMPLE_RATE: sample rate must be in \(0, 1\]/,
      ],
      [
        ['epsilon', '--sample-rate', '0.1', '--noise-multiplier', '0', '--delta', '1e-5', '--steps', '10'],
        /PRIVACY_INVALID_NOISE_MULTIPLIER/,
      ],
      [
        ['epsilon', '--sample-rate', '0.1', '--noise-multiplier', 'NaN', '--delta', '1e-5', '--steps', '10'],
        /--noise-multiplier must be a number/,
      ],
      [
        ['epsilon', '--sample-rate', '0.1', '--noise-multiplier', '1', '--delta', '1', '--steps', '10'],
        /PRIVACY_INVALID_DELTA/,
      ],
      [
        ['epsilon', '--sample-rate', '0.1', '--noise-multiplier', '1', '--delta', '1e-5', '--steps', '2.5'],
        /PRIVACY_INVALID_STEPS/,
      ],
      [
        ['epsilon', '--sample-rate', '0.1', '--noise-multiplier', '1', '--delta', '1e-5'],
        /exactly one of --steps and --epochs/,
      ],
      [
        [
          'epsilon',
          '--sample-rate',
          '0.1',
          '--noise-multiplier',
          '1',
          '--delta',
          '1e-5',
          '--steps',
          '9',
          '--orders',
          '',
        ],
        /PRIVACY_INVALID_ORDERS/,
      ],
      [
        [
          'epsilon',
          '--sample-rate',
          '0.1',
          '--noise-multiplier',
          '1',
          '--delta',
          '1e-5',
          '--steps',
          '9',
          '--accountant',
          'xyz',
        ],
        /Allowed choices/,
      ],
      [
        ['noise', '--target-epsilon', '1e-6', '--sample-rate', '1', '--delta', '1e-10', '--steps', '10'],
        /PRIVACY_BUDGET_UNREACHABLE/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = warden(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
  });
});
