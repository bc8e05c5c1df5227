import { describe, expect, it } from 'vitest';
import { convolve, circularPower, fft } from './fft.js';
import { brentq, quad } from './numeric.js';

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
