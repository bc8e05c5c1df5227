import type { AuditVerdict } from './audit.js';
import type { GateResult } from './gate.js';
import type { DatasetInfo, ModelSummary, PromoteResult, VersionDetail, VersionInfo } from './types.js';

/** Left-aligned columns with a header row; cells are cut at `max` characters. */
export function columns(header: readonly string[], rows: readonly (readonly string[])[], max = 60): string {
  const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  const all = [header, ...rows].map((r) => r.map(cut));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  return `${all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);
const aliasText = (a: Record<string, number>) =>
  Object.entries(a)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

export function renderModels(models: readonly ModelSummary[]): string {
  if (models.length === 0) return 'no models registered\n';
  return columns(
    ['MODEL', 'VERSIONS', 'LATEST', 'ALIASES', 'UPDATED'],
    models.map((m) => [
      m.name,
      String(m.versions),
      String(m.latest),
      aliasText(m.aliases) || '-',
      m.updatedAt,
    ]),
  );
}

export function renderVersions(versions: readonly VersionInfo[]): string {
  if (versions.length === 0) return 'no versions\n';
  return columns(
    ['VERSION', 'DIGEST', 'FORMAT', 'SIGNER', 'EVIDENCE', 'APPROVALS', 'ALIASES', 'BY', 'CREATED'],
    versions.map((v) => [
      v.ref,
      short(v.digest),
      v.format,
      v.signer ?? 'unsigned',
      String(v.evidenceCount),
      String(v.approvals),
      v.aliases.join(', ') || '-',
      v.createdBy,
      v.createdAt,
    ]),
    48,
  );
}

export function renderDatasets(ds: readonly DatasetInfo[]): string {
  if (ds.length === 0) return 'no data sets registered\n';
  return columns(
    ['DATASET', 'DIGEST', 'FORMAT', 'SIZE', 'BY', 'CREATED'],
    ds.map((d) => [d.name, short(d.digest), d.format, String(d.size), d.createdBy, d.createdAt]),
  );
}

/** One line per clause: a check mark or a cross, the clause, and the fact that decided it. */
export function renderGate(g: GateResult): string {
  const head = `gate ${g.alias} for ${g.ref}: ${g.passed ? 'PASS' : `FAIL (${g.unmet.length} of ${g.clauses.length} clauses unmet)`}`;
  const lines = g.clauses.map((c) => `  ${c.passed ? 'ok  ' : 'FAIL'} ${c.clause}  -- ${c.detail}`);
  if (g.clauses.length === 0) lines.push('  (open alias: no clauses)');
  return `${[head, ...lines].join('\n')}\n`;
}

export function renderPromote(r: PromoteResult): string {
  if (!r.promoted)
    return `refused: ${r.ref} cannot become ${r.alias}; unmet clauses:\n${r.gate.unmet
      .map((c) => `  - ${c.clause}  -- ${c.detail}`)
      .join('\n')}\n`;
  if (!r.changed) return `${r.alias} already points at ${r.ref}\n`;
  return `promoted ${r.ref} to ${r.alias}${r.previous ? ` (was ${r.previous})` : ''}\n`;
}

export function renderVersion(d: VersionDetail): string {
  const out = [
    `${d.ref}  ${d.digest}`,
    `  format ${d.format}, ${d.fileCount} file(s), ${d.size} bytes, from ${d.uri}`,
    `  registered by ${d.createdBy} at ${d.createdAt}`,
    `  signature: ${d.signer ?? 'none'}`,
    `  aliases: ${d.aliases.join(', ') || 'none'}`,
    ...(d.parents.length ? [`  lineage: ${d.parents.map((p) => `${p.relation} ${p.ref}`).join('; ')}`] : []),
    '',
    'files:',
    ...d.files.map((f) => `  ${f.name}  ${f.format}  ${f.size}  ${f.digest}`),
    '',
    `evidence (${d.evidence.length}; evidence digest ${short(d.evidenceDigest)}):`,
    ...(d.evidence.length === 0 ? ['  none'] : []),
    ...d.evidence.map((e) => {
      const m = Object.entries(e.metrics)
        .slice(0, 6)
        .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`)
        .join(' ');
      return `  #${e.id} ${e.kind} ${e.verdict} findings=${e.findings.total} ${m}  (${e.addedBy}, ${e.addedAt})`;
    }),
    '',
    'approvals:',
    ...(d.approvalList.length === 0 ? ['  none'] : []),
    ...d.approvalList.map(
      (a) =>
        `  ${a.principal} as ${a.role} at ${a.createdAt}${a.current ? '' : ' (expired: evidence changed)'}${a.comment ? ` "${a.comment}"` : ''}`,
    ),
    '',
  ];
  return `${out.join('\n')}\n${d.gates.map(renderGate).join('')}`;
}

export function renderAuditVerdict(v: AuditVerdict): string {
  if (v.ok) return `audit chain intact: ${v.records} records, head ${v.head.seq}:${v.head.hash}\n`;
  if (v.aliasDrift)
    return `audit chain intact (${v.records} records) but aliases differ from it:\n${v.aliasDrift
      .map(
        (d) =>
          `  ${d.alias}: ${d.table ?? 'unset'} in the alias table, ${d.trail ?? 'unset'} in the audit trail\n`,
      )
      .join('')}`;
  const b = v.firstBad!;
  return `audit chain BROKEN at record ${b.seq}: ${b.reason}\n  ${v.records} records verified before it (last good ${v.head.seq}:${v.head.hash})\n`;
}
