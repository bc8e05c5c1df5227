import {
  compareFindings,
  makeReport,
  severityRank,
  type Finding,
  type Report,
  type Severity,
} from '../core/index.js';
import type { ApprovalInfo, GateResult, Registry, VersionDetail } from '../registry/index.js';
import { findingRefs, kindMapping, mapRefs, nistFunction, type Mapped } from './mapping.js';
import {
  ATLAS_TECHNIQUES,
  NIST_AI_RMF,
  OWASP_LLM_2025,
  OWASP_ML_2023,
  type StandardEntry,
} from './standards.js';

/** Evidence pieces read per report (newest first); more is a registry that needs a narrower report. */
export const MAX_REPORT_EVIDENCE = 1000;
/** Findings kept in one model report; the counts still cover all of them. */
export const MAX_REPORT_FINDINGS = 20_000;

/** One piece of evidence as the model report lists it. */
export interface EvidenceEntry {
  id: number;
  kind: string;
  area: string;
  verdict: Report['verdict'];
  subject: string;
  digest: string;
  addedAt: string;
  addedBy: string;
  findings: number;
  mapping: Mapped;
}

/** A finding with the evidence it came from and its place in every taxonomy. */
export interface MappedFinding extends Finding {
  evidenceId: number | null;
  kind: string;
  mapping: Mapped;
}

/** One metric of one piece of evidence, mapped through its evidence kind. */
export interface MetricRow {
  evidenceId: number;
  kind: string;
  name: string;
  value: number;
  mapping: Mapped;
}

/** A control the version's metadata shows (signature, lineage, approvals, a gate), mapped like a finding. */
export interface ControlRow {
  control: string;
  status: 'pass' | 'fail' | 'info';
  detail: string;
  mapping: Mapped;
}

/** One catalog entry and how much of the report lands on it. */
export interface CoverageRow extends StandardEntry {
  findings: number;
  worst: Severity | null;
  metrics: number;
  controls: number;
}

/** Everything the registry knows about one model version, mapped to OWASP, ATLAS and NIST AI RMF. */
export interface ModelReport {
  requested: string;
  version: Omit<VersionDetail, 'evidence' | 'approvalList' | 'gates' | 'signature'> & { signed: boolean };
  approvals: ApprovalInfo[];
  gates: GateResult[];
  evidence: EvidenceEntry[];
  findings: MappedFinding[];
  findingsTruncated: boolean;
  /** Evidence pieces left out because the version holds more than MAX_REPORT_EVIDENCE (the oldest go). */
  evidenceOmitted: number;
  metrics: MetricRow[];
  controls: ControlRow[];
  coverage: Record<'owaspMl' | 'owaspLlm' | 'atlas' | 'nist', CoverageRow[]>;
  /** The findings as one Warden report (kind `model`), for SARIF and other report consumers. */
  report: Report;
}

function controlsOf(v: VersionDetail): { controls: ControlRow[]; findings: MappedFinding[] } {
  const controls: ControlRow[] = [];
  const findings: MappedFinding[] = [];
  const supply = mapRefs({ owasp: ['ML06:2023', 'LLM03:2025'], atlas: ['AML.T0010'] });
  controls.push({
    control: 'signature',
    status: v.signer ? 'pass' : 'fail',
    detail: v.signer ? `verified at registration: ${v.signer}` : 'the version was registered unsigned',
    mapping: supply,
  });
  if (!v.signer)
    findings.push({
      id: 'model.unsigned',
      detector: 'registry',
      severity: 'medium',
      title: `${v.ref} is not signed`,
      detail:
        'Nothing binds the registered files to who produced them; sign with `warden sign` and re-register.',
      refs: { owasp: ['ML06:2023', 'LLM03:2025'], atlas: ['AML.T0010'] },
      evidenceId: null,
      kind: 'registry',
      mapping: supply,
    });
  controls.push({
    control: 'lineage',
    status: v.parents.length ? 'pass' : 'info',
    detail: v.parents.length
      ? v.parents.map((p) => `${p.relation} ${p.ref}`).join(', ')
      : 'no parent version or data set recorded',
    mapping: mapRefs({ owasp: ['ML02:2023', 'LLM04:2025'] }, ['MAP 4.1', 'GOVERN 6.1']),
  });
  const current = v.approvalList.filter((a) => a.current);
  controls.push({
    control: 'approvals',
    status: current.length ? 'pass' : 'info',
    detail: `${current.length} current approval(s)${current.length ? `: ${current.map((a) => `${a.principal} (${a.role})`).join(', ')}` : ''}; ${v.approvalList.length - current.length} expired by newer evidence`,
    mapping: mapRefs({}, ['GOVERN 2.1', 'MANAGE 1.1']),
  });
  for (const g of v.gates) {
    const held = v.aliases.includes(g.alias);
    const gateMap = mapRefs({}, ['MANAGE 1.1', 'MANAGE 2.4']);
    controls.push({
      control: `gate ${g.alias}`,
      status: g.passed ? 'pass' : held ? 'fail' : 'info',
      detail: g.passed
        ? `passes (${g.clauses.length} clause(s))${held ? ', alias held' : ''}`
        : `unmet: ${g.unmet.map((c) => `${c.clause} (${c.detail})`).join('; ')}`,
      mapping: gateMap,
    });
    if (held && !g.passed)
      findings.push({
        id: 'model.gate-failed',
        detector: 'registry',
        severity: 'high',
        title: `${v.ref} holds alias ${g.alias} but its gate fails`,
        detail: `The gateway refuses to serve it through ${g.alias}: ${g.unmet.map((c) => c.clause).join('; ')}`,
        refs: {},
        evidenceId: null,
        kind: 'registry',
        mapping: gateMap,
      });
  }
  return { controls, findings };
}

