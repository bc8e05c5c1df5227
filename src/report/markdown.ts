import type { Report } from '../core/index.js';
import { countBySeverity, locationText, refsText, summaryLine } from './common.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Markdown report for pull-request comments and job summaries. */
export function renderMarkdown(report: Report): string {
  const c = countBySeverity(report);
  const out: string[] = [];
  out.push(`## Warden ${report.kind}: ${report.verdict.toUpperCase()}`, '');
  out.push(`${summaryLine(report)}`, '');
  out.push('| critical | high | medium | low | info |', '|---|---|---|---|---|');
  out.push(`| ${c.critical} | ${c.high} | ${c.medium} | ${c.low} | ${c.info} |`, '');
  if (report.findings.length) {
    out.push('| severity | finding | location | detail | refs |', '|---|---|---|---|---|');
    for (const f of report.findings)
      out.push(
        `| ${f.severity} | ${cell(f.title)} (\`${f.id}\`) | \`${cell(locationText(f.location))}\` | ${cell(f.detail)} | ${cell(refsText(f))} |`,
      );
    out.push('');
  }
  const errored = report.items.filter((i) => i.status === 'error');
  if (errored.length) {
    out.push('### Errors', '');
    for (const i of errored)
      out.push(`- \`${cell(i.name)}\`: ${i.error?.code ?? ''} ${cell(i.error?.message ?? '')}`);
    out.push('');
  }
  out.push(`<sub>${report.tool.name} ${report.tool.version}, ${report.startedAt}</sub>`, '');
  return out.join('\n');
}
