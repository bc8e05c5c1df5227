import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWardenError, REFS, type Finding } from '../core/index.js';
import { Registry, registerModel } from '../registry/index.js';
import { finding, keyPair, makeModel, report, signedModel } from '../registry/testing.js';
import { kindMapping, mapRefs } from './mapping.js';
import { buildModelReport, type ModelReport } from './model-report.js';
import { renderModelReport } from './model-render.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-model-report-'));
let reg: Registry;
const key = keyPair();
const hostile: Finding = {
  id: 'pickle.dangerous-global',
  detector: 'pickle',
  severity: 'critical',
  title: '<script>alert(1)</script> os.system',
  detail: 'a | pipe and "quotes"',
  location: { path: 'x.pkl', offset: 7 },
  refs: REFS.supplyChain,
};

beforeAll(async () => {
  reg = await Registry.open(`sqlite:${join(dir, 'r.db')}`);
  await registerModel(reg, await signedModel(dir, 'v1', 1, key), {
    name: 'credit',
    actor: 'dana',
    publicKey: key.publicPem,
  });
  await registerModel(reg, makeModel(dir, 'v2', 2), { name: 'credit', actor: 'dana' });
  await reg.setPolicy({ version: 1, gates: { production: ['scan.findings.high == 0'] } }, 'admin');
  await reg.addEvidence('credit@1', report('scan', { files: 2 }), 'dana');
  expect((await reg.promote('credit@1', 'production', 'dana')).promoted).toBe(true);
  // evidence after promotion: the held alias's gate now fails
  await reg.addEvidence('credit@1', report('scan', { files: 3 }, [hostile], 'v1/evil.pkl'), 'dana');
  await reg.addEvidence(
    'credit@1',
    report('privacy.dp-training', { epsilon: 3.2 }, [finding('info')]),
    'dana',
  );
  await reg.addEvidence('credit@1', report('fairness', { demographic_parity_difference: 0.04 }), 'dana');
  await reg.approve('credit@1', { principal: 'alice', role: 'auditor' });
});
afterAll(async () => {
  await reg.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('buildModelReport', () => {
  let r: ModelReport;
  beforeAll(async () => {
    r = await buildModelReport(reg, 'credit@production');
  });

  it('resolves an alias and gathers every evidence report with the version metadata', () => {
    expect(r.requested).toBe('credit@production');
    expect(r.version.ref).toBe('credit@1');
    expect(r.version.signed).toBe(true);
    expect(r.version.aliases).toEqual(['production']);
    expect(r.evidence.map((e) => e.kind).sort()).toEqual([
      'fairness',
      'privacy-dp-training',
      'scan',
      'scan',
      'verify',
    ]);
    expect(r.approvals.map((a) => a.principal)).toEqual(['alice']);
    expect(r.report.verdict).toBe('fail');
    expect(r.report.subject).toEqual({ name: 'credit@1', digest: r.version.digest });
  });

  it('maps findings through their refs, or through their evidence kind when they carry none', () => {
    const evil = r.findings.find((f) => f.id === hostile.id)!;
    expect(evil.mapping).toEqual(mapRefs(REFS.supplyChain));
    expect(evil.mapping.nist).toEqual(['GOVERN 6.1', 'MAP 4.1']);
    const dp = r.findings.find((f) => f.kind === 'privacy-dp-training')!;
    expect(dp.refs).toEqual(kindMapping('privacy-dp-training').refs);
    expect(dp.mapping.atlas).toContain('AML.T0024.000');
    expect(dp.mapping.nist).toEqual(['MEASURE 2.10']);
    for (const f of r.findings) expect(f.mapping.nist.length).toBeGreaterThan(0);
  });

  it('maps every metric, and reports a failing gate on a held alias as a finding', () => {
    const fair = r.metrics.find((m) => m.name === 'demographic_parity_difference')!;
    expect(fair.mapping.nist).toEqual(['MEASURE 2.11']);
    for (const m of r.metrics) expect(m.mapping.nist.length).toBeGreaterThan(0);
    const gate = r.findings.find((f) => f.id === 'model.gate-failed')!;
    expect(gate.severity).toBe('high');
    expect(r.controls.find((c) => c.control === 'gate production')?.status).toBe('fail');
    expect(r.controls.find((c) => c.control === 'signature')?.status).toBe('pass');
  });

  it('counts coverage per taxonomy entry, NIST functions included', () => {
    const ml06 = r.coverage.owaspMl.find((c) => c.id === 'ML06:2023')!;
    expect(ml06.findings).toBe(1);
    expect(ml06.worst).toBe('critical');
    expect(r.coverage.owaspMl.find((c) => c.id === 'ML04:2023')!.metrics).toBe(1);
    const measure = r.coverage.nist.find((c) => c.id === 'MEASURE')!;
    expect(measure.metrics).toBeGreaterThanOrEqual(2);
    expect(r.coverage.nist.find((c) => c.id === 'MANAGE 1.1')!.controls).toBeGreaterThanOrEqual(2);
    expect(r.coverage.owaspLlm.find((c) => c.id === 'LLM01:2025')).toMatchObject({ findings: 0, metrics: 0 });
  });

  it('maps outputs the registry reads through adapters (attack --json, dp epsilon --json)', async () => {
    await registerModel(reg, makeModel(dir, 'v3', 3), { name: 'credit', actor: 'dana' });
    const attack = {
      attack: 'pgd',
      eps: 0.1,
      norm: 'inf',
      examples: 100,
      cleanAccuracy: 0.9,
      robustAccuracy: 0.6,
    };
    await reg.addEvidence('credit@3', attack, 'dana');
    await reg.addEvidence('credit@3', { accountant: 'rdp', epsilon: 2.9, delta: 1e-5, steps: 468 }, 'dana');
    const r3 = await buildModelReport(reg, 'credit@3');
    expect(r3.evidence.map((e) => e.kind).sort()).toEqual(['attack', 'dp']);
    const robust = r3.metrics.find((m) => m.kind === 'attack' && m.name === 'robustAccuracy')!;
    expect(robust).toMatchObject({ value: 0.6, mapping: { owasp: ['ML01:2023'], nist: ['MEASURE 2.7'] } });
    const eps = r3.metrics.find((m) => m.kind === 'dp' && m.name === 'epsilon')!;
    expect(eps.mapping.atlas).toEqual(['AML.T0024.000', 'AML.T0024.001']);
    expect(r3.report.metrics['dp.epsilon']).toBe(2.9);
    expect(r3.coverage.owaspMl.find((c) => c.id === 'ML03:2023')!.metrics).toBeGreaterThan(0);
  });

  it('flags an unsigned version and throws typed errors for unknown versions', async () => {
    const u = await buildModelReport(reg, 'credit@2');
    expect(u.findings.map((f) => f.id)).toEqual(['model.unsigned']);
    expect(u.evidence).toEqual([]);
    for (const ref of ['credit@9', 'nope@1', 'credit@staging']) {
      const e: unknown = await buildModelReport(reg, ref).catch((x: unknown) => x);
      expect(isWardenError(e) && e.code).toBe('REGISTRY_NOT_FOUND');
    }
    const bad: unknown = await buildModelReport(reg, 'credit@Bad!').catch((x: unknown) => x);
    expect(isWardenError(bad) && bad.code).toBe('REGISTRY_REF_INVALID');
  });
});

describe('renderModelReport', () => {
  let r: ModelReport;
  beforeAll(async () => {
    r = await buildModelReport(reg, 'credit@1');
  });

  it('HTML is self-contained and escapes what evidence says', () => {
    const html = renderModelReport(r, 'html');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).toContain('&#60;script&#62;alert(1)');
    for (const id of ['ML06:2023', 'LLM03:2025', 'AML.T0010', 'AML.T0024.000', 'GOVERN 6.1', 'MEASURE 2.11'])
      expect(html).toContain(id);
  });

  it('SARIF validates against the SARIF 2.1.0 schema and carries NIST ids', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../test/fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(renderModelReport(r, 'sarif')) as {
      runs: { results: { ruleId: string; properties: { nist: string[] } }[] }[];
    };
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const res = log.runs[0]!.results.find((x) => x.ruleId === hostile.id)!;
    expect(res.properties.nist).toEqual(['GOVERN 6.1', 'MAP 4.1']);
  });

  it('Markdown, JSON and table name the same findings and mappings', () => {
    const md = renderModelReport(r, 'markdown');
    expect(md).toContain('| scan | fail |');
    expect(md).toMatch(
      /\| critical \| &lt;script&gt;alert\(1\).* \| #\d+ scan \| ML06:2023, AML\.T0010, GOVERN 6\.1, MAP 4\.1 \|/,
    );
    const json = JSON.parse(renderModelReport(r, 'json')) as { findings: unknown[]; verdict: string };
    expect(json.findings).toHaveLength(r.findings.length);
    expect(json.verdict).toBe('fail');
    const table = renderModelReport(r, 'table');
    expect(table).toContain('FAIL  gate production');
    expect(table).toMatch(/MITRE ATLAS +AML\.T0010 +1 finding/);
  });
});
