import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WardenError } from '../../core/index.js';
import { scanFile, type FileScanResult, type ScanFileOptions } from './engine.js';
import type { WorkerJob } from './worker.js';

type Answer = { id: number; result?: FileScanResult; error?: { code: string; message: string } };

// Worker threads need compiled JavaScript; under a TypeScript test runner we scan in-process.
const WORKER_URL = new URL('./worker.js', import.meta.url);
const CAN_USE_WORKERS = !import.meta.url.endsWith('.ts');

/** Scans files on all cores, calling back as each finishes; results come back in input order. */
export async function scanFilesParallel(
  paths: readonly string[],
  opts: ScanFileOptions,
  concurrency = availableParallelism(),
  onDone?: (done: number, total: number, path: string) => void,
): Promise<FileScanResult[]> {
  const results: FileScanResult[] = new Array<FileScanResult>(paths.length);
  let done = 0;
  const finish = (i: number, r: FileScanResult): void => {
    results[i] = r;
    done++;
    onDone?.(done, paths.length, paths[i]!);
  };
  const n = Math.max(1, Math.min(concurrency, paths.length));
  if (n === 1 || !CAN_USE_WORKERS) {
    for (let i = 0; i < paths.length; i++) finish(i, await scanFile(paths[i]!, opts));
    return results;
  }
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: n }, () => {
        const w = new Worker(WORKER_URL);
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          const send = (): void => {
            if (next >= paths.length) return resolve();
            const job: WorkerJob = { id: next++, path: paths[next - 1]!, opts };
            w.postMessage(job);
          };
          w.on('message', (a: Answer) => {
            if (a.result) finish(a.id, a.result);
            else
              finish(a.id, {
                item: {
                  name: paths[a.id]!,
                  format: 'unknown',
                  status: 'error',
                  findings: 0,
                  error: a.error ?? { code: 'INTERNAL', message: 'worker failed' },
                },
                findings: [],
                metrics: {},
              });
            send();
          });
          w.on('error', (e) => reject(new WardenError('INTERNAL', `scan worker died: ${e.message}`, { cause: e, kind: 'internal' })));
          send();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
