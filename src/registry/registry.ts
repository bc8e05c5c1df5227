import { z } from 'zod';
import { parseBundle, parseStatement, rootDigest } from '../artifacts/index.js';
import { openStore, type OpenStoreOptions, type Queryable, type Store } from '../core/store/index.js';
import {
  aliasDrift,
  appendAudit,
  recentAudit,
  verifyAudit,
  type AuditRecord,
  type AuditVerdict,
} from './audit.js';
import { registryError } from './errors.js';
import { normalizeEvidence, sha256, type NormalizedEvidence } from './evidence.js';
import { evaluateGate, type GateResult } from './gate.js';
import { lineageGraph, type LineageOptions } from './lineage.js';
import { parsePromotionPolicy, promotionPolicyDigest, type PromotionPolicy } from './policy.js';
import { checkRegistryRole } from './principal.js';
import * as Q from './queries.js';
import { checkAlias, checkName, parseVersionRef } from './refs.js';
import { MIGRATION_DOMAIN, REGISTRY_MIGRATIONS } from './schema.js';
import {
  DATASET_RELATIONS,
  VERSION_RELATIONS,
  type ApprovalInfo,
  type ArtifactFile,
  type DatasetInfo,
  type EvidenceSummary,
  type LineageGraph,
  type ModelSummary,
  type NewDataset,
  type NewVersion,
  type PromoteResult,
  type LineageRelation,
  type VersionDetail,
  type VersionInfo,
} from './types.js';

/** The named lock every registry write holds: one writer at a time extends the audit chain. */
export const REGISTRY_LOCK = 'warden-registry';

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

const clampPage = (limit = 50, offset = 0) => ({
  limit: Math.min(1000, Math.max(1, Math.floor(limit))),
  offset: Math.max(0, Math.floor(offset)),
});

/** Options of list calls: a page of at most 1000 rows. */
export interface PageOptions {
  limit?: number;
  offset?: number;
}

/**
 * The model registry on a shared store: versions with digests and signatures, data sets, lineage,
 * evidence, approvals, aliases guarded by promotion gates, and a hash-chained audit record of every
 * change. Every write runs in one transaction under REGISTRY_LOCK, so concurrent processes serialise
 * and a crash leaves each change either whole or absent.
 */
export class Registry {
  private policyCache: { id: number; digest: string; policy: PromotionPolicy } | undefined;

  private constructor(
    readonly store: Store,
    private readonly owned: boolean,
  ) {}

  /** Opens (and migrates) the registry in the store at `url` (`sqlite:PATH` or `postgres://...`). */
  static async open(url: string, opts?: OpenStoreOptions): Promise<Registry> {
    const store = await openStore(url, opts);
    try {
      await store.migrate(MIGRATION_DOMAIN, REGISTRY_MIGRATIONS);
    } catch (e) {
      await store.close();
      throw e;
    }
    return new Registry(store, true);
  }

  /** A registry on a store the caller owns (e.g. the gateway's); migrates it, never closes it. */
  static async on(store: Store): Promise<Registry> {
    await store.migrate(MIGRATION_DOMAIN, REGISTRY_MIGRATIONS);
    return new Registry(store, false);
  }

  async close(): Promise<void> {
    if (this.owned) await this.store.close();
  }

