import { describe, expect, it } from 'vitest';
import { cardBrand, cardRecognizer, luhnValid } from './card.js';
import { piiDetector } from './index.js';

const cfg = { defaultRegion: 'US', contextWindow: 40 };
const det = piiDetector.create(piiDetector.options.parse({ types: ['CREDIT_CARD'] }));
/** Reported card spans (score at or above the default threshold), as the matched text. */
function cards(text: string): string[] {
  return det
    .detect(text, { direction: 'input', depth: 0, canaries: [] })
    .detections.filter((d) => d.score >= piiDetector.defaultThreshold)
    .map((d) => text.slice(d.start, d.end));
}

describe('luhn', () => {
  it('accepts valid and rejects altered numbers', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('4111a11111111111')).toBe(false);
  });
});

describe('issuer ranges', () => {
  it.each([
    ['4111111111111111', 'visa'],
    ['4222222222222', 'visa'],
    ['5500000000000004', 'mastercard'],
    ['2223000048410010', 'mastercard'],
    ['378282246310005', 'amex'],
    ['6011111111111117', 'discover'],
    ['3530111333300000', 'jcb'],
    ['30569309025904', 'diners'],
    ['6759649826438453', 'maestro'],
    ['180016070420458', 'jcb'],
  ])('%s is %s', (n, brand) => {
    expect(cardBrand(n)).toBe(brand);
  });

  it('rejects unknown prefixes and wrong lengths', () => {
    expect(cardBrand('7111111111111114')).toBeUndefined();
    expect(cardBrand('37828224631000')).toBeUndefined(); // amex is 15 digits
    expect(cardBrand('41111111111111')).toBeUndefined(); // visa is 13, 16 or 19
  });
});

describe('CREDIT_CARD recognizer', () => {
  it('finds cards written plain, with spaces and with dashes', () => {
    expect(cards('card 4111111111111111 please')).toEqual(['4111111111111111']);
    expect(cards('Visa: 4111 1111 1111 1111.')).toEqual(['4111 1111 1111 1111']);
    expect(cards('MC 5500-0000-0000-0004 expires 12/27')).toEqual(['5500-0000-0000-0004']);
    expect(cards('amex 3782 822463 10005')).toEqual(['3782 822463 10005']);
  });

  it('stops at the card when another number follows in the same run', () => {
    expect(cards('charge 4111 1111 1111 1111 12 times')).toEqual(['4111 1111 1111 1111']);
  });

  it('rejects failed checksums, placeholders and digits glued to other numbers', () => {
    expect(cards('card 4111 1111 1111 1112')).toEqual([]);
    expect(cards('card 1234 5678 9012 3456')).toEqual([]);
    expect(cards('card 0000 0000 0000 0000')).toEqual([]);
    expect(cards('id 3.4111111111111111')).toEqual([]);
  });

  it('needs context for a Luhn-valid number outside every issuer range', () => {
    const bare = cardRecognizer.find('ref 7111111111111114', cfg);
    expect(bare[0]?.score).toBeLessThan(0.5);
    expect(cards('my credit card is 7111111111111114')).toEqual(['7111111111111114']);
  });

  it('reports the validator, never the number', () => {
    const [d] = det.detect('card 4111111111111111', {
      direction: 'output',
      depth: 0,
      canaries: [],
    }).detections;
    expect(d?.meta).toEqual({ validator: 'luhn+iin:visa' });
    expect(d?.detail).not.toContain('4111');
  });
});
