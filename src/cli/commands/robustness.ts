import { Command, Option } from 'commander';
import { OutputFormatSchema } from '../../report/index.js';
import type { ExitCode } from '../exit.js';

const FORMATS = OutputFormatSchema.options;

/** Data options shared by train, attack and certify. */
function dataOptions(cmd: Command): Command {
  return cmd
    .option('--data <name|file>', 'mnist or fashion-mnist (shipped), or an IDX / .npy / .csv file', 'mnist')
    .option('--labels <file>', 'labels file (IDX or .npy) for an IDX or .npy --data')
    .option('--shape <dims>', 'per-example shape, e.g. 1,28,28 (default: from the file)')
    .option('--label-column <k>', 'CSV: column holding the label (negative counts from the end; default 0)');
}

/** Adds `warden train`, `warden attack` and `warden certify` (with `certify radius`). */
export function registerRobustness(program: Command, setExit: (code: ExitCode) => void): void {
  // commander honours a subcommand's positional options only when the program has them too
  program.enablePositionalOptions();
  dataOptions(
    program
      .command('train')
      .description('Train a model defined in code and write it as ONNX')
      .requiredOption('--model <arch>', 'architecture: mnist-mlp, mnist-cnn or mnist-resnet'),
  )
    .requiredOption('--out <file>', 'where to write the trained model (.onnx)')
    .option('--epochs <n>', 'passes over the training data (default 3)')
    .option('--batch-size <n>', 'examples per step (default 128)')
    .option('--lr <rate>', 'learning rate (default 0.001 for adam, 0.05 for sgd)')
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['adam', 'sgd']).default('adam'))
    .option('--adv <defense>', 'adversarial training: pgd (Madry), fgsm (fast, random start) or trades')
    .option('--eps <e>', 'perturbation budget (Linf) for --adv')
    .option('--adv-steps <n>', 'inner attack steps per batch for --adv pgd|trades (default 7)')
    .option('--beta <b>', 'TRADES robustness weight (default 6)')
    .option('--seed <n>', 'seed for weights and shuffling (default 0)')
    .option('--threads <n>', 'onnxruntime threads (default 1)')
    .option('--json', 'print one JSON object')
    .action(async (flags: import('./train.js').TrainFlags) => {
      const { runTrain } = await import('./train.js');
      setExit(await runTrain(flags));
    });

  dataOptions(
    program
      .command('attack')
      .description(
        'Attack a classifier (ONNX file or OIP v2 endpoint); clean vs robust accuracy (exit 1 under the gate)',
      )
      .option('--model <file>', 'ONNX classifier (input [N, ...], logits output)')
      .option('--url <url>', 'attack a model served over OIP v2 REST instead (black-box attacks only)')
      .option('--model-name <name>', 'model name at --url (POST /v2/models/NAME/infer)'),
  )
    .option('--attack <name>', 'fgsm, pgd, apgd-ce, cw, deepfool, square or hopskipjump', 'pgd')
    .requiredOption(
      '--eps <e>',
      'perturbation budget; a comma list (0.1,0.2,0.3) gives a robust-accuracy curve',
    )
    .addOption(new Option('--norm <norm>', 'perturbation norm').choices(['inf', '2']).default('inf'))
    .option('--steps <n>', 'iterations (default 10; C&W 100, DeepFool 50, HopSkipJump 40)')
    .option('--alpha <a>', 'step size (PGD: 2.5 * eps / steps; C&W: Adam learning rate 0.01)')
    .option('--restarts <n>', 'random restarts (default 1)')
    .option('--no-random-start', 'start PGD at the clean input')
    .option('--queries <n>', 'query budget per example for square (iterations) and hopskipjump (calls)')
    .option(
      '--defense <chain>',
      'input transformations in front of the model: bits:N, median:K, jpeg:Q (comma chain)',
    )
    .option('--limit <n>', 'examples to attack (default 500)')
    .option('--seed <n>', 'seed (default 0)')
    .option('--threads <n>', 'onnxruntime threads (default 1)')
    .option('--min-robust-accuracy <r>', 'exit 1 when robust accuracy (all examples) is below r')
    .option('--json', 'print one JSON object: cleanAccuracy, robustAccuracy, robustAccuracyOfCorrect, ...')
    .addOption(new Option('-f, --format <format>', 'print the evidence report instead').choices(FORMATS))
    .option('--report <file>', 'also write the evidence report (JSON) to a file')
    .action(async (flags: import('./attack.js').AttackFlags) => {
      const { runAttack } = await import('./attack.js');
      setExit(await runAttack(flags));
    });

  const certify = dataOptions(
    program
      .command('certify')
      .description(
        'Randomized-smoothing certification (Cohen et al. 2019) of an ONNX classifier on a data set',
      )
      .option('--model <file>', 'ONNX classifier'),
  )
    .option('--sigma <s>', 'noise standard deviation')
    .option('--n0 <n>', 'samples to guess the top class (default 100)')
    .option('--n <n>', 'samples to bound its probability (default 1000)')
    .option('--alpha <a>', 'failure probability (default 0.001)')
    .option('--predict', 'run PREDICT (binomial test) instead of CERTIFY')
    .option('--limit <n>', 'examples (default 100)')
    .option('--batch <n>', 'noisy copies per model call (default 500)')
    .option('--seed <n>', 'seed (default 0)')
    .option('--threads <n>', 'onnxruntime threads (default 1)')
    .option('--json', 'print one JSON object')
    .action(async (flags: import('./certify.js').CertifyFlags) => {
      const { runCertify } = await import('./certify.js');
      setExit(await runCertify(flags));
    });
  certify
    .command('radius')
    .description(
      'Certified L2 radius from nA of n noisy votes: {"pALower", "radius"} (radius null = ABSTAIN)',
    )
    .requiredOption('--n <n>', 'number of noisy samples')
    .requiredOption('--na <nA>', 'votes for the top class')
    .option('--alpha <a>', 'failure probability', '0.001')
    .requiredOption('--sigma <s>', 'noise standard deviation')
    .action(async (flags: import('./certify.js').RadiusFlags) => {
      const { runCertifyRadius } = await import('./certify.js');
      setExit(runCertifyRadius(flags));
    });
}
