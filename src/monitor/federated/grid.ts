import { makeReport, type Finding, type Report, type Severity } from '../../core/index.js';
import { MONITOR_REFS } from '../refs.js';
import { AGGREGATOR_NAMES, type AggregatorName } from './aggregators.js';
import type { FlData } from './model.js';
import {
  FL_ATTACKS,
  simulate,
  type FlAttack,
  type SimulationOptions,
  type SimulationResult,
} from './simulate.js';

export interface GridOptions extends Omit<SimulationOptions, 'aggregator' | 'attack' | 'split'> {
  aggregators?: AggregatorName[];
  attacks?: FlAttack[];
  splits?: ('iid' | 'non_iid')[];
  onResult?: (r: SimulationResult) => void;
}

/** Every aggregator against every attack on every split: the table of the federated issue. */
export function simulateGrid(train: FlData, test: FlData, o: GridOptions = {}): SimulationResult[] {
  const out: SimulationResult[] = [];
  for (const split of o.splits ?? ['iid', 'non_iid'])
    for (const attack of o.attacks ?? [...FL_ATTACKS])
      for (const aggregator of o.aggregators ?? [...AGGREGATOR_NAMES]) {
        const r = simulate(train, test, { ...o, aggregator, attack, split });
        o.onResult?.(r);
        out.push(r);
      }
  return out;
}

/** Markdown table: one row per split and aggregator, one column per attack (backdoor: accuracy / success). */
export function gridTable(results: SimulationResult[]): string {
  const attacks = [...new Set(results.map((r) => r.attack))];
  const lines = [
    `| split | aggregator | ${attacks.join(' | ')} |`,
    `|---|---|${attacks.map(() => '---').join('|')}|`,
  ];
  const keys = [...new Set(results.map((r) => `${r.split}\u0000${r.aggregator}`))];
  for (const k of keys) {
    const [split, agg] = k.split('\u0000') as [string, string];
    const cells = attacks.map((a) => {
      const r = results.find((x) => x.split === split && x.aggregator === agg && x.attack === a);
      if (!r) return '-';
      const acc = (r.accuracy * 100).toFixed(1);
      return r.attackSuccess === undefined ? acc : `${acc} / ASR ${(r.attackSuccess * 100).toFixed(1)}`;
    });
    lines.push(`| ${split} | ${agg} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Evidence: an aggregator that loses over `maxDrop` accuracy to an attack, or lets a backdoor succeed, is a finding. */
export function gridReport(
  results: SimulationResult[],
  startedAt: string,
  maxDrop = 0.1,
  failOn: Severity = 'critical',
): Report {
  const findings: Finding[] = [];
  const metrics: Record<string, number> = {};
  for (const r of results) {
    const key = `${r.split}.${r.aggregator}.${r.attack}`;
    metrics[`accuracy.${key}`] = r.accuracy;
    if (r.attackSuccess !== undefined) metrics[`attack_success.${key}`] = r.attackSuccess;
    if (r.attack === 'none') continue;
    const clean = results.find(
      (x) => x.split === r.split && x.aggregator === r.aggregator && x.attack === 'none',
    );
    const drop = clean ? clean.accuracy - r.accuracy : 0;
    if (drop > maxDrop || (r.attackSuccess ?? 0) > 0.5)
      findings.push({
        id: 'federated.not_robust',
        detector: `federated/${r.aggregator}`,
        severity: 'high',
        title: `${r.aggregator} does not withstand ${r.attack} (${r.split})`,
        detail:
          r.attackSuccess !== undefined && r.attackSuccess > 0.5
            ? `backdoor success ${(r.attackSuccess * 100).toFixed(1)}%`
            : `accuracy ${(r.accuracy * 100).toFixed(1)}% vs ${((clean?.accuracy ?? 0) * 100).toFixed(1)}% without attack`,
        refs: MONITOR_REFS.byzantine,
      });
  }
  return makeReport({
    kind: 'federated',
    subject: { name: 'fl-simulate' },
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items: [],
    metrics,
    failOn,
  });
}
