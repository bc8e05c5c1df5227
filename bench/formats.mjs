#!/usr/bin/env node
// Benchmark of the safetensors and GGUF scanners against reference header readers.
//
//   npm run build && node bench/formats.mjs [--iterations N] [--gib 1]
//
// Generates (once, cached in bench/.work/) a ~1 GiB safetensors file with 1024 tensors and a
// ~1 GiB GGUF file with a 128k-token vocabulary and 291 tensors, streaming the zero-filled data
// to disk. Then times `scanFile` from ../dist/index.js on each (median of N warm runs) against,
// in the same run:
//   - safetensors: Python `safetensors.safe_open` reading the header (keys, metadata, shapes);
//     if the package is missing, `pip install safetensors` is tried, and failing that the
//     baseline is a plain Node read + JSON.parse of the header bytes;
//   - GGUF: Python `gguf.GGUFReader` (the llama.cpp reference reader) when importable.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const work = join(here, '.work');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : def;
};
const ITER = opt('iterations', 15);
const GIB = opt('gib', 1);

let scanFile;
try {
  ({ scanFile } = await import('../dist/index.js'));
} catch (e) {
  console.error(`cannot import ../dist/index.js (${e.message}); run \`npm run build\` first`);
  process.exit(2);
}

const ZERO = Buffer.alloc(16 * 1024 * 1024);
function writeZeros(fd, n) {
  for (let left = n; left > 0; left -= ZERO.length) writeSync(fd, ZERO, 0, Math.min(ZERO.length, left));
}

function makeSafetensors(path, total) {
  const count = 1024;
  const per = Math.floor(total / count / 4096) * 4096;
  const header = { __metadata__: { format: 'pt', producer: 'ml-warden bench' } };
  for (let i = 0; i < count; i++) {
    const layer = Math.floor(i / 8);
    const kind = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj', 'norm'][i % 8];
    header[`model.layers.${layer}.${kind}.weight`] = {
      dtype: 'F32',
      shape: [per / 4 / 1024, 1024],
      data_offsets: [i * per, (i + 1) * per],
    };
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const fd = openSync(path, 'w');
  writeSync(fd, len);
  writeSync(fd, json);
  writeZeros(fd, per * count);
  closeSync(fd);
  return { tensors: count, headerBytes: json.length };
}

function ggufHeader(vocab, tensors) {
  const parts = [];
  const u32 = (v) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    parts.push(b);
  };
  const u64 = (v) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    parts.push(b);
  };
  const str = (s) => {
    const b = Buffer.from(s);
    u64(b.length);
    parts.push(b);
  };
  const template =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
  const kvs = [
    ['general.architecture', 8, () => str('llama')],
    ['general.name', 8, () => str('bench')],
    ['general.alignment', 4, () => u32(32)],
    ['llama.context_length', 4, () => u32(4096)],
    ['tokenizer.ggml.model', 8, () => str('gpt2')],
    [
      'tokenizer.ggml.tokens',
      9,
      () => (u32(8), u64(vocab), Array.from({ length: vocab }, (_, i) => str(`tok_${i}`))),
    ],
    ['tokenizer.ggml.scores', 9, () => (u32(6), u64(vocab), parts.push(Buffer.alloc(vocab * 4)))],
    ['tokenizer.ggml.token_type', 9, () => (u32(5), u64(vocab), parts.push(Buffer.alloc(vocab * 4)))],
    [
      'tokenizer.ggml.merges',
      9,
      () => (u32(8), u64(vocab), Array.from({ length: vocab }, (_, i) => str(`m ${i}`))),
    ],
    ['tokenizer.chat_template', 8, () => str(template)],
  ];
  parts.push(Buffer.from('GGUF'));
  u32(3);
  u64(tensors.length);
  u64(kvs.length);
  for (const [k, type, write] of kvs) {
    str(k);
    u32(type);
    write();
  }
  for (const t of tensors) {
    str(t.name);
    u32(t.dims.length);
    for (const d of t.dims) u64(d);
    u32(t.type);
    u64(t.offset);
  }
  return Buffer.concat(parts);
}

function makeGguf(path, total) {
  const count = 291;
  const per = Math.floor(total / count / 4096) * 4096; // F16 tensors: per/2 elements
  const tensors = Array.from({ length: count }, (_, i) => ({
    name: `blk.${Math.floor(i / 9)}.w${i % 9}.weight`,
    dims: [1024, per / 2 / 1024],
    type: 1,
    offset: i * per,
  }));
  const head = ggufHeader(128_000, tensors);
  const pad = (32 - (head.length % 32)) % 32;
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  writeZeros(fd, pad + per * count);
  closeSync(fd);
  return { tensors: count, headerBytes: head.length };
}

