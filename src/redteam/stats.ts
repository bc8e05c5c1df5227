/** A proportion with its Wilson score interval. */
export interface Proportion {
  successes: number;
  n: number;
  /** successes / n (0 when n is 0). */
  rate: number;
  low: number;
  high: number;
}

/** z for a two-sided confidence level (the levels reports use; anything else falls back to 95%). */
export function zFor(confidence: number): number {
  if (confidence === 0.9) return 1.6448536269514722;
  if (confidence === 0.99) return 2.5758293035489004;
  return 1.959963984540054;
}

/**
 * Wilson score interval for a binomial proportion: unlike the normal approximation it stays inside [0, 1]
 * and behaves at 0 and n successes, which is where attack success rates often sit. n = 0 gives [0, 1].
 */
export function wilson(successes: number, n: number, confidence = 0.95): Proportion {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || successes < 0 || n < 0 || successes > n)
    throw new RangeError(`wilson: need integers 0 <= successes <= n, got ${successes}/${n}`);
  if (n === 0) return { successes, n, rate: 0, low: 0, high: 1 };
  const z = zFor(confidence);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // exact bounds at the edges, so 0/n reports a low of exactly 0 and n/n a high of exactly 1
  const low = successes === 0 ? 0 : Math.max(0, centre - half);
  const high = successes === n ? 1 : Math.min(1, centre + half);
  return { successes, n, rate: p, low, high };
}
