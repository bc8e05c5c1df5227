import type { Mapped } from './mapping.js';
import { renderModelHtml } from './model-html.js';
import type { CoverageRow, ModelReport } from './model-report.js';
import type { OutputFormat } from './render.js';
import { renderSarif } from './sarif.js';

// Markdown is often rendered to HTML (wikis, trackers): angle brackets are escaped as well as pipes.
const cell = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
const refs = (m: Mapped): string => [...m.owasp, ...m.atlas, ...m.nist].join(', ');
const hit = (r: CoverageRow): boolean => r.findings + r.metrics + r.controls > 0;

function coverageLines(r: ModelReport, line: (row: CoverageRow, std: string) => string): string[] {
  const stds: [string, CoverageRow[]][] = [
    ['OWASP ML Top 10 (2023)', r.coverage.owaspMl],
    ['OWASP LLM Top 10 (2025)', r.coverage.owaspLlm],
    ['MITRE ATLAS', r.coverage.atlas],
    ['NIST AI RMF', r.coverage.nist],
  ];
  return stds.flatMap(([std, rows]) => rows.filter(hit).map((row) => line(row, std)));
}

/** Markdown for a pull request, a ticket or a wiki page. */
export function renderModelMarkdown(r: ModelReport): string {
  const v = r.version;
  const out: string[] = [
    `## Warden model report: ${v.ref} (${r.report.verdict.toUpperCase()})`,
    '',
    `- digest \`${v.digest}\` (${v.format}, ${v.fileCount} file(s), ${v.size} bytes)`,
    `- signer: ${v.signer ?? 'unsigned'}; aliases: ${v.aliases.join(', ') || 'none'}`,
    `- registered ${v.createdAt} by ${v.createdBy}; evidence digest \`${v.evidenceDigest}\``,
    '',
    '### Controls',
    '',
    '| control | status | detail | maps to |',
    '|---|---|---|---|',
    ...r.controls.map((c) => `| ${c.control} | ${c.status} | ${cell(c.detail)} | ${refs(c.mapping)} |`),
    '',
    '### Evidence',
    '',
  ];
  if (r.evidence.length)
    out.push(
      '| # | kind | verdict | findings | added | maps to |',
      '|---|---|---|---|---|---|',
      ...r.evidence.map(
        (x) =>
          `| ${x.id} | ${x.kind} | ${x.verdict} | ${x.findings} | ${x.addedAt} by ${cell(x.addedBy)} | ${refs(x.mapping)} |`,
      ),
    );
  else out.push('No evidence attached.');
  out.push('', '### Findings', '');
  if (r.findings.length)
    out.push(
      '| severity | finding | evidence | maps to |',
      '|---|---|---|---|',
      ...r.findings.map(
        (f) =>
          `| ${f.severity} | ${cell(f.title)} (\`${cell(f.id)}\`) | ${f.evidenceId === null ? f.kind : `#${f.evidenceId} ${f.kind}`} | ${refs(f.mapping)} |`,
      ),
    );
  else out.push('No findings.');
  out.push('', '### Metrics', '');
  if (r.metrics.length)
    out.push(
      '| evidence | metric | value | maps to |',
      '|---|---|---|---|',
      ...r.metrics.map(
        (m) => `| #${m.evidenceId} ${m.kind} | \`${cell(m.name)}\` | ${m.value} | ${refs(m.mapping)} |`,
      ),
    );
  else out.push('No metrics.');
  out.push(
    '',
    '### Standards coverage (entries with findings, metrics or controls)',
    '',
    '| standard | id | title | findings | metrics | controls |',
    '|---|---|---|---|---|---|',
    ...coverageLines(
      r,
      (row, std) =>
        `| ${std} | ${row.id} | ${cell(row.title)} | ${row.findings}${row.worst ? ` (${row.worst})` : ''} | ${row.metrics} | ${row.controls} |`,
    ),
    '',
    `<sub>${r.report.tool.name} ${r.report.tool.version}, ${r.report.startedAt}</sub>`,
    '',
  );
  return out.join('\n');
}

