// Guard latency and throughput with the DEFAULT policy: per-prompt p50/p95 at 256 B / 1 KB / 8 KB of benign
// English with some PII, against a floor measured in the same run (JSON round trip of the request plus one
// precompiled regex test: no guard can be cheaper); prompts/s on 1 vs 2 worker threads; and an HTTP round
// trip of POST /v1/guard/scan on loopback against a bare node:http echo. Usage: npm run bench -- guard-latency
import { createServer } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { Guard, GuardPool, startGuardServer } from '../dist/guard/index.js';
import { arg, median } from './lib.mjs';

const N = Number(arg('--n', 2000));
const SENTENCES = [
  'The quarterly report is attached and the numbers look better than last year.',
  'Could you summarise the meeting notes for the team before Friday afternoon?',
  'We moved the deployment to Tuesday because the staging cluster was being upgraded.',
  'Please translate the following paragraph into plain English for our customers.',
  'The new onboarding guide explains how to request access to the shared drive.',
  'Our support queue doubled after the release, mostly questions about billing.',
  'Draft a polite reply thanking the client for their patience during the outage.',
  'The recipe needs two cups of flour, a pinch of salt and three eggs.',
];
const PII = [
  'You can reach Maria Lopez at maria.lopez@example.com for details.',
  'Call me back on (415) 555-0134 when you have a minute.',
  'Send the invoice to 1600 Amphitheatre Parkway, Mountain View, CA 94043.',
];

// Deterministic, all different: a small LCG picks sentences; about one sentence in six carries PII.
function corpus(bytes, count, seed = 1) {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out = [];
  for (let i = 0; i < count; i++) {
    let t = '';
    while (t.length < bytes) {
      const pool = rnd() < 1 / 6 ? PII : SENTENCES;
      t += `${pool[Math.floor(rnd() * pool.length)]} `;
    }
    out.push(t.slice(0, bytes));
  }
  return out;
}

const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const us = (ms) => (ms * 1000).toFixed(0);

function timeEach(prompts, fn, warm = 200) {
  for (let i = 0; i < warm; i++) fn(prompts[i % prompts.length]);
  const t = [];
  const cpu0 = process.cpuUsage();
  for (const p of prompts) {
    const t0 = performance.now();
    fn(p);
    t.push(performance.now() - t0);
  }
  // CPU time is the steadier number on a shared machine: waiting for a core does not count
  const cpu = process.cpuUsage(cpu0);
  return { p50: pct(t, 50), p95: pct(t, 95), cpuMs: (cpu.user + cpu.system) / 1000 / prompts.length };
}

const guard = new Guard();
const FLOOR_RE = /ignore (all )?(previous|prior) instructions/i;
const floor = (text) => FLOOR_RE.test(JSON.parse(JSON.stringify({ text })).text);

console.log(
  `guard-latency: default policy, ${N} prompts per size, Node ${process.version}, ${availableParallelism()} cores\n`,
);
console.log(
  '| prompt | guard p50 | guard p95 | guard CPU mean | floor p50 | guard / floor (p50) | flagged |',
);
console.log('|---|---|---|---|---|---|---|');
let timings1k;
for (const size of [256, 1024, 8192]) {
  const prompts = corpus(size, size === 8192 ? Math.ceil(N / 4) : N, size);
  const g = timeEach(prompts, (p) => guard.scanInput(p));
  const f = timeEach(prompts, floor);
  const flagged = prompts.filter((p) => guard.scanInput(p).flagged).length;
  console.log(
    `| ${size} B | ${us(g.p50)} µs | ${us(g.p95)} µs | ${us(g.cpuMs)} µs | ${(f.p50 * 1000).toFixed(1)} µs | ${(g.p50 / f.p50).toFixed(0)}x | ${flagged}/${prompts.length} |`,
  );
  if (size === 1024) {
    timings1k = {};
    for (const p of prompts.slice(0, 500))
      for (const [d, t] of Object.entries(guard.scanInput(p).timings))
        timings1k[d] = (timings1k[d] ?? 0) + t / 500;
  }
}
console.log(
  `\nper detector, mean µs on 1 KB: ${Object.entries(timings1k)
    .sort((a, b) => b[1] - a[1])
    .map(([d, t]) => `${d} ${t.toFixed(0)}`)
    .join(', ')}`,
);

// Throughput: the same JSON lines through GuardPool (what `guard --jsonl --workers N` runs). Rounds
// interleave 1 and 2 workers so load from other jobs on a shared machine falls on both alike (median of 3).
// CPU time (all threads) per prompt shows whether a second worker adds overhead: equal CPU cost per prompt
// means the wall-clock gain is bounded only by the free cores.
const lines = corpus(1024, 4000, 7).map((text) => JSON.stringify({ text }));
async function throughput(workers) {
  const pool = new GuardPool(undefined, workers, { direction: 'input' });
  await Promise.all(Array.from({ length: workers * 2 }, () => pool.scan(lines.slice(0, 64), 1)));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const inflight = [];
  for (let i = 0; i < lines.length; i += 64) inflight.push(pool.scan(lines.slice(i, i + 64), i + 1));
  await Promise.all(inflight);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  await pool.close();
  return { perSec: (lines.length / ms) * 1000, cpuUs: (c.user + c.system) / lines.length };
}
const t0 = performance.now();
for (const l of lines) guard.scanInput(JSON.parse(l).text);
const inproc = (lines.length / (performance.now() - t0)) * 1000;
const r1 = [];
const r2 = [];
for (let round = 0; round < 3; round++) {
  r1.push(await throughput(1));
  r2.push(await throughput(2));
}
const m = (rs, k) => median(rs.map((r) => r[k]));
const [w1, w2] = [m(r1, 'perSec'), m(r2, 'perSec')];
console.log(
  `\n| 1 KB prompts/s | in-process | 1 worker | 2 workers | 2 / 1 | CPU µs per prompt, 1 / 2 workers |`,
);
console.log('|---|---|---|---|---|---|');
console.log(
  `| | ${inproc.toFixed(0)} | ${w1.toFixed(0)} | ${w2.toFixed(0)} | ${(w2 / w1).toFixed(2)} | ${m(r1, 'cpuUs').toFixed(0)} / ${m(r2, 'cpuUs').toFixed(0)} |`,
);
console.log(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(', ')}`,
);

// HTTP: sequential round trips on loopback, guard scan vs a bare echo server (the transport floor).
async function roundTrips(url, body, n = 500) {
  const t = [];
  for (let i = 0; i < n + 50; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    await res.arrayBuffer();
    if (i >= 50) t.push(performance.now() - t0);
  }
  return pct(t, 50);
}
const body = JSON.stringify({ text: corpus(1024, 1, 99)[0] });
const srv = await startGuardServer({ guard, port: 0 });
const echo = createServer((req, res) => req.pipe(res));
await new Promise((r) => echo.listen(0, '127.0.0.1', r));
const echoMs = await roundTrips(`http://127.0.0.1:${echo.address().port}/`, body);
const scanMs = await roundTrips(`${srv.url}/v1/guard/scan`, body);
console.log(`\n| HTTP round trip, 1 KB | p50 |\n|---|---|`);
console.log(`| bare node:http echo (floor) | ${us(echoMs)} µs |\n| POST /v1/guard/scan | ${us(scanMs)} µs |`);
console.log(`| scan / echo | ${(scanMs / echoMs).toFixed(2)}x |`);
await srv.close();
echo.close();
