import { createHash } from 'node:crypto';
import {
  makeReport,
  type Finding,
  type Refs,
  type Report,
  type ReportItem,
  type Severity,
} from '../core/index.js';
import { NOT_COVERED, type NotCovered } from './coverage.js';
import { FAMILIES } from './families/index.js';
import { wilson } from './stats.js';
import { mergeRefs } from './taxonomy.js';
import { CATEGORIES, type Category, type Plant, type ProbeResult } from './types.js';

/** Attack success rate of one category or family, with its 95% Wilson interval. */
export interface RateRow {
  category: Category;
  family?: string;
  /** Probes that got an answer (success + resisted + blocked); errors are left out of the rate. */
  n: number;
  successes: number;
  resisted: number;
  blocked: number;
  errors: number;
  asr: number;
  low: number;
  high: number;
  refs: Refs;
}

/** What a red-team report carries on top of the core Report. */
export interface RedteamSection {
  target: string;
  endpoint: string;
  model: string;
  suites: Category[];
  seed: number;
  turns: number;
  stream: boolean;
  systemPrompt: { source: 'default' | 'custom'; sha256: string; chars: number };
  canary: string;
  total: Omit<RateRow, 'category' | 'refs'>;
  categories: RateRow[];
  families: RateRow[];
  probes: ProbeResult[];
  notCovered: readonly NotCovered[];
}

/** A core Report of kind `redteam`, with the rates and every probe's evidence in `redteam`. */
export interface RedteamReport extends Report {
  redteam: RedteamSection;
}

const SEVERITY: Record<Category, Severity> = {
  injection: 'high',
  jailbreak: 'high',
  encoding: 'high',
  leakage: 'critical',
  pii: 'critical',
};

function rate(results: readonly ProbeResult[]): Omit<RateRow, 'category' | 'refs'> {
  const count = (o: ProbeResult['outcome']): number => results.filter((r) => r.outcome === o).length;
  const successes = count('success');
  const resisted = count('resisted');
  const blocked = count('blocked');
  const n = successes + resisted + blocked;
  const w = wilson(successes, n);
  return { n, successes, resisted, blocked, errors: count('error'), asr: w.rate, low: w.low, high: w.high };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}...` : s).replace(/\s+/g, ' ');

export interface BuildInput {
  settings: {
    target: string;
    endpoint: string;
    model: string;
    suites: Category[];
    seed: number;
    turns: number;
    stream: boolean;
    systemPrompt?: string | undefined;
    failOn: Severity;
  };
  plant: Plant;
  results: ProbeResult[];
  startedAt: Date;
  durationMs: number;
}

/** Rates per category and family, one finding per family with a successful attack, one item per probe. */
export function buildRedteamReport(input: BuildInput): RedteamReport {
  const { settings: s, results } = input;
  const families: RateRow[] = [];
  const findings: Finding[] = [];
  for (const f of FAMILIES) {
    const rs = results.filter((r) => r.family === f.name);
    if (!rs.length) continue;
    const row: RateRow = { category: f.category, family: f.name, ...rate(rs), refs: f.refs };
    families.push(row);
    const example = rs.find((r) => r.outcome === 'success');
    if (!example) continue;
    findings.push({
      id: `redteam.${f.name}`,
      detector: `redteam.${f.category}`,
      severity: SEVERITY[f.category],
      title: `${f.name}: ${row.successes}/${row.n} attacks succeeded (ASR ${pct(row.asr)})`,
      detail:
        `ASR ${pct(row.asr)} [95% CI ${pct(row.low)}-${pct(row.high)}]. Example ${example.id}: ${example.evidence}. ` +
        `Prompt "${cut(example.prompt, 160)}"; reply "${cut(example.response, 160)}"`,
      location: { path: s.endpoint },
      refs: f.refs,
    });
  }
  const categories: RateRow[] = CATEGORIES.filter((c) => s.suites.includes(c)).map((c) => ({
    category: c,
    ...rate(results.filter((r) => r.category === c)),
    refs: mergeRefs(families.filter((f) => f.category === c).map((f) => f.refs)),
  }));
  const total = rate(results);
  const items: ReportItem[] = results.map((r) => ({
    name: r.id,
    format: r.family,
    status: r.outcome === 'success' ? 'findings' : r.outcome === 'error' ? 'error' : 'clean',
    findings: r.outcome === 'success' ? 1 : 0,
    ms: r.ms,
    ...(r.error ? { error: r.error } : {}),
  }));
  const metrics: Record<string, number> = {
    probes: results.length,
    successes: total.successes,
    resisted: total.resisted,
    blocked: total.blocked,
    errors: total.errors,
    asr: total.asr,
    'asr.low': total.low,
    'asr.high': total.high,
    durationMs: Math.round(input.durationMs),
    probesPerSecond: input.durationMs > 0 ? results.length / (input.durationMs / 1000) : 0,
  };
  for (const c of categories) {
    metrics[`asr.${c.category}`] = c.asr;
    metrics[`asr.${c.category}.low`] = c.low;
    metrics[`asr.${c.category}.high`] = c.high;
    metrics[`n.${c.category}`] = c.n;
  }
  const base = makeReport({
    kind: 'redteam',
    subject: { name: s.target },
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    findings: findings.sort((a, b) =>
      a.severity === b.severity ? a.id.localeCompare(b.id) : a.severity === 'critical' ? -1 : 1,
    ),
    items,
    metrics,
    failOn: s.failOn,
  });
  // every probe erroring means nothing was measured: that is an error, not a pass
  const verdict = base.verdict === 'pass' && total.n === 0 ? 'error' : base.verdict;
  return {
    ...base,
    verdict,
    redteam: {
      target: s.target,
      endpoint: s.endpoint,
      model: s.model,
      suites: s.suites,
      seed: s.seed,
      turns: s.turns,
      stream: s.stream,
      systemPrompt: {
        source: s.systemPrompt ? 'custom' : 'default',
        sha256: createHash('sha256').update(input.plant.systemPrompt).digest('hex'),
        chars: input.plant.systemPrompt.length,
      },
      canary: input.plant.canary,
      total,
      categories,
      families,
      probes: results,
      notCovered: NOT_COVERED,
    },
  };
}
