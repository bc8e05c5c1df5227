import {
  compareFindings,
  makeReport,
  type Finding,
  type Report,
  type ReportItem,
  type Severity,
} from '../core/index.js';
import type { CheckResult } from './types.js';

/** What a posture report carries on top of the core Report: every checklist item with its evidence. */
export interface PostureSection {
  root: string;
  files: number;
  truncated: boolean;
  gateway?: string;
  store?: string;
  checks: CheckResult[];
}

export interface PostureReport extends Report {
  posture: PostureSection;
}

export interface PostureBuildInput {
  root: string;
  results: CheckResult[];
  startedAt: Date;
  failOn: Severity;
  truncated: boolean;
  files: number;
  gateway?: string | undefined;
  store?: string | undefined;
  /** Wall time of each check in milliseconds (metrics `ms.<check>`). */
  timings?: Record<string, number>;
}

/** One summary finding per failed item (at the item's severity) plus the located findings behind it. */
export function buildPostureReport(input: PostureBuildInput): PostureReport {
  const findings: Finding[] = [];
  const items: ReportItem[] = [];
  for (const r of input.results) {
    if (r.status === 'fail') {
      findings.push({
        id: `posture.${r.id}`,
        detector: 'posture',
        severity: r.severity,
        title: `${r.title}: fail`,
        detail: [
          ...r.evidence,
          ...(r.command ? [`run: ${r.command}`] : []),
          ...(r.remedy ? [`fix: ${r.remedy}`] : []),
        ].join('; '),
        location: { path: input.root },
        refs: r.refs,
      });
      findings.push(...r.findings);
    }
    items.push({
      name: r.id,
      format: 'check',
      status: r.status === 'pass' ? 'clean' : r.status === 'fail' ? 'findings' : 'skipped',
      findings: r.status === 'fail' ? 1 + r.findings.length : 0,
    });
  }
  const count = (s: CheckResult['status']): number => input.results.filter((r) => r.status === s).length;
  const passed = count('pass');
  const failed = count('fail');
  const base = makeReport({
    kind: 'posture',
    subject: { name: input.root },
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    findings: findings.sort(compareFindings),
    items,
    metrics: {
      checks: input.results.length,
      pass: passed,
      fail: failed,
      unknown: count('unknown'),
      score: passed + failed ? passed / (passed + failed) : 0,
      files: input.files,
      ...Object.fromEntries(Object.entries(input.timings ?? {}).map(([k, v]) => [`ms.${k}`, v])),
    },
    failOn: input.failOn,
  });
  return {
    ...base,
    posture: {
      root: input.root,
      files: input.files,
      truncated: input.truncated,
      ...(input.gateway ? { gateway: input.gateway } : {}),
      ...(input.store ? { store: input.store } : {}),
      checks: input.results,
    },
  };
}
