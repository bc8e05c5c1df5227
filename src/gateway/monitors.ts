import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditEvent } from './audit/index.js';
import type { GatewayMetrics } from './metrics.js';
import type { ServedModel } from './models.js';
import type { DriftCheck } from './stages/drift.js';
import type { ExtractionVerdict } from './stages/extraction.js';

/** What the monitors tell the request thread: it records, counts and (for extraction) blocks. */
export interface MonitorEvents {
  extractionAlarm(model: string, principal: string, v: ExtractionVerdict, block: boolean): void;
  drift(model: string, check: DriftCheck): void;
  error(model: string, e: unknown): void;
}

/** Alarms counted in the metrics and recorded in the audit chain (a full backlog fails no request). */
export function auditedMonitorEvents(
  metrics: GatewayMetrics,
  record: (e: AuditEvent) => void,
): MonitorEvents {
  const note = (e: AuditEvent) => {
    try {
      record(e);
    } catch {
      // the backlog is full: the next request is refused with 503 anyway
    }
  };
  return {
    extractionAlarm: (model, principal, v, block) => {
      metrics.extractionAlarms.inc({ model });
      note({
        actor: principal,
        action: 'extraction.alarm',
        resource: model,
        decision: 'alarm',
        status: 0,
        detail: { w: v.w, distances: v.distances, block },
      });
    },
    drift: (model, check) => {
      for (const f of check.features) metrics.drift.set({ model, feature: f.feature }, f.psi);
      if (!check.raised) return;
      metrics.driftAlarms.inc({ model });
      note({
        actor: 'gateway',
        action: 'drift.alarm',
        resource: model,
        decision: 'alarm',
        status: 0,
        detail: { features: check.features },
      });
    },
    error: (model, e) =>
      note({
        actor: 'gateway',
        action: 'monitor.error',
        resource: model,
        decision: 'error',
        status: 0,
        detail: { message: String(e) },
      }),
  };
}

/** The extraction and drift monitors of every served model, fed after each answer. */
export interface Monitors {
  observe(m: ServedModel, principal: string, data: ArrayLike<number>, batch: number, labels: number[]): void;
  /** Whether the principal raised an extraction alarm on a model that blocks. */
  blocked(m: ServedModel, principal: string): boolean;
  close(): Promise<void>;
}

/** Monitors run on the request thread, right after the answer is sent. */
export function inlineMonitors(events: MonitorEvents): Monitors {
  return {
    observe(m, principal, data, batch, labels) {
      try {
        if (m.extraction && labels.length > 0) {
          const v = m.extraction.detector.observe(principal, data, m.rowSize, labels);
          if (v.raised) events.extractionAlarm(m.name, principal, v, m.extraction.block);
        }
        const check = m.drift?.observe(data, batch);
        if (check) events.drift(m.name, check);
      } catch (e) {
        events.error(m.name, e);
      }
    },
    blocked: (m, principal) => !!m.extraction?.block && m.extraction.detector.isAlarmed(principal),
    close: () => Promise.resolve(),
  };
}

/** A batch as the monitor thread receives it: one packed buffer and, per observation, where its rows are. */
export interface ObservationBatch {
  data: Float64Array;
  /** [model, principal, offset, length, batch, labels] per observation, as JSON. */
  meta: string;
}

export type ObservationMeta = [string, string, number, number, number, number[]];

/** How the monitor thread rebuilds each model's monitors. */
export interface MonitorSpec {
  name: string;
  rowSize: number;
  extraction?: Record<string, unknown>;
  drift?: { reference: Float64Array; options: Record<string, unknown> };
}

export type MonitorReply =
  | { kind: 'alarm'; model: string; principal: string; verdict: ExtractionVerdict }
  | { kind: 'drift'; model: string; check: DriftCheck }
  /** A batch's buffer, handed back for reuse (allocating one per batch costs the request thread GC work). */
  | { kind: 'release'; buffer: ArrayBuffer }
  /** Principals alarmed on the model by any replica (shared state): blocked here too, audited there. */
  | { kind: 'blocked'; model: string; principals: string[] }
  | { kind: 'error'; model: string; message: string };

const MAX_BATCH = 512;
const BATCH_MS = 20;
/** Floats a batch buffer holds at first; it doubles while a batch needs more, and recycled buffers keep that size. */
const INITIAL_FLOATS = 1 << 16;

