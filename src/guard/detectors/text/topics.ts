import { z } from 'zod';
import type { Detection, DetectorSpec } from '../../types.js';

const Topic = z.strictObject({
  /** Becomes the detection type `topic.<name>`. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)'),
  keywords: z.array(z.string().trim().min(1).max(100)).min(1).max(500),
});

const Options = z.strictObject({
  topics: z.array(Topic).max(64).default([]),
  /** Hits reported per topic and text. */
  maxHits: z.number().int().positive().max(10_000).default(100),
});
type Options = z.infer<typeof Options>;

// Hyphens never reach here (they fold to spaces) and may not be escaped under the `u` flag.
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const VOWEL = /[aeiou]/;

/** Spellings of one word a keyword should also match: plurals, -ed/-ing/-er forms and the singular of a plural. */
export function inflections(word: string): string[] {
  const w = word.toLowerCase();
  const forms = new Set([w, `${w}s`, `${w}es`, `${w}ed`, `${w}ing`, `${w}er`, `${w}ers`]);
  const last = w.slice(-1);
  const stem = w.slice(0, -1);
  if (last === 'e') for (const s of ['d', 'r', 'rs']) forms.add(w + s);
  if (last === 'e') forms.add(`${stem}ing`);
  if (last === 'y' && !VOWEL.test(w.charAt(w.length - 2)))
    for (const s of ['ies', 'ied']) forms.add(stem + s);
  if (last === 'f') forms.add(`${stem}ves`);
  if (w.endsWith('fe')) forms.add(`${w.slice(0, -2)}ves`);
  // Short consonant-vowel-consonant words double the consonant: stab -> stabbing, stabbed.
  if (/^[a-z]*[^aeiou][aeiou][bdgklmnprt]$/.test(w))
    for (const s of ['ed', 'ing', 'er']) forms.add(w + last + s);
  if (w.endsWith('ies') && w.length > 4) forms.add(`${w.slice(0, -3)}y`);
  else if (w.endsWith('es') && /(?:s|x|z|ch|sh)es$/.test(w)) forms.add(w.slice(0, -2));
  else if (last === 's' && !w.endsWith('ss') && w.length > 3) forms.add(stem);
  return [...forms];
}

/** Lowercase, single-spaced form of a keyword or a matched span, so a match maps back to its keyword. */
const normal = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[\s-]+/g, ' ')
    .trim();

/** One topic compiled: a single regex over every form of every keyword, and form -> keyword. */
interface CompiledTopic {
  name: string;
  re: RegExp;
  keywordOf: Map<string, string>;
}

function compile(topic: z.infer<typeof Topic>): CompiledTopic {
  const keywordOf = new Map<string, string>();
  for (const kw of topic.keywords) {
    const words = normal(kw).split(' ');
    const head = words.slice(0, -1).join(' ');
    for (const form of inflections(words[words.length - 1] ?? ''))
      keywordOf.set(head ? `${head} ${form}` : form, kw);
  }
  // Longest first, so "bombs" is preferred to "bomb" at the same position.
  const alts = [...keywordOf.keys()]
    .sort((a, b) => b.length - a.length)
    .map((f) => f.split(' ').map(escape).join('[\\s-]+'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alts.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return { name: topic.name, re, keywordOf };
}

function scan(text: string, topics: readonly CompiledTopic[], maxHits: number): Detection[] {
  const out: Detection[] = [];
  for (const t of topics) {
    const hits: { start: number; end: number; keyword: string }[] = [];
    t.re.lastIndex = 0;
    for (let m = t.re.exec(text); m && hits.length < maxHits; m = t.re.exec(text))
      hits.push({
        start: m.index,
        end: m.index + m[0].length,
        keyword: t.keywordOf.get(normal(m[0])) ?? m[0],
      });
    if (hits.length === 0) continue;
    const distinct = new Set(hits.map((h) => h.keyword)).size;
    // One keyword can be incidental; several distinct ones make the topic the subject of the text.
    const score = Math.min(1, 0.5 + 0.15 * distinct);
    for (const h of hits)
      out.push({
        type: `topic.${t.name}`,
        start: h.start,
        end: h.end,
        score,
        detail: `"${h.keyword}" (${distinct} distinct keyword${distinct === 1 ? '' : 's'} of topic ${t.name})`,
        meta: { topic: t.name, keyword: h.keyword, distinct },
      });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Banned or sensitive topics by keyword lists: case-insensitive, whole words, simple inflections. */
export const topicsDetector: DetectorSpec<Options> = {
  name: 'topics',
  description:
    'Keyword lists per topic (none by default), matched as whole words with plural/inflection folding',
  directions: ['input', 'output'],
  defaultAction: 'block',
  defaultThreshold: 0.5,
  severity: 'medium',
  options: Options,
  create: (o) => {
    const topics = o.topics.map(compile);
    return {
      name: 'topics',
      detect(text) {
        if (topics.length === 0) return { score: 0, detections: [] };
        const detections = scan(text, topics, o.maxHits);
        let score = 0;
        for (const d of detections) score = Math.max(score, d.score);
        return { score, detections };
      },
    };
  },
};
