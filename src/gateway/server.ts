import type { IncomingMessage, ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import { VERSION, WardenError, toWardenError } from '../core/index.js';
import { parseJsonBody, readBody, sendError, sendJson, statusForError } from '../core/http.js';
import type { Store } from '../core/store/index.js';
import { AuditLog, workerWriter, type AuditEvent } from './audit/index.js';
import {
  ApiKeys,
  JwtAuthenticator,
  authenticate,
  authenticateCached,
  type Authenticators,
} from './auth/index.js';
import type { GatewayConfig } from './config.js';
import { gatewayError } from './errors.js';
import { GatewayMetrics } from './metrics.js';
import { loadModels, type ServedModel } from './models.js';
import { authorize, type Permission, type Principal } from './rbac.js';
import { openGatewayStore } from './schema.js';
import {
  MemoryRateLimiter,
  RedisRateLimiter,
  type RateDecision,
  type RateLimiter,
  type RateRule,
} from './stages/limits.js';
import { harden } from './stages/harden.js';
import { validateInfer } from './stages/validate.js';
import { parseOipJson } from './stages/oip-json.js';
import { mountOpenAI, type ChatRoute } from './openai.js';
import type { GatewayMount } from './mount.js';
import { RegistryApi } from './registry-api.js';
import { auditedMonitorEvents, inlineMonitors, threadMonitors, type Monitors } from './monitors.js';
import { Registry } from '../registry/index.js';

/** Per-request facts the audit record and metrics need. */
interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  t0: number;
  route: string;
  action: string;
  resource: string;
  principal?: Principal;
  detail: Record<string, unknown>;
}

/** Throws GATEWAY_RATE_LIMITED (429 with Retry-After) for a refused token. */
function refuse(d: RateDecision, scope: string): void {
  if (d.allowed) return;
  const err = gatewayError('GATEWAY_RATE_LIMITED', `rate limit of the ${scope} exceeded`);
  (err as { retryAfterMs?: number }).retryAfterMs = d.retryAfterMs;
  throw err;
}

/** Audits a model the gateway refused to load, with the code and what the checks found. */
function refuseModel(audit: AuditLog, name: string, e: unknown, facts: Record<string, unknown>): void {
  const err = toWardenError(e);
  audit.record({
    actor: 'gateway',
    action: 'model.refused',
    resource: name,
    decision: 'deny',
    status: 0,
    detail: { code: err.code, reason: err.message.slice(0, 500), ...facts },
  });
}

const MODEL_ROUTE = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/;

/** The gateway's components, wired once; `handle` is the node:http request handler. */
export class Gateway {
  private readonly auth: Authenticators;
  private readonly mounts: GatewayMount[] = [];
  private monitors: Monitors;
  /** Where monitor alarms land: metrics and the audit chain. */
  private readonly monitorEvents = () => auditedMonitorEvents(this.metrics, (e) => this.record(e));
  private constructor(
    readonly config: GatewayConfig,
    readonly store: Store,
    readonly audit: AuditLog,
    readonly limiter: RateLimiter,
    readonly models: Map<string, ServedModel>,
    readonly chats: Map<string, ChatRoute>,
    readonly metrics: GatewayMetrics,
    readonly registryApi?: RegistryApi,
  ) {
    this.auth = {
      keys: new ApiKeys(store, config.auth.keyCacheMs),
      ...(config.auth.jwt ? { jwt: new JwtAuthenticator(config.auth.jwt) } : {}),
      ...(config.auth.mtlsRoles ? { mtlsRoles: config.auth.mtlsRoles } : {}),
    };
    this.monitors = inlineMonitors(this.monitorEvents());
    metrics.auditBacklog.set({}, () => audit.backlog);
    metrics.auditWritten.set({}, () => audit.written);
  }

