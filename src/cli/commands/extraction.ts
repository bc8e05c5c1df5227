import type { Command } from 'commander';
import { EXIT, type ExitCode } from '../exit.js';
import { numberFlag, positiveInt } from '../flags.js';
import { dataSource, readModel } from './robustness-data.js';

/** Flags of `warden extraction calibrate`. */
export interface CalibrateFlags {
  model: string;
  data: string;
  labels?: string;
  shape?: string;
  labelColumn?: string;
  clients?: string;
  queries?: string;
  margin?: string;
  window?: string;
  minQueries?: string;
  seed?: string;
  json?: boolean;
}

/**
 * Calibrates the gateway's PRADA alarm threshold for one model: benign clients are simulated from the data
 * (labels as the model predicts them, as the gateway sees them), half calibrate and half are held out,
 * and a synthetic extraction attack checks that the threshold still catches a thief.
 */
export async function runCalibrate(f: CalibrateFlags): Promise<ExitCode> {
  const { loadDataset, onnxTarget, predict } = await import('../../robustness/index.js');
  const { calibrateOnPool } = await import('../../gateway/index.js');
  const d = loadDataset(dataSource(f), 'test');
  const target = await onnxTarget(readModel(f.model));
  let labels: Uint8Array;
  try {
    labels = await predict(target, d.x, d.size);
  } finally {
    await target.close();
  }
  const window = positiveInt('--window', f.window);
  const minQueries = positiveInt('--min-queries', f.minQueries);
  const r = calibrateOnPool(
    { data: d.x, rowSize: d.x.length / d.size, labels, bounds: d.range ?? [0, 1] },
    {
      clients: positiveInt('--clients', f.clients) ?? 8,
      queries: positiveInt('--queries', f.queries) ?? 1500,
      margin: numberFlag('--margin', f.margin, { min: 0, max: 0.5 }) ?? 0.02,
      seed: positiveInt('--seed', f.seed) ?? 1,
      detector: { ...(window ? { window } : {}), ...(minQueries ? { minQueries } : {}) },
    },
  );
  const threshold = Math.floor(r.threshold * 1e4) / 1e4;
  if (f.json) {
    process.stdout.write(`${JSON.stringify({ ...r, threshold })}\n`);
    return EXIT.ok;
  }
  process.stdout.write(
    [
      `calibrated on ${r.clients} simulated benign clients x ${r.queries} queries of ${d.name}`,
      `lowest benign Shapiro-Wilk W: ${r.minBenignW.toFixed(4)}; threshold: ${threshold}`,
      `held-out benign clients alarmed: ${r.heldOutAlarms} of ${r.clients}`,
      `synthetic extraction attack: ${r.attackFlaggedAt === null ? 'NOT flagged' : `flagged at query ${r.attackFlaggedAt}`}`,
      '',
      'gateway config (per model):',
      `  extraction: { threshold: ${threshold}${window ? `, window: ${window}` : ''}${minQueries ? `, minQueries: ${minQueries}` : ''} }`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}

export function registerExtraction(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('extraction')
    .description('Model-extraction detection (PRADA) of the gateway')
    .command('calibrate')
    .description('Calibrate the alarm threshold for a model on simulated benign clients drawn from DATA')
    .requiredOption('--model <file.onnx>', 'the ONNX classifier the gateway serves')
    .requiredOption('--data <name|file>', 'benign queries: mnist, fashion-mnist, a CSV, IDX or .npy file')
    .option(
      '--labels <file>',
      'labels file for IDX or .npy data (only to load it: the model labels the rows)',
    )
    .option('--shape <dims>', 'per-example shape, e.g. 1,28,28')
    .option('--label-column <k>', 'label column of a CSV (default 0)')
    .option('--clients <n>', 'simulated benign clients to calibrate on, and as many held out (default 8)')
    .option('--queries <n>', 'queries per client (default 1500)')
    .option('--margin <w>', 'how far under the lowest benign W to set the threshold (default 0.02)')
    .option('--window <n>', 'distances tested per principal (the gateway default is 500)')
    .option('--min-queries <n>', 'distances before the first test (the gateway default is 100)')
    .option('--seed <n>', 'seed of the simulated clients (default 1)')
    .option('--json', 'print {threshold, minBenignW, heldOutAlarms, attackFlaggedAt, ...}')
    .action(async (flags: CalibrateFlags) => setExit(await runCalibrate(flags)));
}
