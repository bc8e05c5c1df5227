import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostureReport } from '../../src/posture/index.js';
import { wardenAsync } from '../helpers/cli.js';
import { ROOT } from '../helpers/processes.js';

// Black-box: `warden posture` on the fixture projects, as a user runs it.
const FIX = join(ROOT, 'test', 'fixtures', 'posture');
const tmp = mkdtempSync(join(tmpdir(), 'warden-posture-cli-'));
let good: string;

beforeAll(async () => {
  good = join(tmp, 'good');
  cpSync(join(FIX, 'good'), good, { recursive: true });
  const key = join(tmp, 'signing.pem');
  expect((await wardenAsync(['keygen', '--out', key])).code).toBe(0);
  const signed = await wardenAsync([
    'sign',
    join(good, 'models'),
    '--key',
    key,
    '--source-digest',
    'a'.repeat(64),
    '--source-name',
    'classifier.pt',
  ]);
  expect(signed.code, signed.err).toBe(0);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('warden posture', () => {
  it('passes a well-kept project (exit 0) and prints the checklist', async () => {
    const r = await wardenAsync(['posture', good, '--public-key', join(tmp, 'signing.pub')]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('20 pass, 0 fail, 0 unknown of 20');
    expect(r.out).toMatch(/ 5\. \[PASS\] Artifacts signed and verified/);
  });

  it('fails a careless project (exit 1) in every format', async () => {
    const bad = join(FIX, 'bad');
    const table = await wardenAsync(['posture', bad]);
    expect(table.code).toBe(1);
    expect(table.out).toMatch(/16\. \[FAIL\] No secrets in the repository \(critical\)/);
    const json = JSON.parse((await wardenAsync(['posture', bad, '-f', 'json'])).out) as PostureReport;
    expect(json.kind).toBe('posture');
    expect(json.posture.checks).toHaveLength(20);
    const sarif = JSON.parse((await wardenAsync(['posture', bad, '-f', 'sarif'])).out) as {
      version: string;
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const secret = sarif.runs[0]?.results.find((x) => x.ruleId === 'posture.secrets.aws_access_key');
    expect(secret?.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(/bad\/src\/config\.py$/);
    expect(secret?.locations[0]?.physicalLocation.region.startLine).toBe(2);
    const out = join(tmp, 'posture.md');
    expect((await wardenAsync(['posture', bad, '-f', 'markdown', '-o', out])).code).toBe(1);
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('| # | item | status | evidence | to settle it |');
    expect(md).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('reads a store folder and a gateway config; --fail-on decides the exit code', async () => {
    const r = await wardenAsync([
      'posture',
      join(FIX, 'empty'),
      '--store',
      join(FIX, 'good', 'reports'),
      '--gateway-config',
      join(FIX, 'good', 'gateway.yaml'),
      '-f',
      'json',
      '--fail-on',
      'critical',
    ]);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out) as PostureReport;
    const status = Object.fromEntries(rep.posture.checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({
      'adversarial-robustness': 'pass',
      fairness: 'pass',
      'tls-1.3': 'pass',
      'threat-model': 'fail',
    });
  });

  it('refuses bad input with exit 2 and a typed error', async () => {
    const broken = join(tmp, 'broken.yaml');
    writeFileSync(broken, 'tls: {');
    const cases: [string[], string][] = [
      [['posture', join(tmp, 'missing')], 'POSTURE_PATH_INVALID'],
      [['posture', good, '--store', 'postgres://127.0.0.1:1/warden'], 'POSTURE_STORE_INVALID'],
      [['posture', good, '--gateway-config', broken], 'POSTURE_GATEWAY_CONFIG_INVALID'],
      [['posture', good, '--public-key', broken], 'POSTURE_KEY_INVALID'],
      [['posture', good, '-f', 'pdf'], 'invalid'],
    ];
    for (const [args, code] of cases) {
      const r = await wardenAsync(args);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toContain(code);
    }
  });
});