  /** Opens the store (migrating it), connects Redis, loads and checks every model. */
  static async create(config: GatewayConfig, opts: { mounts?: GatewayMount[] } = {}): Promise<Gateway> {
    const store = await openGatewayStore(config.store);
    const closers: (() => Promise<void>)[] = [() => store.close()];
    try {
      const limiter: RateLimiter = config.redis
        ? await RedisRateLimiter.connect(config.redis)
        : new MemoryRateLimiter();
      closers.push(() => limiter.close());
      const writer =
        config.audit.thread && !config.store.includes(':memory:')
          ? await workerWriter(config.store)
          : undefined;
      const audit = new AuditLog(store, { ...config.audit, ...(writer ? { writer } : {}) });
      closers.push(() => audit.close());
      const needsRegistry =
        config.registry.api || Object.values(config.models).some((m) => m.registry !== undefined);
      const registry = needsRegistry ? await Registry.on(store) : undefined;
      const models = await loadModels(config, {
        ...(registry ? { registry } : {}),
        refused: (name, e, facts) => refuseModel(audit, name, e, facts),
      });
      closers.push(() =>
        Promise.all([...models.values()].map((m) => m.backend.close())).then(() => undefined),
      );
      const chats = mountOpenAI(config);
      const registryApi =
        registry && config.registry.api ? new RegistryApi(registry, config.limits.maxBodyBytes) : undefined;
      const metrics = new GatewayMetrics();
      const gw = new Gateway(config, store, audit, limiter, models, chats, metrics, registryApi);
      gw.mounts.push(...(opts.mounts ?? []));
      const shared = config.redis && config.monitors.sharedExtraction ? { redis: config.redis } : {};
      const thread = config.monitors.thread;
      if (
        thread === true ||
        (thread === 'auto' && (shared.redis !== undefined || availableParallelism() >= 4))
      ) {
        const threaded = await threadMonitors(models, gw.monitorEvents(), shared);
        if (threaded) {
          gw.monitors = threaded;
          closers.push(() => threaded.close());
        }
      }
      for (const [name, m] of models)
        gw.record({
          actor: 'gateway',
          action: 'model.load',
          resource: name,
          decision: 'admin',
          status: 0,
          detail: { kind: m.backend.kind, version: m.backend.version, ...m.provenance },
        });
      return gw;
    } catch (e) {
      for (const c of closers.reverse()) await c().catch(() => {});
      throw e;
    }
  }

  record(e: AuditEvent): void {
    this.audit.record(e);
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    res.on('error', () => {});
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const ctx: Ctx = {
      req,
      res,
      t0: performance.now(),
      route: path,
      action: 'request',
      resource: path,
      detail: {},
    };
    this.route(ctx, path).catch((e: unknown) => this.fail(ctx, e));
  };

