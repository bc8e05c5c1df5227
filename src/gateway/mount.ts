import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Permission, Principal } from './rbac.js';
import type { Gateway } from './server.js';

/**
 * What a handler mounted in the gateway (the dashboard) gets for one request: the gateway's own admission
 * (authentication, RBAC, rate limit) and audit, so that its refusals are 401/403 with the gateway's error
 * body and its answers are audited like every other decision.
 */
export interface MountRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The gateway answering: its store, metrics, models and audit log. */
  gateway: Gateway;
  /** The request path without the query string. */
  path: string;
  /** Authenticates and authorizes `perm`; names the request's audit action and resource. Throws 401/403. */
  admit(action: string, resource: string, perm: Permission): Promise<Principal>;
  /** Records the answered request (metrics and audit); a handler that never calls it is not audited. */
  done(status: number): void;
}

/** A handler answering every request under `prefix` (e.g. `/ui` and `/api/ui`); errors it throws are answered by the gateway. */
export interface GatewayMount {
  prefixes: readonly string[];
  handle(r: MountRequest): Promise<void>;
}
