import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import { render, OutputFormatSchema } from '../../report/index.js';
import {
  ATTACKS,
  attackSummary,
  findAttack,
  httpTarget,
  loadDataset,
  onnxTarget,
  parseTransforms,
  robustnessCurve,
  robustnessReport,
  withTransforms,
  type AttackParams,
  type AttackTarget,
} from '../../robustness/index.js';
import { EXIT, exitCodeForVerdict, type ExitCode } from '../exit.js';
import { numberFlag, positiveInt } from '../flags.js';
import { dataSource, readModel } from './robustness-data.js';

export interface AttackFlags {
  model?: string;
  url?: string;
  modelName?: string;
  data: string;
  labels?: string;
  shape?: string;
  labelColumn?: string;
  attack: string;
  eps: string;
  norm: string;
  steps?: string;
  alpha?: string;
  restarts?: string;
  randomStart: boolean;
  queries?: string;
  defense?: string;
  limit?: string;
  seed?: string;
  threads?: string;
  minRobustAccuracy?: string;
  json?: boolean;
  format?: string;
  report?: string;
}

const DEFAULT_STEPS: Record<string, number> = { cw: 100, deepfool: 50, hopskipjump: 40 };
const usage = (msg: string) => new WardenError('USAGE', msg, { kind: 'usage' });

/** Attacks a classifier on a data set and reports clean vs robust accuracy (exit 1 under --min-robust-accuracy). */
export async function runAttack(flags: AttackFlags): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const attack = findAttack(flags.attack);
  if (!attack) throw usage(`--attack must be one of ${ATTACKS.map((a) => a.name).join(', ')}`);
  if (flags.norm !== 'inf' && flags.norm !== '2') throw usage('--norm must be inf or 2');
  if (!attack.norms.includes(flags.norm))
    throw usage(`${attack.name} supports --norm ${attack.norms.join(' or ')}, not ${flags.norm}`);
  const epsList = flags.eps
    .split(',')
    .map((e) => numberFlag('--eps', e.trim(), { min: 0, exclusiveMin: true }) as number);
  if (epsList.length > 20) throw usage('--eps lists at most 20 budgets');
  const alpha = numberFlag('--alpha', flags.alpha, { min: 0, exclusiveMin: true });
  const minRobust = numberFlag('--min-robust-accuracy', flags.minRobustAccuracy, { min: 0, max: 1 });
  const format = flags.format === undefined ? undefined : OutputFormatSchema.parse(flags.format);
  if ((flags.model === undefined) === (flags.url === undefined))
    throw usage('give exactly one of --model FILE and --url URL');
  if (flags.url !== undefined && !flags.modelName) throw usage('--url needs --model-name');
  const threads = positiveInt('--threads', flags.threads) ?? 1;
  const data = loadDataset(dataSource(flags), 'test');
  let target: AttackTarget & { close(): Promise<void> };
  let digest: string | undefined;
  if (flags.model !== undefined) {
    const bytes = readModel(flags.model);
    digest = createHash('sha256').update(bytes).digest('hex');
    target = await onnxTarget(bytes, threads);
  } else {
    if (attack.kind === 'white-box')
      throw usage(`${attack.name} is white-box; a model behind --url only supports square and hopskipjump`);
    target = await httpTarget({ url: flags.url as string, model: flags.modelName as string });
  }
  const range = data.range ?? [0, 1];
  const defended = flags.defense ? withTransforms(target, parseTransforms(flags.defense), range) : target;
  const params: AttackParams = {
    eps: epsList[0] as number,
    norm: flags.norm,
    steps: positiveInt('--steps', flags.steps) ?? DEFAULT_STEPS[attack.name] ?? 10,
    ...(alpha === undefined ? {} : { alpha }),
    randomStart: flags.randomStart,
    restarts: positiveInt('--restarts', flags.restarts) ?? 1,
    seed: flags.seed === undefined ? 0 : (numberFlag('--seed', flags.seed, { min: 0 }) ?? 0),
    clipMin: range[0],
    clipMax: range[1],
    threads,
    ...(flags.queries ? { queries: positiveInt('--queries', flags.queries) } : {}),
  };
  const quiet = flags.json || format !== undefined;
  try {
    const { reports, curve } = await robustnessCurve(defended, attack, data, params, epsList, {
      limit: positiveInt('--limit', flags.limit) ?? 500,
      onBatch: (done, total) => {
        if (!quiet && process.stderr.isTTY)
          process.stderr.write(`\r${attack.name}: ${done}/${total} examples   `);
      },
    });
    if (!quiet && process.stderr.isTTY) process.stderr.write('\n');
    const report = robustnessReport(
      {
        model: flags.model ?? `${flags.url}/v2/models/${flags.modelName}`,
        ...(digest ? { digest } : {}),
        data: data.name,
        ...(flags.defense ? { defense: flags.defense } : {}),
        ...(minRobust === undefined ? {} : { minRobustAccuracy: minRobust }),
        startedAt,
      },
      reports,
    );
    if (flags.report) {
      try {
        writeFileSync(flags.report, render(report, 'json'));
      } catch (e) {
        throw new WardenError('IO_ERROR', `cannot write ${flags.report}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
    if (format) process.stdout.write(render(report, format));
    else if (flags.json) process.stdout.write(`${JSON.stringify(attackSummary(reports, curve))}\n`);
    else process.stdout.write(table(reports, attack.name, flags.norm));
    return minRobust === undefined ? EXIT.ok : exitCodeForVerdict(report.verdict);
  } finally {
    await target.close();
  }
}

function table(
  reports: import('../../robustness/index.js').AttackReport[],
  attack: string,
  norm: string,
): string {
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`.padStart(8);
  const last = reports.at(-1);
  if (!last) return '';
  const lines = [
    `${attack} (${norm === 'inf' ? 'Linf' : 'L2'}) on ${last.examples} examples, clean accuracy ${pct(last.cleanAccuracy).trim()}`,
    '     eps   robust(all)  robust(correct)  success   max pert.',
    ...reports.map(
      (r) =>
        `${String(r.eps).padStart(8)}   ${pct(r.robustAccuracy)}     ${pct(r.robustAccuracyOfCorrect)}       ${pct(r.attackSuccessRate)}   ${r.maxPerturbation.toFixed(4)}`,
    ),
    'robust(all): correct after the attack over all examples (AutoAttack); robust(correct): over clean-correct ones (ART)',
    `per class at eps=${last.eps}: ` +
      last.perClass.map((c) => `${c.label}:${(c.robustAccuracy * 100).toFixed(0)}%`).join(' '),
  ];
  return `${lines.join('\n')}\n`;
}
