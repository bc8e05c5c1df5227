import { clampScore, type PiiMatch, type Recognizer, type RecognizerConfig } from './model.js';
import { hasContext, hasNegativeContext } from './context.js';

/**
 * AAA-GG-SSSS with the same separator twice (dash, space, dot) or none. The backreference rejects mixed
 * forms like 123-45 6789, which are usually two separate numbers.
 */
const SSN_RE = /(?<![\d.-])(\d{3})([-. ]?)(\d{2})\2(\d{4})(?![\d]|-\d)/g;

/**
 * Numbers the SSA never issued but that circulate widely: the Woolworth wallet-card number, the number
 * printed in a 1962 advertisement, and the sequence used in documentation everywhere.
 */
const KNOWN_INVALID = new Set(['078051120', '219099999', '123456789', '987654320']);

/**
 * SSA issuance rules: area 000, 666 and 900-999 were never assigned (9xx is used for ITINs), group 00 and
 * serial 0000 do not exist, and a number made of one repeated digit is a placeholder.
 */
export function ssnValid(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  if (group === '00' || serial === '0000') return false;
  const all = area + group + serial;
  if (/^(\d)\1{8}$/.test(all)) return false;
  // 987-65-4320 through 987-65-4329 are reserved for advertising; 987 is already excluded above.
  return !KNOWN_INVALID.has(all);
}

/**
 * Base scores. A dashed 3-2-4 number is a strong format on its own; a spaced or dotted one less so; nine
 * bare digits are anything (zip+4, order ids) and only count next to a word such as "SSN".
 */
const BASE: Record<string, number> = { '-': 0.6, ' ': 0.4, '.': 0.35, '': 0.25 };
const CONTEXT_BONUS = 0.35;

/** US_SSN: issuance rules (area/group/serial) and separator shape, boosted by SSN context words. */
export const ssnRecognizer: Recognizer = {
  types: ['US_SSN'],
  needsDigit: true,
  find(text: string, cfg: RecognizerConfig): PiiMatch[] {
    const out: PiiMatch[] = [];
    SSN_RE.lastIndex = 0;
    for (let m = SSN_RE.exec(text); m; m = SSN_RE.exec(text)) {
      const [whole, area = '', sep = '', group = '', serial = ''] = m;
      if (!ssnValid(area, group, serial)) continue;
      const start = m.index;
      const end = start + whole.length;
      let score = BASE[sep] ?? 0.25;
      if (hasContext(text, start, end, 'US_SSN', cfg.contextWindow)) score += CONTEXT_BONUS;
      else if (hasNegativeContext(text, start, cfg.contextWindow)) score -= 0.2;
      out.push({
        type: 'US_SSN',
        start,
        end,
        score: clampScore(score),
        validator: 'ssa-rules',
      });
    }
    return out;
  },
};
