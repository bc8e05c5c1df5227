#!/usr/bin/env node
// Checkpoint conversion benchmark: `warden convert` against copying the same bytes. Generates
// bench/.work/convert-1g.pt (a torch.save-style zip: data.pkl with _rebuild_tensor_v2 over
// FloatStorage persistent ids, byteorder, ~1 GiB of stored storages, one of them a transposed
// view), then in fresh child processes (so peak RSS is each one's own) measures:
//   copyFile   fs.copyFileSync of the checkpoint, then fsync (kernel copy),
//   readwrite  reading every storage member and writing it to one file, then fsync,
//   convert    convertCheckpoint: scan, SHA-256 of the source (in a worker thread, overlapping
//              the rest), stream tensors, fsync, re-scan.
// Reports the best of --runs runs: ms, MiB/s of checkpoint bytes, peak RSS, and convert / baseline ratios.
//
//   npm run build && node bench/convert.mjs      # ~1 GiB (kept for later runs)
//   node bench/convert.mjs --gib 0.25 --regen    # smaller, rewritten
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { BENCH_DIR as here, arg, u16, u32 } from './lib.mjs';

const argv = process.argv.slice(2);

const CHUNK = 8 << 20;

function syncFile(path) {
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

async function measure(mode, path, layoutJson) {
  const out = join(dirname(path), `out-${mode}`);
  rmSync(out, { force: true });
  const { convertCheckpoint } = mode === 'convert' ? await import('../dist/index.js') : {};
  const t0 = process.hrtime.bigint();
  let extra = {};
  if (mode === 'copyFile') {
    copyFileSync(path, out);
    syncFile(out);
  } else if (mode === 'readwrite') {
    const spans = JSON.parse(layoutJson);
    const src = openSync(path, 'r');
    const dst = openSync(out, 'w');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (const [start, size] of spans)
      for (let done = 0; done < size;) {
        const n = readSync(src, buf, 0, Math.min(CHUNK, size - done), start + done);
        for (let w = 0; w < n;) w += writeSync(dst, buf, w, n - w);
        done += n;
      }
    fsyncSync(dst);
    closeSync(src);
    closeSync(dst);
  } else {
    const r = await convertCheckpoint(path, {
      out,
      overwrite: true,
      scan: { limits: { timeoutMs: 600_000 } },
    });
    extra = { tensors: r.tensors, fileBytes: r.fileBytes };
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  rmSync(out, { force: true });
  return { ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...extra };
}

if (argv[0] === '--measure') {
  process.stdout.write(JSON.stringify(await measure(argv[1], argv[2], argv[3])));
  process.exit(0);
}

/** Writes a torch.save-style zip streaming; returns [dataStart, size] of every storage member. */
async function writeCheckpoint(path, totalBytes) {
  const { torchPickle, plainDict, stateDict, storageId, tensorV2 } =
    await import('../dist/artifacts/convert/testing.js');
  const block = randomBytes(16 << 20);
  const storages = 8;
  const perStorage = Math.max(1, Math.floor(totalBytes / storages / block.length)) * block.length;
  const rows = 1024;
  const cols = perStorage / 4 / rows;
  const tensors = {};
  for (let s = 0; s < storages; s++) {
    const id = storageId('FloatStorage', String(s), rows * cols);
    // layer 0 is stored transposed (a non-contiguous view), the rest contiguous
    tensors[`layers.${s}.weight`] =
      s === 0 ? tensorV2(id, 0, [cols, rows], [1, cols]) : tensorV2(id, 0, [rows, cols], [cols, 1]);
  }
  const pkl = torchPickle(plainDict({ state_dict: stateDict(tensors), step: 1 }));
  const fd = openSync(path, 'w');
  let offset = 0;
  const put = (b) => {
    for (let done = 0; done < b.length;) done += writeSync(fd, b, done, b.length - done, offset + done);
    offset += b.length;
  };
  const central = [];
  const spans = [];
  const member = (name, chunks) => {
    const nameBuf = Buffer.from(`archive/${name}`);
    const start = offset;
    put(Buffer.concat([u32(0x04034b50), u16(20), u16(0x0808), u16(0), u32(0), u32(0), u32(0), u32(0)]));
    put(Buffer.concat([u16(nameBuf.length), u16(0), nameBuf]));
    const dataStart = offset;
    let crc = 0;
    let size = 0;
    for (const c of chunks) {
      crc = crc32(c, crc);
      size += c.length;
      put(c);
    }
    put(Buffer.concat([u32(0x08074b50), u32(crc), u32(size), u32(size)]));
    central.push({ nameBuf, start, crc, size });
    return [dataStart, size];
  };
  member('data.pkl', [Buffer.from(pkl)]);
  member('byteorder', [Buffer.from('little')]);
  for (let s = 0; s < storages; s++)
    spans.push(
      member(
        `data/${s}`,
        Array.from({ length: perStorage / block.length }, () => block),
      ),
    );
  member('version', [Buffer.from('3\n')]);
  const cdStart = offset;
  for (const c of central) {
    put(Buffer.concat([u32(0x02014b50), u16(20), u16(20), u16(0x0808), u16(0), u32(0), u32(c.crc)]));
    put(Buffer.concat([u32(c.size), u32(c.size), u16(c.nameBuf.length), u16(0), u16(0), u16(0), u16(0)]));
    put(Buffer.concat([u32(0), u32(c.start), c.nameBuf]));
  }
  const cdSize = offset - cdStart;
  put(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(central.length), u16(central.length)]));
  put(Buffer.concat([u32(cdSize), u32(cdStart), u16(0)]));
  closeSync(fd);
  return spans;
}

