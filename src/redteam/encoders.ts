/** A way of disguising a payload so that keyword filters miss it while a capable model can still read it. */
export interface Encoder {
  name: EncodingName;
  /** What a peer tool calls it, for the coverage table in docs/redteam.md. */
  description: string;
  encode(text: string): string;
}

export const ENCODING_NAMES = [
  'base64',
  'hex',
  'rot13',
  'leetspeak',
  'unicode-tags',
  'homoglyph',
  'reversed',
] as const;
export type EncodingName = (typeof ENCODING_NAMES)[number];

const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };

// Latin letters and the Cyrillic letters that render the same in most fonts.
const HOMOGLYPHS: Record<string, string> = {
  a: '\u0430',
  c: '\u0441',
  e: '\u0435',
  i: '\u0456',
  o: '\u043e',
  p: '\u0440',
  x: '\u0445',
  y: '\u0443',
  A: '\u0410',
  B: '\u0412',
  C: '\u0421',
  E: '\u0415',
  H: '\u041d',
  K: '\u041a',
  M: '\u041c',
  O: '\u041e',
  P: '\u0420',
  T: '\u0422',
  X: '\u0425',
};

export function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** Leetspeak on lower-case letters only, so an upper-case marker inside the payload survives as it is. */
export function leetspeak(text: string): string {
  return text.replace(/[aeiost]/g, (c) => LEET[c] ?? c);
}

/** Printable ASCII as invisible Unicode tag characters (U+E0020..U+E007E); anything else is dropped. */
export function unicodeTags(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x20 && cp <= 0x7e) out += String.fromCodePoint(0xe0000 + cp);
  }
  return out;
}

export function homoglyphs(text: string): string {
  return text.replace(/[a-zA-Z]/g, (c) => HOMOGLYPHS[c] ?? c);
}

/** Every encoder the encoding suite applies; one registry list, one contract test. */
export const ENCODERS: readonly Encoder[] = [
  {
    name: 'base64',
    description: 'base64 (garak encoding.InjectBase64, promptfoo base64)',
    encode: (t) => Buffer.from(t, 'utf8').toString('base64'),
  },
  {
    name: 'hex',
    description: 'hex (garak encoding.InjectHex, promptfoo hex)',
    encode: (t) => Buffer.from(t, 'utf8').toString('hex'),
  },
  { name: 'rot13', description: 'ROT13 (garak encoding.InjectROT13, promptfoo rot13)', encode: rot13 },
  {
    name: 'leetspeak',
    description: 'leetspeak (promptfoo leetspeak, PyRIT LeetspeakConverter)',
    encode: leetspeak,
  },
  {
    name: 'unicode-tags',
    description: 'invisible tag characters (promptfoo ascii-smuggling, PyRIT AsciiSmugglerConverter)',
    encode: unicodeTags,
  },
  {
    name: 'homoglyph',
    description: 'Cyrillic look-alikes (promptfoo homoglyph, PyRIT UnicodeConfusableConverter)',
    encode: homoglyphs,
  },
  {
    name: 'reversed',
    description: 'reversed text (PyRIT FlipConverter)',
    encode: (t) => [...t].reverse().join(''),
  },
];

export function encoderFor(name: EncodingName): Encoder {
  const e = ENCODERS.find((x) => x.name === name);
  if (!e) throw new RangeError(`no encoder ${name}`);
  return e;
}
