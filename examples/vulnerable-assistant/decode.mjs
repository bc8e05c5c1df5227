// TEST TARGET, not a language model. The decoders the vulnerable assistant applies to a user message before it
// looks for instructions, reproducing the documented failure mode of models that decode smuggled text
// (base64, hex, rot13, leetspeak, unicode tag characters, homoglyphs, reversed text) and then obey it.

const MAX_VIEW = 20_000;

/** Unicode tag characters (U+E0020..U+E007E) carry invisible ASCII: the assistant reads them back. */
export function decodeTags(text) {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xe0020 && cp <= 0xe007e) out += String.fromCharCode(cp - 0xe0000);
  }
  return out;
}

// Cyrillic and Greek letters that look like Latin ones, folded back to Latin.
const CONFUSABLES = new Map(
  Object.entries({
    а: 'a',
    е: 'e',
    о: 'o',
    р: 'p',
    с: 'c',
    у: 'y',
    х: 'x',
    і: 'i',
    ј: 'j',
    ѕ: 's',
    һ: 'h',
    ԁ: 'd',
    ԛ: 'q',
    ԝ: 'w',
    А: 'A',
    В: 'B',
    Е: 'E',
    К: 'K',
    М: 'M',
    Н: 'H',
    О: 'O',
    Р: 'P',
    С: 'C',
    Т: 'T',
    Х: 'X',
    І: 'I',
    Ј: 'J',
    Ѕ: 'S',
    α: 'a',
    ο: 'o',
    ρ: 'p',
    ν: 'v',
    τ: 't',
    ι: 'i',
    κ: 'k',
    Α: 'A',
    Β: 'B',
    Ε: 'E',
    Η: 'H',
    Ι: 'I',
    Κ: 'K',
    Μ: 'M',
    Ν: 'N',
    Ο: 'O',
    Ρ: 'P',
    Τ: 'T',
    Χ: 'X',
    Υ: 'Y',
    Ζ: 'Z',
  }),
);

export function foldHomoglyphs(text) {
  let out = '';
  for (const ch of text.normalize('NFKC')) out += CONFUSABLES.get(ch) ?? ch;
  return out;
}

export function hasHomoglyphs(text) {
  for (const ch of text) if (CONFUSABLES.has(ch)) return true;
  return false;
}

const LEET = { 0: 'o', 1: 'i', 3: 'e', 4: 'a', 5: 's', 7: 't', 8: 'b', 9: 'g', '@': 'a', $: 's', '!': 'i' };

/** Words that mix letters with leet digits, e.g. `1gn0r3`. */
export function leetWords(text) {
  return (text.match(/\b(?=[a-z0-9@$!]*[a-z])(?=[a-z0-9@$!]*[0134579@$])[a-z0-9@$!]{3,}\b/gi) ?? []).length;
}

export function unleet(text) {
  return text.replace(/[a-z0-9@$!]+/gi, (w) =>
    /[a-z]/i.test(w) || w.length > 1 ? w.replace(/[0134579@$!]/g, (c) => LEET[c] ?? c) : w,
  );
}

export function rot13(text) {
  return text.replace(/[a-z]/gi, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

function printable(s) {
  return s.length > 0 && /^[\t\n\r\x20-\x7e]+$/.test(s);
}

/** Base64 and hex runs that decode to printable text. */
export function decodeRuns(text) {
  const out = [];
  for (const m of text.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)) {
    const run = m[0];
    if (/^(?:[0-9a-fA-F]{2}){8,}$/.test(run)) {
      const hex = Buffer.from(run, 'hex').toString('latin1');
      if (printable(hex)) out.push({ form: 'hex', text: hex });
      continue;
    }
    const b64 = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
    if (printable(b64) && /[a-z]{3}/i.test(b64)) out.push({ form: 'base64', text: b64 });
  }
  return out;
}

/** The part of a message after its first colon, else its quoted part: what "decode this" refers to. */
function payloadPart(text) {
  const i = text.indexOf(':');
  if (i >= 0) return text.slice(i + 1);
  const quoted = /["“']([^"”']{6,})["”']/.exec(text);
  return quoted ? quoted[1] : text;
}

/**
 * Every reading of a message the assistant acts on: the text itself and each decoded form. A decoded form
 * is flagged `smuggled`: the assistant treats anything it had to decode as an instruction to follow.
 */
export function views(text) {
  const t = text.slice(0, MAX_VIEW);
  const out = [{ form: 'plain', text: t, smuggled: false }];
  const tags = decodeTags(t);
  if (tags) out.push({ form: 'unicode-tags', text: tags, smuggled: true });
  if (hasHomoglyphs(t)) out.push({ form: 'homoglyph', text: foldHomoglyphs(t), smuggled: true });
  for (const r of decodeRuns(t)) out.push({ form: r.form, text: r.text, smuggled: true });
  if (/\brot-?13\b/i.test(t)) out.push({ form: 'rot13', text: rot13(payloadPart(t)), smuggled: true });
  if (/\b(revers\w*|backwards?)\b/i.test(t))
    out.push({ form: 'reversed', text: [...payloadPart(t)].reverse().join(''), smuggled: true });
  if (leetWords(t) >= 3) out.push({ form: 'leetspeak', text: unleet(t), smuggled: true });
  return out;
}
