import { clampScore, isAlnumAt, type PiiMatch, type Recognizer, type RecognizerConfig } from './model.js';
import { hasContext } from './context.js';

/**
 * IBAN length per country (ISO 13616 registry, SWIFT release). The length check rejects most random
 * alphanumeric runs before the checksum is even computed, and tells where a spaced IBAN ends.
 */
// prettier-ignore
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

/**
 * Country code, check digits, then 11-30 alphanumerics, optionally grouped by single spaces. One
 * character per repetition keeps backtracking bounded; the exact end is decided by the country length.
 */
const IBAN_RE = /[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;

/** ISO 7064 mod 97-10 over the rearranged IBAN, computed in chunks so no BigInt is needed. */
export function ibanChecksumValid(compact: string): boolean {
  const s = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

/** Full IBAN validation of a compact (space-free, upper-case) string: known country, its length, mod 97. */
export function ibanValid(compact: string): boolean {
  const len = IBAN_LENGTHS[compact.slice(0, 2)];
  return len !== undefined && compact.length === len && ibanChecksumValid(compact);
}

/** Where, in `raw` (which may contain single spaces), the `n`-th non-space character ends. */
function endOfNth(raw: string, n: number): number {
  let seen = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== ' ') seen++;
    if (seen === n) return i + 1;
  }
  return -1;
}

/** IBAN_CODE: known country, registry length and the mod-97 checksum. */
export const ibanRecognizer: Recognizer = {
  types: ['IBAN_CODE'],
  needsDigit: true,
  find(text: string, cfg: RecognizerConfig): PiiMatch[] {
    const out: PiiMatch[] = [];
    IBAN_RE.lastIndex = 0;
    for (let m = IBAN_RE.exec(text); m; m = IBAN_RE.exec(text)) {
      const start = m.index;
      if (isAlnumAt(text, start - 1)) {
        // Inside a longer token (a hash, a product key): not an IBAN; retry one character later.
        IBAN_RE.lastIndex = start + 1;
        continue;
      }
      const len = IBAN_LENGTHS[m[0].slice(0, 2)];
      const rel = len === undefined ? -1 : endOfNth(m[0], len);
      if (rel < 0) {
        IBAN_RE.lastIndex = start + 1;
        continue;
      }
      const end = start + rel;
      const compact = m[0].slice(0, rel).replace(/ /g, '');
      // The IBAN must end at a word boundary, otherwise it is a prefix of a longer token.
      if (isAlnumAt(text, end)) {
        IBAN_RE.lastIndex = start + 1;
        continue;
      }
      if (!ibanValid(compact)) {
        IBAN_RE.lastIndex = start + 1;
        continue;
      }
      const ctx = hasContext(text, start, end, 'IBAN_CODE', cfg.contextWindow);
      out.push({ type: 'IBAN_CODE', start, end, score: clampScore(ctx ? 1 : 0.9), validator: 'mod97' });
      IBAN_RE.lastIndex = end;
    }
    return out;
  },
};
