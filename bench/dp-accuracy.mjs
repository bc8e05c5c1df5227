// Test accuracy of DP-SGD on the shipped digits (8,000 train / 2,000 test) at epsilon about 1, 3 and 8
// (delta 1e-5, RDP), next to the same model trained without privacy: `npm run bench -- dp-accuracy`
// (add --cnn for mnist-cnn, ~5 min per run on 2 cores). Each run goes through the CLI as a user would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR } from './lib.mjs';

const CLI = join(BENCH_DIR, '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'warden-dp-acc-'));
const models = process.argv.includes('--cnn') ? ['mnist-mlp', 'mnist-cnn'] : ['mnist-mlp'];
const runs = [];
for (const model of models) {
  runs.push({ model, label: 'non-private', args: ['--epochs', '10', '--optimizer', 'sgd', '--lr', '0.05'] });
  for (const [eps, epochs] of [
    [1, 10],
    [3, 15],
    [8, 20],
  ])
    runs.push({
      model,
      label: `epsilon ${eps}`,
      args: [
        '--dp',
        '--target-epsilon',
        String(eps),
        '--epochs',
        String(epochs),
        '--optimizer',
        'sgd',
      ].concat(['--lr', '1', '--max-grad-norm', '1']),
    });
}
console.log('| model | training | epochs | noise multiplier | epsilon (delta 1e-5) | test accuracy | time |');
console.log('|---|---|---|---|---|---|---|');
for (const r of runs) {
  const out = join(dir, 'm.onnx');
  const p = spawnSync(
    process.execPath,
    [CLI, 'train', '--model', r.model, '--batch-size', '256', '--out', out, '--json', ...r.args],
    { encoding: 'utf8' },
  );
  if (p.status !== 0) throw new Error(p.stderr);
  const j = JSON.parse(p.stdout);
  const epochs = r.args[r.args.indexOf('--epochs') + 1];
  console.log(
    `| ${r.model} | ${r.label} | ${epochs} | ${j.dp ? j.dp.noiseMultiplier.toFixed(3) : '-'} | ` +
      `${j.dp ? j.dp.epsilon.toFixed(3) : '-'} | ${(j.testAccuracy * 100).toFixed(2)}% | ${j.seconds.toFixed(0)} s |`,
  );
}
rmSync(dir, { recursive: true, force: true });