const gib = Number(arg('--gib', '1'));
if (!(gib > 0 && gib < 3.9)) throw new Error('--gib must be between 0 and 3.9 (no ZIP64 writer here)');
const work = join(here, '.work');
mkdirSync(work, { recursive: true });
const path = join(work, `convert-${gib}g.pt`);
const layoutPath = `${path}.layout.json`;
if (!existsSync(path) || !existsSync(layoutPath) || argv.includes('--regen')) {
  const t0 = Date.now();
  const spans = await writeCheckpoint(path, gib * 1024 ** 3);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(layoutPath, JSON.stringify(spans));
  console.log(`generated ${path} in ${Date.now() - t0} ms`);
}
const { readFileSync } = await import('node:fs');
const layout = readFileSync(layoutPath, 'utf8');
const size = statSync(path).size;
const child = (mode) => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', mode, path, layout], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
// warm the page cache once so that every mode reads from the same place
child('copyFile');
// write speed (page cache flushing, fsync) is noisy: every mode runs `--runs` times (default 3),
// interleaved, and the fastest run counts
const runs = Number(arg('--runs', '3'));
const results = {};
for (let i = 0; i < runs; i++)
  for (const mode of ['copyFile', 'readwrite', 'convert']) {
    const r = child(mode);
    if (!results[mode] || r.ms < results[mode].ms) results[mode] = r;
  }
const mib = size / 1024 ** 2;
console.log(`checkpoint: ${mib.toFixed(0)} MiB torch.save-style zip, 8 storages, one transposed (${path})`);
for (const [mode, r] of Object.entries(results))
  console.log(
    `${mode.padEnd(10)} ${r.ms.toFixed(0).padStart(7)} ms  ${((mib / r.ms) * 1000).toFixed(0).padStart(5)} MiB/s  ` +
      `peak RSS ${r.maxRssMiB.toFixed(0)} MiB${r.tensors ? `  (${r.tensors} tensors)` : ''}`,
  );
console.log(
  `convert / copyFile: ${(results.convert.ms / results.copyFile.ms).toFixed(2)}x, ` +
    `convert / readwrite: ${(results.convert.ms / results.readwrite.ms).toFixed(2)}x`,
);
