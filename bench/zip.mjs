#!/usr/bin/env node
// Zip scanner benchmark: the cost of a torch checkpoint must not scale with its size. Generates
// bench/.work/torch-2g.pt (a torch-style zip: small data.pkl, version, byteorder, and ~2 GB of
// stored raw storages, written streaming with data descriptors like torch.save), then in fresh
// child processes (so peak RSS is each one's own) measures:
//   baseline  SHA-256 of the whole file with streaming reads (the hardware read speed),
//   scan      scanFile on it (dist/, built by `npm run build`),
// reporting ms, bytes actually read (/proc/self/io rchar, Linux), peak RSS, and the ratio.
//
//   npm run build && node bench/zip.mjs             # ~2 GB file (kept for later runs)
//   node bench/zip.mjs --gib 0.5                    # smaller
//   node bench/zip.mjs --regen                      # rewrite the file
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { BENCH_DIR as here, arg, u16, u32 } from './lib.mjs';

const argv = process.argv.slice(2);

/** Bytes read by this process so far (Linux), or null. */
function rchar() {
  try {
    const m = /rchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function measure(mode, path) {
  // the module graph is loaded before measuring: its reads and parse time are not the scan's
  const { scanFile } = mode === 'scan' ? await import('../dist/index.js') : {};
  const before = rchar();
  const t0 = process.hrtime.bigint();
  let extra = {};
  if (mode === 'scan') {
    const r = await scanFile(path, { limits: { timeoutMs: 600_000 } });
    extra = {
      status: r.item.status,
      error: r.item.error?.code ?? null,
      findings: r.findings.map((f) => `${f.severity}:${f.id}`),
      metrics: r.metrics,
    };
  } else {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) h.update(chunk);
    extra = { sha256: h.digest('hex').slice(0, 16) };
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const after = rchar();
  const bytesRead = before === null || after === null ? null : after - before;
  return { ms, bytesRead, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...extra };
}

if (argv[0] === '--measure') {
  process.stdout.write(JSON.stringify(await measure(argv[1], argv[2])));
  process.exit(0);
}

/** Writes a torch-style zip: stored members, bit 3 data descriptors, central directory. */
function writeTorchZip(path, totalBytes) {
  const fd = openSync(path, 'w');
  let offset = 0;
  const put = (b) => {
    let done = 0;
    while (done < b.length) done += writeSync(fd, b, done, b.length - done, offset + done);
    offset += b.length;
  };
  const central = [];
  const member = (name, chunks) => {
    const nameBuf = Buffer.from(`archive/${name}`);
    const start = offset;
    put(Buffer.concat([u32(0x04034b50), u16(20), u16(0x0808), u16(0), u32(0), u32(0), u32(0), u32(0)]));
    put(Buffer.concat([u16(nameBuf.length), u16(0), nameBuf]));
    let crc = 0;
    let size = 0;
    for (const c of chunks) {
      crc = crc32(c, crc);
      size += c.length;
      put(c);
    }
    put(Buffer.concat([u32(0x08074b50), u32(crc), u32(size), u32(size)]));
    central.push({ nameBuf, start, crc, size });
  };
  // a small benign pickle: PROTO 2, a dict of one persistent-id-free entry, STOP
  member('data.pkl', [Buffer.from('\x80\x02}q\x00X\x06\x00\x00\x00weightq\x01K\x01s.', 'latin1')]);
  member('byteorder', [Buffer.from('little')]);
  const storages = 8;
  const block = randomBytes(Math.min(64 << 20, Math.max(1 << 20, Math.floor(totalBytes / storages))));
  const per = Math.max(1, Math.floor(totalBytes / storages / block.length));
  for (let s = 0; s < storages; s++)
    member(
      `data/${s}`,
      Array.from({ length: per }, () => block),
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
}

const gib = Number(arg('--gib', '2'));
if (!(gib > 0 && gib < 3.9)) throw new Error('--gib must be between 0 and 3.9 (no ZIP64 writer here)');
const work = join(here, '.work');
mkdirSync(work, { recursive: true });
const path = join(work, `torch-${gib}g.pt`);
if (!existsSync(path) || argv.includes('--regen')) {
  const t0 = Date.now();
  writeTorchZip(path, gib * 1024 ** 3);
  console.log(`generated ${path} in ${Date.now() - t0} ms`);
}
const size = statSync(path).size;
const child = (mode) => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', mode, path], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const baseline = child('hash');
const scan = child('scan');
const mb = (n) => (n === null ? 'n/a' : `${(n / 1024 ** 2).toFixed(2)} MiB`);
console.log(`file: ${mb(size)} torch-style zip (${path})`);
console.log(
  `baseline sha256 read: ${baseline.ms.toFixed(0)} ms, ${((size / 1024 ** 2 / baseline.ms) * 1000).toFixed(0)} MiB/s, ` +
    `read ${mb(baseline.bytesRead)}, peak RSS ${baseline.maxRssMiB.toFixed(0)} MiB`,
);
console.log(
  `warden scan:          ${scan.ms.toFixed(1)} ms, read ${mb(scan.bytesRead)}, peak RSS ${scan.maxRssMiB.toFixed(0)} MiB, ` +
    `status ${scan.status}${scan.error ? ` (${scan.error})` : ''}, findings [${scan.findings.join(', ')}]`,
);
console.log(`metrics: ${JSON.stringify(scan.metrics)}`);
console.log(
  `scan / baseline time: ${(scan.ms / baseline.ms).toFixed(4)} (${(baseline.ms / scan.ms).toFixed(0)}x faster)`,
);
