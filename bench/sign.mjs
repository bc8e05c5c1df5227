// Model signing throughput: hashes a generated multi-GB model (default 4 x 512 MiB in bench/.work/,
// warm page cache) with `sha256sum` and with Warden (one thread, then all cores), in the same run,
// then signs and verifies it. Usage: npm run bench -- sign [FILES] [MIB_PER_FILE]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, writeSync, statSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { digestModel, generateKeyPair, signModel, verifyModel } from '../dist/artifacts/sign/index.js';
import { median } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const nFiles = Number(process.argv[2] ?? 4);
const mib = Number(process.argv[3] ?? 512);
const dir = join(here, '.work', `sign-${nFiles}x${mib}m`);
const MiB = 1024 * 1024;

function generate() {
  mkdirSync(dir, { recursive: true });
  const block = randomBytes(16 * MiB);
  for (let i = 0; i < nFiles; i++) {
    const f = join(dir, `model-${String(i).padStart(5, '0')}-of-${nFiles}.safetensors`);
    if (existsSync(f) && statSync(f).size === mib * MiB) continue;
    const fd = openSync(f, 'w');
    for (let off = 0; off < mib * MiB; off += block.length) {
      block[0] = (i * 131 + off / block.length) & 0xff; // no two blocks alike
      writeSync(fd, block, 0, Math.min(block.length, mib * MiB - off));
    }
    closeSync(fd);
  }
}

async function timeIt(fn, runs = 3) {
  const ms = [];
  let out;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = await fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), out };
}

generate();
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .map((f) => join(dir, f));
const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
const rate = (ms) => `${((bytes / MiB / ms) * 1000).toFixed(0)} MiB/s`;

// warm the page cache so both sides measure hashing, not the disk
spawnSync('cat', files, { stdio: ['ignore', 'ignore', 'inherit'] });

const sha = await timeIt(() => {
  const r = spawnSync('sha256sum', files, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
  return r.stdout;
});
// openssl (SHA-NI when the CPU has it) is the fairer one-core baseline where coreutils lacks it
const ossl = await timeIt(
  () => spawnSync('openssl', ['dgst', '-sha256', ...files], { encoding: 'utf8' }).status,
);
const one = await timeIt(() => digestModel(dir, { concurrency: 1 }));
const all = await timeIt(() => digestModel(dir));
const cores = availableParallelism();

// the per-file digests must agree with sha256sum
const expected = new Map(
  sha.out
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+\*?/))
    .map(([h, p]) => [p.slice(dir.length + 1), h]),
);
for (const r of all.out.manifest.resources)
  if (expected.get(r.name) !== r.digest) throw new Error(`digest of ${r.name} differs from sha256sum`);

const { privatePem, publicPem } = generateKeyPair('p256');
const sign = await timeIt(() => signModel(dir, { privateKey: privatePem }), 1);
const verify = await timeIt(() => verifyModel(dir, { publicKey: publicPem }), 1);

console.log(
  `model: ${nFiles} x ${mib} MiB = ${(bytes / MiB / 1024).toFixed(2)} GiB, ${cores} cores, warm cache`,
);
console.log(`sha256sum (1 core)          ${sha.ms.toFixed(0).padStart(6)} ms  ${rate(sha.ms)}`);
if (ossl.out === 0)
  console.log(
    `openssl dgst -sha256 (1 core) ${ossl.ms.toFixed(0).padStart(5)} ms  ${rate(ossl.ms)}  ${(ossl.ms / one.ms).toFixed(2)}x: warden 1 thread vs openssl`,
  );
console.log(
  `warden digest, 1 thread      ${one.ms.toFixed(0).padStart(6)} ms  ${rate(one.ms)}  ${(sha.ms / one.ms).toFixed(2)}x sha256sum`,
);
console.log(
  `warden digest, ${String(cores).padEnd(2)} threads    ${all.ms.toFixed(0).padStart(6)} ms  ${rate(all.ms)}  ${(sha.ms / all.ms).toFixed(2)}x sha256sum`,
);
console.log(`warden sign (all cores)      ${sign.ms.toFixed(0).padStart(6)} ms  ${rate(sign.ms)}`);
console.log(`warden verify (all cores)    ${verify.ms.toFixed(0).padStart(6)} ms  ${rate(verify.ms)}`);
