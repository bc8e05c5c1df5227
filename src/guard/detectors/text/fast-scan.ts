/**
 * Single-pass character loops used as prefilters. On ordinary prose a JIT-compiled loop over char codes
 * costs about a nanosecond per character, several times less than a regex that must try every position.
 */

/** Membership table over ASCII for one alphabet. */
export type Alphabet = Uint8Array;

export function alphabet(chars: string): Alphabet {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** base64 and base64url, with padding. */
export const BASE64_CHARS = alphabet(`${ALNUM}+/_-=`);
/** Characters of unlabelled random tokens (padding is added back by the caller). */
export const ENTROPY_CHARS = alphabet(`${ALNUM}+/_-`);
/** Characters of provider tokens (prefixes like `sk-proj-`, `SG.`, JWT dots, key=value connection strings). */
export const TOKEN_CHARS = alphabet(`${ALNUM}+/_-=.`);

/**
 * Runs of `chars` at least `minLen` long, as flat [start, end, start, end, ...] (at most `maxRuns` runs).
 * This is what keeps the encoded-payload, secrets and canary detectors cheap on text with no long tokens.
 */
export function longRuns(text: string, chars: Alphabet, minLen: number, maxRuns = 4096): number[] {
  const out: number[] = [];
  let start = -1;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0;
    if (c < 128 && chars[c] === 1) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= minLen) {
      out.push(start, i);
      if (out.length >= 2 * maxRuns) break;
    }
    start = -1;
  }
  return out;
}

const LOWER_AZ = 0x20;
const UTF16 = new TextDecoder('utf-16le');
// . _ - | / \ , : ; ' " ` * and whitespace/controls: what a model inserts to break a token up.
const ASCII_SEPARATORS = alphabet(`._-|/\\,:;'"\`*`);
for (let c = 0; c <= 0x20; c++) ASCII_SEPARATORS[c] = 1;

/** Whether a UTF-16 unit is dropped by `fold` (ASCII by table; the rest: spaces, zero-width, soft hyphen). */
export const isSeparator = (c: number): boolean =>
  c < 128
    ? ASCII_SEPARATORS[c] === 1
    : c === 0xa0 ||
      c === 0xad ||
      c === 0xb7 ||
      (c >= 0x2000 && c <= 0x200f) ||
      (c >= 0x2028 && c <= 0x202f) ||
      (c >= 0x2060 && c <= 0x2064) ||
      c === 0x3000 ||
      c === 0xfeff;

/**
 * `text` lowercased (ASCII letters) with separators removed (decoded natively: a JS string build is 5-30x slower); `offsets` receives, when given, the index in
 * `text` of every kept unit. Lowercasing only ASCII is enough because canary tokens are ASCII.
 */
export function fold(text: string, offsets?: number[]): string {
  const n = text.length;
  const buf = new Uint16Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isSeparator(c)) continue;
    buf[k++] = c >= 0x41 && c <= 0x5a ? c | LOWER_AZ : c;
    offsets?.push(i);
  }
  // Lone surrogates come back as U+FFFD, one unit for one, so offsets stay aligned.
  return UTF16.decode(buf.subarray(0, k));
}
