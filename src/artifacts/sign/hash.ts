import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { signError } from './errors.js';

/** One byte range of one file to hash with SHA-256. */
export interface HashJob {
  path: string;
  start: number;
  end: number;
}

export interface HashOptions {
  /** Parallel workers; default: the available cores. 1 hashes on the calling thread. */
  concurrency?: number;
  /** Read size; default 8 MiB. */
  chunkSize?: number;
}

const CHUNK = 8 * 1024 * 1024;
/** Below this many bytes in total, starting workers costs more than it saves. */
const WORKER_THRESHOLD = 64 * 1024 * 1024;

/** Hashes [start, end) of a file on this thread, reading the next chunk while hashing the last. */
export async function hashRange(job: HashJob, chunkSize = CHUNK): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(job.path, 'r');
  try {
    const bufs = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
    let pos = job.start;
    let i = 0;
    const readAt = (p: number, b: Buffer) => fh.read(b, 0, Math.min(chunkSize, job.end - p), p);
    let pending = pos < job.end ? readAt(pos, bufs[0]!) : undefined;
    while (pending) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) throw signError('IO_ERROR', `${job.path} shrank while it was hashed`);
      pos += bytesRead;
      i ^= 1;
      pending = pos < job.end ? readAt(pos, bufs[i]!) : undefined;
      h.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

// CommonJS source of a hashing worker, run with eval so that it works from .ts sources and dist alike.
const WORKER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const buf = Buffer.allocUnsafe(workerData.chunkSize);
parentPort.on('message', (job) => {
  let fd;
  try {
    fd = openSync(job.path, 'r');
    const h = createHash('sha256');
    let pos = job.start;
    while (pos < job.end) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, job.end - pos), pos);
      if (n === 0) throw new Error(job.path + ' shrank while it was hashed');
      h.update(buf.subarray(0, n));
      pos += n;
    }
    parentPort.postMessage({ id: job.id, hex: h.digest('hex') });
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: String(e && e.message || e) });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

async function hashWithWorkers(jobs: readonly HashJob[], n: number, chunkSize: number): Promise<string[]> {
  const out = new Array<string>(jobs.length);
  // largest first so that one big file does not finish last alone
  const order = jobs
    .map((_, i) => i)
    .sort((a, b) => jobs[b]!.end - jobs[b]!.start - (jobs[a]!.end - jobs[a]!.start));
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: n }, () => {
        const w = new Worker(WORKER_SRC, { eval: true, workerData: { chunkSize } });
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          const feed = () => {
            const id = order[next++];
            if (id === undefined) return resolve();
            const j = jobs[id]!;
            w.postMessage({ id, path: j.path, start: j.start, end: j.end });
          };
          w.on('message', (m: { id: number; hex?: string; error?: string }) => {
            if (m.error !== undefined || m.hex === undefined)
              return reject(signError('IO_ERROR', m.error ?? 'hash worker failed'));
            out[m.id] = m.hex;
            feed();
          });
          w.on('error', reject);
          feed();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}

/** SHA-256 hex digests of the jobs, in order; parallel on worker threads for large inputs. */
export async function hashJobs(jobs: readonly HashJob[], opts: HashOptions = {}): Promise<string[]> {
  const chunkSize = opts.chunkSize ?? CHUNK;
  const total = jobs.reduce((s, j) => s + (j.end - j.start), 0);
  const n = Math.max(1, Math.min(opts.concurrency ?? availableParallelism(), jobs.length));
  if (n > 1 && total >= WORKER_THRESHOLD) return hashWithWorkers(jobs, n, chunkSize);
  const out: string[] = [];
  for (const j of jobs) out.push(await hashRange(j, Math.min(chunkSize, Math.max(1, j.end - j.start))));
  return out;
}
