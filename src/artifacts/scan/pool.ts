import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { scanFile, type FileScanResult, type ScanFileOptions } from './engine.js';
import type { WorkerJob } from './worker.js';

type Answer = { id: number; result?: FileScanResult; error?: { code: string; message: string } };

// Worker threads need compiled JavaScript; under a TypeScript test runner we scan in-process.
const WORKER_URL = new URL('./worker.js', import.meta.url);
const CAN_USE_WORKERS = !import.meta.url.endsWith('.ts');
// A worker may hold one file's parse state; a cap keeps a hostile file from exhausting the heap.
const WORKER_HEAP_MB = 1024;

function failed(path: string, error: { code: string; message: string }): FileScanResult {
  return {
    item: { name: path, format: 'unknown', status: 'error', findings: 0, error },
    findings: [],
    metrics: {},
  };
}

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
  // Each lane runs one worker at a time; a worker that dies fails only its current file and is replaced.
  const lane = (): Promise<void> =>
    new Promise<void>((resolve) => {
      let current = -1;
      let worker: Worker | undefined;
      const send = (w: Worker): void => {
        if (next >= paths.length) {
          current = -1;
          void w.terminate();
          return resolve();
        }
        current = next++;
        const job: WorkerJob = { id: current, path: paths[current]!, opts };
        w.postMessage(job);
      };
      const spawn = (): void => {
        const w = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
        worker = w;
        w.on('message', (a: Answer) => {
          finish(
            a.id,
            a.result ?? failed(paths[a.id]!, a.error ?? { code: 'INTERNAL', message: 'worker failed' }),
          );
          send(w);
        });
        w.on('error', (e: Error) => {
          if (current >= 0)
            finish(
              current,
              failed(paths[current]!, { code: 'INTERNAL', message: `scan worker died: ${e.message}` }),
            );
          current = -1;
          if (worker === w) spawn();
        });
        send(w);
      };
      spawn();
    });
  await Promise.all(Array.from({ length: n }, lane));
  return results;
}
