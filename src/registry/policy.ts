import { createPublicKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { registryError } from './errors.js';
import { canonicalJson, sha256 } from './evidence.js';
import { REGISTRY_ROLES, type RegistryRole } from './principal.js';
import { checkAlias } from './refs.js';

export const GATE_OPS = ['==', '!=', '>=', '<=', '>', '<'] as const;
export type GateOp = (typeof GATE_OPS)[number];

const KIND = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'an evidence kind (scan, verify, attack, dp...)');
const FIELD = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,255}$/, 'a metric name, verdict or findings[.SEVERITY]');
const Scalar = z.union([z.number().refine(Number.isFinite, 'must be finite'), z.string().min(1).max(1024)]);

/** `KIND[where].FIELD OP VALUE`: the newest evidence of that kind (matching `where`) must satisfy it. */
export const EvidenceClauseSchema = z.strictObject({
  evidence: KIND,
  where: z.record(FIELD, Scalar).optional(),
  field: FIELD,
  op: z.enum(GATE_OPS),
  value: Scalar,
});
/** `signature valid`: the version carries a signature verified at registration; `trusted`: it verifies now with a policy key. */
export const SignatureClauseSchema = z.strictObject({ signature: z.enum(['valid', 'trusted']) });
/** `approvals >= N by ROLE[:K], ...`: N distinct approvers whose approval saw the current evidence. */
export const ApprovalsClauseSchema = z.strictObject({
  approvals: z.strictObject({
    min: z.number().int().min(1).max(100),
    roles: z.partialRecord(z.enum(REGISTRY_ROLES), z.number().int().min(1).max(100)).optional(),
    maxAgeDays: z.number().positive().max(36500).optional(),
  }),
});
export const GateClauseSchema = z.union([EvidenceClauseSchema, SignatureClauseSchema, ApprovalsClauseSchema]);
export type EvidenceClause = z.infer<typeof EvidenceClauseSchema>;
export type SignatureClause = z.infer<typeof SignatureClauseSchema>;
export type ApprovalsClause = z.infer<typeof ApprovalsClauseSchema>;
export type GateClause = z.infer<typeof GateClauseSchema>;

const ClauseInput = z.union([z.string().min(1).max(1024), z.record(z.string(), z.unknown())]);

/** A promotion policy as written (YAML or JSON); clauses may be strings or objects. */
export const PromotionPolicySchema = z.strictObject({
  version: z.literal(1),
  /** Public keys (PEM, or files relative to the policy) whose signatures `signature trusted` accepts. */
  trustedKeys: z.array(z.string().min(1).max(16384)).max(64).optional(),
  /** Trusted root or intermediate certificates (PEM or files) for certificate-signed bundles. */
  trustedCertificates: z.array(z.string().min(1).max(65536)).max(64).optional(),
  /** Aliases anyone with registry:promote may move without a gate (e.g. staging). */
  open: z.array(z.string()).max(64).optional(),
  gates: z.record(z.string(), z.array(ClauseInput).max(64)),
});
export type PromotionPolicyInput = z.input<typeof PromotionPolicySchema>;

/** A validated policy: clauses parsed, keys inline as PEM, so a stored copy stands on its own. */
export interface PromotionPolicy {
  version: 1;
  trustedKeys: string[];
  trustedCertificates: string[];
  open: string[];
  gates: Record<string, GateClause[]>;
}

const invalid = (msg: string) => registryError('REGISTRY_POLICY_INVALID', msg);

function parseScalar(s: string): string | number {
  const t = s.trim();
  if (/^"([^"\\]|\\.)*"$/.test(t)) return JSON.parse(t) as string;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  if (/^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(t)) return t;
  throw invalid(`"${s}" is not a number, a word or a "quoted string"`);
}

/** Parses the string form of a clause; see docs in the README (registry section) for the grammar. */
export function parseGateClause(text: string): GateClause {
  const s = text.trim().replace(/\s+/g, ' ');
  const sig = /^signature (valid|trusted)$/.exec(s);
  if (sig) return { signature: sig[1] as 'valid' | 'trusted' };
  const ap = /^approvals >= (\d+)(?: by ([a-z_:0-9, ]+?))?(?: within (\d+(?:\.\d+)?)d)?$/.exec(s);
  if (ap) {
    const roles: Partial<Record<RegistryRole, number>> = {};
    for (const part of ap[2]?.split(',') ?? []) {
      const [role, k] = part.trim().split(':');
      if (!role || !(REGISTRY_ROLES as readonly string[]).includes(role))
        throw invalid(`clause "${text}": unknown role "${role}" (roles: ${REGISTRY_ROLES.join(', ')})`);
      roles[role as RegistryRole] = k === undefined ? 1 : Number(k);
    }
    return checked(text, {
      approvals: {
        min: Number(ap[1]),
        ...(ap[2] ? { roles } : {}),
        ...(ap[3] ? { maxAgeDays: Number(ap[3]) } : {}),
      },
    });
  }
  const ev =
    /^([a-z][a-z0-9_-]*)(?:\[([^\]]*)\])?\.([A-Za-z_][A-Za-z0-9_.:-]*) ?(==|!=|>=|<=|>|<) ?(.+)$/.exec(s);
  if (!ev)
    throw invalid(
      `clause "${text}" is not "KIND[k=v].FIELD OP VALUE", "signature valid|trusted" or "approvals >= N by ROLE, ..."`,
    );
  const where: Record<string, string | number> = {};
  for (const part of ev[2] ? ev[2].split(',') : []) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalid(`clause "${text}": selector "${part}" is not key=value`);
    where[part.slice(0, eq).trim()] = parseScalar(part.slice(eq + 1));
  }
  return checked(text, {
    evidence: ev[1]!,
    ...(ev[2] ? { where } : {}),
    field: ev[3]!,
    op: ev[4] as GateOp,
    value: parseScalar(ev[5]!),
  });
}

