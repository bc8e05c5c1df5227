import { z } from 'zod';
import { readJsonBody, sendJson, httpError } from '../core/http.js';
import {
  can,
  type Gateway,
  type GatewayMount,
  type MountRequest,
  type Permission,
} from '../gateway/index.js';
import { Registry, registryError } from '../registry/index.js';
import { SECURITY_HEADERS, loadAssets, type Asset } from './assets.js';
import { auditPage, chainStatus, gatewayView, guardView } from './gateway-views.js';
import { privacyView } from './privacy-view.js';
import { robustnessView } from './robustness-view.js';
import { modelsView, overviewView, scansView } from './registry-views.js';

/** The pages of the app and the gateway permission each needs. */
export const PAGES: readonly { page: string; permission: Permission }[] = [
  { page: 'overview', permission: 'registry:read' },
  { page: 'models', permission: 'registry:read' },
  { page: 'scans', permission: 'registry:read' },
  { page: 'robustness', permission: 'registry:read' },
  { page: 'privacy', permission: 'registry:read' },
  { page: 'gateway', permission: 'metrics:read' },
  { page: 'guard', permission: 'metrics:read' },
  { page: 'audit', permission: 'audit:read' },
];

const AuditQuery = z.strictObject({
  q: z.string().max(200).optional(),
  decision: z.enum(['allow', 'deny', 'error', 'admin', 'alarm']).optional(),
  offset: z.coerce.number().int().min(0).max(1e9).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const PromoteBody = z.strictObject({
  alias: z.string().min(1).max(64),
  expect: z.string().max(200).nullable().optional(),
});

function parse<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
  const r = schema.safeParse(v);
  if (!r.success) throw httpError('HTTP_BODY_INVALID', `invalid ${what}: ${z.prettifyError(r.error)}`);
  return r.data;
}

const API = '/api/ui';

/**
 * The dashboard, mounted in the gateway: the single-page app under /ui (public static files, strict CSP)
 * and its JSON under /api/ui, where every request passes the gateway's authentication, RBAC and audit.
 */
export function createDashboard(): GatewayMount {
  let assets: Map<string, Asset> | undefined;
  // the gateway's own registry when it serves the registry API; else one opened on its store, once
  const registries = new WeakMap<Gateway, Promise<Registry>>();
  const registry = (gw: Gateway) => {
    let r = registries.get(gw);
    if (!r)
      registries.set(
        gw,
        (r = gw.registryApi ? Promise.resolve(gw.registryApi.registry) : Registry.on(gw.store)),
      );
    return r;
  };
  return {
    prefixes: ['/ui', API],
    handle: async (m) => {
      if (!m.path.startsWith(API)) return serveAsset(m, (assets ??= loadAssets()));
      const route = m.path.slice(API.length) || '/';
      const json = (body: unknown) => {
        sendJson(m.res, 200, body, SECURITY_HEADERS);
        m.done(200);
      };
      const query = new URL(m.req.url ?? '/', 'http://ui.invalid').searchParams;
      const method = m.req.method ?? 'GET';
      const promote = /^\/versions\/([^/]+)\/promote$/.exec(route);
      if (promote) {
        if (method !== 'POST') throw httpError('HTTP_METHOD_NOT_ALLOWED', `${m.path} takes POST`);
        const ref = decodeURIComponent(promote[1]!);
        const p = await m.admit('ui.promote', ref, 'registry:promote');
        const body = parse(
          PromoteBody,
          await readJsonBody(m.req, { maxBytes: 4096, maxDepth: 4 }),
          'promotion',
        );
        const reg = await registry(m.gateway);
        const out = await reg.promote(
          ref,
          body.alias,
          p.id,
          body.expect === undefined ? {} : { expect: body.expect },
        );
        if (!out.promoted)
          throw registryError(
            'REGISTRY_GATE_FAILED',
            `${out.ref} cannot become ${out.alias}: ${out.gate.unmet.map((c) => `${c.clause} (${c.detail})`).join('; ')}`,
          );
        return json(out);
      }
      if (method !== 'GET') throw httpError('HTTP_METHOD_NOT_ALLOWED', `${m.path} takes GET`);
      return json(await read(m, route, query, registry));
    },
  };
}

async function read(
  m: MountRequest,
  route: string,
  query: URLSearchParams,
  registry: (gw: Gateway) => Promise<Registry>,
): Promise<unknown> {
  const admit = (page: string, perm: Permission) => m.admit(`ui.${page}`, route, perm);
  switch (route) {
    case '/session': {
      const p = await admit('session', 'model:read');
      return {
        principal: { id: p.id, roles: p.roles, via: p.via },
        pages: PAGES.filter((x) => can(p, x.permission)).map((x) => x.page),
        can: {
          promote: can(p, 'registry:promote'),
          audit: can(p, 'audit:read'),
          metrics: can(p, 'metrics:read'),
        },
      };
    }
    case '/overview':
      await admit('overview', 'registry:read');
      return overviewView(await registry(m.gateway));
    case '/models': {
      const p = await admit('models', 'registry:read');
      const ref = query.get('ref') ?? undefined;
      return {
        ...(await modelsView(await registry(m.gateway), ref)),
        canPromote: can(p, 'registry:promote'),
      };
    }
    case '/scans':
      await admit('scans', 'registry:read');
      return scansView(await registry(m.gateway));
    case '/robustness':
      await admit('robustness', 'registry:read');
      return robustnessView(await registry(m.gateway));
    case '/privacy':
      await admit('privacy', 'registry:read');
      return privacyView(await registry(m.gateway));
    case '/gateway':
      await admit('gateway', 'metrics:read');
      return gatewayView(m.gateway);
    case '/guard':
      await admit('guard', 'metrics:read');
      return guardView(m.gateway.store);
    case '/audit': {
      await admit('audit', 'audit:read');
      const q = parse(AuditQuery, Object.fromEntries(query), 'audit query');
      return auditPage(m.gateway.store, q);
    }
    case '/audit/verify':
      await admit('audit', 'audit:read');
      return chainStatus(m.gateway, await registry(m.gateway));
    default:
      throw httpError('NOT_FOUND', `no dashboard route ${m.path}`);
  }
}

function serveAsset(m: MountRequest, assets: Map<string, Asset>): void {
  if (m.path === '/ui') {
    m.res.writeHead(308, { location: '/ui/', ...SECURITY_HEADERS });
    m.res.end();
    return;
  }
  const method = m.req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD')
    throw httpError('HTTP_METHOD_NOT_ALLOWED', `${m.path} takes GET`);
  const a = assets.get(m.path);
  if (!a) throw httpError('NOT_FOUND', `no dashboard file ${m.path}`);
  m.res.writeHead(200, {
    'content-type': a.type,
    'content-length': a.body.length,
    'cache-control': 'no-cache',
    ...SECURITY_HEADERS,
  });
  m.res.end(method === 'HEAD' ? undefined : a.body);
}
