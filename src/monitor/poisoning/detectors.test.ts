import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/index.js';
import {
  POISON_DETECTORS,
  POISON_DETECTOR_NAMES,
  activationClustering,
  knnDisagreement,
  silhouette,
  twoMeans,
} from './detectors.js';
import type { Features } from './features.js';
import { featuresFromTable, scanPoison } from './scan.js';
import { parseTable } from '../../core/index.js';

// Synthetic representations: 4 classes of 150 samples around separated centres in 16 dimensions.
const rnd = seededRandom(9);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
function world(opts: { backdoor?: number; flips?: number }): {
  f: Features;
  labels: Uint8Array;
  poison: Set<number>;
} {
  const per = 150;
  const dim = 16;
  const n = per * 4;
  const data = new Float32Array(n * dim);
  const labels = new Uint8Array(n);
  const poison = new Set<number>();
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / per);
    labels[i] = c;
    for (let j = 0; j < dim; j++) data[i * dim + j] = (j % 4 === c ? 6 : 0) + gauss();
  }
  // backdoor: samples of classes 1-3 relabelled 0 and shifted along a trigger direction (dimension 15)
  for (let k = 0; k < (opts.backdoor ?? 0); k++) {
    const i = per + k * 3;
    labels[i] = 0;
    data[i * dim + 15] = (data[i * dim + 15] as number) + 8;
    poison.add(i);
  }
  for (let k = 0; k < (opts.flips ?? 0); k++) {
    const i = per * 2 + k * 2;
    labels[i] = 3;
    poison.add(i);
  }
  return { f: { data, dim, n }, labels, poison };
}

describe.each(POISON_DETECTORS.map((d) => [d.name, d] as const))(
  'poison detector contract: %s',
  (_n, det) => {
    const { f, labels } = world({ backdoor: 30 });
    it('scores every sample, flags a subset, and is deterministic', () => {
      const r = det.detect(f, labels, { expectedRate: 0.1 });
      expect(r.scores).toHaveLength(f.n);
      expect(r.flagged).toHaveLength(f.n);
      expect(r.flagged.every((v) => v === 0 || v === 1)).toBe(true);
      expect(det.detect(f, labels, { expectedRate: 0.1 })).toEqual(r);
    });
    it('rejects mismatched labels, empty input and a bad rate with typed errors', () => {
      expect(() => det.detect(f, labels.subarray(1))).toThrow(
        expect.objectContaining({ code: 'MONITOR_INVALID_OPTION' }),
      );
      expect(() => det.detect({ data: new Float32Array(0), dim: 3, n: 0 }, new Uint8Array(0))).toThrow(
        expect.objectContaining({ code: 'MONITOR_NO_DATA' }),
      );
      if (det.name !== 'knn' && det.name !== 'activation_clustering')
        expect(() => det.detect(f, labels, { expectedRate: 0.9 })).toThrow(
          expect.objectContaining({ code: 'MONITOR_INVALID_OPTION' }),
        );
    });
  },
);

describe('what each detector catches', () => {
  const recall = (flagged: Uint8Array, poison: Set<number>): number =>
    [...poison].filter((i) => flagged[i]).length / poison.size;
  const precision = (flagged: Uint8Array, poison: Set<number>): number => {
    const all = [...flagged.keys()].filter((i) => flagged[i]);
    return all.filter((i) => poison.has(i)).length / Math.max(1, all.length);
  };
  it('activation clustering isolates a relabelled, triggered sub-population', () => {
    const { f, labels, poison } = world({ backdoor: 30 });
    const r = activationClustering.detect(f, labels);
    expect(recall(r.flagged, poison)).toBeGreaterThan(0.9);
    expect(precision(r.flagged, poison)).toBeGreaterThan(0.9);
  });
  it('kNN label disagreement catches flipped labels', () => {
    const { f, labels, poison } = world({ flips: 25 });
    const r = knnDisagreement.detect(f, labels);
    expect(recall(r.flagged, poison)).toBeGreaterThan(0.9);
    expect(precision(r.flagged, poison)).toBeGreaterThan(0.9);
  });
  it('2-means and silhouette: two far blobs split cleanly with a silhouette near 1', () => {
    const pts = Float32Array.from([0, 0, 0.1, 0, 0, 0.1, 10, 10, 10.1, 10, 10, 10.1]);
    const f = { data: pts, dim: 2, n: 6 };
    const a = twoMeans(f, seededRandom(1));
    expect(new Set([a[0], a[1], a[2]]).size).toBe(1);
    expect(a[0]).not.toBe(a[3]);
    expect(silhouette(f, a)).toBeGreaterThan(0.95);
  });
  it('scanPoison votes across detectors; features come from a table with a label column', async () => {
    const t = await parseTable('a,b,y\n1,2,x\n1.1,2,x\n5,5,z\n5,5.2,z\n1,2.1,x\n5.1,5,z\n', 'csv');
    const { features, labels, classes } = featuresFromTable(t, 'y');
    expect(classes).toEqual(['x', 'z']);
    expect(features.dim).toBe(2);
    const s = scanPoison(features, labels, [...POISON_DETECTOR_NAMES], { k: 2 });
    expect(Object.keys(s.detectors)).toEqual([...POISON_DETECTOR_NAMES]);
    await expect(
      parseTable('a,y\nfoo,x\n', 'csv').then((bad) => featuresFromTable(bad, 'y')),
    ).rejects.toThrow(/not a number/);
  });
});
