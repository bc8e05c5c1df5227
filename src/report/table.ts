import { severityRank, type Finding, type Report, type Severity } from '../core/index.js';
import { summaryLine } from './common.js';

const SEV_W = 8;

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
  // group by file, worst file first, so a directory scan reads as a list of files to look at
  const byFile = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = f.location?.path ?? report.subject.name;
    byFile.set(key, [...(byFile.get(key) ?? []), f]);
  }
  const files = [...byFile.entries()].sort(
    ([a, fa], [b, fb]) => severityRank(fb[0]!.severity) - severityRank(fa[0]!.severity) || a.localeCompare(b),
  );
  const pad = ' '.repeat(SEV_W + 3);
  for (const [file, fs] of files) {
    const format = report.items.find((i) => i.name === file)?.format;
    lines.push(
      '',
      paint('bold', truncate(file, width)) +
        paint('dim', `  ${format ?? ''} - ${fs.length} finding${fs.length === 1 ? '' : 's'}`),
    );
    for (const f of fs) {
      const where = [f.location?.member, f.location?.offset !== undefined ? `@${f.location.offset}` : '']
        .filter(Boolean)
        .join(' ');
      lines.push(
        `  ${paint(f.severity, f.severity.toUpperCase().padEnd(SEV_W))} ${paint('bold', f.title)}  ${paint('dim', `${f.id}${where ? `  ${where}` : ''}`)}`,
      );
      for (const l of wrap(f.detail, width - pad.length)) lines.push(`${pad}${paint('dim', l)}`);
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
