import { describe, expect, it } from 'vitest';
import { isWardenError } from '../../core/index.js';
import { getNoiseMultiplier } from '../calibrate.js';
import { ACCOUNTANTS } from './registry.js';
import type { Phase } from './types.js';

// The contract every accountant in the registry keeps, whatever its maths. Small histories keep the
// FFT-based accountants fast; the generous timeouts are for a loaded machine.
const SLOW = 240_000;
const A: Phase = { noiseMultiplier: 1.0, sampleRate: 0.05, steps: 40 };
const B: Phase = { noiseMultiplier: 1.6, sampleRate: 0.1, steps: 20 };
const DELTA = 1e-5;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isWardenError(e) ? e.code : 'untyped';
  }
  return undefined;
}

describe.each(ACCOUNTANTS.map((a) => [a.name, a] as const))('accountant contract: %s', (name, entry) => {
  const make = () => entry.create();

  it(
    'an empty history spends nothing',
    () => {
      expect(make().getEpsilon(DELTA)).toBe(0);
      expect(make().getDelta(1)).toBe(0);
      expect(make().name).toBe(name);
    },
    SLOW,
  );

  it(
    'step() merges into one phase and equals compose()',
    () => {
      const stepped = make();
      for (let i = 0; i < A.steps; i++) stepped.step(A.noiseMultiplier, A.sampleRate);
      expect(stepped.history).toEqual([A]);
      expect(stepped.getEpsilon(DELTA)).toBeCloseTo(make().compose(A).getEpsilon(DELTA), 10);
      stepped.step(B.noiseMultiplier, B.sampleRate);
      expect(stepped.history).toHaveLength(2);
    },
    SLOW,
  );

  it(
    'epsilon grows with steps and sampling rate and shrinks with noise',
    () => {
      const eps = (p: Phase): number => make().compose(p).getEpsilon(DELTA);
      const base = eps(A);
      expect(base).toBeGreaterThan(0);
      expect(eps({ ...A, steps: A.steps * 4 })).toBeGreaterThan(base);
      expect(eps({ ...A, sampleRate: A.sampleRate * 2 })).toBeGreaterThan(base);
      expect(eps({ ...A, noiseMultiplier: A.noiseMultiplier * 2 })).toBeLessThan(base);
    },
    SLOW,
  );

  it(
    'a heterogeneous history costs more than either phase and does not depend on order',
    () => {
      const ab = make().compose(A).compose(B).getEpsilon(DELTA);
      const ba = make().compose(B).compose(A).getEpsilon(DELTA);
      expect(ab).toBeGreaterThan(make().compose(A).getEpsilon(DELTA));
      expect(ab).toBeGreaterThan(make().compose(B).getEpsilon(DELTA));
      expect(ab).toBeCloseTo(ba, 6);
    },
    SLOW,
  );

  it(
    'getDelta at the reported epsilon is at most delta (up to the accountant error)',
    () => {
      const acc = make().compose(A);
      const eps = acc.getEpsilon(DELTA);
      expect(acc.getDelta(eps)).toBeLessThanOrEqual(DELTA * 1.01);
      expect(acc.getDelta(eps * 0.5)).toBeGreaterThan(DELTA);
    },
    SLOW,
  );

  it(
    'calibration reaches the target from below',
    () => {
      const sigma = getNoiseMultiplier({
        targetEpsilon: 2,
        delta: DELTA,
        sampleRate: 0.02,
        steps: 150,
        accountant: name,
      });
      const eps = make().compose({ noiseMultiplier: sigma, sampleRate: 0.02, steps: 150 }).getEpsilon(DELTA);
      expect(eps).toBeLessThanOrEqual(2);
      expect(eps).toBeGreaterThan(2 - 0.01);
    },
    SLOW,
  );

  it(
    'invalid parameters raise typed usage errors',
    () => {
      const acc = make();
      for (const q of [0, -0.1, 1.5, NaN, Infinity])
        expect(codeOf(() => acc.compose({ ...A, sampleRate: q }))).toBe('PRIVACY_INVALID_SAMPLE_RATE');
      for (const s of [0, -1, NaN, Infinity])
        expect(codeOf(() => acc.compose({ ...A, noiseMultiplier: s }))).toBe(
          'PRIVACY_INVALID_NOISE_MULTIPLIER',
        );
      for (const t of [0, -3, 1.5, NaN])
        expect(codeOf(() => acc.compose({ ...A, steps: t }))).toBe('PRIVACY_INVALID_STEPS');
      acc.compose(A);
      for (const d of [0, 1, -1e-5, NaN])
        expect(codeOf(() => acc.getEpsilon(d))).toBe('PRIVACY_INVALID_DELTA');
      for (const e of [-1, NaN]) expect(codeOf(() => acc.getDelta(e))).toBe('PRIVACY_INVALID_EPSILON');
      try {
        acc.getEpsilon(0);
      } catch (e) {
        expect(isWardenError(e) && e.kind).toBe('usage');
      }
      expect(acc.history).toEqual([A]);
    },
    SLOW,
  );
});
