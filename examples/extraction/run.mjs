// Model extraction through a prediction API, and the gateway's PRADA detector stopping it.
//
// Starts `warden serve` on the shipped MNIST classifier with extraction detection set to block, creates
// two API keys, and sends two kinds of traffic through OIP v2 REST:
//   - alice: real handwritten digits from the shipped test split, in random order (a benign client);
//   - mallory: a Jacobian-augmentation-style thief (Papernot et al. 2017): ten seed digits, then rounds
//     of small signed steps from every sample held so far, to label a synthetic training set.
// It prints, per client, how many queries were answered before the gateway refused them (403), and the
// extraction alarms in the audit log. Numbers are measured in this run; nothing is hard-coded.
// Usage: node examples/extraction/run.mjs [--queries N] [--threshold W]   (from a checkout, after npm ci)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataset } from '../../dist/robustness/index.js';
import { seededRandom } from '../../dist/core/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const QUERIES = arg('--queries', 400);
const THRESHOLD = arg('--threshold', 0.9);
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const MODEL = new URL('../mnist-mlp.onnx', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'warden-extraction-'));
const store = `sqlite:${join(dir, 'gateway.db')}`;
const ROW = 784;

const warden = (args) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`warden ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

const mnist = resolveDataset('mnist', undefined, 'test');
const digit = (i) => Array.from(mnist.x.subarray(i * ROW, (i + 1) * ROW));

function* benign(seed) {
  const rand = seededRandom(seed);
  for (;;) yield digit(Math.floor(rand() * mnist.size));
}

function* thief(seed) {
  const rand = seededRandom(seed);
  const held = [];
  for (let s = 0; s < 10; s++) {
    const x = digit(Math.floor(rand() * mnist.size));
    held.push(x);
    yield x;
  }
  for (;;) {
    const parents = held.length;
    for (let p = 0; p < parents; p++) {
      const x = held[p].map((v) => Math.min(1, Math.max(0, v + 0.1 * (rand() < 0.5 ? -1 : 1))));
      held.push(x);
      yield x;
    }
  }
}

writeFileSync(
  join(dir, 'gateway.json'),
  JSON.stringify({
    port: 0,
    store,
    limits: { perPrincipal: { rate: 10_000, burst: 10_000 } },
    extraction: { threshold: THRESHOLD, action: 'block' },
    models: { mnist: { path: MODEL, output: { mode: 'top-k', topK: 1, decimals: 2 } } },
  }),
);
const keys = {
  alice: warden(['keys', 'create', '--principal', 'alice', '--role', 'data_scientist', '--store', store]),
  mallory: warden(['keys', 'create', '--principal', 'mallory', '--role', 'data_scientist', '--store', store]),
};

const server = spawn(process.execPath, [CLI, 'serve', '--config', join(dir, 'gateway.json')], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (c) => {
    out += c;
    const m = /https?:\/\/[\d.]+:\d+/.exec(out);
    if (m) resolve(m[0]);
  });
  server.once('exit', (c) => reject(new Error(`gateway exited with ${c}: ${out}`)));
});

async function run(who, gen) {
  let answered = 0;
  let refusedAt = null;
  for (let q = 0; q < QUERIES; q++) {
    const body = {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1, 28, 28], data: gen.next().value }],
    };
    const res = await fetch(`${url}/v2/models/mnist/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys[who]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    if (res.status === 200) answered++;
    else if (res.status === 403) {
      refusedAt = q + 1;
      break;
    } else throw new Error(`${who}: unexpected status ${res.status}`);
  }
  return { who, answered, refusedAt };
}

try {
  const results = [await run('alice', benign(1)), await run('mallory', thief(7))];
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  const audit = warden(['audit', 'export', '--store', store])
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.action === 'extraction.alarm');
  console.log(`PRADA threshold W < ${THRESHOLD}, ${QUERIES} queries per client at most\n`);
  console.log('client    traffic                         answered  refused at query');
  for (const r of results)
    console.log(
      `${r.who.padEnd(9)} ${(r.who === 'alice' ? 'real test digits' : 'Jacobian-style synthetic').padEnd(31)} ${String(r.answered).padStart(8)}  ${r.refusedAt ?? '-'}`,
    );
  console.log('\naudit log, extraction alarms:');
  for (const a of audit) {
    // the audit export keeps each record's detail as the JSON text the hash chain covers
    const d = typeof a.detail === 'string' ? JSON.parse(a.detail) : a.detail;
    console.log(
      `  ${a.actor} on ${a.resource}: Shapiro-Wilk W = ${d.w.toFixed(3)} after ${d.distances} distances`,
    );
  }
  if (!audit.length) console.log('  none');
} finally {
  if (server.exitCode === null) server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
