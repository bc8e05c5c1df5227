import { parentPort, workerData } from 'node:worker_threads';
import type { MonitorReply, MonitorSpec, Observation } from './monitors.js';
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

port.on('message', (batch: Observation[]) => {
  for (const o of batch) {
    const m = models.get(o.model);
    if (!m) continue;
    try {
      if (m.extraction && o.labels.length > 0) {
        const v = m.extraction.observe(o.principal, o.data, m.rowSize, o.labels);
        if (v.raised) reply({ kind: 'alarm', model: o.model, principal: o.principal, verdict: v });
      }
      const check = m.drift?.observe(o.data, o.batch);
      if (check) reply({ kind: 'drift', model: o.model, check });
    } catch (e) {
      reply({ kind: 'error', model: o.model, message: String(e) });
    }
  }
});
port.postMessage({ ready: true });
