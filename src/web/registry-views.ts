import { atLeast, type Finding, type Report } from '../core/index.js';
import { mapFindings } from '../report/index.js';
import type {
  EvidenceSummary,
  GateResult,
  LineageGraph,
  Registry,
  VersionDetail,
} from '../registry/index.js';

/** A finding with the version and evidence it came from. */
export interface SourcedFinding extends Finding {
  ref: string;
  evidence: number;
  kind: string;
}

/** How many open findings reference one taxonomy entry. */
export interface CategoryCount {
  id: string;
  title: string;
  count: number;
}

/** The overview page: models, open findings by OWASP ML/LLM and ATLAS entry, and every gate of the latest versions. */
export interface OverviewView {
  models: { name: string; versions: number; latest: number; aliases: Record<string, number> }[];
  findings: { total: number; bySeverity: Record<string, number> };
  categories: { owaspMl: CategoryCount[]; owaspLlm: CategoryCount[]; atlas: CategoryCount[] };
  gates: GateResult[];
  evidence: { kind: string; count: number }[];
}

const MAX_MODELS = 200;
const MAX_VERSIONS = 200;

/** Every version of every model (bounded), newest first within a model. */
export async function allVersions(reg: Registry): Promise<{ name: string; refs: string[] }[]> {
  const models = await reg.listModels({ limit: MAX_MODELS });
  const out: { name: string; refs: string[] }[] = [];
  for (const m of models) {
    const versions = await reg.listVersions(m.name, { limit: MAX_VERSIONS });
    out.push({ name: m.name, refs: versions.map((v) => v.ref) });
  }
  return out;
}

/** The stored report bodies of a version's evidence of the given kinds. */
export async function reportsOf(
  reg: Registry,
  detail: { ref: string; evidence: EvidenceSummary[] },
  kinds: (kind: string) => boolean,
): Promise<{ evidence: EvidenceSummary; report: Report & Record<string, unknown> }[]> {
  const out: { evidence: EvidenceSummary; report: Report & Record<string, unknown> }[] = [];
  for (const e of detail.evidence)
    if (kinds(e.kind))
      out.push({
        evidence: e,
        report: (await reg.evidenceReport(detail.ref, e.id)) as Report & Record<string, unknown>,
      });
  return out;
}

/** Findings of every evidence report of `refs` at `min` severity or above. */
export async function findingsOf(
  reg: Registry,
  refs: string[],
  min: Finding['severity'],
): Promise<SourcedFinding[]> {
  const out: SourcedFinding[] = [];
  for (const ref of refs) {
    const d = await reg.show(ref);
    for (const { evidence, report } of await reportsOf(reg, d, () => true))
      for (const f of report.findings)
        if (atLeast(f.severity, min))
          out.push({ ...f, ref: d.ref, evidence: evidence.id, kind: evidence.kind });
  }
  return out;
}

const counts = (rows: { id: string; title: string; findings: Finding[] }[]): CategoryCount[] =>
  rows.map((r) => ({ id: r.id, title: r.title, count: r.findings.length }));

export async function overviewView(reg: Registry): Promise<OverviewView> {
  const models = await reg.listModels({ limit: MAX_MODELS });
  const latest = models.map((m) => `${m.name}@${m.latest}`);
  const gates: GateResult[] = [];
  const kinds = new Map<string, number>();
  for (const ref of latest) {
    const d = await reg.show(ref);
    gates.push(...d.gates);
    for (const e of d.evidence) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
  }
  // and the gate of each alias on the version it points at (production may lag behind the latest)
  for (const m of models)
    for (const [alias, version] of Object.entries(m.aliases))
      if (version !== m.latest) gates.push(await reg.checkGate(`${m.name}@${version}`, alias));
  // "open" findings: what the latest version of each model still carries above info level
  const open = await findingsOf(reg, latest, 'low');
  const bySeverity: Record<string, number> = {};
  for (const f of open) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  const mapped = mapFindings(open);
  return {
    models: models.map((m) => ({ name: m.name, versions: m.versions, latest: m.latest, aliases: m.aliases })),
    findings: { total: open.length, bySeverity },
    categories: {
      owaspMl: counts(mapped.owaspMl),
      owaspLlm: counts(mapped.owaspLlm),
      atlas: counts(mapped.atlas),
    },
    gates,
    evidence: [...kinds]
      .map(([kind, count]) => ({ kind, count }))
      .sort((a, b) => a.kind.localeCompare(b.kind)),
  };
}

/** The models page: every model with its versions, and one version in detail with its lineage. */
export interface ModelsView {
  models: {
    name: string;
    versions: { ref: string; version: number; aliases: string[]; approvals: number; createdAt: string }[];
  }[];
  selected: (VersionDetail & { lineage: LineageGraph }) | null;
}

export async function modelsView(reg: Registry, ref: string | undefined): Promise<ModelsView> {
  const models: ModelsView['models'] = [];
  for (const m of await reg.listModels({ limit: MAX_MODELS })) {
    const versions = await reg.listVersions(m.name, { limit: MAX_VERSIONS });
    models.push({
      name: m.name,
      versions: versions.map((v) => ({
        ref: v.ref,
        version: v.version,
        aliases: v.aliases,
        approvals: v.approvals,
        createdAt: v.createdAt,
      })),
    });
  }
  const pick = ref ?? models[0]?.versions[0]?.ref;
  if (!pick) return { models, selected: null };
  const detail = await reg.show(pick);
  // the bundle is long and says nothing at a glance; the signer is kept
  return {
    models,
    selected: {
      ...detail,
      signature: detail.signature ? '(bundle stored)' : null,
      lineage: await reg.lineage(pick),
    },
  };
}

/** The scans page: findings of every scan report, with file, archive member and byte offset. */
export interface ScansView {
  scans: { ref: string; evidence: number; verdict: string; addedAt: string; items: Report['items'] }[];
  findings: (SourcedFinding & { file: string | null; member: string | null; offset: number | null })[];
}

export async function scansView(reg: Registry): Promise<ScansView> {
  const view: ScansView = { scans: [], findings: [] };
  for (const m of await allVersions(reg))
    for (const ref of m.refs) {
      const d = await reg.show(ref);
      for (const { evidence, report } of await reportsOf(reg, d, (k) => k === 'scan')) {
        view.scans.push({
          ref: d.ref,
          evidence: evidence.id,
          verdict: report.verdict,
          addedAt: evidence.addedAt,
          items: report.items,
        });
        for (const f of report.findings)
          view.findings.push({
            ...f,
            ref: d.ref,
            evidence: evidence.id,
            kind: evidence.kind,
            file: f.location?.path ?? null,
            member: f.location?.member ?? null,
            offset: f.location?.offset ?? null,
          });
      }
    }
  return view;
}
