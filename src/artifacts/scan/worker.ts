import { parentPort } from 'node:worker_threads';
import { toWardenError } from '../../core/index.js';
import { scanFile, type ScanFileOptions } from './engine.js';

/** A scan job sent to a worker thread, and its answer. */
export interface WorkerJob {
  id: number;
  path: string;
  opts: ScanFileOptions;
}

parentPort?.on('message', (job: WorkerJob) => {
  scanFile(job.path, job.opts).then(
    (result) => parentPort?.postMessage({ id: job.id, result }),
    (e: unknown) => parentPort?.postMessage({ id: job.id, error: toWardenError(e).toJSON() }),
  );
});
