import type { Finding, Refs, Severity } from '../core/index.js';
import type { DependencyScan } from './requirements.js';
import type { EvidenceFile } from './evidence.js';
import type { GatewayFacts } from './gateway-config.js';
import type { Project } from './project.js';

export const CHECK_STATUSES = ['pass', 'fail', 'unknown'] as const;
/** pass: evidence found and it is good; fail: evidence missing or bad; unknown: we were not given what decides it. */
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** The outcome of one checklist item, always with its evidence, and the command that would produce or fix it. */
export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  severity: Severity;
  /** What was found (files, lines, report kinds, config keys); never a secret value. */
  evidence: string[];
  /** A command that would produce the missing evidence or fix the failure, when one exists. */
  command?: string;
  /** What to do when no single command does it (write a document, change a config key). */
  remedy?: string;
  /** Located problems behind a failure (an unpinned requirement, a secret's line, a scanner finding...). */
  findings: Finding[];
  refs: Refs;
}

/** What the checks read: the project, and optionally a Warden evidence store and a gateway configuration. */
export interface PostureContext {
  project: Project;
  gateway?: GatewayFacts;
  /** Where gateway facts came from, or where we looked. */
  gatewayNote: string;
  /** Warden reports and other JSON evidence found in the project and the store. */
  evidence: EvidenceFile[];
  /** Trusted public keys (PEM) for signature verification. */
  publicKeys: string[];
  /** Results shared between checks (PII found in data decides whether DP is required). */
  memo: Map<string, unknown>;
  dependencies(): DependencyScan;
}

/** One item of the ML security checklist. */
export interface Check {
  id: string;
  title: string;
  /** Severity of a failure. */
  severity: Severity;
  refs: Refs;
  run: (ctx: PostureContext) => Promise<Omit<CheckResult, 'id' | 'title' | 'severity' | 'refs'>>;
}
