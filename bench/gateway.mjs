// Gateway overhead: `warden serve` with the full default pipeline (API key auth, RBAC, per-principal and
// per-model token buckets, body limits, OIP v2 validation, PRADA extraction monitor, output hardening,
// hash-chained audit log on SQLite, metrics) versus a bare node:http server that parses the same JSON and
// calls onnxruntime-node directly on the same ONNX model. Both run as separate processes; this process is
// the loopback load generator (keep-alive connections). Latency: one request at a time; throughput: at
// saturation (`--concurrency`, default 16) for `--requests` (default 100000) requests per server; after the
// gateway's run it is stopped gracefully and the audit chain is counted and verified.
// Usage: npm run bench -- gateway [--json] [--requests N] [--latency N] [--concurrency C] [--cpu-prof DIR]
// (--cpu-prof writes V8 CPU profiles of both server processes into DIR, for chrome://inspect or speedscope)
// Experiments: GW_EXTRA appends YAML to the gateway's config (e.g. 'audit: { thread: false }'), GW_NODE_FLAGS
// passes node flags to the gateway process only. CPU lines list every server thread using >= 1 us/request.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { BENCH_DIR, WORK_DIR, arg } from './lib.mjs';

const JSON_OUT = process.argv.includes('--json');
const REQUESTS = Number(arg('--requests', 100_000));
const LATENCY_N = Number(arg('--latency', 3000));
const CONCURRENCY = Number(arg('--concurrency', 16));
const PROFILE_DIR = arg('--cpu-prof', '');
const PROF = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', PROFILE_DIR] : [];
const MODEL = join(BENCH_DIR, '..', 'examples', 'mnist-mlp.onnx');
const CLI = join(BENCH_DIR, '..', 'dist', 'cli', 'main.js');
const log = (s) => (JSON_OUT ? process.stderr : process.stdout).write(`${s}\n`);

const BARE = `
import { createServer } from 'node:http';
import * as ort from 'onnxruntime-node';
const s = await ort.InferenceSession.create(process.argv[2], { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const t = body.inputs[0];
    const out = await s.run({ [t.name]: new ort.Tensor('float32', Float32Array.from(t.data), t.shape) });
    const o = out[s.outputNames[0]];
    const text = JSON.stringify({ outputs: [{ name: s.outputNames[0], datatype: 'FP32', shape: o.dims, data: Array.from(o.data) }] });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port); });
process.on('SIGTERM', () => process.exit(0));
`;

function startProcess(args, cwd) {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (c) => reject(new Error(`server exited with ${c}: ${out}`)));
  });
}

// 64 deterministic test-like digits (784 floats in [0, 1], three decimals), sent in turn: distinct queries
// make the extraction monitor do its real work (distances to earlier queries, per-class sets).
const BODIES = Array.from({ length: 64 }, (_, k) =>
  JSON.stringify({
    inputs: [
      {
        name: 'input',
        datatype: 'FP32',
        shape: [1, 1, 28, 28],
        data: Array.from(
          { length: 784 },
          (_, i) => Math.round((((i * 7919 + k * 104729) % 997) / 997) * 1000) / 1000,
        ),
      },
    ],
  }),
);
let sent = 0;

function send(agent, url, path, key) {
  const body = BODIES[sent++ % BODIES.length];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request(
      url + path,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Number(process.hrtime.bigint() - t0) / 1e6)
            : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function latency(url, path, key, n) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 300; i++) await send(agent, url, path, key); // warm-up
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await send(agent, url, path, key));
  agent.destroy();
  xs.sort((a, b) => a - b);
  return { p50: xs[Math.floor(n * 0.5)], p99: xs[Math.floor(n * 0.99)] };
}

// CPU seconds (user, system) in a /proc stat file (Linux): a process's or one of its threads'.
function statSeconds(path) {
  const s = readFileSync(path, 'utf8');
  const f = s.slice(s.lastIndexOf(') ') + 2).split(' ');
  return { name: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')), user: f[11] / 100, sys: f[12] / 100 };
}

// CPU seconds of the process and of each of its threads, by thread id; the main thread's id is the pid.
function cpuSnapshot(pid) {
  const threads = new Map();
  try {
    const p = statSeconds(`/proc/${pid}/stat`);
    for (const tid of readdirSync(`/proc/${pid}/task`))
      threads.set(tid, statSeconds(`/proc/${pid}/task/${tid}/stat`));
    return { total: p.user + p.sys, threads };
  } catch {
    return { total: NaN, threads }; // the process is gone
  }
}

async function throughput(url, path, key, n, c, pid) {
  const cpu0 = cpuSnapshot(pid);
  const self0 = process.cpuUsage();
  const agent = new Agent({ keepAlive: true, maxSockets: c });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) {
        next++;
        await send(agent, url, path, key);
      }
    }),
  );
  agent.destroy();
  const rate = n / ((performance.now() - t0) / 1000);
  const self = process.cpuUsage(self0);
  const cpu1 = cpuSnapshot(pid);
  const perRequest = (tid) => {
    const a = cpu0.threads.get(tid) ?? { user: 0, sys: 0 };
    const b = cpu1.threads.get(tid) ?? a;
    return { us: ((b.user + b.sys - a.user - a.sys) / n) * 1e6, sysUs: ((b.sys - a.sys) / n) * 1e6 };
  };
  const threads = [...cpu1.threads]
    .map(([tid, t]) => ({ name: t.name, ...perRequest(tid) }))
    .filter((t) => t.us >= 1)
    .map((t) => `${t.name} ${t.us.toFixed(0)} (sys ${t.sysUs.toFixed(0)})`);
  return {
    rate,
    loadGenUs: (self.user + self.system) / n,
    threads,
    cpuUs: ((cpu1.total - cpu0.total) / n) * 1e6,
    mainUs: perRequest(String(pid)).us,
  };
}

