import type { Queryable } from '../core/store/index.js';
import { appendAudit } from './audit.js';
import { registryError } from './errors.js';
import { normalizeEvidence, sha256, type NormalizedEvidence } from './evidence.js';
import type { GateResult } from './gate.js';
import type { PromotionPolicy } from './policy.js';
import type { RegistryRole } from './principal.js';
import * as Q from './queries.js';
import type { ApprovalInfo, EvidenceSummary, PromoteResult } from './types.js';

// The writes that decide promotions: evidence, approvals, alias moves and the policy. Each runs inside the
// caller's transaction under the registry lock and appends its audit record there, so the change and its
// record commit together or not at all.

/** A report as given, or already normalised (the CLI and HTTP API check it before opening a transaction). */
export function toEvidence(evidence: unknown): NormalizedEvidence {
  return isNormalized(evidence) ? evidence : normalizeEvidence(evidence);
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

/** The transaction body of `Registry.addEvidence` (see there). */
export async function insertEvidence(
  tx: Queryable,
  ref: string,
  n: NormalizedEvidence,
  actor: string,
): Promise<{ ref: string; evidence: EvidenceSummary; created: boolean }> {
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
}

/** The transaction body of `Registry.approve` (see there). */
export async function insertApproval(
  tx: Queryable,
  ref: string,
  a: { principal: string; role: RegistryRole; comment: string },
): Promise<{ ref: string; approval: ApprovalInfo; created: boolean }> {
  const { role, comment } = a;
  const v = await Q.findVersion(tx, ref);
  const vref = `${v.name}@${v.version}`;
  if (a.principal === v.created_by)
    throw registryError('REGISTRY_SELF_APPROVAL', `${a.principal} registered ${vref} and cannot approve it`);
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
}

/** The transaction body of `Registry.promote` (see there). */
export async function moveAlias(
  tx: Queryable,
  ref: string,
  alias: string,
  actor: string,
  opts: { expect?: string | null },
  gateFor: (q: Queryable, v: Q.VersionRow, alias: string) => Promise<GateResult>,
): Promise<PromoteResult> {
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
  const gate = await gateFor(tx, v, alias);
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
}

/** Stores a validated policy unless it is the one in force already. */
export async function storePolicy(
  tx: Queryable,
  p: PromotionPolicy,
  digest: string,
  actor: string,
): Promise<{ digest: string; changed: boolean }> {
  const cur = await tx.get<{ digest: string }>(
    'SELECT digest FROM registry_policies ORDER BY id DESC LIMIT 1',
  );
  if (cur?.digest === digest) return { digest, changed: false };
  await tx.run('INSERT INTO registry_policies (digest, policy, created_at, created_by) VALUES (?, ?, ?, ?)', [
    digest,
    JSON.stringify(p),
    new Date().toISOString(),
    actor,
  ]);
  await appendAudit(tx, {
    actor,
    action: 'policy.set',
    subject: 'policy',
    detail: { digest, gates: Object.keys(p.gates), open: p.open },
  });
  return { digest, changed: true };
}
