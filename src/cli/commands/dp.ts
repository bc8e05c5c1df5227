import { Command, Option } from 'commander';
import { WardenError } from '../../core/index.js';
import {
  ACCOUNTANTS,
  CONVERSIONS,
  FRACTIONAL_SERIES,
  ORDER_PRESET_NAMES,
  createAccountant,
  getNoiseMultiplier,
  privacyError,
  stepsFromEpochs,
  type AccountantName,
  type AccountantOptions,
  type OrderPreset,
  type PrivacySpent,
} from '../../privacy/index.js';
import { EXIT, type ExitCode } from '../exit.js';

/** Flags shared by `warden dp epsilon` and `warden dp noise`, as commander parses them. */
export interface DpCommonFlags {
  accountant: AccountantName;
  sampleRate: string;
  steps?: string;
  epochs?: string;
  delta: string;
  orders?: string;
  conversion?: string;
  series?: string;
  epsError?: string;
  json?: boolean;
}

export interface DpEpsilonFlags extends DpCommonFlags {
  noiseMultiplier: string;
}

export interface DpNoiseFlags extends DpCommonFlags {
  targetEpsilon: string;
  method?: string;
  epsilonTolerance?: string;
}

function num(flag: string, v: string): number;
function num(flag: string, v: string | undefined): number | undefined;
function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n))
    throw new WardenError('USAGE', `${flag} must be a number, got "${v}"`, { kind: 'usage' });
  return n;
}

function accountantOptions(f: DpCommonFlags): AccountantOptions {
  let orders: OrderPreset | number[] | undefined;
  if (f.orders !== undefined) {
    if ((ORDER_PRESET_NAMES as string[]).includes(f.orders)) orders = f.orders as OrderPreset;
    else {
      orders = f.orders.split(',').map((s) => Number(s.trim()));
      if (orders.some((o, i) => Number.isNaN(o) || f.orders?.split(',')[i]?.trim() === ''))
        throw privacyError(
          'PRIVACY_INVALID_ORDERS',
          `--orders must be ${ORDER_PRESET_NAMES.join(', ')} or a comma-separated list of numbers, got "${f.orders}"`,
        );
    }
  }
  return {
    orders,
    conversion: f.conversion as AccountantOptions['conversion'],
    series: f.series as AccountantOptions['series'],
    epsError: num('--eps-error', f.epsError),
  };
}

function stepsOf(f: DpCommonFlags, sampleRate: number): number {
  if ((f.steps === undefined) === (f.epochs === undefined))
    throw new WardenError('USAGE', 'give exactly one of --steps and --epochs', { kind: 'usage' });
  if (f.steps !== undefined) return num('--steps', f.steps);
  return stepsFromEpochs(num('--epochs', f.epochs as string), sampleRate);
}

const json = (v: unknown): string => `${JSON.stringify(v)}\n`;

/** `warden dp epsilon`: epsilon of a DP-SGD run at delta. */
export function runDpEpsilon(f: DpEpsilonFlags): ExitCode {
  const sampleRate = num('--sample-rate', f.sampleRate);
  const noiseMultiplier = num('--noise-multiplier', f.noiseMultiplier);
  const delta = num('--delta', f.delta);
  const steps = stepsOf(f, sampleRate);
  const acc = createAccountant(f.accountant, accountantOptions(f));
  const spent: PrivacySpent = acc.compose({ noiseMultiplier, sampleRate, steps }).getPrivacySpent(delta);
  if (f.json) {
    process.stdout.write(json({ accountant: acc.name, steps, ...spent }));
  } else {
    const extra = [
      `${acc.name} accountant`,
      `${steps} steps`,
      ...(spent.bestOrder !== undefined ? [`best order ${spent.bestOrder}`] : []),
      ...(spent.lower !== undefined && spent.estimate !== undefined
        ? [`estimate ${spent.estimate.toFixed(4)}, lower bound ${spent.lower.toFixed(4)}`]
        : []),
    ];
    process.stdout.write(`epsilon ${spent.epsilon.toFixed(4)} at delta ${delta} (${extra.join(', ')})\n`);
  }
  return EXIT.ok;
}

/** `warden dp noise`: the noise multiplier that reaches a target epsilon. */
export function runDpNoise(f: DpNoiseFlags): ExitCode {
  const sampleRate = num('--sample-rate', f.sampleRate);
  const targetEpsilon = num('--target-epsilon', f.targetEpsilon);
  const delta = num('--delta', f.delta);
  const steps = stepsOf(f, sampleRate);
  const noiseMultiplier = getNoiseMultiplier({
    targetEpsilon,
    delta,
    sampleRate,
    steps,
    accountant: f.accountant,
    accountantOptions: accountantOptions(f),
    method: f.method as 'opacus' | 'bisect' | undefined,
    epsilonTolerance: num('--epsilon-tolerance', f.epsilonTolerance),
  });
  if (f.json) process.stdout.write(json({ accountant: f.accountant, steps, noiseMultiplier }));
  else
    process.stdout.write(
      `noise multiplier ${noiseMultiplier} for epsilon <= ${targetEpsilon} at delta ${delta} (${f.accountant} accountant, ${steps} steps)\n`,
    );
  return EXIT.ok;
}

function common(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--accountant <name>', 'privacy accountant')
        .choices(ACCOUNTANTS.map((a) => a.name))
        .default('rdp'),
    )
    .requiredOption('--sample-rate <q>', 'Poisson sampling rate per step, in (0, 1]')
    .option('--steps <n>', 'number of steps')
    .option('--epochs <e>', 'number of epochs (steps = int(epochs / q), as Opacus)')
    .requiredOption('--delta <d>', 'target delta, in (0, 1)')
    .option('--orders <orders>', `RDP orders: ${ORDER_PRESET_NAMES.join(', ')} or a list such as 2,4,8.5`)
    .addOption(new Option('--conversion <c>', 'RDP to (epsilon, delta) conversion').choices([...CONVERSIONS]))
    .addOption(
      new Option(
        '--series <s>',
        'RDP fractional orders: opacus (exact) or dp-accounting (sums |terms|)',
      ).choices([...FRACTIONAL_SERIES]),
    )
    .option('--eps-error <e>', 'PRV: allowed error of the epsilon estimate (default 0.01)')
    .option('--json', 'print one JSON object');
}

/** Adds the `warden dp` command group to the program (it inherits the program's exit handling). */
export function registerDp(program: Command, setExit: (code: ExitCode) => void): void {
  const dp = program
    .command('dp')
    .description(
      'Differential privacy accounting for DP-SGD (Poisson-subsampled Gaussian): epsilon, noise calibration',
    );
  common(dp.command('epsilon').description('Epsilon of a DP-SGD run at a target delta'))
    .requiredOption('--noise-multiplier <s>', 'noise standard deviation / clipping norm')
    .action((flags: DpEpsilonFlags) => setExit(runDpEpsilon(flags)));
  common(dp.command('noise').description('Noise multiplier that keeps epsilon within a target'))
    .requiredOption('--target-epsilon <e>', 'the epsilon to stay within')
    .addOption(
      new Option('--method <m>', 'search: opacus (as get_noise_multiplier) or bisect (tighter)')
        .choices(['opacus', 'bisect'])
        .default('opacus'),
    )
    .option('--epsilon-tolerance <t>', 'stop when target - tolerance < epsilon <= target')
    .action((flags: DpNoiseFlags) => setExit(runDpNoise(flags)));
}
