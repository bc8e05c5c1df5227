// Posture speed: `runPosture` (the 20 checks: walk, dependency parsing, pickle scan, signature lookup, secrets
// scan of every text file, PII sample of the data files) on a generated ML project, against a plain directory
// walk of the same tree (readdir + stat, the floor of anything that looks at every file) and a walk that also
// reads every byte, measured in the same run. Usage: npm run bench -- posture [--files 3000] [--reps 3]
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runPosture } from '../dist/posture/index.js';
import { WORK_DIR, arg, median } from './lib.mjs';

const FILES = Number(arg('--files', '3000'));
const reps = Number(arg('--reps', '3'));
const root = join(WORK_DIR, 'posture-project');

function generate() {
  rmSync(root, { recursive: true, force: true });
  let s = 7;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const put = (rel, data) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), data);
  };
  const code = (i) =>
    Array.from(
      { length: 60 },
      (_, k) => `def step_${i}_${k}(x, lr=0.01):\n    return x * lr + ${k} / (1 + abs(x))\n`,
    ).join('\n');
  const nPy = Math.floor(FILES * 0.7);
  for (let i = 0; i < nPy; i++)
    put(
      `src/pkg${i % 40}/module_${i}.py`,
      code(i) + (i % 500 === 7 ? `\nAPI_KEY = "sk-live-${'x'.repeat(8)}4eC39HqLyjWDarjtT1zdp7dc"\n` : ''),
    );
  for (let i = 0; i < Math.floor(FILES * 0.2); i++)
    put(`docs/page_${i}.md`, `# Page ${i}\n\n${'Training notes and evaluation details. '.repeat(40)}\n`);
  for (let i = 0; i < 30; i++) {
    const rows = ['id,feature_a,feature_b,label'];
    for (let r = 0; r < 400; r++) rows.push(`${r},${rnd().toFixed(4)},${rnd().toFixed(4)},${r % 2}`);
    if (i === 3) rows.push('401,contact maria.lopez@example.com,(415) 555-0134,1');
    put(`data/part_${i}.csv`, rows.join('\n'));
  }
  put(
    'requirements.txt',
    Array.from({ length: 80 }, (_, i) => `package-${i}==1.${i}.0`).join('\n') + '\nrequests>=2\n',
  );
  put('THREAT_MODEL.md', `# Threat model\n\n${'Assets, adversaries and entry points. '.repeat(20)}`);
  for (let i = 0; i < 4; i++) {
    const header = Buffer.from(
      JSON.stringify({ w: { dtype: 'F32', shape: [262144], data_offsets: [0, 1048576] } }).padEnd(80),
    );
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    put(`models/shard_${i}.safetensors`, Buffer.concat([len, header, Buffer.alloc(1048576)]));
    put(`models/tokenizer_${i}.pkl`, Buffer.from('ccollections\nOrderedDict\n)R.', 'latin1'));
  }
  put('reports/robustness.json', JSON.stringify({ cleanAccuracy: 0.9, robustAccuracy: 0.7 }));
}

function walk(dir, read) {
  let n = 0;
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      const r = walk(p, read);
      n += r.n;
      bytes += r.bytes;
    } else {
      n++;
      bytes += read ? readFileSync(p).length : st.size;
    }
  }
  return { n, bytes };
}

generate();
const w = walk(root, false);
const timeIt = async (fn) => {
  await fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
};
const walkMs = await timeIt(() => walk(root, false));
const readMs = await timeIt(() => walk(root, true));
let report;
const postureMs = await timeIt(async () => (report = await runPosture({ path: root })));
const mb = (w.bytes / 2 ** 20).toFixed(1);
console.log(
  `posture: generated project, ${w.n} files, ${mb} MiB, median of ${reps}, Node ${process.version}, ${availableParallelism()} cores\n`,
);
console.log('| | time | files/s |');
console.log('|---|---|---|');
console.log(
  `| directory walk, readdir + stat (baseline) | ${walkMs.toFixed(0)} ms | ${((w.n * 1000) / walkMs).toFixed(0)} |`,
);
console.log(`| walk and read every byte | ${readMs.toFixed(0)} ms | ${((w.n * 1000) / readMs).toFixed(0)} |`);
console.log(
  `| warden posture (20 checks) | ${postureMs.toFixed(0)} ms | ${((w.n * 1000) / postureMs).toFixed(0)} |`,
);
const m = report.metrics;
console.log(
  `\nposture / walk: ${(postureMs / walkMs).toFixed(1)}x; posture / walk+read: ${(postureMs / readMs).toFixed(1)}x; result ${m.pass} pass, ${m.fail} fail, ${m.unknown} unknown`,
);
const slow = Object.entries(m)
  .filter(([k]) => k.startsWith('ms.'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, 4);
console.log(`slowest checks (last run): ${slow.map(([k, v]) => `${k.slice(3)} ${v} ms`).join(', ')}`);
