import { join } from 'node:path';
import type { Finding, Refs, Severity } from '../../core/index.js';
import type { ProjectFile } from '../project.js';
import type { CheckResult, PostureContext } from '../types.js';

export type CheckOutcome = Omit<CheckResult, 'id' | 'title' | 'severity' | 'refs'>;

export const pass = (evidence: string[], extra: Partial<CheckOutcome> = {}): CheckOutcome => ({
  status: 'pass',
  evidence,
  findings: [],
  ...extra,
});
export const fail = (evidence: string[], extra: Partial<CheckOutcome> = {}): CheckOutcome => ({
  status: 'fail',
  evidence,
  findings: [],
  ...extra,
});
export const unknown = (evidence: string[], extra: Partial<CheckOutcome> = {}): CheckOutcome => ({
  status: 'unknown',
  evidence,
  findings: [],
  ...extra,
});

/** A located finding inside the project (its path joined to the root, so SARIF consumers can open it). */
export function located(
  ctx: PostureContext,
  check: string,
  o: {
    id: string;
    severity: Severity;
    title: string;
    detail: string;
    file: string;
    line?: number;
    refs: Refs;
  },
): Finding {
  return {
    id: `posture.${check}.${o.id}`,
    detector: `posture.${check}`,
    severity: o.severity,
    title: o.title,
    detail: o.detail,
    location: { path: join(ctx.project.root, o.file), ...(o.line !== undefined ? { line: o.line } : {}) },
    refs: o.refs,
  };
}

const kb = (n: number): string => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);
export const describeFile = (f: ProjectFile): string => `${f.rel} (${kb(f.size)})`;

/** Markdown and text documents of the project, for heading and wording searches (bounded). */
export function documents(ctx: PostureContext, max = 300): ProjectFile[] {
  return ctx.project.find(/\.(md|markdown|txt|rst|adoc)$/i).slice(0, max);
}

/** Lines of a text matching a pattern, as `file:line: text` evidence (at most `max`). */
export function grepLines(text: string, re: RegExp, file: string, max = 3): string[] {
  const out: string[] = [];
  text.split('\n').forEach((l, i) => {
    if (out.length < max && re.test(l)) out.push(`${file}:${i + 1}: ${l.trim().slice(0, 120)}`);
  });
  return out;
}