function coverage(
  catalog: readonly StandardEntry[],
  findings: readonly MappedFinding[],
  metrics: readonly MetricRow[],
  controls: readonly ControlRow[],
  ids: (m: Mapped) => string[],
): CoverageRow[] {
  return catalog.map((e) => {
    const hit = (m: Mapped) => ids(m).includes(e.id);
    const fs = findings.filter((f) => hit(f.mapping));
    const worst = fs.reduce<Severity | null>(
      (w, f) => (w && severityRank(w) >= severityRank(f.severity) ? w : f.severity),
      null,
    );
    return {
      ...e,
      findings: fs.length,
      worst,
      metrics: metrics.filter((m) => hit(m.mapping)).length,
      controls: controls.filter((c) => hit(c.mapping)).length,
    };
  });
}

// NIST rows: a function row (GOVERN) counts everything under it; a subcategory row counts exact hits.
const nistIds = (m: Mapped): string[] => [...new Set([...m.nist, ...m.nist.map(nistFunction)])];

/**
 * Gathers a version's metadata and every evidence report the registry holds for it into one report, each
 * finding, metric and control mapped to OWASP ML Top 10 (2023), OWASP LLM Top 10 (2025), MITRE ATLAS and
 * NIST AI RMF. `ref` is NAME@N or NAME@ALIAS; an unknown one throws the registry's REGISTRY_NOT_FOUND.
 */
export async function buildModelReport(
  reg: Pick<Registry, 'show' | 'evidenceReport'>,
  ref: string,
  now: Date = new Date(),
): Promise<ModelReport> {
  const v = await reg.show(ref);
  const pieces = [...v.evidence].sort((a, b) => b.id - a.id).slice(0, MAX_REPORT_EVIDENCE);
  const { controls, findings } = controlsOf(v);
  const evidence: EvidenceEntry[] = [];
  const metrics: MetricRow[] = [];
  for (const e of pieces) {
    const body = (await reg.evidenceReport(v.ref, e.id)) as Partial<Report>;
    const km = kindMapping(e.kind);
    const mapping = mapRefs(km.refs, km.nist);
    const fs = Array.isArray(body.findings) ? body.findings : [];
    evidence.push({
      id: e.id,
      kind: e.kind,
      area: km.area,
      verdict: e.verdict,
      subject: body.subject?.name ?? e.labels.subject ?? '',
      digest: e.digest,
      addedAt: e.addedAt,
      addedBy: e.addedBy,
      findings: fs.length,
      mapping,
    });
    for (const f of fs) {
      const refs = findingRefs(f.refs ?? {}, e.kind);
      findings.push({ ...f, refs, evidenceId: e.id, kind: e.kind, mapping: mapRefs(refs, km.nist) });
    }
    for (const [name, value] of Object.entries(e.metrics))
      metrics.push({ evidenceId: e.id, kind: e.kind, name, value, mapping });
  }
  findings.sort(compareFindings);
  const kept = findings.slice(0, MAX_REPORT_FINDINGS);
  const at = now.toISOString();
  // The newest value of each kind's metrics, flattened, so report consumers see one number per fact.
  const flat: Record<string, number> = {};
  for (const m of metrics) flat[`${m.kind}.${m.name}`] ??= m.value;
  const report = makeReport({
    kind: 'model',
    subject: { name: v.ref, digest: v.digest },
    startedAt: at,
    finishedAt: at,
    findings: kept.map(({ evidenceId: _e, kind: _k, mapping: _m, ...f }) => f),
    items: [],
    metrics: flat,
    failOn: 'high',
  });
  const { evidence: _ev, approvalList, gates, signature, ...version } = v satisfies VersionDetail;
  const all = [findings, metrics, controls] as const;
  return {
    requested: ref,
    version: { ...version, signed: signature !== null },
    approvals: approvalList,
    gates,
    evidence,
    findings: kept,
    findingsTruncated: kept.length < findings.length,
    evidenceOmitted: v.evidence.length - pieces.length,
    metrics,
    controls,
    coverage: {
      owaspMl: coverage(OWASP_ML_2023, ...all, (m) => m.owasp),
      owaspLlm: coverage(OWASP_LLM_2025, ...all, (m) => m.owasp),
      atlas: coverage(ATLAS_TECHNIQUES, ...all, (m) => m.atlas),
      nist: coverage(NIST_AI_RMF, ...all, nistIds),
    },
    report,
  };
}
