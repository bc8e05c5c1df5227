import { describe, expect, it } from 'vitest';
import { ibanChecksumValid, ibanRecognizer, ibanValid } from './iban.js';

const cfg = { defaultRegion: 'US', contextWindow: 40 };
const spans = (text: string): string[] =>
  ibanRecognizer.find(text, cfg).map((m) => text.slice(m.start, m.end));

/** Published example IBANs (national bank and registry documentation), one per country. */
const VALID = [
  'DE89 3704 0044 0532 0130 00',
  'GB82 WEST 1234 5698 7654 32',
  'FR14 2004 1010 0505 0001 3M02 606',
  'NL91 ABNA 0417 1643 00',
  'BE68 5390 0754 7034',
  'CH93 0076 2011 6238 5295 7',
  'ES91 2100 0418 4502 0005 1332',
  'IT60 X054 2811 1010 0000 0123 456',
  'NO93 8601 1117 947',
  'PL61 1090 1014 0000 0712 1981 2874',
];

describe('IBAN validation', () => {
  it.each(VALID)('accepts %s spaced and compact', (iban) => {
    const compact = iban.replace(/ /g, '');
    expect(ibanValid(compact)).toBe(true);
    expect(spans(`IBAN: ${iban}.`)).toEqual([iban]);
    expect(spans(`pay ${compact} today`)).toEqual([compact]);
  });

  it('rejects a wrong check digit, a wrong length and an unknown country', () => {
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('GB82WEST123456987654321')).toBe(false);
    expect(ibanValid('ZZ89370400440532013000')).toBe(false);
    expect(ibanChecksumValid('DE89370400440532013000')).toBe(true);
    expect(ibanChecksumValid('DE89-370400440532013000')).toBe(false);
  });

  it('does not report an IBAN inside a longer token or prefix of one', () => {
    expect(spans('xDE89370400440532013000')).toEqual([]);
    expect(spans('DE89370400440532013000X')).toEqual([]);
    expect(spans('DE89 3704 0044 0532 0130 001')).toEqual([]);
  });

  it('ends a spaced IBAN at its registry length even when words follow', () => {
    expect(spans('GB82 WEST 1234 5698 7654 32 TODAY')).toEqual(['GB82 WEST 1234 5698 7654 32']);
  });

  it('scores higher with the word IBAN nearby', () => {
    const [plain] = ibanRecognizer.find('x GB82WEST12345698765432', cfg);
    const [ctx] = ibanRecognizer.find('my IBAN is GB82WEST12345698765432', cfg);
    expect(plain?.score).toBe(0.9);
    expect(ctx?.score).toBe(1);
    expect(ctx?.validator).toBe('mod97');
  });

  it('reports UTF-16 offsets after astral characters', () => {
    const text = '🏦💶 IBAN NL91ABNA0417164300';
    const [m] = ibanRecognizer.find(text, cfg);
    expect(m?.start).toBe(text.indexOf('NL91'));
    expect(text.slice(m?.start, m?.end)).toBe('NL91ABNA0417164300');
  });

  it('only reads upper-case IBANs, as printed on statements', () => {
    expect(spans('iban nl91abna0417164300')).toEqual([]);
  });
});
