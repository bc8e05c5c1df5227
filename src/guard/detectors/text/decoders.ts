import { decodeTags } from './unicode.js';
import { homoglyphCandidate, leetCandidates, rot13Candidates, survey } from './decoders-words.js';

/** A stretch of text that decodes to something else: which encoding, where, and what it says. */
export interface Candidate {
  encoding: string;
  start: number;
  end: number;
  decoded: string;
}

/** Caps shared by every finder: candidates per text and decoded characters per candidate. */
export interface DecodeLimits {
  maxCandidates: number;
  maxDecodedChars: number;
}

const ESCAPED_HEX = /(?:\\x[0-9a-fA-F]{2}){6,}/g;
const PERCENT = /(?:[^\s%]{0,40}%[0-9a-fA-F]{2}){4,}[^\s%]{0,40}/g;
const ENTITIES = /(?:&#(?:[0-9]{1,7}|x[0-9a-fA-F]{1,6});){4,}/g;
const ESCAPES = /(?:\\u[0-9a-fA-F]{4}|\\u\{[0-9a-fA-F]{1,6}\}){4,}/g;
const TAGS = /(?:\uDB40[\uDC00-\uDC7F])+/g;
/** Share of decoded characters a reader would see as text (no controls, no replacement characters). */
export function printableRatio(s: string): number {
  if (s.length === 0) return 0;
  let ok = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      (c >= 0x20 && c !== 0x7f && c !== 0xfffd && (c < 0x80 || c >= 0xa0)) ||
      c === 9 ||
      c === 10 ||
      c === 13
    )
      ok++;
  }
  return ok / s.length;
}

// Letters of any script: base64 of Chinese or Hindi text is text too.
const textLike = (s: string): boolean =>
  s.length >= 4 && printableRatio(s) >= 0.9 && /[\p{L}\p{N}]{3}/u.test(s);

function base64(run: string): string | null {
  // Words and identifiers match the alphabet too; encoded text mixes cases and digits.
  if (!/[A-Z]/.test(run) || !/[a-z0-9+/]/.test(run)) return null;
  const s = Buffer.from(run, 'base64').toString('utf8');
  return textLike(s) ? s : null;
}

function hex(digits: string): string | null {
  const s = Buffer.from(digits, 'hex').toString('utf8');
  return textLike(s) ? s : null;
}

/** A run of the base64 alphabet: hex when it is an even run of hex digits (optionally 0x-prefixed), else base64. */
function alnumRun(run: string): [string, string] | null {
  const digits = run.startsWith('0x') ? run.slice(2) : run;
  // Digits alone are a number (card, phone, id), not hex text: hex of prose always has a-f nibbles.
  if (/^[0-9]+$/.test(digits)) return null;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(digits)) {
    const s = hex(digits);
    return s === null ? null : ['hex', s];
  }
  const s = base64(run);
  return s === null ? null : ['base64', s];
}

/** Percent-decoding over bytes, so a malformed or non-UTF-8 escape degrades instead of throwing. */
function percent(run: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(run.slice(i + 1, i + 3))) {
      bytes.push(parseInt(run.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c === 0x2b ? 0x20 : c);
    else bytes.push(...Buffer.from(run.charAt(i)));
  }
  const s = Buffer.from(bytes).toString('utf8');
  return textLike(s) ? s : null;
}

function entities(run: string): string | null {
  const s = run.replace(/&#(x?)([0-9a-fA-F]+);/g, (_, x: string, n: string) => {
    const cp = parseInt(n, x ? 16 : 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  });
  return textLike(s) ? s : null;
}

function escapes(run: string): string | null {
  const s = run.replace(/\\u\{?([0-9a-fA-F]{1,6})\}?/g, (_, n: string) => {
    const cp = parseInt(n, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  });
  return textLike(s) ? s : null;
}

type Finder = [
  re: RegExp,
  decode: (run: string) => [encoding: string, decoded: string] | null,
  gate: string | null,
];

const as =
  (encoding: string, decode: (run: string) => string | null) =>
  (run: string): [string, string] | null => {
    const s = decode(run);
    return s === null ? null : [encoding, s];
  };

// `gate` is a substring every match must contain: texts without it skip the regex altogether.
const FINDERS: Finder[] = [
  [ESCAPED_HEX, as('hex', (run) => hex(run.replace(/\\x/g, ''))), '\\x'],
  [PERCENT, as('url', percent), '%'],
  [ENTITIES, as('html_entities', entities), '&#'],
  [ESCAPES, as('unicode_escape', escapes), '\\u'],
];

/** Every decodable stretch of `text`, cheapest and most common encodings first, within `limits`. */
export function findCandidates(text: string, limits: DecodeLimits): Candidate[] {
  const out: Candidate[] = [];
  const full = (): boolean => out.length >= limits.maxCandidates;
  const push = (encoding: string, start: number, end: number, decoded: string): void => {
    if (!full()) out.push({ encoding, start, end, decoded: decoded.slice(0, limits.maxDecodedChars) });
  };
  if (text.includes('\udb40'))
    for (const m of text.matchAll(TAGS))
      push('unicode_tags', m.index, m.index + m[0].length, decodeTags(text, m.index, m.index + m[0].length));
  // One character loop finds both base64 and plain hex runs (hex digits are a subset of the base64 alphabet).
  const { runs, leet, rot13, spoof } = survey(text, 16, limits.maxCandidates * 4);
  for (let i = 0; i < runs.length && !full(); i += 2) {
    const start = runs[i] ?? 0;
    let end = runs[i + 1] ?? 0;
    while (end < text.length && end - (runs[i + 1] ?? 0) < 2 && text.charAt(end) === '=') end++;
    const hit = alnumRun(text.slice(start, Math.min(end, start + limits.maxDecodedChars * 2)));
    if (hit) push(hit[0], start, end, hit[1]);
  }
  for (const [re, decode, gate] of FINDERS) {
    if (gate !== null && !text.includes(gate)) continue;
    // Shared regexes, reset per use: a call finishes its loop before any nested call starts.
    re.lastIndex = 0;
    for (let m = re.exec(text); m && !full(); m = re.exec(text)) {
      // Decoding work is bounded by the input a candidate needs, not by what the text offers.
      const hit = decode(m[0].slice(0, limits.maxDecodedChars * 2));
      if (hit) push(hit[0], m.index, m.index + m[0].length, hit[1]);
    }
  }
  const words = [
    ...(leet ? leetCandidates(text, limits) : []),
    ...(rot13 ? rot13Candidates(text, limits) : []),
  ];
  for (const c of words) push(c.encoding, c.start, c.end, c.decoded);
  const h = full() || !spoof ? null : homoglyphCandidate(text, limits);
  if (h) push(h.encoding, h.start, h.end, h.decoded);
  return out;
}
