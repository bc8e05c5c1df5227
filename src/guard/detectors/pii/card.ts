import { clampScore, type PiiMatch, type Recognizer, type RecognizerConfig } from './model.js';
import { scoreWithContext } from './context.js';

/**
 * A run of 12-19 digits, optionally grouped by single spaces or dashes. Each repetition consumes exactly
 * one digit, so the regex cannot backtrack more than 19 steps from a start; the lookbehind keeps starts to
 * the beginning of a digit run.
 */
const CARD_RUN_RE = /(?<![\d.,-])\d(?:[ -]?\d){11,22}(?![\d])/g;

/** Luhn (mod 10) checksum over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** One issuer range: prefix bounds compared on the first `len` digits, with the card lengths issued. */
interface IinRange {
  brand: string;
  from: number;
  to: number;
  len: number;
  lengths: readonly number[];
}

const L16_19 = [16, 17, 18, 19];
/** Public issuer identification number ranges (ISO/IEC 7812 assignments as published by the networks). */
const IIN_RANGES: readonly IinRange[] = [
  { brand: 'visa', from: 4, to: 4, len: 1, lengths: [13, 16, 19] },
  { brand: 'mastercard', from: 51, to: 55, len: 2, lengths: [16] },
  { brand: 'mastercard', from: 2221, to: 2720, len: 4, lengths: [16] },
  { brand: 'amex', from: 34, to: 34, len: 2, lengths: [15] },
  { brand: 'amex', from: 37, to: 37, len: 2, lengths: [15] },
  { brand: 'diners', from: 300, to: 305, len: 3, lengths: [14, 16, 17, 18, 19] },
  { brand: 'diners', from: 36, to: 36, len: 2, lengths: [14, 16, 17, 18, 19] },
  { brand: 'diners', from: 38, to: 39, len: 2, lengths: [14, 16, 17, 18, 19] },
  { brand: 'discover', from: 6011, to: 6011, len: 4, lengths: L16_19 },
  { brand: 'discover', from: 644, to: 649, len: 3, lengths: L16_19 },
  { brand: 'discover', from: 65, to: 65, len: 2, lengths: L16_19 },
  { brand: 'unionpay', from: 62, to: 62, len: 2, lengths: L16_19 },
  { brand: 'jcb', from: 3528, to: 3589, len: 4, lengths: L16_19 },
  // Legacy JCB ranges issued with 15 digits.
  { brand: 'jcb', from: 1800, to: 1800, len: 4, lengths: [15] },
  { brand: 'jcb', from: 2131, to: 2131, len: 4, lengths: [15] },
  { brand: 'mir', from: 2200, to: 2204, len: 4, lengths: L16_19 },
  // Maestro cards run from 12 to 19 digits, which is why the run above starts at 12.
  { brand: 'maestro', from: 50, to: 50, len: 2, lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
  { brand: 'maestro', from: 56, to: 69, len: 2, lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
  { brand: 'rupay', from: 60, to: 60, len: 2, lengths: [16] },
  { brand: 'rupay', from: 81, to: 82, len: 2, lengths: [16] },
];

/** The card network whose IIN range and length fit `digits`, or undefined. */
export function cardBrand(digits: string): string | undefined {
  for (const r of IIN_RANGES) {
    if (!r.lengths.includes(digits.length)) continue;
    const p = Number(digits.slice(0, r.len));
    if (p >= r.from && p <= r.to) return r.brand;
  }
  return undefined;
}

/** A run like 0000 0000 0000 0000 passes Luhn but is a placeholder, not a card. */
function isDegenerate(digits: string): boolean {
  return /^(\d)\1+$/.test(digits);
}

/**
 * Tries the whole run, then shorter prefixes ending at group boundaries: "card 4111 1111 1111 1111 12
 * times" must still find the 16 digits.
 */
function bestPrefix(run: string): { digits: string; length: number; brand: string | undefined } | undefined {
  const cuts: number[] = [run.length];
  for (let i = run.length - 1; i > 0; i--) if (run[i] === ' ' || run[i] === '-') cuts.push(i);
  let fallback: { digits: string; length: number; brand: string | undefined } | undefined;
  for (const cut of cuts) {
    const digits = run.slice(0, cut).replace(/[ -]/g, '');
    if (digits.length < 12 || digits.length > 19) continue;
    if (!luhnValid(digits) || isDegenerate(digits)) continue;
    const brand = cardBrand(digits);
    if (brand) return { digits, length: cut, brand };
    fallback ??= { digits, length: cut, brand: undefined };
  }
  return fallback;
}

/** CREDIT_CARD: Luhn checksum plus a known issuer range and length; context words raise the score. */
export const cardRecognizer: Recognizer = {
  types: ['CREDIT_CARD'],
  needsDigit: true,
  find(text: string, cfg: RecognizerConfig): PiiMatch[] {
    const out: PiiMatch[] = [];
    CARD_RUN_RE.lastIndex = 0;
    for (let m = CARD_RUN_RE.exec(text); m; m = CARD_RUN_RE.exec(text)) {
      const hit = bestPrefix(m[0]);
      if (!hit) continue;
      const start = m.index;
      const end = start + hit.length;
      // Luhn alone passes one random number in ten: without an issuer range it needs context to count.
      const base = hit.brand ? 0.8 : 0.3;
      const score = scoreWithContext(text, start, end, 'CREDIT_CARD', cfg.contextWindow, base, 0.2);
      out.push({
        type: 'CREDIT_CARD',
        start,
        end,
        score: clampScore(score),
        validator: hit.brand ? `luhn+iin:${hit.brand}` : 'luhn',
      });
    }
    return out;
  },
};
