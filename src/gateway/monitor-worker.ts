import { parentPort, workerData } from 'node:worker_threads';
import type { MonitorReply, MonitorSpec, ObservationBatch, ObservationMeta } from './monitors.js';
import { DriftMonitor } from './stages/drift.js';
import { ExtractionDetector } from './stages/extraction.js';

// The monitor thread: PRADA extraction detection and input drift for every served model, fed in batches by
// the request thread, so that their per-query work never delays an answer.
const port = parentPort!;
const models = new Map(
  (workerData as { specs: MonitorSpec[] }).specs.map((s) => [
    s.name,
    {
      rowSize: s.rowSize,
      extraction: s.extraction ? new ExtractionDetector(s.extraction) : undefined,
      drift: s.drift ? new DriftMonitor(s.drift.reference, s.rowSize, s.drift.options) : undefined,
    },
  ]),
);

const reply = (r: MonitorReply) => port.postMessage(r);

port.on('message', (batch: ObservationBatch) => {
  for (const [model, principal, at, length, rows, labels] of JSON.parse(batch.meta) as ObservationMeta[]) {
    const m = models.get(model);
    if (!m) continue;
    const data = batch.data.subarray(at, at + length);
    try {
      if (m.extraction && labels.length > 0) {
        const v = m.extraction.observe(principal, data, m.rowSize, labels);
        if (v.raised) reply({ kind: 'alarm', model, principal, verdict: v });
      }
      const check = m.drift?.observe(data, rows);
      if (check) reply({ kind: 'drift', model, check });
    } catch (e) {
      reply({ kind: 'error', model, message: String(e) });
    }
  }
});
port.postMessage({ ready: true });
