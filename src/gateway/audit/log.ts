import { isWardenError } from '../../core/index.js';
import type { Store } from '../../core/store/index.js';
import { gatewayError } from '../errors.js';
import type { AuditEvent } from './chain.js';
import { WORKER_GONE, inlineWriter, type AuditWriter } from './writer.js';

/** Options of the audit writer. */
export interface AuditLogOptions {
  /** Records per transaction (default 500). */
  batchSize?: number;
  /** Longest wait before a partial batch is written (default 20 ms). */
  flushMs?: number;
  /** Records held while the store is away; past this, requests are refused (503) rather than lose one. */
  maxBacklog?: number;
  /** Called after each failed write (the store is down); the writer keeps retrying. */
  onError?: (e: unknown) => void;
  /** Where batches are committed (default: inline on `store`); e.g. a writer thread. */
  writer?: AuditWriter;
}

export { AUDIT_LOCK } from './append.js';

// Many records share a millisecond under load; formatting the time once per millisecond saves the rest.
let lastMs = 0;
let lastIso = '';
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * The hash-chained audit log. `record` only queues (requests never wait for the disk); a single writer
 * links queued events to the last stored record and inserts them in one transaction per batch, under a
 * named lock so that replicas sharing a PostgreSQL store extend one chain. A failed write keeps the batch
 * and retries with back-off; the backlog is bounded, and `accepting` turns false when it is full.
 */
export class AuditLog {
  private queue: AuditEvent[] = [];
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  written = 0;
  lastError: unknown;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly maxBacklog: number;
  private readonly inline: AuditWriter;
  private writer: AuditWriter;

  constructor(
    store: Store,
    private readonly opts: AuditLogOptions = {},
  ) {
    this.inline = inlineWriter(store);
    this.writer = opts.writer ?? this.inline;
    this.batchSize = opts.batchSize ?? 500;
    this.flushMs = opts.flushMs ?? 20;
    this.maxBacklog = opts.maxBacklog ?? 100_000;
  }

  /** Records queued and not yet committed. */
  get backlog(): number {
    return this.queue.length;
  }

  /** False while the last write failed (the store is away). */
  get healthy(): boolean {
    return this.failures === 0;
  }

  /** Whether another record fits; a full backlog means the store has been away for long. */
  get accepting(): boolean {
    return !this.closed && this.queue.length < this.maxBacklog;
  }

  /** Queues one event. Throws GATEWAY_UNAVAILABLE when the backlog is full, so nothing is dropped silently. */
  record(e: AuditEvent): void {
    if (!this.accepting)
      throw gatewayError('GATEWAY_UNAVAILABLE', 'audit log backlog is full: the audit store is unavailable');
    this.queue.push(e.ts ? e : { ...e, ts: isoNow() });
    if (this.queue.length >= this.batchSize) this.kick(0);
    else this.kick(this.flushMs);
  }

  private kick(delay: number): void {
    if (this.writing || (this.timer && delay > 0)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.startDrain();
    }, delay);
    this.timer.unref();
  }

  private startDrain(): Promise<void> {
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      if (this.queue.length === 0 || this.closed) return;
      // a partial batch waits for the timer: writing whatever arrived during the last write would send
      // the writer a stream of tiny batches, each paying a transaction and a thread round trip
      if (this.failures) this.kick(this.backoff());
      else this.kick(this.queue.length >= this.batchSize ? 0 : this.flushMs);
    });
    return this.writing;
  }

  private backoff(): number {
    return Math.min(2000, 25 * 2 ** Math.min(this.failures, 7));
  }

  // Writes what is queued (the timer fired, a batch filled or a flush asked), then full batches while there
  // are any; stops when a write fails.
  private async drain(): Promise<void> {
    let first = true;
    while (this.queue.length > 0 && (first || this.queue.length >= this.batchSize)) {
      first = false;
      const batch = this.queue.slice(0, this.batchSize);
      try {
        await this.writer.write(batch);
      } catch (e) {
        // a dead writer thread loses nothing (its batch is still queued): continue on this thread
        if (isWardenError(e) && e.code === WORKER_GONE) this.writer = this.inline;
        this.failures++;
        this.lastError = e;
        this.opts.onError?.(e);
        return;
      }
      this.queue.splice(0, batch.length);
      this.written += batch.length;
      this.failures = 0;
    }
  }

  /** Writes everything queued; rejects with the store's error if it is still away after `timeoutMs`. */
  async flush(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      if (this.queue.length === 0) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      await this.startDrain();
      if (this.queue.length === 0) return;
      if (Date.now() > deadline)
        throw gatewayError(
          'GATEWAY_UNAVAILABLE',
          `audit log could not be written: ${String(this.lastError)}`,
          {
            cause: this.lastError,
          },
        );
      await new Promise((r) => setTimeout(r, this.backoff()));
    }
  }

  /** Flushes and stops accepting records. */
  async close(timeoutMs?: number): Promise<void> {
    try {
      await this.flush(timeoutMs);
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      await this.writer.close().catch(() => {});
    }
  }
}
