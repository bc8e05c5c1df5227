import { describe, expect, it } from 'vitest';
import { convolve, circularPower, fft } from './fft.js';
import { brentq, quad } from './numeric.js';
import { erfc, logAdd, logErfc, logSub, normCdf } from './special.js';

describe('special functions', () => {
  it('erfc and log erfc agree with scipy to ~1e-13 relative', () => {
    // Self-computed reference: scipy.special.erfc and log(2) + scipy.special.log_ndtr(-x*sqrt(2)).
    const ref: [number, number, number][] = [
      [-1, 1.8427007929497148, 0.61123231767807051],
      [0.1, 0.88753708398171516, -0.11930497373739557],
      [1, 0.15729920705028516, -1.8496055099332489],
      [2, 0.0046777349810472662, -5.3649412646166397],
      [3, 2.2090496998585445e-5, -10.720363041981116],
      [10, 2.0884875837625446e-45, -102.87988902484493],
      [26, 5.6631924088561454e-296, -679.8311997631946],
      [100, 0, -10005.177585122668],
    ];
    for (const [x, e, le] of ref) {
      if (e > 0) expect(Math.abs(erfc(x) / e - 1)).toBeLessThan(1e-13);
      expect(Math.abs(logErfc(x) - le)).toBeLessThan(1e-12 * Math.max(1, Math.abs(le)));
    }
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
  });

  it('log-space add and subtract', () => {
    expect(logAdd(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 15);
    expect(logAdd(-Infinity, 1)).toBe(1);
    expect(logSub(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 15);
    expect(logSub(2, 2)).toBe(-Infinity);
    expect(logSub(1000, 0)).toBe(1000);
    expect(() => logSub(1, 2)).toThrow(RangeError);
  });
});

describe('numerics', () => {
  it('Gauss-Kronrod is exact on polynomials and accurate on smooth integrands', () => {
    for (let k = 0; k <= 30; k++) expect(quad((x) => x ** k, 0, 1) * (k + 1)).toBeCloseTo(1, 13);
    expect(quad(Math.exp, -3, 2)).toBeCloseTo(Math.exp(2) - Math.exp(-3), 13);
  });

  it('brentq finds the root of cos(x) = x', () => {
    expect(brentq((x) => Math.cos(x) - x, 0, 1)).toBeCloseTo(0.7390851332151607, 11);
    expect(() => brentq((x) => x * x + 1, -1, 1)).toThrow(RangeError);
  });

  it('FFT convolution equals the direct sum, and the circular power equals repeated convolution', () => {
    const a = Float64Array.from([0.1, 0.2, 0.3, 0.4]);
    const b = Float64Array.from([0.5, 0.25, 0.25]);
    const direct = new Float64Array(6);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) direct[i + j]! += a[i]! * b[j]!;
    const c = convolve(a, b);
    for (let k = 0; k < 6; k++) expect(c[k]).toBeCloseTo(direct[k]!, 15);
    const p = new Float64Array(16);
    p.set([0.5, 0.3, 0.2]);
    const cube = circularPower(p, 3);
    const twice = convolve(convolve(p.slice(0, 3), p.slice(0, 3)), p.slice(0, 3));
    for (let k = 0; k < 7; k++) expect(cube[k]).toBeCloseTo(twice[k]!, 15);
    expect(() => fft(new Float64Array(3), new Float64Array(3))).toThrow(RangeError);
  });
});
