import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { errorResult, scanFile, type FileScanResult, type ScanFileOptions } from './engine.js';
import { DEFAULT_LIMITS } from './types.js';
import type { WorkerJob } from './worker.js';

type Answer = { id: number; result?: FileScanResult; error?: { code: string; message: string } };

// Worker threads need compiled JavaScript; under a TypeScript test runner we scan in-process.
const WORKER_URL = new URL('./worker.js', import.meta.url);
const CAN_USE_WORKERS = !import.meta.url.endsWith('.ts');
// A worker holds one file's parse state; the cap turns a runaway parser into an error, not an OOM kill.
const WORKER_HEAP_MB = 1024;
// Parsers check their deadline cooperatively; the watchdog is the backstop for one that does not.
const WATCHDOG_GRACE_MS = 5_000;

/**
 * Scans files on all cores, each in a worker thread with a capped heap and a watchdog, calling back
 * as each finishes; results come back in input order. A worker that dies or overruns fails only
 * its current file and is replaced.
 */
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
  if (!CAN_USE_WORKERS) {
    for (let i = 0; i < paths.length; i++) finish(i, await scanFile(paths[i]!, opts));
    return results;
  }
  const watchdogMs = (opts.limits?.timeoutMs ?? DEFAULT_LIMITS.timeoutMs) + WATCHDOG_GRACE_MS;
  let next = 0;
  const lane = (): Promise<void> =>
    new Promise<void>((resolve) => {
      let current = -1;
      let timer: NodeJS.Timeout | undefined;
      const send = (w: Worker): void => {
        clearTimeout(timer);
        if (next >= paths.length) {
          current = -1;
          void w.terminate();
          return resolve();
        }
        current = next++;
        const job: WorkerJob = { id: current, path: paths[current]!, opts };
        timer = setTimeout(
          () => abandon(w, 'TIMEOUT', `scan did not finish within ${watchdogMs} ms`),
          watchdogMs,
        );
        w.postMessage(job);
      };
      const abandon = (w: Worker, code: string, message: string): void => {
        clearTimeout(timer);
        w.removeAllListeners();
        void w.terminate();
        if (current >= 0) finish(current, errorResult(paths[current]!, { code, message }));
        current = -1;
        spawn();
      };
      const spawn = (): void => {
        const w = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
        w.on('message', (a: Answer) => {
          if (a.id !== current) return;
          finish(
            a.id,
            a.result ?? errorResult(paths[a.id]!, a.error ?? { code: 'INTERNAL', message: 'worker failed' }),
          );
          send(w);
        });
        w.on('error', (e: Error) => {
          const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
          abandon(w, oom ? 'LIMIT_EXCEEDED' : 'INTERNAL', `scan worker died: ${e.message}`);
        });
        send(w);
      };
      spawn();
    });
  const lanes = Math.max(1, Math.min(concurrency, paths.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
