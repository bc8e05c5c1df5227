import type { Redis } from 'ioredis';
import { gatewayError } from '../errors.js';
import {
  DEFAULT_EXTRACTION,
  SparseProjection,
  type ExtractionOptions,
  type ExtractionVerdict,
} from './extraction.js';
import { shapiroW } from './stats.js';

// One query's update, atomic in Redis: the principal's distance window, the class's stored points and
// its acceptance threshold (mean - sd of the class's distances, kept as running sums), the query count,
// and the distance window itself when a normality test is due. ARGV[2] = -1 marks a class's first point.
const UPDATE = `
local point, dist, label = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local perClass, window = tonumber(ARGV[4]), tonumber(ARGV[5])
local minQueries, testEvery, ttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
if dist < 0 then
  redis.call('RPUSH', KEYS[1], point)
else
  redis.call('RPUSH', KEYS[4], ARGV[2])
  if redis.call('LLEN', KEYS[4]) > window then redis.call('LPOP', KEYS[4]) end
  local c = redis.call('HMGET', KEYS[3], 't:' .. label, 's:' .. label, 'q:' .. label)
  local thr, sum, sq = tonumber(c[1] or '0'), tonumber(c[2] or '0'), tonumber(c[3] or '0')
  if dist > thr then
    redis.call('RPUSH', KEYS[1], point)
    if redis.call('LLEN', KEYS[1]) > perClass then redis.call('LPOP', KEYS[1]) end
    redis.call('RPUSH', KEYS[2], ARGV[2])
    sum, sq = sum + dist, sq + dist * dist
    if redis.call('LLEN', KEYS[2]) > window then
      local old = tonumber(redis.call('LPOP', KEYS[2]))
      sum, sq = sum - old, sq - old * old
    end
    local n = redis.call('LLEN', KEYS[2])
    local mean = sum / n
    local sd = math.sqrt(math.max(0, sq / n - mean * mean))
    redis.call('HSET', KEYS[3], 't:' .. label, string.format('%.17g', math.max(thr, mean - sd)), 's:' .. label, string.format('%.17g', sum), 'q:' .. label, string.format('%.17g', sq))
  end
end
local seen = redis.call('HINCRBY', KEYS[3], 'seen', 1)
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
local len = redis.call('LLEN', KEYS[4])
if len >= minQueries and seen % testEvery == 0 then return {seen, redis.call('LRANGE', KEYS[4], 0, -1)} end
return {seen, false}
`;

type WithUpdate = Redis & {
  wardenPrada(...args: (string | number | Buffer)[]): Promise<[number, string[] | null]>;
};

/** Options of the shared detector: the PRADA settings and how long an idle principal's state is kept. */
export interface RedisExtractionOptions extends Partial<ExtractionOptions> {
  /** Key prefix (default `warden:prada:`). */
  prefix?: string;
  /** Idle state expires after this long (default 24 h). */
  ttlMs?: number;
  seed?: number;
}

/**
 * The PRADA extraction detector with its per-principal state in Redis, so that replicas behind one load
 * balancer see one principal's queries together: a thief who spreads queries over replicas is measured
 * as one client. Distances are computed here (the class's stored points are read), the state update is one
 * atomic script, and the alarm is a set member, so exactly one replica raises it.
 */
export class RedisExtractionDetector {
  private readonly opts: ExtractionOptions;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly seed: number;
  private projection: SparseProjection | undefined;

  constructor(
    private readonly redis: WithUpdate,
    private readonly model: string,
    o: RedisExtractionOptions = {},
  ) {
    this.opts = { ...DEFAULT_EXTRACTION, ...o };
    this.prefix = `${o.prefix ?? 'warden:prada:'}${model}:`;
    this.ttlMs = o.ttlMs ?? 86_400_000;
    this.seed = o.seed ?? 0x9ada;
    redis.defineCommand('wardenPrada', { numberOfKeys: 4, lua: UPDATE });
  }

  /** A detector on a connection of its own to `url`. */
  static async connect(url: string, model: string, o: RedisExtractionOptions = {}) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (e) {
      redis.disconnect();
      throw gatewayError('GATEWAY_UNAVAILABLE', `cannot reach Redis at ${url}: ${(e as Error).message}`);
    }
    return new RedisExtractionDetector(redis as WithUpdate, model, o);
  }

  private get alarmKey(): string {
    return `${this.prefix}alarmed`;
  }

  /** Observes one batch of rows as `ExtractionDetector.observe` does, against the shared state. */
  async observe(
    principal: string,
    data: ArrayLike<number>,
    rowSize: number,
    labels: readonly number[],
  ): Promise<ExtractionVerdict> {
    if (this.projection?.size !== rowSize)
      this.projection = new SparseProjection(rowSize, this.opts.dims, this.seed);
    const base = `${this.prefix}${principal}:`;
    let raised = false;
    let w: number | null = null;
    let n = 0;
    for (let r = 0; r < labels.length; r++) {
      const p = this.projection.apply(data, r * rowSize).slice(); // kept across awaits
      const label = String(labels[r]);
      const points = await this.redis.lrangeBuffer(`${base}p:${label}`, 0, -1);
      let min = Infinity;
      for (const q of points) {
        if (q.length !== p.length * 4) continue; // not a point of this projection
        let d = 0;
        for (let i = 0; i < p.length; i++) d += (p[i]! - q.readFloatLE(i * 4)) ** 2;
        if (d < min) min = d;
      }
      const dist = points.length === 0 ? -1 : Math.sqrt(min);
      const [, window] = await this.redis.wardenPrada(
        `${base}p:${label}`,
        `${base}cd:${label}`,
        `${base}m`,
        `${base}d`,
        Buffer.from(p.buffer, p.byteOffset, p.byteLength),
        String(dist),
        label,
        this.opts.perClass,
        this.opts.window,
        this.opts.minQueries,
        this.opts.testEvery,
        this.ttlMs,
      );
      if (window) {
        n = window.length;
        w = shapiroW(window.map(Number));
        if (w < this.opts.threshold && (await this.redis.sadd(this.alarmKey, principal)) === 1) raised = true;
      }
    }
    const alarmed = raised || (await this.redis.sismember(this.alarmKey, principal)) === 1;
    return { raised, alarmed, w, distances: n };
  }

  /** Every principal any replica has alarmed on this model. */
  alarmed(): Promise<string[]> {
    return this.redis.smembers(this.alarmKey);
  }

  /** Forgets a principal's state and alarm (an operator cleared it). */
  async reset(principal: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.prefix}${principal}:*`,
        'COUNT',
        200,
      );
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
    await this.redis.srem(this.alarmKey, principal);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
