#!/usr/bin/env node
// Pickle scanner benchmark. Generates bench/.work/ops10m.pkl (~10 million opcodes: a list of ints
// and memoized strings built with APPENDS, plus a few globals), times scanFile on it in a fresh
// child process (so peak RSS is the scan's own), and times the baseline in the same run: Python's
// pickletools.genops over the same file, which is what picklescan iterates internally.
//
//   npm run build && node bench/pickle.mjs              # 10M-opcode run
//   node bench/pickle.mjs --ops 2000000                 # smaller
//   node bench/pickle.mjs --size 600                    # also a ~600 MB pickle of BINBYTES8 operands
//   BENCH_PYTHON=0 node bench/pickle.mjs                # skip the Python baseline
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR as here, WORK_DIR as work, arg } from './lib.mjs';

const argv = process.argv.slice(2);

if (argv[0] === '--measure') {
  // child mode: scan one file, report time, opcodes and peak RSS as JSON
  const { scanFile } = await import('../dist/index.js');
  const t0 = process.hrtime.bigint();
  const r = await scanFile(argv[1], { limits: { timeoutMs: 600_000 } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const out = {
    ms,
    opcodes: r.metrics.pickle_opcodes ?? 0,
    status: r.item.status,
    error: r.item.error?.code ?? null,
    findings: r.findings.map((f) => `${f.severity}:${f.id}`),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

/** Buffered file writer so generation itself stays fast and small. */
function writer(path) {
  const fd = openSync(path, 'w');
  let buf = Buffer.allocUnsafe(1 << 22);
  let n = 0;
  const flush = () => {
    writeSync(fd, buf, 0, n);
    n = 0;
  };
  return {
    bytes(...bs) {
      if (n + bs.length > buf.length) flush();
      for (const b of bs) buf[n++] = b;
    },
    buf(b) {
      if (n + b.length > buf.length) flush();
      if (b.length > buf.length) return writeSync(fd, b);
      b.copy(buf, n);
      n += b.length;
    },
    close() {
      flush();
      closeSync(fd);
    },
  };
}

const ascii = (s) => Buffer.from(s, 'latin1');

/** ~targetOps opcodes: OrderedDict() REDUCE, then a list of (int, memoized str) items, then a tuple. */
function genOps(path, targetOps) {
  const w = writer(path);
  let ops = 0;
  w.bytes(0x80, 4); // PROTO 4
  w.buf(ascii('\x8c\x0bcollections\x94\x8c\x0bOrderedDict\x94\x93\x94)R\x94')); // STACK_GLOBAL + REDUCE
  ops += 9;
  w.bytes(0x5d, 0x94); // EMPTY_LIST MEMOIZE
  ops += 2;
  let i = 0;
  while (ops < targetOps - 10) {
    w.bytes(0x28); // MARK
    ops++;
    for (let j = 0; j < 1000 && ops < targetOps - 10; j++, i++) {
      if (i & 1) {
        const s = `tok${i}`;
        w.bytes(0x8c, s.length);
        w.buf(ascii(s));
        w.bytes(0x94); // SHORT_BINUNICODE + MEMOIZE
        ops += 2;
      } else {
        w.bytes(0x4a, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0); // BININT
        ops++;
      }
    }
    w.bytes(0x65); // APPENDS
    ops++;
  }
  w.bytes(0x86, 0x2e); // TUPLE2 STOP
  ops += 2;
  w.close();
  return ops;
}

/** A ~sizeMiB pickle: a dict of 1 MiB BINBYTES8 values (never copied by the scanner). */
function genBig(path, sizeMiB) {
  const w = writer(path);
  const chunk = Buffer.alloc(1 << 20, 0x41);
  w.bytes(0x80, 4, 0x7d, 0x94, 0x28); // PROTO EMPTY_DICT MEMOIZE MARK
  for (let i = 0; i < sizeMiB; i++) {
    const k = `w${i}`;
    w.bytes(0x8c, k.length);
    w.buf(ascii(k));
    w.bytes(0x8e, 0, 0, 0x10, 0, 0, 0, 0, 0); // BINBYTES8 len 1 MiB
    w.buf(chunk);
  }
  w.bytes(0x75, 0x2e); // SETITEMS STOP
  w.close();
}

function measure(path) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', path], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`scan child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function python(path) {
  if (process.env.BENCH_PYTHON === '0') return null;
  const code =
    'import pickletools,sys,time\n' +
    'f=open(sys.argv[1],"rb")\nt=time.perf_counter()\nn=0\n' +
    'for _ in pickletools.genops(f): n+=1\n' +
    'print(n, time.perf_counter()-t)';
  const r = spawnSync('python3', ['-c', code, path], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const [n, s] = r.stdout.trim().split(/\s+/).map(Number);
  return { opcodes: n, ms: s * 1000 };
}

if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
mkdirSync(work, { recursive: true });
const targetOps = Number(arg('--ops', '10000000'));
const opsPath = join(work, `ops${Math.round(targetOps / 1e6)}m.pkl`);
const opsWritten = genOps(opsPath, targetOps);
const mine = measure(opsPath);
const py = python(opsPath);
const rate = (ops, ms) => (ops / (ms / 1000) / 1e6).toFixed(2);
const mb = (statSync(opsPath).size / 1024 ** 2).toFixed(1);

console.log(
  '| file | opcodes | ml-warden scan | ml-warden Mops/s | pickletools.genops | genops Mops/s | speed-up | peak RSS |',
);
console.log('|---|---|---|---|---|---|---|---|');
console.log(
  `| ${opsWritten.toLocaleString('en')} opcodes, ${mb} MB | ${mine.opcodes.toLocaleString('en')} | ${(mine.ms / 1000).toFixed(2)} s | ${rate(mine.opcodes, mine.ms)} | ` +
    (py
      ? `${(py.ms / 1000).toFixed(2)} s | ${rate(py.opcodes, py.ms)} | ${(py.ms / mine.ms).toFixed(1)}x`
      : 'n/a | n/a | n/a') +
    ` | ${mine.maxRssMiB.toFixed(0)} MiB |`,
);
if (mine.status !== 'findings' && mine.status !== 'clean')
  console.log(`scan status: ${mine.status} ${mine.error ?? ''}`);

const big = arg('--size', null);
if (big) {
  const bigPath = join(work, `big${big}m.pkl`);
  genBig(bigPath, Number(big));
  const m = measure(bigPath);
  const size = (statSync(bigPath).size / 1024 ** 2).toFixed(0);
  console.log(
    `| ${size} MB of BINBYTES8 | ${m.opcodes.toLocaleString('en')} | ${(m.ms / 1000).toFixed(2)} s | - | - | - | - | ${m.maxRssMiB.toFixed(0)} MiB |`,
  );
}
