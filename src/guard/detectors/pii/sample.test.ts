import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codePointToUtf16Offsets } from '../../spans.js';
import { piiDetector, STRUCTURED_TYPES, type PiiType } from './index.js';

/*
 * Recall on a 66-record sample of presidio-research's synthetic PII set (test/fixtures/guard, see its
 * NOTICE). Gold offsets count code points and are converted here; a gold span counts as found when a
 * reported detection of the same type overlaps it with IoU >= 0.5. Nothing in the detector knows the sample.
 */

/** One labelled record as stored in the fixture. */
interface GoldRecord {
  text: string;
  spans: { start: number; end: number; type: string }[];
}

const FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/guard/pii-sample.jsonl', import.meta.url));
const records: GoldRecord[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as GoldRecord);

function iou(a: { start: number; end: number }, b: { start: number; end: number }): number {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  return inter / (Math.max(a.end, b.end) - Math.min(a.start, b.start));
}

/** Per structured type: gold spans, gold spans found, detections made, detections matching a gold span. */
function evaluate(): Map<PiiType, { gold: number; found: number; pred: number; correct: number }> {
  const det = piiDetector.create(piiDetector.options.parse({}));
  const stats = new Map(STRUCTURED_TYPES.map((t) => [t, { gold: 0, found: 0, pred: 0, correct: 0 }]));
  for (const r of records) {
    const map = codePointToUtf16Offsets(r.text);
    const gold = r.spans.map((s) => ({ type: s.type, start: map[s.start] ?? -1, end: map[s.end] ?? -1 }));
    const preds = det
      .detect(r.text, { direction: 'input', depth: 0, canaries: [] })
      .detections.filter((d) => d.score >= piiDetector.defaultThreshold);
    for (const g of gold) {
      const s = stats.get(g.type as PiiType);
      if (!s) continue;
      s.gold++;
      if (preds.some((p) => p.type === g.type && iou(p, g) >= 0.5)) s.found++;
    }
    for (const p of preds) {
      const s = stats.get(p.type as PiiType);
      if (!s) continue;
      s.pred++;
      if (gold.some((g) => g.type === p.type && iou(p, g) >= 0.5)) s.correct++;
    }
  }
  return stats;
}

describe('pii sample (presidio-research synth_dataset_v2 excerpt)', () => {
  const stats = evaluate();

  it('covers every structured type', () => {
    for (const t of STRUCTURED_TYPES) expect(stats.get(t)?.gold ?? 0, t).toBeGreaterThan(0);
  });

  it('recalls at least 95% of structured entities overall', () => {
    let gold = 0;
    let found = 0;
    for (const s of stats.values()) {
      gold += s.gold;
      found += s.found;
    }
    expect(found / gold).toBeGreaterThanOrEqual(0.95);
  });

  it('recalls at least 90% of each structured type and keeps precision above 90%', () => {
    for (const [t, s] of stats) {
      expect(s.found / s.gold, `${t} recall`).toBeGreaterThanOrEqual(0.9);
      expect(s.correct / Math.max(1, s.pred), `${t} precision`).toBeGreaterThanOrEqual(0.9);
    }
  });
});
