import { describe, expect, it } from 'vitest';
import { isWardenError, seededRandom } from '../../core/index.js';
import { DRIFT_TESTS, getDriftTest } from './registry.js';
import { DRIFT_TEST_NAMES, type DriftColumn, type DriftTest } from './types.js';

// The contract every drift test keeps, whatever it measures.
const rnd = seededRandom(42);
const normal = (n: number, mu: number): Float64Array =>
  Float64Array.from(
    { length: n },
    () => mu + Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()),
  );
const binary = (n: number, shareA: number): string[] =>
  Array.from({ length: n }, (_, i) => (i < n * shareA ? 'a' : 'b'));

function samples(t: DriftTest): { same: DriftColumn; shifted: DriftColumn } {
  if (t.accepts.includes('categorical')) {
    const ref = binary(200, 0.7);
    return {
      same: { kind: 'categorical', reference: ref, current: [...ref] },
      shifted: { kind: 'categorical', reference: ref, current: binary(200, 0.2) },
    };
  }
  const ref = normal(300, 0);
  return {
    same: { kind: 'numerical', reference: ref, current: Float64Array.from(ref) },
    shifted: { kind: 'numerical', reference: ref, current: normal(300, 2) },
  };
}

describe('drift test registry', () => {
  it('has exactly one implementation per name', () => {
    expect(DRIFT_TESTS.map((t) => t.name).sort()).toEqual([...DRIFT_TEST_NAMES].sort());
  });
  it('names unknown tests in a usage error', () => {
    expect(() => getDriftTest('nope')).toThrow(/unknown drift test "nope"/);
  });
});

describe.each(DRIFT_TESTS.map((t) => [t.name, t] as const))('drift test contract: %s', (_name, t) => {
  const { same, shifted } = samples(t);

  it('finds no drift between identical samples and drift after a large shift', () => {
    const a = t.run(same);
    expect(a.drift).toBe(false);
    const b = t.run(shifted);
    expect(b.drift).toBe(true);
    expect(b.threshold).toBe(t.defaultThreshold);
  });

  it('reports a p-value exactly when it is a p-value test, in [0, 1]', () => {
    const r = t.run(shifted);
    if (t.output === 'p_value') {
      expect(r.pValue).not.toBeNull();
      expect(r.pValue as number).toBeGreaterThanOrEqual(0);
      expect(r.pValue as number).toBeLessThanOrEqual(1);
    } else {
      expect(r.pValue).toBeNull();
      expect(r.statistic).toBeGreaterThanOrEqual(0);
    }
  });

  it('follows an overridden threshold and rejects a bad one', () => {
    const never = t.output === 'p_value' ? 0 : Number.MAX_VALUE;
    expect(t.run(shifted, { threshold: never }).drift).toBe(false);
    expect(() => t.run(shifted, { threshold: -1 })).toThrow(
      expect.objectContaining({ code: 'MONITOR_INVALID_OPTION' }),
    );
  });

  it('is deterministic', () => {
    expect(t.run(shifted)).toEqual(t.run(shifted));
  });

  it('refuses a column kind it does not accept with a typed error', () => {
    const other: DriftColumn = t.accepts.includes('categorical')
      ? { kind: 'categorical', reference: ['a', 'b', 'c'], current: ['a', 'b', 'c'] }
      : { kind: 'categorical', reference: ['a', 'b'], current: ['b', 'a'] };
    if (t.accepts.includes('categorical')) return;
    try {
      t.run(other);
      expect.unreachable();
    } catch (e) {
      expect(isWardenError(e) && e.code).toBe('MONITOR_TEST_NOT_APPLICABLE');
    }
  });
});
