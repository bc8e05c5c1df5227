// Dashboard rendering: the robustness page in headless chromium (playwright-core, /usr/bin/chromium) with a
// 10,000-point robust-accuracy curve, against two baselines measured in the same run: the same page with a
// 5-point curve (everything but the long series: login, routing, fetch, layout, three uPlot charts), and a
// raw fetch of the 10,000-point JSON from node. Two `warden serve` processes (one store each) are measured
// alternately; times are from navigation to the page marking itself ready (charts drawn), median of --runs.
// The 10k curve is generated (a smooth decay of robust accuracy over eps): only its size matters here.
// Usage: npm run bench -- dashboard [--runs N] [--points N] [--json]
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, WORK_DIR, arg } from './lib.mjs';

const RUNS = Number(arg('--runs', 15));
const POINTS = Number(arg('--points', 10_000));
const JSON_OUT = process.argv.includes('--json');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(BENCH_DIR, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const log = (s) => (JSON_OUT ? process.stderr : process.stdout).write(`${s}\n`);

const { Registry, registerModel } = await import(join(ROOT, 'dist/registry/index.js'));
const { ApiKeys, GATEWAY_MIGRATIONS } = await import(join(ROOT, 'dist/gateway/index.js'));
const { robustnessReport } = await import(join(ROOT, 'dist/robustness/index.js'));
const { openStore } = await import(join(ROOT, 'dist/core/store/index.js'));
const { chromium } = await import('playwright-core');

function curve(n) {
  return Array.from({ length: n }, (_, i) => {
    const eps = (0.3 * i) / Math.max(1, n - 1);
    const ra = 0.95 * Math.exp(-((eps / 0.08) ** 2));
    return {
      eps,
      robustAccuracy: ra,
      robustAccuracyOfCorrect: ra / 0.95,
      attackSuccessRate: 1 - ra / 0.95,
      meanPerturbation: eps * 0.97,
    };
  });
}

/** A store with the shipped model, one robustness report carrying an n-point curve, and an admin key. */
async function makeStore(dir, n) {
  mkdirSync(dir, { recursive: true });
  const model = join(dir, 'mnist-mlp.onnx');
  copyFileSync(join(ROOT, 'examples', 'mnist-mlp.onnx'), model);
  const store = `sqlite:${join(dir, 'warden.db')}`;
  const reg = await Registry.open(store);
  const v = await registerModel(reg, model, { name: 'mnist-mlp', actor: 'bench' });
  const points = curve(n);
  const runs = points
    .filter((_, i) => i % Math.ceil(n / 5) === 0)
    .map((p) => ({
      attack: 'pgd',
      eps: p.eps,
      norm: 'inf',
      examples: 1000,
      cleanAccuracy: 0.95,
      robustAccuracy: p.robustAccuracy,
      robustAccuracyOfCorrect: p.robustAccuracyOfCorrect,
      attackSuccessRate: p.attackSuccessRate,
      maxPerturbation: p.eps,
      meanPerturbation: p.meanPerturbation,
      meanPerturbationOfSuccess: p.meanPerturbation,
      perClass: [],
      seconds: 0,
    }));
  const report = robustnessReport({ model, data: 'mnist-test', startedAt: new Date().toISOString() }, runs);
  await reg.addEvidence(v.version.ref, { ...report, curve: points }, 'bench');
  await reg.close();
  const s = await openStore(store);
  await s.migrate('gateway', GATEWAY_MIGRATIONS);
  const { key } = await new ApiKeys(s).create('bench@example.org', 'admin');
  await s.close();
  const config = join(dir, 'gateway.json');
  writeFileSync(
    config,
    JSON.stringify({ host: '127.0.0.1', port: 0, store, models: { 'mnist-mlp': { path: model } } }),
  );
  return { config, key };
}

function serve(config) {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (c) => reject(new Error(`warden serve exited with ${c}: ${out}`)));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function render(browser, server) {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await page.addInitScript((k) => sessionStorage.setItem('warden.token', k), server.key);
  const t0 = performance.now();
  await page.goto(`${server.url}/ui/#/robustness`);
  await page.waitForSelector('[data-view=robustness][data-state=ready]', { timeout: 60_000 });
  const ms = performance.now() - t0;
  const points = Number(await page.getAttribute('[data-chart=robust-accuracy]', 'data-points'));
  const view = await page.$('[data-view=robustness]');
  const pageMs = Number(await view.getAttribute('data-ms'));
  const fetchMs = Number(await view.getAttribute('data-fetch-ms'));
  await page.close();
  return { ms, points, drawMs: pageMs - fetchMs, fetchMs };
}

async function fetchJson(server) {
  const t0 = performance.now();
  const r = await fetch(`${server.url}/api/ui/robustness`, {
    headers: { authorization: `Bearer ${server.key}` },
  });
  const text = await r.text();
  return { ms: performance.now() - t0, bytes: Buffer.byteLength(text) };
}

const work = join(WORK_DIR, 'dashboard');
rmSync(work, { recursive: true, force: true });
const [bigStore, smallStore] = await Promise.all([
  makeStore(join(work, 'big'), POINTS),
  makeStore(join(work, 'small'), 5),
]);
const big = { ...(await serve(bigStore.config)), key: bigStore.key };
const small = { ...(await serve(smallStore.config)), key: smallStore.key };
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const t = { big: [], small: [], json: [], bigDraw: [], smallDraw: [], bigFetch: [] };
let bigPoints = 0;
let bytes = 0;
try {
  for (let i = 0; i < 2; i++) (await render(browser, small), await render(browser, big)); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const a = await render(browser, small);
    t.small.push(a.ms);
    t.smallDraw.push(a.drawMs);
    const b = await render(browser, big);
    t.big.push(b.ms);
    t.bigDraw.push(b.drawMs);
    t.bigFetch.push(b.fetchMs);
    bigPoints = b.points;
    const j = await fetchJson(big);
    t.json.push(j.ms);
    bytes = j.bytes;
  }
} finally {
  await browser.close();
  big.child.kill('SIGTERM');
  small.child.kill('SIGTERM');
}
const result = {
  runs: RUNS,
  points: bigPoints,
  payloadBytes: bytes,
  smallPageMs: median(t.small),
  bigPageMs: median(t.big),
  jsonFetchMs: median(t.json),
  smallDrawMs: median(t.smallDraw),
  bigDrawMs: median(t.bigDraw),
  bigBrowserFetchMs: median(t.bigFetch),
};
result.pageRatio = result.bigPageMs / result.smallPageMs;
result.extraMs = result.bigPageMs - result.smallPageMs;
if (JSON_OUT) process.stdout.write(`${JSON.stringify(result)}\n`);
log(
  `robustness page, 5-point curve (baseline): ${result.smallPageMs.toFixed(1)} ms (median of ${RUNS}); building and drawing the page ${result.smallDrawMs.toFixed(1)} ms`,
);
log(
  `robustness page, ${bigPoints}-point curve on 3 charts: ${result.bigPageMs.toFixed(1)} ms; fetch + JSON.parse in the page ${result.bigBrowserFetchMs.toFixed(1)} ms; building and drawing ${result.bigDrawMs.toFixed(1)} ms`,
);
log(
  `raw fetch of its JSON from node (${(bytes / 1024).toFixed(0)} KiB): ${result.jsonFetchMs.toFixed(1)} ms`,
);
log(`10k page / 5-point page: ${result.pageRatio.toFixed(2)}x (+${result.extraMs.toFixed(1)} ms)`);
