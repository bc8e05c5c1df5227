import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WardenError } from '../../core/index.js';
import { httpError, readJsonBody, sendError, sendJson } from '../../core/http.js';
import type { Guard } from '../pipeline.js';
import { handleChat, type UpstreamOptions } from './proxy.js';
import { ScanRequestSchema, parseBody } from './schemas.js';

/** What the guard HTTP handler needs: the compiled guard, and optionally an upstream to proxy chats to. */
export interface GuardHandlerOptions {
  guard: Guard;
  upstream?: UpstreamOptions;
  /** Message roles scanned on the way in (default user and tool: system prompts are the operator's own). */
  scanRoles?: readonly string[];
  /** Largest request body in bytes (default 4 MiB). */
  maxBodyBytes?: number;
  /** Deepest JSON nesting of a request body (default 64). */
  maxDepth?: number;
  /** Plant a fresh canary in each proxied system prompt (default: when the output policy has `canary`). */
  canary?: boolean;
}

/** Handler settings with defaults applied, shared by the routes. */
export interface GuardContext {
  guard: Guard;
  upstream?: UpstreamOptions;
  scanRoles: readonly string[];
  canary: boolean;
  limits: { maxBytes: number; maxDepth: number };
}

type Route = (ctx: GuardContext, req: IncomingMessage, res: ServerResponse) => Promise<void>;

const ROUTES: Record<string, { method: string; run: Route }> = {
  '/healthz': { method: 'GET', run: health },
  '/v1/guard/scan': { method: 'POST', run: scan },
  '/v1/chat/completions': { method: 'POST', run: handleChat },
};

/**
 * A plain node:http request handler for the guard API, so any server (the gateway included) can mount it.
 * It never throws: every failure becomes a typed JSON error, and a broken connection is only closed.
 */
export function createGuardHandler(
  opts: GuardHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const ctx: GuardContext = {
    guard: opts.guard,
    ...(opts.upstream ? { upstream: opts.upstream } : {}),
    scanRoles: opts.scanRoles ?? ['user', 'tool'],
    canary: opts.canary ?? opts.guard.policy.output.some((r) => r.spec.name === 'canary'),
    limits: { maxBytes: opts.maxBodyBytes ?? 4 * 1024 * 1024, maxDepth: opts.maxDepth ?? 64 },
  };
  return (req, res) => {
    res.on('error', () => {}); // a client that went away is not the server's failure
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = ROUTES[path];
    const run = async (): Promise<void> => {
      if (!route) throw httpError('NOT_FOUND', `no route ${path}`);
      if (req.method !== route.method)
        throw new WardenError('HTTP_METHOD_NOT_ALLOWED', `${path} takes ${route.method}`, { kind: 'usage' });
      await route.run(ctx, req, res);
    };
    run().catch((e: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendError(res, e, route && req.method !== route.method ? { allow: route.method } : {});
      req.resume();
    });
  };
}

async function health(ctx: GuardContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  const p = ctx.guard.policy;
  sendJson(res, 200, {
    status: 'ok',
    detectors: { input: p.input.map((r) => r.spec.name), output: p.output.map((r) => r.spec.name) },
    proxy: ctx.upstream !== undefined,
  });
  return Promise.resolve();
}

async function scan(ctx: GuardContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = parseBody(ScanRequestSchema, await readJsonBody(req, ctx.limits));
  const r = ctx.guard.scan(body.text, body.direction, {
    ...(body.canaries ? { canaries: body.canaries } : {}),
    ...(body.prompt !== undefined ? { prompt: body.prompt } : {}),
  });
  sendJson(res, 200, { flagged: r.flagged, score: r.score, findings: r.findings, sanitized: r.sanitized });
}

/** Options of `startGuardServer`: the handler's, plus where to listen. */
export interface GuardServerOptions extends GuardHandlerOptions {
  host?: string;
  port?: number;
}

/** A running guard server. */
export interface RunningGuardServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the guard API on host:port (port 0 picks a free one) and resolves once it listens. */
export async function startGuardServer(opts: GuardServerOptions): Promise<RunningGuardServer> {
  const server = createServer(createGuardHandler(opts));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8787, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
