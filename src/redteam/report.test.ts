import { describe, expect, it } from 'vitest';
import { makePlant } from './plant.js';
import { renderRedteam, REDTEAM_FORMATS } from './render.js';
import { buildRedteamReport } from './report.js';
import type { Outcome, ProbeResult } from './types.js';

const plant = makePlant(1);
const settings = {
  target: 'http://t/v1',
  endpoint: 'http://t/v1/chat/completions',
  model: 'm',
  suites: ['injection' as const, 'pii' as const],
  seed: 1,
  turns: 3,
  stream: false,
  failOn: 'high' as const,
};

function result(family: string, outcome: Outcome, i: number): ProbeResult {
  const category = family.split('.')[0] as ProbeResult['category'];
  return {
    id: `${family}/t/g/${i}`,
    category,
    family,
    technique: 't',
    goal: 'g',
    outcome,
    evidence: outcome === 'success' ? 'instruction-followed: marker <b>X</b> at 0' : 'nothing',
    verdicts: [],
    prompt: 'ignore <script>alert(1)</script>',
    response: 'X',
    turns: 1,
    ms: 3,
    ...(outcome === 'error' ? { error: { code: 'REDTEAM_TARGET_TIMEOUT', message: 'slow' } } : {}),
  };
}

describe('buildRedteamReport', () => {
  const results = [
    result('injection.direct-override', 'success', 0),
    result('injection.direct-override', 'resisted', 1),
    result('injection.direct-override', 'blocked', 2),
    result('injection.direct-override', 'error', 3),
    result('pii.disclosure', 'resisted', 0),
  ];
  const r = buildRedteamReport({ settings, plant, results, startedAt: new Date(0), durationMs: 50 });

  it('rates per category and family leave errors out of the denominator', () => {
    const inj = r.redteam.categories.find((c) => c.category === 'injection');
    expect(inj).toMatchObject({ n: 3, successes: 1, resisted: 1, blocked: 1, errors: 1 });
    expect(inj?.asr).toBeCloseTo(1 / 3, 12);
    expect(r.redteam.categories.map((c) => c.category)).toEqual(['injection', 'pii']);
    expect(r.metrics).toMatchObject({ probes: 5, successes: 1, errors: 1, 'n.injection': 3, 'asr.pii': 0 });
  });

  it('makes one finding per family with a success, mapped, and an item per probe', () => {
    expect(r.findings.map((f) => f.id)).toEqual(['redteam.injection.direct-override']);
    expect(r.findings[0]?.refs).toEqual({ owasp: ['LLM01:2025'], atlas: ['AML.T0051.000'] });
    expect(r.items.map((i) => i.status)).toEqual(['findings', 'clean', 'clean', 'error', 'clean']);
    expect(r.verdict).toBe('fail');
  });

  it('answers error, not pass, when no probe could be judged', () => {
    const none = buildRedteamReport({
      settings,
      plant,
      results: [result('pii.disclosure', 'error', 0)],
      startedAt: new Date(0),
      durationMs: 1,
    });
    expect(none.verdict).toBe('error');
  });

  it('renders every format, escaping probe text in HTML', () => {
    for (const f of REDTEAM_FORMATS) expect(renderRedteam(r, f).length).toBeGreaterThan(100);
    const html = renderRedteam(r, 'html');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>X</b>');
  });
});
