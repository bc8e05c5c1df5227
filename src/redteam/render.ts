import type { Refs } from '../core/index.js';
import { render, standardTitle } from '../report/index.js';
import type { RateRow, RedteamReport } from './report.js';

export const REDTEAM_FORMATS = ['table', 'json', 'sarif', 'markdown', 'html'] as const;
export type RedteamFormat = (typeof REDTEAM_FORMATS)[number];

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const ci = (r: Pick<RateRow, 'low' | 'high' | 'n'>): string => (r.n ? `${pct(r.low)}-${pct(r.high)}` : 'n/a');
const refsOf = (r: Refs): { owasp: string; atlas: string } => ({
  owasp: (r.owasp ?? []).join(' '),
  atlas: (r.atlas ?? []).join(' '),
});

interface Row {
  name: string;
  row: RateRow;
}

function rows(report: RedteamReport): { categories: Row[]; families: Row[] } {
  const rt = report.redteam;
  return {
    categories: rt.categories.map((row) => ({ name: row.category, row })),
    families: rt.families.map((row) => ({ name: row.family ?? row.category, row })),
  };
}

const HEAD = ['', 'probes', 'success', 'blocked', 'errors', 'ASR', '95% CI', 'OWASP LLM', 'MITRE ATLAS'];

function cells({ name, row }: Row): string[] {
  const r = refsOf(row.refs);
  return [
    name,
    String(row.n),
    String(row.successes),
    String(row.blocked),
    String(row.errors),
    pct(row.asr),
    ci(row),
    r.owasp,
    r.atlas,
  ];
}

/** The OWASP and ATLAS ids a report uses, with their titles (from the standards catalogs). */
function legend(report: RedteamReport): string[] {
  const ids = new Set<string>();
  for (const r of report.redteam.families)
    for (const id of [...(r.refs.owasp ?? []), ...(r.refs.atlas ?? [])]) ids.add(id);
  return [...ids].sort().map((id) => `${id} ${standardTitle(id) ?? ''}`.trim());
}

function textTable(head: string[], body: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cs: string[]): string =>
    cs
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

/** Terminal output: rates per category and family, then each successful family's evidence. */
export function renderRedteamTable(report: RedteamReport): string {
  const rt = report.redteam;
  const { categories, families } = rows(report);
  const out = [
    `Warden redteam - ${rt.target} (model ${rt.model}, ${report.metrics.probes ?? 0} probes, seed ${rt.seed})`,
    '',
    ...textTable(['category', ...HEAD.slice(1)], categories.map(cells)),
    '',
    ...textTable(['family', ...HEAD.slice(1)], families.map(cells)),
  ];
  if (report.findings.length) {
    out.push('', 'Successful attacks (one example each):');
    for (const f of report.findings)
      out.push(`  ${f.severity.toUpperCase().padEnd(8)} ${f.title}`, `           ${f.detail}`);
  }
  const errored = rt.probes.filter((p) => p.outcome === 'error');
  if (errored.length) {
    out.push('', `${errored.length} probe(s) failed to run, e.g. ${errored[0]?.id}: ${errored[0]?.evidence}`);
  }
  const t = rt.total;
  out.push(
    '',
    `overall ASR ${pct(t.asr)} [95% CI ${ci(t)}] over ${t.n} answered probes (${t.successes} succeeded, ${t.blocked} blocked, ${t.resisted} resisted, ${t.errors} errors) - verdict: ${report.verdict.toUpperCase()} (fail-on ${report.failOn})`,
  );
  return `${out.join('\n')}\n`;
}

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Markdown for job summaries and READMEs: the same two tables and the evidence. */
export function renderRedteamMarkdown(report: RedteamReport): string {
  const rt = report.redteam;
  const { categories, families } = rows(report);
  const table = (first: string, rs: Row[]): string[] => [
    `| ${[first, ...HEAD.slice(1)].join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rs.map((r) => `| ${cells(r).map(md).join(' | ')} |`),
  ];
  const t = rt.total;
  const out = [
    `## Warden redteam: ${report.verdict.toUpperCase()}`,
    '',
    `Target \`${md(rt.target)}\`, model \`${md(rt.model)}\`, ${report.metrics.probes ?? 0} probes, seed ${rt.seed}. ` +
      `Overall ASR ${pct(t.asr)} [95% CI ${ci(t)}].`,
    '',
    ...table('category', categories),
    '',
    ...table('family', families),
    '',
    `<sub>${legend(report).map(md).join('; ')}</sub>`,
    '',
  ];
  if (report.findings.length) {
    out.push('### Successful attacks', '');
    for (const f of report.findings) out.push(`- **${md(f.title)}** (${f.severity}): ${md(f.detail)}`);
    out.push('');
  }
  out.push(`<sub>${report.tool.name} ${report.tool.version}, ${report.startedAt}</sub>`, '');
  return out.join('\n');
}

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function htmlRows(rs: Row[]): string {
  return rs
    .map((r) => {
      const c = cells(r);
      const bar = `<div class="bar"><span class="ci" style="left:${(r.row.low * 100).toFixed(1)}%;width:${((r.row.high - r.row.low) * 100).toFixed(1)}%"></span><span class="asr" style="left:${(r.row.asr * 100).toFixed(1)}%"></span></div>`;
      return `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join('')}<td>${bar}</td></tr>`;
    })
    .join('\n');
}

