import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGuardHandler, DEFAULT_GUARD_POLICY, Guard, loadPolicyFile } from '../guard/index.js';
import type { GatewayConfig } from './config.js';

/** An OpenAI-compatible upstream mounted behind the guard. */
export interface ChatRoute {
  name: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Mounts each OpenAI-compatible upstream through the guard's own proxy (prompt and completion scanning,
 * canaries, streaming): the first at /v1/chat/completions, every one at /openai/NAME/v1/chat/completions.
 */
export function mountOpenAI(config: GatewayConfig): Map<string, ChatRoute> {
  const routes = new Map<string, ChatRoute>();
  for (const [name, u] of Object.entries(config.openai)) {
    const apiKey = u.apiKeyEnv ? process.env[u.apiKeyEnv] : undefined;
    const guard = new Guard(u.guardPolicy ? loadPolicyFile(u.guardPolicy) : DEFAULT_GUARD_POLICY);
    const handler = createGuardHandler({
      guard,
      upstream: { baseUrl: u.url, timeoutMs: u.timeoutMs, ...(apiKey ? { apiKey } : {}) },
      maxBodyBytes: config.limits.maxBodyBytes,
    });
    const route = { name, handler };
    if (routes.size === 0) routes.set('/v1/chat/completions', route);
    routes.set(`/openai/${name}/v1/chat/completions`, route);
  }
  return routes;
}
