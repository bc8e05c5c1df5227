import { render } from '../report/index.js';
import type { PostureReport } from './report.js';

export const POSTURE_FORMATS = ['table', 'json', 'sarif', 'markdown', 'html'] as const;
export type PostureFormat = (typeof POSTURE_FORMATS)[number];

const MARK = { pass: 'PASS', fail: 'FAIL', unknown: '????' } as const;

/** Terminal output: the checklist, one item per block with its evidence and the command that would settle it. */
export function renderPostureTable(report: PostureReport): string {
  const p = report.posture;
  const out = [
    `Warden posture - ${p.root} (${p.files} files${p.truncated ? ', walk truncated at a limit' : ''})`,
    '',
  ];
  p.checks.forEach((c, i) => {
    out.push(
      `${String(i + 1).padStart(2)}. [${MARK[c.status]}] ${c.title}${c.status === 'fail' ? ` (${c.severity})` : ''}  ${c.id}`,
    );
    for (const e of c.evidence.slice(0, 4)) out.push(`         ${e}`);
    if (c.status !== 'pass' && c.command) out.push(`         run: ${c.command}`);
    if (c.status !== 'pass' && c.remedy) out.push(`         fix: ${c.remedy}`);
  });
  const m = report.metrics;
  out.push(
    '',
    `${m.pass ?? 0} pass, ${m.fail ?? 0} fail, ${m.unknown ?? 0} unknown of ${m.checks ?? 0} - ${report.findings.length} finding(s) - verdict: ${report.verdict.toUpperCase()} (fail-on ${report.failOn})`,
  );
  return `${out.join('\n')}\n`;
}

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Markdown: the checklist as a table, then the located findings. */
export function renderPostureMarkdown(report: PostureReport): string {
  const p = report.posture;
  const m = report.metrics;
  const out = [
    `## Warden posture: ${report.verdict.toUpperCase()}`,
    '',
    `\`${md(p.root)}\`: ${m.pass ?? 0} pass, ${m.fail ?? 0} fail, ${m.unknown ?? 0} unknown of ${m.checks ?? 0} checks.`,
    '',
    '| # | item | status | evidence | to settle it |',
    '|---|---|---|---|---|',
    ...p.checks.map(
      (c, i) =>
        `| ${i + 1} | ${md(c.title)} | ${c.status}${c.status === 'fail' ? ` (${c.severity})` : ''} | ${md(c.evidence.slice(0, 3).join('; '))} | ${c.status === 'pass' ? '' : md([c.command && `\`${c.command}\``, c.remedy].filter(Boolean).join('; '))} |`,
    ),
    '',
  ];
  const located = report.findings.filter((f) => f.detector !== 'posture');
  if (located.length) {
    out.push('### Findings', '');
    for (const f of located.slice(0, 100))
      out.push(
        `- **${f.severity}** ${md(f.title)}: \`${md(f.location?.path ?? '')}${f.location?.line ? `:${f.location.line}` : ''}\` ${md(f.detail)}`,
      );
    out.push('');
  }
  out.push(`<sub>${report.tool.name} ${report.tool.version}, ${report.startedAt}</sub>`, '');
  return out.join('\n');
}

export function renderPosture(report: PostureReport, format: PostureFormat): string {
  return render(report, format, {
    overrides: { markdown: renderPostureMarkdown, table: renderPostureTable },
  });
}
