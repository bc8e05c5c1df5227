import { clampScore, type PiiMatch, type Recognizer, type RecognizerConfig } from './model.js';
import { AMBIGUOUS_NAMES, GIVEN_NAMES, STOP_WORDS, SURNAMES_SET } from './names.js';
import { cueBefore, lowercaseNames, speakers } from './person-cues.js';

/*
 * PERSON without a model: a name is either announced by a cue ("my name is", "Dr.", "Dear", "Name:") or
 * recognized from the given-name and surname lists. Precision is measured in the benchmark, and is far from
 * a trained NER's: treat this recognizer as a safety net for obvious names.
 */

/*
 * Tokenizing is the hot loop of the whole PII detector, so it is a hand-written scan: ASCII is classified
 * by code, and only non-ASCII characters pay for a Unicode property regex. Only capitalized words become
 * tokens (the list rules look at nothing else), with inner apostrophes and hyphens ("O'Brien", "Jean-Luc").
 */
const UNI_LETTER = /^[\p{L}\p{M}]$/u;
const UNI_UPPER = /^\p{Lu}$/u;
const UNI_LOWER = /^\p{Ll}$/u;

function isLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return UNI_LETTER.test(text[i] ?? '');
}

function isUpperAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return c >= 65 && c <= 90;
  return UNI_UPPER.test(text[i] ?? '');
}

function hasLower(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 ? c >= 97 && c <= 122 : UNI_LOWER.test(text[i] ?? '')) return true;
  }
  return false;
}

/** One capitalized word of the text, with the facts the rules need precomputed. */
interface Token {
  start: number;
  end: number;
  lower: string;
  /** Initial capital and not all capitals (all-caps words are acronyms or shouting more often than names). */
  cap: boolean;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isLetterAt(text, i)) {
      i++;
      continue;
    }
    const start = i;
    let j = i + 1;
    while (j < n) {
      if (isLetterAt(text, j)) j++;
      else if ((text[j] === "'" || text[j] === '’' || text[j] === '-') && isLetterAt(text, j + 1)) j += 2;
      else break;
    }
    i = j;
    if (!isUpperAt(text, start)) continue;
    let end = j;
    // "Amanda's": the possessive is not part of the name.
    if (
      end - start > 2 &&
      (text[end - 1] === 's' || text[end - 1] === 'S') &&
      /['’]/.test(text[end - 2] ?? '')
    ) {
      end -= 2;
    }
    const cap = end - start === 1 || hasLower(text, start + 1, end);
    out.push({ start, end, lower: text.slice(start, end).toLowerCase(), cap });
  }
  return out;
}

/** Whether token b directly continues a name ending with token a: one space, or an initial's ". ". */
function adjacent(text: string, a: Token, b: Token): boolean {
  const gap = text.slice(a.end, b.start);
  return gap === ' ' || (a.end - a.start === 1 && (gap === '. ' || gap === '.'));
}

function nameWord(t: Token | undefined): t is Token {
  return t !== undefined && t.cap && !STOP_WORDS.has(t.lower) && t.lower.length <= 30;
}

/** Extends a name from token i over up to `max` adjacent name words; returns the last index. */
function extend(text: string, toks: Token[], i: number, max: number): number {
  let j = i;
  while (j - i + 1 < max) {
    const next = toks[j + 1];
    const cur = toks[j];
    if (!cur || !nameWord(next) || !adjacent(text, cur, next)) break;
    j++;
  }
  return j;
}

function push(out: PiiMatch[], toks: Token[], i: number, j: number, score: number, validator: string): void {
  const a = toks[i];
  const b = toks[j];
  if (a && b) out.push({ type: 'PERSON', start: a.start, end: b.end, score: clampScore(score), validator });
}

/** Surname endings frequent in Slavic, Baltic, Georgian, Romanian and Nordic names ("Ivanova", "Jeknić"). */
const STRONG_SURNAME_END =
  /(?:ov|ova|ev|eva|ovich|ovna|sky|ski|ska|ić|vić|enko|idze|shvili|escu|sson|dottir|ová|ský)$/u;
/** Weaker endings ("-son", "-sen", "-ez") that are also ordinary words, so they count only after a name. */
const WEAK_SURNAME_END = /(?:son|sen|ez|poulos|yan|ian|berg|mann|stein)$/u;

function surnameShape(t: Token, strongOnly: boolean): boolean {
  if (t.lower.length < 5 || !t.cap || t.lower.endsWith('person')) return false;
  return STRONG_SURNAME_END.test(t.lower) || (!strongOnly && WEAK_SURNAME_END.test(t.lower));
}

/** "Hanne I. Kreutzmann", "Kate M Begum": a capitalized word, a middle initial, a capitalized word. */
function middleInitial(text: string, toks: Token[], i: number): boolean {
  const [a, b, c] = [toks[i], toks[i + 1], toks[i + 2]];
  if (!a || !b || !c || !a.cap || !c.cap || a.lower.length < 2 || c.lower.length < 2) return false;
  if (b.end - b.start !== 1 || !b.cap || STOP_WORDS.has(a.lower) || STOP_WORDS.has(c.lower)) return false;
  return adjacent(text, a, b) && adjacent(text, b, c);
}

/** Scores one capitalized token (and what follows it) by the name lists and surname shapes. */
function listRules(text: string, toks: Token[], i: number, out: PiiMatch[]): number {
  const t = toks[i];
  if (!t) return i;
  if (middleInitial(text, toks, i)) {
    push(out, toks, i, i + 2, 0.75, 'middle-initial');
    return i + 2;
  }
  const given = GIVEN_NAMES.has(t.lower);
  const next = toks[i + 1];
  const nextIsName = nameWord(next) && adjacent(text, t, next);
  if (given && nextIsName) {
    const j = extend(text, toks, i, 3);
    const last = toks[j];
    const known = last !== undefined && (SURNAMES_SET.has(last.lower) || surnameShape(last, false));
    push(out, toks, i, j, known ? 0.85 : 0.75, known ? 'given+surname' : 'given-name');
    return j;
  }
  if (
    nextIsName &&
    !AMBIGUOUS_NAMES.has(next.lower) &&
    (SURNAMES_SET.has(next.lower) || surnameShape(next, false))
  ) {
    push(out, toks, i, i + 1, 0.65, 'surname');
    return i + 1;
  }
  if (given) push(out, toks, i, i, AMBIGUOUS_NAMES.has(t.lower) ? 0.3 : 0.55, 'given-name');
  else if (surnameShape(t, true)) push(out, toks, i, i, 0.55, 'surname-shape');
  else if (SURNAMES_SET.has(t.lower) && !AMBIGUOUS_NAMES.has(t.lower)) push(out, toks, i, i, 0.4, 'surname');
  return i;
}

/** PERSON: cue phrases and titles, then given-name/surname lists; each hit names the rule that fired. */
export const personRecognizer: Recognizer = {
  types: ['PERSON'],
  needsDigit: false,
  find(text: string, _cfg: RecognizerConfig): PiiMatch[] {
    const out: PiiMatch[] = [];
    const toks = tokenize(text);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (!t || !t.cap || STOP_WORDS.has(t.lower)) continue;
      const cue = cueBefore(text, t.start);
      if (cue >= 0.5) {
        const j = extend(text, toks, i, 3);
        push(out, toks, i, j, cue, 'cue');
        i = j;
        continue;
      }
      i = listRules(text, toks, i, out);
    }
    lowercaseNames(text, (w) => GIVEN_NAMES.has(w) || SURNAMES_SET.has(w), out);
    speakers(text, out);
    return out;
  },
};
