import { z } from 'zod';
import { parseBundle, parseStatement, rootDigest } from '../artifacts/index.js';
import type { Queryable } from '../core/store/index.js';
import { appendAudit } from './audit.js';
import { registryError } from './errors.js';
import { sha256 } from './evidence.js';
import * as Q from './queries.js';
import { checkName } from './refs.js';
import {
  DATASET_RELATIONS,
  VERSION_RELATIONS,
  type ArtifactFile,
  type DatasetInfo,
  type LineageRelation,
  type NewDataset,
  type NewVersion,
  type VersionInfo,
} from './types.js';

// Registration writes: versions with their files and lineage, data sets, lineage edges. Each runs inside
// the caller's transaction (the Registry holds the registry lock around it) and appends its audit record.

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: and 64 lowercase hex digits');
const Meta = z
  .record(z.string().max(128), z.string().max(4096))
  .refine((m) => Object.keys(m).length <= 64, 'at most 64 entries');
const NewVersionSchema = z.strictObject({
  name: z.string(),
  digest: Digest,
  format: z.string().min(1).max(64),
  uri: z.string().min(1).max(4096),
  files: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(4096),
        digest: Digest,
        size: z.number().int().min(0),
        format: z.string().max(64),
      }),
    )
    .min(1)
    .max(100_000),
  signature: z
    .strictObject({
      bundle: z
        .string()
        .min(1)
        .max(1 << 20),
      signer: z.string().min(1).max(4096),
      digest: Digest,
    })
    .optional(),
  meta: Meta.optional(),
  parents: z
    .array(z.strictObject({ ref: z.string(), relation: z.enum(VERSION_RELATIONS) }))
    .max(64)
    .optional(),
  datasets: z
    .array(z.strictObject({ ref: z.string(), relation: z.enum(DATASET_RELATIONS) }))
    .max(64)
    .optional(),
});
const NewDatasetSchema = z.strictObject({
  name: z.string(),
  digest: Digest,
  uri: z.string().min(1).max(4096),
  size: z.number().int().min(0),
  format: z.string().min(1).max(64),
  schema: z.unknown().optional(),
  pii: z.unknown().optional(),
});

function validate<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
  throw registryError('REGISTRY_REF_INVALID', `${what}: ${why}`);
}

/** Validates a version to register; the signature claim must cover the digest it is recorded with. */
export function checkNewVersion(input: unknown): NewVersion {
  const v = validate(NewVersionSchema, input, 'version');
  checkName(v.name);
  if (v.signature) checkBundleCovers(v.signature.bundle, v.signature.digest);
  return v;
}

/** The transaction body of `Registry.registerVersion` (see there). */
export async function insertVersion(tx: Queryable, v: NewVersion, actor: string): Promise<VersionInfo> {
  const now = new Date().toISOString();
  let model = await tx.get<{ id: number; latest_version: number }>(
    'SELECT id, latest_version FROM registry_models WHERE name = ?',
    [v.name],
  );
  if (!model) {
    model = await tx.get<{ id: number; latest_version: number }>(
      'INSERT INTO registry_models (name, created_at, created_by, updated_at) VALUES (?, ?, ?, ?) RETURNING id, latest_version',
      [v.name, now, actor, now],
    );
    await appendAudit(tx, { actor, action: 'model.create', subject: v.name, detail: {} });
  }
  const modelId = Number(model!.id);
  const dup = await tx.get<{ version: number }>(
    'SELECT version FROM registry_versions WHERE model_id = ? AND digest = ?',
    [modelId, v.digest],
  );
  if (dup)
    throw registryError(
      'REGISTRY_DUPLICATE',
      `${v.digest} is already registered as ${v.name}@${dup.version}`,
    );
  const number = Number(model!.latest_version) + 1;
  const row = await tx.get<{ id: number }>(
    'INSERT INTO registry_versions (model_id, version, digest, format, uri, size, file_count, signature, signer, ' +
      'signed_digest, created_at, created_by, evidence_digest, evidence_count, meta) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING id',
    [
      modelId,
      number,
      v.digest,
      v.format,
      v.uri,
      v.files.reduce((a, f) => a + f.size, 0),
      v.files.length,
      v.signature?.bundle ?? null,
      v.signature?.signer ?? null,
      v.signature?.digest ?? null,
      now,
      actor,
      sha256(`evidence\n${v.digest}`),
      JSON.stringify(v.meta ?? {}),
    ],
  );
  const id = Number(row!.id);
  await insertFiles(tx, id, v.files);
  await tx.run(
    'UPDATE registry_models SET latest_version = ?, version_count = version_count + 1, updated_at = ? WHERE id = ?',
    [number, now, modelId],
  );
  const links: { relation: LineageRelation; to: string }[] = [];
  for (const p of v.parents ?? []) {
    const parent = await Q.findVersion(tx, p.ref);
    await insertEdge(tx, id, p.relation, 'version', parent.id, now, actor);
    links.push({ relation: p.relation, to: `${parent.name}@${parent.version}` });
  }
  for (const d of v.datasets ?? []) {
    const ds = await Q.findDataset(tx, d.ref);
    await insertEdge(tx, id, d.relation, 'dataset', ds.id, now, actor);
    links.push({ relation: d.relation, to: `dataset:${ds.name}@${ds.digest}` });
  }
  await appendAudit(tx, {
    actor,
    action: 'version.register',
    subject: `${v.name}@${number}`,
    detail: {
      digest: v.digest,
      format: v.format,
      uri: v.uri,
      files: v.files.length,
      signer: v.signature?.signer ?? null,
      lineage: links,
    },
  });
  return Q.loadVersionInfo(tx, (await Q.versionById(tx, id))!);
}

