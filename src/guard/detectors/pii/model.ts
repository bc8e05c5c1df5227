/** Shared vocabulary of the PII recognizers: entity names, what a recognizer returns, how it is configured. */

/** Entity types, named as Presidio names them so labelled datasets line up without a mapping table. */
export const PII_TYPES = [
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'CREDIT_CARD',
  'IBAN_CODE',
  'US_SSN',
  'IP_ADDRESS',
  'PERSON',
  'STREET_ADDRESS',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** Types whose recognizer has a checksum or a strict format; the rest are heuristic. */
export const STRUCTURED_TYPES: readonly PiiType[] = [
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'CREDIT_CARD',
  'IBAN_CODE',
  'US_SSN',
  'IP_ADDRESS',
];

/** One candidate a recognizer accepted, before allow-listing and overlap resolution. */
export interface PiiMatch {
  type: PiiType;
  start: number;
  end: number;
  score: number;
  /** Name of the check that accepted it (e.g. `luhn+iin`, `mod97`); reported, never the value. */
  validator: string;
}

/** Settings every recognizer receives, derived once from the detector options. */
export interface RecognizerConfig {
  /** ISO 3166 alpha-2 region used to read phone numbers written without a country code. */
  defaultRegion: string;
  /** How many characters before a candidate are searched for context words (half as many after). */
  contextWindow: number;
}

/** An entity family: a cheap scan for candidates plus the validator that scores them. */
export interface Recognizer {
  readonly types: readonly PiiType[];
  /** Every candidate contains an ASCII digit, so texts without one can skip this family. */
  readonly needsDigit: boolean;
  find(text: string, cfg: RecognizerConfig): PiiMatch[];
}

/** Clamps to [0, 1] and rounds to 3 decimals so results are stable and readable. */
export function clampScore(x: number): number {
  if (!(x > 0)) return 0;
  if (x >= 1) return 1;
  return Math.round(x * 1000) / 1000;
}

/** True for ASCII digits 0-9 given a UTF-16 code unit. */
export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** True when the character at `i` is an ASCII letter or digit (used for hand-written word boundaries). */
export function isAlnumAt(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
