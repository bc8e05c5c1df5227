import type { Report } from '../core/index.js';

/** The report as evidence: stable JSON that the registry stores and other tools read. */
export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
