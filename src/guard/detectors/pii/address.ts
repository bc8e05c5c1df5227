import { clampScore, type PiiMatch, type Recognizer, type RecognizerConfig } from './model.js';
import { scoreWithContext } from './context.js';

/*
 * STREET_ADDRESS from shape alone: a house number with a street name and a street-type word, in the
 * English order ("2450 Crown St") or the continental one ("Augsburger Strasse 36", "Ringvej 144",
 * "Via delle Coste 41"), plus secondary units ("Apt. 591", "Suite 282", "P.O. Box 242"). City, state and
 * ZIP are taken when they follow on the same line, whole address blocks when a postal code closes them.
 * Every repetition below consumes a whole word followed by one space, so backtracking stays bounded.
 */

const WORD = "[\\p{Lu}\\d][\\p{L}\\p{M}'.\\-]*";
/** Street-type words written after the name (English order). */
const SUFFIX =
  '(?:Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|Ter|' +
  'Way|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Route|Crescent|Cres|Close|Row|Alley|' +
  'Plaza|Path|Walk|Gardens|Grove|Heights|Hill|Park|Point|Ridge|Run|View|Flat|Flats|Forge|Forges|' +
  'Green|Mews|Loop|Pike|Expressway|Expy|Freeway|Fwy|Causeway|Crossing|Xing|Junction|Jct|Mall|Manor|' +
  'Meadow|Meadows|Mill|Mills|Passage|Port|Spring|Springs|Station|Summit|Turnpike|Valley|Village|Vista)';
/** Street-type endings glued to the name in Nordic, German, Dutch, Hungarian... ("Snellmaninkatu"). */
const GLUED =
  '(?:katu|kuja|tie|polku|vej|gade|gasse|strasse|straße|weg|utca|gatan|vägen|väg|veien|' +
  'vei|gata|straat|laan|plein|dreef|platz|allee|stræde|terrasse|gränd|torget|torg)';
/** The same street types as separate capitalized words ("Augsburger Strasse", "Erzsébet tér"). */
const GLUED_WORD =
  '(?:u\\.|Strasse|Straße|Str\\.|Gasse|Weg|Allee|Platz|Ring|Vej|Gade|Utca|utca|út|tér|Tér|Straat|Laan|Plein|' +
  'Gatan|Vägen|Veien|Terrasse|terrasse|Katu|Tie)';
/** Street-type words written before the name (Romance and Slavic order). */
const PREFIX = '(?:Via|Viale|Piazza|Rue|Avenue|Calle|Avenida|Rua|Praça|Plaza|Ul\\.|ul\\.|ulica|Aleja|al\\.)';

const UNIT =
  '(?:Apt|Apartment|Suite|Ste|Unit|Flat|Room|Rm|Floor|Fl|Building|Bldg|#)\\.? ?[\\dA-Z][\\w-]{0,5}';
/** ", City, ST 12345" or ", City 12345" on the same line. */
const CITY_ZIP = `(?:,? (?:${WORD} ){0,3}?${WORD},? (?:[A-Z]{2} )?\\d{5}(?:-\\d{4})?)`;

const END = '(?![\\p{L}\\d])';
const TRAILING_UNIT = `(?:,? ${UNIT}${END})?`;

/*
 * Every shape contains a house number, so the text is scanned once for numbers and each shape is tried
 * only around them: anchored at the number for the English order, anchored at the end of a short slice
 * before it for the others. No shape regex ever runs over the whole text.
 */
