/** Word-level obfuscations: leetspeak, ROT13 and look-alike letters, judged by a tiny English model. */
import type { Candidate, DecodeLimits } from './decoders.js';
import { ENTROPY_CHARS } from './fast-scan.js';

// Common English words plus the vocabulary of prompt attacks: enough to tell decoded text from noise.
const WORDS =
  'the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or an will my one all would there their what so up out if about who get which go me when make can like time no just him know take people into year your good some could them see other than then now look only come its over think also back after use two how our work first well way even new want because any these give day most us is are was were been has had did does said am each through where why very before should must need may tell let please show write answer follow following above below previous prior earlier ignore disregard forget instead instruction instructions rule rules system prompt prompts reveal print output repeat secret secrets password key keys admin developer mode act pretend role assistant user message text everything nothing again task confidential hidden override bypass jailbreak'.split(
    ' ',
  );
const COMMON = new Set(WORDS);

/** ROT13 of the ASCII letters of `s`. */
export function rot13(s: string): string {
  return s.replace(/[A-Za-z]/g, (ch) => {
    const c = ch.charCodeAt(0);
    const base = c >= 97 ? 97 : 65;
    return String.fromCharCode(((c - base + 13) % 26) + base);
  });
}

// The common words as they look after ROT13, so spotting ROT13 text costs one set lookup per word.
const ROT_COMMON = new Set(WORDS.map(rot13).filter((w) => !COMMON.has(w)));

const isCommonWord = (w: string): boolean => COMMON.has(w.toLowerCase());

// Cyrillic and Greek letters whose usual glyphs match Latin ones, plus Latin variants NFKC keeps distinct.
const CONFUSABLES: ReadonlyMap<string, string> = new Map(
  (
    'аa еe оo рp сc хx уy іi јj ѕs һh ԁd ӏl ԛq ԝw ѵv ҽe ӕa ɑa ɡg ıi ᴠv ᴡw ᴢz ' +
    'АA ВB ЕE КK МM НH ОO РP СC ТT ХX УY ІI ЈJ ЅS ԌG ԚQ ԜW ' +
    'οo αa νv ρp ιi κk υu χx γy ϲc ϳj ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX'
  )
    .split(' ')
    .filter(Boolean)
    .map((p) => [p.slice(0, -1), p.slice(-1)] as [string, string]),
);

/** Characters NFKC folds to ASCII letters: fullwidth forms, mathematical alphanumerics, circled letters. */
function isCompatibilityLetter(cp: number): boolean {
  return (cp >= 0xff01 && cp <= 0xff5e) || (cp >= 0x1d400 && cp <= 0x1d7ff) || (cp >= 0x24b6 && cp <= 0x24e9);
}

/** Whether a word is spelled with stand-ins: a compatibility form, or look-alikes mixed in with Latin. */
function isSpoofedWord(word: string): boolean {
  let latin = 0;
  let lookalike = 0;
  let other = 0;
  for (const ch of word) {
    const cp = ch.codePointAt(0) ?? 0;
    if (isCompatibilityLetter(cp)) return true;
    if (CONFUSABLES.has(ch)) lookalike++;
    else if (cp < 0x80) latin += /[A-Za-z]/.test(ch) ? 1 : 0;
    else if (/\p{L}/u.test(ch)) other++;
  }
  // A genuine Russian or Greek word has letters with no Latin twin; a spoof has only twins.
  return lookalike > 0 && other === 0 && (latin > 0 || lookalike >= 3);
}

/** NFKC plus the look-alike map: the Latin text a reader would see. */
function unconfuse(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKC')) out += CONFUSABLES.get(ch) ?? ch;
  return out;
}

