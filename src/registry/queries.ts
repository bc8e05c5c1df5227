import type { Queryable } from '../core/store/index.js';
import { registryError } from './errors.js';
import type { EvidenceFacts } from './evidence.js';
import type { GateInputs } from './gate.js';
import { parseDatasetRef, parseVersionRef, type VersionRef } from './refs.js';
import type { ArtifactFile, DatasetInfo, EvidenceSummary, ModelSummary, VersionInfo } from './types.js';

/** A version row with its model's name. */
export interface VersionRow {
  id: number;
  model_id: number;
  name: string;
  version: number;
  digest: string;
  format: string;
  uri: string;
  size: number;
  file_count: number;
  signature: string | null;
  signer: string | null;
  signed_digest: string | null;
  created_at: string;
  created_by: string;
  evidence_digest: string;
  evidence_count: number;
  meta: string;
}

const VERSION_COLUMNS =
  'v.id, v.model_id, m.name, v.version, v.digest, v.format, v.uri, v.size, v.file_count, v.signature, v.signer, v.signed_digest, ' +
  'v.created_at, v.created_by, v.evidence_digest, v.evidence_count, v.meta';

/** Finds the version a reference names; REGISTRY_NOT_FOUND when there is none. */
export async function findVersion(q: Queryable, ref: string | VersionRef): Promise<VersionRow> {
  const r = typeof ref === 'string' ? parseVersionRef(ref) : ref;
  const sel = r.selector;
  let row: VersionRow | undefined;
  if (sel.kind === 'number')
    row = await q.get<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM registry_versions v JOIN registry_models m ON m.id = v.model_id ` +
        'WHERE m.name = ? AND v.version = ?',
      [r.name, sel.version],
    );
  else if (sel.kind === 'latest')
    row = await q.get<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM registry_versions v JOIN registry_models m ON m.id = v.model_id ` +
        'WHERE m.name = ? AND v.version = m.latest_version',
      [r.name],
    );
  else
    row = await q.get<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM registry_aliases a JOIN registry_versions v ON v.id = a.version_id ` +
        'JOIN registry_models m ON m.id = a.model_id WHERE m.name = ? AND a.alias = ?',
      [r.name, sel.alias],
    );
  if (!row) {
    const what =
      sel.kind === 'number'
        ? `version ${sel.version}`
        : sel.kind === 'alias'
          ? `alias "${sel.alias}"`
          : 'any version';
    throw registryError('REGISTRY_NOT_FOUND', `model "${r.name}" has no ${what}`);
  }
  return row;
}

export function versionInfo(v: VersionRow, aliases: string[], approvals: number): VersionInfo {
  return {
    ref: `${v.name}@${v.version}`,
    name: v.name,
    version: Number(v.version),
    digest: v.digest,
    format: v.format,
    uri: v.uri,
    size: Number(v.size),
    fileCount: Number(v.file_count),
    signer: v.signer,
    createdAt: v.created_at,
    createdBy: v.created_by,
    evidenceDigest: v.evidence_digest,
    evidenceCount: Number(v.evidence_count),
    approvals,
    aliases,
    meta: JSON.parse(v.meta) as Record<string, string>,
  };
}

export async function aliasesOf(q: Queryable, versionId: number): Promise<string[]> {
  const rows = await q.all<{ alias: string }>(
    'SELECT alias FROM registry_aliases WHERE version_id = ? ORDER BY alias',
    [versionId],
  );
  return rows.map((r) => r.alias);
}

async function currentApprovals(q: Queryable, v: VersionRow): Promise<number> {
  const r = await q.get<{ n: number }>(
    'SELECT COUNT(*) AS n FROM registry_approvals WHERE version_id = ? AND evidence_digest = ?',
    [v.id, v.evidence_digest],
  );
  return Number(r?.n ?? 0);
}

export async function loadVersionInfo(q: Queryable, v: VersionRow): Promise<VersionInfo> {
  return versionInfo(v, await aliasesOf(q, v.id), await currentApprovals(q, v));
}

export async function filesOf(q: Queryable, versionId: number): Promise<ArtifactFile[]> {
  const rows = await q.all<ArtifactFile>(
    'SELECT name, digest, size, format FROM registry_files WHERE version_id = ? ORDER BY name',
    [versionId],
  );
  return rows.map((f) => ({ ...f, size: Number(f.size) }));
}

interface EvidenceRow {
  id: number;
  kind: string;
  verdict: string;
  digest: string;
  facts: string;
  subject_digest: string | null;
  added_at: string;
  added_by: string;
}

export async function evidenceOf(
  q: Queryable,
  versionId: number,
  kinds?: readonly string[],
): Promise<EvidenceSummary[]> {
  const base =
    'SELECT id, kind, verdict, digest, facts, subject_digest, added_at, added_by FROM registry_evidence WHERE version_id = ?';
  const rows = kinds
    ? kinds.length === 0
      ? []
      : await q.all<EvidenceRow>(
          `${base} AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY id DESC`,
          [versionId, ...kinds],
        )
    : await q.all<EvidenceRow>(`${base} ORDER BY id DESC`, [versionId]);
  return rows.map((r) => {
    const f = JSON.parse(r.facts) as EvidenceFacts;
    return {
      id: Number(r.id),
      kind: r.kind,
      verdict: r.verdict as EvidenceSummary['verdict'],
      digest: r.digest,
      subjectDigest: r.subject_digest,
      addedAt: r.added_at,
      addedBy: r.added_by,
      metrics: f.metrics,
      labels: f.labels,
      findings: f.findings,
    };
  });
}

export async function approvalsOf(q: Queryable, versionId: number) {
  const rows = await q.all<{
    principal: string;
    role: string;
    evidence_digest: string;
    comment: string;
    created_at: string;
  }>(
    'SELECT principal, role, evidence_digest, comment, created_at FROM registry_approvals WHERE version_id = ? ORDER BY id',
    [versionId],
  );
  return rows.map((r) => ({
    principal: r.principal,
    role: r.role,
    evidenceDigest: r.evidence_digest,
    comment: r.comment,
    createdAt: r.created_at,
  }));
}

/** What a gate reads about a version: only the evidence kinds its clauses name. */
export async function gateInputs(
  q: Queryable,
  v: VersionRow,
  kinds: readonly string[] | undefined,
): Promise<GateInputs> {
  const evidence = await evidenceOf(q, v.id, kinds);
  return {
    version: {
      ref: `${v.name}@${v.version}`,
      digest: v.digest,
      createdBy: v.created_by,
      evidenceDigest: v.evidence_digest,
      signature: v.signature,
      signer: v.signer,
      signedDigest: v.signed_digest,
    },
    evidence: evidence.map((e) => ({
      id: e.id,
      kind: e.kind,
      verdict: e.verdict,
      facts: { metrics: e.metrics, labels: e.labels, findings: e.findings },
    })),
    approvals: await approvalsOf(q, v.id),
    now: new Date(),
  };
}

/** Models by name, a page at a time, with their aliases. */
export async function listModels(q: Queryable, limit: number, offset: number): Promise<ModelSummary[]> {
  const rows = await q.all<{
    id: number;
    name: string;
    version_count: number;
    latest_version: number;
    created_at: string;
    updated_at: string;
  }>(
    'SELECT id, name, version_count, latest_version, created_at, updated_at FROM registry_models ORDER BY name LIMIT ? OFFSET ?',
    [limit, offset],
  );
  if (rows.length === 0) return [];
  const aliases = await q.all<{ model_id: number; alias: string; version: number }>(
    'SELECT a.model_id, a.alias, v.version FROM registry_aliases a JOIN registry_versions v ON v.id = a.version_id ' +
      `WHERE a.model_id IN (${rows.map(() => '?').join(', ')})`,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    name: r.name,
    versions: Number(r.version_count),
    latest: Number(r.latest_version),
    aliases: Object.fromEntries(
      aliases.filter((a) => Number(a.model_id) === Number(r.id)).map((a) => [a.alias, Number(a.version)]),
    ),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

/** Versions of one model, newest first, a page at a time. */
export async function listVersions(
  q: Queryable,
  name: string,
  limit: number,
  offset: number,
): Promise<VersionInfo[]> {
  const model = await q.get<{ id: number }>('SELECT id FROM registry_models WHERE name = ?', [name]);
  if (!model) throw registryError('REGISTRY_NOT_FOUND', `no model "${name}"`);
  const rows = await q.all<VersionRow & { approvals: number }>(
    `SELECT ${VERSION_COLUMNS}, (SELECT COUNT(*) FROM registry_approvals ap ` +
      'WHERE ap.version_id = v.id AND ap.evidence_digest = v.evidence_digest) AS approvals ' +
      'FROM registry_versions v JOIN registry_models m ON m.id = v.model_id WHERE v.model_id = ? ' +
      'ORDER BY v.version DESC LIMIT ? OFFSET ?',
    [model.id, limit, offset],
  );
  const aliases = await q.all<{ alias: string; version_id: number }>(
    'SELECT alias, version_id FROM registry_aliases WHERE model_id = ? ORDER BY alias',
    [model.id],
  );
  return rows.map((r) =>
    versionInfo(
      r,
      aliases.filter((a) => Number(a.version_id) === Number(r.id)).map((a) => a.alias),
      Number(r.approvals),
    ),
  );
}

interface DatasetRow {
  id: number;
  name: string;
  digest: string;
  uri: string;
  size: number;
  format: string;
  schema_json: string | null;
  pii_json: string | null;
  created_at: string;
  created_by: string;
}

const DATASET_COLUMNS = 'id, name, digest, uri, size, format, schema_json, pii_json, created_at, created_by';

export function datasetInfo(r: DatasetRow): DatasetInfo {
  return {
    ref: `${r.name}@${r.digest}`,
    name: r.name,
    digest: r.digest,
    uri: r.uri,
    size: Number(r.size),
    format: r.format,
    schema: r.schema_json ? (JSON.parse(r.schema_json) as unknown) : null,
    pii: r.pii_json ? (JSON.parse(r.pii_json) as unknown) : null,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

/** Finds a data set by `NAME` (newest) or `NAME@sha256:PREFIX`. */
export async function findDataset(q: Queryable, ref: string): Promise<DatasetRow> {
  const r = parseDatasetRef(ref);
  const rows = r.digestPrefix
    ? await q.all<DatasetRow>(
        `SELECT ${DATASET_COLUMNS} FROM registry_datasets WHERE name = ? AND digest LIKE ? ORDER BY id DESC LIMIT 2`,
        [r.name, `${r.digestPrefix}%`],
      )
    : await q.all<DatasetRow>(
        `SELECT ${DATASET_COLUMNS} FROM registry_datasets WHERE name = ? ORDER BY id DESC LIMIT 1`,
        [r.name],
      );
  if (rows.length === 0) throw registryError('REGISTRY_NOT_FOUND', `no data set "${ref}"`);
  if (rows.length > 1)
    throw registryError('REGISTRY_REF_INVALID', `data set reference "${ref}" is ambiguous`);
  return rows[0]!;
}

export async function datasetById(q: Queryable, id: number): Promise<DatasetRow | undefined> {
  return q.get<DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM registry_datasets WHERE id = ?`, [id]);
}

export async function listDatasets(q: Queryable, limit: number, offset: number): Promise<DatasetInfo[]> {
  const rows = await q.all<DatasetRow>(
    `SELECT ${DATASET_COLUMNS} FROM registry_datasets ORDER BY name, id DESC LIMIT ? OFFSET ?`,
    [limit, offset],
  );
  return rows.map(datasetInfo);
}

export async function versionById(q: Queryable, id: number): Promise<VersionRow | undefined> {
  return q.get<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM registry_versions v JOIN registry_models m ON m.id = v.model_id WHERE v.id = ?`,
    [id],
  );
}
