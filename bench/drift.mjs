#!/usr/bin/env node
// Drift benchmark: each two-sample test on n + n normal values against (a) the raw cost of sorting the same
// 2n values in this process and (b) SciPy's function on the same data when python3 with SciPy is present
// (timed inside Python, so interpreter start-up does not count). Then `warden drift` end to end on a
// 10-column CSV against reading the same files with the shared table reader (the parse floor).
//
//   npm run bench -- drift                 # n = 10^4, 10^5, 10^6
//   npm run bench -- drift --sizes 10000,100000
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORK_DIR, arg, median } from './lib.mjs';

const m = await import('../dist/monitor/index.js');
const { seededRandom, readTable } = await import('../dist/core/index.js');
const sizes = arg('--sizes', '10000,100000,1000000').split(',').map(Number);
const runs = Number(arg('--runs', '3'));
mkdirSync(WORK_DIR, { recursive: true });

const python = spawnSync('python3', ['-c', 'import scipy; print(scipy.__version__)'], { encoding: 'utf8' });
const scipyVersion = python.status === 0 ? python.stdout.trim() : null;

function normals(n, mu, seed) {
  const r = seededRandom(seed);
  return Float64Array.from(
    { length: n },
    () => mu + Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()),
  );
}
function time(fn) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}
const tests = {
  ks: [(a, b) => m.ks2samp(a, b), 'stats.ks_2samp(a, b)'],
  wasserstein: [(a, b) => m.wasserstein(a, b), 'stats.wasserstein_distance(a, b)'],
  energy: [(a, b) => m.energyDistance(a, b), 'stats.energy_distance(a, b)'],
  anderson: [(a, b) => m.andersonKsamp([a, b]), 'stats.anderson_ksamp([a, b])'],
  mannwhitney: [(a, b) => m.mannWhitneyU(a, b), 'stats.mannwhitneyu(a, b)'],
  t_test: [(a, b) => m.tTest(a, b), 'stats.ttest_ind(a, b, equal_var=False)'],
  epps_singleton: [(a, b) => m.eppsSingleton(a, b), 'stats.epps_singleton_2samp(a, b)'],
};

console.log(`SciPy: ${scipyVersion ?? 'not found (ratios vs SciPy omitted)'}; runs: median of ${runs}`);
console.log('| n per sample | test | warden ms | sort ms | warden / sort | SciPy ms | warden / SciPy |');
console.log('|---|---|---|---|---|---|---|');
for (const n of sizes) {
  const a = normals(n, 0, 1);
  const b = normals(n, 0.01, 2);
  const both = new Float64Array(2 * n);
  both.set(a);
  both.set(b, n);
  const sortMs = time(() => Float64Array.from(both).sort());
  let sp = {};
  if (scipyVersion) {
    const fa = join(WORK_DIR, 'drift-a.f64');
    const fb = join(WORK_DIR, 'drift-b.f64');
    writeFileSync(fa, Buffer.from(a.buffer));
    writeFileSync(fb, Buffer.from(b.buffer));
    const code = [
      'import json, time, warnings, numpy as np',
      'from scipy import stats',
      'warnings.simplefilter("ignore")',
      `a = np.fromfile(${JSON.stringify(fa)}); b = np.fromfile(${JSON.stringify(fb)})`,
      'out = {}',
      ...Object.entries(tests).map(
        ([k, [, expr]]) =>
          `ts = []\nfor _ in range(${runs}):\n    t0 = time.perf_counter(); ${expr}; ts.append((time.perf_counter() - t0) * 1000)\nout[${JSON.stringify(k)}] = sorted(ts)[len(ts) // 2]`,
      ),
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', code], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status === 0) sp = JSON.parse(r.stdout);
    else console.error(r.stderr);
  }
  for (const [name, [fn]] of Object.entries(tests)) {
    const ms = time(() => fn(a, b));
    const s = sp[name];
    console.log(
      `| ${n} | ${name} | ${ms.toFixed(1)} | ${sortMs.toFixed(1)} | ${(ms / sortMs).toFixed(2)} | ${s === undefined ? '-' : s.toFixed(1)} | ${s === undefined ? '-' : (ms / s).toFixed(2)} |`,
    );
  }
}

// End to end: warden drift on 10 numerical + categorical columns against the table reader alone.
const rows = Number(arg('--rows', '200000'));
const rnd = seededRandom(7);
const csv = (shift) => {
  const lines = ['a,b,c,d,e,f,g,cat1,cat2,flag'];
  for (let i = 0; i < rows; i++) {
    const g = () => (Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()) + shift).toFixed(4);
    lines.push(
      [
        g(),
        g(),
        g(),
        g(),
        g(),
        g(),
        g(),
        `c${Math.floor(rnd() * 12)}`,
        `k${Math.floor(rnd() * 4)}`,
        rnd() < 0.5 ? 'y' : 'n',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
};
const ref = join(WORK_DIR, 'drift-ref.csv');
const cur = join(WORK_DIR, 'drift-cur.csv');
writeFileSync(ref, csv(0));
writeFileSync(cur, csv(0.05));
const t0 = performance.now();
await readTable(ref);
await readTable(cur);
const parseMs = performance.now() - t0;
const t1 = performance.now();
const r = spawnSync(
  process.execPath,
  [
    join(WORK_DIR, '..', '..', 'dist', 'cli', 'main.js'),
    'drift',
    '--reference',
    ref,
    '--current',
    cur,
    '--json',
  ],
  {
    encoding: 'utf8',
  },
);
const cliMs = performance.now() - t1;
const out = JSON.parse(r.stdout);
console.log(
  `\nwarden drift, ${rows} + ${rows} rows x 10 columns (defaults: ${[...new Set(Object.values(out.columns).map((c) => c.test))].join(', ')}): ${cliMs.toFixed(0)} ms end to end (process start included); reading both files alone ${parseMs.toFixed(0)} ms; ratio ${(cliMs / parseMs).toFixed(2)}`,
);