/**
 * Monitors on their own thread: observations queue up and are posted every BATCH_MS (or MAX_BATCH
 * observations), and alarms come back as messages. A blocking model refuses the principal from the moment
 * the alarm arrives (up to about BATCH_MS after the query that raised it).
 * Resolves undefined where the compiled worker is not available, or when no model has a monitor.
 */
export async function threadMonitors(
  models: Map<string, ServedModel>,
  events: MonitorEvents,
  opts: { redis?: string } = {},
): Promise<Monitors | undefined> {
  const specs: MonitorSpec[] = [...models.values()]
    .filter((m) => m.extraction || m.driftSpec)
    .map((m) => ({
      name: m.name,
      rowSize: m.rowSize,
      ...(m.extraction ? { extraction: { ...m.extraction.options } } : {}),
      ...(m.driftSpec
        ? { drift: { reference: m.driftSpec.reference, options: { ...m.driftSpec.options } } }
        : {}),
    }));
  const file = new URL('./monitor-worker.js', import.meta.url);
  if (specs.length === 0 || file.protocol !== 'file:' || !existsSync(fileURLToPath(file))) return undefined;
  const worker = new Worker(file, { workerData: { specs, ...(opts.redis ? { redis: opts.redis } : {}) } });
  const started = await new Promise<boolean>((resolve) => {
    worker.once('message', (m: { ready?: boolean }) => resolve(m.ready === true));
    worker.once('error', () => resolve(false));
  });
  if (!started) {
    await worker.terminate();
    return undefined;
  }
  worker.unref();
  const blockedSet = new Set<string>();
  const blocks = new Map([...models.values()].map((m) => [m.name, !!m.extraction?.block]));
  const free: ArrayBuffer[] = [];
  worker.on('message', (r: MonitorReply) => {
    if (r.kind === 'alarm') {
      const block = blocks.get(r.model) ?? false;
      if (block) blockedSet.add(`${r.model}\0${r.principal}`);
      events.extractionAlarm(r.model, r.principal, r.verdict, block);
    } else if (r.kind === 'release') {
      if (free.length < 4 && r.buffer.byteLength >= data.byteLength) free.push(r.buffer);
    } else if (r.kind === 'blocked') {
      if (blocks.get(r.model)) for (const p of r.principals) blockedSet.add(`${r.model}\0${p}`);
    } else if (r.kind === 'drift') events.drift(r.model, r.check);
    else events.error(r.model, new Error(r.message));
  });
  let gone = false;
  worker.on('error', () => (gone = true));
  worker.on('exit', () => (gone = true));
  const inline = inlineMonitors(events);
  // rows are copied into the pending batch's buffer as they arrive: holding each request's own tensor
  // until the batch is posted would let them outlive the young generation and cost the request thread GC
  let data = new Float64Array(free.pop() ?? new ArrayBuffer(INITIAL_FLOATS * 8));
  let used = 0;
  let meta: ObservationMeta[] = [];
  let timer: NodeJS.Timeout | undefined;
  // one message per batch, its rows packed into one transferred buffer: cloning many small objects per
  // request would cost the request thread more than the monitors themselves
  const post = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const bytes = data.byteLength; // read before the transfer detaches the buffer
    const msg: ObservationBatch = { data: data.subarray(0, used), meta: JSON.stringify(meta) };
    worker.postMessage(msg, [data.buffer]);
    data = new Float64Array(free.pop() ?? new ArrayBuffer(bytes));
    used = 0;
    meta = [];
  };
  const append = (rows: ArrayLike<number>) => {
    if (used + rows.length > data.length) {
      const grown = new Float64Array(Math.max(data.length * 2, used + rows.length));
      grown.set(data.subarray(0, used));
      data = grown;
    }
    data.set(rows, used);
    used += rows.length;
  };
  return {
    observe(m, principal, rows, batch, labels) {
      // a dead monitor thread must not silence the monitors: they continue here
      if (gone) return inline.observe(m, principal, rows, batch, labels);
      if (!m.extraction && !m.drift) return;
      meta.push([m.name, principal, used, rows.length, batch, labels]);
      append(rows);
      if (meta.length >= MAX_BATCH) post();
      else if (!timer) {
        timer = setTimeout(post, BATCH_MS);
        timer.unref();
      }
    },
    blocked: (m, principal) => blockedSet.has(`${m.name}\0${principal}`) || inline.blocked(m, principal),
    async close() {
      if (gone) return;
      if (meta.length) post();
      await worker.terminate();
    },
  };
}
