import { escapeHtml as e, REPORT_CSS } from './html.js';
import type { Mapped } from './mapping.js';
import type { CoverageRow, ModelReport } from './model-report.js';

const EXTRA_CSS =
  '.pass-t{color:var(--ok);font-weight:600}.fail-t{color:var(--crit);font-weight:600}.info-t{color:var(--mut)}' +
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dt{color:var(--mut)}dd{margin:0}';

const refs = (m: Mapped): string => e([...m.owasp, ...m.atlas, ...m.nist].join(', '));
const status = (s: string): string => `<span class="${s}-t">${e(s)}</span>`;

function table(head: string[], rows: string[][], empty: string): string {
  if (!rows.length) return `<p class="none">${e(empty)}</p>`;
  return (
    `<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

function coverageTable(title: string, rows: CoverageRow[]): string {
  const body = rows.map((r) => {
    const n = r.findings + r.metrics + r.controls;
    return [
      `<code>${e(r.id)}</code>`,
      e(r.title),
      `<span class="${r.worst ?? 'none'}">${r.findings}${r.worst ? ` (worst ${r.worst})` : ''}</span>`,
      String(r.metrics),
      String(r.controls),
      n ? '<span class="hit">assessed</span>' : '<span class="none">not assessed</span>',
    ];
  });
  return `<h2>${e(title)}</h2>` + table(['id', 'title', 'findings', 'metrics', 'controls', ''], body, '');
}

/** The model report as one self-contained HTML page: inline CSS, no script, nothing loaded from outside. */
export function renderModelHtml(r: ModelReport): string {
  const v = r.version;
  const verdict = r.report.verdict;
  const title = `Warden model report: ${v.ref}`;
  const meta: [string, string][] = [
    ['requested', r.requested],
    ['digest', v.digest],
    ['format', `${v.format}, ${v.fileCount} file(s), ${v.size} bytes`],
    ['signer', v.signer ?? 'unsigned'],
    ['registered', `${v.createdAt} by ${v.createdBy}`],
    ['aliases', v.aliases.join(', ') || 'none'],
    ['evidence digest', v.evidenceDigest],
    ...Object.entries(v.meta).map(([k, x]): [string, string] => [`meta ${k}`, x]),
  ];
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${e(title)}</title><style>${REPORT_CSS}${EXTRA_CSS}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    `<p><span class="verdict ${verdict}">${verdict.toUpperCase()}</span> <span class="mut">`,
    e(
      `${r.findings.length} finding(s) from ${r.evidence.length} evidence report(s), ${r.metrics.length} metric(s)`,
    ),
    '</span></p>',
    `<dl>${meta.map(([k, x]) => `<dt>${e(k)}</dt><dd><code>${e(x)}</code></dd>`).join('')}</dl>`,
    '<h2>Files</h2>',
    table(
      ['file', 'digest', 'format', 'bytes'],
      v.files.map((f) => [
        `<code>${e(f.name)}</code>`,
        `<code>${e(f.digest)}</code>`,
        e(f.format),
        String(f.size),
      ]),
      'No files.',
    ),
    '<h2>Controls</h2>',
    table(
      ['control', 'status', 'detail', 'maps to'],
      r.controls.map((c) => [e(c.control), status(c.status), e(c.detail), `<code>${refs(c.mapping)}</code>`]),
      'No controls.',
    ),
    '<h2>Evidence</h2>',
    r.evidenceOmitted
      ? `<p class="mut">${r.evidenceOmitted} older evidence report(s) are not included.</p>`
      : '',
    table(
      ['#', 'kind', 'verdict', 'subject', 'findings', 'added', 'maps to'],
      r.evidence.map((x) => [
        String(x.id),
        e(`${x.kind} (${x.area})`),
        `<span class="verdict ${x.verdict}">${x.verdict}</span>`,
        `<code>${e(x.subject)}</code>`,
        String(x.findings),
        e(`${x.addedAt} by ${x.addedBy}`),
        `<code>${refs(x.mapping)}</code>`,
      ]),
      'No evidence attached: nothing about this version has been measured.',
    ),
    '<h2>Findings</h2>',
    r.findingsTruncated ? '<p class="mut">Only the most severe findings are listed.</p>' : '',
    table(
      ['severity', 'finding', 'evidence', 'detail', 'maps to'],
      r.findings.map((f) => [
        `<span class="sev ${f.severity}">${f.severity}</span>`,
        `${e(f.title)}<br><code class="mut">${e(f.id)}</code>`,
        e(f.evidenceId === null ? f.kind : `#${f.evidenceId} ${f.kind}`),
        e(f.detail),
        `<code>${refs(f.mapping)}${f.refs.cwe?.length ? `, ${e(f.refs.cwe.join(', '))}` : ''}</code>`,
      ]),
      'No findings.',
    ),
    '<h2>Metrics</h2>',
    table(
      ['evidence', 'metric', 'value', 'maps to'],
      r.metrics.map((m) => [
        e(`#${m.evidenceId} ${m.kind}`),
        `<code>${e(m.name)}</code>`,
        `<span class="num">${e(String(m.value))}</span>`,
        `<code>${refs(m.mapping)}</code>`,
      ]),
      'No metrics.',
    ),
    coverageTable('OWASP Machine Learning Security Top 10 (2023)', r.coverage.owaspMl),
    coverageTable('OWASP Top 10 for LLM Applications (2025)', r.coverage.owaspLlm),
    coverageTable('MITRE ATLAS', r.coverage.atlas),
    coverageTable('NIST AI RMF 1.0 (functions and subcategories)', r.coverage.nist),
    `<p class="mut">${e(`${r.report.tool.name} ${r.report.tool.version}, generated ${r.report.startedAt}`)}</p>`,
    '</body></html>',
    '',
  ].join('');
}
