/** Code-point helpers shared by the unicode, encoding and URL detectors. */

const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const LETTER = /^\p{L}$/u;

/** The code point at UTF-16 index `i`, or the lone surrogate unit itself. */
export function codePointAt(text: string, i: number): number {
  return text.codePointAt(i) ?? 0;
}

/** UTF-16 length of the code point `cp`. */
export function cpLength(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}

/** The code point ending just before UTF-16 index `i` (0 at the start). */
export function codePointBefore(text: string, i: number): number {
  if (i <= 0) return 0;
  const lo = text.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = text.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return ((hi - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
  }
  return lo;
}

// Per-code-point regex tests are only reached for rare characters, so the cache keeps them cheap.
const pictoCache = new Map<number, boolean>();
/** Whether `cp` is an emoji-like pictograph (the bases that ZWJ sequences and FE0F legitimately follow). */
export function isPictographic(cp: number): boolean {
  if (cp < 0xa9) return false;
  let v = pictoCache.get(cp);
  if (v === undefined) {
    v = PICTOGRAPHIC.test(String.fromCodePoint(cp));
    if (pictoCache.size < 4096) pictoCache.set(cp, v);
  }
  return v;
}

/** Emoji skin-tone modifiers, which sit between a pictograph and a following ZWJ. */
export function isEmojiModifier(cp: number): boolean {
  return cp >= 0x1f3fb && cp <= 0x1f3ff;
}

export function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return cp <= 0x10ffff && LETTER.test(String.fromCodePoint(cp));
}

/** Scripts that use ZWJ/ZWNJ inside words as part of normal spelling (Arabic, Persian, Indic, Sinhala...). */
export function joinerScript(cp: number): boolean {
  return (
    (cp >= 0x0600 && cp <= 0x08ff) ||
    (cp >= 0x0900 && cp <= 0x0dff) ||
    (cp >= 0x0f00 && cp <= 0x0fff) ||
    (cp >= 0x1780 && cp <= 0x18af) ||
    (cp >= 0xa8e0 && cp <= 0xa8ff)
  );
}

/** Right-to-left letters, next to which LRM/RLM marks are ordinary typography. */
export function isRtlLetter(cp: number): boolean {
  return (cp >= 0x0590 && cp <= 0x08ff) || (cp >= 0xfb1d && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff);
}

/** Unicode tag characters (U+E0000-E007F): invisible copies of ASCII used to smuggle instructions. */
export function isTag(cp: number): boolean {
  return cp >= 0xe0000 && cp <= 0xe007f;
}

/** Decodes the tag characters in `text[start, end)` to the ASCII they mirror (others are skipped). */
export function decodeTags(text: string, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end;) {
    const cp = codePointAt(text, i);
    if (cp >= 0xe0020 && cp <= 0xe007e) out += String.fromCharCode(cp - 0xe0000);
    i += cpLength(cp);
  }
  return out;
}

/** Coarse script of a letter, enough to spot words that mix look-alike alphabets. */
export type Script = 'latin' | 'cyrillic' | 'greek' | 'other' | 'none';

export function scriptOf(cp: number): Script {
  if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0xc0 && cp <= 0x24f && cp !== 0xd7))
    return 'latin';
  if (cp >= 0x400 && cp <= 0x52f) return 'cyrillic';
  if (cp >= 0x370 && cp <= 0x3ff) return 'greek';
  return isLetter(cp) ? 'other' : 'none';
}

/** Whether a word uses letters from more than one of Latin/Cyrillic/Greek (a homoglyph spoofing sign). */
export function isMixedScript(word: string): boolean {
  let seen: Script | undefined;
  for (const ch of word) {
    const s = scriptOf(ch.codePointAt(0) ?? 0);
    if (s === 'none' || s === 'other') continue;
    if (seen === undefined) seen = s;
    else if (seen !== s) return true;
  }
  return false;
}
