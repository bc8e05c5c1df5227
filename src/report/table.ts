import type { Report, Severity } from '../core/index.js';
import { locationText, summaryLine } from './common.js';

const ANSI: Record<Severity | 'dim' | 'bold' | 'green' | 'reset', string> = {
  critical: '\x1b[1;97;41m',
  high: '\x1b[1;31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  green: '\x1b[32m',
  reset: '\x1b[0m',
};

/** Human-readable report for a terminal; colour only when asked (TTY and no NO_COLOR). */
export function renderTable(report: Report, opts: { color?: boolean; width?: number } = {}): string {
  const color = opts.color ?? false;
  const width = Math.max(60, opts.width ?? 120);
  const paint = (code: keyof typeof ANSI, s: string): string =>
    color ? `${ANSI[code]}${s}${ANSI.reset}` : s;
  const lines: string[] = [];
  lines.push(paint('bold', `Warden ${report.kind} - ${report.subject.name}`));
  if (report.findings.length) {
    lines.push('');
    const sevW = 8;
    for (const f of report.findings) {
      const sev = paint(f.severity, f.severity.toUpperCase().padEnd(sevW));
      lines.push(`${sev} ${paint('bold', f.title)}  ${paint('dim', f.id)}`);
      const loc = locationText(f.location);
      if (loc) lines.push(`${' '.repeat(sevW + 1)}${truncate(loc, width - sevW - 1)}`);
      for (const l of wrap(f.detail, width - sevW - 1))
        lines.push(`${' '.repeat(sevW + 1)}${paint('dim', l)}`);
    }
  }
  const errored = report.items.filter((i) => i.status === 'error');
  if (errored.length) {
    lines.push('');
    for (const i of errored)
      lines.push(
        `${paint('medium', 'ERROR'.padEnd(9))}${i.name}: ${i.error?.code ?? ''} ${i.error?.message ?? ''}`,
      );
  }
  const skipped = report.items.filter((i) => i.status === 'skipped').length;
  lines.push('');
  if (skipped) lines.push(paint('dim', `${skipped} file(s) of no model format were skipped`));
  const verdictColor = report.verdict === 'pass' ? 'green' : report.verdict === 'fail' ? 'high' : 'medium';
  lines.push(paint(verdictColor, summaryLine(report)));
  return lines.join('\n') + '\n';
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `...${s.slice(s.length - n + 3)}`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
