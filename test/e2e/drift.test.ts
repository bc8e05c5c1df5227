import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/index.js';

// Black-box: the built CLI (npm test builds first), as a user runs it.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'warden-drift-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'drift', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const rnd = seededRandom(3);
const gauss = (mu: number): number =>
  mu + Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());

function table(n: number, shift: number, colourShare: number): string {
  const lines = ['age,income,colour,flag'];
  for (let i = 0; i < n; i++)
    lines.push(
      [
        (40 + 10 * gauss(shift)).toFixed(2),
        Math.round(50_000 + 8000 * gauss(0)),
        rnd() < colourShare ? 'red' : rnd() < 0.5 ? '"blue, dark"' : 'green',
        i % 2 ? 'yes' : 'no',
      ].join(','),
    );
  return `${lines.join('\n')}\n`;
}

const ref = join(dir, 'ref.csv');
const same = join(dir, 'same.csv');
const shifted = join(dir, 'shifted.csv');
writeFileSync(ref, table(400, 0, 0.3));
writeFileSync(same, table(300, 0, 0.3));
writeFileSync(shifted, table(300, 1.5, 0.8));

interface DriftJson {
  drift: boolean;
  columns: Record<
    string,
    { test: string; statistic: number | null; pValue: number | null; threshold: number; drift: boolean }
  >;
}

describe('warden drift', () => {
  it("--json has the issue's shape, Evidently defaults per column, and no drift on same-distribution data", () => {
    const r = warden(['--reference', ref, '--current', same, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as DriftJson;
    expect(Object.keys(out)).toEqual(['drift', 'columns']);
    expect(out.drift).toBe(false);
    expect(Object.keys(out.columns)).toEqual(['age', 'income', 'colour', 'flag']);
    // reference <= 1000 rows: KS for numbers, chi-square for 3 categories, z for a binary column
    expect(out.columns.age).toMatchObject({ test: 'ks', threshold: 0.05 });
    expect(out.columns.colour).toMatchObject({ test: 'chisquare', threshold: 0.05 });
    expect(out.columns.flag).toMatchObject({ test: 'z', drift: false });
    for (const c of Object.values(out.columns))
      expect(Object.keys(c)).toEqual(['test', 'statistic', 'pValue', 'threshold', 'drift']);
  });

  it('detects drift with exit 1 and writes the Warden Report as evidence', () => {
    const reportFile = join(dir, 'report.json');
    const r = warden(['--reference', ref, '--current', shifted, '--json', '--report', reportFile]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as DriftJson;
    expect(out.drift).toBe(true);
    expect(out.columns.age?.drift).toBe(true);
    expect(out.columns.colour?.drift).toBe(true);
    expect(out.columns.income?.drift).toBe(false);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      kind: string;
      verdict: string;
      findings: { id: string }[];
    };
    expect(report.kind).toBe('drift');
    expect(report.verdict).toBe('fail');
    expect(report.findings.map((f) => f.id)).toContain('drift.dataset');
  });

  it('--test and --columns pick one test for chosen columns; the table output is readable', () => {
    const r = warden(['--reference', ref, '--current', shifted, '--columns', 'age,income', '--test', 'psi']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^column\s+kind\s+test/);
    expect(r.out).toMatch(/age\s+numerical\s+psi\s+\S+\s+-\s+0\.1\s+DRIFT/);
    expect(r.out).toMatch(/dataset drift: YES \(1 of 2 columns drifted/);
  });

  it('reads JSONL too, and runs the multivariate MMD when asked', () => {
    const toJsonl = (csv: string): string =>
      readFileSync(csv, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => {
          const [age, income] = l.split(',');
          return JSON.stringify({ age: Number(age), income: Number(income) });
        })
        .join('\n');
    writeFileSync(join(dir, 'ref.jsonl'), toJsonl(ref));
    writeFileSync(join(dir, 'cur.jsonl'), toJsonl(shifted));
    const r = warden([
      '--reference',
      join(dir, 'ref.jsonl'),
      '--current',
      join(dir, 'cur.jsonl'),
      '--json',
      '--multivariate',
    ]);
    const out = JSON.parse(r.out) as DriftJson & { multivariate: { drift: boolean; columns: string[] } };
    expect(out.multivariate.columns).toEqual(['age', 'income']);
    expect(out.multivariate.drift).toBe(true);
  });

  it('bad input: typed errors and exit 2', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'age,income\n1,2,3\n');
    const cases: [string[], RegExp][] = [
      [['--reference', ref, '--current', bad], /TABLE_INVALID: line 2/],
      [['--reference', ref, '--current', join(dir, 'missing.csv')], /NOT_FOUND/],
      [['--reference', ref, '--current', same, '--test', 'nope'], /MONITOR_UNKNOWN_TEST/],
      [
        ['--reference', ref, '--current', same, '--test', 'ks', '--columns', 'colour'],
        /MONITOR_TEST_NOT_APPLICABLE/,
      ],
      [['--reference', ref, '--current', same, '--columns', 'nope'], /TABLE_INVALID: no column "nope"/],
      [['--reference', ref, '--current', same, '--max-rows', '10'], /LIMIT_EXCEEDED/],
    ];
    for (const [args, err] of cases) {
      const r = warden(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(err);
    }
  });
});

describe('warden drift on Parquet', () => {
  const fixture = new URL('../fixtures/parquet/rows-snappy.parquet', import.meta.url).pathname;
  it('compares a Parquet reference with a CSV current set, column by column', () => {
    const rows = ['score,small', ...Array.from({ length: 100 }, (_, i) => `${i / 8 + 5},${i - 50}`)];
    writeFileSync(join(dir, 'cur.csv'), rows.join('\n'));
    const r = warden([
      '--reference',
      fixture,
      '--current',
      join(dir, 'cur.csv'),
      '--columns',
      'score',
      'small',
      '--json',
    ]);
    expect(r.code, r.err).toBe(1);
    const out = JSON.parse(r.out) as { drift: boolean; columns: Record<string, { drift: boolean }> };
    expect(out.drift).toBe(true);
    expect(out.columns.score!.drift).toBe(true);
    expect(out.columns.small!.drift).toBe(false);
  });

  it('refuses a nested Parquet column and a corrupt file with exit 2', () => {
    const nested = new URL('../fixtures/parquet/nested.parquet', import.meta.url).pathname;
    const r = warden(['--reference', nested, '--current', nested, '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('nested');
    const bytes = readFileSync(fixture);
    bytes.fill(0xff, bytes.length - 200, bytes.length - 8);
    writeFileSync(join(dir, 'bad.parquet'), bytes);
    const bad = warden(['--reference', join(dir, 'bad.parquet'), '--current', fixture]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('TABLE_INVALID');
  });
});
