import { describe, expect, it } from 'vitest';
import { ssnRecognizer, ssnValid } from './ssn.js';

const cfg = { defaultRegion: 'US', contextWindow: 40 };
/** SSN spans scoring at or above 0.5, as matched text. */
const ssns = (text: string): string[] =>
  ssnRecognizer
    .find(text, cfg)
    .filter((m) => m.score >= 0.5)
    .map((m) => text.slice(m.start, m.end));

describe('SSN issuance rules', () => {
  it('accepts ordinary numbers', () => {
    expect(ssnValid('536', '22', '1234')).toBe(true);
    expect(ssnValid('001', '01', '0001')).toBe(true);
    expect(ssnValid('899', '99', '9999')).toBe(true);
  });

  it.each([
    ['000', '12', '3456', 'area 000'],
    ['666', '12', '3456', 'area 666'],
    ['900', '12', '3456', 'area 9xx (ITIN range)'],
    ['999', '12', '3456', 'area 9xx'],
    ['536', '00', '3456', 'group 00'],
    ['536', '22', '0000', 'serial 0000'],
    ['078', '05', '1120', 'Woolworth wallet card'],
    ['219', '09', '9999', '1962 advertisement'],
    ['123', '45', '6789', 'documentation example'],
    ['111', '11', '1111', 'one repeated digit'],
  ])('rejects %s-%s-%s (%s)', (a, g, s) => {
    expect(ssnValid(a, g, s)).toBe(false);
  });
});

describe('US_SSN recognizer', () => {
  it('finds dashed numbers on their own and others with context', () => {
    expect(ssns('ref 536-22-1234 ok')).toEqual(['536-22-1234']);
    expect(ssns('my SSN is 536 22 1234')).toEqual(['536 22 1234']);
    expect(ssns('social security number: 536221234')).toEqual(['536221234']);
  });

  it('leaves bare nine-digit numbers without context alone', () => {
    expect(ssns('order 536221234 shipped')).toEqual([]);
    expect(ssns('zip 53622-1234')).toEqual([]);
  });

  it('rejects mixed separators and numbers inside longer digit runs', () => {
    expect(ssns('SSN 536-22 1234')).toEqual([]);
    expect(ssns('SSN 1536-22-1234')).toEqual([]);
    expect(ssns('SSN 536-22-12345')).toEqual([]);
    expect(ssns('SSN 536-22-1234-5')).toEqual([]);
  });

  it('rejects invalid areas even with context', () => {
    expect(ssns('SSN: 666-12-3456')).toEqual([]);
    expect(ssns('SSN: 078-05-1120')).toEqual([]);
  });

  it('raises the score with SSN context', () => {
    const [plain] = ssnRecognizer.find('value 536-22-1234', cfg);
    const [ctx] = ssnRecognizer.find('his social security number is 536-22-1234', cfg);
    expect(ctx?.score ?? 0).toBeGreaterThan(plain?.score ?? 1);
    expect(ctx?.validator).toBe('ssa-rules');
  });
});
