import { makeReport, REFS, type Finding, type Report } from '../../core/index.js';
import { privacyError } from '../errors.js';
import { openTable } from './table.js';

export interface AnonymityOptions {
  quasiIdentifiers: string[];
  sensitive?: string;
  /** The k and l the data should reach; below them is a finding. */
  k?: number;
  l?: number;
  /** Bound on distinct quasi-identifier combinations kept in memory. */
  maxClasses?: number;
}

export interface AnonymityResult {
  rows: number;
  classes: number;
  k: number;
  /** Rows in classes smaller than the target k. */
  rowsBelowK: number;
  distinctL?: number;
  entropyL?: number;
  report: Report;
}

/**
 * k-anonymity (the smallest group of rows sharing their quasi-identifiers) and, with a sensitive column,
 * distinct and entropy l-diversity (Machanavajjhala et al. 2007) of those groups, in one streaming pass.
 */
export async function checkAnonymity(path: string, o: AnonymityOptions): Promise<AnonymityResult> {
  const startedAt = new Date().toISOString();
  const table = await openTable(path);
  const col = (name: string): number => {
    const k = table.columns.indexOf(name);
    if (k < 0)
      throw privacyError(
        'PRIVACY_DATA_INVALID',
        `no column "${name}" (columns: ${table.columns.join(', ')})`,
      );
    return k;
  };
  if (o.quasiIdentifiers.length === 0)
    throw privacyError('PRIVACY_INVALID_OPTION', 'name at least one quasi-identifier');
  const qi = o.quasiIdentifiers.map(col);
  const sens = o.sensitive === undefined ? undefined : col(o.sensitive);
  const max = o.maxClasses ?? 1_000_000;
  const groups = new Map<string, { n: number; s?: Map<string, number> }>();
  let rows = 0;
  for await (const batch of table.rows)
    for (const row of batch) {
      rows++;
      const key = JSON.stringify(qi.map((k) => row[k] ?? null));
      let g = groups.get(key);
      if (!g) {
        if (groups.size >= max)
          throw privacyError(
            'PRIVACY_DATA_INVALID',
            `more than ${max} distinct quasi-identifier combinations; raise --max-classes`,
          );
        g = sens === undefined ? { n: 0 } : { n: 0, s: new Map() };
        groups.set(key, g);
      }
      g.n++;
      if (g.s && sens !== undefined) {
        const v = row[sens] ?? '';
        g.s.set(v, (g.s.get(v) ?? 0) + 1);
      }
    }
  let k = Infinity;
  let distinctL = Infinity;
  let entropyL = Infinity;
  let rowsBelowK = 0;
  const targetK = o.k ?? 5;
  for (const g of groups.values()) {
    k = Math.min(k, g.n);
    if (g.n < targetK) rowsBelowK += g.n;
    if (g.s) {
      distinctL = Math.min(distinctL, g.s.size);
      let h = 0;
      for (const c of g.s.values()) h -= (c / g.n) * Math.log(c / g.n);
      entropyL = Math.min(entropyL, Math.exp(h));
    }
  }
  if (!groups.size) k = 0;
  const findings: Finding[] = [];
  if (k < targetK)
    findings.push({
      id: 'privacy.data.k-anonymity',
      detector: 'privacy.data.check',
      severity: k <= 1 ? 'high' : 'medium',
      title: `${k}-anonymous on (${o.quasiIdentifiers.join(', ')}): below k = ${targetK}`,
      detail: `${rowsBelowK} of ${rows} rows sit in groups of fewer than ${targetK}; ${groups.size} groups in all.`,
      location: { path },
      refs: REFS.personalData,
    });
  const hasL = sens !== undefined && groups.size > 0;
  if (hasL && distinctL < (o.l ?? 2))
    findings.push({
      id: 'privacy.data.l-diversity',
      detector: 'privacy.data.check',
      severity: distinctL <= 1 ? 'high' : 'medium',
      title: `distinct ${distinctL}-diverse in "${o.sensitive}": below l = ${o.l ?? 2}`,
      detail: `a group with ${distinctL} distinct value(s) of "${o.sensitive}" reveals it to anyone who can place a person in the group.`,
      location: { path },
      refs: REFS.personalData,
    });
  const metrics: Record<string, number> = { rows, classes: groups.size, k, rowsBelowK, targetK };
  if (hasL) Object.assign(metrics, { distinctL, entropyL });
  const report = makeReport({
    kind: 'privacy.data-anonymity',
    subject: { name: path },
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items: [
      {
        name: path,
        format: table.format,
        status: findings.length ? 'findings' : 'clean',
        findings: findings.length,
      },
    ],
    metrics,
    failOn: 'high',
  });
  return { rows, classes: groups.size, k, rowsBelowK, ...(hasL ? { distinctL, entropyL } : {}), report };
}
