import type { Store } from '../core/store/index.js';
import { verifyAuditChain, type AuditRecord, type ChainVerdict, type Gateway } from '../gateway/index.js';
import type { AuditVerdict, Registry } from '../registry/index.js';
import { histogramQuantile, parsePrometheus, sumBy, type Sample } from './prometheus.js';

/** The gateway page: the running gateway's own counters (as /metrics exposes them) and its request rate over time. */
export interface GatewayView {
  models: { name: string; kind: string; version: string; extraction: boolean; drift: boolean }[];
  requests: { action: string; status: string; count: number }[];
  latency: { action: string; count: number; p50: number | null; p90: number | null; p99: number | null }[];
  denied: Record<string, number>;
  extractionAlarms: Record<string, number>;
  driftAlarms: Record<string, number>;
  drift: { model: string; feature: string; psi: number }[];
  /** Requests per minute from the audit chain: minute start (seconds since the epoch), allowed, refused. */
  timeline: { t: number[]; allow: number[]; deny: number[] };
  /** The latest extraction and drift alarms in the audit chain: who, on which model, when. */
  alarms: { seq: number; ts: string; actor: string; action: string; resource: string }[];
}

const MINUTES = 24 * 60;

function latency(samples: Sample[]): GatewayView['latency'] {
  const byAction = new Map<string, { le: number; count: number }[]>();
  for (const s of samples)
    if (s.name === 'warden_gateway_request_seconds_bucket') {
      const a = s.labels.action ?? '';
      const list = byAction.get(a) ?? [];
      list.push({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value });
      byAction.set(a, list);
    }
  return [...byAction].map(([action, b]) => ({
    action,
    count: b.find((x) => !Number.isFinite(x.le))?.count ?? 0,
    p50: histogramQuantile(0.5, b),
    p90: histogramQuantile(0.9, b),
    p99: histogramQuantile(0.99, b),
  }));
}

/** Counts of audit records per minute and decision, over the last day the chain holds. */
async function timeline(
  store: Store,
  where: string,
): Promise<{ t: number[]; allow: number[]; deny: number[] }> {
  const since = new Date(Date.now() - MINUTES * 60_000).toISOString();
  const rows = await store.all<{ minute: string; decision: string; n: number }>(
    `SELECT substr(ts, 1, 16) AS minute, decision, COUNT(*) AS n FROM gateway_audit WHERE ts >= ? AND ${where} ` +
      'GROUP BY substr(ts, 1, 16), decision ORDER BY minute',
    [since],
  );
  const byMinute = new Map<string, { allow: number; deny: number }>();
  for (const r of rows) {
    const m = byMinute.get(r.minute) ?? { allow: 0, deny: 0 };
    if (r.decision === 'allow') m.allow += Number(r.n);
    else if (r.decision === 'deny' || r.decision === 'error') m.deny += Number(r.n);
    byMinute.set(r.minute, m);
  }
  // every minute from the first record (at least the last half hour) to now, quiet minutes as zeros
  const out = { t: [] as number[], allow: [] as number[], deny: [] as number[] };
  const now = Math.floor(Date.now() / 60_000);
  const first = Math.min(now - 30, ...[...byMinute.keys()].map((k) => Date.parse(`${k}:00Z`) / 60_000));
  for (let t = first; t <= now; t++) {
    const m = byMinute.get(new Date(t * 60_000).toISOString().slice(0, 16));
    out.t.push(t * 60);
    out.allow.push(m?.allow ?? 0);
    out.deny.push(m?.deny ?? 0);
  }
  return out;
}

