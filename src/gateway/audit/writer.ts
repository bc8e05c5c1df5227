import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WardenError } from '../../core/index.js';
import type { Store } from '../../core/store/index.js';
import { AUDIT_LOCK, appendAudit } from './append.js';
import type { AuditEvent } from './chain.js';

/** Commits one batch of audit events, linked to the stored chain, in one transaction. */
export interface AuditWriter {
  write(events: readonly AuditEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** The writer on the caller's own connection and thread. */
export function inlineWriter(store: Store): AuditWriter {
  return {
    write: (events) => store.transaction((tx) => appendAudit(tx, events), { lock: AUDIT_LOCK }),
    close: () => Promise.resolve(),
  };
}

type Reply = { id: number; ok: true } | { id: number; ok: false; code: string; message: string };

/** Set when the writer thread died: the log falls back to writing inline. */
export const WORKER_GONE = 'AUDIT_WORKER_GONE';

/**
 * A writer thread with its own connection to the store at `url`. Resolves undefined where the compiled
 * worker is not available (running from TypeScript sources), so that callers fall back to `inlineWriter`.
 */
export async function workerWriter(url: string): Promise<AuditWriter | undefined> {
  const file = new URL('./worker.js', import.meta.url);
  if (file.protocol !== 'file:' || !existsSync(fileURLToPath(file))) return undefined;
  // referenced only while a reply is awaited: an idle writer never keeps the process alive, a busy one does
  const worker = new Worker(file, { workerData: { url } });
  const pending = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  let next = 0;
  let gone = false;
  const started = await new Promise<boolean>((resolve) => {
    worker.once('message', (m: { ready: boolean }) => resolve(m.ready));
    worker.once('error', () => resolve(false));
  });
  // a thread that cannot start is no reason to refuse service: the caller writes inline instead
  if (!started) {
    await worker.terminate();
    return undefined;
  }
  worker.unref();
  worker.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.ok) p?.resolve();
    else p?.reject(new WardenError(m.code, m.message, { kind: 'internal' }));
  });
  const die = (why: string) => {
    gone = true;
    for (const p of pending.values()) p.reject(new WardenError(WORKER_GONE, why, { kind: 'internal' }));
    pending.clear();
  };
  worker.on('error', (e) => die(`audit writer thread failed: ${e.message}`));
  worker.on('exit', (code) => die(`audit writer thread exited (${code})`));
  return {
    write(events) {
      if (gone) return Promise.reject(new WardenError(WORKER_GONE, 'audit writer thread is gone'));
      const id = ++next;
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        // one JSON string clones far cheaper than hundreds of small objects
        worker.postMessage({ id, json: JSON.stringify(events) });
      });
    },
    async close() {
      if (gone) return;
      const exited = new Promise((r) => worker.once('exit', r));
      worker.ref();
      worker.postMessage({ close: true });
      await exited;
    },
  };
}