function ensure(path, make, total) {
  if (existsSync(path) && statSync(path).size >= total * 0.9) return null;
  const t = performance.now();
  const info = make(path, total);
  console.log(
    `generated ${path} (${(statSync(path).size / 2 ** 30).toFixed(2)} GiB) in ${(performance.now() - t).toFixed(0)} ms`,
  );
  return info;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeScan(path) {
  const t0 = performance.now();
  await scanFile(path); // first scan in this process: cold JIT
  const cold = performance.now() - t0;
  for (let i = 0; i < 10; i++) await scanFile(path); // warm-up
  const times = [];
  let last;
  for (let i = 0; i < Math.max(ITER, 30); i++) {
    const t = performance.now();
    last = await scanFile(path);
    times.push(performance.now() - t);
  }
  return { ms: median(times), cold, result: last };
}

function python(code, path, iterations = ITER) {
  const r = spawnSync('python3', ['-c', code, path, String(iterations)], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop() };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const PY_TIMER = `
import sys, time, json, statistics
path, n = sys.argv[1], int(sys.argv[2])
def once():
    BODY
once()
ts = []
for _ in range(n):
    t = time.perf_counter(); once(); ts.append((time.perf_counter() - t) * 1000)
print(json.dumps({"ms": statistics.median(ts)}))
`;
const PY_SAFETENSORS = PY_TIMER.replace(
  'BODY',
  `from safetensors import safe_open
    with safe_open(path, framework="np") as f:
        f.metadata()
        for k in f.keys(): f.get_slice(k).get_shape()`,
);
const PY_GGUF = PY_TIMER.replace('BODY', 'import gguf\n    r = gguf.GGUFReader(path)\n    len(r.tensors)');

function haveModule(mod) {
  return spawnSync('python3', ['-c', `import ${mod}`]).status === 0;
}

function nodeHeaderBaseline(path) {
  const once = () => {
    const fd = openSync(path, 'r');
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, 8);
    closeSync(fd);
    return JSON.parse(buf.toString('utf8'));
  };
  once();
  const ts = [];
  for (let i = 0; i < ITER; i++) {
    const t = performance.now();
    once();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

mkdirSync(work, { recursive: true });
const total = Math.round(GIB * 2 ** 30);
const stPath = join(work, 'bench.safetensors');
const ggPath = join(work, 'bench.gguf');
ensure(stPath, makeSafetensors, total);
ensure(ggPath, makeGguf, total);

const rows = [];
// safetensors
{
  const ours = await timeScan(stPath);
  let baseline;
  let label;
  if (!haveModule('safetensors'))
    spawnSync('python3', ['-m', 'pip', 'install', '-q', 'safetensors'], { stdio: 'ignore' });
  const py = haveModule('safetensors')
    ? python(PY_SAFETENSORS, stPath)
    : { error: 'safetensors not importable' };
  if (py.ms !== undefined) {
    baseline = py.ms;
    label = 'python safetensors.safe_open (keys, metadata, shapes)';
  } else {
    baseline = nodeHeaderBaseline(stPath);
    label = `node read + JSON.parse of header (python: ${py.error})`;
  }
  rows.push(['safetensors', statSync(stPath).size, ours, baseline, label]);
}
// gguf
{
  const ours = await timeScan(ggPath);
  // GGUFReader parses every vocabulary string in Python: seconds per run, so fewer runs
  const py = haveModule('gguf')
    ? python(PY_GGUF, ggPath, Math.min(ITER, 3))
    : { error: 'gguf not importable' };
  rows.push([
    'gguf',
    statSync(ggPath).size,
    ours,
    py.ms ?? null,
    py.ms !== undefined ? 'python gguf.GGUFReader' : `none (${py.error})`,
  ]);
}

console.log(
  `\nwarden: median of ${Math.max(ITER, 30)} warm runs after 10 warm-up (cold = first scan in the process);`,
);
console.log(`python: median of ${ITER} runs (GGUF: 3) timed in-process (node ${process.version})`);
for (const [fmt, size, ours, base, label] of rows) {
  const r = ours.result;
  console.log(
    `${fmt.padEnd(12)} ${(size / 2 ** 30).toFixed(2)} GiB  warden scan ${ours.ms.toFixed(2)} ms (cold ${ours.cold.toFixed(1)} ms)` +
      ` (status ${r.item.status}, ${r.findings.length} findings)` +
      (base === null
        ? ''
        : `  baseline ${base.toFixed(2)} ms  ratio warden/baseline ${(ours.ms / base).toPrecision(3)}`) +
      `\n${''.padEnd(12)} baseline: ${label}`,
  );
}
