// Encryption at rest throughput: `warden encrypt` and `warden decrypt` (the CLI, file to file) of a
// generated file (default 1 GiB in bench/.work/, warm page cache) against `openssl enc -aes-256-ctr`
// file to file and raw node:crypto AES-256-GCM over the same bytes in one call, in the same run.
// Usage: npm run bench -- encrypt [MIB]
import { spawnSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, WORK_DIR } from './lib.mjs';

const MiB = 1024 * 1024;
const mib = Number(process.argv[2] ?? 1024);
const dir = join(WORK_DIR, 'encrypt');
const plain = join(dir, `model-${mib}m.bin`);
const enc = `${plain}.wenc`;
const back = join(dir, 'back.bin');
const kek = join(dir, 'kek.bin');
const cli = join(BENCH_DIR, '..', 'dist', 'cli', 'main.js');
const bytes = mib * MiB;

mkdirSync(dir, { recursive: true });
if (!existsSync(plain) || statSync(plain).size !== bytes) {
  const block = randomBytes(16 * MiB);
  const fd = openSync(plain, 'w');
  for (let off = 0; off < bytes; off += block.length) {
    block[0] = (off / block.length) & 0xff;
    writeSync(fd, block, 0, Math.min(block.length, bytes - off));
  }
  closeSync(fd);
}
if (!existsSync(kek)) spawnSync('openssl', ['rand', '-out', kek, '32']);
for (const f of [enc, back, `${plain}.ctr`]) rmSync(f, { force: true });

function timed(label, cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
  return { label, ms };
}

spawnSync('cat', [plain], { stdio: ['ignore', 'ignore', 'inherit'] }); // warm the page cache
const rows = [];
rows.push(
  timed('warden encrypt (CLI, file to file)', process.execPath, [cli, 'encrypt', plain, '--kek', kek]),
);
rows.push(
  timed('warden decrypt (CLI, file to file)', process.execPath, [
    cli,
    'decrypt',
    enc,
    '--kek',
    kek,
    '-o',
    back,
  ]),
);
const key = randomBytes(32).toString('hex');
const iv = randomBytes(16).toString('hex');
rows.push(
  timed('openssl enc -aes-256-ctr (file to file)', 'openssl', [
    'enc',
    '-aes-256-ctr',
    '-K',
    key,
    '-iv',
    iv,
    '-in',
    plain,
    '-out',
    `${plain}.ctr`,
  ]),
);
{
  const buf = readFileSync(plain);
  const t0 = performance.now();
  const c = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
  const out = Buffer.concat([c.update(buf), c.final()]);
  c.getAuthTag();
  rows.push({ label: 'node:crypto AES-256-GCM, one call in memory', ms: performance.now() - t0 });
  if (out.length !== buf.length) throw new Error('size mismatch');
}
if (spawnSync('cmp', [plain, back]).status !== 0) throw new Error('decrypted file differs');

console.log(`encrypt: ${mib} MiB, overhead ${statSync(enc).size - bytes} bytes`);
for (const r of rows)
  console.log(
    `${r.label.padEnd(46)} ${(r.ms / 1000).toFixed(2)} s  ${((mib / r.ms) * 1000).toFixed(0)} MiB/s`,
  );
for (const f of [enc, back, `${plain}.ctr`]) rmSync(f, { force: true });
