import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Black-box: the built CLI (npm test builds first), as a user runs it.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'warden-fairness-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'fairness', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// The Fairlearn user-guide arrays (fairlearn/fairlearn docs/user_guide/assessment/common_fairness_metrics.rst)
const yTrue = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1];
const yPred = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0];
const sf = [...'bbabbcccaacabccbcc'];
const csv = join(dir, 'preds.csv');
writeFileSync(csv, ['label,pred,group', ...yTrue.map((y, i) => `${y},${yPred[i]},${sf[i]}`)].join('\n'));

describe('warden fairness', () => {
  it('--json: Fairlearn numbers, groups with intervals, metric intervals', () => {
    const reportFile = join(dir, 'report.json');
    const r = warden([
      '--data',
      csv,
      '--label',
      'label',
      '--prediction',
      'pred',
      '--sensitive',
      'group',
      '--json',
      '--report',
      reportFile,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as {
      metrics: Record<string, number | null>;
      groups: Record<string, { count: number; selection_rate: number; intervals: Record<string, number[]> }>;
      intervals: Record<string, number[]>;
    };
    expect(out.metrics.demographic_parity_difference).toBeCloseTo(0.25, 12);
    expect(out.metrics.demographic_parity_ratio).toBeCloseTo(2 / 3, 12);
    expect(out.metrics.equalized_odds_difference).toBe(1);
    expect(out.metrics.equalized_odds_ratio).toBe(0);
    expect(Object.keys(out.groups)).toEqual(['a', 'b', 'c']);
    expect(out.groups.a?.count).toBe(4);
    expect(out.groups.a?.intervals.selection_rate).toHaveLength(2);
    expect(out.intervals.demographic_parity_difference).toHaveLength(2);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      kind: string;
      findings: { id: string }[];
    };
    expect(report.kind).toBe('fairness');
    expect(report.findings.map((f) => f.id)).toEqual([
      'fairness.demographic_parity',
      'fairness.equalized_odds',
    ]);
  });

  it('AIF360 signed metrics with --privileged, a table by default, and --fail-on medium exits 1', () => {
    const r = warden([
      '--data',
      csv,
      '--label',
      'label',
      '--prediction',
      'pred',
      '--sensitive',
      'group',
      '--privileged',
      'a',
      '--fail-on',
      'medium',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/statistical_parity_difference/);
    expect(r.out).toMatch(/average_odds_difference/);
    expect(r.out).toMatch(/group\s+count\s+selection/);
  });

  it('bad input: typed errors and exit 2', () => {
    const cases: [string[], RegExp][] = [
      [
        ['--data', csv, '--label', 'nope', '--prediction', 'pred', '--sensitive', 'group'],
        /no column "nope"/,
      ],
      [
        [
          '--data',
          csv,
          '--label',
          'label',
          '--prediction',
          'pred',
          '--sensitive',
          'group',
          '--privileged',
          'zz',
        ],
        /MONITOR_INVALID_OPTION/,
      ],
      [
        ['--data', csv, '--label', 'group', '--prediction', 'pred', '--sensitive', 'group'],
        /MONITOR_COLUMN_INVALID/,
      ],
      [
        [
          '--data',
          csv,
          '--label',
          'label',
          '--prediction',
          'pred',
          '--sensitive',
          'group',
          '--confidence',
          '2',
        ],
        /USAGE/,
      ],
    ];
    for (const [args, err] of cases) {
      const r = warden(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(err);
    }
  });
});
