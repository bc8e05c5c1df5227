import { REFS, makeReport, type Finding, type Report, type Severity } from '../../core/index.js';
import { findDetector, type DetectContext } from '../../guard/index.js';
import { openTable } from './table.js';

/** What a scan found in one column: counts only, never a value. */
export interface ColumnSummary {
  column: string;
  values: number;
  withPii: number;
  types: Record<string, number>;
}

const CTX: DetectContext = { direction: 'input', canaries: [], depth: 0 };
// identifiers that name a person or an account on their own
const DIRECT = new Set(['US_SSN', 'CREDIT_CARD', 'IBAN_CODE']);

/**
 * Runs the guard's PII detector over every cell, the column name given as context ("phone: ..."), and
 * summarises per column. The report holds counts and entity types only, so it can be shared.
 */
export async function scanData(
  path: string,
  opts: { maxRows?: number } = {},
): Promise<{ columns: ColumnSummary[]; rows: number; report: Report }> {
  const startedAt = new Date().toISOString();
  const spec = findDetector('pii');
  if (!spec) throw new Error('the guard has no pii detector');
  const detector = spec.create(spec.options.parse({}));
  const table = await openTable(path);
  const sums: ColumnSummary[] = [];
  const at = (k: number): ColumnSummary => {
    while (sums.length <= k)
      sums.push({
        column: table.columns[sums.length] ?? `#${sums.length}`,
        values: 0,
        withPii: 0,
        types: {},
      });
    return sums[k] as ColumnSummary;
  };
  let rows = 0;
  outer: for await (const batch of table.rows)
    for (const row of batch) {
      if (opts.maxRows !== undefined && rows >= opts.maxRows) break outer;
      rows++;
      row.forEach((v, k) => {
        const s = at(k);
        if (v === null || v.trim() === '') return;
        s.values++;
        const prefix = `${table.columns[k] ?? ''}: `;
        const hits = detector
          .detect(prefix + v, CTX)
          .detections.filter((d) => d.start >= prefix.length && d.score >= spec.defaultThreshold);
        if (!hits.length) return;
        s.withPii++;
        for (const t of new Set(hits.map((d) => d.type))) s.types[t] = (s.types[t] ?? 0) + 1;
      });
    }
  table.columns.forEach((_, k) => at(k));
  const findings: Finding[] = [];
  const metrics: Record<string, number> = { rows, columns: sums.length };
  for (const s of sums) {
    metrics[`${s.column}.values`] = s.values;
    metrics[`${s.column}.withPii`] = s.withPii;
    if (!s.withPii) continue;
    const types = Object.entries(s.types).sort((a, b) => b[1] - a[1]);
    const share = s.withPii / Math.max(1, s.values);
    const severity: Severity = types.some(([t]) => DIRECT.has(t)) ? 'high' : share >= 0.5 ? 'medium' : 'low';
    findings.push({
      id: 'privacy.data.pii',
      detector: 'privacy.data.scan',
      severity,
      title: `column "${s.column}": personal data in ${s.withPii} of ${s.values} values (${(share * 100).toFixed(1)}%)`,
      detail: `entity types: ${types.map(([t, c]) => `${t} ${c}`).join(', ')}`,
      location: { path, member: s.column },
      refs: REFS.personalData,
    });
  }
  const report = makeReport({
    kind: 'privacy.data-scan',
    subject: { name: path },
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items: sums.map((s) => ({
      name: s.column,
      format: table.format,
      status: s.withPii ? 'findings' : 'clean',
      findings: s.withPii ? 1 : 0,
    })),
    metrics,
    failOn: 'high',
  });
  return { columns: sums, rows, report };
}
