import { parentPort, workerData } from 'node:worker_threads';
import { toWardenError } from '../../core/index.js';
import { openStore } from '../../core/store/index.js';
import { AUDIT_LOCK, appendAudit } from './append.js';
import type { AuditEvent } from './chain.js';

// The audit writer thread: links (SHA-256) and inserts the batches the gateway's thread queues, on its own
// connection, so that neither hashing nor the store's I/O runs on the thread that answers requests.
type Msg = { id: number; json: string } | { close: true };

const port = parentPort!;
const store = await openStore((workerData as { url: string }).url).catch(() => {
  port.postMessage({ ready: false });
  process.exit(1);
});
port.postMessage({ ready: true });
port.on('message', (m: Msg) => {
  if ('close' in m) {
    void store.close().finally(() => process.exit(0));
    return;
  }
  store
    .transaction((tx) => appendAudit(tx, JSON.parse(m.json) as AuditEvent[]), { lock: AUDIT_LOCK })
    .then(
      () => port.postMessage({ id: m.id, ok: true }),
      (e: unknown) => {
        const err = toWardenError(e);
        port.postMessage({ id: m.id, ok: false, code: err.code, message: err.message });
      },
    );
});
