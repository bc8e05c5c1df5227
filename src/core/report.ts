import type { Finding, Severity } from './finding.js';
import { atLeast } from './finding.js';
import { VERSION } from './version.js';

export type Verdict = 'pass' | 'fail' | 'error';

/** One scanned unit (a file, or a member of an archive) and how its scan ended. */
export interface ReportItem {
  name: string;
  format: string;
  size?: number;
  status: 'clean' | 'findings' | 'error' | 'skipped';
  error?: { code: string; message: string };
  findings: number;
  ms?: number;
}

/** The unit of evidence every command produces. */
export interface Report {
  kind: string;
  subject: { name: string; digest?: string };
  tool: { name: 'warden'; version: string };
  startedAt: string;
  finishedAt: string;
  findings: Finding[];
  items: ReportItem[];
  metrics: Record<string, number>;
  verdict: Verdict;
  failOn: Severity;
}

/** A finding at or above the threshold fails; otherwise any error makes the verdict `error`. */
export function decideVerdict(findings: Finding[], items: ReportItem[], failOn: Severity): Verdict {
  if (findings.some((f) => atLeast(f.severity, failOn))) return 'fail';
  if (items.some((i) => i.status === 'error')) return 'error';
  return 'pass';
}

export function makeReport(init: Omit<Report, 'tool' | 'verdict'>): Report {
  return {
    ...init,
    tool: { name: 'warden', version: VERSION },
    verdict: decideVerdict(init.findings, init.items, init.failOn),
  };
}
