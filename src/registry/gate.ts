import { createHash } from 'node:crypto';
import { parseStatement, rootDigest, verifyBundleSignature } from '../artifacts/index.js';
import { SEVERITIES, isWardenError, type Severity } from '../core/index.js';
import type { EvidenceFacts } from './evidence.js';
import {
  gateClauseText,
  type ApprovalsClause,
  type GateClause,
  type EvidenceClause,
  type PromotionPolicy,
  type SignatureClause,
} from './policy.js';

/** The state a gate is evaluated on: one version, its evidence (newest first) and its approvals. */
export interface GateInputs {
  version: {
    ref: string;
    digest: string;
    createdBy: string;
    evidenceDigest: string;
    signature: string | null;
    signer: string | null;
    /** Root digest the signature covers, as registration verified it against the files. */
    signedDigest: string | null;
  };
  evidence: readonly { id: number; kind: string; verdict: string; facts: EvidenceFacts }[];
  approvals: readonly { principal: string; role: string; evidenceDigest: string; createdAt: string }[];
  now: Date;
}

/** How one clause fared, with the fact that decided it. */
export interface GateClauseResult {
  clause: string;
  passed: boolean;
  detail: string;
  /** The evidence the clause read. */
  evidenceId?: number;
}

/** A gate decision: passed only when every clause passed (an alias without a gate fails unless open). */
export interface GateResult {
  ref: string;
  alias: string;
  passed: boolean;
  policyDigest: string | null;
  clauses: GateClauseResult[];
  unmet: GateClauseResult[];
}

const EPS = 1e-9;
const near = (a: number, b: number) => Math.abs(a - b) <= EPS * Math.max(1, Math.abs(a), Math.abs(b));

/** Evaluates the alias's gate of `policy` on a version. Pure: the same inputs give the same decision. */
export function evaluateGate(
  policy: PromotionPolicy | undefined,
  policyDigest: string | null,
  alias: string,
  inputs: GateInputs,
): GateResult {
  const done = (clauses: GateClauseResult[]): GateResult => {
    const unmet = clauses.filter((c) => !c.passed);
    return {
      ref: inputs.version.ref,
      alias,
      passed: unmet.length === 0,
      policyDigest,
      clauses,
      unmet,
    };
  };
  if (!policy)
    return done([
      {
        clause: 'policy',
        passed: false,
        detail: 'no promotion policy is stored: run `warden registry policy set FILE`',
      },
    ]);
  const gate = policy.gates[alias];
  if (!gate) {
    if (policy.open.includes(alias)) return done([]);
    return done([
      {
        clause: 'policy',
        passed: false,
        detail: `alias "${alias}" has no gate in the policy and is not listed as open`,
      },
    ]);
  }
  return done(gate.map((c) => evaluateClause(c, policy, inputs)));
}

function evaluateClause(c: GateClause, policy: PromotionPolicy, inputs: GateInputs): GateClauseResult {
  const text = gateClauseText(c);
  if ('signature' in c) return { clause: text, ...signatureClause(c, policy, inputs) };
  if ('approvals' in c) return { clause: text, ...approvalsClause(c, inputs) };
  return { clause: text, ...evidenceClause(c, inputs) };
}

function matches(where: EvidenceClause['where'], f: EvidenceFacts): boolean {
  for (const [k, v] of Object.entries(where ?? {})) {
    if (typeof v === 'number') {
      const m = f.metrics[k];
      if (m === undefined || !near(m, v)) return false;
    } else if (f.labels[k] !== v && !(f.metrics[k] !== undefined && near(f.metrics[k], Number(v))))
      return false;
  }
  return true;
}

function fieldOf(e: GateInputs['evidence'][number], field: string): number | string | undefined {
  if (field === 'verdict') return e.verdict;
  if (field === 'findings') return e.facts.findings.total;
  const sev = /^findings\.(\w+)$/.exec(field)?.[1];
  if (sev && (SEVERITIES as readonly string[]).includes(sev)) return e.facts.findings[sev as Severity];
  return e.facts.metrics[field] ?? e.facts.labels[field];
}

function compare(a: number | string, op: EvidenceClause['op'], b: number | string): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '==':
        return near(a, b);
      case '!=':
        return !near(a, b);
      case '>=':
        return a >= b || near(a, b);
      case '<=':
        return a <= b || near(a, b);
      case '>':
        return a > b && !near(a, b);
      case '<':
        return a < b && !near(a, b);
    }
  }
  if (op === '==') return String(a) === String(b);
  if (op === '!=') return String(a) !== String(b);
  return false;
}

