/** One row of the comparison table: everything measured about one variant in this run. */
export interface TableRow {
  variant: string;
  cleanAccuracy: number;
  /** Worst case over FGSM and PGD, at the two eps. */
  robustAccuracy: [number, number];
  /** Robust accuracy by attack at the two eps. */
  byAttack: Record<string, [number, number]>;
  /** The DP guarantee's epsilon; null for a model trained without differential privacy (infinite). */
  epsilon: number | null;
  delta: number | null;
  /** Membership-inference AUC of the strongest attack (0.5 = no better than a coin). */
  membershipAuc: number;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function grid(header: string[], rows: string[][]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, k) => (k === 0 ? c.padEnd(widths[k] ?? 0) : c.padStart(widths[k] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The table security teams ask for: variant x clean accuracy x robust accuracy at both eps x epsilon x
 * membership-inference AUC, then the per-attack numbers behind the worst-case columns.
 */
export function renderTable(
  rows: readonly TableRow[],
  eps: readonly [number, number],
  notes: { examples: number; pgd: string },
): string {
  const main = grid(
    ['variant', 'clean acc', `robust @${eps[0]}`, `robust @${eps[1]}`, 'epsilon', 'MIA AUC'],
    rows.map((r) => [
      r.variant,
      pct(r.cleanAccuracy),
      pct(r.robustAccuracy[0]),
      pct(r.robustAccuracy[1]),
      r.epsilon === null ? 'inf' : r.epsilon.toFixed(2),
      r.membershipAuc.toFixed(3),
    ]),
  );
  const attacks = Object.keys(rows[0]?.byAttack ?? {});
  const detail = grid(
    ['variant', ...attacks.flatMap((a) => eps.map((e) => `${a.toUpperCase()} @${e}`))],
    rows.map((r) => [r.variant, ...attacks.flatMap((a) => (r.byAttack[a] ?? [NaN, NaN]).map((v) => pct(v)))]),
  );
  const delta = rows.find((r) => r.delta !== null)?.delta;
  return (
    `${main}\n\n` +
    `Robust accuracy: correct after the attack over all ${notes.examples} test digits (Linf, inputs in [0, 1]), ` +
    `worst of FGSM and ${notes.pgd}.\n` +
    `Epsilon: (epsilon, ${delta ?? 'delta'})-DP of DP-SGD (RDP accountant); inf = no privacy guarantee.\n` +
    `MIA AUC: strongest membership-inference attack (loss threshold, shadow models); 0.5 = chance.\n\n` +
    `${detail}\n`
  );
}
