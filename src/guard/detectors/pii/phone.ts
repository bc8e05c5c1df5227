import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { clampScore, type PiiMatch, type Recognizer, type RecognizerConfig } from './model.js';
import { hasContext, hasNegativeContext } from './context.js';

/*
 * libphonenumber costs 10-80 us per parse (US numbers are the slowest: the library tries each of the 25
 * countries sharing +1), and `findPhoneNumbersInText` runs its own heavy matcher over the whole text, so
 * neither runs per digit run. A cheap regex proposes runs shaped like phone numbers; North American
 * numbers are checked with the NANP numbering rules directly, others with one library call at most.
 * National numbers of other countries are accepted on their shape plus a context word, since trying
 * every region would both cost ~40 parses and validate nearly anything (German numbers have free length).
 */

/** Regions of the North American Numbering Plan (country code 1). */
const NANP_REGIONS = new Set(
  'US CA AG AI AS BB BM BS DM DO GD GU JM KN KY LC MP MS PR SX TC TT VC VG VI'.split(' '),
);

/**
 * NANP structure: area code and exchange are NXX (N = 2-9), neither an N11 service code, and area codes
 * with 9 in the middle are reserved for expansion. 11 digits must start with the country code 1.
 */
export function nanpValid(digits: string): boolean {
  const d = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  if (d.length !== 10) return false;
  const npa = d.slice(0, 3);
  const nxx = d.slice(3, 6);
  if (npa < '200' || npa[1] === '9' || (npa[1] === '1' && npa[2] === '1')) return false;
  return nxx >= '200' && !(nxx[1] === '1' && nxx[2] === '1');
}

/**
 * Optional '+', then digits, single separators (space . - /) and parentheses; every step consumes one
 * character, so there is no nested ambiguity. Length is checked after matching.
 */
const PHONE_RUN_RE = /(?<![\w+.-])(?:\+|\(\+?)?\d(?:[\d()]|[ .\-/](?=[\d(]))*/g;
/** Extension after a number: "x769", " ext. 12", " extension 4". */
const EXT_RE = /^ ?(?:x|ext\.?|extension) ?\d{1,6}(?!\d)/i;
/** Dates and times that the run regex also accepts. */
const DATE_RE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})(?:\s\d{1,2})?$/;
/** A dotted quad is an IPv4 address, never a phone number. */
const DOTTED_QUAD_RE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** Groups typical of written phone numbers (3-3-4, 2-2-2-2, a leading area code in parentheses). */
const GROUPED_RE = /^(?:\+|\(?0|\()|^\d{2,5}[ .\-/]\d{2,4}(?:[ .\-/]\d{2,4}){0,4}$/;

const MIN_DIGITS = 7;
const MAX_DIGITS = 15;

/** How one phone candidate was judged: the check that accepted it and the base score it earned. */
export interface PhoneVerdict {
  /** `nanp`, `libphonenumber:XX` (valid in region XX), `...:possible` (right length only) or `shape`. */
  validator: string;
  base: number;
}

/**
 * Checks one candidate. `+` numbers are parsed as international; others in the default region. A number
 * that is only phone-shaped gets a low base score that needs context to pass the default threshold.
 */
export function judgePhone(candidate: string, digits: string, region: CountryCode): PhoneVerdict | undefined {
  if (digits.length < MIN_DIGITS || digits.length > MAX_DIGITS) return undefined;
  if (DATE_RE.test(candidate) || DOTTED_QUAD_RE.test(candidate)) return undefined;
  // "+41 (0)69 ..." writes the trunk prefix in parentheses; the library wants it gone.
  const cleaned = candidate.replace('(0)', '');
  const intl = cleaned.startsWith('+') || cleaned.startsWith('(+');
  if (intl ? digits.startsWith('1') : NANP_REGIONS.has(region)) {
    if (nanpValid(intl ? digits : digits.replace(/^1(?=\d{10}$)/, ''))) {
      return { validator: 'nanp', base: intl ? 0.8 : 0.65 };
    }
    if (intl && digits.length === 11) return { validator: 'nanp:possible', base: 0.45 };
  } else if (intl || (digits.length <= 12 && /^\(?0|[ .\-/]/.test(candidate))) {
    // One library call, only for runs written like a phone number (trunk 0 or separators).
    const v = libraryVerdict(cleaned, intl, region);
    if (v) return v;
  }
  const grouped = GROUPED_RE.test(candidate);
  return { validator: 'shape', base: grouped ? 0.3 : 0.2 };
}

function libraryVerdict(cleaned: string, intl: boolean, region: CountryCode): PhoneVerdict | undefined {
  try {
    const parsed = intl
      ? parsePhoneNumberFromString(cleaned.replace('(+', '+'))
      : parsePhoneNumberFromString(cleaned, region);
    if (parsed?.isValid()) {
      return { validator: `libphonenumber:${parsed.country ?? region}`, base: intl ? 0.8 : 0.65 };
    }
    if (intl && parsed?.isPossible()) return { validator: 'libphonenumber:possible', base: 0.45 };
  } catch {
    // The library throws on some malformed inputs; treat as not validated.
  }
  return undefined;
}

/** The options schema already checked the region with `isSupportedCountry`; this only narrows the type. */
function asCountry(region: string): CountryCode {
  return region as CountryCode;
}

/** Strips trailing separators and unbalanced parentheses the run regex may carry. */
function trimCandidate(run: string): string {
  let r = run;
  while (r.length > 0 && /[ .\-/(]$/.test(r)) r = r.slice(0, -1);
  const open = (r.match(/\(/g) ?? []).length;
  const close = (r.match(/\)/g) ?? []).length;
  if (close > open && r.endsWith(')')) r = r.slice(0, -1);
  return r;
}

/** PHONE_NUMBER: libphonenumber validation (international or default region), else shape plus context. */
export const phoneRecognizer: Recognizer = {
  types: ['PHONE_NUMBER'],
  needsDigit: true,
  find(text: string, cfg: RecognizerConfig): PiiMatch[] {
    const out: PiiMatch[] = [];
    const region = asCountry(cfg.defaultRegion);
    PHONE_RUN_RE.lastIndex = 0;
    for (let m = PHONE_RUN_RE.exec(text); m; m = PHONE_RUN_RE.exec(text)) {
      const start = m.index;
      // Runs longer than any formatted number are tables or IDs; skip without calling the library.
      if (m[0].length > 28) continue;
      const candidate = trimCandidate(m[0]);
      const digits = candidate.replace(/\D/g, '');
      const verdict = judgePhone(candidate, digits, region);
      if (!verdict) continue;
      let end = start + candidate.length;
      const ext = EXT_RE.exec(text.slice(end, end + 20));
      if (ext) end += ext[0].length;
      let score = verdict.base;
      if (hasContext(text, start, end, 'PHONE_NUMBER', cfg.contextWindow)) score += 0.3;
      else if (hasNegativeContext(text, start, cfg.contextWindow)) score -= 0.2;
      if (ext) score += 0.1;
      if (score < 0.15) continue;
      out.push({ type: 'PHONE_NUMBER', start, end, score: clampScore(score), validator: verdict.validator });
    }
    return out;
  },
};
