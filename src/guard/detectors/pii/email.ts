import { clampScore, type PiiMatch, type Recognizer, type RecognizerConfig } from './model.js';
import { hasContext } from './context.js';

/*
 * E-mail addresses are found from each '@' outward with plain loops instead of one big regex: a regex
 * whose local part is `[\w.+-]+@` restarts at every character of a long run without '@' and goes
 * quadratic. The loops touch every character at most twice.
 */

/** Local-part characters allowed by RFC 5322's dot-atom (the quoted form is too rare to matter). */
function isLocalChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 46 || // .
    c === 95 || // _
    c === 37 || // %
    c === 43 || // +
    c === 45 || // -
    c === 39 || // '
    c === 33 || // !
    c === 35 || // #
    c === 36 || // $
    c === 38 || // &
    c === 42 || // *
    c === 61 || // =
    c === 63 || // ?
    c === 94 || // ^
    c === 96 || // `
    c === 123 || // {
    c === 124 || // |
    c === 125 || // }
    c === 126 // ~
  );
}

function isDomainChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;
}

/** Host name: dot-separated labels of 1-63 alnum/hyphen chars, not starting or ending with '-', alphabetic TLD. */
const DOMAIN_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$/;

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

/** Validates one '@' position; returns the address span or undefined. */
function emailAt(text: string, at: number): { start: number; end: number } | undefined {
  let start = at;
  while (start > 0 && at - start < MAX_LOCAL + 1 && isLocalChar(text.charCodeAt(start - 1))) start--;
  // Leading dots and quote marks are punctuation around the address, not part of it.
  while (start < at && (text[start] === '.' || text[start] === "'")) start++;
  if (start === at || at - start > MAX_LOCAL) return undefined;
  const local = text.slice(start, at);
  if (local.includes('..') || local.endsWith('.')) return undefined;
  let end = at + 1;
  while (end < text.length && end - at <= MAX_DOMAIN && isDomainChar(text.charCodeAt(end))) end++;
  // A sentence may end right after the address: "write to a@b.com."
  while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
  const domain = text.slice(at + 1, end);
  if (!DOMAIN_RE.test(domain)) return undefined;
  return { start, end };
}

/** EMAIL_ADDRESS: RFC-shaped local part, valid host name with an alphabetic TLD. */
export const emailRecognizer: Recognizer = {
  types: ['EMAIL_ADDRESS'],
  needsDigit: false,
  find(text: string, cfg: RecognizerConfig): PiiMatch[] {
    const out: PiiMatch[] = [];
    let from = 0;
    while (true) {
      const at = text.indexOf('@', from);
      if (at < 0) break;
      from = at + 1;
      const span = emailAt(text, at);
      if (!span) continue;
      const ctx = hasContext(text, span.start, span.end, 'EMAIL_ADDRESS', cfg.contextWindow);
      out.push({
        type: 'EMAIL_ADDRESS',
        start: span.start,
        end: span.end,
        score: clampScore(ctx ? 1 : 0.9),
        validator: 'rfc5322-shape',
      });
      from = span.end;
    }
    return out;
  },
};
