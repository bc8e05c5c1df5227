import { readFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import { ATTACKS, evaluateAttack, findAttack, onnxTarget, resolveDataset } from '../../robustness/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { numberFlag, positiveInt } from '../flags.js';

export interface AttackFlags {
  model: string;
  data: string;
  labels?: string;
  attack: string;
  eps: string;
  norm: string;
  steps?: string;
  alpha?: string;
  restarts?: string;
  randomStart: boolean;
  limit?: string;
  seed?: string;
  threads?: string;
  minRobustAccuracy?: string;
  json?: boolean;
}

/** Attacks an ONNX classifier on a data set and prints clean vs robust accuracy (exit 1 under --min-robust-accuracy). */
export async function runAttack(flags: AttackFlags): Promise<ExitCode> {
  const attack = findAttack(flags.attack);
  if (!attack)
    throw new WardenError('USAGE', `--attack must be one of ${ATTACKS.map((a) => a.name).join(', ')}`, {
      kind: 'usage',
    });
  if (flags.norm !== 'inf' && flags.norm !== '2')
    throw new WardenError('USAGE', '--norm must be inf or 2', { kind: 'usage' });
  const eps = numberFlag('--eps', flags.eps, { min: 0, exclusiveMin: true }) as number;
  const alpha = numberFlag('--alpha', flags.alpha, { min: 0, exclusiveMin: true });
  const minRobust = numberFlag('--min-robust-accuracy', flags.minRobustAccuracy, { min: 0, max: 1 });
  let bytes: Buffer;
  try {
    bytes = readFileSync(flags.model);
  } catch (e) {
    throw new WardenError('NOT_FOUND', `cannot read model ${flags.model}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const data = resolveDataset(flags.data, flags.labels, 'test');
  const target = await onnxTarget(bytes, positiveInt('--threads', flags.threads) ?? 1);
  try {
    const report = await evaluateAttack(
      target,
      attack,
      data,
      {
        eps,
        norm: flags.norm,
        steps: positiveInt('--steps', flags.steps) ?? 10,
        ...(alpha === undefined ? {} : { alpha }),
        randomStart: flags.randomStart,
        restarts: positiveInt('--restarts', flags.restarts) ?? 1,
        seed: flags.seed === undefined ? 0 : (numberFlag('--seed', flags.seed, { min: 0 }) ?? 0),
        clipMin: 0,
        clipMax: 1,
      },
      {
        limit: positiveInt('--limit', flags.limit) ?? 500,
        onBatch: (done, total) => {
          if (!flags.json) process.stderr.write(`\r${attack.name}: ${done}/${total} examples`);
        },
      },
    );
    if (!flags.json) process.stderr.write('\n');
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
    if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else
      process.stdout.write(
        `${attack.name} eps=${eps} norm=${flags.norm} on ${report.examples} examples\n` +
          `  clean accuracy             ${pct(report.cleanAccuracy)}\n` +
          `  robust accuracy (all)      ${pct(report.robustAccuracy)}   (AutoAttack convention)\n` +
          `  robust accuracy (correct)  ${pct(report.robustAccuracyOfCorrect)}   (ART convention)\n` +
          `  attack success rate        ${pct(report.attackSuccessRate)}\n` +
          `  max perturbation           ${report.maxPerturbation.toFixed(4)}\n`,
      );
    return minRobust !== undefined && report.robustAccuracy < minRobust ? EXIT.findings : EXIT.ok;
  } finally {
    await target.close();
  }
}
