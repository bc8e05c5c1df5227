import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Black-box: the built CLI (npm test builds first), as a user runs it, on the shipped MNIST digits.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'warden-fl-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'fl', 'simulate', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('warden fl simulate', () => {
  it('runs aggregators against attacks on MNIST and prints the table and the evidence', () => {
    const report = join(dir, 'fl.json');
    const small = [
      '--train-size',
      '2000',
      '--rounds',
      '3',
      '--clients',
      '10',
      '--byzantine',
      '2',
      '--split',
      'iid',
    ];
    const r = warden([
      ...small,
      '--aggregators',
      'fedavg,median',
      '--attacks',
      'none,sign_flip',
      '--report',
      report,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\| split \| aggregator \| none \| sign_flip \|/);
    const rows = r.out.trim().split('\n').slice(2);
    expect(rows).toHaveLength(2);
    const cell = (row: string, k: number): number => Number(row.split('|')[k]?.trim());
    const [avg, med] = rows as [string, string];
    expect(cell(avg, 3)).toBeGreaterThan(70);
    expect(cell(avg, 4)).toBeLessThan(cell(avg, 3) - 10);
    expect(cell(med, 4)).toBeGreaterThan(70);
    const ev = JSON.parse(readFileSync(report, 'utf8')) as { kind: string; findings: { title: string }[] };
    expect(ev.kind).toBe('federated');
    expect(ev.findings.map((f) => f.title)).toEqual(['fedavg does not withstand sign_flip (iid)']);
  }, 300_000);

  it('--json lists results; bad names and impossible settings exit 2', () => {
    const r = warden([
      '--train-size',
      '500',
      '--rounds',
      '1',
      '--clients',
      '5',
      '--byzantine',
      '0',
      '--split',
      'non_iid',
      '--aggregators',
      'krum',
      '--attacks',
      'none',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { results: { aggregator: string; split: string; accuracy: number }[] };
    expect(out.results).toEqual([expect.objectContaining({ aggregator: 'krum', split: 'non_iid' })]);
    for (const args of [
      ['--aggregators', 'nope'],
      ['--attacks', 'nope'],
      ['--aggregators', 'bulyan', '--clients', '5', '--byzantine', '2', '--attacks', 'none'],
    ]) {
      const bad = warden(['--rounds', '1', '--train-size', '200', ...args]);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.err).toMatch(/MONITOR_INVALID_OPTION/);
    }
  }, 300_000);
});
