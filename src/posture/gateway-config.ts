import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { postureError } from './errors.js';

/**
 * What posture needs to know about a serving gateway, read from its configuration file. The reader is tolerant
 * of key spelling (camelCase, snake_case, kebab-case) because it must accept Warden gateway configs as well as
 * hand-written ones; docs/posture.md lists the keys it recognises.
 */
export interface GatewayFacts {
  source: string;
  tls: { enabled: boolean; minVersion?: string; clientCa: boolean };
  auth: { methods: string[]; disabled: boolean };
  rbac: { roles: string[]; anonymousRole?: string };
  rateLimits: string[];
  validation: string[];
  audit: { enabled: boolean; detail?: string };
  guard: boolean;
}

const MAX_BYTES = 1 << 20;

const norm = (k: string): string => k.toLowerCase().replace(/[-_\s]/g, '');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value of the first key (any spelling) found on an object. */
function get(o: unknown, ...keys: string[]): unknown {
  if (!isObj(o)) return undefined;
  const wanted = keys.map(norm);
  for (const [k, v] of Object.entries(o)) if (wanted.includes(norm(k))) return v;
  return undefined;
}

/** Every value at a key (any spelling) anywhere in the document, with its dotted path (bounded walk). */
function findAll(root: unknown, keys: string[], maxNodes = 20_000): { path: string; value: unknown }[] {
  const wanted = keys.map(norm);
  const out: { path: string; value: unknown }[] = [];
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: root, path: '', depth: 0 }];
  let seen = 0;
  while (stack.length && seen++ < maxNodes) {
    const { v, path, depth } = stack.pop() as { v: unknown; path: string; depth: number };
    if (depth > 32) continue;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]`, depth: depth + 1 }));
    else if (isObj(v))
      for (const [k, x] of Object.entries(v)) {
        if (stack.length >= maxNodes) break;
        const p = path ? `${path}.${k}` : k;
        if (wanted.includes(norm(k))) out.push({ path: p, value: x });
        stack.push({ v: x, path: p, depth: depth + 1 });
      }
  }
  return out;
}

const enabled = (v: unknown): boolean =>
  v !== undefined &&
  v !== null &&
  v !== false &&
  v !== 'false' &&
  v !== 'off' &&
  v !== 'none' &&
  !(isObj(v) && get(v, 'enabled') === false);

function hasPositiveNumber(v: unknown, depth = 0): boolean {
  if (typeof v === 'number') return v > 0;
  if (depth > 8) return false;
  if (Array.isArray(v)) return v.some((x) => hasPositiveNumber(x, depth + 1));
  if (isObj(v)) return Object.values(v).some((x) => hasPositiveNumber(x, depth + 1));
  return typeof v === 'string' && /^\d+(\.\d+)?\s*(\/|per\s)/.test(v); // "100/s", "60 per minute"
}

/** Normalises a parsed gateway configuration into the facts the serving checks read. */
export function gatewayFacts(doc: unknown, source: string): GatewayFacts {
  const tls = get(doc, 'tls', 'ssl', 'https');
  const tlsOn =
    enabled(tls) &&
    (isObj(tls)
      ? get(tls, 'cert', 'certFile', 'certificate', 'tlsCert') !== undefined || get(tls, 'enabled') === true
      : tls === true);
  const minVersion = get(tls, 'minVersion', 'minimumVersion', 'minProtocol', 'version', 'protocols');
  const clientCa =
    enabled(
      get(
        tls,
        'clientCa',
        'clientCaFile',
        'clientCertificateAuthority',
        'caFile',
        'verifyClient',
        'requestCert',
        'mtls',
      ),
    ) || enabled(get(doc, 'mtls', 'mutualTls', 'clientCa'));
  const auth = get(doc, 'auth', 'authentication');
  const methods = ['apiKeys', 'jwt', 'oidc', 'jwks', 'keys', 'basic', 'oauth2']
    .filter((m) => enabled(get(auth, m)))
    .concat(typeof auth === 'string' && auth !== 'none' ? [auth] : []);
  const rbacNode = get(doc, 'rbac', 'roles', 'authorization');
  const roleNode = isObj(rbacNode) ? (get(rbacNode, 'roles') ?? rbacNode) : rbacNode;
  const roles = Array.isArray(roleNode)
    ? roleNode.map((r) => {
        const name = typeof r === 'string' ? r : get(r, 'name');
        return typeof name === 'string' ? name : '?';
      })
    : isObj(roleNode)
      ? Object.keys(roleNode)
      : [];
  const anon = get(rbacNode, 'anonymous', 'anonymousRole', 'defaultRole');
  const rate = findAll(doc, [
    'rateLimits',
    'rateLimit',
    'rateLimiting',
    'ratelimits',
    'requestsPerSecond',
    'requestsPerMinute',
    'rps',
  ]).filter((x) => enabled(x.value) && hasPositiveNumber(x.value));
  const validation = findAll(doc, [
    'validation',
    'validate',
    'inputValidation',
    'maxBodyBytes',
    'maxBodySize',
    'schema',
    'maxElements',
  ]).filter((x) => enabled(x.value));
  const audit = get(doc, 'audit', 'auditLog', 'auditing');
  const guard = findAll(doc, ['guard', 'guardPolicy', 'guardrails']).some((x) => enabled(x.value));
  return {
    source,
    tls: {
      enabled: tlsOn,
      ...(typeof minVersion === 'string'
        ? { minVersion }
        : Array.isArray(minVersion)
          ? { minVersion: minVersion.join(',') }
          : {}),
      clientCa,
    },
    auth: {
      methods,
      disabled: auth === false || auth === 'none' || (isObj(auth) && get(auth, 'enabled') === false),
    },
    rbac: { roles, ...(typeof anon === 'string' ? { anonymousRole: anon } : {}) },
    rateLimits: rate.map((x) => x.path),
    validation: validation.map((x) => x.path),
    audit: {
      enabled: enabled(audit),
      ...(isObj(audit) || typeof audit === 'string' ? { detail: JSON.stringify(audit).slice(0, 120) } : {}),
    },
    guard,
  };
}

/** Reads a gateway config file (YAML or JSON, at most 1 MiB); a bad file is POSTURE_GATEWAY_CONFIG_INVALID. */
export function loadGatewayConfig(path: string): GatewayFacts {
  let text: string;
  try {
    if (statSync(path).size > MAX_BYTES) throw new Error('larger than 1 MiB');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw postureError(
      'POSTURE_GATEWAY_CONFIG_INVALID',
      `cannot read gateway config ${path}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw postureError(
      'POSTURE_GATEWAY_CONFIG_INVALID',
      `gateway config ${path} does not parse: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (!isObj(doc))
    throw postureError('POSTURE_GATEWAY_CONFIG_INVALID', `gateway config ${path} is not a mapping`);
  return gatewayFacts(doc, path);
}

/** Gateway config file names looked for in a project when --gateway-config is not given. */
export const GATEWAY_CONFIG_RE = /(^|\/)(warden[._-]?gateway|gateway|warden)\.(ya?ml|json)$/i;
