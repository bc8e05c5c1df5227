// RDP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019, section 3.3):
// rdp(alpha) = log(A_alpha) / (alpha - 1), A_alpha by the binomial expansion for integer orders and
// by the two-series expansion with erfc terms for fractional orders, all in log space.
import { logAdd, logErfc, logSub } from '../../core/index.js';

const LOG_HALF = Math.log(0.5);
// A fractional order whose series has not dropped below exp(-30) after this many terms is given up
// (rdp = Infinity, so the conversion ignores that order) instead of looping forever.
const MAX_FRAC_TERMS = 10_000;

function logAInt(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const twoVar = 2 * sigma * sigma;
  let logA = -Infinity;
  let logBinom = 0;
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log(alpha - i + 1) - Math.log(i);
    const s = logBinom + i * logQ + (alpha - i) * log1mQ + (i * i - i) / twoVar;
    logA = logAdd(logA, s);
  }
  return logA;
}

/**
 * How the fractional-order series is summed: `opacus` keeps the signs of binom(alpha, i) (the exact
 * series, as Opacus and TF Privacy); `dp-accounting` adds |terms| as current dp_accounting does, a
 * slightly larger RDP that is still an upper bound, and stops on its relative criterion.
 */
export type FractionalSeries = 'opacus' | 'dp-accounting';
export const FRACTIONAL_SERIES: readonly FractionalSeries[] = ['opacus', 'dp-accounting'];

function logAFrac(q: number, sigma: number, alpha: number, series: FractionalSeries): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const twoVar = 2 * sigma * sigma;
  const sqrt2Sigma = Math.SQRT2 * sigma;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  // binom(alpha, i) for non-integer alpha changes sign once i > alpha: track log|coef| and its sign.
  let logCoef = 0;
  let sign = 1;
  let lastS0 = -Infinity;
  let lastS1 = -Infinity;
  for (let i = 0; i < MAX_FRAC_TERMS; i++) {
    if (i > 0) {
      const factor = (alpha - i + 1) / i;
      if (factor < 0) sign = -sign;
      logCoef += Math.log(Math.abs(factor));
    }
    const j = alpha - i;
    const logT0 = logCoef + i * logQ + j * log1mQ;
    const logT1 = logCoef + j * logQ + i * log1mQ;
    const logE0 = LOG_HALF + logErfc((i - z0) / sqrt2Sigma);
    const logE1 = LOG_HALF + logErfc((z0 - j) / sqrt2Sigma);
    const logS0 = logT0 + (i * i - i) / twoVar + logE0;
    const logS1 = logT1 + (j * j - j) / twoVar + logE1;
    if (sign > 0 || series === 'dp-accounting') {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (series === 'opacus') {
      if (Math.max(logS0, logS1) < -30) return logAdd(logA0, logA1);
    } else {
      const total = logAdd(logA0, logA1);
      if (logS0 < lastS0 && logS1 < lastS1 && Math.max(logS0, logS1) < total - 30) return total;
      if (i + 1 >= 1000) return Infinity; // dp_accounting's _MAX_STEPS_LOG_A_FRAC
      lastS0 = logS0;
      lastS1 = logS1;
    }
  }
  return Infinity;
}

/** RDP at one order of one step with sampling rate q and noise multiplier sigma (already validated). */
export function computeRdp(
  q: number,
  sigma: number,
  order: number,
  series: FractionalSeries = 'opacus',
): number {
  if (q === 1) return order / (2 * sigma * sigma);
  if (order === Infinity) return Infinity;
  const logA = Number.isInteger(order) ? logAInt(q, sigma, order) : logAFrac(q, sigma, order, series);
  return logA / (order - 1);
}

/** RDP curve of `steps` compositions at every order. */
export function rdpCurve(
  q: number,
  sigma: number,
  steps: number,
  orders: readonly number[],
  series: FractionalSeries = 'opacus',
): Float64Array {
  const out = new Float64Array(orders.length);
  for (let k = 0; k < orders.length; k++) out[k] = steps * computeRdp(q, sigma, orders[k] as number, series);
  return out;
}
