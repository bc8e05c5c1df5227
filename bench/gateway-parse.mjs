// The gateway's inference-body parser against JSON.parse (the raw library call it replaces), on the bodies
// clients send: one MNIST digit with three decimals (the gateway bench's body), pixel/255 to four decimals,
// float32 values as JavaScript prints them (17 significant digits: outside the exact fast path, so the parser
// gives up and JSON.parse runs: the worst case), and a batch of 64 digits as nested rows.
// Each side is timed from the received bytes to numbers in memory: `JSON.parse(bytes.toString())` against
// `parseOipJson(bytes) ?? JSON.parse(...)`. Usage: npm run bench -- gateway-parse [--json] [--ms N]
import { parseOipJson } from '../dist/gateway/stages/oip-json.js';
import { arg } from './lib.mjs';

const JSON_OUT = process.argv.includes('--json');
const MS = Number(arg('--ms', 1500));
const digit = (k, f) => Array.from({ length: 784 }, (_, i) => f(((i * 7919 + k * 104729) % 997) / 997));
const body = (data, shape) =>
  Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape, data }] }));
const CASES = [
  [
    'digit, 3 decimals',
    body(
      digit(0, (x) => Math.round(x * 1000) / 1000),
      [1, 1, 28, 28],
    ),
  ],
  [
    'digit, x/255 to 4 decimals',
    body(
      digit(1, (x) => Math.round(Math.round(x * 255) / 0.0255) / 10000),
      [1, 784],
    ),
  ],
  [
    'digit, float32 printed (17 digits)',
    body(
      digit(2, (x) => Math.fround(x)),
      [1, 784],
    ),
  ],
  [
    'batch of 64 digits, nested rows',
    body(
      Array.from({ length: 64 }, (_, k) => digit(k, (x) => Math.round(x * 1000) / 1000)),
      [64, 784],
    ),
  ],
];

// Median time per call over rounds of ~MS/10 each.
function time(fn) {
  for (let i = 0; i < 200; i++) fn();
  const rounds = [];
  const end = performance.now() + MS;
  while (performance.now() < end) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < MS / 10) {
      fn();
      n++;
    }
    rounds.push(((performance.now() - t0) / n) * 1000);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)];
}

const results = [];
for (const [name, bytes] of CASES) {
  const fast = parseOipJson(bytes, 16) !== undefined;
  const baseline = time(() => JSON.parse(bytes.toString('utf8')));
  const warden = time(() => parseOipJson(bytes, 16) ?? JSON.parse(bytes.toString('utf8')));
  results.push({
    body: name,
    bytes: bytes.length,
    path: fast ? 'fast' : 'JSON.parse (fallback)',
    jsonParseUs: +baseline.toFixed(2),
    wardenUs: +warden.toFixed(2),
    ratio: +(warden / baseline).toFixed(3),
  });
}
if (JSON_OUT) process.stdout.write(`${JSON.stringify(results)}\n`);
else {
  console.log('body | bytes | path | JSON.parse us | warden us | warden / JSON.parse');
  for (const r of results)
    console.log(`${r.body} | ${r.bytes} | ${r.path} | ${r.jsonParseUs} | ${r.wardenUs} | ${r.ratio}`);
}