const NUMBER_RE = /(?<![\p{L}\d])\d{1,6}(?!\d)/gu;
/** "2450 Crown St, Apt 3, Springfield, IL 62704", matched from the number on. */
const ENGLISH_AFTER = new RegExp(
  `^\\d{1,6}[A-Za-z]? (?:${WORD} ){1,4}${SUFFIX}\\.?${END}${TRAILING_UNIT}${CITY_ZIP}?`,
  'u',
);
/** "Augsburger Strasse " / "Snellmaninkatu " right before the number. */
const GLUED_BEFORE = new RegExp(
  `(?<![\\p{L}\\p{M}\\d])(?:${WORD} ){0,2}(?:\\p{Lu}[\\p{L}\\p{M}]*${GLUED}|${GLUED_WORD}) $`,
  'u',
);
/** Gate for GLUED_BEFORE: the last word before the number is a street type or ends in one. */
const GLUED_LAST_WORD = new RegExp(`(?:${GLUED}|${GLUED_WORD}) $`, 'iu');
/** "Via delle Coste " right before the number. */
const PREFIX_BEFORE = new RegExp(`(?<![\\p{L}\\p{M}\\d])${PREFIX} (?:[\\p{L}\\p{M}'.\\-]+ ){0,3}$`, 'u');
/** "Apt. " / "P.O. Box " right before the number: a unit that address blocks put on its own line. */
const UNIT_BEFORE = /(?:Apt|Apartment|Suite|Ste)\.? ?$|P\.? ?O\.? Box $/u;
/** After a continental street number: "[A|a]", a full stop, then maybe a unit. */
const NUMBER_TAIL = new RegExp(`^[A-Za-z]?\\.?${END}${TRAILING_UNIT}`, 'u');
const LOOKBACK = 60;
/** A bare building number right before the match. */
const LEAD_RE = /(?<![\p{L}\d])\d{1,6} $/u;

/** One address shape found around a number, before context and block extension. */
interface Hit {
  start: number;
  end: number;
  base: number;
  validator: string;
}

/** The best shape around the number at [ns, ne), if any. */
function shapeAt(text: string, ns: number, ne: number): Hit | undefined {
  // Cheap gates first: English order needs " X" after the number, the others a space before it.
  if (text[ne] === ' ' || /[A-Za-z]/.test(text[ne] ?? '')) {
    const eng = ENGLISH_AFTER.exec(text.slice(ns, ns + 160));
    if (eng) return { start: ns, end: ns + eng[0].length, base: 0.7, validator: 'number+street-suffix' };
  }
  if (text[ns - 1] !== ' ') return undefined;
  const before = text.slice(Math.max(0, ns - LOOKBACK), ns);
  const tail = NUMBER_TAIL.exec(text.slice(ne, ne + 24));
  const end = ne + (tail ? tail[0].length : 0);
  // The word right before the number decides whether the (costlier) glued-street regex can match at all.
  const glued = GLUED_LAST_WORD.test(before) ? GLUED_BEFORE.exec(before) : null;
  if (glued) return { start: ns - glued[0].length, end, base: 0.65, validator: 'street-word+number' };
  const prefix = PREFIX_BEFORE.exec(before);
  if (prefix) return { start: ns - prefix[0].length, end, base: 0.6, validator: 'street-prefix+number' };
  const unit = UNIT_BEFORE.exec(before);
  if (unit) return { start: ns - unit[0].length, end: ne, base: 0.55, validator: 'secondary-unit' };
  return undefined;
}

