import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../../core/index.js';
import { startRedis, type RedisProcess } from '../testing.js';
import { MemoryRateLimiter, RedisRateLimiter } from './limits.js';

const rule = { rate: 2, burst: 5 };

describe('MemoryRateLimiter', () => {
  it('lets a burst through, then refuses with the time until a token is back', async () => {
    const l = new MemoryRateLimiter();
    const got = await Promise.all(Array.from({ length: 7 }, () => l.take('a', rule)));
    expect(got.filter((d) => d.allowed)).toHaveLength(5);
    const refused = got.filter((d) => !d.allowed);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.retryAfterMs).toBeGreaterThan(0);
    expect(refused[0]!.retryAfterMs).toBeLessThanOrEqual(500);
    expect((await l.take('b', rule)).allowed).toBe(true); // buckets are per key
  });
});

describe('RedisRateLimiter', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('two replicas share one bucket atomically', async () => {
    const a = await RedisRateLimiter.connect(redis.url, { prefix: 'shared:' });
    const b = await RedisRateLimiter.connect(redis.url, { prefix: 'shared:' });
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).take('p', rule)));
    expect(got.filter((d) => d.allowed)).toHaveLength(5);
    expect(got.find((d) => !d.allowed)?.retryAfterMs).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('answers GATEWAY_UNAVAILABLE while Redis is down and recovers when it is back', async () => {
    const l = await RedisRateLimiter.connect(redis.url, { prefix: 'outage:' });
    expect((await l.take('k', rule)).allowed).toBe(true);
    await redis.stop();
    let err: unknown;
    try {
      await l.take('k', rule);
    } catch (e) {
      err = e;
    }
    expect(isWardenError(err) && err.code).toBe('GATEWAY_UNAVAILABLE');
    await redis.start();
    const deadline = Date.now() + 10_000;
    while (!l.ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await l.take('k', rule)).allowed).toBe(true);
    await l.close();
  });

  it('refuses to start against an unreachable Redis with a typed error', async () => {
    await redis.stop();
    const err = await RedisRateLimiter.connect(redis.url, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(isWardenError(err) && err.code).toBe('GATEWAY_UNAVAILABLE');
    await redis.start();
  });
});
