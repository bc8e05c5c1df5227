import type { Finding, Location, Report } from '../core/index.js';

export function locationText(loc: Location | undefined): string {
  if (!loc) return '';
  let s = loc.path ?? '';
  if (loc.member) s += `!${loc.member}`;
  if (loc.offset !== undefined) s += `@${loc.offset}`;
  if (loc.line !== undefined) s += `:${loc.line}`;
  return s;
}

export function refsText(f: Finding): string {
  return [...(f.refs.owasp ?? []), ...(f.refs.atlas ?? []), ...(f.refs.cwe ?? [])].join(', ');
}

export function countBySeverity(report: Report): Record<string, number> {
  const counts: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of report.findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

export function summaryLine(report: Report): string {
  const c = countBySeverity(report);
  const scanned = report.items.length;
  const errors = report.items.filter((i) => i.status === 'error').length;
  const parts = (['critical', 'high', 'medium', 'low', 'info'] as const)
    .filter((s) => (c[s] ?? 0) > 0)
    .map((s) => `${c[s]} ${s}`);
  return (
    `${scanned} file${scanned === 1 ? '' : 's'} scanned, ` +
    `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}` +
    (parts.length ? ` (${parts.join(', ')})` : '') +
    (errors ? `, ${errors} error${errors === 1 ? '' : 's'}` : '') +
    ` - verdict: ${report.verdict.toUpperCase()} (fail-on ${report.failOn})`
  );
}