function evidenceClause(c: EvidenceClause, inputs: GateInputs): Omit<GateClauseResult, 'clause'> {
  const e = inputs.evidence.find((x) => x.kind === c.evidence && matches(c.where, x.facts));
  if (!e) {
    const sel = c.where
      ? ` with ${Object.entries(c.where)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`
      : '';
    return { passed: false, detail: `no ${c.evidence} evidence${sel}` };
  }
  const actual = fieldOf(e, c.field);
  if (actual === undefined)
    return { passed: false, detail: `${c.evidence} evidence #${e.id} has no "${c.field}"`, evidenceId: e.id };
  const passed = compare(actual, c.op, c.value);
  return { passed, detail: `${c.field} = ${actual} (evidence #${e.id})`, evidenceId: e.id };
}

// Signature checks are pure functions of (bundle, trust anchors, digest); remember the last few hundred.
const trustCache = new Map<string, { passed: boolean; detail: string }>();

function signatureClause(
  c: SignatureClause,
  policy: PromotionPolicy,
  inputs: GateInputs,
): Omit<GateClauseResult, 'clause'> {
  const v = inputs.version;
  if (!v.signature || !v.signer || !v.signedDigest)
    return { passed: false, detail: 'the version was registered without a verified signature' };
  if (c.signature === 'valid')
    return { passed: true, detail: `signed by ${v.signer} (verified at registration)` };
  const key = createHash('sha256')
    .update(v.signature)
    .update('\0')
    .update(v.signedDigest)
    .update('\0')
    .update(JSON.stringify([policy.trustedKeys, policy.trustedCertificates]))
    .digest('hex');
  let hit = trustCache.get(key);
  if (!hit) {
    hit = checkTrusted(v.signature, v.signedDigest, policy);
    if (trustCache.size >= 512) trustCache.delete(trustCache.keys().next().value!);
    trustCache.set(key, hit);
  }
  return hit;
}

function checkTrusted(
  bundle: string,
  digest: string,
  policy: PromotionPolicy,
): { passed: boolean; detail: string } {
  const anchors = [
    ...policy.trustedKeys.map((publicKey) => ({ publicKey })),
    ...(policy.trustedCertificates.length ? [{ certificateChain: policy.trustedCertificates }] : []),
  ];
  const reasons: string[] = [];
  for (const a of anchors) {
    try {
      const s = verifyBundleSignature(bundle, a);
      const signed = `sha256:${rootDigest(parseStatement(s.payload).resources)}`;
      if (signed !== digest) {
        reasons.push(`signed digest ${signed} is not the registered ${digest}`);
        continue;
      }
      return {
        passed: true,
        detail: `signed by ${s.signer}, a trusted ${'publicKey' in a ? 'key' : 'certificate'}`,
      };
    } catch (e) {
      if (!isWardenError(e)) throw e;
      reasons.push(e.code);
    }
  }
  return {
    passed: false,
    detail: `the signature does not verify with any trusted key or certificate (${[...new Set(reasons)].join(', ')})`,
  };
}

function approvalsClause(c: ApprovalsClause, inputs: GateInputs): Omit<GateClauseResult, 'clause'> {
  const { min, roles, maxAgeDays } = c.approvals;
  const v = inputs.version;
  const fresh = (at: string) =>
    maxAgeDays === undefined || inputs.now.getTime() - Date.parse(at) <= maxAgeDays * 86_400_000;
  const current = inputs.approvals.filter(
    (a) => a.evidenceDigest === v.evidenceDigest && a.principal !== v.createdBy,
  );
  const expired = inputs.approvals.filter((a) => a.evidenceDigest !== v.evidenceDigest).length;
  const eligible = current.filter((a) => fresh(a.createdAt) && (!roles || a.role in roles));
  const byRole = new Map<string, Set<string>>();
  for (const a of eligible) byRole.set(a.role, (byRole.get(a.role) ?? new Set()).add(a.principal));
  const approvers = new Set(eligible.map((a) => a.principal));
  const missing = Object.entries(roles ?? {})
    .filter(([r, k]) => (byRole.get(r)?.size ?? 0) < k)
    .map(([r, k]) => `${r} needs ${k}, has ${byRole.get(r)?.size ?? 0}`);
  const who = eligible.map((a) => `${a.principal} (${a.role})`).join(', ') || 'none';
  const notes = [
    ...missing,
    ...(expired ? [`${expired} approval(s) saw older evidence and expired`] : []),
    ...(current.length > eligible.length
      ? [`${current.length - eligible.length} approval(s) too old or by other roles`]
      : []),
  ];
  return {
    passed: approvers.size >= min && missing.length === 0,
    detail: `${approvers.size} of ${min} approvals: ${who}${notes.length ? `; ${notes.join('; ')}` : ''}`,
  };
}