/** The lines holding spoofed words, unconfused: one candidate, since offsets do not survive NFKC. */
export function homoglyphCandidate(text: string, limits: DecodeLimits): Candidate | null {
  let first = -1;
  let last = -1;
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (!isSpoofedWord(m[0])) continue;
    if (first < 0) first = m.index;
    last = m.index + m[0].length;
  }
  if (first < 0) return null;
  const start = text.lastIndexOf('\n', first) + 1;
  const nl = text.indexOf('\n', last);
  const end = Math.min(nl < 0 ? text.length : nl, start + limits.maxDecodedChars);
  return { encoding: 'homoglyph', start, end, decoded: unconfuse(text.slice(start, end)) };
}

/** Digits and symbols that stand in for letters in leetspeak (1 is ambiguous: i or l, settled per word). */
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '|': 'l',
};

const LEET_TOKEN =
  /(?<![A-Za-z0-9@$|])(?=[A-Za-z0-9@$|]*[A-Za-z])(?=[A-Za-z0-9@$|]*[0134578@$|9])[A-Za-z0-9@$|]{3,40}/g;
const LINE = /[^\n]+/g;
const isAsciiLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const LEET_CODES = new Uint8Array(128);
for (const c of '0134578@$|9') LEET_CODES[c.charCodeAt(0)] = 1;
const isLeetCode = (c: number): boolean => c < 128 && LEET_CODES[c] === 1;

// ROT13 of the most frequent short words ("the", "and", "you", "for", "all", "is", ...): ROT13 prose has some.
const ROT13_SHORT = new Set('gur naq lbh sbe ner nyy vf vg bs gb jnf guvf gung jvgu lbhe'.split(' '));

const isSpoofHint = (c: number): boolean =>
  (c >= 0x370 && c <= 0x52f) ||
  (c >= 0xff01 && c <= 0xff5e) ||
  c === 0x131 ||
  c === 0x251 ||
  c === 0x261 ||
  (c >= 0x1d20 && c <= 0x1d22) ||
  (c >= 0x24b6 && c <= 0x24e9) ||
  c === 0xd835;

/** What one pass over a text found: long base64-alphabet runs, and which word-level decoders are worth running. */
export interface Survey {
  /** Flat [start, end, ...] runs of the base64/hex alphabet, at least `minRun` long. */
  runs: number[];
  /** A letter next to a leet stand-in. */
  leet: boolean;
  /** A 2-4 letter word that is a ROT13'd common word. */
  rot13: boolean;
  /** A Cyrillic/Greek/fullwidth/mathematical letter. */
  spoof: boolean;
}

/** One character loop instead of one regex per encoding: prose pays for a single pass. */
export function survey(text: string, minRun: number, maxRuns: number): Survey {
  const runs: number[] = [];
  let leet = false;
  let rot = false;
  let spoof = false;
  let runLen = 0;
  let wordStart = -1;
  let prev = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0;
    if (c < 128 && ENTROPY_CHARS[c] === 1) runLen++;
    else {
      if (runLen >= minRun && runs.length < 2 * maxRuns) runs.push(i - runLen, i);
      runLen = 0;
    }
    const letter = isAsciiLetter(c);
    if (!leet && ((isLeetCode(c) && isAsciiLetter(prev)) || (isLeetCode(prev) && letter))) leet = true;
    if (letter) {
      if (wordStart < 0) wordStart = i;
    } else {
      const len = i - wordStart;
      if (
        !rot &&
        wordStart >= 0 &&
        len >= 2 &&
        len <= 4 &&
        ROT13_SHORT.has(text.slice(wordStart, i).toLowerCase())
      )
        rot = true;
      wordStart = -1;
    }
    if (c >= 0x131 && !spoof && isSpoofHint(c)) spoof = true;
    prev = c;
  }
  return { runs, leet, rot13: rot, spoof };
}

function deLeet(token: string): string {
  const asI = token.replace(/[0-9@$|]/g, (c) => LEET[c] ?? c);
  if (!token.includes('1') || isCommonWord(asI)) return asI;
  const asL = token.replace(/[0-9@$|]/g, (c) => (c === '1' ? 'l' : (LEET[c] ?? c)));
  return isCommonWord(asL) ? asL : asI;
}

