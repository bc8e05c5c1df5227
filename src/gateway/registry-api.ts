import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  MAX_EVIDENCE_BYTES,
  type Registry,
  createRegistryHandler,
  registryRoute,
  type RegistryHandler,
  type RegistryOutcome,
} from '../registry/index.js';
import { permissionsOf, type Permission, type Principal } from './rbac.js';

export const REGISTRY_PREFIX = '/api/registry';

/** How the gateway names and authorizes one registry request. */
export interface RegistryRouteInfo {
  permission: Permission;
  action: string;
  /** The path below the prefix, for the audit record's resource. */
  resource: string;
}

/**
 * The registry's HTTP API behind the gateway: the gateway authenticates, authorizes the route's permission
 * and audits the outcome; the handler re-checks the permission against what the gateway's RBAC granted.
 */
export class RegistryApi {
  private readonly handler: RegistryHandler;

  constructor(
    readonly registry: Registry,
    maxBodyBytes: number,
  ) {
    this.handler = createRegistryHandler(registry, {
      prefix: REGISTRY_PREFIX,
      maxBodyBytes: Math.min(maxBodyBytes, MAX_EVIDENCE_BYTES),
    });
  }

  owns(path: string): boolean {
    return path === REGISTRY_PREFIX || path.startsWith(`${REGISTRY_PREFIX}/`);
  }

  /** An unknown route still needs registry:read, so that only authorized callers learn it is a 404. */
  route(method: string, path: string): RegistryRouteInfo {
    const resource = path.slice(REGISTRY_PREFIX.length) || '/';
    const r = registryRoute(method, resource);
    return r ? { ...r, resource } : { permission: 'registry:read', action: 'registry.unknown', resource };
  }

  /** Runs the request; resolves with the refusal's code and reason, if any. */
  async serve(req: IncomingMessage, res: ServerResponse, p: Principal): Promise<RegistryOutcome> {
    const outcome: RegistryOutcome = {};
    await this.handler(req, res, { id: p.id, roles: p.roles, permissions: permissionsOf(p) }, outcome);
    return outcome;
  }
}
