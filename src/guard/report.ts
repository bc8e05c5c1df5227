import {
  atLeast,
  compareFindings,
  makeReport,
  type Finding,
  type Refs,
  type Report,
  type ReportItem,
  type Severity,
} from '../core/index.js';
import type { GuardFinding, GuardResult } from './types.js';

/**
 * Taxonomy references of guard findings, by detector name (OWASP Top 10 for LLM Applications 2025, MITRE
 * ATLAS). Kept here until they move into core REFS.
 */
export const GUARD_REFS: Record<string, Refs> = {
  prompt_injection: { owasp: ['LLM01:2025'], atlas: ['AML.T0051'] },
  jailbreak: { owasp: ['LLM01:2025'], atlas: ['AML.T0054'] },
  encoded_payload: { owasp: ['LLM01:2025'], atlas: ['AML.T0051'] },
  invisible_unicode: { owasp: ['LLM01:2025'], atlas: ['AML.T0051'] },
  pii: { owasp: ['LLM02:2025'], atlas: ['AML.T0057'], cwe: ['CWE-359'] },
  secrets: { owasp: ['LLM02:2025'], atlas: ['AML.T0057'], cwe: ['CWE-200'] },
  canary: { owasp: ['LLM07:2025'], atlas: ['AML.T0057'] },
  urls: { owasp: ['LLM05:2025'], atlas: ['AML.T0057'] },
  length: { owasp: ['LLM10:2025'], cwe: ['CWE-400'] },
};

// Output-side findings of input-side risks are improper output handling rather than injection.
const OUTPUT_REFS: Record<string, Refs> = {
  invisible_unicode: { owasp: ['LLM05:2025'] },
};

/** Refs of one finding: per detector, with output-side overrides; unknown detectors get none. */
export function guardRefs(f: Pick<GuardFinding, 'detector' | 'direction'>): Refs {
  return (f.direction === 'output' ? OUTPUT_REFS[f.detector] : undefined) ?? GUARD_REFS[f.detector] ?? {};
}

/**
 * Report severity of a guard finding. A blocking action is at least `high` and any other action at most
 * `medium`, so a report's verdict at fail-on `high` is exactly the guard's `flagged`.
 */
export function reportSeverity(f: Pick<GuardFinding, 'severity' | 'action'>): Severity {
  if (f.action === 'block') return atLeast(f.severity, 'high') ? f.severity : 'high';
  return atLeast(f.severity, 'medium') ? 'medium' : f.severity;
}

/** Converts one scanned text's findings; `text` (when given) supplies line numbers. */
export function guardFindings(result: GuardResult, name: string, text?: string): Finding[] {
  return result.findings.map((f) => {
    const type = f.type.toLowerCase();
    const id =
      type === f.detector || type.startsWith(`${f.detector.replace(/s$/, '')}.`)
        ? type
        : `${f.detector}.${type}`;
    const span = `characters ${f.start}-${f.end}`;
    const score = Math.round(f.score * 1e4) / 1e4;
    const finding: Finding = {
      id: `guard.${id}`,
      detector: `guard.${f.detector}`,
      severity: reportSeverity(f),
      title: `${f.type} (${f.direction}, ${f.action})`,
      detail: `${span}, score ${score}${f.detail ? `: ${f.detail}` : ''}`,
      location: { path: name },
      refs: guardRefs(f),
    };
    if (text !== undefined) finding.location = { path: name, line: lineAt(text, f.start) };
    return finding;
  });
}

/** One scanned text for `guardReport`. */
export interface GuardReportEntry {
  name: string;
  result: GuardResult;
  text?: string;
}

/** A core Report of kind `guard` over one or more texts, so every renderer (table, json, sarif, markdown) works. */
export function guardReport(entries: GuardReportEntry[], startedAt: Date, subject?: string): Report {
  const findings: Finding[] = [];
  const items: ReportItem[] = [];
  const metrics: Record<string, number> = { texts: entries.length, flagged: 0 };
  for (const { name, result, text } of entries) {
    const fs = guardFindings(result, name, text);
    findings.push(...fs);
    if (result.flagged) metrics.flagged = (metrics.flagged ?? 0) + 1;
    items.push({
      name,
      format: 'text',
      ...(text !== undefined ? { size: text.length } : {}),
      status: fs.length ? 'findings' : 'clean',
      findings: fs.length,
    });
    for (const [detector, us] of Object.entries(result.timings))
      metrics[`us.${detector}`] = (metrics[`us.${detector}`] ?? 0) + us;
  }
  findings.sort(compareFindings);
  return makeReport({
    kind: 'guard',
    subject: { name: subject ?? entries[0]?.name ?? '<none>' },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    findings,
    items,
    metrics,
    failOn: 'high',
  });
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
