import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Black-box: the built CLI produces real evidence for the shipped MNIST model, the registry stores it, and
// `warden report` maps it to the standards in every format.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const MODEL = new URL('../../examples/mnist-mlp.onnx', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-report-e2e-'));
const STORE = `sqlite:${join(tmp, 'registry.db')}`;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, WARDEN_STORE: STORE },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const ok = (args: string[]): string => {
  const r = warden(args);
  expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
  return r.out;
};

describe('warden report', () => {
  beforeAll(() => {
    mkdirSync(join(tmp, 'mnist'));
    copyFileSync(MODEL, join(tmp, 'mnist', 'mnist-mlp.onnx'));
    ok(['keygen', '--out', 'release.pem']);
    ok(['sign', 'mnist', '--key', 'release.pem']);
    ok(['scan', 'mnist', '-f', 'json', '-o', 'scan.json']);
    writeFileSync(
      join(tmp, 'verify.json'),
      ok(['verify', 'mnist', '--public-key', 'release.pub', '-f', 'json']),
    );
    ok([
      'attack',
      '--model',
      'mnist/mnist-mlp.onnx',
      '--attack',
      'fgsm',
      '--eps',
      '0.1',
      '--limit',
      '40',
      '--report',
      'attack.json',
    ]);
    ok([
      'audit',
      'membership',
      '--model',
      'mnist/mnist-mlp.onnx',
      '--train',
      'mnist',
      '--holdout',
      'mnist',
      '--no-shadow',
      '--max-examples',
      '200',
      '--bootstrap',
      '20',
      '-f',
      'json',
      '-o',
      'membership.json',
    ]);
    ok(['registry', 'register', 'mnist', '--name', 'mnist', '--public-key', 'release.pub', '--as', 'dana']);
    for (const f of ['scan.json', 'verify.json', 'attack.json', 'membership.json'])
      ok(['registry', 'evidence', 'add', 'mnist@1', f, '--as', 'dana']);
  }, 600_000);

  it('JSON gathers the real evidence and maps every finding and metric', () => {
    const r = JSON.parse(ok(['report', '--model', 'mnist@1', '--format', 'json'])) as {
      version: { ref: string; signer: string | null; files: { name: string }[] };
      evidence: { kind: string }[];
      findings: { mapping: { owasp: string[]; atlas: string[]; nist: string[] } }[];
      metrics: { kind: string; name: string; mapping: { nist: string[] } }[];
    };
    expect(r.version.ref).toBe('mnist@1');
    expect(r.version.signer).toMatch(/^public key sha256:/);
    expect(r.version.files.map((f) => f.name)).toEqual(['mnist-mlp.onnx']);
    expect(new Set(r.evidence.map((e) => e.kind))).toEqual(
      new Set(['scan', 'verify', 'robustness', 'privacy-membership-audit']),
    );
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of [...r.findings, ...r.metrics]) expect(f.mapping.nist.length).toBeGreaterThan(0);
    expect(r.metrics.some((m) => m.kind === 'robustness')).toBe(true);
  });

  it('HTML is self-contained and names OWASP, ATLAS and NIST entries', () => {
    ok(['report', '--model', 'mnist@1', '--format', 'html', '-o', 'report.html']);
    const html = readFileSync(join(tmp, 'report.html'), 'utf8');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<(script|link|img|iframe|object)\b/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    for (const id of ['ML01:2023', 'ML04:2023', 'ML06:2023', 'AML.T0015', 'AML.T0024.000', 'AML.T0010'])
      expect(html).toContain(id);
    for (const fn of ['GOVERN 6.1', 'MEASURE 2.7', 'MEASURE 2.10', 'MANAGE']) expect(html).toContain(fn);
  });

  it('SARIF validates against the SARIF 2.1.0 schema', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(ok(['report', '--model', 'mnist@1', '--format', 'sarif'])) as {
      runs: { results: { properties: { nist: string[]; refs: { atlas?: string[] } } }[] }[];
    };
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const results = log.runs[0]!.results;
    expect(results.some((x) => x.properties.refs.atlas?.includes('AML.T0024.000'))).toBe(true);
    expect(results.every((x) => x.properties.nist.length > 0)).toBe(true);
  });

  it('Markdown (md) and table list the evidence and the standards coverage', () => {
    const md = ok(['report', '--model', 'mnist@1', '--format', 'md']);
    expect(md).toMatch(/^## Warden model report: mnist@1 \((PASS|FAIL)\)/);
    expect(md).toMatch(/\| MITRE ATLAS \| AML\.T0015 \| Evade ML Model \| \d+/);
    expect(md).toMatch(/\| NIST AI RMF \| MEASURE 2\.10 \|/);
    const table = ok(['report', '--model', 'mnist@1']);
    expect(table).toContain('PASS  signature: verified at registration');
    expect(table).toMatch(/OWASP ML Top 10 \(2023\) +ML04:2023/);
  });

  it('an unknown model or version, or a bad reference, exits 2 with a typed error', () => {
    for (const [ref, code] of [
      ['mnist@7', 'REGISTRY_NOT_FOUND'],
      ['other@1', 'REGISTRY_NOT_FOUND'],
      ['mnist@production', 'REGISTRY_NOT_FOUND'],
      ['mnist@Bad!', 'REGISTRY_REF_INVALID'],
    ]) {
      const r = warden(['report', '--model', ref!, '--format', 'html']);
      expect(r.code).toBe(2);
      expect(r.err).toContain(code);
      expect(r.out).toBe('');
    }
    expect(warden(['report', '--format', 'pdf', '--model', 'mnist@1']).code).toBe(2);
  });
});