export function checkNewDataset(input: unknown): NewDataset {
  const d = validate(NewDatasetSchema, input, 'data set');
  checkName(d.name, 'data set name');
  return d;
}

/** The transaction body of `Registry.registerDataset` (see there). */
export async function insertDataset(
  tx: Queryable,
  d: NewDataset,
  actor: string,
): Promise<{ dataset: DatasetInfo; created: boolean }> {
  const existing = await tx.get<{ id: number }>(
    'SELECT id FROM registry_datasets WHERE name = ? AND digest = ?',
    [d.name, d.digest],
  );
  if (existing) return { dataset: Q.datasetInfo((await Q.datasetById(tx, existing.id))!), created: false };
  const now = new Date().toISOString();
  const row = await tx.get<{ id: number }>(
    'INSERT INTO registry_datasets (name, digest, uri, size, format, schema_json, pii_json, created_at, created_by) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [
      d.name,
      d.digest,
      d.uri,
      d.size,
      d.format,
      d.schema === undefined ? null : JSON.stringify(d.schema),
      d.pii === undefined ? null : JSON.stringify(d.pii),
      now,
      actor,
    ],
  );
  await appendAudit(tx, {
    actor,
    action: 'dataset.register',
    subject: `dataset:${d.name}`,
    detail: { digest: d.digest, uri: d.uri, size: d.size, format: d.format, pii: d.pii ?? null },
  });
  return { dataset: Q.datasetInfo((await Q.datasetById(tx, Number(row!.id)))!), created: true };
}

/** The transaction body of `Registry.link` (see there). */
export async function insertLink(
  tx: Queryable,
  src: string,
  relation: LineageRelation,
  dst: string,
  actor: string,
): Promise<{ created: boolean }> {
  const from = await Q.findVersion(tx, src);
  const now = new Date().toISOString();
  let to: { kind: 'version' | 'dataset'; id: number; label: string };
  if ((VERSION_RELATIONS as readonly string[]).includes(relation)) {
    const v = await Q.findVersion(tx, dst);
    if (v.id === from.id || (await reaches(tx, v.id, from.id)))
      throw registryError('REGISTRY_REF_INVALID', `${src} ${relation} ${dst} would make a lineage cycle`);
    to = { kind: 'version', id: v.id, label: `${v.name}@${v.version}` };
  } else if ((DATASET_RELATIONS as readonly string[]).includes(relation)) {
    const d = await Q.findDataset(tx, dst);
    to = { kind: 'dataset', id: d.id, label: `dataset:${d.name}@${d.digest}` };
  } else throw registryError('REGISTRY_REF_INVALID', `unknown lineage relation "${relation}"`);
  const created = await insertEdge(tx, from.id, relation, to.kind, to.id, now, actor);
  if (created)
    await appendAudit(tx, {
      actor,
      action: 'lineage.add',
      subject: `${from.name}@${from.version}`,
      detail: { relation, to: to.label },
    });
  return { created };
}

// The bundle must be an OMS bundle whose statement covers the digest it is recorded with (its signature was
// verified against the files by the caller; here only the claim is matched).
function checkBundleCovers(bundle: string, digest: string): void {
  let signed: string;
  try {
    const payload = Buffer.from(parseBundle(bundle).bundle.dsseEnvelope.payload, 'base64');
    signed = `sha256:${rootDigest(parseStatement(payload).resources)}`;
  } catch (e) {
    throw registryError(
      'REGISTRY_SIGNATURE_INVALID',
      `signature bundle is not readable: ${(e as Error).message}`,
      e,
    );
  }
  if (signed !== digest)
    throw registryError('REGISTRY_SIGNATURE_INVALID', `the signature covers ${signed}, not ${digest}`);
}

async function insertFiles(tx: Queryable, versionId: number, files: readonly ArtifactFile[]): Promise<void> {
  for (let i = 0; i < files.length; i += 200) {
    const chunk = files.slice(i, i + 200);
    await tx.run(
      `INSERT INTO registry_files (version_id, name, digest, size, format) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      chunk.flatMap((f) => [versionId, f.name, f.digest, f.size, f.format]),
    );
  }
}

async function insertEdge(
  tx: Queryable,
  src: number,
  relation: LineageRelation,
  dstKind: 'version' | 'dataset',
  dst: number,
  now: string,
  actor: string,
): Promise<boolean> {
  const r = await tx.run(
    'INSERT INTO registry_lineage (src_id, relation, dst_kind, dst_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (src_id, relation, dst_kind, dst_id) DO NOTHING',
    [src, relation, dstKind, dst, now, actor],
  );
  return r.changes > 0;
}

// Whether `from` reaches `target` by following version-to-version edges upwards (bounded).
async function reaches(tx: Queryable, from: number, target: number): Promise<boolean> {
  let frontier = [from];
  const seen = new Set(frontier);
  for (let depth = 0; depth < 64 && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const id of frontier) {
      const rows = await tx.all<{ dst_id: number }>(
        "SELECT dst_id FROM registry_lineage WHERE src_id = ? AND dst_kind = 'version'",
        [id],
      );
      for (const r of rows) {
        const d = Number(r.dst_id);
        if (d === target) return true;
        if (!seen.has(d) && seen.size < 10_000) {
          seen.add(d);
          next.push(d);
        }
      }
    }
    frontier = next;
  }
  return false;
}
