import { describe, expect, it } from 'vitest';
import { SecureRandom, seededRandom } from './random.js';

describe('SecureRandom', () => {
  it('is reproducible from a seed, differs across seeds, and is fresh without one', () => {
    const draw = (r: SecureRandom) => Array.from({ length: 5 }, () => r.uniform());
    expect(draw(new SecureRandom('a'))).toEqual(draw(new SecureRandom('a')));
    expect(draw(new SecureRandom('a'))).not.toEqual(draw(new SecureRandom('b')));
    expect(draw(new SecureRandom())).not.toEqual(draw(new SecureRandom()));
    expect(new SecureRandom(1).seeded).toBe(true);
    expect(new SecureRandom().seeded).toBe(false);
  });

  it('uniforms lie in [0, 1) with mean 1/2 and variance 1/12, bulk or one by one', () => {
    const r = new SecureRandom(7);
    const u = new Float64Array(1_000_000);
    r.fillUniform(u);
    let m = 0;
    let v = 0;
    let outside = 0;
    for (const x of u) {
      if (!(x >= 0 && x < 1)) outside++;
      m += x;
    }
    expect(outside).toBe(0);
    m /= u.length;
    for (const x of u) v += (x - m) ** 2;
    expect(Math.abs(m - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / u.length));
    expect(Math.abs(v / u.length - 1 / 12)).toBeLessThan(1e-3);
    const a = new SecureRandom(9);
    const b = new SecureRandom(9);
    const bulk = new Float64Array(3);
    a.fillUniform(bulk);
    expect([...bulk]).toEqual([b.uniform(), b.uniform(), b.uniform()]);
  });

  it('Gaussian noise matches the normal CDF at fixed points, including the tails', () => {
    // Standard normal CDF values (facts of the distribution).
    const phi: [number, number][] = [
      [-4, 3.167124183e-5],
      [-3, 1.349898032e-3],
      [-2, 2.275013195e-2],
      [-1, 0.1586552539],
      [0, 0.5],
      [0.5, 0.6914624613],
      [1, 0.8413447461],
      [2.5, 0.9937903347],
      [3.5, 0.9997673709],
    ];
    const n = 2_000_000;
    const z = new Float32Array(n);
    new SecureRandom('gauss').addGaussian(z, 2);
    let s1 = 0;
    let s2 = 0;
    for (const v of z) {
      s1 += v;
      s2 += v * v;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(5 * (2 / Math.sqrt(n)));
    expect(Math.abs(s2 / n - 4)).toBeLessThan(0.02);
    for (const [x, p] of phi) {
      let below = 0;
      for (const v of z) if (v / 2 < x) below++;
      expect(Math.abs(below / n - p), `Phi(${x})`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n) + 1e-6);
    }
  });
});

describe('seededRandom', () => {
  it('repeats for a seed', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    expect([a(), a()]).toEqual([b(), b()]);
  });
});
