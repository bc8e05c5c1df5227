// Directory scan across cores: the whole model corpus (200 files, many formats) scanned with one
// worker lane (baseline) and with one lane per core, in the same run. Reports files/s and speed-up.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanPaths } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '..', 'test', 'fixtures', 'corpus');

/** A CPU-bound set: 6 pickles of ~6 M opcodes (lists of BININT in MARK/APPENDS batches). */
function bigPickles() {
  const dir = join(here, '.work', 'pickles-6x6m');
  if (existsSync(join(dir, 'p5.pkl'))) return dir;
  mkdirSync(dir, { recursive: true });
  const batch = Buffer.concat([Buffer.from([0x28]), Buffer.alloc(5 * 1000, 0), Buffer.from([0x65])]);
  for (let i = 0; i < 1000; i++) batch.set([0x4a, i & 0xff, i >> 8, 0, 0], 1 + i * 5);
  const body = Buffer.concat(Array.from({ length: 6000 }, () => batch));
  const file = Buffer.concat([Buffer.from([0x80, 4, 0x5d]), body, Buffer.from([0x2e])]);
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, `p${i}.pkl`), file);
  return dir;
}
const cores = availableParallelism();
const runs = Number(process.argv[2] ?? 5);

async function time(root, concurrency) {
  const ms = [];
  let report;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    report = await scanPaths([root], { concurrency });
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[Math.floor(ms.length / 2)], report };
}

for (const [label, root] of [
  ['model corpus (210 small files)', corpus],
  ['6 pickles x 6 M opcodes', bigPickles()],
]) {
  await time(root, cores); // warm the page cache and the JIT
  const one = await time(root, 1);
  const all = await time(root, cores);
  const files = one.report.items.length;
  console.log(`\n${label}\n`);
  console.log(`| lanes | files | median ms | files/s | findings |`);
  console.log(`|---|---|---|---|---|`);
  for (const [n, r] of [
    [1, one],
    [cores, all],
  ])
    console.log(
      `| ${n} | ${files} | ${r.ms.toFixed(0)} | ${((files / r.ms) * 1000).toFixed(0)} | ${r.report.findings.length} |`,
    );
  console.log(
    `\nspeed-up with ${cores} lanes over 1: ${(one.ms / all.ms).toFixed(2)}x (median of ${runs} runs)`,
  );
}
