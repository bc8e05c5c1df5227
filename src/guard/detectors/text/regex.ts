import { z } from 'zod';
import type { Detection, DetectorSpec } from '../../types.js';
import { catastrophicReason } from './regex-safety.js';

const Pattern = z.strictObject({
  /** Becomes the detection type `regex.<name>`. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)'),
  pattern: z.string().min(1).max(2000),
  /** Any of i, m, s, u, v (g is implied). */
  flags: z
    .string()
    .regex(/^(?!.*(.).*\1)[imsuv]*$/, 'flags may only be i, m, s, u, v, each at most once')
    .optional(),
  score: z.number().min(0).max(1).default(1),
});

const Options = z.strictObject({
  patterns: z
    .array(Pattern)
    .max(64)
    .default([])
    .superRefine((patterns, ctx) => {
      patterns.forEach((p, i) => {
        const problem = compileProblem(p.pattern, p.flags);
        if (problem) ctx.addIssue({ code: 'custom', path: [i, 'pattern'], message: problem });
      });
    }),
  /** Characters of each text scanned: a backstop for patterns that backtrack polynomially. */
  maxScanChars: z.number().int().positive().max(2_000_000).default(32_000),
  /** Matches reported per pattern and text. */
  maxMatches: z.number().int().positive().max(10_000).default(100),
});
type Options = z.infer<typeof Options>;

/** Why a pattern cannot be used (syntax error or exponential backtracking), or null when it is fine. */
function compileProblem(pattern: string, flags = ''): string | null {
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
  const why = catastrophicReason(pattern);
  return why ? `refused, may backtrack catastrophically (${why})` : null;
}

/** A compiled user pattern. */
interface Compiled {
  name: string;
  re: RegExp;
  score: number;
}

function scan(text: string, compiled: readonly Compiled[], o: Options): Detection[] {
  const body = text.length > o.maxScanChars ? text.slice(0, o.maxScanChars) : text;
  const out: Detection[] = [];
  for (const { name, re, score } of compiled) {
    re.lastIndex = 0;
    let n = 0;
    for (let m = re.exec(body); m && n < o.maxMatches; m = re.exec(body), n++) {
      // An empty match would loop forever on the same index.
      if (m[0].length === 0) {
        re.lastIndex = m.index + 1;
        continue;
      }
      out.push({
        type: `regex.${name}`,
        start: m.index,
        end: m.index + m[0].length,
        score,
        detail: `matches pattern "${name}"`,
        meta: { pattern: name, truncated: body.length < text.length },
      });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** User-supplied regular expressions (deny-lists, internal identifiers), validated when the policy loads. */
export const regexDetector: DetectorSpec<Options> = {
  name: 'regex',
  description: 'Custom regular expressions from the policy (none by default)',
  directions: ['input', 'output'],
  defaultAction: 'block',
  defaultThreshold: 0.5,
  severity: 'medium',
  options: Options,
  create: (o) => {
    const compiled = o.patterns.map((p) => ({
      name: p.name,
      re: new RegExp(p.pattern, `${p.flags ?? ''}g`),
      score: p.score,
    }));
    return {
      name: 'regex',
      detect(text) {
        if (compiled.length === 0) return { score: 0, detections: [] };
        const detections = scan(text, compiled, o);
        let score = 0;
        for (const d of detections) score = Math.max(score, d.score);
        return { score, detections };
      },
    };
  },
};