/** Terminal summary: the version, its controls, evidence and which taxonomy entries it touches. */
export function renderModelTable(r: ModelReport): string {
  const v = r.version;
  const lines = [
    `Warden model report - ${v.ref} ${v.digest}`,
    `  ${v.format}, ${v.fileCount} file(s); signer: ${v.signer ?? 'unsigned'}; aliases: ${v.aliases.join(', ') || 'none'}`,
    '',
    ...r.controls.map((c) => `  ${c.status.toUpperCase().padEnd(5)} ${c.control}: ${c.detail}`),
    '',
    ...r.evidence.map((x) => {
      // a few of the evidence's own numbers, so the terminal view shows what was measured
      const ms = r.metrics.filter((m) => m.evidenceId === x.id).slice(0, 4);
      const shown = ms.map((m) => `${m.name}=${Number(m.value.toPrecision(4))}`).join(' ');
      return `  #${String(x.id).padEnd(4)} ${x.kind.padEnd(26)} ${x.verdict.padEnd(5)} ${x.findings} finding(s)${shown ? `  ${shown}` : ''}`;
    }),
    ...(r.evidence.length ? [] : ['  no evidence attached']),
    '',
    ...r.findings
      .slice(0, 50)
      .map((f) => `  ${f.severity.toUpperCase().padEnd(8)} ${f.title}  [${refs(f.mapping)}]`),
    ...(r.findings.length > 50 ? [`  ... ${r.findings.length - 50} more finding(s)`] : []),
    '',
    ...coverageLines(
      r,
      (row, std) =>
        `  ${std.padEnd(24)} ${row.id.padEnd(14)} ${String(row.findings).padStart(3)} finding(s) ${String(row.metrics).padStart(3)} metric(s) ${String(row.controls).padStart(2)} control(s)  ${row.title}`,
    ),
    '',
    `verdict: ${r.report.verdict.toUpperCase()} (${r.findings.length} finding(s), ${r.evidence.length} evidence report(s))`,
  ];
  return lines.join('\n') + '\n';
}

/** SARIF 2.1.0: the findings as results, with NIST ids and the version, metrics and coverage as properties. */
export function renderModelSarif(r: ModelReport): string {
  const log = JSON.parse(renderSarif(r.report)) as {
    runs: {
      tool: { driver: { rules: { id: string; properties: { tags: string[] } }[] } };
      results: { ruleId: string; properties: Record<string, unknown> }[];
      properties?: Record<string, unknown>;
    }[];
  };
  const run = log.runs[0]!;
  r.findings.forEach((f, i) => {
    const res = run.results[i];
    if (res) Object.assign(res.properties, { nist: f.mapping.nist, evidenceId: f.evidenceId, kind: f.kind });
  });
  for (const rule of run.tool.driver.rules) {
    const f = r.findings.find((x) => x.id === rule.id);
    if (f) rule.properties.tags = [...new Set([...rule.properties.tags, ...f.mapping.nist])];
  }
  run.properties = {
    model: {
      ref: r.version.ref,
      digest: r.version.digest,
      signer: r.version.signer,
      aliases: r.version.aliases,
    },
    controls: r.controls,
    metrics: r.metrics,
    gates: r.gates.map((g) => ({ alias: g.alias, passed: g.passed, unmet: g.unmet.map((c) => c.clause) })),
  };
  return JSON.stringify(log, null, 2) + '\n';
}

/** JSON: the whole model report (the flat `report` is left out: every field of it is here already). */
export function renderModelJson(r: ModelReport): string {
  const { report: rep, ...rest } = r;
  return (
    JSON.stringify({ ...rest, verdict: rep.verdict, tool: rep.tool, generatedAt: rep.startedAt }, null, 2) +
    '\n'
  );
}

/** One entry point for every format of the model report. */
export function renderModelReport(r: ModelReport, format: OutputFormat): string {
  switch (format) {
    case 'html':
      return renderModelHtml(r);
    case 'markdown':
      return renderModelMarkdown(r);
    case 'sarif':
      return renderModelSarif(r);
    case 'json':
      return renderModelJson(r);
    case 'table':
      return renderModelTable(r);
  }
}