/** A match that also carries a unit or a ZIP is much less likely to be a coincidence. */
function extraEvidence(s: string): number {
  let bonus = 0;
  if (/\d{5}(?:-\d{4})?$/.test(s)) bonus += 0.1;
  if (/(?:Apt|Suite|Unit|#)/.test(s)) bonus += 0.05;
  return bonus;
}

/**
 * A line that can continue an address block: short, without the punctuation of sentences, labels or
 * e-mail. Any script is allowed (Greek and Cyrillic town names, symbols that stand in for letters).
 */
const BLOCK_LINE_RE = /^[^:@?!;"<>{}[\]=]{1,48}$/;
/** The line that closes a block: ends in a 4-6 digit postal code (optionally with a ZIP+4 or 2 letters). */
const POSTAL_END_RE = /(?<![\p{L}\d])\d{4,6}(?:-\d{3,4}| [A-Z]{2})?[ \t]*$/u;
const MAX_BLOCK_LINES = 4;

/**
 * Letters and forms write addresses as blocks: street, unit, town, "Country 12345" on separate lines.
 * When a postal code closes such a block within a few short lines, the whole block is the address.
 */
function extendBlock(text: string, end: number): number {
  let pos = end;
  let best = end;
  for (let n = 0; n < MAX_BLOCK_LINES; n++) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    const line = text.slice(pos, lineEnd);
    const isFirst = n === 0;
    // The rest of the street line may be anything short (", Springfield"); later lines must look like parts.
    if (line.length > 48 || (!isFirst && !BLOCK_LINE_RE.test(line))) break;
    if (!isFirst && line.trim() === '') break;
    if (POSTAL_END_RE.test(line)) best = pos + line.trimEnd().length;
    if (nl < 0) break;
    pos = nl + 1;
  }
  return best;
}

/** Merges matches separated only by spaces, commas or one line break (a street line and its unit line). */
function mergeAdjacent(text: string, ms: PiiMatch[]): PiiMatch[] {
  const sorted = [...ms].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiMatch[] = [];
  for (const m of sorted) {
    const last = out[out.length - 1];
    if (last && m.start <= last.end) {
      if (m.end > last.end) last.end = m.end;
      last.score = Math.max(last.score, m.score);
      continue;
    }
    if (last && /^[ \t,]*\n?[ \t>]*$/.test(text.slice(last.end, m.start))) {
      last.end = m.end;
      last.score = clampScore(Math.max(last.score, m.score) + 0.05);
      continue;
    }
    out.push({ ...m });
  }
  return out;
}

/** STREET_ADDRESS: house number + street name + street type, optional unit and city/ZIP. */
export const addressRecognizer: Recognizer = {
  types: ['STREET_ADDRESS'],
  needsDigit: true,
  find(text: string, cfg: RecognizerConfig): PiiMatch[] {
    const raw: PiiMatch[] = [];
    // Every shape needs a digit; most prompts without one are skipped at the cost of one scan.
    if (!/\d/.test(text)) return raw;
    NUMBER_RE.lastIndex = 0;
    for (let m = NUMBER_RE.exec(text); m; m = NUMBER_RE.exec(text)) {
      const hit = shapeAt(text, m.index, m.index + m[0].length);
      if (!hit) continue;
      let start = hit.start;
      // Synthetic and real blocks alike put a building number before the street number ("704 1436 ...").
      const lead =
        hit.validator === 'secondary-unit' ? null : LEAD_RE.exec(text.slice(Math.max(0, start - 8), start));
      if (lead) start -= lead[0].length;
      const evidence = extraEvidence(text.slice(hit.start, hit.end));
      // "the 2011 Arab Spring": a year before a street-type word is a date, unless a unit or ZIP follows.
      const yearLike = evidence === 0 && /^(?:18|19|20)\d\d$/.test(m[0]) && hit.start === m.index;
      const base = hit.base + evidence - (yearLike ? 0.3 : 0);
      const score = scoreWithContext(text, start, hit.end, 'STREET_ADDRESS', cfg.contextWindow, base, 0.15);
      raw.push({
        type: 'STREET_ADDRESS',
        start,
        end: hit.end,
        score: clampScore(score),
        validator: hit.validator,
      });
      // Skip numbers inside this match (the ZIP of an English address, a unit number).
      if (hit.end > NUMBER_RE.lastIndex) NUMBER_RE.lastIndex = hit.end;
    }
    const merged = mergeAdjacent(text, raw);
    for (const m of merged) {
      const end = extendBlock(text, m.end);
      if (end > m.end) {
        m.end = end;
        m.score = clampScore(m.score + 0.1);
      }
    }
    return merged;
  },
};
