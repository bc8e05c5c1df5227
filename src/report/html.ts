import { severityRank, type Finding, type Report } from '../core/index.js';
import { countBySeverity, locationText, summaryLine } from './common.js';
import { mapFindings, nistFor, type StandardRow } from './standards.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The stylesheet every self-contained HTML report inlines. */
export const REPORT_CSS = `
:root{--fg:#1b1f24;--mut:#5b6470;--bg:#fff;--line:#d8dde3;--crit:#a4161a;--high:#d9480f;--med:#b08900;--low:#2b6cb0;--info:#5b6470;--ok:#2b8a3e}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ed;--mut:#9aa4af;--bg:#14171a;--line:#2c3238}}
*{box-sizing:border-box}body{font:14px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.mut{color:var(--mut)}.verdict{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.pass{background:var(--ok)}.fail{background:var(--crit)}.error{background:var(--med)}
.cards{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0}.card{border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:92px}
.card b{display:block;font-size:20px}table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}th{font-weight:600;color:var(--mut)}
td.num{text-align:right;font-variant-numeric:tabular-nums}code{font:12px ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.sev{font-weight:600;text-transform:uppercase;font-size:12px}.critical{color:var(--crit)}.high{color:var(--high)}.medium{color:var(--med)}.low{color:var(--low)}.info{color:var(--info)}
.hit{font-weight:600}.none{color:var(--mut)}@media (max-width:640px){body{padding:12px}th:nth-child(4),td:nth-child(4){display:none}}
`;

function findingRow(f: Finding): string {
  const refs = [...(f.refs.owasp ?? []), ...(f.refs.atlas ?? []), ...(f.refs.cwe ?? []), ...nistFor(f.refs)];
  return (
    `<tr><td class="sev ${f.severity}">${f.severity}</td>` +
    `<td>${escapeHtml(f.title)}<br><code class="mut">${escapeHtml(f.id)}</code></td>` +
    `<td><code>${escapeHtml(locationText(f.location))}</code></td>` +
    `<td>${escapeHtml(f.detail)}</td><td><code>${escapeHtml(refs.join(', '))}</code></td></tr>`
  );
}

function standardTable(title: string, rows: StandardRow[]): string {
  const body = rows
    .map((r) => {
      const n = r.findings.length;
      const worst = r.findings.reduce<Finding | undefined>(
        (w, f) => (w && severityRank(w.severity) >= severityRank(f.severity) ? w : f),
        undefined,
      )?.severity;
      return (
        `<tr class="${n ? 'hit' : 'none'}"><td><code>${escapeHtml(r.id)}</code></td><td>${escapeHtml(r.title)}</td>` +
        `<td class="num">${n}</td><td>${n ? escapeHtml(String(worst)) : 'no finding'}</td></tr>`
      );
    })
    .join('');
  return `<h2>${escapeHtml(title)}</h2><table><thead><tr><th>id</th><th>title</th><th>findings</th><th></th></tr></thead><tbody>${body}</tbody></table>`;
}

/** A self-contained HTML report (inline CSS, no scripts, no external requests) with the standards mapping. */
export function renderHtml(report: Report): string {
  const c = countBySeverity(report);
  const map = mapFindings(report.findings);
  const cards = (['critical', 'high', 'medium', 'low', 'info'] as const)
    .map((s) => `<div class="card"><span class="sev ${s}">${s}</span><b>${c[s] ?? 0}</b></div>`)
    .join('');
  const metrics = Object.entries(report.metrics)
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td class="num">${escapeHtml(String(v))}</td></tr>`)
    .join('');
  const items = report.items
    .map(
      (i) =>
        `<tr><td><code>${escapeHtml(i.name)}</code></td><td>${escapeHtml(i.format)}</td><td>${i.status}</td>` +
        `<td class="num">${i.findings}</td><td>${escapeHtml(i.error ? `${i.error.code}: ${i.error.message}` : '')}</td></tr>`,
    )
    .join('');
  const title = `Warden ${report.kind} report: ${report.subject.name}`;
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeHtml(title)}</title><style>${REPORT_CSS}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p><span class="verdict ${report.verdict}">${report.verdict.toUpperCase()}</span> `,
    `<span class="mut">${escapeHtml(summaryLine(report))}</span></p>`,
    report.subject.digest
      ? `<p class="mut">digest <code>${escapeHtml(report.subject.digest)}</code></p>`
      : '',
    `<div class="cards">${cards}</div>`,
    '<h2>Findings</h2>',
    report.findings.length
      ? `<table><thead><tr><th>severity</th><th>finding</th><th>location</th><th>detail</th><th>references</th></tr></thead><tbody>${report.findings.map(findingRow).join('')}</tbody></table>`
      : '<p class="none">No findings.</p>',
    metrics
      ? `<h2>Metrics</h2><table><thead><tr><th>metric</th><th>value</th></tr></thead><tbody>${metrics}</tbody></table>`
      : '',
    items
      ? `<h2>Items</h2><table><thead><tr><th>name</th><th>format</th><th>status</th><th>findings</th><th>error</th></tr></thead><tbody>${items}</tbody></table>`
      : '',
    standardTable('OWASP Machine Learning Security Top 10 (2023)', map.owaspMl),
    standardTable('OWASP Top 10 for LLM Applications (2025)', map.owaspLlm),
    standardTable(
      'MITRE ATLAS', // Sub-techniques (AML.Txxxx.nnn) are listed only when something maps to them.
      map.atlas.filter((r) => r.findings.length > 0 || r.id.split('.').length < 3),
    ),
    standardTable('NIST AI RMF 1.0', map.nist),
    `<p class="mut">${escapeHtml(`${report.tool.name} ${report.tool.version}, ${report.startedAt} - ${report.finishedAt}`)}</p>`,
    '</body></html>',
    '',
  ].join('');
}