function checked(text: string, c: unknown): GateClause {
  const r = GateClauseSchema.safeParse(c);
  if (!r.success) throw invalid(`clause "${text}": ${r.error.issues.map((i) => i.message).join('; ')}`);
  const clause = r.data;
  if ('evidence' in clause) {
    const numeric = ['>=', '<=', '>', '<'].includes(clause.op);
    if (numeric && typeof clause.value !== 'number')
      throw invalid(`clause "${text}": ${clause.op} needs a number`);
    if (clause.field === 'verdict' && (numeric || !['pass', 'fail', 'error'].includes(String(clause.value))))
      throw invalid(`clause "${text}": verdict compares with == or != to pass, fail or error`);
  }
  return clause;
}

const fmt = (v: string | number): string =>
  typeof v === 'number' || /^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(v) ? String(v) : JSON.stringify(v);

/** The canonical one-line text of a clause: what `promote` prints for an unmet clause. */
export function gateClauseText(c: GateClause): string {
  if ('signature' in c) return `signature ${c.signature}`;
  if ('approvals' in c) {
    const a = c.approvals;
    const roles = Object.entries(a.roles ?? {}).map(([r, k]) => (k === 1 ? r : `${r}:${k}`));
    return `approvals >= ${a.min}${roles.length ? ` by ${roles.join(', ')}` : ''}${a.maxAgeDays ? ` within ${a.maxAgeDays}d` : ''}`;
  }
  const where = c.where
    ? `[${Object.entries(c.where)
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(',')}]`
    : '';
  return `${c.evidence}${where}.${c.field} ${c.op} ${fmt(c.value)}`;
}

function readPem(entry: string, what: string, baseDir: string | undefined): string {
  if (entry.includes('-----BEGIN')) return entry;
  if (baseDir === undefined)
    throw invalid(`${what} "${entry}" must be PEM text here (no policy file to resolve it from)`);
  const path = resolve(baseDir, entry);
  try {
    if (statSync(path).size > 65536) throw invalid(`${what} ${path} is larger than 64 KiB`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'REGISTRY_POLICY_INVALID') throw e;
    throw invalid(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/** Validates a policy value; key and certificate files are read relative to `baseDir`. */
export function parsePromotionPolicy(v: unknown, baseDir?: string): PromotionPolicy {
  const r = PromotionPolicySchema.safeParse(v);
  if (!r.success)
    throw invalid(
      `policy: ${r.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(policy)'}: ${i.message}`)
        .join('; ')}`,
    );
  const p = r.data;
  const gates: Record<string, GateClause[]> = {};
  for (const [alias, clauses] of Object.entries(p.gates)) {
    checkAliasIn(alias);
    gates[alias] = clauses.map((c) =>
      typeof c === 'string' ? parseGateClause(c) : checked(JSON.stringify(c), c),
    );
  }
  const open = (p.open ?? []).map(checkAliasIn);
  for (const a of open) if (gates[a]) throw invalid(`alias "${a}" is both open and gated`);
  const trustedKeys = (p.trustedKeys ?? []).map((k) => readPem(k, 'trusted key', baseDir));
  trustedKeys.forEach((pem, i) => {
    try {
      createPublicKey(pem);
    } catch (e) {
      throw invalid(`trusted key #${i + 1} is not a public key: ${(e as Error).message}`);
    }
  });
  const trustedCertificates = (p.trustedCertificates ?? []).map((c) =>
    readPem(c, 'trusted certificate', baseDir),
  );
  const needsTrust = Object.values(gates).some((cs) =>
    cs.some((c) => 'signature' in c && c.signature === 'trusted'),
  );
  if (needsTrust && trustedKeys.length === 0 && trustedCertificates.length === 0)
    throw invalid('"signature trusted" needs trustedKeys or trustedCertificates in the policy');
  return { version: 1, trustedKeys, trustedCertificates, open, gates };
}

function checkAliasIn(a: string): string {
  try {
    return checkAlias(a);
  } catch (e) {
    throw invalid(`policy: ${(e as Error).message}`);
  }
}

/** Reads a YAML or JSON policy file (bounded) and validates it. */
export function loadPromotionPolicy(path: string): PromotionPolicy {
  let text: string;
  try {
    if (statSync(path).size > 256 * 1024) throw invalid(`policy file ${path} is larger than 256 KiB`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'REGISTRY_POLICY_INVALID') throw e;
    throw invalid(`cannot read policy ${path}: ${(e as Error).message}`);
  }
  let v: unknown;
  try {
    v = parseYaml(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch (e) {
    throw invalid(`policy ${path} is not YAML or JSON: ${(e as Error).message}`);
  }
  return parsePromotionPolicy(v, dirname(resolve(path)));
}

/** Digest of a validated policy, recorded with every promotion it allowed. */
export function promotionPolicyDigest(p: PromotionPolicy): string {
  return sha256(canonicalJson(p));
}
