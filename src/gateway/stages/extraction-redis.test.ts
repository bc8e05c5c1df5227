import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDataset } from '../../robustness/index.js';
import { benignStream, replayStream, syntheticAttackStream, type QueryPool } from './extraction-calibrate.js';
import { ExtractionDetector, type CalibrationStream } from './extraction.js';
import { RedisExtractionDetector } from './extraction-redis.js';

// Two "replicas" share one principal's PRADA state through the real Redis on the machine.
const REDIS = process.env.WARDEN_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const mnist = resolveDataset('mnist', undefined, 'test');
const pool: QueryPool = { data: mnist.x, rowSize: 784, labels: mnist.y };
const prefix = `warden:test:${randomBytes(4).toString('hex')}:`;
const opts = { minQueries: 100, testEvery: 5, threshold: 0.85, prefix, ttlMs: 600_000 };
const opened: RedisExtractionDetector[] = [];
async function replica(model = 'mnist') {
  const d = await RedisExtractionDetector.connect(REDIS, model, opts);
  opened.push(d);
  return d;
}
afterAll(async () => {
  for (const d of opened) await d.close();
});

// Feeds a stream alternately to the replicas; returns the first row that raised the alarm and who raised it.
async function spread(replicas: RedisExtractionDetector[], who: string, s: CalibrationStream) {
  let first = -1;
  const raisedBy: number[] = [];
  let lastW: number | null = null;
  for (let r = 0; r < s.labels.length; r++) {
    const row = (s.data as Float32Array).subarray(r * s.rowSize, (r + 1) * s.rowSize);
    const v = await replicas[r % replicas.length]!.observe(who, row, s.rowSize, [s.labels[r]!]);
    if (v.w !== null) lastW = v.w;
    if (v.raised) {
      raisedBy.push(r % replicas.length);
      if (first < 0) first = r;
    }
  }
  return { first, raisedBy, lastW };
}

describe('PRADA state in Redis', () => {
  it('sees a thief spread over two replicas as one client, alarmed once, as the in-memory detector would', async () => {
    const [a, b] = [await replica(), await replica()];
    const thief = syntheticAttackStream(pool, 300, 7);
    const shared = await spread([a, b], 'thief', thief);
    const local = new ExtractionDetector(opts);
    const localFirst = replayStream(local, 'thief', thief);
    expect(localFirst).toBeGreaterThan(0);
    expect(shared.first).toBe(localFirst);
    expect(shared.raisedBy).toHaveLength(1);
    expect(await a.alarmed()).toEqual(['thief']);
    expect((await b.observe('thief', thief.data, 784, [thief.labels[0]!])).alarmed).toBe(true);
  });

  it('leaves a benign client spread over replicas unalarmed, and forgets a principal on reset', async () => {
    const [a, b] = [await replica('other'), await replica('other')];
    const honest = await spread([a, b], 'honest', benignStream(pool, 300, 3));
    expect(honest.first).toBe(-1);
    expect(honest.lastW).toBeGreaterThan(0.85);
    await a.reset('honest');
    expect(await a.alarmed()).toEqual([]);
  });
});
