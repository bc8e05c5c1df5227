import { clampScore, type PiiMatch } from './model.js';
import { STOP_WORDS } from './names.js';

/*
 * Context that announces a name regardless of the name lists: cue phrases ("my name is", "Dr.") and
 * dialogue transcripts, where several lines start with a speaker's name and a colon. Every regex here is
 * anchored or has a literal prefix, so none is tried at every position of a long text.
 */

/**
 * Phrases after which the next capitalized words are a name, tried (anchored at the end) on the few
 * characters before each capitalized word only: prose has far fewer capitalized words than positions.
 * Groups in order: self-introduction, address forms, titles, form labels, greetings, verbs of naming,
 * "I am".
 */
const CUE_BEFORE_RE = new RegExp(
  [
    "\\b(my name is|my name's)",
    '\\b(call me|i go by|this is)',
    '\\b(mr|mrs|ms|mx|dr|prof|sir|madam|miss|mister)\\.?',
    '(?:^|\\n)[ \\t>]*(name|full name|patient|customer|attn|contact)[ \\t]*:',
    '\\b(dear|hi|hello|hey|thanks|sincerely|regards|cheers),?',
    '\\b(named|called|directed by|written by|signed by|assistant to|married|met with)',
    "\\b(i am|i'm)",
  ]
    .map((alt) => `(?:${alt})`)
    .join('|')
    .replace(/^/, '(?:')
    .concat(')[ \\t]+$'),
  'i',
);
// "I am" introduces moods and jobs as often as names ("I'm DJing"): too weak alone, the lists decide.
const CUE_SCORES = [0.85, 0.7, 0.85, 0.85, 0.7, 0.7, 0.45];
const CUE_LOOKBACK = 28;

/** Last words of the cues above: the regex runs only when the word before a name is one of them. */
const CUE_LAST_WORDS: ReadonlySet<string> = new Set(
  `is name's me by this mr mrs ms mx dr prof sir madam miss mister name patient customer attn contact dear
  hi hello hey thanks sincerely regards cheers named called to married with am i'm`.split(/\s+/),
);

/** The lower-cased word before `start`, skipping spaces and one trailing '.', ',' or ':'. */
function previousWord(text: string, start: number): string {
  let i = start;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  if (i === start) return '';
  const c = text[i - 1];
  if (c === '.' || c === ',' || c === ':') i--;
  while (i > 0 && text[i - 1] === ' ') i--;
  const end = i;
  while (i > 0 && end - i < 12 && /[A-Za-z']/.test(text[i - 1] ?? '')) i--;
  return text.slice(i, end).toLowerCase();
}

/** Score of the cue that ends right before `start`, or 0 when there is none. */
export function cueBefore(text: string, start: number): number {
  if (!CUE_LAST_WORDS.has(previousWord(text, start))) return 0;
  const m = CUE_BEFORE_RE.exec(text.slice(Math.max(0, start - CUE_LOOKBACK), start));
  if (!m) return 0;
  for (let g = 1; g < m.length; g++) if (m[g] !== undefined) return CUE_SCORES[g - 1] ?? 0;
  return 0;
}

/** Uncapitalized names after an unmistakable cue: "my name is borna jerković", "Name: eva kleist". */
const LOWER_NAME_RE =
  /(?:\bmy name is|\bmy name's|(?:^|\n)[ \t>]*(?:full )?name[ \t]*:)[ \t]+(\p{Ll}[\p{L}\p{M}]*(?: \p{Ll}[\p{L}\p{M}]*)?)/giu;

/** Adds PERSON matches for lower-case names that follow "my name is" or a "Name:" label. */
export function lowercaseNames(text: string, known: (w: string) => boolean, out: PiiMatch[]): void {
  if (!/name/i.test(text)) return;
  LOWER_NAME_RE.lastIndex = 0;
  for (let m = LOWER_NAME_RE.exec(text); m; m = LOWER_NAME_RE.exec(text)) {
    const words = m[1] ?? '';
    const first = words.split(' ')[0] ?? '';
    if (STOP_WORDS.has(first)) continue;
    const start = m.index + m[0].length - words.length;
    // Capitalized names are found by the main pass; here the lists decide how sure an odd word is.
    const score = known(first) ? 0.85 : 0.6;
    out.push({ type: 'PERSON', start, end: start + words.length, score, validator: 'cue' });
  }
}

/** A line opening "Name:" followed by speech. */
const SPEAKER_RE = /(?:^|\n)[ \t]*(\p{Lu}[\p{L}\p{M}]{1,20}):[ \t]*(?=["“\p{Lu}])/gu;

/** Line labels of forms, chats and prompts that are not people. */
const LABELS: ReadonlySet<string> = new Set(
  `user assistant system human ai bot model gpt chatgpt claude q a question answer note notes warning error
  example input output summary title subject date time from to cc bcc re fw fwd name phone email website url
  step task context instructions instruction response prompt comment update edit ps tip hint source result
  reason status priority category type description details mobile desk fax office tel address company
  location city country state zip age gender sex occupation job role company position salary account card
  important caution tldr info answer solution problem goal objective rules rule format translation text`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);

/**
 * Dialogue speakers. One "Word:" line is usually a label, so speakers count only when at least two
 * different non-label words open lines that way.
 */
export function speakers(text: string, out: PiiMatch[]): void {
  if (!text.includes(':')) return;
  const hits: { start: number; end: number; name: string }[] = [];
  SPEAKER_RE.lastIndex = 0;
  for (let m = SPEAKER_RE.exec(text); m; m = SPEAKER_RE.exec(text)) {
    const name = m[1] ?? '';
    const lower = name.toLowerCase();
    if (LABELS.has(lower) || STOP_WORDS.has(lower)) continue;
    const start = m.index + m[0].indexOf(name);
    hits.push({ start, end: start + name.length, name });
  }
  if (new Set(hits.map((h) => h.name)).size < 2) return;
  for (const h of hits) {
    out.push({
      type: 'PERSON',
      start: h.start,
      end: h.end,
      score: clampScore(0.6),
      validator: 'dialogue-speaker',
    });
  }
}
