import type { GatewayFacts } from '../gateway-config.js';
import type { Check, PostureContext } from '../types.js';
import { fail, pass, unknown, type CheckOutcome } from './common.js';

const NEED = 'warden posture PATH --gateway-config gateway.yaml';

/** Runs `decide` on the gateway facts, or answers unknown (with where we looked) when there are none. */
function withGateway(ctx: PostureContext, decide: (g: GatewayFacts) => CheckOutcome): Promise<CheckOutcome> {
  if (!ctx.gateway) return Promise.resolve(unknown([ctx.gatewayNote], { command: NEED }));
  return Promise.resolve(decide(ctx.gateway));
}

const PRIVILEGED = /^(admin|ml_engineer|data_scientist|auditor)$/i;

export const rbac: Check = {
  id: 'rbac',
  title: 'RBAC on registry and serving',
  severity: 'high',
  refs: { owasp: ['ML05:2023', 'LLM06:2025'], atlas: ['AML.T0040'], cwe: ['CWE-285'] },
  run: (ctx) =>
    withGateway(ctx, (g) => {
      const src = `${g.source}:`;
      if (g.auth.disabled || g.auth.methods.length === 0)
        return fail([`${src} no authentication configured (auth: api keys, JWT or OIDC)`], {
          remedy: 'enable auth.apiKeys or auth.jwt in the gateway config',
        });
      if (g.rbac.roles.length === 0)
        return fail([`${src} authentication (${g.auth.methods.join(', ')}) but no RBAC roles`], {
          remedy: 'map principals to roles (viewer, data_scientist, ml_engineer, auditor, admin) under rbac',
        });
      if (g.rbac.anonymousRole && PRIVILEGED.test(g.rbac.anonymousRole))
        return fail([`${src} anonymous callers get the privileged role ${g.rbac.anonymousRole}`]);
      return pass([
        `${src} authentication by ${g.auth.methods.join(', ')}; roles ${g.rbac.roles.join(', ')} (the gateway also fronts the registry API)`,
      ]);
    }),
};

export const inputValidation: Check = {
  id: 'input-validation',
  title: 'Input validation on prediction endpoints',
  severity: 'medium',
  refs: { owasp: ['ML01:2023', 'LLM01:2025'], cwe: ['CWE-20'] },
  run: (ctx) =>
    withGateway(ctx, (g) =>
      g.validation.length || g.guard
        ? pass([
            `${g.source}: ${[...g.validation, ...(g.guard ? ['guard policy on text routes'] : [])].slice(0, 4).join(', ')}`,
          ])
        : fail([
            `${g.source}: no input validation (schema/shape/range checks, body size limits) or guard configured`,
          ]),
    ),
};

export const rateLimiting: Check = {
  id: 'rate-limiting',
  title: 'Rate limiting on prediction endpoints',
  severity: 'medium',
  refs: { owasp: ['ML05:2023', 'LLM10:2025'], atlas: ['AML.T0024', 'AML.T0029'], cwe: ['CWE-770'] },
  run: (ctx) =>
    withGateway(ctx, (g) =>
      g.rateLimits.length
        ? pass([`${g.source}: rate limits at ${g.rateLimits.slice(0, 3).join(', ')}`])
        : fail([
            `${g.source}: no rate limit with a positive rate (model extraction and unbounded consumption stay open)`,
          ]),
    ),
};

export const tls13: Check = {
  id: 'tls-1.3',
  title: 'TLS 1.3 on serving endpoints',
  severity: 'high',
  refs: { cwe: ['CWE-319', 'CWE-326'] },
  run: (ctx) =>
    withGateway(ctx, (g) => {
      if (!g.tls.enabled) return fail([`${g.source}: TLS is not configured (no certificate)`]);
      if (!g.tls.minVersion)
        return fail([`${g.source}: TLS on, but no minimum version (Node accepts TLS 1.2 by default)`], {
          remedy: 'set tls.minVersion: TLSv1.3',
        });
      return /1\.3/.test(g.tls.minVersion) && !/1\.[012]/.test(g.tls.minVersion)
        ? pass([`${g.source}: TLS minimum version ${g.tls.minVersion}`])
        : fail([`${g.source}: TLS minimum version ${g.tls.minVersion}`], {
            remedy: 'set tls.minVersion: TLSv1.3',
          });
    }),
};

export const mutualTls: Check = {
  id: 'mutual-tls',
  title: 'Mutual TLS between services',
  severity: 'medium',
  refs: { cwe: ['CWE-295'] },
  run: (ctx) =>
    withGateway(ctx, (g) =>
      g.tls.enabled && g.tls.clientCa
        ? pass([`${g.source}: client certificates required (client CA configured)`])
        : fail(
            [
              `${g.source}: ${g.tls.enabled ? 'no client CA: clients are not authenticated by certificate' : 'TLS is not configured'}`,
            ],
            { remedy: 'set tls.clientCa to the CA that issues service certificates' },
          ),
    ),
};

export const auditLogging: Check = {
  id: 'audit-logging',
  title: 'Audit logging',
  severity: 'medium',
  refs: { owasp: ['LLM10:2025'], cwe: ['CWE-778'] },
  run: (ctx) =>
    withGateway(ctx, (g) =>
      g.audit.enabled
        ? pass([`${g.source}: audit ${g.audit.detail ?? 'enabled'}`])
        : fail([`${g.source}: no audit log configured`], {
            remedy: 'enable audit (hash-chained, in the store) in the gateway config',
          }),
    ),
};

export const SERVING_CHECKS: Check[] = [rbac, inputValidation, rateLimiting, tls13, mutualTls, auditLogging];
