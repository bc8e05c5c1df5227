import { parentPort, workerData } from 'node:worker_threads';
import type { MonitorReply, MonitorSpec, ObservationBatch, ObservationMeta } from './monitors.js';
import { DriftMonitor } from './stages/drift.js';
import { ExtractionDetector, type ExtractionVerdict } from './stages/extraction.js';
import { RedisExtractionDetector } from './stages/extraction-redis.js';

// The monitor thread: PRADA extraction detection and input drift for every served model, fed in batches by
// the request thread, so that their per-query work never delays an answer. With a Redis URL the extraction
// state is shared by every replica, and alarms raised elsewhere are passed on so that they block here too.
type Observe = (p: string, d: ArrayLike<number>, rowSize: number, l: number[]) => Promise<ExtractionVerdict>;

const port = parentPort!;
const { specs, redis } = workerData as { specs: MonitorSpec[]; redis?: string };
const reply = (r: MonitorReply) => port.postMessage(r);
const shared: RedisExtractionDetector[] = [];

async function extractionFor(s: MonitorSpec): Promise<Observe | undefined> {
  if (!s.extraction) return undefined;
  if (redis) {
    const d = await RedisExtractionDetector.connect(redis, s.name, s.extraction);
    shared.push(d);
    setInterval(() => {
      d.alarmed().then(
        (principals) => reply({ kind: 'blocked', model: s.name, principals }),
        () => {},
      );
    }, 1000).unref();
    return (p, data, rowSize, labels) => d.observe(p, data, rowSize, labels);
  }
  const d = new ExtractionDetector(s.extraction);
  return (p, data, rowSize, labels) => Promise.resolve(d.observe(p, data, rowSize, labels));
}

const models = new Map<string, { rowSize: number; extraction?: Observe; drift?: DriftMonitor }>();
try {
  for (const s of specs) {
    const extraction = await extractionFor(s);
    models.set(s.name, {
      rowSize: s.rowSize,
      ...(extraction ? { extraction } : {}),
      ...(s.drift ? { drift: new DriftMonitor(s.drift.reference, s.rowSize, s.drift.options) } : {}),
    });
  }
} catch {
  port.postMessage({ ready: false });
  process.exit(1);
}

// batches are handled one after another, so that each principal's queries reach the state in order
let chain = Promise.resolve();
port.on('message', (batch: ObservationBatch) => {
  chain = chain.then(() => handle(batch));
});

async function handle(batch: ObservationBatch): Promise<void> {
  await observeAll(batch);
  const buffer = batch.data.buffer as ArrayBuffer;
  port.postMessage({ kind: 'release', buffer } satisfies MonitorReply, [buffer]);
}

async function observeAll(batch: ObservationBatch): Promise<void> {
  for (const [model, principal, at, length, rows, labels] of JSON.parse(batch.meta) as ObservationMeta[]) {
    const m = models.get(model);
    if (!m) continue;
    const data = batch.data.subarray(at, at + length);
    try {
      if (m.extraction && labels.length > 0) {
        const v = await m.extraction(principal, data, m.rowSize, labels);
        if (v.raised) reply({ kind: 'alarm', model, principal, verdict: v });
      }
      const check = m.drift?.observe(data, rows);
      if (check) reply({ kind: 'drift', model, check });
    } catch (e) {
      reply({ kind: 'error', model, message: String(e) });
    }
  }
}
port.postMessage({ ready: true });
