import { WardenError } from '../../core/index.js';
import {
  certifiedRadius,
  certifySmoothed,
  loadDataset,
  onnxTarget,
  predictSmoothed,
} from '../../robustness/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { numberFlag, positiveInt } from '../flags.js';
import { dataSource, readModel } from './robustness-data.js';

export interface RadiusFlags {
  n: string;
  na: string;
  alpha: string;
  sigma: string;
}

/** Prints Cohen et al.'s certified L2 radius for nA of n noisy votes: {"pALower", "radius"} (radius null = ABSTAIN). */
export function runCertifyRadius(flags: RadiusFlags): ExitCode {
  const n = positiveInt('--n', flags.n) as number;
  const nA = flags.na === '0' ? 0 : (positiveInt('--na', flags.na) as number);
  const alpha = numberFlag('--alpha', flags.alpha, { min: 0, exclusiveMin: true, max: 0.5 }) as number;
  const sigma = numberFlag('--sigma', flags.sigma, { min: 0, exclusiveMin: true }) as number;
  process.stdout.write(`${JSON.stringify(certifiedRadius(n, nA, alpha, sigma))}\n`);
  return EXIT.ok;
}

export interface CertifyFlags {
  model?: string;
  data: string;
  labels?: string;
  shape?: string;
  labelColumn?: string;
  sigma?: string;
  n0?: string;
  n?: string;
  alpha?: string;
  predict?: boolean;
  limit?: string;
  batch?: string;
  seed?: string;
  threads?: string;
  json?: boolean;
}

const RADII = [0, 0.25, 0.5, 0.75, 1, 1.5, 2];

/** CERTIFY (or PREDICT) every example of a data set with a smoothed ONNX classifier; certified accuracy by radius. */
export async function runCertify(flags: CertifyFlags): Promise<ExitCode> {
  if (!flags.model)
    throw new WardenError('USAGE', 'certify needs --model FILE (or the radius subcommand)', {
      kind: 'usage',
    });
  const sigma = numberFlag('--sigma', flags.sigma, { min: 0, exclusiveMin: true });
  if (sigma === undefined) throw new WardenError('USAGE', 'certify needs --sigma', { kind: 'usage' });
  const o = {
    sigma,
    n0: positiveInt('--n0', flags.n0) ?? 100,
    n: positiveInt('--n', flags.n) ?? 1000,
    alpha: numberFlag('--alpha', flags.alpha, { min: 0, exclusiveMin: true, max: 0.5 }) ?? 0.001,
    batch: positiveInt('--batch', flags.batch) ?? 500,
  };
  const seed = flags.seed === undefined ? 0 : (numberFlag('--seed', flags.seed, { min: 0 }) ?? 0);
  const data = loadDataset(dataSource(flags), 'test');
  const limit = Math.min(positiveInt('--limit', flags.limit) ?? 100, data.size);
  const target = await onnxTarget(readModel(flags.model), positiveInt('--threads', flags.threads) ?? 1);
  const per = data.shape.reduce((a, b) => a * b, 1);
  const results: Record<string, unknown>[] = [];
  let abstain = 0;
  let correct = 0;
  const radii: number[] = [];
  const t0 = performance.now();
  try {
    for (let i = 0; i < limit; i++) {
      const x = data.x.slice(i * per, (i + 1) * per);
      const label = data.y[i] ?? 0;
      const r = flags.predict
        ? await predictSmoothed(target, x, { ...o, seed: seed + i })
        : await certifySmoothed(target, x, { ...o, seed: seed + i });
      if (r.prediction === null) abstain++;
      if (r.prediction === label) correct++;
      if ('radius' in r) radii.push(r.prediction === label ? (r.radius ?? -1) : -1);
      results.push({ index: i, label, ...r, correct: r.prediction === label });
      if (!flags.json)
        process.stderr.write(`\r${flags.predict ? 'predict' : 'certify'}: ${i + 1}/${limit} examples`);
    }
  } finally {
    await target.close();
  }
  if (!flags.json && process.stderr.isTTY) process.stderr.write('\n');
  const certifiedAccuracy = flags.predict
    ? undefined
    : RADII.map((radius) => ({ radius, accuracy: radii.filter((v) => v >= radius).length / limit }));
  const good = radii.filter((v) => v >= 0);
  const summary = {
    mode: flags.predict ? 'predict' : 'certify',
    sigma,
    n0: o.n0,
    n: o.n,
    alpha: o.alpha,
    examples: limit,
    accuracy: correct / limit,
    abstainRate: abstain / limit,
    ...(certifiedAccuracy
      ? {
          certifiedAccuracy,
          meanRadiusOfCorrect: good.length ? good.reduce((a, b) => a + b, 0) / good.length : 0,
        }
      : {}),
    seconds: (performance.now() - t0) / 1000,
    results,
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    process.stdout.write(
      `${summary.mode} sigma=${sigma} n0=${o.n0} n=${o.n} alpha=${o.alpha} on ${limit} examples: ` +
        `accuracy ${pct(summary.accuracy)}, abstain ${pct(summary.abstainRate)}\n` +
        (certifiedAccuracy
          ? `certified accuracy at L2 radius: ${certifiedAccuracy.map((c) => `${c.radius}: ${pct(c.accuracy)}`).join(', ')}\n`
          : ''),
    );
  }
  return EXIT.ok;
}
