import type { IncomingMessage, ServerResponse } from 'node:http';
import { toWardenError } from '../core/index.js';
import { httpError, readJsonBody, sendError, sendJson, statusForError } from '../core/http.js';
import { registryError } from './errors.js';
import { MAX_EVIDENCE_BYTES, MAX_EVIDENCE_DEPTH, normalizeEvidence } from './evidence.js';
import { evidenceOf } from './queries.js';
import { findVersion } from './queries.js';
import {
  isRegistryRole,
  requirePermission,
  type RegistryPermission,
  type RegistryPrincipal,
} from './principal.js';
import type { Registry } from './registry.js';

/** Options of the registry's HTTP handler. */
export interface RegistryHttpOptions {
  /** Path prefix the handler answers under (default `/api/registry`). */
  prefix?: string;
  /** Largest request body (default: the evidence limit, 8 MiB). */
  maxBodyBytes?: number;
}

/** What a refused registry request failed with, for the caller's audit record. */
export interface RegistryOutcome {
  code?: string;
  reason?: string;
}

/**
 * Handles one request if its path is under the prefix; resolves false (untouched) otherwise. A refusal's
 * code and reason are also written into `outcome` when given.
 */
export type RegistryHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  principal: RegistryPrincipal,
  outcome?: RegistryOutcome,
) => Promise<boolean>;

interface Ctx {
  reg: Registry;
  req: IncomingMessage;
  principal: RegistryPrincipal;
  query: URLSearchParams;
  body: () => Promise<Record<string, unknown>>;
}

type Route = {
  method: 'GET' | 'POST';
  pattern: RegExp;
  permission: RegistryPermission;
  /** Name of the action in audit records, e.g. `registry.promote`. */
  action: string;
  run: (c: Ctx, params: string[]) => Promise<{ status: number; body: unknown }>;
};

const ok = (body: unknown, status = 200) => ({ status, body });
const int = (q: URLSearchParams, k: string, d: number): number => {
  const v = q.get(k);
  if (v === null) return d;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw registryError('REGISTRY_REF_INVALID', `query parameter ${k} must be a non-negative integer`);
  return n;
};
const page = (q: URLSearchParams) => ({ limit: int(q, 'limit', 50), offset: int(q, 'offset', 0) });
const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 1024)
    throw registryError('REGISTRY_REF_INVALID', `${what} must be a non-empty string`);
  return v;
};

// The approving role: the one asked for, which the principal must hold, or its only role.
function approvingRole(p: RegistryPrincipal, asked: unknown): string {
  if (asked !== undefined) {
    const role = str(asked, 'role');
    if (!p.roles.includes(role))
      throw registryError('REGISTRY_FORBIDDEN', `${p.id} does not hold the role ${role}`);
    return role;
  }
  const roles = p.roles.filter(isRegistryRole);
  if (roles.length !== 1)
    throw registryError(
      'REGISTRY_REF_INVALID',
      `${p.id} holds ${roles.length} roles: say which one approves ("role")`,
    );
  return roles[0]!;
}

