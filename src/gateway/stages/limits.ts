import type { Redis } from 'ioredis';
import { gatewayError } from '../errors.js';

/** A token bucket: `rate` tokens per second refill a bucket of `burst`. */
export interface RateRule {
  rate: number;
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When refused: milliseconds until `cost` tokens are back. */
  retryAfterMs: number;
}

/** Takes tokens from named buckets; one implementation per place the buckets live. */
export interface RateLimiter {
  take(key: string, rule: RateRule, cost?: number): Promise<RateDecision>;
  /** The same decision without a promise, for limiters that decide in this process. */
  takeNow?(key: string, rule: RateRule, cost?: number): RateDecision;
  close(): Promise<void>;
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterMs: 0 });

/** Buckets in this process: exact, and free, but each replica counts alone. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly maxKeys = 100_000) {}

  take(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
    return Promise.resolve(this.takeNow(key, rule, cost));
  }

  takeNow(key: string, rule: RateRule, cost = 1): RateDecision {
    const now = performance.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.evictFull(now, rule);
      b = { tokens: rule.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(rule.burst, b.tokens + ((now - b.at) * rule.rate) / 1000);
    b.at = now;
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return ALLOWED;
    }
    return { allowed: false, retryAfterMs: Math.ceil(((cost - b.tokens) * 1000) / rule.rate) };
  }

  // Buckets that have refilled completely carry no state worth keeping.
  private evictFull(now: number, rule: RateRule): void {
    for (const [k, b] of this.buckets)
      if (b.tokens + ((now - b.at) * rule.rate) / 1000 >= rule.burst) this.buckets.delete(k);
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

// Refill and take in one atomic step on the Redis server, timed by the server's clock so replicas agree.
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(s[1])
local at = tonumber(s[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, retry}
`;

type WithTake = Redis & {
  wardenTake(key: string, rate: number, burst: number, cost: number): Promise<[number, number]>;
};

/**
 * Buckets in Redis, shared by every replica: one Lua script refills and takes atomically. Without Redis
 * the answer is GATEWAY_UNAVAILABLE (503): limits fail closed, and ioredis reconnects in the background.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: WithTake;
  private constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('wardenTake', { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as WithTake;
  }

  /** Connects (failing with GATEWAY_UNAVAILABLE within `timeoutMs` when Redis cannot be reached). */
  static async connect(
    url: string,
    opts: { prefix?: string; timeoutMs?: number } = {},
  ): Promise<RedisRateLimiter> {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: opts.timeoutMs ?? 3000,
      retryStrategy: (n) => Math.min(1000, 50 * n),
    });
    redis.on('error', () => {}); // reported per request as 503; reconnection is automatic
    try {
      await redis.connect();
    } catch (e) {
      redis.disconnect();
      throw gatewayError('GATEWAY_UNAVAILABLE', `cannot reach Redis at ${url}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    return new RedisRateLimiter(redis, opts.prefix ?? 'warden:rl:');
  }

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async take(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
    try {
      const [allowed, retry] = await this.redis.wardenTake(this.prefix + key, rule.rate, rule.burst, cost);
      return { allowed: allowed === 1, retryAfterMs: Number(retry) };
    } catch (e) {
      throw gatewayError('GATEWAY_UNAVAILABLE', `rate limits unavailable: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
