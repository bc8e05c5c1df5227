import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../src/demo/index.js';

// Black-box: `warden demo --quick --exit --json` through the built CLI (npm test builds first), then the
// store it leaves behind read by other commands, as the dashboard and reports will read it.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-demo-e2e-'));
const dir = join(tmp, 'work');
const store = `sqlite:${join(dir, 'warden.db')}`;
let summary: DemoSummary;
let stderr = '';
let code: number | null = null;

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  const child = spawn(process.execPath, [CLI, 'demo', '--quick', '--exit', '--json', '--dir', dir], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  summary = JSON.parse(out) as DemoSummary;
}, 240_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const variant = (name: string) => summary.variants.find((v) => v.variant === name)!;

describe('warden demo --quick --exit --json', () => {
  it('exits 0 with a JSON summary on stdout and one progress line per step on stderr', () => {
    expect(code, stderr).toBe(0);
    for (let n = 1; n <= 10; n++) expect(stderr).toContain(`[${n}/10] `);
    expect(stderr).toMatch(/variant\s+clean acc\s+robust @0.1\s+robust @0.3\s+epsilon\s+MIA AUC/);
  });

  it('measures every variant: accuracies in [0, 1], epsilon only for the DP ones, an MIA AUC for each', () => {
    expect(summary.variants.map((v) => v.variant)).toEqual(['baseline', 'pgd-at', 'dp-sgd', 'dp-pgd-at']);
    for (const v of summary.variants) {
      for (const a of [v.cleanAccuracy, ...v.robustAccuracy, v.membershipAuc]) {
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
      }
      expect(v.robustAccuracy[1]).toBeLessThanOrEqual(v.robustAccuracy[0]);
      expect(Object.keys(v.byAttack).sort()).toEqual(['fgsm', 'pgd']);
      expect(Object.keys(v.membershipByAttack).sort()).toEqual(['loss', 'shadow']);
      expect(v.curves.pgd?.map((p) => p.eps)).toEqual([0.1, 0.3]);
      expect(v.curves.pgd?.[1]?.robustAccuracy).toBe(v.byAttack.pgd![1]);
    }
    expect(variant('baseline').epsilon).toBeNull();
    expect(variant('pgd-at').epsilon).toBeNull();
    for (const name of ['dp-sgd', 'dp-pgd-at']) {
      const e = variant(name).epsilon!;
      expect(e).toBeGreaterThan(0);
      expect(e).toBeLessThanOrEqual(8 * 1.001);
    }
    // a plain MLP learns the digits; the baseline is far above chance
    expect(variant('baseline').cleanAccuracy).toBeGreaterThan(0.8);
  });

  it('adversarial training buys robustness at the larger eps that the baseline lacks', () => {
    expect(variant('pgd-at').byAttack.pgd![1]).toBeGreaterThan(variant('baseline').byAttack.pgd![1]);
    expect(variant('pgd-at').robustAccuracy[1]).toBeGreaterThan(variant('baseline').robustAccuracy[1]);
  });

  it('signs and scans every artifact; the sample set is judged as expected', () => {
    for (const v of summary.variants) {
      expect(v.artifact.scan).toBe('pass');
      expect(v.artifact.signer).toMatch(/^public key /);
      expect(existsSync(join(dir, 'models', v.variant, 'model.sig'))).toBe(true);
    }
    expect(summary.samples.asExpected).toBe(summary.samples.files);
    expect(summary.samples.blocked).toBeGreaterThan(0);
  });

  it('the gate refuses variants with the exact unmet clauses of the policy, and promotes one to production', () => {
    const refused = summary.variants.filter((v) => !v.registry.gatePassed);
    expect(refused.length).toBeGreaterThan(0);
    for (const v of refused) {
      expect(v.registry.unmet.length).toBeGreaterThan(0);
      for (const c of v.registry.unmet) expect(summary.registry.policy).toContain(c.clause);
    }
    expect(variant('baseline').registry.unmet.map((c) => c.clause)).toContain(
      `robustness[attack=pgd,eps=0.3].robustAccuracy >= 0.05`,
    );
    const intruder = summary.registry.intruder!.unmet.map((c) => c.clause);
    expect(intruder).toEqual(expect.arrayContaining(['scan.verdict == pass', 'signature valid']));
    expect(summary.registry.promoted?.alias).toBe('production');
    expect(variant(summary.registry.promoted!.variant).registry.gatePassed).toBe(true);
    expect(summary.registry.audit.ok).toBe(true);
  });

  it('the gateway alarmed on the extraction attacker, blocked the injections, answered the benign client', () => {
    const g = summary.gateway;
    expect(g.observed.extractionAlarms).toBeGreaterThanOrEqual(1);
    expect(g.observed.alarmedPrincipals).toEqual(['demo:mallory']);
    expect(g.traffic.extraction.blockedRequests).toBeGreaterThan(0);
    expect(g.observed.deniedByCode.GATEWAY_EXTRACTION_BLOCKED).toBe(g.traffic.extraction.blockedRequests);
    expect(g.traffic.injection.blocked).toBe(g.traffic.injection.attempts);
    expect(g.observed.guardBlocked).toBe(g.traffic.injection.attempts);
    expect(g.traffic.injection.benignChatOk).toBe(1);
    expect(g.traffic.benign.ok).toBe(g.traffic.benign.requests);
    expect(g.traffic.benign.accuracy).toBeGreaterThan(0.7);
    expect(g.observed.audit.ok).toBe(true);
    expect(summary.dashboard.url).toBe(`${g.url}/ui`);
    expect(summary.dashboard.apiKey).toMatch(/^wdn_/);
  });

  it('leaves a store that warden registry and warden audit read afterwards', () => {
    const versions = warden(['registry', 'list', 'mnist-digits', '--store', store, '--json']);
    expect(versions.code, versions.err).toBe(0);
    const list = JSON.parse(versions.out) as { ref: string; aliases: string[] }[];
    expect(list.map((v) => v.ref).sort()).toEqual(summary.variants.map((v) => v.registry.ref).sort());
    expect(list.find((v) => v.aliases.includes('production'))?.ref).toBe(summary.registry.promoted!.ref);
    const show = warden(['registry', 'show', 'mnist-digits@production', '--store', store, '--json']);
    expect(show.code, show.err).toBe(0);
    const d = JSON.parse(show.out) as {
      evidence: { kind: string }[];
      approvalList: unknown[];
      parents: unknown[];
    };
    expect(d.evidence.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['verify', 'scan', 'robustness', 'privacy-membership-audit']),
    );
    expect(d.approvalList).toHaveLength(2);
    const chain = warden(['registry', 'verify', '--store', store, '--json']);
    expect(chain.code, chain.err).toBe(0);
    const gw = warden(['audit', 'verify', '--store', store, '--json']);
    expect(gw.code, gw.err).toBe(0);
    expect((JSON.parse(gw.out) as { ok: boolean; records: number }).records).toBe(
      summary.gateway.observed.audit.records,
    );
  });
});
