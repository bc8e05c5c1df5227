import { z } from 'zod';
import type { DetectorSpec } from '../../types.js';

const Options = z.strictObject({
  maxChars: z.number().int().positive().default(32_000),
  maxLines: z.number().int().positive().optional(),
});

/** Refuses prompts longer than a budget (characters, optionally lines): cheap denial-of-wallet protection. */
export const lengthDetector: DetectorSpec<z.infer<typeof Options>> = {
  name: 'length',
  description: 'Text longer than maxChars characters (or maxLines lines)',
  directions: ['input', 'output'],
  defaultAction: 'block',
  defaultThreshold: 0.5,
  severity: 'medium',
  options: Options,
  create: (o) => ({
    name: 'length',
    detect(text) {
      if (text.length > o.maxChars)
        return {
          score: 1,
          detections: [
            {
              type: 'length',
              start: o.maxChars,
              end: text.length,
              score: 1,
              detail: `${text.length} > ${o.maxChars} characters`,
            },
          ],
        };
      if (o.maxLines !== undefined) {
        let lines = 1;
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
          if (++lines > o.maxLines)
            return {
              score: 1,
              detections: [
                {
                  type: 'length',
                  start: i,
                  end: text.length,
                  score: 1,
                  detail: `more than ${o.maxLines} lines`,
                },
              ],
            };
        }
      }
      return { score: 0, detections: [] };
    },
  }),
};
