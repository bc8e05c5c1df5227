/** Prometheus text exposition (format 0.0.4) for the gateway's counters, gauges and histograms. */
type Labels = Record<string, string>;

const SPECIAL = /[\\\n"]/;
const esc = (v: string) =>
  SPECIAL.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
const key = (l: Labels): string => {
  let out = '';
  for (const k of Object.keys(l).sort()) out += `${out ? ',' : ''}${k}="${esc(l[k]!)}"`;
  return out;
};

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: string,
  ) {}
  abstract lines(): string[];
}

export class Counter extends Metric {
  private readonly values = new Map<string, number>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    this.add(key(labels), by);
  }
  /** `inc` by a series key built once by the caller. */
  add(k: string, by = 1): void {
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }
  lines(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Gauge extends Metric {
  private readonly values = new Map<string, number | (() => number)>();
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }
  set(labels: Labels, v: number | (() => number)): void {
    this.values.set(key(labels), v);
  }
  lines(): string[] {
    return [...this.values].map(
      ([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${typeof v === 'function' ? v() : v}`,
    );
  }
}

export class Histogram extends Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; n: number }>();
  constructor(
    name: string,
    help: string,
    readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(labels: Labels, v: number): void {
    this.observeKey(key(labels), v);
  }
  /** `observe` by a series key built once by the caller. */
  observeKey(k: string, v: number): void {
    let s = this.series.get(k);
    if (!s)
      this.series.set(k, (s = { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, n: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    s.sum += v;
    s.n++;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const pre = k ? `${k},` : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${pre}le="${b}"} ${s.counts[i]}`));
      out.push(`${this.name}_bucket{${pre}le="+Inf"} ${s.n}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.n}`);
    }
    return out;
  }
}

/** The gateway's metrics, created once per server. */
export class GatewayMetrics {
  readonly requests = new Counter(
    'warden_gateway_requests_total',
    'Requests answered, by route, model and status',
  );
  readonly denied = new Counter('warden_gateway_denied_total', 'Requests refused, by stage');
  readonly latency = new Histogram(
    'warden_gateway_request_seconds',
    'Time from request to response, by route',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  readonly extractionAlarms = new Counter('warden_gateway_extraction_alarms_total', 'PRADA alarms, by model');
  readonly driftAlarms = new Counter('warden_gateway_drift_alarms_total', 'Input drift alarms, by model');
  readonly drift = new Gauge(
    'warden_gateway_drift_psi',
    'Latest PSI of each input feature against the reference',
  );
  readonly auditBacklog = new Gauge(
    'warden_gateway_audit_backlog',
    'Audit records queued, not yet committed',
  );
  readonly auditWritten = new Gauge(
    'warden_gateway_audit_written',
    'Audit records committed by this process',
  );

  // Per (action, status): the two series keys every answered request updates, built on first use.
  private readonly answered = new Map<string, { count: string; latency: string }>();

  /** Counts one answered request and its latency. */
  answer(action: string, status: number, seconds: number): void {
    const id = `${status} ${action}`;
    let k = this.answered.get(id);
    if (!k) {
      k = { count: key({ action, status: String(status) }), latency: key({ action }) };
      if (this.answered.size < 1000) this.answered.set(id, k);
    }
    this.requests.add(k.count);
    this.latency.observeKey(k.latency, seconds);
  }

  render(): string {
    const all: Metric[] = [
      this.requests,
      this.denied,
      this.latency,
      this.extractionAlarms,
      this.driftAlarms,
      this.drift,
      this.auditBacklog,
      this.auditWritten,
    ];
    return `${all.flatMap((m) => [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.lines()]).join('\n')}\n`;
  }
}
