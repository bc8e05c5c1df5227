#!/usr/bin/env node
// Parquet reading: `readTable` on a generated Parquet file (snappy, row groups of 100k) against, in the same
// run, (a) readTable on the same rows as CSV (Warden's own reader, the floor every other input pays) and
// (b) pyarrow's `pq.read_table(...).to_pydict()` when python3 with pyarrow is present (timed inside Python).
//
//   npm run bench -- parquet                   # 1,000,000 rows x 6 columns
//   npm run bench -- parquet --rows 200000 --runs 3
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORK_DIR, arg, median } from './lib.mjs';

const { readTable, seededRandom } = await import('../dist/core/index.js');
const { parquetWriteBuffer } = await import('hyparquet-writer');
const rows = Number(arg('--rows', '1000000'));
const runs = Number(arg('--runs', '3'));
mkdirSync(WORK_DIR, { recursive: true });

const r = seededRandom(11);
const cols = {
  id: Float64Array.from({ length: rows }, (_, i) => i),
  age: Float64Array.from({ length: rows }, () => Math.round(18 + 60 * r())),
  income: Float64Array.from({ length: rows }, () => Math.round(20_000 + 80_000 * r())),
  score: Float64Array.from({ length: rows }, () => r()),
  colour: Array.from({ length: rows }, () => ['red', 'green', 'blue'][Math.floor(3 * r())]),
  flag: Array.from({ length: rows }, (_, i) => i % 2 === 0),
};
const names = Object.keys(cols);
const pq = join(WORK_DIR, `bench-${rows}.parquet`);
const csv = join(WORK_DIR, `bench-${rows}.csv`);
const columnData = names.map((name) => ({
  name,
  data: cols[name],
  type: name === 'colour' ? 'STRING' : name === 'flag' ? 'BOOLEAN' : 'DOUBLE',
}));
writeFileSync(pq, Buffer.from(parquetWriteBuffer({ columnData, rowGroupSize: 100_000 })));
const lines = [names.join(',')];
for (let i = 0; i < rows; i++) lines.push(names.map((n) => cols[n][i]).join(','));
writeFileSync(csv, lines.join('\n'));

async function time(fn) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}
const pqMs = await time(async () => {
  const t = await readTable(pq);
  if (t.rows !== rows) throw new Error('row count');
});
const csvMs = await time(() => readTable(csv));
const py = spawnSync(
  'python3',
  [
    '-c',
    `import time, pyarrow.parquet as pq
ts = []
for _ in range(${runs}):
    t0 = time.perf_counter(); d = pq.read_table(${JSON.stringify(pq)}).to_pydict(); ts.append(time.perf_counter() - t0)
ts.sort(); print(ts[len(ts) // 2] * 1000)`,
  ],
  { encoding: 'utf8' },
);
const pyMs = py.status === 0 ? Number(py.stdout.trim()) : null;
const mb = (p) => (statSync(p).size / 2 ** 20).toFixed(1);
console.log(
  `rows ${rows}, columns ${names.length}; Parquet ${mb(pq)} MiB, CSV ${mb(csv)} MiB; median of ${runs}`,
);
console.log('| reader | ms | rows/s | vs warden CSV | vs pyarrow to_pydict |');
console.log('|---|---|---|---|---|');
const row = (name, ms) =>
  console.log(
    `| ${name} | ${ms.toFixed(0)} | ${Math.round(rows / (ms / 1000)).toLocaleString('en')} | ${(ms / csvMs).toFixed(2)} | ${pyMs ? (ms / pyMs).toFixed(2) : '-'} |`,
  );
row('warden readTable (Parquet)', pqMs);
row('warden readTable (CSV, same rows)', csvMs);
if (pyMs) row('pyarrow read_table().to_pydict()', pyMs);
else console.log(`pyarrow not available: ${py.stderr.trim().split('\n').pop()}`);
