import { describe, expect, it } from 'vitest';
import { resolveDataset } from '../../robustness/index.js';
import {
  benignStream,
  calibrateOnPool,
  replayStream,
  syntheticAttackStream,
  type QueryPool,
} from './extraction-calibrate.js';
import { calibrateExtraction, ExtractionDetector, type CalibrationStream } from './extraction.js';

// Benign traffic: real digits from the shipped MNIST test split, one stream per client.
const mnist = resolveDataset('mnist', undefined, 'test');
const ROW = 784;
const pool: QueryPool = { data: mnist.x, rowSize: ROW, labels: mnist.y };
const stream = (seed: number, n: number) => benignStream(pool, n, seed);
const attacker = (seed: number, n: number) => syntheticAttackStream(pool, n, seed);

function replay(d: ExtractionDetector, who: string, s: CalibrationStream) {
  const first = replayStream(d, who, s);
  return { alarmed: d.isAlarmed(who), first };
}

describe('PRADA extraction detector', () => {
  const opts = { minQueries: 100, testEvery: 5 };
  const benign = Array.from({ length: 10 }, (_, i) => stream(i + 1, 400));
  const { threshold, minBenignW } = calibrateExtraction(benign, opts, 0.03);

  it('calibrates on benign clients: held-out benign clients raise no alarm', () => {
    expect(threshold).toBeGreaterThan(0.5);
    expect(threshold).toBeLessThan(minBenignW);
    const d = new ExtractionDetector({ ...opts, threshold });
    for (const seed of [11, 12, 13, 14, 15])
      expect(replay(d, `benign-${seed}`, stream(seed, 400)).alarmed).toBe(false);
  });

  it('raises an alarm for a synthetic-query extraction attack, once, and per principal', () => {
    const d = new ExtractionDetector({ ...opts, threshold });
    const hit = replay(d, 'thief', attacker(7, 400));
    expect(hit.alarmed).toBe(true);
    expect(hit.first).toBeLessThan(200); // within the first tests after minQueries
    expect(d.isAlarmed('someone-else')).toBe(false);
    d.reset('thief');
    expect(d.isAlarmed('thief')).toBe(false);
  });

  it('calibrates on long benign streams: held-out clients stay quiet, the thief is flagged early', () => {
    const r = calibrateOnPool(pool, { clients: 4, queries: 1500, seed: 3 });
    expect(r.threshold).toBeLessThan(r.minBenignW);
    expect(r.heldOutAlarms).toBe(0);
    expect(r.attackFlaggedAt).not.toBeNull();
    expect(r.attackFlaggedAt!).toBeLessThan(300);
  });
});