  private write<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.store.transaction(fn, { lock: REGISTRY_LOCK });
  }

  /** Records a new version of a model (created on first use) with its files, signature and lineage. */
  async registerVersion(input: NewVersion, actor: string): Promise<VersionInfo> {
    const v = validate(NewVersionSchema, input, 'version');
    checkName(v.name);
    if (v.signature) checkBundleCovers(v.signature.bundle, v.signature.digest);
    return this.write(async (tx) => {
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
    });
  }

  /** Records a data set (idempotent for the same name and digest). */
  async registerDataset(
    input: NewDataset,
    actor: string,
  ): Promise<{ dataset: DatasetInfo; created: boolean }> {
    const d = validate(NewDatasetSchema, input, 'data set');
    checkName(d.name, 'data set name');
    return this.write(async (tx) => {
      const existing = await tx.get<{ id: number }>(
        'SELECT id FROM registry_datasets WHERE name = ? AND digest = ?',
        [d.name, d.digest],
      );
      if (existing)
        return { dataset: Q.datasetInfo((await Q.datasetById(tx, existing.id))!), created: false };
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
    });
  }

  /** Adds a lineage edge after registration: `NAME@3 fine_tuned_from NAME@2`, `NAME@3 evaluated_on DATASET`. */
  async link(
    src: string,
    relation: LineageRelation,
    dst: string,
    actor: string,
  ): Promise<{ created: boolean }> {
    return this.write(async (tx) => {
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
    });
  }

  /**
   * Attaches a report (any Warden Report, or an output an adapter reads) to a version. A report that names
   * a subject digest must be about this version's artifact or one of its files. The same report twice is
   * stored once; new evidence changes the version's evidence digest, which expires earlier approvals.
   */
  async addEvidence(
    ref: string,
    evidence: unknown,
    actor: string,
  ): Promise<{ ref: string; evidence: EvidenceSummary; created: boolean }> {
    const n: NormalizedEvidence = isNormalized(evidence) ? evidence : normalizeEvidence(evidence);
    return this.write(async (tx) => {
      const v = await Q.findVersion(tx, ref);
      const vref = `${v.name}@${v.version}`;
      if (n.subjectDigest && n.subjectDigest !== v.digest && n.subjectDigest !== v.signed_digest) {
        const file = await tx.get('SELECT name FROM registry_files WHERE version_id = ? AND digest = ?', [
          v.id,
          n.subjectDigest,
        ]);
        if (!file)
          throw registryError(
            'REGISTRY_EVIDENCE_INVALID',
            `the ${n.kind} report is about ${n.subjectDigest}, not ${vref} (${v.digest}) or one of its files`,
          );
      }
      const existing = await tx.get<{ id: number }>(
        'SELECT id FROM registry_evidence WHERE version_id = ? AND digest = ?',
        [v.id, n.digest],
      );
      if (existing)
        return {
          ref: vref,
          evidence: (await Q.evidenceOf(tx, v.id)).find((e) => e.id === Number(existing.id))!,
          created: false,
        };
      const now = new Date().toISOString();
      const row = await tx.get<{ id: number }>(
        'INSERT INTO registry_evidence (version_id, kind, digest, verdict, facts, subject_digest, added_at, added_by) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
        [v.id, n.kind, n.digest, n.verdict, JSON.stringify(n.facts), n.subjectDigest ?? null, now, actor],
      );
      const id = Number(row!.id);
      await tx.run('INSERT INTO registry_evidence_bodies (evidence_id, body) VALUES (?, ?)', [
        id,
        JSON.stringify(n.report),
      ]);
      const evidenceDigest = sha256(`${v.evidence_digest}\n${n.digest}`);
      await tx.run(
        'UPDATE registry_versions SET evidence_digest = ?, evidence_count = evidence_count + 1 WHERE id = ?',
        [evidenceDigest, v.id],
      );
      await appendAudit(tx, {
        actor,
        action: 'evidence.add',
        subject: vref,
        detail: { evidence: id, kind: n.kind, verdict: n.verdict, digest: n.digest, evidenceDigest },
      });
      return {
        ref: vref,
        evidence: {
          id,
          kind: n.kind,
          verdict: n.verdict,
          digest: n.digest,
          subjectDigest: n.subjectDigest ?? null,
          addedAt: now,
          addedBy: actor,
          ...n.facts,
        },
        created: true,
      };
    });
  }

  /** The stored report of one piece of evidence. */
  async evidenceReport(ref: string, id: number): Promise<unknown> {
    const v = await Q.findVersion(this.store, ref);
    const row = await this.store.get<{ body: string }>(
      'SELECT b.body FROM registry_evidence e JOIN registry_evidence_bodies b ON b.evidence_id = e.id WHERE e.id = ? AND e.version_id = ?',
      [id, v.id],
    );
    if (!row) throw registryError('REGISTRY_NOT_FOUND', `${v.name}@${v.version} has no evidence #${id}`);
    return JSON.parse(row.body) as unknown;
  }

  /**
   * Records `principal`'s approval of a version in `role`, bound to the evidence it saw. The author cannot
   * approve; approving again with the same evidence changes nothing, so an approval never counts twice.
   */
  async approve(
    ref: string,
    a: { principal: string; role: string; comment?: string },
  ): Promise<{ ref: string; approval: ApprovalInfo; created: boolean }> {
    const role = checkRegistryRole(a.role);
    if (!a.principal || a.principal.length > 256)
      throw registryError('REGISTRY_REF_INVALID', 'approver id must be 1-256 characters');
    const comment = (a.comment ?? '').slice(0, 4096);
    return this.write(async (tx) => {
      const v = await Q.findVersion(tx, ref);
      const vref = `${v.name}@${v.version}`;
      if (a.principal === v.created_by)
        throw registryError(
          'REGISTRY_SELF_APPROVAL',
          `${a.principal} registered ${vref} and cannot approve it`,
        );
      const existing = await tx.get<{ role: string; comment: string; created_at: string }>(
        'SELECT role, comment, created_at FROM registry_approvals WHERE version_id = ? AND principal = ? AND evidence_digest = ?',
        [v.id, a.principal, v.evidence_digest],
      );
      if (existing)
        return {
          ref: vref,
          approval: {
            principal: a.principal,
            role: existing.role,
            comment: existing.comment,
            createdAt: existing.created_at,
            current: true,
          },
          created: false,
        };
      const now = new Date().toISOString();
      await tx.run(
        'INSERT INTO registry_approvals (version_id, principal, role, evidence_digest, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [v.id, a.principal, role, v.evidence_digest, comment, now],
      );
      await appendAudit(tx, {
        actor: a.principal,
        action: 'approval.add',
        subject: vref,
        detail: { role, evidenceDigest: v.evidence_digest, comment },
      });
      return {
        ref: vref,
        approval: { principal: a.principal, role, comment, createdAt: now, current: true },
        created: true,
      };
    });
  }

  /**
   * Points `alias` at a version if the alias's gate passes, in one transaction with the gate evaluation, so
   * nothing can change the evidence or approvals in between. `expect` (a ref, or null for "no version yet")
   * makes it a compare-and-set: it fails with REGISTRY_CONFLICT if the alias moved meanwhile. A refusal is
   * returned (and audited), not thrown.
   */
  async promote(
    ref: string,
    alias: string,
    actor: string,
    opts: { expect?: string | null } = {},
  ): Promise<PromoteResult> {
    checkAlias(alias);
    return this.write(async (tx) => {
      const v = await Q.findVersion(tx, ref);
      const vref = `${v.name}@${v.version}`;
      const cur = await tx.get<{ version_id: number; version: number }>(
        'SELECT a.version_id, v.version FROM registry_aliases a JOIN registry_versions v ON v.id = a.version_id WHERE a.model_id = ? AND a.alias = ?',
        [v.model_id, alias],
      );
      const previous = cur ? `${v.name}@${cur.version}` : null;
      if (opts.expect !== undefined) {
        const want = opts.expect === null ? null : await Q.findVersion(tx, opts.expect);
        if (want && want.model_id !== v.model_id)
          throw registryError('REGISTRY_REF_INVALID', `--expect names another model (${opts.expect})`);
        if ((want?.id ?? null) !== (cur ? Number(cur.version_id) : null))
          throw registryError(
            'REGISTRY_CONFLICT',
            `${v.name}@${alias} is ${previous ?? 'unset'}, not ${want ? `${want.name}@${want.version}` : 'unset'} as expected`,
          );
      }
      const gate = await this.gateFor(tx, v, alias);
      if (!gate.passed) {
        await appendAudit(tx, {
          actor,
          action: 'alias.refused',
          subject: vref,
          detail: { alias, policy: gate.policyDigest, unmet: gate.unmet.map((c) => c.clause) },
        });
        return { promoted: false, ref: vref, alias, gate };
      }
      if (cur && Number(cur.version_id) === v.id)
        return { promoted: true, ref: vref, alias, previous, changed: false, gate };
      const now = new Date().toISOString();
      await tx.run(
        'INSERT INTO registry_aliases (model_id, alias, version_id, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (model_id, alias) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
        [v.model_id, alias, v.id, now, actor],
      );
      await appendAudit(tx, {
        actor,
        action: 'alias.set',
        subject: vref,
        detail: {
          alias,
          previous,
          policy: gate.policyDigest,
          clauses: gate.clauses.map((c) => c.clause),
        },
      });
      return { promoted: true, ref: vref, alias, previous, changed: true, gate };
    });
  }

  /** Stores a promotion policy (validated again); the newest one governs every later promotion. */
  async setPolicy(policy: unknown, actor: string): Promise<{ digest: string; changed: boolean }> {
    const p = parsePromotionPolicy(policy);
    const digest = promotionPolicyDigest(p);
    return this.write(async (tx) => {
      const cur = await tx.get<{ digest: string }>(
        'SELECT digest FROM registry_policies ORDER BY id DESC LIMIT 1',
      );
      if (cur?.digest === digest) return { digest, changed: false };
      await tx.run(
        'INSERT INTO registry_policies (digest, policy, created_at, created_by) VALUES (?, ?, ?, ?)',
        [digest, JSON.stringify(p), new Date().toISOString(), actor],
      );
      await appendAudit(tx, {
        actor,
        action: 'policy.set',
        subject: 'policy',
        detail: { digest, gates: Object.keys(p.gates), open: p.open },
      });
      return { digest, changed: true };
    });
  }

  /** The policy in force, if any. */
  async policy(q: Queryable = this.store): Promise<{ policy: PromotionPolicy; digest: string } | undefined> {
    const row = await q.get<{ id: number; digest: string }>(
      'SELECT id, digest FROM registry_policies ORDER BY id DESC LIMIT 1',
    );
    if (!row) return undefined;
    const id = Number(row.id);
    if (this.policyCache?.id !== id || this.policyCache.digest !== row.digest) {
      const text = await q.get<{ policy: string }>('SELECT policy FROM registry_policies WHERE id = ?', [id]);
      const policy = parsePromotionPolicy(JSON.parse(text!.policy));
      if (promotionPolicyDigest(policy) !== row.digest)
        throw registryError(
          'REGISTRY_POLICY_INVALID',
          `stored policy #${id} does not match its digest: it was edited`,
        );
      this.policyCache = { id, digest: row.digest, policy };
    }
    return { policy: this.policyCache.policy, digest: this.policyCache.digest };
  }

  private async gateFor(q: Queryable, v: Q.VersionRow, alias: string): Promise<GateResult> {
    const p = await this.policy(q);
    const clauses = p?.policy.gates[alias] ?? [];
    const kinds = [...new Set(clauses.flatMap((c) => ('evidence' in c ? [c.evidence] : [])))];
    return evaluateGate(p?.policy, p?.digest ?? null, alias, await Q.gateInputs(q, v, kinds));
  }

  /** Evaluates `alias`'s gate on a version now, without changing anything. */
  async checkGate(ref: string, alias: string): Promise<GateResult> {
    checkAlias(alias);
    return this.gateFor(this.store, await Q.findVersion(this.store, ref), alias);
  }

  /**
   * What the gateway serves for `NAME@alias`: the version, its files and signature, and the alias's gate
   * evaluated on today's evidence. With `enforceGate` (the default) a failing gate throws REGISTRY_GATE_FAILED
   * naming the unmet clauses, so a version whose evidence went bad after promotion is not served.
   */
  async resolveAlias(
    ref: string,
    opts: { enforceGate?: boolean } = {},
  ): Promise<{ version: VersionInfo; files: ArtifactFile[]; signature: string | null; gate: GateResult }> {
    const r = parseVersionRef(ref);
    if (r.selector.kind !== 'alias')
      throw registryError('REGISTRY_REF_INVALID', `"${ref}" does not name an alias (NAME@ALIAS)`);
    const row = await Q.findVersion(this.store, r);
    const gate = await this.gateFor(this.store, row, r.selector.alias);
    if (!gate.passed && opts.enforceGate !== false)
      throw registryError(
        'REGISTRY_GATE_FAILED',
        `${ref} is ${row.name}@${row.version}, whose ${r.selector.alias} gate fails: ${gate.unmet.map((c) => `${c.clause} (${c.detail})`).join('; ')}`,
      );
    return {
      version: await Q.loadVersionInfo(this.store, row),
      files: await Q.filesOf(this.store, row.id),
      signature: row.signature,
      gate,
    };
  }

  async listModels(page: PageOptions = {}): Promise<ModelSummary[]> {
    const p = clampPage(page.limit, page.offset);
    return Q.listModels(this.store, p.limit, p.offset);
  }

  async listVersions(name: string, page: PageOptions = {}): Promise<VersionInfo[]> {
    const p = clampPage(page.limit, page.offset);
    return Q.listVersions(this.store, checkName(name), p.limit, p.offset);
  }

  async listDatasets(page: PageOptions = {}): Promise<DatasetInfo[]> {
    const p = clampPage(page.limit, page.offset);
    return Q.listDatasets(this.store, p.limit, p.offset);
  }

  async dataset(ref: string): Promise<DatasetInfo> {
    return Q.datasetInfo(await Q.findDataset(this.store, ref));
  }

  /** One version with its files and signature bundle (no gate evaluation). */
  async version(ref: string): Promise<VersionInfo & { files: ArtifactFile[]; signature: string | null }> {
    const v = await Q.findVersion(this.store, ref);
    return {
      ...(await Q.loadVersionInfo(this.store, v)),
      files: await Q.filesOf(this.store, v.id),
      signature: v.signature,
    };
  }

  /** A version with its files, evidence, approvals, parents and the gate of every alias the policy names. */
  async show(ref: string): Promise<VersionDetail> {
    const q = this.store;
    const v = await Q.findVersion(q, ref);
    const info = await Q.loadVersionInfo(q, v);
    const approvals = await Q.approvalsOf(q, v.id);
    const up = await lineageGraph(q, { kind: 'version', id: v.id }, { direction: 'up', depth: 1 });
    const p = await this.policy(q);
    const aliases = [...new Set([...Object.keys(p?.policy.gates ?? {}), ...info.aliases])].sort();
    const gates: GateResult[] = [];
    for (const a of aliases) gates.push(await this.gateFor(q, v, a));
    return {
      ...info,
      files: await Q.filesOf(q, v.id),
      signature: v.signature,
      evidence: await Q.evidenceOf(q, v.id),
      approvalList: approvals.map((a) => ({
        principal: a.principal,
        role: a.role,
        comment: a.comment,
        createdAt: a.createdAt,
        current: a.evidenceDigest === v.evidence_digest,
      })),
      parents: up.edges.map((e) => ({
        relation: e.relation,
        ref: up.nodes.find((n) => n.id === e.to)?.label ?? e.to,
      })),
      gates,
    };
  }

  /** Lineage of a version (or `dataset:NAME[@sha256:PREFIX]`) as nodes and edges. */
  async lineage(ref: string, opts: LineageOptions = {}): Promise<LineageGraph> {
    const root = ref.startsWith('dataset:')
      ? {
          kind: 'dataset' as const,
          id: Number((await Q.findDataset(this.store, ref.slice('dataset:'.length))).id),
        }
      : { kind: 'version' as const, id: Number((await Q.findVersion(this.store, ref)).id) };
    return lineageGraph(this.store, root, opts);
  }

  /** Finds the version holding an artifact digest, in any model. */
  async findByDigest(digest: string): Promise<VersionInfo | undefined> {
    const row = await this.store.get<{ id: number }>(
      'SELECT id FROM registry_versions WHERE digest = ? ORDER BY id LIMIT 1',
      [digest],
    );
    if (!row) return undefined;
    return Q.loadVersionInfo(this.store, (await Q.versionById(this.store, Number(row.id)))!);
  }

  /**
   * Checks the audit chain end to end (see `verifyAudit`) and, when it holds, that every alias points where
   * the trail's promotions left it.
   */
  async verifyAudit(expectHead?: { seq: number; hash: string }): Promise<AuditVerdict> {
    const chain = await verifyAudit(this.store, expectHead);
    if (!chain.ok) return chain;
    const drift = await aliasDrift(this.store);
    return drift.length ? { ...chain, ok: false, aliasDrift: drift } : chain;
  }

  /** The newest audit records, of one model (`NAME`) or of everything. */
  audit(opts: { subject?: string; limit?: number } = {}): Promise<AuditRecord[]> {
    return recentAudit(this.store, opts.subject, clampPage(opts.limit ?? 50).limit);
  }
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

function isNormalized(v: unknown): v is NormalizedEvidence {
  const o = v as Partial<NormalizedEvidence> | null;
  return (
    !!o &&
    typeof o === 'object' &&
    typeof o.digest === 'string' &&
    !!o.facts &&
    !!o.report &&
    typeof o.adapter === 'string'
  );
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