const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/models$/,
    permission: 'registry:read',
    action: 'registry.models.list',
    run: async (c) => ok(await c.reg.listModels(page(c.query))),
  },
  {
    method: 'GET',
    pattern: /^\/models\/([^/]+)\/versions$/,
    permission: 'registry:read',
    action: 'registry.versions.list',
    run: async (c, [name]) => ok(await c.reg.listVersions(name!, page(c.query))),
  },
  {
    method: 'GET',
    pattern: /^\/datasets$/,
    permission: 'registry:read',
    action: 'registry.datasets.list',
    run: async (c) => ok(await c.reg.listDatasets(page(c.query))),
  },
  {
    method: 'GET',
    pattern: /^\/datasets\/([^/]+)\/lineage$/,
    permission: 'registry:read',
    action: 'registry.dataset.lineage',
    run: async (c, [ref]) =>
      ok(await c.reg.lineage(`dataset:${ref!}`, { direction: 'down', depth: int(c.query, 'depth', 32) })),
  },
  {
    method: 'GET',
    pattern: /^\/versions\/([^/]+)$/,
    permission: 'registry:read',
    action: 'registry.version.show',
    run: async (c, [ref]) => ok(await c.reg.show(ref!)),
  },
  {
    method: 'GET',
    pattern: /^\/versions\/([^/]+)\/lineage$/,
    permission: 'registry:read',
    action: 'registry.version.lineage',
    run: async (c, [ref]) => {
      const d = c.query.get('direction') ?? 'both';
      if (d !== 'up' && d !== 'down' && d !== 'both')
        throw registryError('REGISTRY_REF_INVALID', 'direction is up, down or both');
      return ok(await c.reg.lineage(ref!, { direction: d, depth: int(c.query, 'depth', 32) }));
    },
  },
  {
    method: 'GET',
    pattern: /^\/versions\/([^/]+)\/evidence$/,
    permission: 'registry:read',
    action: 'registry.evidence.list',
    run: async (c, [ref]) => ok(await evidenceOf(c.reg.store, (await findVersion(c.reg.store, ref!)).id)),
  },
  {
    method: 'GET',
    pattern: /^\/versions\/([^/]+)\/evidence\/(\d{1,15})$/,
    permission: 'registry:read',
    action: 'registry.evidence.read',
    run: async (c, [ref, id]) => ok(await c.reg.evidenceReport(ref!, Number(id))),
  },
  {
    method: 'POST',
    pattern: /^\/versions\/([^/]+)\/evidence$/,
    permission: 'registry:write',
    action: 'registry.evidence.add',
    run: async (c, [ref]) => {
      const out = await c.reg.addEvidence(ref!, normalizeEvidence(await c.body()), c.principal.id);
      return ok(out, out.created ? 201 : 200);
    },
  },
  {
    method: 'POST',
    pattern: /^\/versions\/([^/]+)\/approvals$/,
    permission: 'registry:approve',
    action: 'registry.approve',
    run: async (c, [ref]) => {
      const b = await c.body();
      const role = approvingRole(c.principal, b.role);
      const out = await c.reg.approve(ref!, {
        principal: c.principal.id,
        role,
        ...(b.comment === undefined ? {} : { comment: str(b.comment, 'comment') }),
      });
      return ok(out, out.created ? 201 : 200);
    },
  },
  {
    method: 'POST',
    pattern: /^\/versions\/([^/]+)\/promote$/,
    permission: 'registry:promote',
    action: 'registry.promote',
    run: async (c, [ref]) => {
      const b = await c.body();
      const expect =
        b.expect === undefined ? {} : { expect: b.expect === null ? null : str(b.expect, 'expect') };
      const out = await c.reg.promote(ref!, str(b.alias, 'alias'), c.principal.id, expect);
      if (out.promoted) return ok(out);
      const err = registryError(
        'REGISTRY_GATE_FAILED',
        `${out.ref} cannot become ${out.alias}: ${out.gate.unmet.length} clause(s) unmet`,
      );
      return ok({ error: err.message, code: err.code, ...out }, statusForError(err));
    },
  },
  {
    method: 'GET',
    pattern: /^\/versions\/([^/]+)\/gates\/([^/]+)$/,
    permission: 'registry:read',
    action: 'registry.gate.check',
    run: async (c, [ref, alias]) => ok(await c.reg.checkGate(ref!, alias!)),
  },
  {
    method: 'GET',
    pattern: /^\/resolve\/([^/]+)$/,
    permission: 'registry:read',
    action: 'registry.resolve',
    run: async (c, [ref]) => ok(await c.reg.resolveAlias(ref!, { enforceGate: false })),
  },
  {
    method: 'GET',
    pattern: /^\/audit$/,
    permission: 'registry:read',
    action: 'registry.audit.read',
    run: async (c) => {
      const subject = c.query.get('model');
      return ok(await c.reg.audit({ ...(subject ? { subject } : {}), limit: int(c.query, 'limit', 50) }));
    },
  },
  {
    method: 'GET',
    pattern: /^\/audit\/verify$/,
    permission: 'registry:read',
    action: 'registry.audit.verify',
    run: async (c) => ok(await c.reg.verifyAudit()),
  },
];

/**
 * The permission and audit action of `METHOD PATH` (the path below the prefix), so that a gateway can
 * authorize and name the request before the handler runs; undefined when no route matches.
 */
export function registryRoute(
  method: string,
  path: string,
): { permission: RegistryPermission; action: string } | undefined {
  const r = ROUTES.find((x) => x.method === method && x.pattern.test(path));
  return r && { permission: r.permission, action: r.action };
}

/**
 * The registry's HTTP API for the gateway to mount: list, show, lineage (nodes and edges), evidence,
 * approvals, gates, promotion, alias resolution and the audit chain, under `/api/registry`. The caller has
 * authenticated the principal; each route checks its registry permission (403 otherwise). Approvals are made
 * in a role the principal holds; a refused promotion answers 409 with the unmet clauses.
 */
export function createRegistryHandler(reg: Registry, opts: RegistryHttpOptions = {}): RegistryHandler {
  const prefix = (opts.prefix ?? '/api/registry').replace(/\/$/, '');
  const maxBytes = opts.maxBodyBytes ?? MAX_EVIDENCE_BYTES;
  return async (req, res, principal, outcome) => {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
    try {
      const path = url.pathname.slice(prefix.length) || '/';
      const matching = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m);
      if (matching.length === 0) throw httpError('NOT_FOUND', `no registry route ${path}`);
      const hit = matching.find((x) => x.r.method === req.method);
      if (!hit) {
        const allow = [...new Set(matching.map((x) => x.r.method))].join(', ');
        const err = httpError('HTTP_METHOD_NOT_ALLOWED', `${req.method} is not allowed here (${allow})`);
        if (outcome) Object.assign(outcome, { code: err.code, reason: err.message });
        sendError(res, err, { allow });
        return true;
      }
      requirePermission(principal, hit.r.permission);
      const params = hit.m!.slice(1).map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          throw registryError('REGISTRY_REF_INVALID', `bad escape in path segment "${p}"`);
        }
      });
      const ctx: Ctx = {
        reg,
        req,
        principal,
        query: url.searchParams,
        body: async () => {
          const v = await readJsonBody(req, { maxBytes, maxDepth: MAX_EVIDENCE_DEPTH });
          if (!v || typeof v !== 'object' || Array.isArray(v))
            throw httpError('HTTP_BODY_INVALID', 'request body must be a JSON object');
          return v as Record<string, unknown>;
        },
      };
      const out = await hit.r.run(ctx, params);
      if (outcome && out.status >= 400) {
        const b = out.body as { code?: string; error?: string };
        Object.assign(outcome, { code: b.code, reason: b.error });
      }
      sendJson(res, out.status, out.body);
    } catch (e) {
      if (outcome) {
        const err = toWardenError(e);
        Object.assign(outcome, {
          code: err.code,
          ...(err.kind === 'internal' ? {} : { reason: err.message }),
        });
      }
      sendError(res, e);
    }
    return true;
  };
}
