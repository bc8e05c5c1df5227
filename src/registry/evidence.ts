import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SEVERITIES, SeveritySchema, atLeast, type Report, type Severity } from '../core/index.js';
import { jsonDepth } from '../core/http.js';
import { registryError } from './errors.js';
import { EVIDENCE_ADAPTERS } from './adapters.js';

/** Largest evidence report the registry stores (bytes of JSON). */
export const MAX_EVIDENCE_BYTES = 8 * 1024 * 1024;
/** Deepest JSON nesting accepted in an evidence report. */
export const MAX_EVIDENCE_DEPTH = 64;

// Dotted kinds (privacy.dp-training, privacy.membership-audit) are accepted and stored with dashes, since
// the gate language uses the dot between kind and field: `privacy-dp-training.epsilon <= 8`.
const KIND = /^[a-z][a-z0-9_.-]{0,63}$/;
const short = (n: number) => z.string().max(n);

const FindingSchema = z.looseObject({
  id: short(512),
  detector: short(256),
  severity: SeveritySchema,
  title: short(4096),
  detail: short(1 << 16),
});

/** A Warden `Report` as the registry accepts it: the core fields checked, extra fields kept. */
export const ReportSchema = z.looseObject({
  kind: z.string().regex(KIND, 'kind must be a lowercase word such as scan, verify, attack, dp, fairness'),
  subject: z.looseObject({ name: short(4096), digest: short(128).optional() }),
  tool: z.looseObject({ name: z.literal('warden'), version: short(64) }),
  startedAt: short(64),
  finishedAt: short(64),
  findings: z.array(FindingSchema).max(100_000),
  items: z.array(z.looseObject({ name: short(4096) })).max(1_000_000),
  metrics: z.record(short(256), z.number().refine(Number.isFinite, 'metrics must be finite numbers')),
  verdict: z.enum(['pass', 'fail', 'error']),
  failOn: SeveritySchema,
  labels: z.record(short(256), short(1024)).optional(),
});

/** What the gate language reads from one piece of evidence, kept beside it so gates never parse a report. */
export interface EvidenceFacts {
  metrics: Record<string, number>;
  /** String facts: the attack name, the signer of a verify report, the report's subject... */
  labels: Record<string, string>;
  /** Findings at or above each severity, and in total. */
  findings: Record<Severity | 'total', number>;
}

/** A report checked and reduced to what the registry stores and evaluates. */
export interface NormalizedEvidence {
  report: Report;
  kind: string;
  verdict: Report['verdict'];
  facts: EvidenceFacts;
  /** `sha256:` of the canonical JSON of the input as given: the same report added twice is one piece of evidence. */
  digest: string;
  /** The report's own subject digest, normalised to `sha256:HEX`, when it names one. */
  subjectDigest?: string;
  /** Adapter that read the input (`report` for a Warden report). */
  adapter: string;
}

/** Reads other JSON outputs of Warden commands (e.g. `warden attack --json`) as a Report. */
export interface EvidenceAdapter {
  name: string;
  matches(v: Record<string, unknown>): boolean;
  toReport(v: Record<string, unknown>): Report;
}

/** JSON with object keys sorted, so equal reports hash equal whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export const sha256 = (s: string | Buffer): string =>
  `sha256:${createHash('sha256').update(s).digest('hex')}`;

/** Parses evidence text within the size and depth bounds; only typed errors escape. */
export function parseEvidenceText(text: string): NormalizedEvidence {
  if (Buffer.byteLength(text) > MAX_EVIDENCE_BYTES)
    throw registryError('REGISTRY_EVIDENCE_TOO_LARGE', `evidence is larger than ${MAX_EVIDENCE_BYTES} bytes`);
  if (jsonDepth(text) > MAX_EVIDENCE_DEPTH)
    throw registryError(
      'REGISTRY_EVIDENCE_INVALID',
      `evidence JSON is nested deeper than ${MAX_EVIDENCE_DEPTH}`,
    );
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw registryError('REGISTRY_EVIDENCE_INVALID', `evidence is not JSON: ${(e as Error).message}`);
  }
  return normalizeEvidence(v);
}

/** Checks an evidence value (a Warden Report, or an output an adapter reads) and extracts its facts. */
export function normalizeEvidence(v: unknown): NormalizedEvidence {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw registryError('REGISTRY_EVIDENCE_INVALID', 'evidence must be a JSON object (a Warden report)');
  const canonical = canonicalJson(v);
  if (Buffer.byteLength(canonical) > MAX_EVIDENCE_BYTES)
    throw registryError('REGISTRY_EVIDENCE_TOO_LARGE', `evidence is larger than ${MAX_EVIDENCE_BYTES} bytes`);
  const obj = v as Record<string, unknown>;
  const adapter = 'kind' in obj ? undefined : EVIDENCE_ADAPTERS.find((a) => a.matches(obj));
  const raw = adapter ? adapter.toReport(obj) : obj;
  const parsed = ReportSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(report)'}: ${i.message}`)
      .join('; ');
    throw registryError('REGISTRY_EVIDENCE_INVALID', `evidence is not a Warden report: ${why}`);
  }
  const report = parsed.data as unknown as Report & { labels?: Record<string, string> };
  const subjectDigest = report.subject.digest ? normalizeDigest(report.subject.digest) : undefined;
  return {
    report,
    kind: report.kind.replace(/\./g, '-'),
    verdict: report.verdict,
    facts: factsOf(report),
    digest: sha256(canonical),
    ...(subjectDigest ? { subjectDigest } : {}),
    adapter: adapter?.name ?? 'report',
  };
}

function normalizeDigest(d: string): string {
  const m = /^(?:sha256:)?([0-9a-fA-F]{64})$/i.exec(d);
  if (!m) throw registryError('REGISTRY_EVIDENCE_INVALID', `subject digest "${d}" is not sha256:HEX`);
  return `sha256:${m[1]!.toLowerCase()}`;
}

function factsOf(r: Report & { labels?: Record<string, string>; verification?: unknown }): EvidenceFacts {
  const labels: Record<string, string> = { subject: r.subject.name.slice(0, 1024) };
  const ver = r.verification as Record<string, unknown> | undefined;
  if (ver && typeof ver === 'object')
    for (const k of ['signer', 'material', 'modelName', 'rootDigest'] as const)
      if (typeof ver[k] === 'string') labels[k] = ver[k].slice(0, 1024);
  if (ver && typeof ver.verified === 'boolean') labels.verified = String(ver.verified);
  Object.assign(labels, r.labels ?? {});
  const findings = { total: r.findings.length } as EvidenceFacts['findings'];
  for (const s of SEVERITIES) findings[s] = r.findings.filter((f) => atLeast(f.severity, s)).length;
  return { metrics: { ...r.metrics }, labels, findings };
}
