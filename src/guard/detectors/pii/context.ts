import type { PiiType } from './model.js';

/**
 * Context words per entity type. A bare digit run is ambiguous (order number, quantity, date); the same
 * run next to "call me" or "card" is not, so recognizers add a bonus when one of these words is near.
 * Matching is on lower-cased text with word boundaries, so "cc" does not fire inside "accept".
 */
const CONTEXT_WORDS: Record<PiiType, readonly string[]> = {
  EMAIL_ADDRESS: ['email', 'e-mail', 'mail', 'contact', 'address', 'reach me', 'write to'],
  PHONE_NUMBER: [
    'phone',
    'tel',
    'telephone',
    'mobile',
    'cell',
    'cellphone',
    'fax',
    'desk',
    'office',
    'call',
    'calling',
    'called',
    'call me',
    'text me',
    'sms',
    'whatsapp',
    'number',
    'registered',
    'messages to',
    'message',
    'answering',
    'reach',
    'dial',
    'home',
    'landline',
  ],
  CREDIT_CARD: [
    'card',
    'cards',
    'cc',
    'credit',
    'debit',
    'visa',
    'mastercard',
    'amex',
    'american express',
    'discover',
    'jcb',
    'diners',
    'maestro',
    'unionpay',
    'payment',
    'pan',
    'billing',
  ],
  IBAN_CODE: ['iban', 'bank', 'account', 'acct', 'transfer', 'wire', 'bic', 'swift', 'sepa', 'payee'],
  US_SSN: ['ssn', 'social security', 'social', 'security number', 'ssa', 'tax id', 'tin', 'taxpayer'],
  IP_ADDRESS: [
    'ip',
    'ipv4',
    'ipv6',
    'address',
    'host',
    'server',
    'client',
    'gateway',
    'dns',
    'ping',
    'subnet',
  ],
  PERSON: ['name', 'named', 'called', 'dear', 'mr', 'mrs', 'ms', 'dr', 'sincerely', 'regards'],
  STREET_ADDRESS: ['address', 'live', 'lives', 'located', 'street', 'ship', 'deliver', 'mail', 'office'],
};

/** Words that make a digit run look like something other than PII (versions, money, measurements). */
const NEGATIVE_WORDS = ['version', 'v', 'build', 'release', 'isbn', 'order', 'invoice', 'ticket', 'tracking'];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function wordsRegex(words: readonly string[]): RegExp {
  // Longest first so "call me" is tried before "call"; the result is only a yes/no anyway.
  const alts = [...words].sort((a, b) => b.length - a.length).map(escapeRe);
  return new RegExp(`(?:^|[^a-z0-9])(?:${alts.join('|')})(?![a-z0-9])`);
}

const POSITIVE: Record<PiiType, RegExp> = Object.fromEntries(
  Object.entries(CONTEXT_WORDS).map(([t, ws]) => [t, wordsRegex(ws)]),
) as Record<PiiType, RegExp>;
const NEGATIVE = wordsRegex(NEGATIVE_WORDS);

/** The lower-cased text around [start, end): `window` characters before, half of that after. */
function around(text: string, start: number, end: number, window: number): string {
  const before = text.slice(Math.max(0, start - window), start);
  const after = text.slice(end, Math.min(text.length, end + Math.ceil(window / 2)));
  return `${before} ${after}`.toLowerCase();
}

/** True when a context word for `type` occurs within the window around the candidate. */
export function hasContext(text: string, start: number, end: number, type: PiiType, window: number): boolean {
  if (window <= 0) return false;
  return POSITIVE[type].test(around(text, start, end, window));
}

/** True when a word such as "version" or "order" precedes the candidate closely. */
export function hasNegativeContext(text: string, start: number, window: number): boolean {
  if (window <= 0) return false;
  const before = text.slice(Math.max(0, start - Math.min(window, 24)), start).toLowerCase();
  return NEGATIVE.test(before);
}

/**
 * Final score of a candidate: its validator's base score plus `bonus` when context words are near,
 * minus a penalty when a contrary word (version, order...) precedes it.
 */
export function scoreWithContext(
  text: string,
  start: number,
  end: number,
  type: PiiType,
  window: number,
  base: number,
  bonus: number,
): number {
  let s = base;
  if (hasContext(text, start, end, type, window)) s += bonus;
  else if (hasNegativeContext(text, start, window)) s -= 0.2;
  return s;
}
