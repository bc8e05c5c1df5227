import { clampScore, isAlnumAt, type PiiMatch, type Recognizer, type RecognizerConfig } from './model.js';
import { scoreWithContext } from './context.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Dotted quad with octets 0-255 and no leading zeros; not part of a longer dotted number (1.2.3.4.5). */
const IPV4_RE = new RegExp(`(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?![\\d]|\\.\\d)`, 'g');

/** Longest textual IPv6 form: eight groups, or six groups and an embedded IPv4. */
const MAX_V6 = 45;

const IPV4_EXACT = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEXGROUP = /^[0-9A-Fa-f]{1,4}$/;

/** True for a valid textual IPv6 address (RFC 4291 section 2.2: full, `::`-compressed, IPv4-suffixed). */
export function ipv6Valid(s: string): boolean {
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  let groups = 0;
  const parts = dbl >= 0 ? [s.slice(0, dbl), s.slice(dbl + 2)] : [s];
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p] ?? '';
    if (part === '') continue;
    const fields = part.split(':');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] ?? '';
      const lastOfAll = p === parts.length - 1 && i === fields.length - 1;
      if (lastOfAll && f.includes('.')) {
        if (!IPV4_EXACT.test(f)) return false;
        groups += 2;
      } else if (HEXGROUP.test(f)) groups += 1;
      else return false;
    }
  }
  return dbl >= 0 ? groups <= 7 : groups === 8;
}

/** Loopback, unspecified and broadcast addresses identify nobody; they still count, with a lower score. */
function isNonPersonalV4(s: string): boolean {
  return s.startsWith('127.') || s === '0.0.0.0' || s === '255.255.255.255';
}

/** Trims trailing punctuation a sentence may glue to the run ("at fe80::1." or "::1:"). */
function trimRun(run: string): string {
  let r = run;
  while (r.length > 0 && (r.endsWith('.') || (r.endsWith(':') && !r.endsWith('::')))) r = r.slice(0, -1);
  return r;
}

function findV4(text: string, cfg: RecognizerConfig, out: PiiMatch[]): void {
  IPV4_RE.lastIndex = 0;
  for (let m = IPV4_RE.exec(text); m; m = IPV4_RE.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    // "v1.2.3.4" and "x1.2.3.4y" are versions or identifiers.
    if (isAlnumAt(text, start - 1) || isAlnumAt(text, end)) continue;
    const base = isNonPersonalV4(m[0]) ? 0.4 : 0.6;
    const score = scoreWithContext(text, start, end, 'IP_ADDRESS', cfg.contextWindow, base, 0.3);
    out.push({ type: 'IP_ADDRESS', start, end, score: clampScore(score), validator: 'ipv4-octets' });
  }
}

function isV6Char(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;
}

/**
 * IPv6 candidates grow outward from each colon over hex digits, colons and dots (a regex without a literal
 * prefix would be tried at every position of the text). Each run is then checked by `ipv6Valid`.
 */
function findV6(text: string, cfg: RecognizerConfig, out: PiiMatch[]): void {
  let from = 0;
  while (true) {
    const colon = text.indexOf(':', from);
    if (colon < 0) break;
    let start = colon;
    while (start > 0 && colon - start < MAX_V6 && isV6Char(text.charCodeAt(start - 1))) start--;
    let stop = colon + 1;
    while (stop < text.length && stop - start < MAX_V6 + 1 && isV6Char(text.charCodeAt(stop))) stop++;
    from = stop;
    // Leading dots belong to the sentence; a letter glued on either side means a word, not an address.
    while (start < colon && text[start] === '.') start++;
    if (isAlnumAt(text, start - 1) || stop - start > MAX_V6) continue;
    const run = trimRun(text.slice(start, stop));
    const end = start + run.length;
    if (run.length < 2 || isAlnumAt(text, end) || !ipv6Valid(run)) continue;
    const compressed = run.includes('::');
    const fields = run.split(':').filter((f) => f !== '').length;
    // A full 8-group address is unmistakable; "a::b" could be code (C++ scopes, Haskell) without context.
    const base = !compressed ? 0.85 : fields >= 3 ? 0.7 : 0.4;
    const score = scoreWithContext(text, start, end, 'IP_ADDRESS', cfg.contextWindow, base, 0.3);
    out.push({ type: 'IP_ADDRESS', start, end, score: clampScore(score), validator: 'ipv6-rfc4291' });
  }
}

/** IP_ADDRESS: IPv4 with octet bounds, IPv6 in full, compressed and IPv4-suffixed forms. */
export const ipRecognizer: Recognizer = {
  types: ['IP_ADDRESS'],
  needsDigit: false,
  find(text: string, cfg: RecognizerConfig): PiiMatch[] {
    const out: PiiMatch[] = [];
    if (text.includes('.')) findV4(text, cfg, out);
    if (text.includes(':')) findV6(text, cfg, out);
    return out;
  },
};
