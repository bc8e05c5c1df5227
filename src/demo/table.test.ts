import { describe, expect, it } from 'vitest';
import { renderTable, type TableRow } from './table.js';

const row = (variant: string, epsilon: number | null, clean: number): TableRow => ({
  variant,
  cleanAccuracy: clean,
  robustAccuracy: [clean / 2, clean / 4],
  byAttack: { fgsm: [clean / 2, clean / 3], pgd: [clean / 2, clean / 4] },
  epsilon,
  delta: epsilon === null ? null : 1e-5,
  membershipAuc: 0.5123,
});

describe('renderTable', () => {
  const text = renderTable([row('baseline', null, 0.98), row('dp-sgd', 7.99, 0.9)], [0.1, 0.3], {
    examples: 500,
    pgd: 'PGD-40',
  });
  const lines = text.split('\n');

  it('has one row per variant with every column of the comparison', () => {
    expect(lines[0]).toMatch(/^variant\s+clean acc\s+robust @0.1\s+robust @0.3\s+epsilon\s+MIA AUC$/);
    expect(lines[2]).toMatch(/^baseline\s+98\.0%\s+49\.0%\s+24\.5%\s+inf\s+0\.512$/);
    expect(lines[3]).toMatch(/^dp-sgd\s+90\.0%\s+45\.0%\s+22\.5%\s+7\.99\s+0\.512$/);
  });

  it('aligns the columns and explains them, then the per-attack numbers', () => {
    expect(new Set(lines.slice(0, 4).map((l) => l.length)).size).toBe(1);
    expect(text).toContain('over all 500 test digits');
    expect(text).toContain('(epsilon, 0.00001)-DP');
    expect(text).toMatch(/FGSM @0.1\s+FGSM @0.3\s+PGD @0.1\s+PGD @0.3/);
    expect(text).toMatch(/dp-sgd\s+45\.0%\s+30\.0%\s+45\.0%\s+22\.5%/);
  });
});
