import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/index.js';
import { resolveDataset } from '../../robustness/index.js';
import { calibrateExtraction, ExtractionDetector, type CalibrationStream } from './extraction.js';

// Benign traffic: shuffled real digits from the shipped MNIST test split, one stream per client.
const mnist = resolveDataset('mnist', undefined, 'test');
const ROW = 784;
function stream(seed: number, n: number): CalibrationStream {
  const rand = seededRandom(seed);
  const data = new Float32Array(n * ROW);
  const labels: number[] = [];
  for (let r = 0; r < n; r++) {
    const i = Math.floor(rand() * mnist.size);
    data.set(mnist.x.subarray(i * ROW, (i + 1) * ROW), r * ROW);
    labels.push(mnist.y[i]!);
  }
  return { data, rowSize: ROW, labels };
}

// A Jacobian-augmentation-style attacker (Papernot et al.): a few seed digits, then rounds of small
// signed steps from every sample held so far, labelled like their parent.
function attacker(seed: number, n: number): CalibrationStream {
  const rand = seededRandom(seed);
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (let s = 0; s < 10; s++) {
    const i = Math.floor(rand() * mnist.size);
    rows.push(mnist.x.slice(i * ROW, (i + 1) * ROW));
    labels.push(mnist.y[i]!);
  }
  while (rows.length < n) {
    const parents = rows.length;
    for (let p = 0; p < parents && rows.length < n; p++) {
      const x = rows[p]!.map((v) => Math.min(1, Math.max(0, v + 0.1 * (rand() < 0.5 ? -1 : 1))));
      rows.push(x);
      labels.push(labels[p]!);
    }
  }
  const data = new Float32Array(n * ROW);
  rows.forEach((r, i) => data.set(r, i * ROW));
  return { data, rowSize: ROW, labels };
}

function replay(d: ExtractionDetector, who: string, s: CalibrationStream) {
  let first = -1;
  for (let r = 0; r < s.labels.length; r++) {
    const v = d.observe(who, (s.data as Float32Array).subarray(r * ROW, (r + 1) * ROW), ROW, [s.labels[r]!]);
    if (v.raised) first = r;
  }
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
});
