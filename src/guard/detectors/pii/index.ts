import { z } from 'zod';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { Detection, DetectorSpec } from '../../types.js';
import { addressRecognizer } from './address.js';
import { cardRecognizer } from './card.js';
import { emailRecognizer } from './email.js';
import { ibanRecognizer } from './iban.js';
import { ipRecognizer } from './ip.js';
import { PII_TYPES, type PiiMatch, type PiiType, type Recognizer, type RecognizerConfig } from './model.js';
import { personRecognizer } from './person.js';
import { phoneRecognizer } from './phone.js';
import { ssnRecognizer } from './ssn.js';

export { PII_TYPES, STRUCTURED_TYPES, type PiiType } from './model.js';

/** Validated-format families first: on overlap with equal scores, the earlier family wins. */
const RECOGNIZERS: readonly Recognizer[] = [
  emailRecognizer,
  ibanRecognizer,
  cardRecognizer,
  ssnRecognizer,
  ipRecognizer,
  phoneRecognizer,
  addressRecognizer,
  personRecognizer,
];

const Options = z.strictObject({
  /** Entity types to report; default all. */
  types: z
    .array(z.enum(PII_TYPES))
    .min(1)
    .default([...PII_TYPES]),
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2). */
  defaultRegion: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .refine((r) => isSupportedCountry(r), { message: 'not a region libphonenumber knows' })
    .default('US'),
  /** Values never reported (compared case-insensitively, after trimming). */
  allowList: z.array(z.string().max(1024)).max(10_000).default([]),
  /** Characters searched for context words before a candidate (half as many after). */
  contextWindow: z.number().int().min(0).max(200).default(40),
});
export type PiiOptions = z.infer<typeof Options>;

/**
 * Keeps the strongest of overlapping matches (score, then longer span, then family order) so a card
 * number is not also reported as a phone number. A coverage mask keeps this linear in the text length.
 */
function resolve(matches: (PiiMatch & { rank: number })[], length: number): PiiMatch[] {
  if (matches.length <= 1) return matches;
  const sorted = [...matches].sort(
    (a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.rank - b.rank,
  );
  const taken = new Uint8Array(length);
  const kept: PiiMatch[] = [];
  for (const m of sorted) {
    if (m.end <= m.start) continue;
    let free = true;
    for (let i = m.start; i < m.end && free; i++) if (taken[i] === 1) free = false;
    if (!free) continue;
    taken.fill(1, m.start, m.end);
    kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function toDetection(m: PiiMatch): Detection {
  return {
    type: m.type,
    start: m.start,
    end: m.end,
    score: m.score,
    detail: `${m.type} (${m.validator})`,
    meta: { validator: m.validator },
  };
}

/** Builds the detector function for one options object; recognizers are shared and stateless. */
function createPii(o: PiiOptions): (text: string) => Detection[] {
  const wanted = new Set<PiiType>(o.types);
  const active = RECOGNIZERS.map((r, rank) => ({ r, rank })).filter(({ r }) =>
    r.types.some((t) => wanted.has(t)),
  );
  const allow = new Set(o.allowList.map((v) => v.trim().toLowerCase()));
  const cfg: RecognizerConfig = { defaultRegion: o.defaultRegion, contextWindow: o.contextWindow };
  return (text) => {
    const all: (PiiMatch & { rank: number })[] = [];
    const hasDigit = /\d/.test(text);
    for (const { r, rank } of active) {
      if (r.needsDigit && !hasDigit) continue;
      let found: PiiMatch[];
      try {
        found = r.find(text, cfg);
      } catch {
        // A recognizer bug must not take the guard down; the other families still report.
        continue;
      }
      for (const m of found) if (wanted.has(m.type)) all.push(Object.assign(m, { rank }));
    }
    const kept = resolve(all, text.length);
    const out: Detection[] = [];
    for (const m of kept) {
      if (allow.size > 0 && allow.has(text.slice(m.start, m.end).trim().toLowerCase())) continue;
      out.push(toDetection(m));
    }
    return out;
  };
}

/** PII in prompts and completions: validated identifiers (cards, IBANs, SSNs...) and heuristic names/addresses. */
export const piiDetector: DetectorSpec<PiiOptions> = {
  name: 'pii',
  description:
    'Personal data: e-mail, phone (libphonenumber), credit card (Luhn+IIN), IBAN (mod 97), US SSN, IP, names, street addresses',
  directions: ['input', 'output'],
  defaultAction: 'redact',
  defaultThreshold: 0.5,
  severity: 'medium',
  options: Options,
  create: (o) => {
    const run = createPii(o);
    return {
      name: 'pii',
      detect(text) {
        const detections = run(text);
        const score = detections.reduce((s, d) => Math.max(s, d.score), 0);
        return { score, detections };
      },
    };
  },
};

/** pii: structured identifiers with validators, names and addresses. */
export const PII_DETECTORS: DetectorSpec[] = [piiDetector];