export async function gatewayView(gw: Gateway): Promise<GatewayView> {
  const samples = parsePrometheus(gw.metrics.render());
  const requests = samples
    .filter((s) => s.name === 'warden_gateway_requests_total')
    .map((s) => ({ action: s.labels.action ?? '', status: s.labels.status ?? '', count: s.value }));
  return {
    models: [...gw.models.values()].map((m) => ({
      name: m.name,
      kind: m.backend.kind,
      version: m.backend.version,
      extraction: !!m.extraction,
      drift: !!m.drift,
    })),
    requests,
    latency: latency(samples),
    denied: sumBy(samples, 'warden_gateway_denied_total', 'code'),
    extractionAlarms: sumBy(samples, 'warden_gateway_extraction_alarms_total', 'model'),
    driftAlarms: sumBy(samples, 'warden_gateway_drift_alarms_total', 'model'),
    drift: samples
      .filter((s) => s.name === 'warden_gateway_drift_psi')
      .map((s) => ({ model: s.labels.model ?? '', feature: s.labels.feature ?? '', psi: s.value })),
    timeline: await timeline(gw.store, '1 = 1'),
    alarms: (
      await gw.store.all<GatewayView['alarms'][number]>(
        "SELECT seq, ts, actor, action, resource FROM gateway_audit WHERE action IN ('extraction.alarm', 'drift.alarm') " +
          'ORDER BY seq DESC LIMIT 20',
      )
    ).map((r) => ({ ...r, seq: Number(r.seq) })),
  };
}

/** The guard page: prompts the guard blocked on the gateway's chat routes, by detector and over time. */
export interface GuardView {
  chats: number;
  blocked: number;
  byDetector: Record<string, number>;
  byRoute: Record<string, number>;
  timeline: { t: number[]; allow: number[]; deny: number[] };
}

const MAX_GUARD_ROWS = 100_000;

export async function guardView(store: Store): Promise<GuardView> {
  const rows = await store.all<{ resource: string; detail: string }>(
    "SELECT resource, detail FROM gateway_audit WHERE action = 'chat' ORDER BY seq DESC LIMIT ?",
    [MAX_GUARD_ROWS],
  );
  const view: GuardView = {
    chats: rows.length,
    blocked: 0,
    byDetector: {},
    byRoute: {},
    timeline: { t: [], allow: [], deny: [] },
  };
  for (const r of rows) {
    let d: { guard?: unknown; detectors?: unknown };
    try {
      d = JSON.parse(r.detail) as typeof d;
    } catch {
      continue;
    }
    if (d.guard !== 'blocked') continue;
    view.blocked++;
    view.byRoute[r.resource] = (view.byRoute[r.resource] ?? 0) + 1;
    // an answer blocked on the way out names no prompt detector
    const detectors =
      Array.isArray(d.detectors) && d.detectors.length > 0 ? d.detectors.map(String) : ['output'];
    for (const x of detectors) view.byDetector[x] = (view.byDetector[x] ?? 0) + 1;
  }
  view.timeline = await timeline(store, "action = 'chat'");
  return view;
}

/** One page of the gateway's audit chain, newest first, filtered by a search string and decision. */
export interface AuditPage {
  total: number;
  offset: number;
  limit: number;
  records: Omit<AuditRecord, 'prevHash'>[];
}

export async function auditPage(
  store: Store,
  o: { q?: string; decision?: string; offset: number; limit: number },
): Promise<AuditPage> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (o.q) {
    // LIKE with the wildcards of the search text escaped: the text is matched literally
    const like = `%${o.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      "(actor LIKE ? ESCAPE '\\' OR action LIKE ? ESCAPE '\\' OR resource LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\')",
    );
    params.push(like, like, like, like);
  }
  if (o.decision) {
    where.push('decision = ?');
    params.push(o.decision);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = await store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM gateway_audit ${w}`, params);
  const rows = await store.all<AuditPage['records'][number]>(
    `SELECT seq, ts, actor, action, resource, decision, status, detail, hash FROM gateway_audit ${w} ORDER BY seq DESC LIMIT ? OFFSET ?`,
    [...params, o.limit, o.offset],
  );
  return {
    total: Number(total?.n ?? 0),
    offset: o.offset,
    limit: o.limit,
    records: rows.map((r) => ({ ...r, seq: Number(r.seq), status: Number(r.status) })),
  };
}

/** Both hash chains, checked end to end by their own verify functions. */
export interface ChainStatus {
  gateway: ChainVerdict;
  registry: AuditVerdict;
}

export async function chainStatus(gw: Gateway, reg: Registry): Promise<ChainStatus> {
  // what this process has queued is committed first, so the verdict covers every decision made so far
  await gw.audit.flush();
  return { gateway: await verifyAuditChain(gw.store), registry: await reg.verifyAudit() };
}
