import { Command, Option } from 'commander';
import type { Severity } from '../../core/index.js';
import { exitCodeForVerdict, type ExitCode } from '../exit.js';
import { addEvidenceOptions, numberFlag, positiveInt } from '../flags.js';
import { splitList, writeReport, type DriftFlags } from './drift.js';

export interface FlFlags {
  aggregators?: string[];
  attacks?: string[];
  split: 'iid' | 'non_iid' | 'both';
  clients?: string;
  byzantine?: string;
  rounds?: string;
  localEpochs?: string;
  lr?: string;
  seed?: string;
  trainSize?: string;
  json?: boolean;
  report?: string;
  reportFormat: DriftFlags['reportFormat'];
  failOn: Severity;
}

export async function runFlSimulate(f: FlFlags): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const m = await import('../../monitor/index.js');
  const { loadMnist } = await import('../../robustness/index.js');
  const pick = <T extends string>(
    values: string[] | undefined,
    known: readonly T[],
    what: string,
  ): T[] | undefined => {
    const v = splitList(values);
    if (!v) return undefined;
    for (const x of v)
      if (!(known as readonly string[]).includes(x))
        throw m.monitorError('MONITOR_INVALID_OPTION', `unknown ${what} "${x}"; known: ${known.join(', ')}`);
    return v as T[];
  };
  const aggregators = pick(f.aggregators, m.AGGREGATOR_NAMES, 'aggregator');
  const attacks = pick(f.attacks, m.FL_ATTACKS, 'attack');
  const mnist = loadMnist();
  const trainSize = Math.min(positiveInt('--train-size', f.trainSize) ?? mnist.train.size, mnist.train.size);
  const asFl = (d: typeof mnist.train, n: number) => ({
    x: d.x.subarray(0, n * 784),
    y: d.y.subarray(0, n),
    size: n,
    features: 784,
    classes: 10,
  });
  const results = m.simulateGrid(asFl(mnist.train, trainSize), asFl(mnist.test, mnist.test.size), {
    aggregators,
    attacks,
    splits: f.split === 'both' ? ['iid', 'non_iid'] : [f.split],
    clients: positiveInt('--clients', f.clients),
    byzantine: numberFlag('--byzantine', f.byzantine, { min: 0 }),
    rounds: positiveInt('--rounds', f.rounds) ?? 10,
    localEpochs: positiveInt('--local-epochs', f.localEpochs),
    lr: numberFlag('--lr', f.lr, { min: 0, exclusiveMin: true }),
    seed: numberFlag('--seed', f.seed, { min: 0 }),
    onResult: f.json
      ? undefined
      : (r) =>
          process.stderr.write(`${r.split} ${r.aggregator} ${r.attack}: ${(r.accuracy * 100).toFixed(1)}%\n`),
  });
  const report = m.gridReport(results, startedAt, 0.1, f.failOn);
  await writeReport(report, f.report, f.reportFormat);
  if (f.json)
    process.stdout.write(
      `${JSON.stringify({ results: results.map(({ history: _h, ...r }) => r), attackSettings: m.ATTACK_SETTINGS })}\n`,
    );
  else process.stdout.write(`${m.gridTable(results)}\n`);
  return exitCodeForVerdict(report.verdict);
}

/** Adds `warden fl simulate` to the program. */
export function registerFl(program: Command, setExit: (code: ExitCode) => void): void {
  const fl = program.command('fl').description('Federated learning: Byzantine-robust aggregation');
  const cmd = fl
    .command('simulate')
    .description(
      'Federated MNIST training with honest and Byzantine clients: final accuracy per aggregator and attack',
    )
    .option(
      '--aggregators <names...>',
      'fedavg, krum, multi_krum, median, trimmed_mean, bulyan, norm_clipping (default all)',
    )
    .option('--attacks <names...>', 'none, sign_flip, gaussian, label_flip, scaled_backdoor (default all)')
    .addOption(
      new Option('--split <split>', 'client data split').choices(['iid', 'non_iid', 'both']).default('both'),
    )
    .option('--clients <n>', 'clients (default 20)')
    .option(
      '--byzantine <n>',
      'Byzantine clients, also the f the aggregators assume (default 20% of clients)',
    )
    .option('--rounds <n>', 'federated rounds (default 10)')
    .option('--local-epochs <n>', 'local epochs per round (default 1)')
    .option('--lr <rate>', 'local SGD learning rate (default 0.1)')
    .option('--train-size <n>', 'training digits used, of the 8,000 shipped (default all)')
    .option('--seed <n>', 'seed of splits, training and attacks (default 0)')
    .option('--json', 'print {"results": [...]} as JSON');
  addEvidenceOptions(cmd, 'critical').action(async (flags: FlFlags) => setExit(await runFlSimulate(flags)));
}
