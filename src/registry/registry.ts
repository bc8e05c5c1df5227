import { openStore, type OpenStoreOptions, type Queryable, type Store } from '../core/store/index.js';
import { aliasDrift, recentAudit, verifyAudit, type AuditRecord, type AuditVerdict } from './audit.js';
import { registryError } from './errors.js';
import { evaluateGate, type GateResult } from './gate.js';
import { lineageGraph, type LineageOptions } from './lineage.js';
import { checkNewDataset, checkNewVersion, insertDataset, insertLink, insertVersion } from './versions.js';
import { insertApproval, insertEvidence, moveAlias, storePolicy, toEvidence } from './changes.js';
import { parsePromotionPolicy, promotionPolicyDigest, type PromotionPolicy } from './policy.js';
import { checkRegistryRole } from './principal.js';
import * as Q from './queries.js';
import { checkAlias, checkName, parseVersionRef } from './refs.js';
import { MIGRATION_DOMAIN, REGISTRY_MIGRATIONS } from './schema.js';
import {
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
    const v = checkNewVersion(input);
    return this.write((tx) => insertVersion(tx, v, actor));
  }

  /** Records a data set (idempotent for the same name and digest). */
  async registerDataset(
    input: NewDataset,
    actor: string,
  ): Promise<{ dataset: DatasetInfo; created: boolean }> {
    const d = checkNewDataset(input);
    return this.write((tx) => insertDataset(tx, d, actor));
  }

  /** Adds a lineage edge after registration: `NAME@3 fine_tuned_from NAME@2`, `NAME@3 evaluated_on DATASET`. */
  async link(
    src: string,
    relation: LineageRelation,
    dst: string,
    actor: string,
  ): Promise<{ created: boolean }> {
    return this.write((tx) => insertLink(tx, src, relation, dst, actor));
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
    const n = toEvidence(evidence);
    return this.write((tx) => insertEvidence(tx, ref, n, actor));
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
    return this.write((tx) => insertApproval(tx, ref, { principal: a.principal, role, comment }));
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
    return this.write((tx) => moveAlias(tx, ref, alias, actor, opts, (q, v, a) => this.gateFor(q, v, a)));
  }

  /** Stores a promotion policy (validated again); the newest one governs every later promotion. */
  async setPolicy(policy: unknown, actor: string): Promise<{ digest: string; changed: boolean }> {
    const p = parsePromotionPolicy(policy);
    const digest = promotionPolicyDigest(p);
    return this.write((tx) => storePolicy(tx, p, digest, actor));
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