/** A self-contained HTML page (no scripts, no external resources): tables with ASR bars and every probe. */
export function renderRedteamHtml(report: RedteamReport): string {
  const rt = report.redteam;
  const { categories, families } = rows(report);
  const head = (first: string): string =>
    `<tr>${[first, ...HEAD.slice(1), 'ASR and CI'].map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const probes = rt.probes
    .map(
      (p) =>
        `<tr class="${p.outcome}"><td>${esc(p.id)}</td><td>${esc(p.outcome)}</td><td>${esc(p.evidence)}</td><td><pre>${esc(p.prompt)}</pre></td><td><pre>${esc(p.response)}</pre></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Warden redteam - ${esc(rt.target)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
pre{white-space:pre-wrap;max-width:40em;margin:0;font-size:12px}.bar{position:relative;width:160px;height:12px;background:#eee}
.ci{position:absolute;top:3px;height:6px;background:#f4a3a3}.asr{position:absolute;top:0;width:2px;height:12px;background:#b00}
tr.success td:nth-child(2){color:#b00;font-weight:bold}tr.blocked td:nth-child(2){color:#06c}tr.error td:nth-child(2){color:#a60}
</style></head><body>
<h1>Warden redteam: ${esc(report.verdict.toUpperCase())}</h1>
<p>Target <code>${esc(rt.target)}</code>, model <code>${esc(rt.model)}</code>, ${rt.probes.length} probes, seed ${rt.seed}, ${esc(report.startedAt)}.
Overall ASR ${pct(rt.total.asr)} [95% CI ${ci(rt.total)}].</p>
<h2>By category</h2><table>${head('category')}${htmlRows(categories)}</table>
<h2>By probe family</h2><table>${head('family')}${htmlRows(families)}</table>
<p><small>${legend(report).map(esc).join('; ')}</small></p>
<h2>Probes</h2><table><tr><th>probe</th><th>outcome</th><th>evidence</th><th>prompt (last turn)</th><th>reply</th></tr>
${probes}</table>
<h2>Not covered</h2><ul>${rt.notCovered.map((n) => `<li><b>${esc(n.families)}</b> (${esc(n.peer)}): ${esc(n.why)}</li>`).join('')}</ul>
<p><small>${esc(report.tool.name)} ${esc(report.tool.version)}</small></p>
</body></html>
`;
}

/** One entry point for every red-team output format. */
export function renderRedteam(report: RedteamReport, format: RedteamFormat): string {
  return render(report, format, {
    overrides: {
      markdown: renderRedteamMarkdown,
      html: renderRedteamHtml,
      table: renderRedteamTable,
    },
  });
}
