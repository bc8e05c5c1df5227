import { z } from 'zod';
import type { DetectContext, Detection, DetectorSpec } from '../../types.js';
import { findCandidates, type Candidate, type DecodeLimits } from './decoders.js';

const Options = z.strictObject({
  /** Decodable stretches examined per text (all layers together). */
  maxCandidates: z.number().int().min(1).max(1024).default(64),
  /** Decoded characters handed to the semantic detectors per candidate. */
  maxDecodedChars: z.number().int().min(64).max(1_048_576).default(65_536),
  /** Extra layers peeled here (base64 of hex of ...) on top of the pipeline's rescan depth. */
  maxLayers: z.number().int().min(1).max(4).default(2),
});
type Options = z.infer<typeof Options>;

/** What a decoded candidate turned out to hold: the semantic findings and the chain of encodings peeled. */
interface Verdict {
  score: number;
  types: string[];
  chain: string[];
  decoded: string;
}

/** Shared work budget for one detect call, so nested layers cannot multiply it. */
interface Budget {
  candidates: number;
}

const PREVIEW = 120;

/**
 * Three words in a row: the semantic detectors judge language, and decoded data that is not language (a JWT
 * header, a JSON record of ids, binary) only gives them noise to misread. Such data is still peeled further.
 */
const PHRASE = /[\p{L}\p{M}]{2,}[\s,]+[\p{L}\p{M}]{2,}[\s,]+[\p{L}\p{M}]{2,}/u;
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]{4,}/u;
/** Encodings that mostly carry data (tokens, ids, images); word-level ones (leet, rot13...) carry text. */
const DATA_ENCODINGS = new Set(['base64', 'hex']);
export const readsAsLanguage = (s: string): boolean => PHRASE.test(s) || NO_SPACE_SCRIPT.test(s);

function inspect(
  c: Candidate,
  rescan: (t: string) => Detection[],
  o: Options,
  layer: number,
  budget: Budget,
): Verdict | null {
  const inner = !DATA_ENCODINGS.has(c.encoding) || readsAsLanguage(c.decoded) ? rescan(c.decoded) : [];
  if (inner.length > 0) {
    let score = 0;
    for (const d of inner) score = Math.max(score, d.score);
    return { score, types: [...new Set(inner.map((d) => d.type))], chain: [c.encoding], decoded: c.decoded };
  }
  if (layer >= o.maxLayers) return null;
  for (const sub of candidates(c.decoded, o, budget)) {
    const v = inspect(sub, rescan, o, layer + 1, budget);
    if (v) return { ...v, chain: [c.encoding, ...v.chain] };
  }
  return null;
}

function candidates(text: string, o: Options, budget: Budget): Candidate[] {
  if (budget.candidates <= 0) return [];
  const limits: DecodeLimits = { maxCandidates: budget.candidates, maxDecodedChars: o.maxDecodedChars };
  const found = findCandidates(text, limits);
  budget.candidates -= found.length;
  return found;
}

function scan(text: string, ctx: DetectContext, o: Options): Detection[] {
  const rescan = ctx.rescan;
  if (!rescan) return [];
  const budget: Budget = { candidates: o.maxCandidates };
  const out: Detection[] = [];
  for (const c of candidates(text, o, budget)) {
    // A stretch already reported under another encoding (hex digits are base64 too) is not rescanned twice.
    if (out.some((d) => c.start >= d.start && c.end <= d.end)) continue;
    const v = inspect(c, rescan, o, 1, budget);
    if (!v) continue;
    const encoding = v.chain.join('+');
    const preview = v.decoded.length > PREVIEW ? `${v.decoded.slice(0, PREVIEW)}...` : v.decoded;
    out.push({
      type: `encoded_payload.${c.encoding}`,
      start: c.start,
      end: c.end,
      score: Math.min(1, Math.max(0, v.score)),
      detail: `${encoding}-encoded text flagged as ${v.types.join(', ')} once decoded`,
      meta: { encoding, layers: v.chain.length, found: v.types.join(','), decoded: preview },
    });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Instructions smuggled in an encoding (base64, hex, rot13, leet, homoglyphs...) that the semantic detectors flag once decoded. */
export const encodedPayloadDetector: DetectorSpec<Options> = {
  name: 'encoded_payload',
  description:
    'Encoded or obfuscated text whose decoded form the semantic detectors (injection, jailbreak) flag',
  directions: ['input'],
  semantic: false,
  defaultAction: 'block',
  defaultThreshold: 0.5,
  severity: 'high',
  options: Options,
  create: (o) => ({
    name: 'encoded_payload',
    detect(text, ctx) {
      const detections = scan(text, ctx, o);
      let score = 0;
      for (const d of detections) score = Math.max(score, d.score);
      return { score, detections };
    },
  }),
};
