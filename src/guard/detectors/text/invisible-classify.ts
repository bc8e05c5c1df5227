import {
  codePointAt,
  codePointBefore,
  cpLength,
  isEmojiModifier,
  isPictographic,
  isRtlLetter,
  joinerScript,
} from './unicode.js';

export const INVISIBLE_KINDS = [
  'tag',
  'bidi',
  'lone_surrogate',
  'variation_selector',
  'zero_width',
  'private_use',
  'format',
  'soft_hyphen',
] as const;
/** Families of invisible or deceptive code points, most dangerous first (the order picks a run's type). */
export type InvisibleKind = (typeof INVISIBLE_KINDS)[number];

/** One classified code point: its family, its standalone score and its UTF-16 length. */
export interface InvisibleChar {
  kind: InvisibleKind;
  score: number;
  len: number;
}

/** Which legitimate uses to let through. */
export interface ClassifyOptions {
  allowEmoji: boolean;
  allowScripts: boolean;
}

/**
 * Every UTF-16 unit that can start an interesting code point. Surrogates are included wholesale because
 * the astral families (tags, plane 15/16 private use, supplementary selectors) are only reachable that way.
 */
export const INVISIBLE_CANDIDATE =
  // Listing combining and joiner code points one by one is the point of this class.
  // eslint-disable-next-line no-misleading-character-class
  /[\u00AD\u034F\u0600-\u0605\u061C\u06DD\u070F\u0890\u0891\u08E2\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uD800-\uDFFF\uE000-\uF8FF\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]/g;

const c = (kind: InvisibleKind, score: number, len = 1): InvisibleChar => ({ kind, score, len });

function isCjk(cp: number): boolean {
  return (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3134f);
}

/** Keycap bases (0-9 # *) take FE0F before U+20E3. */
function isKeycapBase(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || cp === 0x23 || cp === 0x2a;
}

/** The pictograph a ZWJ follows, skipping the FE0F and skin tone that may sit between them. */
function emojiBefore(text: string, i: number): boolean {
  let cp = codePointBefore(text, i);
  if (cp === 0xfe0f) cp = codePointBefore(text, (i -= 1));
  if (isEmojiModifier(cp)) cp = codePointBefore(text, i - 2);
  return isPictographic(cp) || isEmojiModifier(cp);
}

function variationSelector(text: string, i: number, cp: number, o: ClassifyOptions): InvisibleChar | null {
  const len = cpLength(cp);
  const prev = codePointBefore(text, i);
  // One selector after its base is how emoji presentation and CJK/Mongolian variants are spelled; a second
  // one in a row has no rendering purpose and is how "emoji smuggling" hides bytes.
  if (o.allowEmoji && (cp === 0xfe0f || cp === 0xfe0e) && (isPictographic(prev) || isKeycapBase(prev)))
    return null;
  if (o.allowScripts && isCjk(prev) && (cp <= 0xfe0f || cp >= 0xe0100)) return null;
  if (o.allowScripts && cp >= 0x180b && cp <= 0x180f && prev >= 0x1800 && prev <= 0x18af) return null;
  return c('variation_selector', 0.6, len);
}

function joiner(text: string, i: number, cp: number, o: ClassifyOptions): InvisibleChar | null {
  const next = codePointAt(text, i + 1);
  const prev = codePointBefore(text, i);
  if (o.allowEmoji && cp === 0x200d && emojiBefore(text, i) && isPictographic(next)) return null;
  if (o.allowScripts && joinerScript(prev) && joinerScript(next)) return null;
  return c('zero_width', 0.7);
}

/** Classifies the code point at `i`, or returns null when it is harmless there. */
export function classifyAt(text: string, i: number, o: ClassifyOptions): InvisibleChar | null {
  const u = text.charCodeAt(i);
  if (u >= 0xd800 && u <= 0xdfff) {
    const cp = codePointAt(text, i);
    if (cp < 0x10000) return c('lone_surrogate', 0.8);
    if (cp >= 0xe0000 && cp <= 0xe007f) return c('tag', 0.95, 2);
    if (cp >= 0xe0100 && cp <= 0xe01ef) return variationSelector(text, i, cp, o);
    if (cp >= 0xf0000) return c('private_use', 0.6, 2);
    if (cp === 0x110bd || cp === 0x110cd) return c('format', 0.4, 2);
    if (
      (cp >= 0x13430 && cp <= 0x1343f) ||
      (cp >= 0x1bca0 && cp <= 0x1bca3) ||
      (cp >= 0x1d173 && cp <= 0x1d17a)
    )
      return c('format', 0.6, 2);
    return null;
  }
  if (u === 0x200d || u === 0x200c) return joiner(text, i, u, o);
  if ((u >= 0x200b && u <= 0x200d) || (u >= 0x2060 && u <= 0x2064)) return c('zero_width', 0.7);
  if (u === 0xfeff) return c('zero_width', i === 0 ? 0.4 : 0.7);
  if (u === 0x202d || u === 0x202e) return c('bidi', 0.95);
  if ((u >= 0x202a && u <= 0x202c) || (u >= 0x2066 && u <= 0x2069)) return c('bidi', 0.85);
  if (u === 0x200e || u === 0x200f || u === 0x061c) {
    // Direction marks are ordinary typography beside Hebrew/Arabic letters.
    const rtl = isRtlLetter(codePointBefore(text, i)) || isRtlLetter(codePointAt(text, i + 1));
    return c('bidi', o.allowScripts && rtl ? 0.3 : 0.6);
  }
  if (u >= 0xe000 && u <= 0xf8ff) return c('private_use', 0.6);
  if ((u >= 0xfe00 && u <= 0xfe0f) || (u >= 0x180b && u <= 0x180f && u !== 0x180e))
    return variationSelector(text, i, u, o);
  if (u === 0x00ad) {
    // A soft hyphen inside a word is a legitimate hyphenation hint; elsewhere it only hides things.
    const inWord = /\p{L}/u.test(text.charAt(i - 1)) && /\p{L}/u.test(text.charAt(i + 1));
    return c('soft_hyphen', o.allowScripts && inWord ? 0.35 : 0.6);
  }
  if (
    (u >= 0x0600 && u <= 0x0605) ||
    u === 0x06dd ||
    u === 0x070f ||
    u === 0x0890 ||
    u === 0x0891 ||
    u === 0x08e2
  )
    return c('format', 0.4); // visible prepended marks (number signs), kept for completeness
  return c('format', 0.6); // fillers, CGJ, Khmer inherent vowels, Mongolian vowel separator, 206A-206F, FFF9-FFFB
}
