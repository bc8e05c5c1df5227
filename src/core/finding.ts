import { z } from 'zod';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function atLeast(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

/** Where in an artifact a finding was made: file, archive member, byte offset. */
export interface Location {
  path?: string;
  member?: string;
  offset?: number;
  line?: number;
}

/** References into public taxonomies (OWASP ML/LLM Top 10, MITRE ATLAS, CWE). */
export interface Refs {
  owasp?: string[];
  atlas?: string[];
  cwe?: string[];
}

/** One observation of a check; findings are data, never exceptions. */
export interface Finding {
  id: string;
  detector: string;
  severity: Severity;
  title: string;
  detail: string;
  location?: Location;
  refs: Refs;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (a.location?.path ?? '').localeCompare(b.location?.path ?? '') ||
    (a.location?.offset ?? 0) - (b.location?.offset ?? 0)
  );
}
