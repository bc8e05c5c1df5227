import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { makeReport, REFS, type Finding } from '../core/index.js';
import { render } from './render.js';

const findings: Finding[] = [
  {
    id: 'pickle.dangerous-global',
    detector: 'pickle',
    severity: 'critical',
    title: 'Dangerous import os.system',
    detail: 'Unpickling calls os.system: arbitrary command execution. | pipes and\nnewlines are escaped',
    location: { path: 'models/evil model.pt', member: 'archive/data.pkl', offset: 42 },
    refs: REFS.supplyChain,
  },
  {
    id: 'pickle.unknown-global',
    detector: 'pickle',
    severity: 'medium',
    title: 'Unknown import mylib.Thing',
    detail: 'Not on the allowlist.',
    location: { path: '/abs/path/x.pkl', offset: 3 },
    refs: REFS.supplyChain,
  },
];

function sample(fs: Finding[] = findings) {
  return makeReport({
    kind: 'scan',
    subject: { name: 'models' },
    startedAt: '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:00:01.000Z',
    findings: fs,
    items: [
      { name: 'models/evil model.pt', format: 'zip', status: 'findings', findings: 1 },
      {
        name: 'models/bad.bin',
        format: 'pickle',
        status: 'error',
        findings: 0,
        error: { code: 'TRUNCATED', message: 'ends early' },
      },
    ],
    metrics: { files: 2 },
    failOn: 'high',
  });
}

describe('render', () => {
  it('SARIF output validates against the SARIF 2.1.0 schema', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../test/fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    for (const report of [sample(), sample([])]) {
      const log = JSON.parse(render(report, 'sarif')) as {
        runs: { results: { ruleId: string; level: string }[] }[];
      };
      const ok = validate(log);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    const log = JSON.parse(render(sample(), 'sarif')) as {
      runs: {
        results: {
          ruleId: string;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { byteOffset?: number } };
          }[];
        }[];
        tool: { driver: { rules: { properties: Record<string, unknown> }[] } };
      }[];
    };
    const run = log.runs[0]!;
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['pickle.dangerous-global', 'error'],
      ['pickle.unknown-global', 'warning'],
    ]);
    expect(run.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      'models/evil%20model.pt',
    );
    expect(run.results[0]!.locations[0]!.physicalLocation.region.byteOffset).toBe(42);
    expect(run.tool.driver.rules[0]!.properties['security-severity']).toBe('9.5');
  });

  it('verdict: a finding at fail-on wins over an error; an error alone is an error', () => {
    expect(sample().verdict).toBe('fail');
    expect(sample([findings[1]!]).verdict).toBe('error');
    expect(sample([]).verdict).toBe('error');
  });

  it('table shows findings, locations and errors; colour only on request', () => {
    const plain = render(sample(), 'table');
    expect(plain).toContain('CRITICAL');
    expect(plain).toContain('models/evil model.pt');
    expect(plain).toContain('archive/data.pkl @42');
    expect(plain).toContain('TRUNCATED');
    expect(plain).not.toContain('\x1b[');
    expect(render(sample(), 'table', { color: true })).toContain('\x1b[');
  });

  it('markdown escapes table cells and json round-trips', () => {
    const md = render(sample(), 'markdown');
    expect(md).toContain('## Warden scan: FAIL');
    expect(md).toContain('\\|');
    expect(md).toContain('<br>');
    const back = JSON.parse(render(sample(), 'json')) as { findings: Finding[]; verdict: string };
    expect(back.findings).toHaveLength(2);
    expect(back.verdict).toBe('fail');
  });
});