  private async route(ctx: Ctx, path: string): Promise<void> {
    const { req, res } = ctx;
    const method = req.method ?? 'GET';
    if (path === '/v2/health/live') return void sendJson(res, 200, { live: true });
    if (path === '/v2/health/ready') return this.ready(ctx);
    if (path === '/v2' || path === '/v2/')
      return void sendJson(res, 200, { name: 'warden', version: VERSION, extensions: [] });
    if (!this.audit.accepting)
      throw gatewayError('GATEWAY_UNAVAILABLE', 'audit log unavailable: refusing requests');
    if (path === '/metrics') {
      ctx.action = 'metrics.read';
      await this.admit(ctx, 'metrics:read');
      return this.done(ctx, 200, () => {
        const text = this.metrics.render();
        res.writeHead(200, {
          'content-type': 'text/plain; version=0.0.4',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      });
    }
    if (this.registryApi?.owns(path)) return this.registry(ctx, this.registryApi);
    const mount = this.mounts.find((x) => x.prefixes.some((p) => path === p || path.startsWith(`${p}/`)));
    if (mount) return this.mounted(ctx, mount, path);
    const chat = this.chats.get(path);
    if (chat) return this.chat(ctx, chat);
    const m = MODEL_ROUTE.exec(path);
    if (!m) throw gatewayError('GATEWAY_MODEL_NOT_FOUND', `no route ${path}`);
    const name = decodeURIComponent(m[1]!);
    const version = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const op = m[3];
    ctx.resource = name;
    ctx.action = op === '/infer' ? 'infer' : op === '/ready' ? 'model.ready' : 'model.read';
    const want = op === '/infer' ? 'POST' : 'GET';
    if (method !== want)
      throw new WardenError('HTTP_METHOD_NOT_ALLOWED', `${path} takes ${want}`, { kind: 'usage' });
    await this.admit(ctx, op === '/infer' ? 'model:predict' : 'model:read');
    const model = this.models.get(name);
    if (!model || (version !== undefined && version !== model.backend.version))
      throw gatewayError(
        'GATEWAY_MODEL_NOT_FOUND',
        `no model ${name}${version ? ` version ${version}` : ''}`,
      );
    if (op === '/ready') {
      const ready = await model.backend.ready();
      return this.done(ctx, 200, () => sendJson(res, 200, { name, ready }));
    }
    if (!op) return this.done(ctx, 200, () => sendJson(res, 200, model.backend.metadata()));
    return this.infer(ctx, model);
  }

  /** Authentication, authorization and the principal's rate limit: the stages every audited route passes. */
  private async admit(ctx: Ctx, perm: Permission): Promise<Principal> {
    // a cached API key and in-process buckets decide without a promise: most requests under load
    const p = authenticateCached(ctx.req, this.auth) ?? (await authenticate(ctx.req, this.auth));
    ctx.principal = p;
    authorize(p, perm, ctx.resource);
    const take = this.take(`p:${p.id}`, this.config.limits.perPrincipal, 'principal');
    if (take) await take;
    return p;
  }

  /** Takes a token; a promise only when the limiter is remote (Redis). Refusals throw GATEWAY_RATE_LIMITED. */
  private take(key: string, rule: RateRule, scope: string): Promise<void> | undefined {
    const now = this.limiter.takeNow?.(key, rule);
    if (now) return void refuse(now, scope);
    return this.limiter.take(key, rule).then((d) => refuse(d, scope));
  }

  private async infer(ctx: Ctx, model: ServedModel): Promise<void> {
    const p = ctx.principal!;
    if (this.monitors.blocked(model, p.id))
      throw gatewayError(
        'GATEWAY_EXTRACTION_BLOCKED',
        `${p.id} is blocked from ${model.name}: extraction alarm`,
      );
    const take = this.take(`m:${model.name}`, model.rate ?? this.config.limits.perModel, 'model');
    if (take) await take;
    const { maxBodyBytes, maxDepth } = this.config.limits;
    const bytes = await readBody(ctx.req, maxBodyBytes);
    // the exact fast parser for tensor bodies; anything it does not take goes to JSON.parse
    const body = parseOipJson(bytes, maxDepth) ?? parseJsonBody(bytes, maxDepth);
    const valid = validateInfer(body, model.backend.metadata(), model.rules);
    ctx.detail.batch = valid.batch;
    const raw = await model.backend.infer(valid.inputs);
    const hardened = harden(raw, model.output);
    const answer = {
      model_name: model.name,
      model_version: model.backend.version,
      ...(valid.id !== undefined ? { id: valid.id } : {}),
      outputs: hardened.outputs.map((o) => ({
        ...o,
        data: Array.isArray(o.data) ? o.data : Array.from(o.data as ArrayLike<number>),
      })),
    };
    this.done(ctx, 200, () => sendJson(ctx.res, 200, answer));
    // after the answer; a monitor failure is recorded, never turned into a broken connection
    this.monitors.observe(
      model,
      p.id,
      valid.inputs[0]!.data as ArrayLike<number>,
      valid.batch,
      hardened.labels,
    );
  }

  // A mounted handler (the dashboard) answers through the gateway's own admission, metrics and audit.
  private mounted(ctx: Ctx, mount: GatewayMount, path: string): Promise<void> {
    return mount.handle({
      req: ctx.req,
      res: ctx.res,
      gateway: this,
      path,
      admit: (action, resource, perm) => {
        ctx.action = action;
        ctx.resource = resource;
        return this.admit(ctx, perm);
      },
      done: (status) => this.finish(ctx, status, 'allow'),
    });
  }

  private async chat(ctx: Ctx, chat: ChatRoute): Promise<void> {
    ctx.action = 'chat';
    ctx.resource = chat.name;
    if (ctx.req.method !== 'POST')
      throw new WardenError('HTTP_METHOD_NOT_ALLOWED', `${ctx.route} takes POST`, { kind: 'usage' });
    await this.admit(ctx, 'model:predict');
    await this.take(`m:${chat.name}`, this.config.limits.perModel, 'model');
    ctx.req.url = '/v1/chat/completions';
    // the caller's Warden credential must never reach the upstream (the guard forwards Authorization)
    delete ctx.req.headers.authorization;
    await new Promise<void>((resolve) => {
      ctx.res.once('close', resolve);
      chat.handler(ctx.req, ctx.res);
    });
    // the guard names what it blocked in headers; the audit keeps it (the dashboard counts by detector)
    const guard = ctx.res.getHeader('x-warden-guard');
    if (guard !== undefined) ctx.detail.guard = String(guard);
    const detectors = ctx.res.getHeader('x-warden-guard-detectors');
    if (detectors !== undefined) ctx.detail.detectors = String(detectors).split(',').filter(Boolean);
    this.finish(ctx, ctx.res.statusCode, ctx.res.statusCode < 400 ? 'allow' : 'deny');
  }

  /** The registry API: authorized here by the route's permission, answered and refused by the registry. */
  private async registry(ctx: Ctx, api: RegistryApi): Promise<void> {
    const r = api.route(ctx.req.method ?? 'GET', ctx.route);
    ctx.action = r.action;
    ctx.resource = r.resource;
    const p = await this.admit(ctx, r.permission);
    const outcome = await api.serve(ctx.req, ctx.res, p);
    if (outcome.code) ctx.detail.code = outcome.code;
    if (outcome.reason) ctx.detail.reason = outcome.reason.slice(0, 300);
    const status = ctx.res.statusCode;
    this.finish(ctx, status, status < 400 ? 'allow' : status >= 500 ? 'error' : 'deny');
  }

  private async ready(ctx: Ctx): Promise<void> {
    const checks: Record<string, boolean> = { audit: this.audit.healthy && this.audit.accepting };
    if (this.limiter instanceof RedisRateLimiter) checks.redis = this.limiter.ready;
    for (const [name, m] of this.models) checks[`model:${name}`] = await m.backend.ready();
    const ready = Object.values(checks).every(Boolean);
    sendJson(ctx.res, ready ? 200 : 503, { ready, checks });
  }

  private done(ctx: Ctx, status: number, send: () => void): void {
    send();
    this.finish(ctx, status, 'allow');
  }

  private finish(ctx: Ctx, status: number, decision: AuditEvent['decision']): void {
    const seconds = (performance.now() - ctx.t0) / 1000;
    this.metrics.answer(ctx.action, status, seconds);
    try {
      this.record({
        actor: ctx.principal?.id ?? 'anonymous',
        action: ctx.action,
        resource: ctx.resource,
        decision,
        status,
        detail: ctx.detail,
      });
    } catch {
      // the backlog filled while this request ran; the next request is refused with 503
    }
  }

  private fail(ctx: Ctx, e: unknown): void {
    const err = toWardenError(e);
    const status = statusForError(err);
    const { res, req } = ctx;
    if (res.headersSent) res.destroy();
    else {
      const retry = (err as { retryAfterMs?: number }).retryAfterMs;
      const headers: Record<string, string> = {};
      if (retry !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(retry / 1000)));
      if (status === 401) headers['www-authenticate'] = 'Bearer';
      if (status === 503) headers['retry-after'] ??= '1';
      sendError(res, err, headers);
      req.resume();
    }
    if (status >= 500 || status === 401 || status === 403 || status === 429)
      this.metrics.denied.inc({ code: err.code });
    if (status === 503 && !this.audit.accepting) return; // cannot be audited; nothing reached a model
    ctx.detail.code = err.code;
    if (err.kind !== 'internal') ctx.detail.reason = err.message.slice(0, 300);
    this.finish(ctx, status, status >= 500 ? 'error' : 'deny');
  }

  async close(): Promise<void> {
    await this.monitors.close().catch(() => {});
    await this.audit.close().catch(() => {});
    await this.limiter.close();
    await Promise.all([...this.models.values()].map((m) => m.backend.close()));
    await this.store.close();
  }
}
