import { describe, expect, it } from 'vitest';
import { makeReport, REFS, type Finding } from '../core/index.js';
import { renderHtml } from './html.js';
import { mapFindings, nistFor, standardTitle } from './standards.js';

const hostile: Finding = {
  id: 'guard.prompt_injection',
  detector: 'guard',
  severity: 'high',
  title: '<script>alert(1)</script>',
  detail: 'a "quoted" & <b>bold</b> detail',
  location: { path: "x'.txt" },
  refs: { owasp: ['LLM01:2025'], atlas: ['AML.T0051.000'] },
};

function report(findings: Finding[]) {
  return makeReport({
    kind: 'guard',
    subject: { name: '<model>', digest: 'sha256:00' },
    startedAt: '2026-12-04T00:00:00.000Z',
    finishedAt: '2026-12-04T00:00:01.000Z',
    findings,
    items: [],
    metrics: { flagged: 1 },
    failOn: 'high',
  });
}

describe('standards mapping', () => {
  it('maps OWASP and ATLAS references to NIST AI RMF subcategories', () => {
    expect(nistFor(REFS.supplyChain)).toEqual(['GOVERN 6.1', 'MAP 4.1']);
    expect(nistFor({ owasp: ['ML04:2023'] })).toEqual(['MEASURE 2.10']);
    expect(nistFor({ cwe: ['CWE-20'] })).toEqual([]);
  });

  it('lists every catalog entry with the findings that reference it', () => {
    const supply: Finding = { ...hostile, id: 'pickle', refs: REFS.supplyChain, severity: 'critical' };
    const map = mapFindings([hostile, supply]);
    expect(map.owaspMl).toHaveLength(10);
    expect(map.owaspLlm).toHaveLength(10);
    expect(map.owaspLlm.find((r) => r.id === 'LLM01:2025')?.findings).toEqual([hostile]);
    expect(map.owaspMl.find((r) => r.id === 'ML06:2023')?.findings).toEqual([supply]);
    expect(map.atlas.find((r) => r.id === 'AML.T0010')?.findings).toEqual([supply]);
    expect(map.nist.find((r) => r.id === 'GOVERN 6.1')?.findings).toEqual([supply]);
    expect(map.nist.find((r) => r.id === 'MEASURE 2.7')?.findings).toEqual([hostile]);
    expect(standardTitle('LLM07:2025')).toBe('System Prompt Leakage');
  });
});

describe('renderHtml', () => {
  it('escapes every field and loads nothing from outside', () => {
    const html = renderHtml(report([hostile]));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('&#34;quoted&#34; &#38; &#60;b&#62;');
    expect(html).toContain('&#60;model&#62;');
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    expect(html).toContain("default-src 'none'");
  });

  it('shows the verdict, the counts and each standard with its hits', () => {
    const html = renderHtml(report([hostile]));
    expect(html).toContain('class="verdict fail"');
    expect(html).toMatch(/LLM01:2025<\/code><\/td><td>Prompt Injection<\/td><td class="num">1</);
    expect(html).toMatch(/ML06:2023<\/code><\/td><td>AI Supply Chain Attacks<\/td><td class="num">0</);
    expect(html).toContain('AML.T0051.000');
    expect(html).not.toContain('AML.T0024.000');
    expect(html).toContain('NIST AI RMF 1.0');
  });

  it('renders a clean report', () => {
    const html = renderHtml(report([]));
    expect(html).toContain('class="verdict pass"');
    expect(html).toContain('No findings.');
  });
});
