// Red-team throughput: `runRedteam` (generate, send, judge, report) against the vulnerable-assistant test
// target, versus a raw fetch loop that sends exactly the same HTTP requests (every turn of every probe, same
// concurrency) and does nothing else, measured in the same run against the same target process.
// Usage: npm run bench -- redteam [--reps 3] [--concurrency 4]
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { generateProbes, makePlant, runRedteam, CATEGORIES } from '../dist/redteam/index.js';
import { BENCH_DIR, arg, median } from './lib.mjs';

const reps = Number(arg('--reps', '5'));
const concurrency = Number(arg('--concurrency', '4'));

function startTarget() {
  const child = spawn(
    process.execPath,
    [join(BENCH_DIR, '..', 'examples', 'vulnerable-assistant', 'server.mjs'), '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/\S+/.exec(out);
      if (m) resolve({ url: m[0], child });
    });
    child.once('exit', (c) => reject(new Error(`target exited ${c}`)));
  });
}

/** The baseline: the same requests as the red-team run, sent with fetch and the same concurrency. */
async function rawLoop(url, probes, plant) {
  let next = 0;
  let requests = 0;
  const worker = async () => {
    while (next < probes.length) {
      const p = probes[next++];
      const messages = [{ role: 'system', content: plant.systemPrompt }];
      for (const turn of p.turns) {
        messages.push(...turn);
        const res = await fetch(`${url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'default', messages }),
        });
        const doc = await res.json();
        requests++;
        messages.push({ role: 'assistant', content: doc.choices[0].message.content });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return requests;
}

const target = await startTarget();
try {
  const plant = makePlant(0);
  const probes = generateProbes({ categories: CATEGORIES, plant, turns: 3, seed: 0 });
  const raw = [];
  const warden = [];
  let requests = 0;
  let asr = 0;
  // wall time and this process's CPU time (the client side's own cost, steadier on a shared machine)
  const timed = async (fn) => {
    const c = process.cpuUsage();
    const t = performance.now();
    const v = await fn();
    const cpu = process.cpuUsage(c);
    return { v, ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  for (let i = 0; i < reps + 1; i++) {
    // alternate the order so that neither side always runs on a warmer target
    const runRaw = () => timed(() => rawLoop(target.url, probes, plant));
    const runWarden = () => timed(() => runRedteam({ target: target.url, concurrency, seed: 0 }));
    const [r, w] =
      i % 2 ? [await runRaw(), await runWarden()] : (([a, b]) => [b, a])([await runWarden(), await runRaw()]);
    requests = r.v;
    asr = w.v.redteam.total.asr;
    if (i === 0) continue; // warm-up
    raw.push(r);
    warden.push(w);
  }
  const rawMs = median(raw.map((x) => x.ms));
  const wardenMs = median(warden.map((x) => x.ms));
  const rawCpu = median(raw.map((x) => x.cpuMs));
  const wardenCpu = median(warden.map((x) => x.cpuMs));
  const n = probes.length;
  console.log(
    `redteam: ${n} probes (${requests} HTTP requests) against the vulnerable assistant, concurrency ${concurrency}, median of ${reps}, Node ${process.version}, ${availableParallelism()} cores\n`,
  );
  console.log('| | wall time | probes/s | requests/s | client CPU | CPU per probe |');
  console.log('|---|---|---|---|---|---|');
  const row = (name, ms, cpu, reqs) =>
    console.log(
      `| ${name} | ${ms.toFixed(0)} ms | ${((n * 1000) / ms).toFixed(0)} | ${((reqs * 1000) / ms).toFixed(0)} | ${cpu.toFixed(0)} ms | ${(cpu / n).toFixed(2)} ms |`,
    );
  row('raw fetch loop (baseline)', rawMs, rawCpu, requests);
  row('warden redteam (generate, send, judge, report)', wardenMs, wardenCpu, requests + 1);
  console.log(
    `\nthroughput warden / baseline: ${(rawMs / wardenMs).toFixed(2)}; client CPU warden / baseline: ${(wardenCpu / rawCpu).toFixed(2)} ` +
      `(generation and judging add ${((wardenCpu - rawCpu) / n).toFixed(2)} ms CPU per probe); overall ASR ${(asr * 100).toFixed(1)}%`,
  );
} finally {
  target.child.kill('SIGTERM');
}
