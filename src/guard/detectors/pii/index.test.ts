import { describe, expect, it } from 'vitest';
import { piiDetector, PII_DETECTORS, PII_TYPES } from './index.js';
import type { DetectContext, Detection } from '../../types.js';
import { Guard } from '../../pipeline.js';

const ctx: DetectContext = { direction: 'input', depth: 0, canaries: [] };
/** Reported detections (at or above the default threshold) with their matched text. */
function run(text: string, opts: Record<string, unknown> = {}): (Detection & { text: string })[] {
  const det = piiDetector.create(piiDetector.options.parse(opts));
  return det
    .detect(text, ctx)
    .detections.filter((d) => d.score >= piiDetector.defaultThreshold)
    .map((d) => ({ ...d, text: text.slice(d.start, d.end) }));
}

describe('pii spec', () => {
  it('is registered once with the documented defaults', () => {
    expect(PII_DETECTORS.map((d) => d.name)).toEqual(['pii']);
    expect(piiDetector.directions).toEqual(['input', 'output']);
    expect(piiDetector.defaultAction).toBe('redact');
    expect(piiDetector.severity).toBe('medium');
    const o = piiDetector.options.parse({});
    expect(o).toEqual({ types: [...PII_TYPES], defaultRegion: 'US', allowList: [], contextWindow: 40 });
  });

  it('rejects unknown options and unknown entity types', () => {
    expect(piiDetector.options.safeParse({ typo: 1 }).success).toBe(false);
    expect(piiDetector.options.safeParse({ types: ['PASSPORT'] }).success).toBe(false);
    expect(piiDetector.options.safeParse({ types: [] }).success).toBe(false);
  });
});

describe('e-mail addresses', () => {
  it.each([
    ['write to UtaKortig@jourrapide.com?', 'UtaKortig@jourrapide.com'],
    ['<first.last+tag@mail.example.co.uk>', 'first.last+tag@mail.example.co.uk'],
    ['mail me: a_b-c@sub-domain.example.org.', 'a_b-c@sub-domain.example.org'],
  ])('finds the address in %j', (text, want) => {
    expect(run(text).map((d) => d.text)).toEqual([want]);
  });

  it('rejects handles, bare domains and malformed hosts', () => {
    expect(run('ping @alice and @bob')).toEqual([]);
    expect(run('user@localhost')).toEqual([]);
    expect(run('a..b@example.com')).toEqual([]);
    expect(run('x@-bad.com y@bad-.com z@example.c0m')).toEqual([]);
  });
});

describe('combined behaviour', () => {
  it('reports UTF-16 offsets after emoji and astral characters', () => {
    const text = '😀👍🏽 𝒳 card 4111 1111 1111 1111, mail 🎉jane@example.com';
    const found = run(text);
    expect(found.map((d) => [d.type, d.text])).toEqual([
      ['CREDIT_CARD', '4111 1111 1111 1111'],
      ['EMAIL_ADDRESS', 'jane@example.com'],
    ]);
    expect(found[0]?.start).toBe(text.indexOf('4111'));
  });

  it('keeps the validated entity when patterns overlap', () => {
    const types = run('card 4111111111111111 and ssn 536-22-1234 ip 86.121.97.248').map((d) => d.type);
    expect(types).toEqual(['CREDIT_CARD', 'US_SSN', 'IP_ADDRESS']);
  });

  it('honours the types filter and the allow list', () => {
    const text = 'Email jane@example.com or call (202) 555-0143';
    expect(run(text, { types: ['PHONE_NUMBER'] }).map((d) => d.type)).toEqual(['PHONE_NUMBER']);
    expect(run(text, { allowList: ['JANE@example.com'] }).map((d) => d.type)).toEqual(['PHONE_NUMBER']);
  });

  it('drops context bonuses when the window is 0', () => {
    const near = run('my SSN is 536221234');
    const none = run('my SSN is 536221234', { contextWindow: 0 });
    expect(near.map((d) => d.type)).toEqual(['US_SSN']);
    expect(none).toEqual([]);
  });

  it('returns the max detection score and nothing for clean text', () => {
    const det = piiDetector.create(piiDetector.options.parse({}));
    expect(det.detect('What is the capital of France?', ctx)).toEqual({ score: 0, detections: [] });
    const r = det.detect('IBAN GB82 WEST 1234 5698 7654 32', ctx);
    expect(r.score).toBe(1);
    expect(r.detections[0]?.detail).toBe('IBAN_CODE (mod97)');
  });

  it('redacts through the guard pipeline', () => {
    const guard = new Guard({ input: [{ detector: 'pii', action: 'redact' }] });
    const r = guard.scanInput('SSN 536-22-1234, mail jane@example.com');
    expect(r.sanitized).toBe('SSN [REDACTED_US_SSN], mail [REDACTED_EMAIL_ADDRESS]');
  });

  it('stays linear on long adversarial inputs', () => {
    const det = piiDetector.create(piiDetector.options.parse({}));
    for (const text of [
      '1 '.repeat(50_000),
      'a@'.repeat(50_000),
      '1:'.repeat(50_000),
      'Aa '.repeat(30_000),
    ]) {
      const t0 = performance.now();
      det.detect(text, ctx);
      expect(performance.now() - t0).toBeLessThan(5_000);
    }
  });
});
