import { describe, expect, it } from 'vitest';
import { render } from '../report/index.js';
import { Guard } from './pipeline.js';
import { guardFindings, guardRefs, guardReport, reportSeverity } from './report.js';

const policy = (action: string) => ({
  input: [{ detector: 'length', action, options: { maxChars: 10 } }],
  output: [],
});

describe('guard report conversion', () => {
  it('turns a blocking finding into a high finding with span, line and refs', () => {
    const text = 'line one\nline two is long';
    const r = new Guard(policy('block')).scanInput(text);
    const [f] = guardFindings(r, 'prompt.txt', text);
    expect(f).toEqual({
      id: 'guard.length',
      detector: 'guard.length',
      severity: 'high',
      title: 'length (input, block)',
      detail: expect.stringContaining('characters 10-25, score 1') as string,
      location: { path: 'prompt.txt', line: 2 },
      refs: { owasp: ['LLM10:2025'], cwe: ['CWE-400'] },
    });
  });

  it('verdict at fail-on high equals flagged', () => {
    const blocked = new Guard(policy('block')).scanInput('x'.repeat(20));
    const redacted = new Guard(policy('redact')).scanInput('x'.repeat(20));
    expect(guardReport([{ name: 'a', result: blocked }], new Date()).verdict).toBe('fail');
    const rep = guardReport([{ name: 'b', result: redacted }], new Date());
    expect(rep.verdict).toBe('pass');
    expect(rep.findings[0]?.severity).toBe('medium');
    expect(rep.kind).toBe('guard');
    expect(rep.items[0]).toMatchObject({ name: 'b', status: 'findings', findings: 1 });
  });

  it('maps severities and refs per detector and direction', () => {
    expect(reportSeverity({ severity: 'critical', action: 'block' })).toBe('critical');
    expect(reportSeverity({ severity: 'low', action: 'block' })).toBe('high');
    expect(reportSeverity({ severity: 'critical', action: 'redact' })).toBe('medium');
    expect(reportSeverity({ severity: 'info', action: 'warn' })).toBe('info');
    expect(guardRefs({ detector: 'prompt_injection', direction: 'input' }).owasp).toEqual(['LLM01:2025']);
    expect(guardRefs({ detector: 'canary', direction: 'output' }).owasp).toEqual(['LLM07:2025']);
    expect(guardRefs({ detector: 'invisible_unicode', direction: 'output' }).owasp).toEqual(['LLM05:2025']);
    expect(guardRefs({ detector: 'nope', direction: 'input' })).toEqual({});
  });

  it('renders through every report format', () => {
    const r = new Guard(policy('block')).scanInput('x'.repeat(20));
    const rep = guardReport([{ name: '<argument>', result: r, text: 'x'.repeat(20) }], new Date());
    expect(render(rep, 'table')).toContain('length (input, block)');
    expect(render(rep, 'markdown')).toContain('guard.length');
    const sarif = JSON.parse(render(rep, 'sarif')) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]?.results[0]?.ruleId).toBe('guard.length');
    expect(JSON.parse(render(rep, 'json'))).toMatchObject({ kind: 'guard', verdict: 'fail' });
  });
});