/** A token spelled in leet: every character maps to a letter and the stand-ins are not just a numeric affix (mp3, 2nd). */
function isLeet(token: string): boolean {
  if (/[26]/.test(token) || /^[0-9@$|]+[A-Za-z]+$/.test(token) || /^[A-Za-z]+[0-9@$|]+$/.test(token))
    return false;
  return /[A-Za-z]/.test(token);
}

/** The local part of an e-mail address (`name@host.tld`): its `@` is a separator, not a stand-in for `a`. */
function isMailbox(line: string, m: RegExpExecArray | RegExpMatchArray): boolean {
  const at = m[0].indexOf('@');
  if (at < 0) return false;
  const after = line.slice((m.index ?? 0) + at + 1, (m.index ?? 0) + m[0].length + 64);
  return /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/.test(after);
}

/**
 * Lines with two or more leet words (or one long one), decoded from the first to the last leet word. At least
 * one leet word must decode to a common word: decoding names, ids and e-mail addresses yields noise that
 * the classifiers would score as gibberish suffixes.
 */
export function leetCandidates(text: string, limits: DecodeLimits): Candidate[] {
  const out: Candidate[] = [];
  for (const line of text.matchAll(LINE)) {
    if (out.length >= limits.maxCandidates) break;
    const hits = [...line[0].matchAll(LEET_TOKEN)].filter((m) => isLeet(m[0]) && !isMailbox(line[0], m));
    const firstHit = hits[0];
    const lastHit = hits[hits.length - 1];
    if (!firstHit || !lastHit || (hits.length < 2 && firstHit[0].length < 6)) continue;
    if (!hits.some((m) => isCommonWord(deLeet(m[0])))) continue;
    const start = line.index + firstHit.index;
    const end = Math.min(line.index + lastHit.index + lastHit[0].length, start + limits.maxDecodedChars);
    const decoded = text.slice(start, end).replace(LEET_TOKEN, (t) => (isLeet(t) ? deLeet(t) : t));
    out.push({ encoding: 'leetspeak', start, end, decoded });
  }
  return out;
}

const WORD = /[A-Za-z]{2,}/g;
const MAX_LINE = 2000;

/**
 * Stretches of a line that read as English only after ROT13: from the first to the last word that decodes to a
 * common word, kept when such words dominate it. Needs one set lookup per word, no decoding of plain text.
 */
export function rot13Candidates(text: string, limits: DecodeLimits): Candidate[] {
  const out: Candidate[] = [];
  for (const line of text.matchAll(LINE)) {
    if (out.length >= limits.maxCandidates) break;
    const body = line[0].length > MAX_LINE ? line[0].slice(0, MAX_LINE) : line[0];
    const marks: { start: number; end: number; kind: number }[] = [];
    let rot = 0;
    for (const m of body.matchAll(WORD)) {
      const w = m[0].toLowerCase();
      const kind = ROT_COMMON.has(w) ? 2 : isCommonWord(w) ? 1 : 0;
      if (kind === 2) rot++;
      marks.push({ start: m.index, end: m.index + m[0].length, kind });
    }
    if (rot < 3) continue;
    const first = marks.findIndex((k) => k.kind === 2);
    const last = marks.length - 1 - [...marks].reverse().findIndex((k) => k.kind === 2);
    const span = marks.slice(first, last + 1);
    const plain = span.filter((k) => k.kind === 1).length;
    if (rot < 0.4 * span.length || rot <= 2 * plain) continue;
    const start = line.index + (span[0]?.start ?? 0);
    const end = line.index + (span[span.length - 1]?.end ?? 0);
    out.push({
      encoding: 'rot13',
      start,
      end,
      decoded: rot13(text.slice(start, Math.min(end, start + limits.maxDecodedChars))),
    });
  }
  return out;
}
