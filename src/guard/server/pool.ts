import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WardenError } from '../../core/index.js';
import { Guard } from '../pipeline.js';
import { scanJsonLine, type LineOutcome, type LineScanOptions, type RawLine } from './lines.js';

/** What a pool worker is started with: the raw (uncompiled) policy, since compiled detectors cannot be cloned. */
interface PoolWorkerData {
  role: 'warden-guard-pool';
  policy: unknown;
  opts: LineScanOptions;
}

/** One batch of lines sent to a worker, numbered so answers can be matched. */
interface BatchRequest {
  id: number;
  firstLine: number;
  lines: RawLine[];
}

type BatchReply = { id: number; outcomes: LineOutcome[] } | { id: number; error: string };

/**
 * Scans batches of JSON lines on worker threads. Each batch goes to the least busy worker; callers await
 * batches in the order they submitted them, which keeps the output in input order.
 */
export class GuardPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private broken: Error | undefined;
  private readonly waiting = new Map<number, { resolve(o: LineOutcome[]): void; reject(e: Error): void }>();
  private nextId = 0;

  constructor(policy: unknown, size: number, opts: LineScanOptions) {
    const data: PoolWorkerData = { role: 'warden-guard-pool', policy, opts };
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL(import.meta.url), { workerData: data });
      const slot = { worker, busy: 0 };
      worker.on('message', (m: BatchReply) => {
        slot.busy--;
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if ('error' in m) w?.reject(new WardenError('INTERNAL', m.error, { kind: 'internal' }));
        else w?.resolve(m.outcomes);
      });
      worker.on('error', (e) => this.failAll(e));
      worker.on('exit', (code) => {
        if (code !== 0)
          this.failAll(new WardenError('INTERNAL', `guard worker exited with ${code}`, { kind: 'internal' }));
      });
      this.workers.push(slot);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  scan(lines: RawLine[], firstLine: number): Promise<LineOutcome[]> {
    if (this.broken) return Promise.reject(this.broken);
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      slot.worker.postMessage({ id, firstLine, lines } satisfies BatchRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  // A crashed worker fails the whole pool: its batches are lost, and order could not be kept without them.
  private failAll(e: Error): void {
    this.broken ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

// Worker side: this same module, started by GuardPool.
const data = workerData as PoolWorkerData | undefined;
if (!isMainThread && parentPort && data?.role === 'warden-guard-pool') {
  const port = parentPort;
  const guard = new Guard(data.policy);
  port.on('message', (req: BatchRequest) => {
    try {
      const outcomes = req.lines.map((l, i) => scanJsonLine(guard, l, req.firstLine + i, data.opts));
      port.postMessage({ id: req.id, outcomes } satisfies BatchReply);
    } catch (e) {
      port.postMessage({ id: req.id, error: (e as Error).message } satisfies BatchReply);
    }
  });
}
