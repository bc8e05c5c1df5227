import { describe, expect, it } from 'vitest';
import { nanpValid } from './phone.js';
import { piiDetector } from './index.js';

/** Phone spans reported with the given options, as matched text. */
function phones(text: string, opts: Record<string, unknown> = {}): string[] {
  const det = piiDetector.create(piiDetector.options.parse({ types: ['PHONE_NUMBER'], ...opts }));
  return det
    .detect(text, { direction: 'input', depth: 0, canaries: [] })
    .detections.filter((d) => d.score >= piiDetector.defaultThreshold)
    .map((d) => text.slice(d.start, d.end));
}

describe('NANP rules', () => {
  it('accepts NXX-NXX-XXXX and a leading country code', () => {
    expect(nanpValid('2025550143')).toBe(true);
    expect(nanpValid('12025550143')).toBe(true);
  });

  it('rejects area or exchange codes starting with 0/1, N11 codes and N9X areas', () => {
    expect(nanpValid('1025550143')).toBe(false);
    expect(nanpValid('2021550143')).toBe(false);
    expect(nanpValid('9115550143')).toBe(false);
    expect(nanpValid('2024110143')).toBe(false);
    expect(nanpValid('2995550143')).toBe(false);
    expect(nanpValid('22025550143')).toBe(false);
  });
});

describe('PHONE_NUMBER recognizer', () => {
  it.each([
    ['call me at (202) 555-0143 tonight', '(202) 555-0143'],
    ['phone: 202-555-0143', '202-555-0143'],
    ['reach me on 202.555.0143', '202.555.0143'],
    ['Desk: +1-202-555-0143x769', '+1-202-555-0143x769'],
    ['office 202 555 0143 ext. 12', '202 555 0143 ext. 12'],
    ['mobile +44 20 7946 0958', '+44 20 7946 0958'],
    ['Fax: +41 (0)44 668 18 00', '+41 (0)44 668 18 00'],
    ['ring +33 1 42 68 53 00 please', '+33 1 42 68 53 00'],
    ['Mobile: 0490 39 07 81', '0490 39 07 81'],
  ])('finds the number in %j', (text, want) => {
    expect(phones(text)).toEqual([want]);
  });

  it('validates national numbers in the configured region', () => {
    expect(phones('Tel 030 901820', { defaultRegion: 'DE' })).toEqual(['030 901820']);
    expect(phones('contact 0494 92 82 32', { defaultRegion: 'BE' })).toEqual(['0494 92 82 32']);
  });

  it('rejects dates, IPs, short numbers and unformatted digit runs without context', () => {
    expect(phones('on 2024-03-15 we met')).toEqual([]);
    expect(phones('host 192.168.10.12 is up')).toEqual([]);
    expect(phones('room 12345')).toEqual([]);
    expect(phones('invoice 4921384756 attached')).toEqual([]);
    expect(phones('order 1234567 shipped')).toEqual([]);
  });

  it('accepts a phone-shaped foreign number only next to a phone word', () => {
    expect(phones('the code 9472 7916 is wrong')).toEqual([]);
    expect(phones('Can someone call me on 9472 7916?')).toEqual(['9472 7916']);
  });

  it('rejects an invalid region in the options', () => {
    expect(piiDetector.options.safeParse({ defaultRegion: 'XX' }).success).toBe(false);
    expect(piiDetector.options.safeParse({ defaultRegion: 'us' }).success).toBe(false);
  });
});