const work = join(WORK_DIR, 'gateway');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const store = `sqlite:${join(work, 'bench.db')}`;
writeFileSync(join(work, 'bare.mjs'), BARE);
writeFileSync(
  join(work, 'gateway.yaml'),
  // limits far above the offered load so that the buckets are checked but never refuse
  'limits:\n  perPrincipal: { rate: 1000000, burst: 1000000 }\n  perModel: { rate: 1000000, burst: 1000000 }\n' +
    (process.env.GW_EXTRA ?? ''),
);
const key = spawnSync(process.execPath, [
  CLI,
  'keys',
  'create',
  '--principal',
  'bench',
  '--role',
  'data_scientist',
  '--store',
  store,
])
  .stdout.toString()
  .trim();

const bare = await startProcess([...PROF, join(work, 'bare.mjs'), MODEL], join(BENCH_DIR, '..'));
const gw = await startProcess([
  ...PROF,
  ...(process.env.GW_NODE_FLAGS ? process.env.GW_NODE_FLAGS.split(' ') : []),
  CLI,
  'serve',
  '--config',
  join(work, 'gateway.yaml'),
  '--model',
  `mnist=${MODEL}`,
  '--port',
  '0',
  '--store',
  store,
]);
const path = '/v2/models/mnist/infer';

log(`latency: ${LATENCY_N} sequential requests per server`);
const lb = await latency(bare.url, path, undefined, LATENCY_N);
const lg = await latency(gw.url, path, key, LATENCY_N);
log(`  bare    p50 ${lb.p50.toFixed(3)} ms  p99 ${lb.p99.toFixed(3)} ms`);
log(`  gateway p50 ${lg.p50.toFixed(3)} ms  p99 ${lg.p99.toFixed(3)} ms`);
log(`throughput: ${REQUESTS} requests per server at concurrency ${CONCURRENCY}`);
const cpuLine = (t) =>
  `${t.cpuUs.toFixed(0)} us server CPU per request (${t.mainUs.toFixed(0)} us on the main thread; threads: ${t.threads.join(', ')}), load generator ${t.loadGenUs.toFixed(0)} us`;
const b = await throughput(bare.url, path, undefined, REQUESTS, CONCURRENCY, bare.child.pid);
log(`  bare    ${b.rate.toFixed(0)} req/s, ${cpuLine(b)}`);
const g = await throughput(gw.url, path, key, REQUESTS, CONCURRENCY, gw.child.pid);
log(`  gateway ${g.rate.toFixed(0)} req/s, ${cpuLine(g)}`);
const [tb, tg] = [b.rate, g.rate];
bare.child.kill('SIGTERM');
await new Promise((r) => {
  gw.child.once('exit', r);
  gw.child.kill('SIGTERM');
});
const v = JSON.parse(
  spawnSync(process.execPath, [CLI, 'audit', 'verify', '--store', store, '--json']).stdout.toString(),
);
const expected = 300 + LATENCY_N + REQUESTS; // every inference, plus the model.load and keys.create records
log(`audit: ${v.records} records (${expected} inferences + 2 admin), chain ${v.ok ? 'verifies' : 'BROKEN'}`);
// One server's latency and throughput figures, as the JSON reports them.
const side = (l, t) => ({
  p50Ms: +l.p50.toFixed(3),
  p99Ms: +l.p99.toFixed(3),
  reqPerSec: Math.round(t.rate),
  cpuUsPerReq: Math.round(t.cpuUs),
  mainThreadUsPerReq: Math.round(t.mainUs),
});
const result = {
  p50OverheadMs: +(lg.p50 - lb.p50).toFixed(3),
  p99OverheadMs: +(lg.p99 - lb.p99).toFixed(3),
  throughputRatio: +(tg / tb).toFixed(3),
  bare: side(lb, b),
  gateway: side(lg, g),
  audit: { records: v.records, expected: expected + 2, chainOk: v.ok },
};
if (JSON_OUT) process.stdout.write(`${JSON.stringify(result)}\n`);
else log(JSON.stringify(result));
